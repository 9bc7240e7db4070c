"""Staffing a scenario: requirements -> shifts (``cover``) -> schedule -> verified by simulation.

Three methods set the windows each staffed group needs in each slot:

* ``sipp`` and ``lag``: queueing formulas (see :mod:`wsim.optimize.requirements`);
* ``simulation``: first the iterative staffing algorithm (ISA): simulate with the current
  requirements as the schedule, set each slot's requirement from the simulated distribution
  of citizens present, repeat until no requirement changes. Then a correction loop on the
  shift plan itself: cover the requirements with shifts, simulate the plan, raise the groups
  that miss the target where the hall misses it, and, once every slot meets it, try one
  window fewer where there is room to spare, keeping the change only if the shifts get
  cheaper. A slot meets the target in this loop only when its whole confidence interval does.
  All iterations use the same seed (common random numbers), so a change between iterations
  is the staffing's doing, not chance's.

Every method ends the same way: the requirements are covered by shifts at least cost, the
plan is applied to the scenario and simulated with a separate seed (``seed + 1`` by default),
which gives the slot KPIs the plan is judged by. The simulation method's own iterations use
``seed``, so the verification is out of sample.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from wsim.experiment import simulate
from wsim.optimize.shifts.covering import CoverPlan, cover
from wsim.optimize.shifts.kpis import HALL, headroom, missed, slot_kpis
from wsim.optimize.shifts.load import Curves, demand_curves, measured_curves
from wsim.optimize.shifts.plan import StaffingPlan
from wsim.optimize.shifts.problem import StaffingError, StaffingInfeasible, StaffingProblem
from wsim.optimize.shifts.requirements import (
    delay_levels,
    lag_requirements,
    presence_requirements,
    sipp_requirements,
)
from wsim.optimize.shifts.schedule import apply_schedule
from wsim.scenario import Scenario, load_scenario

METHODS = ("sipp", "lag", "simulation")

Progress = Callable[[dict[str, Any]], None]


class _Budget:
    """The run's time limit: what is left of it, and whether it has run out."""

    def __init__(self, seconds: float | None):
        self.started = time.perf_counter()
        self.seconds = seconds
        self.cut = False

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def left(self) -> float | None:
        """Seconds left (at least a small positive amount so a solve can start), or None."""
        if self.seconds is None:
            return None
        return max(self.seconds - self.elapsed(), 0.5)

    def over(self) -> bool:
        """True once the time is up (and remembers that the run was cut)."""
        if self.seconds is not None and self.elapsed() >= self.seconds:
            self.cut = True
        return self.cut


class _Run:
    """One staffing run's shared state: the problem, options, budget and history."""

    def __init__(
        self,
        problem: StaffingProblem,
        method: str,
        replications: int,
        seed: int,
        workers: int,
        budget: _Budget,
        progress: Progress | None,
    ):
        self.problem = problem
        self.method = method
        self.replications = replications
        self.seed = seed
        self.workers = workers
        self.budget = budget
        self.progress = progress
        self.history: list[dict[str, Any]] = []
        self.notes: list[str] = []

    def record(self, phase: str, requirements: np.ndarray, **values: Any) -> None:
        """Add a history row and report it."""
        row = {
            "iteration": len(self.history),
            "phase": phase,
            "required": int(requirements.sum()),
            **values,
            "seconds": round(self.budget.elapsed(), 3),
        }
        self.history.append(row)
        if self.progress is not None:
            self.progress(row)

    def simulate(self, scheduled: np.ndarray, seed: int, replications: int):
        """Simulate the scenario with the windows ``scheduled`` (groups, slots)."""
        scenario = apply_schedule(self.problem, scheduled)
        return simulate(scenario, replications=replications, seed=seed, workers=self.workers)

    def cover(self, requirements: np.ndarray) -> tuple[CoverPlan, np.ndarray]:
        """Cover ``requirements`` with shifts; returns the plan and the windows it opens."""
        check_capacity(self.problem, requirements, self.method)
        matrix, costs, limits = self.problem.cover_instance()
        plan = cover(
            requirements.ravel(),
            matrix,
            costs,
            time_limit=self.budget.left(),
            limits=limits,
            capacity=self.problem.capacity().ravel(),
        )
        if plan.status == "infeasible":
            raise StaffingInfeasible(_cover_infeasible_message(self.problem, plan))
        if plan.counts is None:
            raise StaffingError(
                f"the time limit of {self.budget.seconds:g} s ran out before the shift "
                "covering found any plan; allow more time"
            )
        if plan.status == "time limit":
            self.budget.cut = True
        scheduled = plan.coverage.reshape(self.problem.shape).astype(int)
        return plan, scheduled


def staffing(
    scenario: Scenario | Mapping | str | os.PathLike,
    method: str = "simulation",
    *,
    replications: int = 20,
    seed: int = 0,
    workers: int = 1,
    time_limit: float | None = None,
    max_iterations: int = 10,
    verify_replications: int | None = None,
    verify_seed: int | None = None,
    progress: Progress | None = None,
) -> StaffingPlan:
    """Staff the scenario's ``staffing`` section at least cost; verify the plan by simulation.

    ``method`` is "sipp", "lag" or "simulation" (see the module docstring). ``replications``
    and ``seed`` drive the simulation method's iterations; the verification runs
    ``verify_replications`` (default ``replications``) with ``verify_seed`` (default
    ``seed + 1``). ``time_limit`` (seconds) bounds the optimization: each shift covering gets
    what is left of it, and no new iteration starts once it is spent (the verification still
    runs). ``max_iterations`` bounds each loop of the simulation method. ``progress`` is called
    with each history row.

    Raises :class:`StaffingInfeasible` when no allowed set of shifts reaches the target (the
    message names the slots and the limit), :class:`StaffingError` for a scenario without a
    staffing section, ``ValueError`` for a bad option.
    """
    if method not in METHODS:
        raise ValueError(f"unknown staffing method {method!r}; allowed: {', '.join(METHODS)}")
    for name, value in (("replications", replications), ("max_iterations", max_iterations)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    if time_limit is not None and not time_limit > 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    problem = StaffingProblem(load_scenario(scenario))
    run = _Run(problem, method, replications, seed, workers, _Budget(time_limit), progress)
    curves = _hall_demand(run)
    if method == "simulation":
        requirements = _iterative_requirements(run, curves, max_iterations)
        requirements, plan, scheduled = _correct(run, requirements, max_iterations)
    else:
        formula = sipp_requirements if method == "sipp" else lag_requirements
        requirements = formula(problem, curves)
        plan, scheduled = run.cover(requirements)
        run.record(method, requirements, cost=plan.cost, scheduled=int(scheduled.sum()))
    verify_reps = verify_replications or replications
    verify_with = seed + 1 if verify_seed is None else verify_seed
    results = run.simulate(scheduled, verify_with, verify_reps)
    kpis = slot_kpis(problem, results.visits, verify_reps)
    run.record(
        "verify",
        requirements,
        cost=plan.cost,
        scheduled=int(scheduled.sum()),
        missed=len(missed(kpis, HALL)),
    )
    return StaffingPlan(
        method=method,
        problem=problem,
        requirements=requirements,
        counts=plan.counts,
        scheduled=scheduled,
        covering=plan,
        slot_kpis=kpis,
        history=pd.DataFrame(run.history),
        status="time limit" if run.budget.cut else plan.status,
        replications=verify_reps,
        seed=verify_with,
        notes=tuple(run.notes + _formula_notes(problem, method)),
    )


def _hall_demand(run: _Run) -> Curves:
    """The hall arrivals per service the formulas work with.

    They come from the demand streams or, when journeys decide who comes to the hall, are measured
    in a simulation of the scenario as it is (the pilot).
    """
    problem = run.problem
    scenario = problem.scenario
    if not scenario.uses_journeys():
        return demand_curves(problem)
    pilot = simulate(scenario, replications=run.replications, seed=run.seed, workers=run.workers)
    run.record("pilot", np.zeros(problem.shape, dtype=int), tickets=len(pilot.visits))
    run.notes.append(
        "citizens' journeys (channels, returns, verification visits, pickups) decide who comes "
        "to the hall: the formulas used the hall tickets per service and time of day of a "
        "simulation of the scenario as given"
    )
    return measured_curves(problem, pilot.visits, run.replications)


def _iterative_requirements(run: _Run, curves: Curves, max_iterations: int) -> np.ndarray:
    """The ISA: requirements re-set from the simulated presence until they stop changing.

    Each iteration simulates with the requirements as schedule and re-sets them from the simulated
    presence. The first starts from the lag method's requirements.

    Sampling noise can make the requirements alternate between a few values; when an
    iteration returns requirements seen before, the loop stops with the larger of the last
    two in every slot.
    """
    problem = run.problem
    capacity = problem.capacity()
    alpha = delay_levels(problem, curves)
    requirements = np.minimum(lag_requirements(problem, curves), capacity)
    run.record("start (lag)", requirements)
    seen = [requirements]
    for _ in range(max_iterations):
        if run.budget.over():
            run.notes.append("the time limit stopped the iterative staffing algorithm early")
            break
        results = run.simulate(requirements, run.seed, run.replications)
        wanted = presence_requirements(problem, results.visits, alpha, run.replications)
        following = np.minimum(wanted, capacity)
        changed = int((following != requirements).sum())
        run.record("isa", following, changed=changed)
        if any(np.array_equal(following, earlier) for earlier in seen):
            return np.maximum(following, requirements)
        seen.append(following)
        requirements = following
    else:
        run.notes.append(
            f"the iterative staffing algorithm had not settled after {max_iterations} "
            "iterations; the correction loop continues from its last requirements"
        )
    return requirements


def _correct(
    run: _Run, requirements: np.ndarray, max_iterations: int
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
        room = _group_headroom(problem, kpis)
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
                raise StaffingInfeasible(_capacity_message(problem, blocked, "in simulation"))
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
    run: _Run,
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


def _group_headroom(problem: StaffingProblem, kpis: pd.DataFrame) -> np.ndarray:
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


def check_capacity(problem: StaffingProblem, requirements: np.ndarray, method: str) -> None:
    """Raise :class:`StaffingInfeasible` where the requirements cannot be staffed.

    That is where a requirement exceeds ``max_open``, or where no shift allowed in the group covers
    a slot that needs windows.
    """
    over = requirements > problem.capacity()
    if over.any():
        raise StaffingInfeasible(_capacity_message(problem, over, f"by the {method} method"))
    uncovered = problem.uncovered_slots() & (requirements > 0)
    if uncovered.any():
        raise StaffingInfeasible(
            "no shift allowed in the group is at the window for the whole of these slots, "
            f"which need windows: {problem.describe_slots(uncovered)} (add a shift that "
            "covers them under staffing.shifts, or lower staffing.groups[].min_open)"
        )


def _capacity_message(problem: StaffingProblem, mask: np.ndarray, how: str) -> str:
    parts = [
        f"{group.name!r} needs more windows than {group.path}.max_open = {group.max_open} at "
        + ", ".join(label for label, hit in zip(problem.labels, mask[g], strict=True) if hit)
        for g, group in enumerate(problem.groups)
        if mask[g].any()
    ]
    return (
        f"the target {problem.target} cannot be reached {how}: "
        + "; ".join(parts)
        + " (raise max_open, or relax the target)"
    )


def _cover_infeasible_message(problem: StaffingProblem, plan: CoverPlan) -> str:
    """The covering's diagnosis in the planner's terms: slots and the limits that block."""
    if plan.shortfall is None:
        return "the shift limits contradict each other: " + ", ".join(plan.blocking)
    short = plan.shortfall.reshape(problem.shape) > 1e-7
    names = [
        ", ".join(f"{g.path}.max_open" for g in problem.groups if g.max_open is not None)
        if name == "capacity"
        else name
        for name in plan.blocking
    ]
    limits = "; ".join(names) if names else "the shift and family limits taken together"
    return (
        f"no allowed set of shifts covers the windows needed for {problem.target}: "
        f"{problem.describe_slots(short)} stay short, blocked by {limits}"
    )


def _formula_notes(problem: StaffingProblem, method: str) -> list[str]:
    """What the formula methods assumed that this scenario does not satisfy."""
    if method == "simulation":
        return []
    notes = []
    scenario = problem.scenario
    shared = sorted(
        {
            service
            for group in problem.groups
            for service in group.serves
            if sum(service in w.serves for w in scenario.windows)
            + sum(service in g.serves for g in problem.groups if g.declared)
            > 1
        }
    )
    if shared:
        notes.append(
            f"services {', '.join(shared)} are served by several window groups: the {method} "
            "formula split their demand evenly and ignored pooling; use method simulation"
        )
    if scenario.citizens.balk_at is not None:
        notes.append(f"the {method} formula ignores balking (citizens.balk_at)")
    return notes
