"""Journey mechanisms, each in isolation, against its expected value.

Statistical checks use a 99.9% t-interval over replications with a fixed seed (see
test_theory.py for why); exact checks use fixed times.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import (
    EXAMPLES,
    all_day_department,
    assert_cases_conserved,
    assert_in_interval,
    round_the_clock,
)

import wsim
from wsim import queueing
from wsim.model.replication import build_world
from wsim.model.timeline import Intervals


def completed(results: wsim.Results) -> pd.DataFrame:
    cases = results.cases
    return cases[(cases.state == "completed") & cases.counted]


def per_replication(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame.groupby("replication")[column].mean().to_numpy()


def test_daily_sync_gives_half_a_day_of_handoff_wait():
    """Steps ending at uniform times of day wait U(0, 24 h) for a sync every 24 h: 12 h."""
    scenario = round_the_clock(
        30,
        services={
            "s": {
                "window_time": 0,
                "department": "a",
                "workflow": [
                    {"department": "a", "time": {"dist": "exponential", "mean": 300}},
                    {"department": "b", "time": 10},
                ],
            }
        },
        departments={
            "a": all_day_department(),
            "b": all_day_department(),
        },
        handoffs={"mode": "platform", "every": "24h"},
    )
    kpis = wsim.simulate(scenario, replications=10, seed=3, workers=2).kpis
    # within 5% (36 min): a sync every 12 h, or waits counted from the wrong end, is off by 50%
    what = "handoff wait with a 24 h sync"
    assert_in_interval(kpis.handoff_wait_h_mean, 12.0, what, max_half_width=0.05)


def test_outage_share_is_mttr_over_mtbf_plus_mttr():
    mtbf, mttr = 2 * 1440.0, 360.0
    scenario = round_the_clock(
        200,
        systems={
            "portal": {
                "between": {"dist": "exponential", "mean": mtbf},
                "repair": {"dist": "exponential", "mean": mttr},
            }
        },
        services={"s": {"window_time": 0, "channels": {"online": "full"}}},
        demand=[{"service": "s", "per_hour": 0.2, "channel": "online"}],
        departments={},
        channels={"online": {"system": "portal"}},
    )
    kpis = wsim.simulate(scenario, replications=20, seed=5, workers=2).kpis
    share = kpis.outage_hours / (200 * 24)
    # about 90 outages per replication, so the share is the noisiest check here: within 15%,
    # enough to catch an outage counted twice or repairs overlapping the next failure
    what = "long-run outage share"
    assert_in_interval(share, mttr / (mtbf + mttr), what, max_half_width=0.15)


def test_incomplete_materials_give_geometric_visits():
    p = 0.3
    scenario = round_the_clock(
        20,
        services={"s": {"window_time": 5, "incomplete": p, "return_delay": "1d"}},
        departments={},
    )
    results = wsim.simulate(scenario, replications=10, seed=2, workers=2)
    done = completed(results)
    assert len(done) == len(results.cases[results.cases.counted])  # nobody gives up here
    # within 5%: a return counted without its visit, or the first visit counted twice, moves
    # the mean (1.43) by 0.3 or more
    trips = per_replication(done, "trips")
    assert_in_interval(trips, 1 / (1 - p), "visits per case", max_half_width=0.05)


def test_parallel_group_lasts_as_long_as_its_longest_branch():
    workflow = [{"parallel": [{"department": "a", "time": 60}, {"department": "b", "time": 120}]}]
    scenario = round_the_clock(
        5,
        services={"s": {"window_time": 0, "workflow": workflow}},
        departments={
            "a": all_day_department(),
            "b": all_day_department(),
        },
    )
    done = completed(wsim.simulate(scenario, replications=1, seed=1))
    np.testing.assert_allclose(done.decided - done.accepted, 120.0)


def test_parallel_group_mean_is_the_mean_of_the_maximum():
    m1, m2 = 60.0, 90.0
    workflow = [
        {
            "parallel": [
                {"department": "a", "time": {"dist": "exponential", "mean": m1}},
                {"department": "b", "time": {"dist": "exponential", "mean": m2}},
            ]
        }
    ]
    scenario = round_the_clock(
        20,
        services={"s": {"window_time": 0, "workflow": workflow}},
        departments={
            "a": all_day_department(),
            "b": all_day_department(),
        },
    )
    results = wsim.simulate(scenario, replications=10, seed=4, workers=2)
    done = completed(results).assign(span=lambda d: d.decided - d.accepted)
    expected = m1 + m2 - 1 / (1 / m1 + 1 / m2)  # E[max] of two independent exponentials
    # within 5%: the mean of the maximum is well apart from the mean of one branch or the sum
    span = per_replication(done, "span")
    assert_in_interval(span, expected, "parallel group time", max_half_width=0.05)


def test_serial_departments_with_rework_match_jackson():
    """Two single-clerk departments in tandem, rework looping back at the second.

    The first department is the accepting one, so there is no handoff and no stale data there.
    This is a Jackson network, so the mean time in the back office is (L1 + L2) / lambda with
    L_i = rho_i / (1 - rho_i) and the second node's arrival rate lambda / (1 - r).
    """
    lam, m1, m2, r = 1 / 30, 20.0, 15.0, 0.2
    workflow = [
        {"department": "a", "time": {"dist": "exponential", "mean": m1}},
        {"department": "b", "time": {"dist": "exponential", "mean": m2}},
    ]
    scenario = round_the_clock(
        60,
        demand=[{"service": "s", "per_hour": lam * 60}],
        services={"s": {"window_time": 0, "department": "a", "workflow": workflow}},
        departments={
            "a": all_day_department(1),
            "b": all_day_department(1),
        },
        handoffs={"mode": "platform", "rework": r},
    )
    results = wsim.simulate(scenario, replications=12, seed=6, workers=2)
    # Visits to the second node are geometric with mean 1 / (1 - r), each an M/M/1 sojourn at
    # the node's total arrival rate lambda / (1 - r); equivalently (L1 + L2) / lambda.
    first = queueing.mm1_sojourn_mean(lam, m1)
    second = queueing.mm1_sojourn_mean(lam / (1 - r), m2) / (1 - r)
    expected = first + second
    done = completed(results).assign(span=lambda d: d.decided - d.accepted)
    # within 10%: queues in tandem are correlated in time; without the rework loop (arrivals
    # lambda / (1 - r) at the second) the span would be 90 min instead of 110
    span = per_replication(done, "span")
    assert_in_interval(span, expected, "Jackson tandem with feedback", max_half_width=0.10)


def test_work_happens_only_in_working_hours():
    workflow = [{"department": "a", "time": {"dist": "exponential", "mean": 30}}]
    scenario = {
        "name": "office hours",
        "calendar": {"days": 10, "open": "08:30", "close": "17:00"},
        "services": {"s": {"window_time": 5, "workflow": workflow, "result": "online"}},
        "demand": [{"service": "s", "per_day": 20}],
        "windows": [{"name": "w", "count": 2, "serves": ["s"]}],
        "departments": {"a": {"staff": 4, "open": "09:00", "close": "12:00"}},
    }
    hall, journeys = build_world(wsim.load_scenario(scenario), seed=1, replication=0)
    hall.run()
    jobs = np.array(journeys.departments["a"].jobs)
    clock_start, clock_end = jobs[:, 0] % 1440, jobs[:, 1] % 1440
    assert len(jobs) > 100
    assert ((clock_start >= 540) & (clock_start < 720)).all()
    assert ((clock_end > 540) & (clock_end <= 720)).all()
    weekday = (jobs[:, 0] // 1440) % 7
    assert (weekday < 5).all()  # Monday start: no work on Saturday (5) or Sunday (6)
    # Working time consumed equals the work: a job started at 11:50 with 30 min ends at 9:20.
    working = journeys.departments["a"].working
    used = np.array([working.measure(s, e) for s, e, _ in jobs])
    np.testing.assert_allclose(used, jobs[:, 2])


def test_intervals_arithmetic():
    work = Intervals([(0, 10), (20, 30)])
    assert work.advance(5, 10) == 25
    assert work.advance(12, 3) == 23
    assert work.advance(0, 25) is None
    assert work.measure(5, 25) == 10
    assert work.next_inside(15) == 20
    assert work.next_inside(5) == 5
    gaps = work.minus(Intervals([(2, 4), (8, 22)]))
    assert list(zip(gaps.starts, gaps.ends, strict=True)) == [(0, 2), (4, 8), (22, 30)]


@pytest.mark.parametrize("policy", ["give_up", "hall", "wait"])
def test_outage_policies(policy):
    scenario = {
        "name": "outage policy",
        "calendar": {"days": 40},
        "services": {"s": {"window_time": 5, "channels": {"online": "full", "hall": "full"}}},
        "demand": [{"service": "s", "per_day": 40, "channel": "online"}],
        "windows": [{"name": "w", "count": 2, "serves": ["s"]}],
        "systems": {"portal": {"between": "2d", "repair": "6h"}},
        "channels": {"online": {"system": "portal", "on_outage": policy}},
    }
    cases = wsim.simulate(scenario, replications=1, seed=1).cases
    hit = cases[cases.hit_by_outage]
    assert len(hit) > 0
    if policy == "give_up":
        assert (hit.state == "gave_up").all()
        assert (cases[~cases.hit_by_outage].state == "completed").all()
    elif policy == "hall":
        assert (hit.trips == 1).all()
        assert (cases[~cases.hit_by_outage].trips == 0).all()
    else:
        assert (hit.state == "completed").all()
        assert (hit.trips == 0).all()
        assert ((hit.end - hit.start) > 0).all()


def test_every_case_ends_in_exactly_one_state():
    results = wsim.simulate(EXAMPLES / "small_journeys.yaml", replications=3, seed=2)
    assert_cases_conserved(results)
    # the example's cases reach both ends: some complete, some are given up at the window
    assert {"completed", "abandoned"} <= set(results.cases.state)
    assert (results.visits.case >= 0).all()  # every ticket is a case's visit
    again = wsim.simulate(EXAMPLES / "small_journeys.yaml", replications=3, seed=2)
    pd.testing.assert_frame_equal(results.cases, again.cases)


def test_two_steps_of_one_department_keep_their_own_times():
    workflow = [
        {"department": "a", "time": 10},
        {"department": "b", "time": 1},
        {"department": "a", "time": 100},
    ]
    scenario = round_the_clock(
        2,
        services={"s": {"window_time": 0, "workflow": workflow}},
        departments={
            "a": all_day_department(),
            "b": all_day_department(),
        },
    )
    hall, journeys = build_world(wsim.load_scenario(scenario), seed=1, replication=0)
    hall.run()
    work = sorted({job[2] for job in journeys.departments["a"].jobs})
    assert work == [10.0, 100.0]
