"""The portfolio MILP: the best lever set under budgets, targets and rules (Pyomo + HiGHS).

It minimises the surrogate objective.

The model (see :mod:`wsim.optimize.levers.surrogate` for the prediction)::

    minimise    sum_i c_i x_i + sum_k s_k (b_k + sum_i d_ik x_i + sum_p e_pk y_p)
    subject to  sum_i o_i x_i <= B_one_off                       (one-off budget)
                sum_i a_i x_i + sum_{k in K_y} s_k (sum_i d_ik x_i + sum_p e_pk y_p)
                                                        <= B_yearly    (yearly budget)
                b_k + sum_i d_ik x_i + sum_p e_pk y_p  <= or >= v_t   (each target t on kpi k)
                sum_{i in R} x_i <= 1 or N;  x_i <= x_j               (rules)
                sum_{i in S} (1 - x_i) + sum_{i not in S} x_i >= 1    (each forbidden set S)
                x_i binary, y_p in [0, 1]

``c_i`` is a lever's cost per year (annualised one-off plus yearly), ``y_p`` stands for the
product ``x_i x_j`` of an interacting pair p = (i, j). The product is linearised by
``y <= x_i``, ``y <= x_j`` (needed where a larger y helps: a negative coefficient in the
objective or a ``<=`` row) and ``y >= x_i + x_j - 1`` (needed where a smaller y helps); only
the side that can bind is stated, both when the pair's coefficients pull both ways. With
binary x the best y is then exactly ``x_i x_j``.

A result is optimal only when the surrogate objective of the chosen set meets HiGHS's best
bound within the gap asked for; a solve stopped by the time limit keeps its best set under
the status "time limit". An infeasible request raises :class:`PortfolioInfeasible`, which
names the constraints that block it (those whose relaxation alone makes the request feasible,
found by re-solving) and the cheapest lever set that meets the targets ignoring the budgets.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from wsim.optimize.levers.rules import Exclusive, Requires, Rule, rule_levers
from wsim.optimize.levers.surrogate import (
    Budget,
    Pair,
    PortfolioError,
    Surrogate,
    Target,
    check_request,
)

#: Relative optimality gap asked of HiGHS and required for ``optimal``.
DEFAULT_GAP = 1e-6
_ABS_GAP = 1e-6  # money: two objectives closer than this are equal
_MIN_SOLVE_SECONDS = 0.05  # a solve started at the deadline still gets this long

ONE_OFF_BUDGET = "one-off budget"
YEARLY_BUDGET = "yearly budget"

Status = Literal["optimal", "time limit"]


@dataclass(frozen=True)
class PortfolioSolution:
    """The lever set chosen by :func:`solve_portfolio` and what the surrogate predicts for it.

    Attributes
    ----------
    chosen : the chosen levers, in the surrogate's order.
    objective : the surrogate objective of ``chosen`` (money per year; lower is better).
    bound : HiGHS's best proven lower bound on the objective.
    gap : ``(objective - bound) / |objective|``.
    optimal : True only when ``objective`` meets ``bound`` within ``requested_gap``.
    status : "optimal" or "time limit".
    termination : the solver's termination condition, as it reported it.
    kpis, changes : predicted value and change of every KPI of the surrogate.
    terms : the objective's terms (``levers``, ``value:<kpi>``); they sum to ``objective``.
    one_off, yearly, cost_per_year : the chosen levers' costs.
    yearly_budget_use : what counts against the yearly budget (yearly costs plus the scaled
        change of the budget's ``yearly_kpis``).
    requested_gap, seconds : the gap asked for and the wall time of the call.
    """

    chosen: tuple[str, ...]
    objective: float
    bound: float
    gap: float
    optimal: bool
    status: Status
    termination: str
    kpis: dict[str, float]
    changes: dict[str, float]
    terms: dict[str, float]
    one_off: float
    yearly: float
    cost_per_year: float
    yearly_budget_use: float
    requested_gap: float
    seconds: float


class PortfolioInfeasible(PortfolioError):
    """No lever set meets the budgets, targets and rules; ``str()`` says why.

    Attributes
    ----------
    binding : the constraints (``"one-off budget"``, ``"yearly budget"``, a target's or a
        rule's description) whose relaxation alone makes the request feasible.
    cheapest : the lever set with the lowest cost per year that meets the targets, rules and
        forbidden sets ignoring both budgets, or ``None`` if there is none.
    cheapest_one_off, cheapest_yearly : its costs (NaN without one).
    reachable : when no allowed set meets the targets even without budgets, the best value
        each target's KPI can reach under the rules.
    """

    def __init__(
        self,
        message: str,
        binding: tuple[str, ...],
        cheapest: tuple[str, ...] | None,
        cheapest_one_off: float,
        cheapest_yearly: float,
        reachable: dict[str, float],
    ) -> None:
        super().__init__(message)
        self.binding = binding
        self.cheapest = cheapest
        self.cheapest_one_off = cheapest_one_off
        self.cheapest_yearly = cheapest_yearly
        self.reachable = reachable


@dataclass(frozen=True)
class _Request:
    """Everything one solve needs; ``relaxed`` names constraints left out."""

    surrogate: Surrogate
    rules: tuple[Rule, ...]
    budget: Budget
    targets: tuple[Target, ...]
    forbidden: tuple[frozenset[str], ...]
    relaxed: frozenset[str] = field(default_factory=frozenset)

    def constraint_names(self) -> list[str]:
        """The constraints a diagnosis may relax, in a fixed order."""
        names = []
        if self.budget.one_off is not None:
            names.append(ONE_OFF_BUDGET)
        if self.budget.yearly is not None:
            names.append(YEARLY_BUDGET)
        names += [target.describe() for target in self.targets]
        names += [rule.describe() for rule in self.rules]
        return names

    def relax(self, *names: str) -> _Request:
        return _Request(
            self.surrogate,
            self.rules,
            self.budget,
            self.targets,
            self.forbidden,
            self.relaxed | frozenset(names),
        )

    def active(self, name: str) -> bool:
        return name not in self.relaxed


@dataclass(frozen=True)
class _Outcome:
    """What one HiGHS solve returned: how it ended, the chosen set (if any) and the bound."""

    termination: str
    chosen: frozenset[str] | None
    bound: float


def solve_portfolio(
    surrogate: Surrogate,
    rules: Sequence[Rule] = (),
    budget: Budget | None = None,
    targets: Sequence[Target] = (),
    forbidden: Sequence[Collection[str]] = (),
    gap: float = DEFAULT_GAP,
    time_limit: float | None = None,
) -> PortfolioSolution:
    """The lever set that minimises the surrogate objective under the budgets, targets and rules.

    Parameters
    ----------
    surrogate : costs and predicted effects of the candidate levers.
    rules : exclusive, at-most and requires rules between levers.
    budget : one-off and yearly budgets (money); ``None`` (or a budget of ``None``) leaves
        them open.
    targets : service targets on predicted KPIs.
    forbidden : lever sets that may not be chosen again (no-good cuts, e.g. portfolios whose
        simulation contradicted the prediction).
    gap : relative optimality gap asked of HiGHS and required for ``optimal``.
    time_limit : seconds for the whole call (main solve and, if infeasible, the diagnosis).

    Raises
    ------
    PortfolioInfeasible : no lever set meets all constraints (with a diagnosis).
    PortfolioError : bad input, or the time limit came before any lever set was found.
    """
    request = _request(surrogate, rules, budget or Budget(), targets, forbidden)
    if not 0 <= gap < 1:
        raise PortfolioError(f"gap must be in [0, 1), got {gap!r}")
    if time_limit is not None and not time_limit > 0:
        raise PortfolioError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit
    outcome = _solve(request, "total", deadline, gap)
    if outcome.termination == "infeasible":
        raise _diagnose(request, deadline)
    if outcome.chosen is None:
        raise PortfolioError(
            f"the time limit of {time_limit:g} s came before any lever set was found"
        )
    return _solution(request, outcome, gap, time.perf_counter() - started)


def _request(
    surrogate: Surrogate,
    rules: Sequence[Rule],
    budget: Budget,
    targets: Sequence[Target],
    forbidden: Sequence[Collection[str]],
) -> _Request:
    """The checked request: every name known, every target and budget KPI predictable."""
    rules = tuple(rules)
    names = [name for rule in rules for name in rule_levers(rule)]
    check_request(surrogate, budget, tuple(targets), names)
    sets = tuple(surrogate.check_levers(s, "forbidden") for s in forbidden)
    return _Request(surrogate, rules, budget, tuple(targets), sets)


def _solution(
    request: _Request, outcome: _Outcome, gap: float, seconds: float
) -> PortfolioSolution:
    surrogate = request.surrogate
    chosen = outcome.chosen or frozenset()
    objective = surrogate.objective(chosen)
    proven = is_proven(objective, outcome.bound, gap)
    return PortfolioSolution(
        chosen=tuple(name for name in surrogate.levers if name in chosen),
        objective=objective,
        bound=outcome.bound,
        gap=relative_gap(objective, outcome.bound),
        optimal=proven,
        status="optimal" if proven else "time limit",
        termination=outcome.termination,
        kpis=surrogate.predict(chosen),
        changes=surrogate.changes(chosen),
        terms=surrogate.terms(chosen),
        one_off=sum(surrogate.one_off[name] for name in chosen),
        yearly=sum(surrogate.yearly[name] for name in chosen),
        cost_per_year=sum(surrogate.cost_per_year(name) for name in chosen),
        yearly_budget_use=yearly_budget_use(surrogate, request.budget, chosen),
        requested_gap=gap,
        seconds=seconds,
    )


def relative_gap(objective: float, bound: float) -> float:
    """``(objective - bound) / |objective|`` (the bound is a lower bound)."""
    if not math.isfinite(bound):
        return math.inf
    return (objective - bound) / max(abs(objective), _ABS_GAP)


def is_proven(objective: float, bound: float, gap: float) -> bool:
    """True when the objective meets the lower bound within the relative ``gap``."""
    return math.isfinite(bound) and objective - bound <= max(gap * abs(objective), _ABS_GAP)


def yearly_budget_use(surrogate: Surrogate, budget: Budget, chosen: Collection[str]) -> float:
    """Yearly costs of ``chosen`` plus the scaled predicted change of the budget's KPIs."""
    changes = surrogate.changes(chosen)
    costs = sum(surrogate.yearly[name] for name in chosen)
    return costs + sum(surrogate.scale.get(kpi, 0.0) * changes[kpi] for kpi in budget.yearly_kpis)


# --- the Pyomo model ------------------------------------------------------------------------

Goal = Literal["total", "cost"] | tuple[str, Literal["<=", ">="]]
Weights = dict[str, float]


def _goal_weights(surrogate: Surrogate, goal: Goal) -> Weights:
    """The weight of each KPI's change in the objective being minimised.

    The goal is the total objective, the levers' cost per year only, or one KPI
    (``(kpi, "<=")`` minimises it, ``">="`` maximises it).
    """
    if goal == "total":
        return dict(surrogate.scale)
    if goal == "cost":
        return {}
    kpi, sense = goal
    return {kpi: 1.0 if sense == "<=" else -1.0}


@dataclass(frozen=True)
class _Row:
    """One linear row in KPI changes: ``sum_k weights_k change_k (+ costs) <sense> limit``."""

    weights: Weights
    sense: Literal["<=", ">="]
    limit: float
    costs: dict[str, float] = field(default_factory=dict)  # per lever, added to the row


def _rows(request: _Request) -> list[_Row]:
    """The active budgets and targets as rows over lever costs and KPI changes."""
    surrogate, budget = request.surrogate, request.budget
    rows = []
    if budget.one_off is not None and request.active(ONE_OFF_BUDGET):
        rows.append(_Row({}, "<=", budget.one_off, dict(surrogate.one_off)))
    if budget.yearly is not None and request.active(YEARLY_BUDGET):
        weights = {kpi: surrogate.scale.get(kpi, 0.0) for kpi in budget.yearly_kpis}
        rows.append(_Row(weights, "<=", budget.yearly, dict(surrogate.yearly)))
    for target in request.targets:
        if request.active(target.describe()):
            limit = target.value - surrogate.baseline[target.kpi]
            rows.append(_Row({target.kpi: 1.0}, target.sense, limit))
    return rows


def _coefficients(surrogate: Surrogate, weights: Weights) -> tuple[Weights, dict[Pair, float]]:
    """Per lever and per interacting pair, the coefficient of ``sum_k weights_k change_k``."""
    main = {
        name: sum(w * surrogate.main.get(name, {}).get(kpi, 0.0) for kpi, w in weights.items())
        for name in surrogate.levers
    }
    pairs = {
        pair: sum(w * effects.get(kpi, 0.0) for kpi, w in weights.items())
        for pair, effects in surrogate.interactions.items()
    }
    return main, pairs


def _build(request: _Request, goal: Goal):
    """The Pyomo model of ``request`` minimising ``goal``.

    ``None`` when a constraint without variables already fails (Pyomo cannot state such a
    constraint).
    """
    import pyomo.environ as pyo

    surrogate = request.surrogate
    names = surrogate.levers
    goal_main, goal_pairs = _coefficients(surrogate, _goal_weights(surrogate, goal))
    rows = [(row, *_coefficients(surrogate, row.weights)) for row in _rows(request)]
    pushes: dict[Pair, set[str]] = {}  # "down": a smaller product helps, "up": a larger one

    def push(pair: Pair, coefficient: float) -> None:
        if coefficient != 0:
            pushes.setdefault(pair, set()).add("down" if coefficient > 0 else "up")

    for pair in surrogate.interactions:
        push(pair, goal_pairs[pair])
        for row, _, row_pairs in rows:
            push(pair, row_pairs[pair] if row.sense == "<=" else -row_pairs[pair])
    model = pyo.ConcreteModel(name="reform portfolio")
    model.x = pyo.Var(names, domain=pyo.Binary)
    pairs = [pair for pair in surrogate.interactions if pair in pushes]
    model.y = pyo.Var(range(len(pairs)), bounds=(0, 1))
    model.products = pyo.ConstraintList()
    for index, (a, b) in enumerate(pairs):
        if "down" in pushes[(a, b)]:
            model.products.add(model.y[index] >= model.x[a] + model.x[b] - 1)
        if "up" in pushes[(a, b)]:
            model.products.add(model.y[index] <= model.x[a])
            model.products.add(model.y[index] <= model.x[b])
    product = {pair: model.y[index] for index, pair in enumerate(pairs)}

    def linear(main: Weights, pair_coefficients: dict[Pair, float]):
        terms = [c * model.x[n] for n, c in main.items() if c != 0]
        terms += [c * product[p] for p, c in pair_coefficients.items() if c != 0]
        return pyo.quicksum(terms) if terms else None

    model.limits = pyo.ConstraintList()
    for row, row_main, row_pairs in rows:
        with_costs = {n: row_main[n] + row.costs.get(n, 0.0) for n in names}
        expression = linear(with_costs, row_pairs)
        if expression is None:
            if not (row.limit >= 0 if row.sense == "<=" else row.limit <= 0):
                return None
            continue
        model.limits.add(expression <= row.limit if row.sense == "<=" else expression >= row.limit)
    _add_rules(model, request)
    constant = 0.0
    if goal == "total":
        constant = sum(s * surrogate.baseline[kpi] for kpi, s in surrogate.scale.items())
    elif goal != "cost":
        kpi, sense = goal
        constant = surrogate.baseline[kpi] * (1.0 if sense == "<=" else -1.0)
    costs = {n: surrogate.cost_per_year(n) for n in names} if isinstance(goal, str) else {}
    objective_main = {n: goal_main[n] + costs.get(n, 0.0) for n in names}
    expression = linear(objective_main, goal_pairs)
    model.objective = pyo.Objective(expr=constant + (0 if expression is None else expression))
    return model


def _add_rules(model, request: _Request) -> None:
    """The active rules and the forbidden sets as constraints on the lever variables."""
    import pyomo.environ as pyo

    x = model.x
    model.rules = pyo.ConstraintList()
    for rule in request.rules:
        if not request.active(rule.describe()):
            continue
        if isinstance(rule, Requires):
            for need in rule.needs:
                model.rules.add(x[rule.lever] <= x[need])
        else:
            limit = 1 if isinstance(rule, Exclusive) else rule.limit
            model.rules.add(pyo.quicksum(x[n] for n in rule.members) <= limit)
    for chosen in request.forbidden:
        differs = [1 - x[n] if n in chosen else x[n] for n in request.surrogate.levers]
        model.rules.add(pyo.quicksum(differs) >= 1)


def _solve(request: _Request, goal: Goal, deadline: float | None, gap: float) -> _Outcome:
    """Build and solve one model; ``termination`` is "optimal", "time limit" or "infeasible"."""
    import pyomo.environ as pyo
    from pyomo.opt import TerminationCondition

    model = _build(request, goal)
    if model is None:
        return _Outcome("infeasible", None, math.inf)
    if model.nconstraints() == 0 and model.objective.expr.polynomial_degree() == 0:
        # nothing to choose (e.g. a KPI no lever changes, every constraint relaxed): HiGHS
        # calls an empty model "unknown"; every set is optimal, the empty one first
        return _Outcome("optimal", frozenset(), float(pyo.value(model.objective)))
    solver = pyo.SolverFactory("appsi_highs")
    if not solver.available(exception_flag=False):
        raise PortfolioError("the HiGHS solver (Python package highspy) is not available")
    time_limit = None
    if deadline is not None:
        time_limit = max(deadline - time.perf_counter(), _MIN_SOLVE_SECONDS)
    results = solver.solve(
        model,
        load_solutions=False,
        timelimit=time_limit,
        options={"mip_rel_gap": gap, "mip_abs_gap": _ABS_GAP},
    )
    ended = results.solver.termination_condition
    if ended in (TerminationCondition.infeasible, TerminationCondition.infeasibleOrUnbounded):
        return _Outcome("infeasible", None, math.inf)
    if ended not in (TerminationCondition.optimal, TerminationCondition.maxTimeLimit):
        raise PortfolioError(f"the HiGHS solver stopped without a portfolio ({ended})")
    bound = results.problem.lower_bound
    bound = float(bound) if bound is not None and math.isfinite(bound) else -math.inf
    termination = "optimal" if ended == TerminationCondition.optimal else "time limit"
    if results.problem.upper_bound is None or not math.isfinite(results.problem.upper_bound):
        return _Outcome(termination, None, bound)
    solver.load_vars()
    chosen = frozenset(n for n in request.surrogate.levers if (model.x[n].value or 0.0) > 0.5)
    return _Outcome(termination, chosen, bound)


# --- diagnosis of an infeasible request ------------------------------------------------------


def _diagnose(request: _Request, deadline: float | None) -> PortfolioInfeasible:
    """Which constraints block the request, and the cheapest set meeting the targets."""
    binding = tuple(
        name
        for name in request.constraint_names()
        if _solve(request.relax(name), "cost", deadline, DEFAULT_GAP).chosen is not None
    )
    unbudgeted = request.relax(ONE_OFF_BUDGET, YEARLY_BUDGET)
    cheapest = _solve(unbudgeted, "cost", deadline, DEFAULT_GAP).chosen
    surrogate = request.surrogate
    reachable: dict[str, float] = {}
    if cheapest is None:
        free = unbudgeted.relax(*(target.describe() for target in request.targets))
        for target in request.targets:
            best = _solve(free, (target.kpi, target.sense), deadline, DEFAULT_GAP).chosen
            if best is not None:
                reachable[target.describe()] = surrogate.predict(best)[target.kpi]
    ordered = None if cheapest is None else tuple(n for n in surrogate.levers if n in cheapest)
    one_off = math.nan if cheapest is None else sum(surrogate.one_off[n] for n in cheapest)
    yearly = math.nan if cheapest is None else sum(surrogate.yearly[n] for n in cheapest)
    message = _infeasible_message(request, binding, ordered, one_off, yearly, reachable)
    return PortfolioInfeasible(message, binding, ordered, one_off, yearly, reachable)


def _infeasible_message(
    request: _Request,
    binding: tuple[str, ...],
    cheapest: tuple[str, ...] | None,
    one_off: float,
    yearly: float,
    reachable: dict[str, float],
) -> str:
    parts = ["no lever set meets all constraints"]
    if binding:
        parts.append("blocked by " + "; ".join(_with_value(request, name) for name in binding))
    else:
        parts.append("relaxing any one constraint alone is not enough")
    if cheapest is not None:
        levers = ", ".join(cheapest) if cheapest else "no lever at all"
        parts.append(
            f"the cheapest set that meets the targets ignoring the budgets is {levers} "
            f"(one-off {one_off:,.0f}, yearly {yearly:,.0f})"
        )
    elif request.targets:
        parts.append("no allowed lever set meets the targets even without budgets")
        parts += [f"{name}: best reachable {value:.4g}" for name, value in reachable.items()]
    return "; ".join(parts)


def _with_value(request: _Request, name: str) -> str:
    if name == ONE_OFF_BUDGET:
        return f"{name} ({request.budget.one_off:,.0f})"
    if name == YEARLY_BUDGET:
        return f"{name} ({request.budget.yearly:,.0f})"
    return name
