"""The simulation method's correction loop: tune the requirements on the simulated shift plan.

The loop covers the requirements with shifts, simulates the plan, raises the groups that
miss the target where the hall misses it, and once every slot meets it tries one window
fewer where there is room to spare, keeping a change only if the shifts get cheaper (see
:func:`correct`). Room is the slot KPIs' headroom (:func:`wsim.optimize.shifts.kpis.headroom`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsim.optimize.shifts.covering import CoverPlan
from wsim.optimize.shifts.kpis import HALL, headroom, missed, slot_kpis
from wsim.optimize.shifts.problem import StaffingInfeasible, StaffingProblem
from wsim.optimize.shifts.run import Run, capacity_message


def correct(
    run: Run, requirements: np.ndarray, max_iterations: int
) -> tuple[np.ndarray, CoverPlan, np.ndarray]:
    """Tune the requirements on the simulated shift plan itself.

    Returns the cheapest plan whose every slot met the target with confidence (or the last plan, if
    none did).

    Each iteration simulates the current shift plan. A slot meets the target when its whole
    confidence interval does (the lower end for a service level), so that the plan holds in
    a fresh simulation too. Where the hall misses, the groups that miss get one window more
    than the plan opened, and those (group, slot) pairs are never lowered again. When no slot
    misses, the (group, slot) pairs that leave at least half of the target's allowance unused,
    in their slot and in the next, get one window fewer than the plan opened, if that makes
    the shifts cheaper; pairs whose lowering saves nothing are not tried again.
    """
    problem = run.problem
    capacity = problem.capacity()
    floor = problem.floor(np.zeros(problem.shape))
    frozen = np.zeros(problem.shape, dtype=bool)
    best: tuple[np.ndarray, CoverPlan, np.ndarray] | None = None
    plan, scheduled = run.cover(requirements)
    for simulations in range(max_iterations + 1):
        if simulations == max_iterations:
            run.notes.append(
                f"the correction loop used all {max_iterations} iterations; the cheapest plan "
                "that met the target in them is kept (more iterations may find a cheaper one)"
            )
            break
        if run.budget.over():
            run.notes.append("the time limit stopped the correction loop early")
            break
        results = run.simulate(scheduled, run.seed, run.replications)
        kpis = slot_kpis(problem, results.visits, run.replications)
        misses = missed(kpis, HALL, surely=True)
        run.record(
            "cover+simulate",
            requirements,
            cost=plan.cost,
            scheduled=int(scheduled.sum()),
            missed=len(misses),
        )
        room = group_headroom(problem, kpis)
        if misses.size:
            raise_at = _groups_to_raise(room, misses)
            if not raise_at.any():
                run.notes.append(
                    "slots " + ", ".join(problem.labels[t] for t in misses) + " miss the "
                    "target because of window groups the plan does not staff"
                )
                break
            blocked = raise_at & (scheduled >= capacity)
            if blocked.any():
                raise StaffingInfeasible(capacity_message(problem, blocked, "in simulation"))
            requirements = np.where(raise_at, scheduled + 1, requirements)
            frozen |= raise_at
            plan, scheduled = run.cover(requirements)
            continue
        if best is None or plan.cost <= best[1].cost:
            best = (requirements, plan, scheduled)
        lowered = _lower(run, room, frozen, floor, requirements, plan, scheduled)
        if lowered is None:
            break
        requirements, plan, scheduled = lowered
    if best is None:
        run.notes.append("no plan met the target in every slot during the iterations")
        return requirements, plan, scheduled
    return best


def _lower(
    run: Run,
    room: np.ndarray,
    frozen: np.ndarray,
    floor: np.ndarray,
    requirements: np.ndarray,
    plan: CoverPlan,
    scheduled: np.ndarray,
) -> tuple[np.ndarray, CoverPlan, np.ndarray] | None:
    """Requirements one window below the plan where there is room, and their cheaper shifts.

    ``None`` when no such lowering makes the shifts cheaper. Pairs whose lowering saves nothing are
    marked in ``frozen`` and not tried again.
    """
    while True:
        lower = _comfortable(room) & ~frozen & (scheduled > floor)
        if not lower.any():
            return None
        trial = np.where(lower, np.minimum(requirements, scheduled - 1), requirements)
        cheaper, trial_scheduled = run.cover(trial)
        if cheaper.cost < plan.cost - 1e-9:
            return trial, cheaper, trial_scheduled
        frozen |= lower


def group_headroom(problem: StaffingProblem, kpis: pd.DataFrame) -> np.ndarray:
    """(groups, slots) headroom of each staffed group's own citizens (see ``headroom``)."""
    room = headroom(kpis, problem.target, surely=True).to_numpy()
    table = np.ones(problem.shape)
    names = kpis["group"].to_numpy()
    slots = kpis["slot"].to_numpy()
    for g, group in enumerate(problem.groups):
        mine = names == group.name
        table[g, slots[mine]] = room[mine]
    return table


def _comfortable(room: np.ndarray) -> np.ndarray:
    """(groups, slots): at least half the allowance unused in the slot and in the next."""
    following = np.concatenate([room[:, 1:], np.ones((room.shape[0], 1))], axis=1)
    return (room >= 0.5) & (following >= 0.5)


def _groups_to_raise(room: np.ndarray, misses: np.ndarray) -> np.ndarray:
    """(groups, slots) mask of the groups to give one window more where the hall misses.

    In each slot the hall misses: the staffed groups whose own citizens miss the target, or else the
    one with the least headroom if it has little.
    """
    raise_at = np.zeros(room.shape, dtype=bool)
    for t in misses:
        short = room[:, t] < 0
        if short.any():
            raise_at[short, t] = True
        elif room[:, t].min() < 0.5:
            raise_at[int(np.argmin(room[:, t])), t] = True
    return raise_at
