"""Staffing a scenario: requirements -> shifts (``cover``) -> schedule -> verified by simulation.

Three methods set the windows each staffed group needs in each slot:

* ``sipp`` and ``lag``: queueing formulas (see :mod:`wsim.optimize.shifts.requirements`);
* ``simulation``: first the iterative staffing algorithm (ISA): simulate with the current
  requirements as the schedule, set each slot's requirement from the simulated distribution
  of citizens present, repeat until no requirement changes. Then a correction loop on the
  shift plan itself: cover the requirements with shifts, simulate the plan, raise the groups
  that miss the target where the hall misses it, and, once every slot meets it, try one
  window fewer where there is room to spare, keeping the change only if the shifts get
  cheaper. A slot meets the target in this loop only when its whole confidence interval does.
  Then a descent from the cheapest plan that met the target so, the loop's or a formula
  method's: one shift fewer at a time where its windows have slack, while the target still
  holds. All iterations use the same seed (common random numbers), so a change between
  iterations is the staffing's doing, not chance's.

Every method ends the same way: the requirements are covered by shifts at least cost, the
plan is applied to the scenario and simulated with a separate seed (``seed + 1`` by default),
which gives the slot KPIs the plan is judged by. The simulation method's own iterations use
``seed``, so the verification is out of sample; its verification also simulates the formula
methods' plans and returns the cheapest plan that meets the target there, so it never returns
a plan costlier than another method's plan that meets the target in the same verification
(the choice among those few plans is the one use of the verification's random numbers). The
run's state and the capacity checks are in :mod:`.run`, the correction loop in
:mod:`.correction`, the descent and the choice in :mod:`.descent`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from wsim.experiment import simulate
from wsim.optimize.shifts.correction import correct
from wsim.optimize.shifts.descent import (
    Candidate,
    cheapest_verified,
    descend,
    in_sample_kpis,
    meets_surely,
)
from wsim.optimize.shifts.kpis import HALL, missed, slot_kpis
from wsim.optimize.shifts.load import Curves, demand_curves, measured_curves
from wsim.optimize.shifts.plan import StaffingPlan
from wsim.optimize.shifts.problem import StaffingInfeasible, StaffingProblem
from wsim.optimize.shifts.requirements import (
    delay_levels,
    lag_requirements,
    presence_requirements,
    sipp_requirements,
)
from wsim.optimize.shifts.run import Budget, Progress, Run
from wsim.scenario import Scenario, load_scenario

METHODS = ("sipp", "lag", "simulation")
FORMULAS = {"sipp": sipp_requirements, "lag": lag_requirements}


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
    run = Run(problem, method, replications, seed, workers, Budget(time_limit), progress)
    curves = _hall_demand(run)
    verify_reps = verify_replications or replications
    verify_with = seed + 1 if verify_seed is None else verify_seed
    if method == "simulation":
        chosen, kpis = _simulation_plan(run, curves, max_iterations, verify_with, verify_reps)
        requirements, plan, scheduled = chosen.requirements, chosen.plan, chosen.scheduled
    else:
        requirements = FORMULAS[method](problem, curves)
        plan, scheduled = run.cover(requirements)
        run.record(method, requirements, cost=plan.cost, scheduled=int(scheduled.sum()))
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


def _hall_demand(run: Run) -> Curves:
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


def _simulation_plan(
    run: Run, curves: Curves, max_iterations: int, verify_seed: int, verify_reps: int
) -> tuple[Candidate, pd.DataFrame]:
    """The simulation method: ISA, correction, descent from the cheapest met plan, choice.

    The formula methods' plans are simulated on the run's random numbers too; the cheapest
    plan that meets the target with confidence there (the correction loop's or a formula's)
    is where the descent starts. The descended plan and the formula plans are then verified
    together and the cheapest that meets the target in that verification is returned with
    its verification KPIs (see :mod:`.descent`).
    """
    requirements = _iterative_requirements(run, curves, max_iterations)
    requirements, plan, scheduled = correct(run, requirements, max_iterations)
    own = Candidate("simulation", requirements, plan, scheduled)
    formulas = _formula_candidates(run, curves)
    met = []
    for candidate in [own, *formulas]:
        kpis = in_sample_kpis(run, candidate)
        if meets_surely(kpis):
            met.append((candidate, kpis))
    if met:
        start, kpis = min(met, key=lambda entry: entry[0].cost)
        run.record(f"descent from {start.source}", start.requirements, cost=start.cost)
        own = descend(run, replace(start, source="simulation"), kpis, max_iterations)
    return cheapest_verified(run, [own, *formulas], verify_seed, verify_reps)


def _formula_candidates(run: Run, curves: Curves) -> list[Candidate]:
    """The SIPP and lag plans as those methods make them (unless one cannot be staffed)."""
    candidates = []
    for name, formula in FORMULAS.items():
        requirements = formula(run.problem, curves)
        try:
            plan, scheduled = run.cover(requirements)
        except StaffingInfeasible:
            continue
        candidates.append(Candidate(name, requirements, plan, scheduled))
    return candidates


def _iterative_requirements(run: Run, curves: Curves, max_iterations: int) -> np.ndarray:
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
