"""Random streams: growing blocks change no number, and the fast stream construction is exact.

The samplers start with blocks of ``FIRST_BLOCK`` and double up to ``BLOCK``; that is only
allowed because numpy draws those variates one after the other from the bit generator, so the
first N draws equal one block of N from an identically seeded generator. These tests compare
exact floats (no tolerance: any difference would change every result of a run), so a numpy
release that made a distribution depend on the block size fails here, not in the digests.
"""

from __future__ import annotations

import hashlib
import typing

import numpy as np
import pytest

from wsim import streams
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

#: Draws compared per case: several blocks of BLOCK past the growing ones (16 ... 256).
N = 3000

#: Every kind with the parameters that take different code paths in numpy (gamma with shape
#: below, at and above 1; an empirical list whose length is not a power of two, so ``choice``
#: rejects some bounded integers; degenerate triangular and fixed values that draw nothing).
SPLIT_FREE = {
    "exponential": Exponential(mean=4.0),
    "fixed": Fixed(value=2.5),
    "uniform": Uniform(min=1.0, max=7.0),
    "triangular": Triangular(min=1.0, mode=2.0, max=9.0),
    "triangular_point": Triangular(min=3.0, mode=3.0, max=3.0),
    "lognormal": Lognormal(mean=12.0, sd=6.0),
    "gamma_cv2": Gamma(mean=5.0, cv=2.0),
    "gamma_cv1": Gamma(mean=5.0, cv=1.0),
    "gamma_cv05": Gamma(mean=5.0, cv=0.5),
    "erlang": Erlang(mean=6.0, k=3),
    "empirical": Empirical(values=[1.0, 2.5, 4.0, 8.0, 13.0]),
}

#: The truncated normal drops the negative half of 2n normals per block of n: block-dependent.
SPLIT_DEPENDENT = {"normal": Normal(mean=1.0, sd=2.0)}


def _twins(seed: int = 7, name: str = "window_time:s1") -> tuple:
    """Two identically seeded generators."""
    return streams.stream(seed, 3, name), streams.stream(seed, 3, name)


def _first(draw: streams.Draw, n: int = N) -> np.ndarray:
    return np.array([draw() for _ in range(n)])


def test_every_distribution_kind_is_classified() -> None:
    """A new distribution kind must be added to one of the two tables above."""
    kinds = set(typing.get_args(typing.get_args(Distribution)[0]))
    classified = {type(d) for d in [*SPLIT_FREE.values(), *SPLIT_DEPENDENT.values()]}
    assert kinds == classified


@pytest.mark.parametrize("dist", SPLIT_FREE.values(), ids=SPLIT_FREE.keys())
def test_growing_blocks_draw_what_one_block_draws(dist: Distribution) -> None:
    """The first N draws of the sampler equal one block of N from a twin generator."""
    rng, twin = _twins()
    assert np.array_equal(_first(streams.sampler(dist, rng)), streams.block_sampler(dist, twin)(N))


@pytest.mark.parametrize(
    "dist", [*SPLIT_FREE.values(), *SPLIT_DEPENDENT.values()], ids=[*SPLIT_FREE, *SPLIT_DEPENDENT]
)
def test_batches_give_the_samplers_numbers(dist: Distribution) -> None:
    """Batches give the numbers of the sampler of a twin generator, one at a time, in order.

    Uneven sizes, as a day's arrivals of a stream would ask for, zero included; every kind.
    """
    rng, twin = _twins()
    batch = streams.batches(dist, rng)
    sizes = [*np.random.default_rng(5).integers(0, 700, 12).tolist(), 0, 1, 513]
    got = np.concatenate([batch(n) for n in sizes])
    assert got.dtype == float
    assert got.size == sum(sizes)
    assert np.array_equal(got, _first(streams.sampler(dist, twin), got.size))


def test_arrival_and_thinning_draws_are_one_block() -> None:
    """Unit exponentials and uniforms grow their blocks too, with the same numbers."""
    rng, twin = _twins(name="arrivals:s1")
    assert np.array_equal(_first(streams.unit_exponentials(rng)), twin.exponential(1.0, N))
    rng, twin = _twins(name="thinning:s1")
    assert np.array_equal(_first(streams.uniforms(rng)), twin.random(N))


def test_first_block_is_small() -> None:
    """One draw consumes exactly a block of FIRST_BLOCK from the generator, not BLOCK."""
    dist = SPLIT_FREE["exponential"]
    rng, twin = _twins()
    streams.sampler(dist, rng)()
    streams.block_sampler(dist, twin)(streams.FIRST_BLOCK)
    assert streams.FIRST_BLOCK < streams.BLOCK
    assert rng.bit_generator.state == twin.bit_generator.state


def test_block_sizes_double_up_to_block() -> None:
    """16, 32, ..., 256, then 512 for ever (and BLOCK at once when asked)."""
    sizes = streams.block_sizes(streams.FIRST_BLOCK)
    assert [next(sizes) for _ in range(8)] == [16, 32, 64, 128, 256, 512, 512, 512]
    sizes = streams.block_sizes(streams.BLOCK)
    assert [next(sizes) for _ in range(2)] == [512, 512]


@pytest.mark.parametrize("dist", SPLIT_DEPENDENT.values(), ids=SPLIT_DEPENDENT.keys())
def test_split_dependent_samplers_keep_blocks_of_512(dist: Distribution) -> None:
    """The normal sampler draws in blocks of exactly BLOCK, and growing blocks would differ."""
    rng, twin = _twins()
    per_block = streams.block_sampler(dist, twin)
    expected = np.concatenate([per_block(streams.BLOCK) for _ in range(-(-N // streams.BLOCK))])
    assert np.array_equal(_first(streams.sampler(dist, rng)), expected[:N])
    _, other = _twins()
    grown = streams.blocks(streams.block_sampler(dist, other), streams.FIRST_BLOCK)
    assert not np.array_equal(_first(grown), expected[:N])


def _numpy_construction(seed: int, replication: int, name: str) -> np.random.Generator:
    """The construction of streams before the fast path: numpy's SeedSequence with a spawn key."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    key = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    sequence = np.random.SeedSequence(entropy=[seed, replication], spawn_key=key)
    return np.random.Generator(np.random.PCG64(sequence))


SEEDS = [0, 1, 7, 2**31, 2**32 - 1, 2**32, 2**40 + 5, 2**63 - 1]
NAMES = ["arrivals:s0", "window_time:family 3/matter 17", "patience:x", "", "é" * 40, "rating"]


@pytest.mark.parametrize("seed", SEEDS)
def test_streams_equal_the_numpy_construction(seed: int) -> None:
    """Bit-identical generator states for seeds inside and outside 32 bits, many names."""
    for replication in [0, 1, 19, 2**32 - 1, 2**32]:
        for name in NAMES + [f"window_time:s{i}" for i in range(40)]:
            fast = streams.stream(seed, replication, name).bit_generator.state
            assert fast == _numpy_construction(seed, replication, name).bit_generator.state


def test_numpy_integer_seeds_give_the_same_stream() -> None:
    """A numpy integer seed (from an array of replications) takes the same path as an int."""
    fast = streams.stream(np.int64(5), np.int64(2), "arrivals:s0").bit_generator.state
    assert fast == _numpy_construction(5, 2, "arrivals:s0").bit_generator.state


@pytest.mark.parametrize("seed", SEEDS)
def test_streams_built_together_equal_the_numpy_construction(seed: int) -> None:
    """Streams built together give numpy's states and numbers, name by name, in order.

    named_streams mixes numpy's seed sequence for all names at once; seeds inside and outside
    32 bits, a repeated name, and no names at all.
    """
    names = NAMES + [f"window_time:s{i}" for i in range(300)] + ["arrivals:s0"]  # a repeat too
    for replication in [0, 19, 2**32 - 1, 2**32]:
        built = streams.named_streams(seed, replication, names)
        assert len(built) == len(names)
        for rng, name in zip(built, names, strict=True):
            twin = _numpy_construction(seed, replication, name)
            assert rng.bit_generator.state == twin.bit_generator.state
        twin = _numpy_construction(seed, replication, names[7])
        assert np.array_equal(built[7].exponential(2.0, 50), twin.exponential(2.0, 50))
    assert streams.named_streams(seed, 0, []) == []


def test_a_stream_built_together_cannot_be_spawned_from() -> None:
    """Its seed was handed over ready-made: spawning must fail, not give unrelated streams."""
    (rng,) = streams.named_streams(1, 0, ["arrivals:s0"])
    with pytest.raises(TypeError):
        rng.spawn(2)
