"""Sharing levers in the portfolio: per-pair handoff rules that load, simulate and pay off.

A small center (tests/portfolio_fakes.py: two departments handing cases to a shared registry
over a nightly sync, stale-data rework by the data's age) with one sharing lever per pair.
"""

from __future__ import annotations

import numpy as np
import pytest
from portfolio_fakes import write_sharing_center

import wsim
from wsim.optimize import load_levers, portfolio

REPS = 2


@pytest.fixture(scope="module")
def center(tmp_path_factory):
    return write_sharing_center(tmp_path_factory.mktemp("sharing"))


def test_sharing_levers_write_one_pair_each(center):
    """One lever per workflow pair; it loads, and only its pair becomes real time."""
    levers = load_levers(center)
    assert sorted(levers.names) == ["sharing:d0-registry", "sharing:d1-registry"]
    handoffs = levers.scenario(["sharing:d0-registry"]).handoffs
    fast = handoffs.rule_for("d0", "registry", "s0")
    assert (fast.at, fast.delay.expected(), fast.staleness) == (None, 0.0, handoffs.staleness)
    assert handoffs.rule_for("d1", "registry", "s1") is handoffs  # still the nightly sync


def test_one_pair_changes_its_own_service_only(center):
    """Same seeds: s1's cases are exactly the baseline's; s0's handoffs no longer wait.

    With the nightly sync gone, s0's data is younger when the registry uses it, so its rework
    rate falls by the staleness mechanism alone (the lever gives no rework of its own).
    """
    levers = load_levers(center)
    base = wsim.simulate(levers.baseline_file, replications=REPS, seed=2).cases
    after = wsim.simulate(levers.scenario(["sharing:d0-registry"]), replications=REPS, seed=2)
    cases = after.cases
    for frame in (base, cases):
        frame["lead"] = frame.end - frame.start
    s1 = base.service == "s1"
    np.testing.assert_array_equal(cases.lead[s1], base.lead[s1])
    s0 = base.service == "s0"
    assert cases.handoff_wait_h[s0].max() == 0.0
    assert base.handoff_wait_h[s0].mean() > 8  # the sync at 02:00 holds a day's work
    assert cases.reworks[s0].mean() < 0.5 * base.reworks[s0].mean()


def test_the_portfolio_buys_sharing_for_what_it_saves(center, tmp_path):
    """Both pairs fit the budget and cut the lead time: the portfolio measures and picks them."""
    result = portfolio(center, replications=REPS, seed=3, out=tmp_path)
    column = result.effects.kpis.index("case_lead_time_days_mean")
    for name in ("sharing:d0-registry", "sharing:d1-registry"):
        assert result.effects.main[name].deltas[:, column].max() < 0
    chosen = result.summary().levers.iloc[0].split(" + ")
    assert sorted(chosen) == ["sharing:d0-registry", "sharing:d1-registry"]
