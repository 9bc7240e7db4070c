"""The portfolio MILP against brute-force enumeration of the same surrogate objective.

Random small instances (seeded; 2-12 levers, 1-3 KPIs, interactions of both signs, exclusive,
requires and at-most rules, budgets, targets): the MILP's optimum equals the best of every
feasible lever set, its choice is feasible and optimal (ties allowed), more budget never
makes it worse, one lever less never makes it better, and infeasible requests name the
constraints whose relaxation alone makes them feasible. The brute force evaluates the
surrogate's formula on every subset directly (no linearisation), so it shares no modelling
with the MILP.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wsim.optimize.levers import (
    AtMost,
    Budget,
    Exclusive,
    PortfolioError,
    PortfolioInfeasible,
    Requires,
    Surrogate,
    Target,
    annuity_factor,
    enumerate_portfolios,
    solve_portfolio,
    without_levers,
)
from wsim.optimize.levers.milp import DEFAULT_GAP, ONE_OFF_BUDGET, YEARLY_BUDGET, is_proven


def close(a: float, b: float) -> bool:
    """Equal objectives, within the relative gap asked of HiGHS (1e-6) plus 1e-6 money.

    Random objectives are hundreds to thousands.
    """
    return abs(a - b) <= 2 * DEFAULT_GAP * max(abs(a), abs(b), 1.0) + 1e-6


def random_instance(rng: np.random.Generator, n: int | None = None):
    """A random surrogate with rules, a budget and targets (not always feasible)."""
    n = int(rng.integers(2, 13)) if n is None else n
    names = tuple(f"l{i}" for i in range(n))
    kpis = ["wait", "lead", "rate"][: int(rng.integers(1, 4))]
    baseline = {k: float(rng.uniform(5, 20)) for k in kpis}
    scale = {k: float(rng.uniform(-5, 60)) for k in kpis}
    main = {
        name: {k: float(rng.normal(-1.0, 1.5)) for k in kpis if rng.random() < 0.8}
        for name in names
    }
    interactions = {}
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < 0.25:
                interactions[(names[i], names[j])] = {k: float(rng.normal(0, 1.5)) for k in kpis}
    surrogate = Surrogate(
        levers=names,
        one_off={name: float(rng.uniform(0, 100)) for name in names},
        yearly={name: float(rng.uniform(0, 20)) for name in names},
        annuity=annuity_factor(float(rng.uniform(0, 0.08)), int(rng.integers(3, 15))),
        baseline=baseline,
        scale=scale,
        main=main,
        interactions=interactions,
    )
    rules = []
    for _ in range(int(rng.integers(0, 3))):
        members = rng.choice(names, size=min(n, int(rng.integers(2, 4))), replace=False)
        rules.append(Exclusive(tuple(members), f"exclusive {len(rules)}"))
    for _ in range(int(rng.integers(0, 3))):
        i, j = sorted(rng.choice(n, size=2, replace=False))
        rules.append(Requires(names[j], (names[i],), f"requires {len(rules)}"))  # acyclic
    if n >= 4 and rng.random() < 0.5:
        members = rng.choice(names, size=int(rng.integers(3, n + 1)), replace=False)
        rules.append(AtMost(int(rng.integers(1, 3)), tuple(members), f"at most {len(rules)}"))
    total_one_off = sum(surrogate.one_off.values())
    total_yearly = sum(surrogate.yearly.values())
    budget = Budget(
        one_off=float(rng.uniform(0.1, 0.7)) * total_one_off if rng.random() < 0.8 else None,
        yearly=float(rng.uniform(0.1, 0.7)) * total_yearly if rng.random() < 0.6 else None,
        yearly_kpis=("lead",) if "lead" in kpis and rng.random() < 0.3 else (),
    )
    targets = []
    for kpi in kpis:
        if rng.random() < 0.4:
            sense = "<=" if rng.random() < 0.7 else ">="
            shift = float(rng.uniform(-3, 2))
            value = baseline[kpi] + shift if sense == "<=" else baseline[kpi] - shift
            targets.append(Target(kpi, sense, value))
    return surrogate, rules, budget, targets


def instances(seed: int, count: int, feasible: bool | None):
    """``count`` random instances, each with its brute-force table.

    All feasible, all infeasible, or either (``feasible=None``).
    """
    rng = np.random.default_rng(seed)
    found = []
    while len(found) < count:
        surrogate, rules, budget, targets = random_instance(rng)
        table = enumerate_portfolios(surrogate, rules, budget, targets)
        if feasible is None or feasible == (not table.empty):
            found.append((surrogate, rules, budget, targets, table))
    return found


def within_budget(surrogate: Surrogate, budget: Budget, chosen, yearly_use: float) -> bool:
    slack = 1e-9 * (1 + sum(surrogate.one_off.values()) + sum(surrogate.yearly.values()))
    one_off = sum(surrogate.one_off[n] for n in chosen)
    ok = budget.one_off is None or one_off <= budget.one_off + slack
    return ok and (budget.yearly is None or yearly_use <= budget.yearly + slack)


FEASIBLE = instances(seed=20260101, count=240, feasible=True)


@pytest.mark.parametrize("index", range(0, len(FEASIBLE), 20))
def test_milp_equals_brute_force(index):
    """Each block of 20 instances: the MILP optimum is the best feasible set by enumeration.

    Its chosen set is feasible, within budget and optimal (ties allowed).
    """
    for surrogate, rules, budget, targets, table in FEASIBLE[index : index + 20]:
        solution = solve_portfolio(surrogate, rules, budget, targets)
        best = table.objective.iloc[0]
        assert solution.optimal
        assert solution.status == "optimal"
        assert close(solution.objective, best), (solution.chosen, table.levers.iloc[0])
        feasible_sets = dict(zip(table.levers, table.objective, strict=True))
        assert solution.chosen in feasible_sets, "the MILP chose a set the rules or limits forbid"
        assert close(feasible_sets[solution.chosen], best)
        assert within_budget(surrogate, budget, solution.chosen, solution.yearly_budget_use)
        for target in targets:
            predicted = solution.kpis[target.kpi]
            assert target.met(predicted) or close(predicted, target.value)
        assert math.isclose(sum(solution.terms.values()), solution.objective, rel_tol=1e-12)
        assert solution.kpis == surrogate.predict(solution.chosen)
        assert solution.bound <= solution.objective + 1e-6 * max(1.0, abs(solution.objective))


def test_more_budget_never_worse():
    """Raising the one-off and yearly budgets (by 0-100%) never raises the optimum."""
    rng = np.random.default_rng(7)
    for surrogate, rules, budget, targets, _ in FEASIBLE[:80]:
        factor = 1 + float(rng.uniform(0, 1))
        raised = Budget(
            one_off=None if budget.one_off is None else budget.one_off * factor,
            yearly=None if budget.yearly is None else budget.yearly * factor,
            yearly_kpis=budget.yearly_kpis,
        )
        before = solve_portfolio(surrogate, rules, budget, targets).objective
        after = solve_portfolio(surrogate, rules, raised, targets).objective
        assert after <= before + 2e-6 * max(1.0, abs(before)) + 1e-6


def test_one_lever_less_never_better():
    """Taking a lever out (and out of the rules) never lowers the optimum.

    The reduced problem's optimum is the brute force's too.
    """
    rng = np.random.default_rng(11)
    for surrogate, rules, budget, targets, table in FEASIBLE[80:160]:
        removed = str(rng.choice(surrogate.levers))
        smaller = surrogate.without([removed])
        kept_rules = without_levers(rules, [removed])
        reduced = enumerate_portfolios(smaller, kept_rules, budget, targets)
        brute_without = table[[removed not in s for s in table.levers]]
        assert len(reduced) == len(brute_without), "removal must be the same as never choosing it"
        if reduced.empty:
            with pytest.raises(PortfolioInfeasible):
                solve_portfolio(smaller, kept_rules, budget, targets)
            continue
        after = solve_portfolio(smaller, kept_rules, budget, targets).objective
        assert close(after, reduced.objective.iloc[0])
        assert after >= table.objective.iloc[0] - 2e-6 * max(1.0, abs(after)) - 1e-6


def test_forbidden_sets_give_the_next_best():
    """A no-good cut on the optimum gives the best of the other feasible sets."""
    for surrogate, rules, budget, targets, table in FEASIBLE[160:200]:
        if len(table) < 2:
            continue
        first = solve_portfolio(surrogate, rules, budget, targets)
        second = solve_portfolio(surrogate, rules, budget, targets, forbidden=[first.chosen])
        others = table[[s != first.chosen for s in table.levers]]
        assert second.chosen != first.chosen
        assert close(second.objective, others.objective.iloc[0])


def brute_binding(surrogate, rules, budget, targets) -> set[str]:
    """The constraints whose relaxation alone makes the enumeration non-empty."""
    binding = set()
    if budget.one_off is not None:
        relaxed = Budget(None, budget.yearly, budget.yearly_kpis)
        if not enumerate_portfolios(surrogate, rules, relaxed, targets).empty:
            binding.add(ONE_OFF_BUDGET)
    if budget.yearly is not None:
        relaxed = Budget(budget.one_off, None, budget.yearly_kpis)
        if not enumerate_portfolios(surrogate, rules, relaxed, targets).empty:
            binding.add(YEARLY_BUDGET)
    for target in targets:
        others = [t for t in targets if t is not target]
        if not enumerate_portfolios(surrogate, rules, budget, others).empty:
            binding.add(target.describe())
    for rule in rules:
        others = [r for r in rules if r is not rule]
        if not enumerate_portfolios(surrogate, others, budget, targets).empty:
            binding.add(rule.describe())
    return binding


def test_infeasible_requests_name_the_binding_constraint():
    """Infeasible instances raise PortfolioInfeasible naming the binding constraints.

    Exactly those that brute force finds binding, and the cheapest set meeting the targets
    without budgets.
    """
    kinds = set()
    for surrogate, rules, budget, targets, _ in instances(seed=99, count=50, feasible=False):
        with pytest.raises(PortfolioInfeasible) as caught:
            solve_portfolio(surrogate, rules, budget, targets)
        error = caught.value
        assert set(error.binding) == brute_binding(surrogate, rules, budget, targets)
        kinds |= {name.split(" ")[0] for name in error.binding}
        unbudgeted = enumerate_portfolios(surrogate, rules, None, targets)
        if unbudgeted.empty:
            assert error.cheapest is None
            assert "no allowed lever set meets the targets" in str(error)
        else:
            cheapest = unbudgeted.cost_per_year.min()
            assert error.cheapest is not None
            found = sum(surrogate.cost_per_year(n) for n in error.cheapest)
            assert math.isclose(found, cheapest, rel_tol=1e-6, abs_tol=1e-6)
            assert ", ".join(error.cheapest or ["no lever at all"]) in str(error)
    assert {"one-off", "yearly", "target"} <= kinds, "the instances must exercise each kind"


def test_small_example_by_hand():
    """Three levers, worked out by hand.

    Costs per year (annuity 0.1): a 0.1*100+10 = 20, b 0.1*200+0 = 20, c 0.1*50+5 = 10.
    Wait (baseline 10, 100 money per minute): a -1, b -2, c -0.5, a and b together +0.8.
    Sets: {} 1000, {a} 920, {b} 820, {c} 960, {a,b} 40+100*7.8 = 820, {b,c} 30+750 = 780,
    {a,c} 30+850 = 880 (exclusive), {a,b,c} 50+100*7.3 = 780 (exclusive).
    With a one-off budget of 300: {b,c} at 780 (one-off 250).
    """
    surrogate = Surrogate(
        levers=("a", "b", "c"),
        one_off={"a": 100, "b": 200, "c": 50},
        yearly={"a": 10, "b": 0, "c": 5},
        annuity=0.1,
        baseline={"wait": 10.0},
        scale={"wait": 100.0},
        main={"a": {"wait": -1}, "b": {"wait": -2}, "c": {"wait": -0.5}},
        interactions={("b", "a"): {"wait": 0.8}},
    )
    rules = [Exclusive(("a", "c"))]
    solution = solve_portfolio(surrogate, rules, Budget(one_off=300))
    assert solution.chosen == ("b", "c")
    assert solution.objective == pytest.approx(780)
    assert solution.terms == pytest.approx({"levers": 30, "value:wait": 750})
    assert solution.kpis == pytest.approx({"wait": 7.5})
    assert (solution.one_off, solution.yearly) == (250, 5)
    # a target of at most 7.4 min: only {a,b,c} reaches 7.3 (one-off 350), but a and c are
    # exclusive; with a budget of 400 the target and the rule each block it
    with pytest.raises(PortfolioInfeasible) as caught:
        solve_portfolio(surrogate, rules, Budget(one_off=400), [Target("wait", "<=", 7.4)])
    assert caught.value.binding == ("target wait <= 7.4", "at most one of a, c")
    assert caught.value.cheapest is None
    assert caught.value.reachable == pytest.approx({"target wait <= 7.4": 7.5})


def test_annuity_factor_by_hand():
    """r/(1-(1+r)^-n): 3% over 10 years is 0.1172305 (annuity tables); 1/n at r = 0."""
    assert annuity_factor(0.03, 10) == pytest.approx(0.11723051, rel=1e-7)
    assert annuity_factor(0.0, 8) == 1 / 8
    with pytest.raises(PortfolioError):
        annuity_factor(-0.01, 10)


def test_optimal_only_when_the_bound_is_met():
    """The status comes from the objective and the bound, not the solver's word."""
    assert is_proven(100.0, 100.0, 1e-6)
    assert is_proven(1e6, 1e6 - 0.5, 1e-6)  # within 1e-6 relative
    assert not is_proven(1e6, 1e6 - 5, 1e-6)
    assert not is_proven(100.0, -math.inf, 1e-6)  # no bound proven (stopped early)


def test_bad_requests_are_clear_errors():
    surrogate = Surrogate(("a",), {"a": 1}, {"a": 1}, 0.1, {"wait": 1.0}, {"wait": 1.0})
    with pytest.raises(PortfolioError, match="unknown levers"):
        solve_portfolio(surrogate, [Exclusive(("a", "b"))])
    with pytest.raises(PortfolioError, match="no baseline"):
        solve_portfolio(surrogate, targets=[Target("lead", "<=", 3)])
    with pytest.raises(PortfolioError, match="time_limit"):
        solve_portfolio(surrogate, time_limit=0)
    with pytest.raises(PortfolioError, match="given twice"):
        Surrogate(
            ("a", "b"),
            {"a": 1, "b": 1},
            {"a": 1, "b": 1},
            0.1,
            {"wait": 1.0},
            interactions={("a", "b"): {"wait": 1.0}, ("b", "a"): {"wait": 2.0}},
        )
    with pytest.raises(PortfolioError, match="without a baseline"):
        Surrogate(("a",), {"a": 1}, {"a": 1}, 0.1, {"wait": 1.0}, main={"a": {"lead": -1}})


def test_a_target_no_lever_moves_is_diagnosed():
    """No lever changes the target's KPI: the diagnosis's best reachable value is the baseline.

    (Maximising a KPI no lever moves, with every other constraint relaxed, is a model with
    no constraint and a constant objective; HiGHS calls that "unknown".)
    """
    surrogate = Surrogate(
        levers=("a", "b"),
        one_off={"a": 1.0, "b": 2.0},
        yearly={"a": 0.0, "b": 0.0},
        annuity=0.1,
        baseline={"rate": 0.9, "wait": 10.0},
        main={"a": {"wait": -1.0}, "b": {"wait": -2.0}},
    )
    with pytest.raises(PortfolioInfeasible) as caught:
        solve_portfolio(surrogate, targets=[Target("rate", ">=", 0.95)])
    assert caught.value.reachable == pytest.approx({"target rate >= 0.95": 0.9})
    assert caught.value.cheapest is None
