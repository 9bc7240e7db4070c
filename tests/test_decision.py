"""The decision of a comparison: settings in layers, costs and gains per year, choice, verdicts.

The figures are recomputed here by hand from the comparison's KPI table (the formulas of
docs/decision_rules.md), on a small journey scenario with three options besides the baseline.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from wsim.comparison import CompareError, compare
from wsim.comparison.decision import GAINS, simulated_days
from wsim.comparison.decision_settings import DEFAULTS, PortfolioChoice
from wsim.comparison.economics import annuity_factor
from wsim.metrics.catalog import KPI_MIDS
from wsim.scenario import ScenarioError, load_scenario

DAYS = 3
REPLICATIONS = 4


def journeys(name: str, windows: int = 3, market_staff: int = 2, **extra) -> dict:
    """A small center with cases (scenarios/examples/small_journeys.yaml, three days)."""
    return {
        "name": name,
        "calendar": {"days": DAYS, "open": "09:00", "close": "17:00"},
        "services": {
            "biz": {
                "department": "market",
                "window_time": {"dist": "lognormal", "mean": 15, "sd": 6},
                "channels": {"hall": "full", "online": "full"},
                "incomplete": 0.2,
                "return_delay": {"dist": "uniform", "min": "1d", "max": "2d"},
                "workflow": [
                    {"department": "market", "time": {"dist": "exponential", "mean": 60}},
                    {"department": "tax", "time": {"dist": "exponential", "mean": 30}},
                ],
                "result": "pickup",
                "deadline_days": 5,
            },
            "id": {"window_time": {"dist": "exponential", "mean": 8}},
        },
        "demand": [
            {"service": "biz", "channel": "any", "per_day": 40},
            {"service": "id", "per_day": 60},
        ],
        "windows": [{"name": "w", "count": windows, "serves": ["biz", "id"], "hourly_cost": 50}],
        "segments": [
            {"name": "digital", "share": 0.6, "channels": {"online": 0.8, "hall": 0.2}},
            {"name": "elderly", "share": 0.4, "channels": {"hall": 1}},
        ],
        "departments": {"market": {"staff": market_staff, "hourly_cost": 40}, "tax": {"staff": 1}},
        "handoffs": {"mode": "platform", "at": "02:00", "rework": 0.1},
        "citizens": {"patience": {"dist": "exponential", "mean": 60}},
        **extra,
    }


OPTIONS = {
    "baseline": journeys("baseline"),
    "one more window": journeys("one more window", 4, cost={"yearly": 60000}),
    "more back office": journeys("more back office", market_staff=3, cost={"one_off": 1e5}),
    # more back-office staff and real-time sharing between the departments: dearer, better
    "big package": journeys(
        "big package",
        market_staff=3,
        handoffs={"mode": "platform", "delay": {"dist": "uniform", "min": 5, "max": 60}},
        cost={"one_off": 1e6, "yearly": 50000},
    ),
}


@pytest.fixture(scope="module")
def comparison():
    return compare(OPTIONS, replications=REPLICATIONS, seed=3)


def test_defaults_then_scenario_then_comparison_then_override(comparison):
    settings = comparison.decision().settings
    assert settings.wait_hour == DEFAULTS["wait_hour"]
    assert settings.source("wait_hour") == "default"
    assert not settings.has_budget
    assert dict(settings.mid) == KPI_MIDS

    block = {"value_of_time": {"wait_hour": 50}, "budget": {"one_off": 1e6}}
    options = {name: copy.deepcopy(mapping) for name, mapping in OPTIONS.items()}
    options["baseline"]["decision"] = block | {"mid": {"hall_wait_mean": {"abs": 0.01}}}
    layered = compare(
        options, replications=2, seed=3, decision={"value_of_time": {"trip": 5}}
    ).decision(decision={"budget": {"yearly": 70000}})
    s = layered.settings
    assert (s.wait_hour, s.source("wait_hour")) == (50, "scenario")
    assert (s.trip, s.source("trip")) == (5, "comparison")
    assert (s.budget.one_off, s.source("budget.one_off")) == (1e6, "scenario")
    assert (s.budget.yearly, s.source("budget.yearly")) == (70000, "override")
    assert s.mid["hall_wait_mean"] == {"abs": 0.01}
    assert s.mid["hall_service_level"] == KPI_MIDS["hall_service_level"]
    assert s.lead_hour == DEFAULTS["lead_hour"]


def test_costs_per_year_by_hand(comparison):
    decision = comparison.decision()
    rate, years = DEFAULTS["discount_rate"], DEFAULTS["horizon_years"]
    days_per_year = DEFAULTS["days_per_year"]
    assert simulated_days(comparison.scenarios["baseline"]) == DAYS
    base_staff = comparison.values("baseline", "staff_cost")
    for outcome in decision.outcomes:
        cost = comparison.scenarios[outcome.name].cost
        staff = comparison.values(outcome.name, "staff_cost") - base_staff
        # one-off x r / (1 - (1 + r)^-n) + yearly + staff change x 250 / 3, per replication
        by_hand = cost.one_off * rate / (1 - (1 + rate) ** -years) + cost.yearly
        by_hand = by_hand + staff * days_per_year / DAYS
        assert np.allclose(outcome.cost, by_hand, rtol=1e-12)  # rounding only
    row = decision.costs.set_index("option").loc["big package"]
    assert row.annualised == pytest.approx(1e6 * annuity_factor(rate, years), rel=1e-12)


def test_gains_and_the_effect_unit_by_hand(comparison):
    decision = comparison.decision()
    s = decision.settings
    base = {kpi: comparison.values("baseline", kpi) for kpi in ("hall_served", "cases_started")}
    for option in comparison.options:
        gains = decision.gains[option]
        wait = comparison.values("baseline", "hall_wait_mean") - comparison.values(
            option, "hall_wait_mean"
        )
        # minutes saved per ticket x the baseline's tickets per day x days a year / 60
        by_hand = wait * base["hall_served"] / DAYS * s.days_per_year / 60
        assert np.allclose(gains["wait_hours"], by_hand, rtol=1e-12)
        trips = comparison.values("baseline", "trips_per_case_mean") - comparison.values(
            option, "trips_per_case_mean"
        )
        assert np.allclose(gains["trips"], trips * base["cases_started"] / DAYS * 250, rtol=1e-12)
        # the effect: hours of waiting + trips at 40/30 h + lead-time hours at 2/30
        effect = next(o.effect for o in decision.outcomes if o.name == option)
        by_hand = gains["wait_hours"] + gains["trips"] * 40 / 30 + gains["lead_days"] * 24 * 2 / 30
        assert np.allclose(effect, by_hand, rtol=1e-12, atol=1e-9)
    assert set(decision.gains["baseline"]) == set(GAINS)
    assert all(np.all(v == 0) for v in decision.gains["baseline"].values())


def test_recommendation_is_the_best_net_benefit_within_the_budget(comparison):
    free = comparison.decision()
    table = free.summary().set_index("option")
    assert free.recommended == table.nb.idxmax()  # no budget: the highest net benefit
    assert free.recommended == "big package"  # (seed 3; the check below needs it)
    # a budget that excludes it: the best of the rest, and the package lost on the budget
    capped = comparison.decision(decision={"budget": {"one_off": 5e5}})
    inside = capped.summary().set_index("option")
    assert not inside.loc["big package", "within_budget"]
    assert capped.recommended == inside[inside.within_budget].nb.idxmax()
    assert capped.recommendation.runner_up == "big package"
    assert capped.recommendation.reason_code == "over budget"
    # the acceptability curve: probabilities over the options within the budget sum to 1
    sums = capped.acceptability.groupby("value").probability.sum()
    assert np.allclose(sums, 1.0, atol=1e-12)
    assert "big package" not in set(capped.acceptability.option)
    assert 0.0 in set(capped.values)
    assert capped.value in set(capped.values)


def test_mid_rule_uses_the_settings(comparison):
    loose = comparison.decision().verdicts.set_index(["option", "kpi"])
    strict = comparison.decision(decision={"mid": {"hall_wait_mean": {"abs": 1e-9}}})
    strict = strict.verdicts.set_index(["option", "kpi"])
    for option in ("one more window", "big package"):
        row = strict.loc[(option, "hall_wait_mean")]
        clear = row.diff_low > 0 or row.diff_high < 0
        assert row.mid == 1e-9
        # a tiny MID leaves only significance: better when the interval is below 0
        assert row.verdict == (
            "better" if clear and row["diff"] < 0 else "worse" if clear else "uncertain"
        )
        default = loose.loc[(option, "hall_wait_mean")]
        assert default.mid == KPI_MIDS["hall_wait_mean"]["abs"]
        if abs(default["diff"]) <= default.mid:
            assert default.verdict == "no material change"


def test_kpis_that_never_vary_are_left_out(comparison):
    decision = comparison.decision()
    for kpi, value in decision.constant_kpis.items():
        values = comparison.kpis[kpi].to_numpy(float)
        finite = values[np.isfinite(values)]
        assert finite.size == 0 or np.all(finite == value)
        assert kpi not in set(decision.verdicts.kpi)


def test_portfolio_entry_point(comparison):
    from wsim.report.decision_text import summarize

    free = comparison.decision()
    winner = PortfolioChoice(option=free.recommended, levers=("a:b", "c:d"), status="optimal")
    text = summarize(comparison.decision(portfolio=winner))
    assert text.headline == f"Recommended: the portfolio {free.recommended}"
    assert "a:b; c:d" in " ".join(text.detail)
    loser = next(o for o in comparison.options if o not in (free.recommended, "baseline"))
    text = summarize(comparison.decision(portfolio=PortfolioChoice(option=loser)))
    assert text.headline == f"Recommended: {free.recommended}"
    assert any(f"The optimizer's portfolio, {loser}, is not" in s for s in text.closing)
    # its budget replaces the decision's
    capped = comparison.decision(
        portfolio=PortfolioChoice(option=loser, budget={"one_off": 0, "yearly": 0})
    )
    assert capped.settings.budget.one_off == 0
    with pytest.raises(CompareError, match="not an option of the comparison"):
        comparison.decision(portfolio=PortfolioChoice(option="nowhere"))


def test_decision_block_errors_name_the_file_and_field(tmp_path):
    path = tmp_path / "center.yaml"
    base = journeys("center")
    base["decision"] = {"value_of_time": {"wait_hour": -3}, "horizon_years": 0}
    import yaml

    path.write_text(yaml.safe_dump(base))
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message
    assert "decision.value_of_time.wait_hour" in message
    assert "decision.horizon_years" in message
    base["decision"] = {"mid": {"hall_wiat_mean": {"abs": 1}}}
    path.write_text(yaml.safe_dump(base))
    scenario = load_scenario(path)  # KPI names are checked by the decision, a later stage
    comparison = compare({"center": scenario}, replications=1, seed=0)
    with pytest.raises(ScenarioError) as error:
        comparison.decision()
    message = str(error.value)
    assert str(path) in message
    assert "decision.mid.hall_wiat_mean" in message
    assert "did you mean 'hall_wait_mean'" in message
    with pytest.raises(ScenarioError, match=r"decision\.mid\.x\.abs"):
        compare({"center": scenario}, replications=1, decision={"mid": {"x": {"abs": "lots"}}})


def test_the_decision_block_is_not_part_of_the_digest():
    plain = load_scenario(journeys("center"))
    stated = load_scenario(journeys("center", decision={"budget": {"one_off": 1}}))
    assert stated.decision.budget.one_off == 1
    assert plain.digest() == stated.digest()
    assert load_scenario(journeys("center", windows=4)).digest() != plain.digest()
