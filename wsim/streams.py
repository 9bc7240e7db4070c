"""Seeded random streams and fast samplers for scenario distributions.

Every random source of a model (one demand stream's arrival gaps, its window times, its
patience, ...) gets its own numpy Generator, spawned from the replication seed by a *stable
name*. Two scenarios run with the same seed therefore draw the same numbers wherever they share
a source (common random numbers), whatever else differs between them.

Samplers draw in blocks and hand out one Python float per call: the simulation asks for one
number at a time, and a block-backed iterator costs about a tenth of a scalar numpy call.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable

import numpy as np

from wsim.scenario.distributions import (
    Distribution,
    Empirical,
    Erlang,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
)

#: Numbers drawn per block; large enough to amortise numpy's call cost, small enough that a
#: rarely used stream does not waste time.
BLOCK = 512

Draw = Callable[[], float]


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The random stream called `name` in replication `replication` of a run seeded `seed`.

    The name is hashed (SHA-256, so it is stable across Python processes and versions) into the
    spawn key of a numpy SeedSequence; equal (seed, replication, name) give equal streams.
    """
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    key = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    sequence = np.random.SeedSequence(entropy=[int(seed), int(replication)], spawn_key=key)
    return np.random.Generator(np.random.PCG64(sequence))


def blocks(block: Callable[[int], np.ndarray], size: int = BLOCK) -> Draw:
    """Turn a block generator `block(n) -> array` into a zero-argument draw function."""
    chained = itertools.chain.from_iterable(iter(lambda: block(size).tolist(), None))
    return chained.__next__


def block_sampler(dist: Distribution, rng: np.random.Generator) -> Callable[[int], np.ndarray]:
    """A function that draws `n` values of `dist` from `rng` at once (minutes for times)."""
    if isinstance(dist, Exponential):
        return lambda n: rng.exponential(dist.mean, n)
    if isinstance(dist, Fixed):
        return lambda n: np.full(n, float(dist.value))
    if isinstance(dist, Uniform):
        return lambda n: rng.uniform(dist.min, dist.max, n)
    if isinstance(dist, Triangular):
        if dist.min == dist.max:
            return lambda n: np.full(n, float(dist.min))
        return lambda n: rng.triangular(dist.min, dist.mode, dist.max, n)
    if isinstance(dist, Normal):
        return _truncated_normal(dist.mean, dist.sd, rng)
    if isinstance(dist, Lognormal):
        sigma2 = math.log1p((dist.sd / dist.mean) ** 2)
        mu = math.log(dist.mean) - sigma2 / 2
        return lambda n: rng.lognormal(mu, math.sqrt(sigma2), n)
    if isinstance(dist, Gamma):
        shape = 1.0 / dist.cv**2
        return lambda n: rng.gamma(shape, dist.mean / shape, n)
    if isinstance(dist, Erlang):
        return lambda n: rng.gamma(dist.k, dist.mean / dist.k, n)
    if isinstance(dist, Empirical):
        values = np.asarray(dist.values, dtype=float)
        return lambda n: rng.choice(values, n)
    raise TypeError(f"no sampler for distribution {dist!r}")


def _truncated_normal(mean: float, sd: float, rng: np.random.Generator):
    """Normal(mean, sd) conditioned on being >= 0, by rejection (a time cannot be negative)."""
    if sd == 0:
        return lambda n: np.full(n, max(float(mean), 0.0))

    def draw(n: int) -> np.ndarray:
        kept = np.empty(0)
        while kept.size < n:
            x = rng.normal(mean, sd, 2 * n)
            kept = np.concatenate([kept, x[x >= 0]])
        return kept[:n]

    return draw


def unit_exponentials(rng: np.random.Generator) -> Draw:
    """Successive Exp(1) draws (arrival gaps before scaling by the rate)."""
    return blocks(lambda n: rng.exponential(1.0, n))


def uniforms(rng: np.random.Generator) -> Draw:
    """Successive U(0, 1) draws (thinning decisions)."""
    return blocks(rng.random)


def sampler(dist: Distribution, rng: np.random.Generator) -> Draw:
    """A zero-argument function returning successive draws of `dist` from `rng`."""
    return blocks(block_sampler(dist, rng))
