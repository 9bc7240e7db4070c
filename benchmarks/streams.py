"""What a named random stream and its sampler cost to set up, in the same run.

A 1,000-service center builds about 2,000 named streams and samplers per replication, most of
which draw only about a hundred numbers in the whole run, so their set-up is part of the cost
per ticket. This prints microseconds (best of `--repeat` rounds of `--number` calls) of:

- ``stream``: ``wsim.streams.stream`` against numpy's construction with a spawn key
  (``spawn_key_stream``, what ``stream`` did before; both give the same generator state,
  ``tests/test_streams.py``);
- ``sampler + 100 draws``: a stream's exponential sampler drawing 100 numbers, with growing
  blocks (``FIRST_BLOCK`` doubling to ``BLOCK``) against one first block of ``BLOCK``.

    python benchmarks/streams.py [--repeat 5] [--number 5000]
"""

from __future__ import annotations

import argparse
import os
import platform
import timeit

import numpy as np

from wsim import streams
from wsim.scenario.distributions import Exponential

NAME = "window_time:s123"
DIST = Exponential(mean=1.0)


def hundred_draws(first: int) -> None:
    """Build a stream's sampler starting with blocks of `first` and draw 100 numbers."""
    draw = streams.blocks(streams.block_sampler(DIST, streams.stream(0, 0, NAME)), first)
    for _ in range(100):
        draw()


def micro(function, repeat: int, number: int) -> float:
    """Best microseconds per call of `function()` over `repeat` rounds of `number` calls."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    """Print each way's microseconds per call and the ratio of the new to the old."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (best kept)")
    parser.add_argument("--number", type=int, default=5000, help="calls per round")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    pairs = {
        "stream": (
            lambda: streams.spawn_key_stream(0, 0, NAME),
            lambda: streams.stream(0, 0, NAME),
        ),
        "sampler + 100 draws": (
            lambda: hundred_draws(streams.BLOCK),
            lambda: hundred_draws(streams.FIRST_BLOCK),
        ),
    }
    print(f"{'what':<22}{'before us':>10}{'after us':>10}{'ratio':>7}")
    for what, (before, after) in pairs.items():
        old, new = (micro(f, args.repeat, args.number) for f in (before, after))
        print(f"{what:<22}{old:>10.2f}{new:>10.2f}{new / old:>7.2f}")


if __name__ == "__main__":
    main()
