"""Windows needed per staffed group and slot: by formula (SIPP, lag) or from simulation.

* ``sipp``: each slot is a stationary queue with the slot's average load (Erlang C, or Erlang
  A when citizens have a patience), staffed just enough to meet the target.
* ``lag``: the same formula on the modified offered load (the work in progress carried over
  from earlier slots, see :mod:`wsim.optimize.load`), at its highest point in the slot.
* simulation: the iterative staffing algorithm (Feldman, Mandelbaum, Massey and Whitt, 2008)
  sets each slot's windows from the simulated distribution of citizens present for the group,
  so that the chance that a citizen must wait stays at a per-slot level ``alpha`` (the delay
  probability the formula accepts at the slot's load). See :func:`presence_requirements`.

Requirements are arrays of shape (groups, slots) of whole windows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from wsim.optimize.shifts.load import Curves, modified_offered_load, slot_loads
from wsim.optimize.shifts.presence import presence_counts
from wsim.optimize.shifts.problem import StaffingInfeasible, StaffingProblem
from wsim.queueing import erlang_a, erlang_c, mmc_service_level, mmc_wait_mean
from wsim.scenario.staffing import StaffingTarget

#: The search for a staffing level gives up this far above the load (a target that needs more
#: is not reachable by adding windows, e.g. a mean wait below what the window time allows).
_SEARCH_SLACK = 200


def meets_target(
    servers: int,
    arrival_rate: float,
    service_mean: float,
    target: StaffingTarget,
    target_wait: float,
    patience_mean: float | None,
) -> bool:
    """Whether ``servers`` windows meet ``target`` in the stationary queue (Erlang C or A).

    Rates per minute, times in minutes. Without patience (Erlang C) the queue must be stable;
    an abandonment target is then met by any stable staffing (nobody leaves).
    """
    load = arrival_rate * service_mean
    if patience_mean is None:
        if servers <= load:
            return False
        if target.metric == "hall_service_level":
            level = mmc_service_level(arrival_rate, service_mean, servers, target_wait)
            return target.met(level)
        if target.metric == "hall_wait_mean":
            return target.met(mmc_wait_mean(arrival_rate, service_mean, servers))
        return True
    if servers < 1:
        return False
    queue = erlang_a(servers, arrival_rate, service_mean, patience_mean)
    if target.metric == "hall_service_level":
        return target.met(queue.p_served_within(target_wait))
    if target.metric == "hall_wait_mean":
        return target.met(queue.wait_mean_served)
    return target.met(queue.p_abandon)


def servers_needed(
    arrival_rate: float,
    service_mean: float,
    target: StaffingTarget,
    target_wait: float,
    patience_mean: float | None = None,
) -> int:
    """The fewest windows meeting ``target`` at a stationary load (0 without arrivals).

    Raises ``ValueError`` when no number of windows up to the load plus a wide margin does.
    """
    if arrival_rate <= 0:
        return 0
    load = arrival_rate * service_mean
    servers = _search_start(load, target, patience_mean)
    while not meets_target(servers, arrival_rate, service_mean, target, target_wait, patience_mean):
        servers += 1
        if servers > load + _SEARCH_SLACK + 10 * math.sqrt(load):
            raise ValueError(
                f"no number of windows meets {target} at a load of {load:.3g} Erlangs "
                f"(mean window time {service_mean:.3g} min)"
            )
    return servers


def _search_start(load: float, target: StaffingTarget, patience_mean: float | None) -> int:
    """A staffing level no smaller than the answer, to start the search from.

    Without abandonment the queue must be stable (more windows than the load). With it, the
    share of citizens served can be at most ``servers / load``, which bounds the windows from
    below for a service-level or abandonment target.
    """
    if patience_mean is None:
        return math.floor(load) + 1
    served = {"hall_service_level": target.value, "hall_abandon_rate": 1.0 - target.value}
    return max(1, math.floor(load * served.get(target.metric, 0.0)))


def delay_probability(
    servers: int, arrival_rate: float, service_mean: float, patience_mean: float | None = None
) -> float:
    """Chance that an arriving citizen must wait, in the stationary queue (Erlang C or A)."""
    if arrival_rate <= 0:
        return 0.0
    if patience_mean is None:
        return erlang_c(servers, arrival_rate * service_mean)
    if servers < 1:
        return 1.0
    return erlang_a(servers, arrival_rate, service_mean, patience_mean).p_wait


def _patience_mean(problem: StaffingProblem) -> float | None:
    patience = problem.scenario.citizens.patience
    return None if patience is None else patience.expected()


def _staff(problem: StaffingProblem, rate: np.ndarray, service_mean: np.ndarray) -> np.ndarray:
    """``servers_needed`` for every (group, slot)."""
    target, wait = problem.target, problem.scenario.targets.hall_wait
    patience = _patience_mean(problem)
    needed = np.zeros(rate.shape, dtype=int)
    for index in np.ndindex(rate.shape):
        try:
            needed[index] = servers_needed(rate[index], service_mean[index], target, wait, patience)
        except ValueError as error:
            group, slot = problem.groups[index[0]].name, problem.labels[index[1]]
            raise StaffingInfeasible(f"{group!r} at {slot}: {error}") from None
    return needed


def sipp_requirements(problem: StaffingProblem, curves: Curves) -> np.ndarray:
    """SIPP: the formula on each slot's average load (groups, slots)."""
    loads = slot_loads(problem, curves)
    return problem.floor(_staff(problem, loads.arrival_rate, loads.service_mean))


def lag_requirements(problem: StaffingProblem, curves: Curves) -> np.ndarray:
    """Lagged SIPP: the formula on the slot's highest modified offered load (groups, slots).

    The formula needs a rate and a mean window time; the rate is the load divided by the
    slot's mean window time, so the load is the modified one and the window time the slot's.
    """
    loads = slot_loads(problem, curves)
    _, offered = modified_offered_load(problem, curves)
    peak = offered.max(axis=-1)
    rate = np.where(peak > 0, peak / loads.service_mean, 0.0)
    return problem.floor(_staff(problem, rate, loads.service_mean))


def delay_levels(problem: StaffingProblem, curves: Curves) -> np.ndarray:
    """Per (group, slot), the delay probability ``alpha`` the target tolerates.

    It is the chance of waiting in the stationary queue staffed by the formula for the target
    at the slot's modified offered load: where a long target wait lets many citizens wait a
    little, alpha is high; for a strict target it is low. A slot without load (by formula)
    gets the alpha of the group's day-average load.
    """
    loads = slot_loads(problem, curves)
    _, offered = modified_offered_load(problem, curves)
    load = offered.max(axis=-1)
    day_load = loads.load.mean(axis=1, keepdims=True)
    load = np.where(load > 0, load, np.broadcast_to(day_load, load.shape))
    rate = load / loads.service_mean
    servers = _staff(problem, rate, loads.service_mean)
    patience = _patience_mean(problem)
    alpha = np.zeros(rate.shape)
    for index in np.ndindex(rate.shape):
        alpha[index] = delay_probability(
            int(servers[index]), rate[index], loads.service_mean[index], patience
        )
    return alpha


def presence_requirements(
    problem: StaffingProblem, visits: pd.DataFrame, alpha: np.ndarray, replications: int
) -> np.ndarray:
    """One step of the iterative staffing algorithm, from one simulation's visit table.

    For each group and each point of each slot (see :data:`wsim.optimize.load.POINTS_PER_SLOT`)
    ``L`` is the number of citizens present for the group (waiting for it or at its windows)
    over replications and days; the point needs the fewest ``n`` with ``P(L >= n) <= alpha``:
    with ``n`` windows, an arrival at that moment waits with probability at most alpha. A slot
    needs the most any of its points needs.
    """
    _, counts = presence_counts(problem, visits, replications)
    n_groups, n_slots = problem.shape
    needed = np.zeros((n_groups, n_slots), dtype=int)
    for g in range(n_groups):
        for t in range(n_slots):
            samples = counts[g, t]  # (samples, points)
            needed[g, t] = _smallest_safe_level(samples, alpha[g, t])
    return problem.floor(needed)


def _smallest_safe_level(samples: np.ndarray, alpha: float) -> int:
    """The fewest ``n`` with at most a share ``alpha`` of the samples ``>= n``.

    ``samples`` has one column per point of the slot; the slot needs the most any point
    needs. A point where nobody was ever present needs no window.
    """
    if samples.size == 0:
        return 0
    ordered = -np.sort(-samples, axis=0)  # descending, per point
    allowed = math.floor(alpha * ordered.shape[0] + 1e-9)  # samples that may reach n
    if allowed >= ordered.shape[0]:
        return 0
    level = ordered[allowed] + 1
    level[ordered[0] == 0] = 0
    return int(level.max())
