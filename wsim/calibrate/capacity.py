"""The effective capacity of a day type: how many of the ready servers the queue really had.

The ready-server estimate (:mod:`wsim.calibrate.servers`) counts an idle server as ready
unless a ticket waited, so after-call work or other duties done while nobody waited count as
capacity, and the day type's schedule is an average over dates whose staffing differed (a
queue is convex in its capacity: the average schedule serves better than the average day
did). One factor per day type, ``scale``, corrects the level and keeps the shape: windows per
slot = ``scale`` x ready servers per slot. It is chosen so that the simulated day type serves
as many tickets a day as the log shows on its fitted dates: with arrivals, window times and
patience fitted, more capacity means fewer abandonments and more tickets served, so the
throughput pins the capacity down. (Matching the servers' busy time, the occupancy, is the
same condition when window times are the same on every day type; the throughput does not
depend on that.) Nothing of the dates held out for validation enters it.

The root is found by the secant method on the log of ``scale`` with common random numbers
(the same seed at every trial, so the simulated throughput is a smooth function of the
scale), within ``[MIN_SCALE, MAX_SCALE]``; every trial is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

#: Bounds of the capacity scale (a scale at a bound is reported as such).
MIN_SCALE, MAX_SCALE = 0.5, 2.0
#: Stop when the simulated throughput is within this share of the observed.
TOLERANCE = 0.002
#: Most simulations per day type.
MAX_TRIALS = 8


@dataclass(frozen=True)
class CapacityScale:
    """A day type's capacity scale and how it was found.

    ``scale`` is the chosen factor, ``target`` the observed tickets served a day, ``trials``
    every (scale, simulated tickets served a day); ``converged`` is False at a bound or when
    the trials ran out.
    """

    scale: float
    target: float
    trials: pd.DataFrame
    converged: bool


def fit_scale(served_at: Callable[[float], float], target: float) -> CapacityScale:
    """The scale at which ``served_at(scale)`` (simulated tickets served a day) meets ``target``."""
    trials: list[tuple[float, float]] = []

    def trial(scale: float) -> float:
        served = served_at(scale)
        trials.append((scale, served))
        return math.log(served / target) if served > 0 else -math.inf

    x0, f0 = 1.0, trial(1.0)
    # Throughput rises at most as fast as capacity: a first step of three times the gap.
    x1 = min(max(math.exp(-f0 * 3.0), MIN_SCALE), MAX_SCALE)
    f1 = trial(x1)
    converged = abs(f1) < TOLERANCE or abs(f0) < TOLERANCE
    while not converged and len(trials) < MAX_TRIALS:
        if f1 == f0 or not math.isfinite(f1 - f0):
            break
        step = math.log(x1) - f1 * (math.log(x1) - math.log(x0)) / (f1 - f0)
        x2 = min(max(math.exp(step), MIN_SCALE), MAX_SCALE)
        if x2 == x1:
            break
        x0, f0, x1 = x1, f1, x2
        f1 = trial(x1)
        converged = abs(f1) < TOLERANCE
    best = min(trials, key=lambda item: abs(math.log(item[1] / target)) if item[1] > 0 else 1e9)
    table = pd.DataFrame(trials, columns=["scale", "served_per_day"]).assign(target=target)
    return CapacityScale(best[0], target, table, converged)
