"""Time arithmetic at the edges: exact boundaries, tiny work, and times past the end of a run.

`Intervals.advance` must never return a time before the one it starts from (a negative SimPy
timeout), must end work that exactly fills an interval at that interval's end, and must say
None for work that cannot be done before the intervals end. A journey whose pre-review or
citizen's delay ends after the last simulated day keeps its case in progress.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path

import numpy as np
import pytest
import simpy
import yaml
from hypothesis import given
from hypothesis import strategies as st

import wsim
from wsim.model.backoffice import Department
from wsim.model.timeline import Intervals
from wsim.scenario import Handoffs

ROOT = Path(__file__).resolve().parents[1]
JOURNEYS = ROOT / "scenarios" / "examples" / "small_journeys.yaml"
TWO_DAYS = Intervals([(540.0, 1020.0), (1980.0, 2460.0)])  # 09:00-17:00 on two days


def test_advance_inside_one_interval_is_t_plus_amount():
    assert TWO_DAYS.advance(600.0, 60.0) == 660.0
    assert TWO_DAYS.advance(1980.0, 1e-12) == 1980.0 + 1e-12


def test_advance_that_fills_an_interval_ends_at_its_end():
    assert TWO_DAYS.advance(1000.0, 20.0) == 1020.0  # not the next morning
    assert TWO_DAYS.advance(0.0, 480.0) == 1020.0  # from before the first interval
    assert TWO_DAYS.advance(1500.0, 480.0) == 2460.0  # from a gap: the whole second day


def test_advance_across_a_gap_continues_the_next_morning():
    assert TWO_DAYS.advance(1000.0, 30.0) == 1990.0  # 20 min today, 10 tomorrow
    assert TWO_DAYS.advance(1020.0, 30.0) == 2010.0  # starting at closing time


def test_advance_from_the_start_of_a_late_interval_with_tiny_work():
    # the cumulative time before 100000 is 30000 min: 30000 + 1e-13 == 30000 in floats, which
    # used to put the end of the work at the end of the previous interval (before t)
    late = Intervals([(0.0, 30000.0), (100000.0, 130000.0)])
    assert late.advance(100000.0, 1e-13) == 100000.0
    assert late.advance(100000.0, 1e-13) >= 100000.0


def test_advance_past_the_end_is_none():
    assert TWO_DAYS.advance(2460.0, 1.0) is None  # at the very end
    assert TWO_DAYS.advance(5000.0, 1.0) is None  # after it
    assert TWO_DAYS.advance(2400.0, 61.0) is None  # 60 min are left
    assert TWO_DAYS.advance(2400.0, 60.0) == 2460.0
    assert TWO_DAYS.advance(5000.0, 0.0) == 5000.0  # no work: done at once


def _walk(pairs: list[tuple[int, int]], t: int, amount: int) -> int | None:
    """Brute force on whole minutes: step minute by minute through the intervals."""
    inside = {m for a, b in pairs for m in range(a, b)}
    if amount == 0:
        return t
    minute = t
    while minute < max(b for _, b in pairs):
        if minute in inside:
            amount -= 1
            if amount == 0:
                return minute + 1
        minute += 1
    return None


def test_advance_agrees_with_a_minute_by_minute_walk():
    rng = random.Random(7)
    for _ in range(300):
        edges = sorted(rng.sample(range(0, 200), 6))
        pairs = [(edges[i], edges[i + 1]) for i in range(0, 6, 2)]
        t, amount = rng.randrange(0, 210), rng.randrange(0, 120)
        expected = _walk(pairs, t, amount)
        assert Intervals(pairs).advance(float(t), float(amount)) == expected, (pairs, t, amount)


def test_measure_each_gives_measures_floats():
    """The array form gives, bit for bit, what measure gives pair by pair.

    A department's busy minutes are summed from it, so any difference in the last bit would
    change results. Random fractional intervals; bounds before, inside, between, exactly at the
    edges of and after them; reversed bounds; and no intervals at all.
    """
    rng = np.random.default_rng(3)
    for count in (0, 1, 7, 40):
        edges = np.sort(rng.uniform(0.0, 5000.0, 2 * count))
        intervals = Intervals(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
        a = rng.uniform(-100.0, 5100.0, 500)
        b = a + rng.uniform(-50.0, 900.0, 500)
        if count:
            at_edges = edges[np.arange(20) % edges.size]
            a[:20], b[20:40] = at_edges, at_edges
        got = intervals.measure_each(a, b).tolist()
        assert got == [intervals.measure(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)]


def _finish(department: Department, env: simpy.Environment, at: float, work: float) -> list:
    """Request `work` on `department` at time `at`; returns [(start, end)] once run."""
    times: list[tuple[float, float]] = []

    def case():
        yield env.timeout(at - env.now)
        started = yield department.request(0, work, 0.0)
        times.append((started, env.now))

    env.process(case())
    env.run()
    return times


@pytest.mark.parametrize(
    ("at", "work", "expected"),
    [
        (1020.0, 1e-12, (1980.0, 1980.0 + 1e-12)),  # at closing: the next morning
        (1980.0, 1e-12, (1980.0, 1980.0 + 1e-12)),
        (1000.0, 20.0, (1000.0, 1020.0)),  # exactly fills the day
        (1000.0, 500.0, (1000.0, 2460.0)),  # 20 min today and the whole next day
        (1000.0, 501.0, None),  # cannot finish within the calendar: stays in the backlog
    ],
)
def test_department_work_at_the_edges(at, work, expected):
    env = simpy.Environment()
    department = Department(env, "d", 1, TWO_DAYS, edf=False)
    times = _finish(department, env, at, work)
    assert times == ([] if expected is None else [expected])
    assert department.backlog == (1 if expected is None else 0)


def _journeys(**changes) -> dict:
    data = yaml.safe_load(JOURNEYS.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for path, value in changes.items():
        where = data
        *parents, last = path.split("/")
        for key in parents:
            where = where[int(key)] if isinstance(where, list) else where[key]
        where[last] = value
    return data


@pytest.mark.parametrize(
    "changes",
    [
        {"calendar/drain": 0},
        {"calendar/drain": "1d"},
        {"calendar/drain": "3d"},
        {"channels/online/pre_review": "30d"},
        {"services/biz/workflow/0/time": {"dist": "exponential", "mean": 1.0e-12}},
    ],
    ids=["drain-0", "drain-1d", "drain-3d", "long-pre-review", "tiny-step"],
)
def test_journeys_at_the_edges_run_and_keep_cases_consistent(changes):
    results = wsim.simulate(_journeys(**changes), replications=1, seed=3)
    cases = results.cases
    assert len(cases) > 0
    finished = cases[cases.state != "in_progress"]
    assert (finished.end >= finished.start).all()
    assert cases[cases.state == "in_progress"].end.isna().all()


def test_a_delay_past_the_last_day_leaves_the_case_in_progress():
    # one open day, no drain: a pickup one open day after the decision falls after the run, so
    # no biz case (workflow, then pickup) can complete; id cases (one visit) complete
    data = _journeys(**{"calendar/days": 1, "calendar/drain": 0})
    data["services"]["biz"]["pickup_delay"] = "1d"
    cases = wsim.simulate(data, replications=1, seed=0).cases
    biz, other = cases[cases.service == "biz"], cases[cases.service == "id"]
    assert len(biz) > 0
    assert set(biz.state) <= {"in_progress", "abandoned", "gave_up"}
    assert biz[biz.state == "in_progress"].end.isna().all()
    assert (other.state == "completed").any()


@given(
    now=st.floats(min_value=0, max_value=100 * 365 * 1440.0),
    every=st.floats(min_value=1 / 60, max_value=1e6),
)
def test_the_next_sync_is_never_before_now(now, every):
    sync = Handoffs(every=every).next_sync(now)
    assert now <= sync <= now + every


def test_the_next_sync_of_a_period_below_the_clock_resolution_is_now():
    handoffs = Handoffs.model_construct(every=2.5e-47, at=None)  # below the schema's bound
    assert handoffs.next_sync(1e4 + 0.1) == 1e4 + 0.1
    assert Handoffs(every="6h").next_sync(361.0) == 720.0
    assert Handoffs(every="6h").next_sync(360.0) == 360.0
