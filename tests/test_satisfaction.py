"""Satisfaction ratings: the bad-rating rate is the logistic model's value over the cases.

The bad ratings of n independent cases with chances p_i have mean sum(p_i) / n and variance
sum(p_i (1 - p_i)) / n^2 (a Poisson-binomial count); each check asks that the observed rate
lie within 3.29 standard deviations of that mean (99.9%, two-sided, normal approximation, good
at these thousands of cases), with a fixed seed, so it fails for a correct model for about 1
seed in 1,000 and is then reproducible.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, one_service_hall, round_the_clock

import wsim

Z = 3.29  # two-sided 99.9% of the standard normal


def logistic(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def assert_rate_matches(bad: pd.Series, p: np.ndarray, what: str, max_half_width: float):
    """The bad rate of `bad` (0/1) lies within Z standard deviations of mean(p)."""
    n = len(p)
    expected = float(np.mean(p))
    sd = math.sqrt(float(np.sum(p * (1 - p)))) / n
    rate = float(bad.mean())
    assert abs(rate - expected) <= Z * sd, (
        f"{what}: bad rate {rate:.4f} of {n} cases, model {expected:.4f} +- {Z * sd:.4f}"
    )
    assert Z * sd <= max_half_width, f"{what}: {n} cases are too few ({Z * sd:.4f})"


def rated(results: wsim.Results) -> pd.DataFrame:
    cases = results.cases
    return cases[cases.counted & cases.bad_rating.notna()]


def test_fixed_wait_trips_and_lead_give_the_logistic_value():
    """No wait, two trips (application and pickup), a lead time of exactly 1 day + 123 min."""
    spec = {"b0": -1.0, "b_wait": 0.5, "b_trips": 0.8, "b_lead": 0.3}
    services = {
        "s": {
            "window_time": 0,
            "department": "a",
            "workflow": [{"department": "a", "time": 120}],
            "result": "pickup",
            "pickup_delay": "1d",
            "pickup_time": 3,
        }
    }
    scenario = round_the_clock(30, services=services, satisfaction=spec)
    results = wsim.simulate(scenario, replications=3, seed=7)
    cases = rated(results)
    assert (cases.state == "completed").all()
    # the scenario fixes the three measures: check that it does, then the rate
    assert (cases.hall_wait_h == 0).all()
    assert (cases.trips == 2).all()
    np.testing.assert_allclose(cases.lead_time_days, 1 + 123 / 1440)
    x = spec["b0"] + spec["b_trips"] * 1 + spec["b_lead"] * (1 + 123 / 1440)
    p = np.full(len(cases), logistic(x))
    assert_rate_matches(cases.bad_rating, p, "fixed case", max_half_width=0.03)
    # the KPIs are these ratings, counted per replication
    by_rep = cases.groupby("replication").bad_rating.mean()
    np.testing.assert_allclose(results.kpis.bad_rating_rate, by_rep.to_numpy())
    np.testing.assert_allclose(results.kpis["bad_rating_rate:s"], by_rep.to_numpy())
    assert results.kpis.bad_rating_rate_online.isna().all()  # nobody starts online here


@pytest.mark.parametrize("p", [0.05, 0.3])
def test_zero_coefficients_and_logit_intercept_give_rate_p(p):
    """Hall only (a case per ticket), waits of minutes: with b = 0 they do not matter."""
    spec = {"b0": math.log(p / (1 - p)), "b_wait": 0, "b_trips": 0, "b_lead": 0}
    scenario = one_service_hall(count=2, days=40, satisfaction=spec)
    results = wsim.simulate(scenario, replications=1, seed=3)
    cases = rated(results)
    assert cases.hall_wait_h.max() > 0.2  # the waits that the zero coefficient ignores
    assert_rate_matches(cases.bad_rating, np.full(len(cases), p), f"p={p}", max_half_width=0.03)


def test_bad_rate_is_the_expectation_over_varied_cases():
    """Journeys with waits, returns and pickups: P(bad) recomputed per case from the log.

    The hall wait of a case is recomputed from the visit table (served tickets to the call,
    abandoned ones to leaving), trips and lead time from the case table.
    """
    spec = {"b0": -2.0, "b_wait": 1.5, "b_trips": 0.6, "b_lead": 0.2}
    base = wsim.load_scenario(EXAMPLES / "small_journeys.yaml")
    scenario = wsim.load_scenario({**base.to_dict(), "satisfaction": spec})
    results = wsim.simulate(scenario, replications=4, seed=2)
    visits = results.visits
    until = visits.called.where(visits.called.notna(), visits.end)
    visits = visits.assign(wait=(until - visits.arrival).fillna(0.0))
    waits = visits[visits.case >= 0].groupby(["replication", "case"]).wait.sum() / 60
    cases = rated(results).set_index(["replication", "case"])
    wait_h = waits.reindex(cases.index, fill_value=0.0).to_numpy()
    np.testing.assert_allclose(cases.hall_wait_h, wait_h)
    x = (
        spec["b0"]
        + spec["b_wait"] * wait_h
        + spec["b_trips"] * (cases.trips.to_numpy() - 1)
        + spec["b_lead"] * cases.lead_time_days.to_numpy()
    )
    p = logistic(x)
    assert p.std() > 0.05  # the cases differ: the check is over the model, not one value
    assert_rate_matches(cases.bad_rating, p, "small journeys", max_half_width=0.04)
    online = (cases.channel == "online").to_numpy()
    assert_rate_matches(cases.bad_rating[online], p[online], "online", max_half_width=0.08)


def test_ratings_change_no_other_number():
    base = wsim.load_scenario(EXAMPLES / "small_journeys.yaml")
    rated_scenario = wsim.load_scenario({**base.to_dict(), "satisfaction": {}})
    a = wsim.simulate(base, replications=2, seed=4)
    b = wsim.simulate(rated_scenario, replications=2, seed=4)
    new = [c for c in b.kpis.columns if c.startswith("bad_rating_rate")]
    assert len(new) == 2 + len(base.services)
    pd.testing.assert_frame_equal(a.kpis, b.kpis.drop(columns=new))
    pd.testing.assert_frame_equal(
        a.cases.drop(columns="bad_rating"), b.cases.drop(columns="bad_rating")
    )
    assert a.cases.bad_rating.isna().all()


def test_coefficient_out_of_range_is_refused():
    scenario = one_service_hall(satisfaction={"b_wait": 1e300})
    with pytest.raises(wsim.ScenarioError) as error:
        wsim.load_scenario(scenario)
    assert "satisfaction.b_wait" in str(error.value)
    assert "at most 50" in str(error.value)
