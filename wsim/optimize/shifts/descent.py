"""The simulation method's last two steps: descend from the cheapest met plan, then choose.

The correction loop (:mod:`.correction`) raises requirements where the hall misses and lowers
them only where a slot and the next leave half the allowance unused, so it can stop above a
plan that a formula method finds directly. Two steps close that gap:

* :func:`descend` starts from the cheapest plan that met the target with confidence in the
  run's own simulations (the correction loop's, or a formula method's plan simulated on the
  same random numbers) and takes away one clerk's shift at a time where that shift's windows
  have slack, keeping a step only when the plan still meets the target with confidence on the
  same random numbers (common random numbers: a change is the staffing's doing, not chance's);
* :func:`cheapest_verified` verifies the descended plan and the formula methods' plans in one
  verification (the same seed and replications as a formula method's own verification) and
  returns the cheapest plan that meets the target there, so the simulation method never
  returns a plan costlier than another method's plan that meets the target in the same
  verification.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.optimize.shifts.correction import group_headroom
from wsim.optimize.shifts.covering import CoverPlan
from wsim.optimize.shifts.kpis import HALL, missed, slot_kpis
from wsim.optimize.shifts.run import Run


@dataclass(frozen=True)
class Candidate:
    """A plan in the making: who made it, its requirements, shifts and the windows they open."""

    source: str
    requirements: np.ndarray
    plan: CoverPlan
    scheduled: np.ndarray

    @property
    def cost(self) -> float:
        """Cost of the candidate's shifts per day."""
        return float(self.plan.cost)


def in_sample_kpis(run: Run, candidate: Candidate) -> pd.DataFrame:
    """The candidate's slot KPIs in the run's own simulations (``run.seed``)."""
    results = run.simulate(candidate.scheduled, run.seed, run.replications)
    return slot_kpis(run.problem, results.visits, run.replications)


def meets_surely(kpis: pd.DataFrame) -> bool:
    """True when the hall meets the target in every slot with its whole interval."""
    return missed(kpis, HALL, surely=True).size == 0


def descend(run: Run, start: Candidate, kpis: pd.DataFrame, max_trials: int) -> Candidate:
    """Take away one shift at a time where its windows have slack, while the target holds.

    ``kpis`` are ``start``'s in-sample slot KPIs (it met the target with confidence). Each
    trial removes one clerk from the (shift, group) whose covered slots leave the most of the
    target's allowance unused (the smallest headroom over the slots it covers, largest
    first; only shifts whose every covered slot has some headroom are tried), re-covers the
    lowered requirements at least cost and simulates the plan on the run's random numbers.
    A trial that still meets the target with confidence is kept, and the search starts over
    from it; one that misses is not tried again. At most ``max_trials`` simulations.
    """
    problem = run.problem
    matrix = problem.cover_instance()[0]
    floor = problem.floor(np.zeros(problem.shape))
    current = start
    rejected: set[int] = set()
    for _ in range(max_trials):
        if run.budget.over():
            run.notes.append("the time limit stopped the descent early")
            break
        column = _slackest_column(current, group_headroom(problem, kpis), matrix, rejected)
        if column is None:
            break
        rejected.add(column)
        fewer = current.scheduled - matrix[column].reshape(problem.shape)
        if (fewer < floor).any():
            continue
        trial_requirements = np.minimum(current.requirements, fewer)
        plan, scheduled = run.cover(trial_requirements)
        if plan.cost >= current.cost - 1e-9:
            continue
        trial = Candidate("simulation", trial_requirements, plan, scheduled)
        trial_kpis = in_sample_kpis(run, trial)
        met = meets_surely(trial_kpis)
        run.record(
            "descent",
            trial_requirements,
            cost=plan.cost,
            scheduled=int(scheduled.sum()),
            missed=len(missed(trial_kpis, HALL, surely=True)),
        )
        if met:
            current, kpis, rejected = trial, trial_kpis, set()
    return current


def _slackest_column(
    candidate: Candidate, room: np.ndarray, matrix: np.ndarray, rejected: set[int]
) -> int | None:
    """The staffed covering column whose covered (group, slot) pairs have the most slack."""
    counts = candidate.plan.counts
    assert counts is not None  # a candidate always has a plan
    flat_room = room.ravel()
    best, best_room = None, 0.0
    for column in np.flatnonzero(np.round(counts) > 0):
        if int(column) in rejected:
            continue
        covered = matrix[column] > 0
        slack = float(flat_room[covered].min()) if covered.any() else 1.0
        if slack > best_room:
            best, best_room = int(column), slack
    return best


def cheapest_verified(
    run: Run, candidates: list[Candidate], seed: int, replications: int
) -> tuple[Candidate, pd.DataFrame]:
    """The cheapest candidate that meets the target in one verification, and its slot KPIs.

    Every candidate is simulated with the same ``seed`` and ``replications`` (the random
    numbers a formula method's own verification uses), and meets the target when the hall
    meets it in every slot by the mean, as the verification judges every method's plan. The
    first candidate (the simulation method's own plan) wins ties and is returned when no
    candidate meets the target. Each verification is a history row (``verify (source)``).
    """
    verified = []
    for candidate in candidates:
        results = run.simulate(candidate.scheduled, seed, replications)
        kpis = slot_kpis(run.problem, results.visits, replications)
        misses = len(missed(kpis, HALL))
        verified.append((candidate, kpis, misses))
        run.record(
            f"verify ({candidate.source})",
            candidate.requirements,
            cost=candidate.cost,
            scheduled=int(candidate.scheduled.sum()),
            missed=misses,
        )
    meeting = [entry for entry in verified if entry[2] == 0]
    chosen = min(meeting, key=lambda entry: entry[0].cost) if meeting else verified[0]
    return chosen[0], chosen[1]
