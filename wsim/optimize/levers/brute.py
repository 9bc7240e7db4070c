"""Brute force over every lever set: the check of the MILP, and the solver of tiny problems.

Every subset of the levers is evaluated with the surrogate's formulas directly (products of
the chosen indicators, no linearisation), so it shares no modelling with the MILP.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from wsim.optimize.levers.rules import Exclusive, Requires, Rule, rule_levers
from wsim.optimize.levers.surrogate import (
    Budget,
    PortfolioError,
    Surrogate,
    Target,
    check_request,
)

#: The most levers :func:`enumerate_portfolios` accepts (2^20 sets).
MAX_LEVERS = 20


def enumerate_portfolios(
    surrogate: Surrogate,
    rules: Sequence[Rule] = (),
    budget: Budget | None = None,
    targets: Sequence[Target] = (),
    forbidden: Sequence[Collection[str]] = (),
) -> pd.DataFrame:
    """Every lever set that meets the budgets, targets, rules and forbidden sets, best first.

    Same arguments and meaning as :func:`wsim.optimize.levers.solve_portfolio` (no budget
    when ``budget`` is ``None``). One row per
    feasible set: ``levers`` (a tuple in the surrogate's order), ``size``, ``objective``
    (money per year), ``cost_per_year``, ``one_off``, ``yearly``, ``yearly_budget_use`` and
    the predicted value of every KPI; sorted by objective (ties by fewer levers). Empty when
    no set is feasible.
    """
    budget = budget or Budget()
    names = surrogate.levers
    if len(names) > MAX_LEVERS:
        raise PortfolioError(f"brute force takes at most {MAX_LEVERS} levers, got {len(names)}")
    check_request(surrogate, budget, tuple(targets), [n for r in rules for n in rule_levers(r)])
    index = {name: i for i, name in enumerate(names)}
    chosen = (np.arange(2 ** len(names))[:, None] >> np.arange(len(names))) & 1 == 1
    kpis = list(surrogate.baseline)
    main = np.array([[surrogate.main.get(n, {}).get(k, 0.0) for k in kpis] for n in names])
    change = chosen @ main
    for (a, b), effects in surrogate.interactions.items():
        both = chosen[:, index[a]] & chosen[:, index[b]]
        change += np.outer(both, [effects.get(k, 0.0) for k in kpis])
    predicted = np.array([surrogate.baseline[k] for k in kpis]) + change
    scale = np.array([surrogate.scale.get(k, 0.0) for k in kpis])
    one_off = chosen @ np.array([surrogate.one_off[n] for n in names])
    yearly = chosen @ np.array([surrogate.yearly[n] for n in names])
    per_year = chosen @ np.array([surrogate.cost_per_year(n) for n in names])
    in_budget = np.array([scale[kpis.index(k)] if k in budget.yearly_kpis else 0.0 for k in kpis])
    budget_use = yearly + change @ in_budget
    feasible = np.ones(len(chosen), dtype=bool)
    if budget.one_off is not None:
        feasible &= one_off <= budget.one_off
    if budget.yearly is not None:
        feasible &= budget_use <= budget.yearly
    for target in targets:
        column = predicted[:, kpis.index(target.kpi)]
        feasible &= column <= target.value if target.sense == "<=" else column >= target.value
    for rule in rules:
        feasible &= _allows(rule, chosen, index)
    for no_good in forbidden:
        mask = np.zeros(len(names), dtype=bool)
        mask[[index[n] for n in surrogate.check_levers(no_good, "forbidden")]] = True
        feasible &= (chosen != mask).any(axis=1)
    rows = np.flatnonzero(feasible)
    table = pd.DataFrame(
        {
            "levers": [tuple(n for n, c in zip(names, chosen[r], strict=True) if c) for r in rows],
            "size": chosen[rows].sum(axis=1),
            "objective": per_year[rows] + predicted[rows] @ scale,
            "cost_per_year": per_year[rows],
            "one_off": one_off[rows],
            "yearly": yearly[rows],
            "yearly_budget_use": budget_use[rows],
        }
    )
    for k, kpi in enumerate(kpis):
        table[kpi] = predicted[rows, k]
    return table.sort_values(["objective", "size"], kind="stable").reset_index(drop=True)


def _allows(rule: Rule, chosen: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """Per lever set (row of ``chosen``), whether it keeps the rule."""
    if isinstance(rule, Requires):
        needs = chosen[:, [index[n] for n in rule.needs]].all(axis=1)
        return ~chosen[:, index[rule.lever]] | needs
    limit = 1 if isinstance(rule, Exclusive) else rule.limit
    return chosen[:, [index[n] for n in rule.members]].sum(axis=1) <= limit
