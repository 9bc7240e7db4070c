"""The portfolio loop against a known truth: values, effects, screening, verification, frontier.

A :class:`FakeRunner` (tests/portfolio_fakes.py) gives the KPIs of any lever set from a stated
model, with noise shared by replication (common random numbers), so that what the loop
estimates and recommends can be compared with the truth, enumerated by brute force. Fast:
nothing here simulates.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from portfolio_fakes import FakeRunner, true_best, true_objective, write_center

from wsim.comparison.economics import cost_effectiveness_frontier
from wsim.optimize.levers import Budget, PortfolioInfeasible, load_levers
from wsim.optimize.levers.effects import LeverEffects
from wsim.optimize.levers.run import run_portfolio
from wsim.optimize.levers.values import STAFF_COST, YearlyValues
from wsim.optimize.levers.verify import HOLDS, ITERATION_LIMIT

REPS = 6


def levers_of(tmp_path, groups=2, **options):
    return load_levers(write_center(tmp_path, groups, **options))


def effects_of(levers, runner):
    return LeverEffects(levers, runner, YearlyValues.of(levers.economics, levers.baseline))


def budget(one_off):
    return Budget(one_off=one_off, yearly_kpis=(STAFF_COST,))


def test_yearly_values_by_hand(tmp_path):
    """5 simulated days to 250 a year (x50): 12 min x 1000 tickets / 60 = 200 h a run."""
    levers = levers_of(tmp_path)
    values = YearlyValues.of(levers.economics, levers.baseline)
    assert values.per_year == 50
    table = pd.DataFrame(
        {
            "hall_served": [1000.0],
            "hall_wait_mean": [12.0],
            "cases_started": [800.0],
            "case_lead_time_days_mean": [2.5],
            "trips_per_case_mean": [1.5],
            "staff_cost": [10000.0],
        }
    )
    derived = values.derive(table).iloc[0]
    assert derived.wait_hours_per_year == pytest.approx(200 * 50)
    assert derived.lead_hours_per_year == pytest.approx(2.5 * 24 * 800 * 50)
    assert derived.trips_per_year == pytest.approx(1.5 * 800 * 50)
    assert derived.staff_cost_per_year == pytest.approx(500000)
    # 30 x 10,000 h + 2 x 2,400,000 h + 40 x 60,000 trips + 500,000 staff
    assert values.value(values.derive(table))[0] == pytest.approx(8_000_000)


def test_main_effects_are_what_each_lever_adds(tmp_path):
    """A lever alone against the baseline; the second clerk step against the first (exact)."""
    levers = levers_of(tmp_path)
    wait = {name: -0.3 * (k + 1) for k, name in enumerate(levers.names)}
    second = frozenset({"clerks:g0:1", "clerks:g0:2"})
    runner = FakeRunner(REPS, wait, pairs={second: 0.4}, staff={"clerks:g0:1": 500})
    effects = effects_of(levers, runner)
    effects.estimate_main()
    column = effects.kpis.index("hall_wait_mean")
    for name in levers.names:
        effect = effects.main[name]
        truth = runner.means(effect.simulated)["hall_wait_mean"]
        truth -= runner.means(effect.against)["hall_wait_mean"]
        assert effect.mean()[column] == pytest.approx(truth, abs=1e-9), name
    assert effects.main["clerks:g0:2"].against == {"clerks:g0:1"}
    assert effects.main["clerks:g0:1"].against == frozenset()
    # the value of the first step by hand: its wait change and 500 of staff cost, x50 a year
    expected = 50 * (30 * wait["clerks:g0:1"] * 1000 / 60 + 500)
    assert effects.main["clerks:g0:1"].value == pytest.approx(np.full(REPS, expected))


def test_a_screened_interaction_makes_the_prediction_exact(tmp_path):
    """Both levers add capacity at g0: their interaction is found and predicts the union."""
    levers = levers_of(tmp_path)
    pair = frozenset({"integrate:s1", "clerks:g0:1"})
    wait = dict.fromkeys(levers.names, -1.0)
    runner = FakeRunner(REPS, wait, pairs={pair: 1.5}, set_noise=0.05)
    effects = effects_of(levers, runner)
    effects.estimate_main()
    chosen = effects.screen(pair_factor=1.0)
    assert ("integrate:s1", "clerks:g0:1") in chosen
    effects.estimate_interactions(chosen)
    found = effects.interactions[("integrate:s1", "clerks:g0:1")]
    assert found.kept
    column = effects.kpis.index("hall_wait_mean")
    # paired: the estimate's error is only the sets' own noise (sd 0.05 each, four sets)
    assert found.mean()[column] == pytest.approx(1.5, abs=4 * 0.05 * 2 / math.sqrt(REPS))
    predicted = effects.predicted(pair)[:, column]
    assert predicted == pytest.approx(effects.matrix(pair)[:, column])


@pytest.mark.parametrize("groups", [6, 12, 24])
def test_simulations_grow_linearly_while_pairs_grow_faster(tmp_path, groups):
    """At most 1 + 2n + n lever sets for n levers, however many pairs share a resource.

    Levers without an effect (every second clerk step here) are in no simulated pair: an
    interaction is looked for only where both levers act (effect heredity).
    """
    levers = levers_of(tmp_path, groups, hub=True)
    inert = {name for name in levers.names if name.endswith(":2")}
    wait = {name: 0.0 if name in inert else -0.1 for name in levers.names}
    runner = FakeRunner(REPS, wait, set_noise=0.01)
    effects = effects_of(levers, runner)
    effects.estimate_main()
    pairs = effects.screen(pair_factor=1.0)
    effects.estimate_interactions(pairs)
    n = len(levers.names)
    assert len(runner.sets) <= 1 + 2 * n + n
    assert len(effects.candidates()) >= (groups - 1) * (groups - 2) / 2  # the hub's pairs
    assert not any(set(pair) & inert for pair in pairs)
    assert len(pairs) == min(n, int(effects.screening.score.gt(0).sum()))


def test_the_loop_adds_a_missing_interaction_and_finds_the_true_best(tmp_path):
    """Without screening, the loop estimates the interaction of two levers that clash.

    The additive surrogate picks both; their simulation contradicts it; the loop ends on the
    true best set.
    """
    levers = levers_of(tmp_path)
    wait = {name: -0.2 for name in levers.names} | {"integrate:s1": -2.0, "clerks:g0:1": -2.0}
    clash = frozenset({"integrate:s1", "clerks:g0:1"})
    runner = FakeRunner(REPS, wait, pairs={clash: 3.0}, set_noise=0.02)
    result = run_portfolio(levers, runner, budget(None), pair_factor=0.0)
    actions = result.iterations().action.tolist()
    assert any("integrate:s1 x clerks:g0:1" in action for action in actions)
    assert result.main.status == HOLDS
    _, value = true_best(levers, runner, None)  # ties: g0 and g1 are alike
    assert true_objective(levers, runner, result.recommended.chosen) == pytest.approx(value)
    assert not clash <= result.recommended.chosen


def test_the_loop_cuts_a_set_no_interaction_explains(tmp_path):
    """A clash no pair term can explain (fast_0 and fast_1 share no resource) is cut.

    The loop forbids the set (a no-good cut) and recommends the true best.
    """
    levers = levers_of(tmp_path)
    wait = dict.fromkeys(levers.names, 0.0) | {"fast_0": -1.0, "fast_1": -1.0}
    runner = FakeRunner(REPS, wait, pairs={frozenset({"fast_0", "fast_1"}): 3.0})
    result = run_portfolio(levers, runner, budget(None), pair_factor=0.0)
    assert "no-good cut" in result.iterations().action.tolist()
    _, value = true_best(levers, runner, None)
    assert true_objective(levers, runner, result.recommended.chosen) == pytest.approx(value)
    assert not {"fast_0", "fast_1"} <= result.recommended.chosen


def test_an_iteration_limit_is_said_and_the_best_simulated_set_kept(tmp_path):
    levers = levers_of(tmp_path)
    wait = {name: -0.2 for name in levers.names} | {"integrate:s1": -2.0, "clerks:g0:1": -2.0}
    clash = frozenset({"integrate:s1", "clerks:g0:1"})
    runner = FakeRunner(REPS, wait, pairs={clash: 3.0})
    result = run_portfolio(levers, runner, budget(None), pair_factor=0.0, max_iterations=1)
    assert result.main.status == ITERATION_LIMIT
    simulated = [s for s in runner.sets if levers.allows(s)]
    best = min(true_objective(levers, runner, s) for s in simulated)
    assert true_objective(levers, runner, result.recommended.chosen) == pytest.approx(best)


def test_a_larger_budget_never_recommends_worse(tmp_path):
    """Across a sweep: within budget, and never worse with more money.

    The frontier marks are those of the cost-effectiveness frontier of the points.
    """
    levers = levers_of(tmp_path, 3)
    rng = np.random.default_rng(3)
    wait = {name: float(rng.uniform(-1.5, 0.3)) for name in levers.names}
    pairs = {frozenset({"integrate:s1", "clerks:g0:1"}): 0.8}
    runner = FakeRunner(REPS, wait, pairs=pairs, set_noise=0.05)
    sweep = [0, 3000, 8000, 15000, 30000, 60000]
    result = run_portfolio(levers, runner, budget(20000), sweep)
    table = result.frontier()
    assert (table.one_off <= table.budget_one_off + 1e-9).all()
    assert table.objective_simulated.is_monotonic_decreasing
    assert table.requested.sum() == 1
    points = table.drop_duplicates("levers")
    names = ["baseline", *points.levers[points.levers != "baseline"]]
    cost = [0.0, *points.cost_per_year[points.levers != "baseline"]]
    effect = [0.0, *points.citizens_value[points.levers != "baseline"]]
    marks = cost_effectiveness_frontier(names, cost, effect).set_index("option").status
    for row in table.itertuples():
        assert row.frontier == marks[row.levers]


def test_an_unreachable_target_names_the_binding_constraint(tmp_path):
    """A target only expensive levers reach under a small budget: the message says so.

    It names the one-off budget and the cheapest set that meets the target.
    """
    levers = levers_of(tmp_path, targets={"hall_wait_mean": "<= 8"})
    wait = dict.fromkeys(levers.names, 0.0) | {"fast_0": -1.2, "fast_1": -1.2}
    runner = FakeRunner(REPS, wait)
    with pytest.raises(PortfolioInfeasible) as caught:
        run_portfolio(levers, runner, budget(15000))
    message = str(caught.value)
    assert "one-off budget (15,000)" in message
    assert "cheapest set that meets the targets ignoring the budgets is fast_0, fast_1" in message


@pytest.mark.parametrize("seed", range(6))
def test_random_truths_and_budgets(tmp_path, seed):
    """Lever files, truths and budgets drawn at random: the recommendation keeps its promises.

    Within the budget, never worse than any simulated set the rules and budget allow, and
    never better than the true optimum (it is a real, allowed set).
    """
    rng = np.random.default_rng(seed)
    levers = levers_of(tmp_path, int(rng.integers(2, 4)), budget=float(rng.uniform(5e3, 5e4)))
    wait = {name: float(rng.uniform(-2.0, 0.5)) for name in levers.names}
    candidates = levers.interaction_candidates()
    chosen = rng.choice(len(candidates), size=min(3, len(candidates)), replace=False)
    pairs = {frozenset(candidates[k][:2]): float(rng.uniform(-1.0, 2.0)) for k in chosen}
    runner = FakeRunner(REPS, wait, pairs=pairs)
    result = run_portfolio(levers, runner, budget(levers.budget.one_off), pair_factor=0.5)
    check = result.recommended
    assert check.one_off <= levers.budget.one_off + 1e-9
    mine = true_objective(levers, runner, check.chosen)
    for simulated in runner.sets:
        one_off = sum(lever.one_off for lever in levers.select(sorted(simulated)))
        if levers.allows(simulated) and one_off <= levers.budget.one_off + 1e-9:
            assert mine <= true_objective(levers, runner, simulated) + 1e-6
    _, best = true_best(levers, runner, levers.budget.one_off)
    assert mine >= best - 1e-6
