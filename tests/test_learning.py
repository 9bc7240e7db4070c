"""Clerks who learn, leave for training and are replaced: each mechanism against its definition.

- Learning: with a fixed window time every service time is known in advance, so the k-th
  citizen a clerk calls must take exactly ``base x m(k - 1)`` (the curve of
  :mod:`wsim.scenario.learning`), read from the visit log clerk by clerk; in weeks, the
  multiplier at the start time of the call. With random window times the log-ratio of a
  service time to its standard time, regressed on experience, gives the curve back.
- Training: a session that takes k windows off removes exactly k x its length window-minutes
  from the group's open time (a hall without citizens, so that no clerk finishes a citizen
  first), and while it runs only count - k windows are open.
- Turnover: departures form a Poisson process, so their number over a long horizon is Poisson
  with mean rate x clerks x time.
- Without learning (start 1) and without the new fields, every number is the same.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import one_service_hall
from scipy import stats
from scipy.optimize import curve_fit

import wsim
from wsim.model.hall import Hall
from wsim.model.learning import MINUTES_PER_YEAR
from wsim.model.logs import HallLog
from wsim.model.states import TicketState
from wsim.scenario import ScenarioError
from wsim.scenario.learning import MINUTES_PER_WEEK, LearningCurve
from wsim.scenario.units import parse_clock


def hall_with(window: dict, days: int = 3, **changes) -> dict:
    """The one-service hall (12 citizens an hour) with one window group `window` over `days`."""
    base = {"name": "w", "serves": ["s1"]}
    return one_service_hall(days=days, windows=[{**base, **window}], **changes)


def served_by_clerk(visits: pd.DataFrame):
    """Per clerk, its served tickets in the order it called them."""
    served = visits[visits.outcome == "served"].sort_values("start", kind="stable")
    return served.groupby("clerk")


def curve_of(spec: dict):
    return LearningCurve.model_validate(spec).multiplier()


@pytest.mark.parametrize("form", ["exponential", "power", "linear"])
def test_each_service_time_is_base_times_the_curve(form):
    spec = {"start": 1.6, "after": 40, "form": form}
    base = 5.0
    scenario = hall_with(
        {"count": 3, "learning": spec},
        services={"s1": {"window_time": {"dist": "fixed", "value": base}}},
    )
    visits = wsim.simulate(scenario, replications=1, seed=3).visits
    # the forms as docs/clerks.md states them, written out here independently of the model
    stated = {
        "exponential": lambda n: 1 + 0.6 * np.exp(-n * np.log(20) / 40),
        "power": lambda n: np.where(n < 40, 1.6 * (n + 1.0) ** -(np.log(1.6) / np.log(41)), 1),
        "linear": lambda n: np.where(n < 40, 1.6 - 0.6 * n / 40, 1),
    }[form]
    checked = 0
    for _, tickets in served_by_clerk(visits):
        k = np.arange(len(tickets), dtype=float)  # experience when called: 0, 1, 2, ...
        # end - start of clock times of a few thousand minutes: exact to float rounding
        np.testing.assert_allclose(tickets.end - tickets.start, base * stated(k), atol=1e-9)
        checked += len(tickets)
    assert checked == (visits.outcome == "served").sum() > 200
    assert len(visits.clerk.unique()) == 3  # every clerk has its own count
    # the curve's stated points: start at 0, full speed (or 95% of the way) at `after`
    m = curve_of(spec)
    assert m(0) == pytest.approx(1.6)
    assert m(40) - 1 == pytest.approx(0.6 / 20 if form == "exponential" else 0.0)


def test_a_curve_in_weeks_uses_the_time_since_the_clerk_started():
    spec = {"start": 1.3, "after": 2, "unit": "weeks", "experience": 0.5}
    scenario = hall_with(
        {"count": 2, "learning": spec},
        days=15,
        services={"s1": {"window_time": {"dist": "fixed", "value": 4.0}}},
    )
    visits = wsim.simulate(scenario, replications=1, seed=4).visits
    served = visits[visits.outcome == "served"]
    m = curve_of(spec)
    weeks = served.start / MINUTES_PER_WEEK + 0.5
    expected = 4.0 * np.array([m(w) for w in weeks])
    np.testing.assert_allclose(served.end - served.start, expected, rtol=0, atol=1e-9)
    assert (served.end - served.start).iloc[0] > (served.end - served.start).iloc[-1] * 1.1


def test_regressing_random_service_times_on_experience_gives_the_curve_back():
    """log(time / standard time) on clerks' experience: a regression recovers start and tau.

    With lognormal window times (cv 0.5) the log of a service time is log(m(n)) plus noise
    independent of n, so a nonlinear least-squares fit of log(m) over ~4,000 services must
    find start and the exponential's tau within a few standard errors of their true values.
    """
    spec = {"start": 1.5, "after": 300, "services": ["s1"]}
    scenario = hall_with(
        {"count": 2, "learning": spec},
        days=40,
        services={"s1": {"window_time": {"dist": "lognormal", "mean": 4, "sd": 2}}},
    )
    hall, log = run_hall(scenario, seed=5)
    served = log.outcome == TicketState.SERVED
    order = np.lexsort((log.start[served], log.clerk[served]))
    clerk = log.clerk[served][order]
    ratio = ((log.end - log.start)[served] / np.array(hall.t_work)[served])[order]
    n = np.concatenate([np.arange(c) for c in np.unique(clerk, return_counts=True)[1]])
    params, cov = curve_fit(
        lambda x, start, tau: np.log1p((start - 1) * np.exp(-x / tau)),
        n,
        np.log(ratio),
        p0=(1.2, 50.0),
    )
    tau = 300 / math.log(20)
    se = np.sqrt(np.diag(cov))
    assert len(n) > 4000
    assert abs(params[0] - 1.5) < 4 * se[0]
    assert abs(params[1] - tau) < 4 * se[1]


def run_hall(scenario: dict, seed: int = 1, replication: int = 0) -> tuple[Hall, HallLog]:
    """One replication of `scenario` at the hall level: the hall (its counters) and its log."""
    hall = Hall(wsim.load_scenario(scenario), seed=seed, replication=replication)
    return hall, hall.run()


def test_a_training_session_removes_exactly_its_windows_for_its_time():
    session = {"windows": 2, "start": "14:00", "end": "16:00", "weekdays": ["tue", "thu"]}
    closing_session = {"windows": 1, "start": "16:30", "end": "18:00", "days": [0]}
    empty = [{"service": "s1", "per_hour": 0}]  # no citizen, so clerks leave on the minute
    _, log = run_hall(
        hall_with({"count": 3, "training": [session, closing_session]}, days=5, demand=empty)
    )
    _, plain = run_hall(hall_with({"count": 3}, days=5, demand=empty))
    # by hand: 5 days (Mon-Fri) x 3 windows x 510 min (08:30-17:00), less Tue and Thu
    # 2 windows x 120 min, less Monday (day 0) 1 x 30 min (16:30-17:00: cut at closing)
    assert (plain.shift_to - plain.shift_from).sum() == 5 * 3 * 510
    assert (log.shift_to - log.shift_from).sum() == 5 * 3 * 510 - 2 * 2 * 120 - 30


def open_windows_at(log: HallLog, times: np.ndarray) -> np.ndarray:
    """How many windows were open at each of `times` (from the shift log alone)."""
    return np.array([((log.shift_from <= t) & (log.shift_to > t)).sum() for t in times])


def test_while_a_session_runs_only_the_rest_of_the_windows_are_open():
    session = {"windows": 2, "start": "10:00", "end": "11:00"}
    _, log = run_hall(
        hall_with({"schedule": {"08:30": 4, "12:00": 2}, "training": [session]}, days=4)
    )
    day = np.arange(4)[:, None] * 1440.0
    # 09:59 all 4; 10:45 at most 2 (a clerk busy at 10:00 leaves when the citizen is done:
    # window times are exponential with mean 8, so by 10:45 all but e^-5.6 have; the check is
    # on the log, so a late one shows); 11:30 back to 4; 13:00 the schedule's 2
    clock = np.array([parse_clock(t) for t in ("09:59", "10:45", "11:30", "13:00")])
    counts = open_windows_at(log, (day + clock).ravel()).reshape(4, 4)
    assert (counts[:, 0] == 4).all()
    assert (counts[:, 1] == 2).all()
    assert (counts[:, 2] == 4).all()
    assert (counts[:, 3] == 2).all()


def test_turnover_replacements_are_poisson_with_rate_times_clerks_times_time():
    years, clerks, per_year = 5, 4, 0.8
    horizon = years * MINUTES_PER_YEAR
    scenario = wsim.load_scenario(
        {
            "name": "turnover",
            "calendar": {"mode": "continuous", "horizon": horizon, "warmup": 0},
            "services": {"s1": {"window_time": 8}},
            "demand": [{"service": "s1", "per_hour": 0}],
            "windows": [
                {
                    "name": "w",
                    "count": clerks,
                    "serves": ["s1"],
                    "learning": {"start": 1.2, "after": 100},
                    "turnover": {"per_year": per_year},
                }
            ],
        }
    )
    counts = []
    for replication in range(10):
        hall = Hall(scenario, seed=6, replication=replication)
        hall.run()
        times = [t for t, _ in hall.replacements]
        assert times == sorted(times)
        assert max(times) < horizon
        counts.append(len(times))
    # 10 replications of a Poisson count with mean 16: the total is Poisson(160); its 99.9%
    # interval is about 160 +- 42, so a rate off by a third (or per clerk counted once) fails
    mean = 10 * per_year * clerks * years
    low, high = stats.poisson.interval(0.999, mean)
    assert low <= sum(counts) <= high


def test_a_replaced_clerk_starts_again_from_the_beginners_speed():
    scenario = hall_with(
        {
            "count": 1,
            "learning": {"start": 2.0, "after": 10, "form": "linear"},
            "turnover": {"per_year": 12},
        },
        days=60,
        services={"s1": {"window_time": {"dist": "fixed", "value": 1.0}}},
    )
    hall, log = run_hall(scenario)
    assert hall.replacements
    served = log.outcome == TicketState.SERVED
    start, duration = log.start[served], (log.end - log.start)[served]
    m = curve_of({"start": 2.0, "after": 10, "form": "linear"})
    since = 0  # citizens called since the last replacement
    left = iter([t for t, _ in hall.replacements] + [math.inf])
    next_departure = next(left)
    for t, d in zip(start, duration, strict=True):
        while t >= next_departure:
            since, next_departure = 0, next(left)
        assert d == pytest.approx(m(since), abs=1e-9)  # end - start of clock times
        since += 1


def test_no_learning_is_bit_identical_to_no_curve():
    """A flat curve (start 1) gives the same numbers as no curve.

    An M/M/2 hall with patience, so that arrivals, window times and abandonment streams all
    play: a curve that moved any draw, event order or time would change the visit log.
    """
    plain = hall_with(
        {"count": 2}, days=4, citizens={"patience": {"dist": "exponential", "mean": 20}}
    )
    flat = hall_with(
        {"count": 2, "learning": {"start": 1.0, "after": 50, "form": "power"}},
        days=4,
        citizens={"patience": {"dist": "exponential", "mean": 20}},
    )
    a = wsim.simulate(plain, replications=3, seed=9)
    b = wsim.simulate(flat, replications=3, seed=9)
    pd.testing.assert_frame_equal(a.visits, b.visits)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    slower = hall_with({"count": 2, "learning": {"start": 1.5, "after": 50}}, days=4)
    c = wsim.simulate(slower, replications=3, seed=9)
    assert (c.kpis.hall_wait_mean > a.kpis.hall_wait_mean).all()


@pytest.mark.parametrize(
    ("window", "path", "words"),
    [
        ({"count": 2, "learning": {"start": 0.8, "after": 10}}, "learning.start", "at least 1"),
        (
            {"count": 2, "learning": {"start": 1.2, "after": 10, "services": ["s9"]}},
            "learning.services[0]",
            "s9",
        ),
        (
            {"count": 2, "training": [{"windows": 3, "start": "10:00", "end": "11:00"}]},
            "windows",
            "at most 2",
        ),
        (
            {"count": 2, "training": [{"windows": 1, "start": "11:00", "end": "10:00"}]},
            "end",
            "later",
        ),
        ({"count": 2, "turnover": {"per_year": 0.5}}, "turnover", "learning"),
    ],
)
def test_bad_people_fields_name_the_field(window, path, words):
    with pytest.raises(ScenarioError) as caught:
        wsim.load_scenario(hall_with(window))
    problems = dict(caught.value.problems)
    assert any(path in where and words in message for where, message in problems.items()), problems
