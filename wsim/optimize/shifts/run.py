"""One staffing run's shared state, and the checks that a plan can be staffed at all.

:class:`Run` holds the problem, the options, the time budget and the history of one call of
:func:`wsim.optimize.staffing`, and the two steps every method repeats: cover requirements
with shifts, and simulate the windows a plan opens. :func:`check_capacity` and the messages
say in the planner's terms why a target cannot be staffed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from wsim.experiment import Results, simulate
from wsim.optimize.shifts.covering import CoverPlan, cover
from wsim.optimize.shifts.problem import StaffingError, StaffingInfeasible, StaffingProblem
from wsim.optimize.shifts.schedule import apply_schedule

Progress = Callable[[dict[str, Any]], None]


class Budget:
    """The run's time limit: what is left of it, and whether it has run out."""

    def __init__(self, seconds: float | None):
        self.started = time.perf_counter()
        self.seconds = seconds
        self.cut = False

    def elapsed(self) -> float:
        """Seconds since the run started."""
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


class Run:
    """One staffing run's shared state: the problem, options, budget and history."""

    def __init__(
        self,
        problem: StaffingProblem,
        method: str,
        replications: int,
        seed: int,
        workers: int,
        budget: Budget,
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

    def simulate(self, scheduled: np.ndarray, seed: int, replications: int) -> Results:
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
            raise StaffingInfeasible(cover_infeasible_message(self.problem, plan))
        if plan.counts is None:
            raise StaffingError(
                f"the time limit of {self.budget.seconds:g} s ran out before the shift "
                "covering found any plan; allow more time"
            )
        if plan.status == "time limit":
            self.budget.cut = True
        scheduled = plan.coverage.reshape(self.problem.shape).astype(int)
        return plan, scheduled


def check_capacity(problem: StaffingProblem, requirements: np.ndarray, method: str) -> None:
    """Raise :class:`StaffingInfeasible` where the requirements cannot be staffed.

    That is where a requirement exceeds ``max_open``, or where no shift allowed in the group covers
    a slot that needs windows.
    """
    over = requirements > problem.capacity()
    if over.any():
        raise StaffingInfeasible(capacity_message(problem, over, f"by the {method} method"))
    uncovered = problem.uncovered_slots() & (requirements > 0)
    if uncovered.any():
        raise StaffingInfeasible(
            "no shift allowed in the group is at the window for the whole of these slots, "
            f"which need windows: {problem.describe_slots(uncovered)} (add a shift that "
            "covers them under staffing.shifts, or lower staffing.groups[].min_open)"
        )


def capacity_message(problem: StaffingProblem, mask: np.ndarray, how: str) -> str:
    """Which groups need more windows than their ``max_open``, and in which slots."""
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


def cover_infeasible_message(problem: StaffingProblem, plan: CoverPlan) -> str:
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
