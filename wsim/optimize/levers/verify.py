"""The verification loop: solve, simulate the chosen portfolio, correct the surrogate, repeat.

For one budget::

    repeat up to max_iterations times:
        S = solve_portfolio(surrogate, rules, budget, targets, forbidden=cuts)
        simulate S with the baseline's seeds (replications 0..R-1)
        gap_r = objective_r(S simulated) - objective_r(S predicted)   for every replication r
        if the paired interval of gap contains 0 (or |mean gap| <= tolerance), S meets the
            targets and the yearly budget in simulation:  the prediction holds; stop
        elif S holds pairs that share a resource and whose interaction the surrogate lacks:
            estimate up to |S| of them (best screening score first) by simulation, keep
            them, and solve again
        else: forbid S (a no-good cut) and solve again
    (before simulating S: if the best admissible set simulated so far has a simulated objective
    at or below the MILP's bound, no set left is predicted better: stop with that set)

The predicted objective of replication r is the baseline's replication r plus the effects'
replication r (see :meth:`LeverEffects.predicted`), so the gap is paired: its interval is
that of the error of the prediction, not of two independent noises.

The recommendation at a budget is the simulated lever set with the lowest simulated objective
among those that keep the rules, the one-off budget, and, in simulation, the yearly budget and
the targets: never a prediction alone. Usually it is the last solution; a set cut earlier may
simulate better, and then it is the one recommended. The loop says how it ended: ``prediction
holds``, ``best simulated set beats every prediction``, ``iteration limit``, ``no set left``
(every set the surrogate allows was cut) or ``infeasible`` (no set meets the request even by
prediction; see :class:`~wsim.optimize.levers.milp.PortfolioInfeasible`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import numpy as np

from wsim.experiment import t_interval
from wsim.optimize.levers.effects import LeverEffects, lever_costs
from wsim.optimize.levers.milp import PortfolioInfeasible, PortfolioSolution, solve_portfolio
from wsim.optimize.levers.simulate import set_label
from wsim.optimize.levers.surrogate import Budget, PortfolioError, Target

HOLDS = "prediction holds"
INCUMBENT = "best simulated set beats every prediction"
ITERATION_LIMIT = "iteration limit"
NO_SET_LEFT = "no set left"
INFEASIBLE = "infeasible"

#: Default number of solve-and-simulate rounds per budget.
MAX_ITERATIONS = 6


@dataclass(frozen=True)
class Check:
    """A lever set's prediction against its simulation (money per year; KPI means).

    Attributes
    ----------
    chosen : the lever set.
    one_off, yearly, cost_per_year : its lever costs.
    predicted, simulated : per surrogate KPI, the predicted and the simulated mean.
    objective_predicted : the surrogate's objective.
    objective_simulated, objective_low, objective_high : the simulated objective's mean and
        t-interval over replications.
    gap, gap_low, gap_high : simulated minus predicted objective, paired by replication.
    holds : the gap's interval contains 0, or the gap is within the tolerance.
    money_changes : per value KPI, its simulated change against the baseline times its
        scale (money per year); a budget's ``yearly_kpis`` count against the yearly budget.
    targets_met : per target (its description), whether the simulated mean meets it.
    """

    chosen: frozenset[str]
    one_off: float
    yearly: float
    cost_per_year: float
    predicted: dict[str, float]
    simulated: dict[str, float]
    objective_predicted: float
    objective_simulated: float
    objective_low: float
    objective_high: float
    gap: float
    gap_low: float
    gap_high: float
    holds: bool
    money_changes: dict[str, float]
    targets_met: dict[str, bool]

    @property
    def label(self) -> str:
        """The lever set's name (``baseline`` for none)."""
        return set_label(self.chosen)

    def admissible(self, budget: Budget) -> bool:
        """True when the set keeps the one-off budget and, simulated, the yearly one and targets."""
        one_off_ok = budget.one_off is None or self.one_off <= budget.one_off + 1e-9
        use = self.yearly_use(budget)
        yearly_ok = budget.yearly is None or use <= budget.yearly + 1e-9
        return one_off_ok and yearly_ok and all(self.targets_met.values())

    def yearly_use(self, budget: Budget) -> float:
        """What counts against the yearly budget: yearly costs and the budget's KPI changes."""
        return self.yearly + sum(self.money_changes.get(k, 0.0) for k in budget.yearly_kpis)


def check(
    effects: LeverEffects,
    chosen: Collection[str],
    targets: tuple[Target, ...],
    tolerance: float = 0.0,
) -> Check:
    """Simulate a lever set (if it has not run) and compare it with its prediction."""
    chosen = frozenset(chosen)
    effects.runner.run([chosen])
    costs = lever_costs(effects.levers, chosen)
    simulated = effects.matrix(chosen)
    predicted = effects.predicted(chosen)
    objective_sim = costs["cost_per_year"] + effects.value_of(simulated)
    objective_pred = costs["cost_per_year"] + effects.value_of(predicted)
    mean, low, high, _ = t_interval(objective_sim, effects.confidence)
    gap, gap_low, gap_high, _ = t_interval(objective_sim - objective_pred, effects.confidence)
    holds = bool(gap_low <= 0 <= gap_high or abs(gap) <= tolerance)
    sim_means = _means(simulated)
    pred_means = _means(predicted)
    kpis = effects.kpis
    base_means = _means(effects.matrix(frozenset()))
    money = {
        kpi: scale * float(sim_means[kpis.index(kpi)] - base_means[kpis.index(kpi)])
        for kpi, scale in effects.values.scale.items()
    }
    met = {t.describe(): t.met(sim_means[kpis.index(t.kpi)]) for t in targets}
    return Check(
        chosen=chosen,
        one_off=costs["one_off"],
        yearly=costs["yearly"],
        cost_per_year=costs["cost_per_year"],
        predicted=dict(zip(kpis, pred_means.tolist(), strict=True)),
        simulated=dict(zip(kpis, sim_means.tolist(), strict=True)),
        objective_predicted=float(np.nanmean(objective_pred)),
        objective_simulated=mean,
        objective_low=low,
        objective_high=high,
        gap=gap,
        gap_low=gap_low,
        gap_high=gap_high,
        holds=holds,
        money_changes=money,
        targets_met=met,
    )


def _means(matrix: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.nanmean(matrix, axis=0)


@dataclass
class LoopState:
    """What the loops of a run share: the no-good cuts and every check made (by lever set)."""

    cuts: list[frozenset[str]] = field(default_factory=list)
    checks: dict[frozenset[str], Check] = field(default_factory=dict)


@dataclass
class BudgetOutcome:
    """The verified portfolio at one budget.

    Attributes
    ----------
    budget : the one-off and yearly budgets (and the KPIs counted against the yearly one).
    status : how the loop ended (see the module docstring).
    recommended : the check of the recommended lever set (``None`` when infeasible).
    solution : the last MILP solution (``None`` when infeasible).
    iterations : one row per round (see :func:`verify`).
    error : the infeasibility, when there is no portfolio.
    """

    budget: Budget
    status: str
    recommended: Check | None
    solution: PortfolioSolution | None
    iterations: list[dict]
    error: PortfolioInfeasible | None = None


def verify(
    effects: LeverEffects,
    budget: Budget,
    targets: tuple[Target, ...],
    state: LoopState,
    *,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = 0.0,
    time_limit: float | None = None,
    log: Callable[[str], None] | None = None,
) -> BudgetOutcome:
    """Run the verification loop at one budget (see the module docstring)."""
    if max_iterations < 1:
        raise PortfolioError(f"max_iterations must be at least 1, got {max_iterations}")
    say = log or (lambda _: None)
    rows: list[dict] = []
    solution = None
    status = ITERATION_LIMIT
    rules = effects.levers.rules
    for iteration in range(1, max_iterations + 1):
        try:
            solution = solve_portfolio(
                effects.surrogate(), rules, budget, targets, state.cuts, time_limit=time_limit
            )
        except PortfolioInfeasible as error:
            if not state.cuts or _infeasible_without_cuts(effects, budget, targets, time_limit):
                return BudgetOutcome(budget, INFEASIBLE, None, None, rows, error)
            status = NO_SET_LEFT
            break
        incumbent = best(effects, targets, state, budget)
        if (
            incumbent is not None
            and incumbent.chosen != frozenset(solution.chosen)
            and solution.bound >= incumbent.objective_simulated
        ):
            status = INCUMBENT
            say(
                f"budget {_money(budget.one_off)}, round {iteration}: the best simulated set "
                f"({incumbent.label}, {incumbent.objective_simulated:,.0f}) is at or below the "
                f"surrogate's bound for every set not yet ruled out ({solution.bound:,.0f})"
            )
            break
        result = check(effects, solution.chosen, targets, tolerance)
        state.checks[result.chosen] = result
        row = _row(budget, iteration, solution, result)
        if result.holds and result.admissible(budget):
            row["action"] = "verified"
            rows.append(row)
            say(_line(row))
            status = HOLDS
            break
        missing = effects.missing(result.chosen, limit=len(result.chosen))
        if missing:
            effects.estimate_interactions(missing, keep_all=True)
            row["action"] = "added interactions " + "; ".join(f"{a} x {b}" for a, b in missing)
        else:
            state.cuts.append(result.chosen)
            row["action"] = "no-good cut"
        rows.append(row)
        say(_line(row))
    return BudgetOutcome(budget, status, best(effects, targets, state, budget), solution, rows)


def _infeasible_without_cuts(
    effects: LeverEffects, budget: Budget, targets: tuple[Target, ...], time_limit: float | None
) -> bool:
    try:
        solve_portfolio(
            effects.surrogate(), effects.levers.rules, budget, targets, (), time_limit=time_limit
        )
    except PortfolioInfeasible:
        return True
    return False


def best(
    effects: LeverEffects, targets: tuple[Target, ...], state: LoopState, budget: Budget
) -> Check | None:
    """The admissible simulated set with the lowest simulated objective (fewer levers first).

    Every lever set simulated so far that the rules allow is a candidate: the loop's
    solutions, and the sets simulated to measure effects (a lever with what it requires, the
    union of a pair).
    """
    for chosen in effects.runner.sets:
        if chosen not in state.checks and effects.levers.allows(chosen):
            state.checks[chosen] = check(effects, chosen, targets)
    admissible = [c for c in state.checks.values() if c.admissible(budget)]
    if not admissible:
        return None
    return min(admissible, key=lambda c: (c.objective_simulated, len(c.chosen), c.label))


def _row(budget: Budget, iteration: int, solution: PortfolioSolution, result: Check) -> dict:
    return {
        "budget_one_off": math.nan if budget.one_off is None else budget.one_off,
        "budget_yearly": math.nan if budget.yearly is None else budget.yearly,
        "iteration": iteration,
        "levers": result.label,
        "solver_status": solution.status,
        "solver_gap": solution.gap,
        "objective_predicted": result.objective_predicted,
        "objective_simulated": result.objective_simulated,
        "gap": result.gap,
        "gap_low": result.gap_low,
        "gap_high": result.gap_high,
        "holds": result.holds,
        "targets_met": all(result.targets_met.values()),
        "yearly_use": result.yearly_use(budget),
    }


def _money(amount: float | None) -> str:
    return "open" if amount is None or math.isnan(amount) else f"{amount:,.0f}"


def _line(row: dict) -> str:
    return (
        f"budget {_money(row['budget_one_off'])}, round {row['iteration']}: {row['levers']}; "
        f"objective predicted {row['objective_predicted']:,.0f}, simulated "
        f"{row['objective_simulated']:,.0f} (gap {row['gap']:,.0f} [{row['gap_low']:,.0f}, "
        f"{row['gap_high']:,.0f}]): {row['action']}"
    )
