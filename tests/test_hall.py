"""The hall's rules on terminating days, checked on the visit log of small scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, one_service_hall
from scipy import stats

import wsim
from wsim.scenario.units import parse_clock

OPEN, CLOSE = parse_clock("08:30"), parse_clock("17:00")


def day_scenario(**changes) -> dict:
    """The one-service hall (2 windows) over 5 terminating days, with `changes`."""
    return one_service_hall(2, days=5, name="hall rules", **changes)


def served(visits: pd.DataFrame) -> pd.DataFrame:
    return visits[visits.outcome == "served"]


def present_at(visits: pd.DataFrame, service: str, t: np.ndarray) -> np.ndarray:
    """How many tickets of `service` were waiting at each time in `t` (from the log alone)."""
    v = visits[(visits.service == service) & (visits.outcome != "balked")]
    left = v.start.fillna(v.end).to_numpy()
    arrived = v.arrival.to_numpy()
    return np.array([((arrived < x) & (left > x)).sum() for x in t])


def test_same_seed_same_numbers_any_workers():
    a = wsim.simulate(day_scenario(), replications=4, seed=7)
    b = wsim.simulate(day_scenario(), replications=4, seed=7, workers=2)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    pd.testing.assert_frame_equal(a.visits, b.visits)
    c = wsim.simulate(day_scenario(), replications=4, seed=8)
    assert not a.kpis.hall_wait_mean.equals(c.kpis.hall_wait_mean)


def test_tickets_only_during_opening_hours_and_everyone_served():
    results = wsim.simulate(day_scenario(), replications=3, seed=1)
    v = results.visits
    clock = v.arrival % 1440
    assert ((clock >= OPEN) & (clock < CLOSE)).all()
    assert (v.outcome == "served").all()  # no patience, no balking: everyone inside is served
    assert (v.start >= v.arrival).all()
    assert (v.end >= v.start).all()
    last_end = served(v).groupby(["replication", "day"]).end.max() % 1440
    overrun = np.clip(last_end - CLOSE, 0, None).groupby("replication").mean()
    np.testing.assert_allclose(results.kpis.hall_close_overrun, overrun.to_numpy())


def test_arrivals_per_hour_follow_the_profile():
    profile = {"08:30": 1, "10:00": 3, "12:00": 0.5, "13:30": 2, "16:00": 1}
    scenario = day_scenario(
        calendar={"days": 40, "open": "08:30", "close": "17:00"},
        profiles={"two peaks": profile},
        demand=[{"service": "s1", "per_day": 120, "profile": "two peaks"}],
        windows=[{"name": "w", "count": 3, "serves": ["s1"]}],
    )
    visits = wsim.simulate(scenario, replications=1, seed=9).visits
    edges = np.arange(OPEN, CLOSE + 1e-9, 30.0)
    observed, _ = np.histogram(visits.arrival % 1440, bins=edges)
    points = sorted((parse_clock(k), w) for k, w in profile.items())
    weight = np.array([[w for t, w in points if t <= x][-1] for x in edges[:-1]])
    expected = 40 * 120 * weight / weight.sum()
    # Counts per half hour over 40 days are Poisson; a chi-square test at the 0.1% level.
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, len(expected)) > 0.001
    assert observed.sum() == pytest.approx(4800, abs=4 * np.sqrt(4800))


def test_weekday_factors_scale_daily_volume():
    scenario = day_scenario(
        calendar={"days": 50, "open": "08:30", "close": "17:00"},
        demand=[{"service": "s1", "per_day": 60, "weekday_factors": {"mon": 1.5}}],
        windows=[{"name": "w", "count": 3, "serves": ["s1"]}],
    )
    visits = wsim.simulate(scenario, replications=1, seed=2).visits
    per_day = visits.groupby("day").size().reindex(range(50), fill_value=0)
    monday = per_day[per_day.index % 5 == 0]
    others = per_day[per_day.index % 5 != 0]
    assert monday.sum() == pytest.approx(10 * 90, abs=4 * np.sqrt(900))
    assert others.sum() == pytest.approx(40 * 60, abs=4 * np.sqrt(2400))


def test_lunch_schedule_closes_windows_and_clerks_finish_their_citizen():
    scenario = day_scenario(
        windows=[{"name": "w", "serves": ["s1"], "schedule": {"08:30": 2, "12:00": 0, "13:30": 2}}],
        citizens={"patience": {"dist": "fixed", "value": 600}},
    )
    results = wsim.simulate(scenario, replications=3, seed=3)
    v = served(results.visits)
    start_clock = v.start % 1440
    assert not ((start_clock >= 720) & (start_clock < 810)).any()
    finished_late = (v.start % 1440 < 720) & (v.end % 1440 > 720)
    assert finished_late.any()  # those citizens were not interrupted at 12:00
    w = results.windows
    # Two windows open 7 h a day (plus the close overrun), 5 days.
    assert (w.open_time >= 2 * 7 * 60 * 5 - 1e-6).all()


def test_a_free_window_calls_the_longest_waiting_ticket_of_its_services():
    scenario = day_scenario(
        services={
            "a": {"window_time": {"dist": "exponential", "mean": 6}},
            "b": {"window_time": {"dist": "exponential", "mean": 6}},
        },
        demand=[{"service": "a", "per_hour": 9}, {"service": "b", "per_hour": 9}],
        windows=[{"name": "w", "count": 3, "serves": ["a", "b"]}],
    )
    v = wsim.simulate(scenario, replications=2, seed=5).visits
    for _, day in served(v).groupby(["replication", "day"]):
        order = day.sort_values("start")
        # One shared line: calls happen in ticket order, whatever the service.
        assert order.arrival.is_monotonic_increasing


def test_priority_stream_is_called_first():
    scenario = day_scenario(
        demand=[
            {"service": "s1", "per_hour": 12},
            {"service": "s1", "per_hour": 2, "name": "appointments", "priority": 1},
        ],
        windows=[{"name": "w", "count": 2, "serves": ["s1"]}],
    )
    v = served(wsim.simulate(scenario, replications=5, seed=6).visits)
    wait = (v.start - v.arrival).groupby(v.stream).mean()
    assert wait["appointments"] < 0.3 * wait.drop("appointments").iloc[0]


def test_balking_happens_exactly_when_the_line_is_full():
    scenario = day_scenario(
        demand=[{"service": "s1", "per_hour": 20}],
        citizens={"balk_at": 4},
    )
    results = wsim.simulate(scenario, replications=2, seed=8)
    for _, rep in results.visits.groupby("replication"):
        waiting = present_at(rep, "s1", rep.arrival.to_numpy())
        balked = (rep.outcome == "balked").to_numpy()
        assert balked.any()
        assert (waiting[balked] >= 4).all()
        assert (waiting[~balked] < 4).all()
    assert results.kpis.hall_balk_rate.gt(0).all()


def test_patience_abandons_and_service_speed_scales_window_time():
    scenario = day_scenario(
        services={"s1": {"window_time": {"dist": "fixed", "value": 10}}},
        demand=[{"service": "s1", "per_hour": 15}],
        windows=[{"name": "w", "count": 2, "serves": ["s1"], "speed": {"s1": 0.8}}],
        citizens={"patience": {"dist": "fixed", "value": 20}},
    )
    results = wsim.simulate(scenario, replications=2, seed=2)
    v = results.visits
    gone = v[v.outcome == "abandoned"]
    assert len(gone)
    assert np.allclose(gone.end - gone.arrival, 20)
    assert gone.start.isna().all()
    np.testing.assert_allclose(served(v).end - served(v).start, 12.5)
    assert (served(v).start - served(v).arrival <= 20 + 1e-9).all()


def test_orphaned_tickets_at_closing_get_a_clerk_back():
    scenario = day_scenario(
        windows=[{"name": "w", "serves": ["s1"], "schedule": {"08:30": 1, "16:30": 0}}],
        demand=[{"service": "s1", "per_hour": 10}],
    )
    v = wsim.simulate(scenario, replications=2, seed=1).visits
    assert (v.outcome == "served").all()
    assert ((v.start % 1440) >= CLOSE).any()


def test_small_hall_example_runs():
    results = wsim.simulate(EXAMPLES / "small_hall.yaml", replications=2, seed=0)
    summary = results.summary()
    assert 0.5 < summary.loc["window_utilization", "mean"] < 1.0
    assert summary.loc["hall_arrivals", "n"] == 2
    overlay = wsim.simulate(EXAMPLES / "small_hall_more_windows.yaml", replications=2, seed=0)
    assert overlay.kpis.hall_wait_mean.mean() <= results.kpis.hall_wait_mean.mean()
