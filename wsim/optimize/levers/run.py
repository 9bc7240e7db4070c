"""The whole portfolio run: effects by simulation, the MILP, verification, the frontier.

``portfolio(levers_file, budget=3e6, frontier=[0, 1e6, 2e6], replications=10)``:

1. simulate the baseline and every lever (with what it requires) on the same seeds: the main
   effects with paired intervals (:mod:`wsim.optimize.levers.effects`);
2. screen the pairs that share a resource and simulate the most promising ones: interactions;
3. at the requested budget, then at every budget of the sweep (ascending), solve the MILP
   and verify its choice by simulation, correcting the surrogate until the prediction holds
   or the loop stops (:mod:`wsim.optimize.levers.verify`);
4. recommend at each budget the best admissible lever set simulated in any of the loops (so
   a larger budget never gets a worse recommendation), mark the sweep's efficient frontier,
   and compare each point with other options (:mod:`wsim.optimize.levers.frontier`).

Every lever set is simulated once (and stored, with ``out``, so that a run resumes).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone

from wsim.comparison.options import Source, load_options
from wsim.experiment import Executor
from wsim.optimize.levers.effects import PAIR_FACTOR, LeverEffects, Runner
from wsim.optimize.levers.frontier import against_options
from wsim.optimize.levers.leverset import LeverSet, load_levers
from wsim.optimize.levers.result import PortfolioResult
from wsim.optimize.levers.simulate import SetRunner
from wsim.optimize.levers.surrogate import Budget, PortfolioError
from wsim.optimize.levers.values import STAFF_COST, YearlyValues
from wsim.optimize.levers.verify import MAX_ITERATIONS, BudgetOutcome, LoopState, best, verify
from wsim.scenario import Scenario


def portfolio(
    levers: str | os.PathLike | LeverSet,
    budget: float | None = None,
    yearly_budget: float | None = None,
    *,
    frontier: Sequence[float] = (),
    replications: int = 10,
    seed: int = 0,
    executor: str | Executor | None = None,
    workers: int = 1,
    address: str | None = None,
    out: str | os.PathLike | None = None,
    fresh: bool = False,
    against: Mapping[str, Source] | Sequence[Source] = (),
    without: Sequence[str] = (),
    pair_factor: float = PAIR_FACTOR,
    formulas: bool = True,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = 0.0,
    confidence: float = 0.95,
    staff_in_yearly_budget: bool = True,
    time_limit: float | None = None,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> PortfolioResult:
    """Choose the reform portfolio under a budget, verified by simulation.

    Parameters
    ----------
    levers : a levers file (see ``docs/levers.md``) or a loaded :class:`LeverSet`.
    budget, yearly_budget : the one-off budget and the yearly budget (money); ``None``: the
        levers file's; ``math.inf``: no limit.
    frontier : more one-off budgets for the sweep (each verified by simulation; the yearly
        budget stays).
    replications, seed : replications ``0 .. R-1`` of every lever set with this seed (common
        random numbers); at least 2.
    executor, workers, address : where replications run (as in :func:`wsim.compare`); the
        numbers do not depend on them.
    out : a folder to store every simulated lever set in; running again resumes. ``fresh``
        deletes what was stored there first.
    against : other options (scenario files, e.g. single reform overlays of the baseline)
        to compare every budget's portfolio with, on the same seeds.
    without : levers left out (names or glob patterns); levers that need them go too.
    pair_factor : interaction pairs simulated per lever after screening.
    formulas : give extra clerks their effect from queueing formulas where the formulas
        match the simulated baseline (:mod:`wsim.optimize.levers.formulas`).
    max_iterations : rounds of the verification loop per budget.
    tolerance : money per year by which a prediction may miss its simulation and still hold
        (besides its paired interval containing 0).
    confidence : of every interval and significance test.
    staff_in_yearly_budget : count the change in staff cost per year against the yearly
        budget (extra clerks are paid from it).
    time_limit : seconds for each MILP solve.
    progress : a progress bar of replications; ``None``: when stderr is a terminal.
    log : called with a line per step (effects, screening, each round of each budget).

    Raises
    ------
    PortfolioInfeasible : no lever set meets the requested budget and targets (the message
        names the binding constraint and the cheapest set that meets the targets).
    ScenarioError : a bad levers file, lever name or option file.
    """
    started = time.perf_counter()
    say = log or (lambda _: None)
    lever_set = levers if isinstance(levers, LeverSet) else load_levers(levers)
    if without:
        before = set(lever_set.names)
        lever_set = lever_set.without(without)
        gone = sorted(before - set(lever_set.names))
        say(f"left out {len(gone)} levers: {', '.join(gone)}")
    if not lever_set.names:
        raise PortfolioError(f"{lever_set.file}: no lever is left to choose from")
    options = _options(against)
    requested = _budget(lever_set, budget, yearly_budget, staff_in_yearly_budget)
    with SetRunner(
        lever_set,
        replications,
        seed,
        executor=executor,
        workers=workers,
        address=address,
        out=out,
        fresh=fresh,
        progress=progress,
    ) as runner:
        say(f"baseline: {replications} replications, seed {seed}")
        result = run_portfolio(
            lever_set,
            runner,
            requested,
            frontier,
            options=options,
            pair_factor=pair_factor,
            formulas=formulas,
            max_iterations=max_iterations,
            tolerance=tolerance,
            confidence=confidence,
            time_limit=time_limit,
            log=say,
        )
    result.info |= {"seed": seed, **runner.describe(), "run_time_s": time.perf_counter() - started}
    return result


def run_portfolio(
    levers: LeverSet,
    runner: Runner,
    requested: Budget,
    frontier: Sequence[float] = (),
    *,
    options: Mapping[str, Scenario] | None = None,
    pair_factor: float = PAIR_FACTOR,
    formulas: bool = True,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = 0.0,
    confidence: float = 0.95,
    time_limit: float | None = None,
    log: Callable[[str], None] | None = None,
) -> PortfolioResult:
    """The steps of :func:`portfolio` on a given runner (any simulator of lever sets).

    ``requested`` is the budget of the recommendation; ``frontier`` more one-off budgets
    (the requested yearly budget stays); ``options`` scenarios to compare with.
    """
    say = log or (lambda _: None)
    started_at = datetime.now(timezone.utc)
    values = YearlyValues.of(levers.economics, levers.baseline)
    effects = LeverEffects(levers, runner, values, confidence)
    say(f"main effects: {len(levers.names)} levers")
    effects.estimate_main(formulas)
    if effects.gate is not None:
        used = "used" if effects.gate.accurate else "not used"
        say(f"queueing formulas for extra clerks {used}: {effects.gate.reason}")
    pairs = effects.screen(pair_factor)
    say(
        f"screening: {len(effects.screening)} pairs share a resource, {len(pairs)} "
        "simulated for their interaction"
    )
    effects.estimate_interactions(pairs)
    state = LoopState()
    outcomes: dict[float | None, BudgetOutcome] = {}
    for point in _sweep(requested, frontier):
        outcome = verify(
            effects,
            point,
            levers.targets,
            state,
            max_iterations=max_iterations,
            tolerance=tolerance,
            time_limit=time_limit,
            log=say,
        )
        if point is requested and outcome.error is not None:
            raise outcome.error
        outcomes[point.one_off] = outcome
    for outcome in outcomes.values():  # every budget's best among all sets simulated
        if outcome.error is None:
            outcome.recommended = best(effects, levers.targets, state, outcome.budget)
    result = PortfolioResult(
        levers=levers,
        effects=effects,
        main=outcomes[requested.one_off],
        outcomes=sorted(outcomes.values(), key=lambda o: _order(o.budget.one_off)),
        info={
            "started": started_at.isoformat(timespec="seconds"),
            "confidence": confidence,
            "levers": len(levers.names),
            "pair_factor": pair_factor,
            "formulas": None if effects.gate is None else effects.gate.reason,
            "formula_effects": sum(e.source != "simulation" for e in effects.main.values()),
            "interaction_candidates": len(effects.screening),
            "interactions_estimated": len(effects.interactions),
            "interactions_kept": sum(e.kept for e in effects.interactions.values()),
            "cuts": len(state.cuts),
        },
    )
    if options:
        result.against = against_options(effects, result.outcomes, options)
    return result


def _order(one_off: float | None) -> float:
    return math.inf if one_off is None else one_off


def _limit(value: float | None, default: float | None, what: str) -> float | None:
    """A budget as the optimizer takes it: the file's by default, ``None`` for no limit."""
    if value is None:
        return default
    value = float(value)
    if math.isinf(value) and value > 0:
        return None
    if not (math.isfinite(value) and value >= 0):
        raise PortfolioError(f"the {what} budget must be a number >= 0 (or inf), got {value!r}")
    return value


def _budget(levers: LeverSet, one_off: float | None, yearly: float | None, staff: bool) -> Budget:
    return Budget(
        one_off=_limit(one_off, levers.budget.one_off, "one-off"),
        yearly=_limit(yearly, levers.budget.yearly, "yearly"),
        yearly_kpis=(STAFF_COST,) if staff else (),
    )


def _sweep(requested: Budget, frontier: Sequence[float]) -> list[Budget]:
    """The requested budget first, then the sweep's other one-off budgets in ascending order."""
    points = [requested]
    seen = {requested.one_off}
    for value in sorted({_limit(v, None, "frontier") for v in frontier}, key=_order):
        if value not in seen:
            seen.add(value)
            points.append(Budget(value, requested.yearly, requested.yearly_kpis))
    return points


def _options(against: Mapping[str, Source] | Sequence[Source]) -> dict:
    """Other options by name (a single path is one option)."""
    if not against:
        return {}
    if isinstance(against, (str, os.PathLike)):
        against = [against]
    scenarios, _ = load_options(against)
    return scenarios
