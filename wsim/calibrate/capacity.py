"""The effective capacity of a day type: how many of the ready servers the queue really had.

The ready-server estimate (:mod:`wsim.calibrate.servers`) counts an idle server as ready
unless a ticket waited, so after-call work or other duties done while nobody waited count as
capacity, and the day type's schedule is an average over dates whose staffing differed (a
queue is convex in its capacity: the average schedule serves better than the average day
did). One factor per day type, ``scale``, corrects the level and keeps the shape: windows per
slot = ``scale`` x ready servers per slot. It is chosen so that the simulated day type does
the work the log shows on its fitted dates, the busy time of its servers (served tickets x
their window times, per day): with arrivals and window times fitted, more capacity means
fewer abandonments and more work done, so the busy time pins the capacity down. This is the
occupancy match the calibration issue suggests; nothing of the dates held out for validation
enters it.

The root is found by the secant method on the log of ``scale`` with common random numbers
(the same seed at every trial, so the simulated busy time is a smooth function of the scale),
within ``[MIN_SCALE, MAX_SCALE]``; every trial is reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

#: Bounds of the capacity scale (a scale at a bound is reported as such).
MIN_SCALE, MAX_SCALE = 0.5, 2.0
#: Stop when the simulated busy time is within this share of the observed.
TOLERANCE = 0.002
#: Most simulations per day type.
MAX_TRIALS = 8


@dataclass(frozen=True)
class CapacityScale:
    """A day type's capacity scale and how it was found.

    ``scale`` is the chosen factor, ``target`` the observed busy time (server-minutes a day),
    ``trials`` every (scale, simulated busy time); ``converged`` is False at a bound or when
    the trials ran out.
    """

    scale: float
    target: float
    trials: pd.DataFrame
    converged: bool


def fit_scale(busy_at: Callable[[float], float], target: float) -> CapacityScale:
    """The scale at which ``busy_at(scale)`` (simulated busy minutes a day) meets ``target``."""
    trials: list[tuple[float, float]] = []

    def trial(scale: float) -> float:
        busy = busy_at(scale)
        trials.append((scale, busy))
        return math.log(busy / target) if busy > 0 else -math.inf

    x0, f0 = 1.0, trial(1.0)
    x1 = min(max(math.exp(-f0 * 2.0), MIN_SCALE), MAX_SCALE)  # busy time rises about half as
    f1 = trial(x1)  # fast as capacity near saturation: a first step of twice the gap
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
    table = pd.DataFrame(trials, columns=["scale", "busy_per_day"]).assign(target=target)
    return CapacityScale(best[0], target, table, converged)
