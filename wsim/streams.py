"""Seeded random streams and fast samplers for scenario distributions.

Every random source of a model (one demand stream's arrival gaps, its window times, its
patience, ...) gets its own numpy Generator, spawned from the replication seed by a *stable
name*. Two scenarios run with the same seed therefore draw the same numbers wherever they share
a source (common random numbers), whatever else differs between them.

Samplers draw in blocks and hand out one Python float per call: the simulation asks for one
number at a time, and a block-backed iterator costs about a tenth of a scalar numpy call. The
blocks start small and double up to ``BLOCK`` where that cannot change a number (below), so
that a center with thousands of rarely used streams neither draws nor keeps thousands of full
blocks.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import struct
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from numpy.random.bit_generator import ISeedSequence

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

#: Numbers drawn per block of a stream in full use; large enough to amortise numpy's call cost.
BLOCK = 512

#: The first block of a sampler whose numbers do not depend on how its draws are split into
#: blocks; each next block doubles up to ``BLOCK``. A stream that draws a hundred numbers in a
#: run then draws 112 (16 + 32 + 64), not 512, and keeps a block of 64 floats, not 512.
FIRST_BLOCK = 16

Draw = Callable[[], float]

#: Distributions whose numbers depend on the block size: the truncated normal draws 2n normals
#: per block of n and drops the surplus, so it must keep blocks of exactly ``BLOCK``.
_SPLIT_DEPENDENT = (Normal,)

#: The two 32-bit words of (seed, replication), little-endian, and the zero words numpy pads
#: them with to its pool of 4 words before it appends a spawn key.
_SEED_WORDS = struct.Struct("<II")
_PAD = bytes(8)
_WORD = 2**32


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The random stream called `name` in replication `replication` of a run seeded `seed`.

    The name is hashed (SHA-256, so it is stable across Python processes and versions) into the
    spawn key of a numpy SeedSequence; equal (seed, replication, name) give equal streams.

    When seed and replication fit in 32 bits each, the SeedSequence is given directly the uint32
    words numpy would assemble from ``entropy=[seed, replication]`` and that spawn key (seed,
    replication, two zero words, the first 16 bytes of the digest), with no spawn key: numpy
    mixes only these words into its pool, so the generator's state is the same, bit for bit,
    at half the cost (about 20 us, not 40; numpy's conversion of Python ints one by one was the
    rest). Larger seeds take numpy's own path.
    """
    if not (0 <= seed < _WORD and 0 <= replication < _WORD):
        return spawn_key_stream(seed, replication, name)
    words = np.frombuffer(_entropy_words(seed, replication, name), "<u4")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


def _entropy_words(seed: int, replication: int, name: str) -> bytes:
    """The 8 little-endian uint32 words numpy mixes for stream `name` (32-bit seeds)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return _SEED_WORDS.pack(seed, replication) + _PAD + digest[:16]


def named_streams(seed: int, replication: int, names: Sequence[str]) -> list[np.random.Generator]:
    """:func:`stream` of each of `names`, the same generators bit for bit, built together.

    Most of the 20 us a stream costs is numpy's SeedSequence: mixing the words into its pool
    and drawing the generator's seed from it, a few uint32 operations run one by one. The
    operations are the same for every name (only the words differ), so here they run once on
    arrays of all the names' words (:func:`_seed_states`), and each PCG64 takes its seed
    ready-made: about 2 us a stream. A center of a thousand services builds some 2,000 to
    4,000 streams. Seeds or replications of 32 bits or more take :func:`stream`'s own path.
    """
    if not (0 <= seed < _WORD and 0 <= replication < _WORD):
        return [spawn_key_stream(seed, replication, name) for name in names]
    if not names:
        return []
    data = b"".join(_entropy_words(seed, replication, name) for name in names)
    states = _seed_states(np.frombuffer(data, "<u4").reshape(len(names), 8))
    return [np.random.Generator(np.random.PCG64(_SeedState(row))) for row in states]


#: numpy's SeedSequence constants (numpy/random/bit_generator.pyx): the two hash multipliers
#: and their starting values, the mixing multipliers and the shift.
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_SHIFT = 16
_POOL = 4
_MASK = 0xFFFFFFFF


def _seed_states(words: np.ndarray) -> np.ndarray:
    """Per row of uint32 entropy `words`, the 4 uint64 words SeedSequence gives PCG64.

    ``SeedSequence(row).generate_state(4, np.uint64)`` for every row at once: the hash
    constant runs through the same values for every row, so each step is one array operation.
    """
    u32 = np.uint32
    hash_a = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hash_a
        value = value ^ u32(hash_a)
        hash_a = (hash_a * _MULT_A) & _MASK
        value = value * u32(hash_a)
        return value ^ (value >> u32(_SHIFT))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = u32(_MIX_L) * x - u32(_MIX_R) * y
        return result ^ (result >> u32(_SHIFT))

    rows, size = words.shape
    zeros = np.zeros(rows, dtype=u32)
    pool = [hashmix(words[:, i] if i < size else zeros) for i in range(_POOL)]
    for i_src in range(_POOL):
        for i_dst in range(_POOL):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hashmix(pool[i_src]))
    for i_src in range(_POOL, size):
        for i_dst in range(_POOL):
            pool[i_dst] = mix(pool[i_dst], hashmix(words[:, i_src]))
    hash_b = _INIT_B
    state = np.empty((rows, 8), dtype="<u4")
    for i_dst in range(8):
        value = pool[i_dst % _POOL] ^ u32(hash_b)
        hash_b = (hash_b * _MULT_B) & _MASK
        value = value * u32(hash_b)
        state[:, i_dst] = value ^ (value >> u32(_SHIFT))
    return state.view("<u8").astype(np.uint64)


class _SeedState:
    """A seed sequence that hands PCG64 the seed words worked out for it (:func:`named_streams`).

    It stands in for the SeedSequence only while PCG64 is built (the one call is
    ``generate_state(4, uint64)``); the generator cannot be spawned from.
    """

    __slots__ = ("_state",)

    def __init__(self, state: np.ndarray):
        self._state = state

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.uint64:
            raise ValueError("a ready-made PCG64 seed is 4 uint64 words")
        return np.ascontiguousarray(self._state)


ISeedSequence.register(_SeedState)


def spawn_key_stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The stream :func:`stream` gives, built by numpy's own path (any non-negative seed).

    The entropy is ``[seed, replication]`` and the spawn key the first four little-endian
    32-bit words of the name's SHA-256 digest.
    """
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    key = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    sequence = np.random.SeedSequence(entropy=[int(seed), int(replication)], spawn_key=key)
    return np.random.Generator(np.random.PCG64(sequence))


def block_sizes(first: int) -> Iterator[int]:
    """Block sizes `first`, twice that, ... while below ``BLOCK``, then ``BLOCK`` for ever."""
    return itertools.chain(_ramp(first), itertools.repeat(BLOCK))


@functools.cache
def _ramp(first: int) -> tuple[int, ...]:
    """`first`, twice that, ... while below ``BLOCK``.

    Worked out once: a center builds thousands of samplers with the same first block.
    """
    ramp = itertools.takewhile(lambda n: n < BLOCK, (first << i for i in itertools.count()))
    return tuple(ramp)


def blocks(block: Callable[[int], np.ndarray], first: int = BLOCK) -> Draw:
    """Turn a block generator `block(n) -> array` into a zero-argument draw function.

    Blocks grow from `first` to ``BLOCK`` (:func:`block_sizes`); only a `block` whose values do
    not depend on how the draws are split may start below ``BLOCK``.
    """
    return block_draws(block, first).__next__


def block_draws(block: Callable[[int], np.ndarray], first: int = BLOCK) -> Iterator[float]:
    """The values of `block(n)` for growing `n` (as :func:`blocks`), one Python float each."""
    drawn = map(np.ndarray.tolist, map(block, block_sizes(first)))
    return itertools.chain.from_iterable(drawn)


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
    """Successive Exp(1) draws (arrival gaps before scaling by the rate), in growing blocks."""
    return blocks(lambda n: rng.exponential(1.0, n), FIRST_BLOCK)


def uniforms(rng: np.random.Generator) -> Draw:
    """Successive U(0, 1) draws (thinning decisions), in growing blocks."""
    return blocks(rng.random, FIRST_BLOCK)


def batches(dist: Distribution, rng: np.random.Generator) -> Callable[[int], list[float]]:
    """A function returning the next `n` draws of `dist` from `rng` as a list (minutes).

    The numbers :func:`sampler` of the same generator gives one at a time: for a caller that
    knows how many it needs (a week's arrivals of one stream), one call instead of `n`. Where
    the numbers do not depend on how the draws are split, each call draws exactly `n` (one
    numpy call, nothing drawn ahead); the others are read from the sampler's own blocks.
    """
    block = block_sampler(dist, rng)
    if isinstance(dist, _SPLIT_DEPENDENT):
        draws = block_draws(block, BLOCK)
        return lambda n: list(itertools.islice(draws, n))
    return lambda n: block(n).tolist()


def sampler(dist: Distribution, rng: np.random.Generator) -> Draw:
    """A zero-argument function returning successive draws of `dist` from `rng`.

    numpy's Generator draws exponential, uniform, triangular, lognormal and gamma variates, and
    the bounded integers of ``choice``, one after the other from the bit generator's state, so
    their sequence is the same whatever the block sizes (``tests/test_streams.py`` checks it);
    these start with small blocks. The truncated normal keeps blocks of ``BLOCK``.
    """
    first = BLOCK if isinstance(dist, _SPLIT_DEPENDENT) else FIRST_BLOCK
    return blocks(block_sampler(dist, rng), first)
