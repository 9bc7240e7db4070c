"""A portal open around the clock, pre-reviewed by staff who work 09:00-17:00 on weekdays.

The hand calculation. Submissions arrive as a Poisson process of 4 an hour (96 a day, flat
profile) on every calendar day from Monday 00:00 of week 1 to Saturday 00:00 of week 2 (12 days,
288 h; the arrival days are 10 working days). A review takes 1 minute and there are more
reviewers than submissions can pile up, so a submission waits exactly until the next working
minute: the backlog at 09:00 is everything submitted since the last closing.

- Waiting at 09:00: 9 h x 4 = 36 on the first Monday, 64 h x 4 = 256 on the Monday after the
  weekend, 16 h x 4 = 64 on the other working days.
- Mean delay from submission to the end of the review: a submission at a uniform time of the
  288 h waits w(t) until the next working time; the integral of w over the arrival span is the
  sum of g^2/2 over the closed gaps g: 9^2/2 (the first morning) + 8 x 16^2/2 (the weeknights)
  + 64^2/2 (the weekend) + (64^2 - 57^2)/2 (the last Friday evening, 7 h waiting until Monday)
  = 40.5 + 1024 + 2048 + 423.5 = 3536 h^2, so the mean is 3536 / 288 h + 1 min = 12.294 h.
"""

from __future__ import annotations

import numpy as np
import pytest

from wsim.experiment.replication import replicate
from wsim.model.replication import run_replication
from wsim.scenario import ScenarioError, load_scenario

RATE = 4 / 60  # submissions per minute
HAND_MEAN_DELAY_H = 3536 / 288 + 1 / 60


def portal(**channel) -> dict:
    """Mon-Fri 09:00-17:00, 10 open days, a 24-h portal reviewed by a department."""
    return {
        "name": "night portal",
        "calendar": {"days": 10, "open": "09:00", "close": "17:00"},
        "services": {"e": {"window_time": 5, "channels": {"online": "full"}, "result": "online"}},
        "demand": [{"service": "e", "channel": "online", "per_day": 96}],
        "windows": [{"name": "w", "count": 1, "serves": ["e"]}],
        "channels": {
            "online": {
                "hours": "00:00-24:00",
                "days": "all",
                "pre_review": 1,
                "review": {"department": "reviewers"},
                **channel,
            }
        },
        "departments": {"reviewers": {"staff": 400}},
    }


def _next_working_minute(times: np.ndarray) -> np.ndarray:
    """The first minute at or after each time inside Mon-Fri 09:00-17:00 (day 0 a Monday)."""
    result = []
    for t in times:
        day, minute = divmod(float(t), 1440.0)
        while day % 7 >= 5 or minute >= 1020:  # a weekend day, or after closing
            day, minute = day + 1, 0.0
        result.append(day * 1440 + max(minute, 540.0))
    return np.array(result)


def test_each_review_starts_at_the_next_working_minute():
    log = run_replication(load_scenario(portal()), seed=4, replication=0)
    reviews = log.cases.reviews
    submitted, started, ended = reviews.T
    assert submitted.size > 1000
    assert submitted.max() < 12 * 1440  # every calendar day up to the last Friday's end
    assert (submitted % 1440 < 540).any()  # and at night
    assert np.array_equal(started, _next_working_minute(submitted))
    before_last_minute = started % 1440 <= 1019
    assert np.allclose((ended - started)[before_last_minute], 1.0)
    assert (ended - started)[~before_last_minute].min() > 16 * 60  # finished the next morning


def test_backlog_at_nine_matches_the_hand_calculation():
    scenario = load_scenario(portal())
    reps = 40
    waiting = {"first monday": [], "monday": [], "weekday": []}
    for r in range(reps):
        submitted, started, _ = run_replication(scenario, seed=9, replication=r).cases.reviews.T
        for day in [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]:
            nine = day * 1440 + 540
            backlog = int(((submitted < nine) & (started >= nine)).sum())
            kind = "first monday" if day == 0 else "monday" if day % 7 == 0 else "weekday"
            waiting[kind].append(backlog)
    expected = {"first monday": 9 * 60 * RATE, "monday": 64 * 60 * RATE, "weekday": 16 * 60 * RATE}
    for kind, counts in waiting.items():
        # Poisson counts: the mean of n of them is within 4 standard deviations, sqrt(m / n)
        m = expected[kind]
        assert abs(np.mean(counts) - m) < 4 * np.sqrt(m / len(counts)), kind


def test_mean_pre_review_delay_matches_the_hand_calculation():
    scenario = load_scenario(portal())
    delays = []
    kpi = []
    for r in range(20):
        rep = replicate(scenario, seed=11, replication=r)
        kpi.append(rep.kpis["pre_review_delay_h_mean"])
        submitted, _, ended = run_replication(scenario, seed=11, replication=r).cases.reviews.T
        delays.append((ended - submitted) / 60)
    delays = np.concatenate(delays)
    # given their number, a Poisson process's points are independent and uniform: the mean of
    # the delays is within 4 standard errors of the hand calculation
    tolerance = 4 * delays.std(ddof=1) / np.sqrt(delays.size)
    assert abs(delays.mean() - HAND_MEAN_DELAY_H) < tolerance
    assert np.mean(kpi) == pytest.approx(delays.mean(), rel=0.02)  # per-replication means


def test_without_own_hours_the_portal_keeps_the_halls_hours():
    spec = portal(hours=None, days="open")
    spec["channels"]["online"] = {
        k: v for k, v in spec["channels"]["online"].items() if v is not None
    }
    submitted = run_replication(load_scenario(spec), seed=4, replication=0).cases.reviews[:, 0]
    minute = submitted % 1440
    assert ((minute >= 540) & (minute < 1020)).all()
    assert ((submitted // 1440) % 7 < 5).all()


def test_hours_only_on_open_days():
    spec = portal(hours="06:00-22:00", days="open")
    submitted = run_replication(load_scenario(spec), seed=4, replication=0).cases.reviews[:, 0]
    minute = submitted % 1440
    assert ((minute >= 360) & (minute < 1320)).all()
    assert (minute < 540).any()
    assert ((submitted // 1440) % 7 < 5).all()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"review": {"department": "reviwers"}}, "channels.online.review.department"),
        ({"pre_review": None}, "channels.online.review"),
        ({"hours": "22:00-06:00"}, "channels.online.hours"),
        ({"hours": "all day"}, "channels.online.hours"),
    ],
)
def test_channel_mistakes_are_named(change, field):
    spec = portal(**change)
    spec["channels"]["online"] = {
        k: v for k, v in spec["channels"]["online"].items() if v is not None
    }
    with pytest.raises(ScenarioError) as error:
        load_scenario(spec)
    assert field in str(error.value)
