"""The weekly calendar: day types with their own hours, schedules and demand; holidays; workdays.

The proofs count exactly: every ticket arrives on a day the calendar opens, inside that day's
hours; the scheduled and open window-minutes per day type are the calendar's hours times the
schedule's counts; a holiday has no ticket and a make-up day has tickets. The volumes per day
type are checked against the expected Poisson counts with a stated tolerance.
"""

from __future__ import annotations

import datetime
import itertools

import numpy as np
import pytest

import wsim
from wsim.metrics.hourly import hourly_profile, scheduled_minutes
from wsim.model.calendar import open_days
from wsim.model.replication import run_replication
from wsim.scenario import ScenarioError, load_scenario

#: 2026-03-02 is a Monday; 2026-03-06 a Friday (holiday here), 2026-03-08 a Sunday (make-up).
START = datetime.date(2026, 3, 2)


def week(**calendar) -> dict:
    """A hall open Mon-Fri 09:00-17:00, Saturday 09:00-12:00 and Thursday until 19:00."""
    return {
        "name": "week",
        "calendar": {
            "days": 12,
            "start_date": "2026-03-02",
            "open": "09:00",
            "close": "17:00",
            "day_types": {
                "saturday": {"weekdays": ["sat"], "open": "09:00", "close": "12:00"},
                "late_thursday": {"weekdays": ["thu"], "close": "19:00"},
            },
            "holidays": ["2026-03-06"],
            "workdays": [{"date": "2026-03-08", "as": "default"}],
            **calendar,
        },
        "services": {"s": {"window_time": {"dist": "exponential", "mean": 5}}},
        "demand": [
            {
                "service": "s",
                "per_day": 80,
                "day_factors": {"saturday": 0.5},
                "weekday_factors": {"mon": 1.5},
            }
        ],
        "windows": [
            {
                "name": "w",
                "serves": ["s"],
                "schedule": {"09:00": 2, "12:00": 1, "13:00": 2},
                "day_schedules": {"saturday": {"09:00": 3}, "late_thursday": 4},
            }
        ],
    }


def test_days_of_a_weekly_calendar():
    days = open_days(load_scenario(week()).calendar)
    dates = [START + datetime.timedelta(days=d.calendar_day) for d in days]
    assert datetime.date(2026, 3, 6) not in dates  # the holiday
    assert [(d.weekday, d.day_type, d.open, d.close, d.working) for d in days[:7]] == [
        ("mon", "default", 540, 1020, True),
        ("tue", "default", 540, 1020, True),
        ("wed", "default", 540, 1020, True),
        ("thu", "late_thursday", 540, 1140, True),
        ("sat", "saturday", 540, 720, False),
        ("sun", "default", 540, 1020, True),  # the make-up day
        ("mon", "default", 540, 1020, True),
    ]
    assert [d.date for d in days] == dates
    assert len(days) == 12


def test_tickets_only_inside_each_days_hours():
    scenario = load_scenario(week())
    days = {d.index: d for d in open_days(scenario.calendar)}
    log = run_replication(scenario, seed=3, replication=0)
    for day_index, arrival in zip(log.day, log.arrival, strict=True):
        day = days[int(day_index)]
        assert day.start + day.open <= arrival < day.start + day.close
    per_day = np.bincount(log.day, minlength=len(days))
    assert per_day.min() > 0  # every open day, the make-up Sunday too, has tickets
    friday_holiday = datetime.date(2026, 3, 6)
    assert all(d.date != friday_holiday for d in days.values())


def test_arrivals_per_day_type_match_the_calendar():
    # expected tickets per day: 80 x weekday factor x day factor; Poisson, so the count over
    # 60 replications of a day type with mean m days x 80 is within 4 standard deviations
    scenario = load_scenario(week())
    days = open_days(scenario.calendar)
    expected = {"default": 0.0, "late_thursday": 0.0, "saturday": 0.0}
    for d in days:
        factor = (1.5 if d.weekday == "mon" else 1.0) * (0.5 if d.day_type == "saturday" else 1.0)
        expected[d.day_type] += 80 * factor
    results = wsim.simulate(scenario, replications=60, seed=5)
    counts = results.visits.groupby("day_type").size() / 60
    for day_type, mean in expected.items():
        sd_of_mean = np.sqrt(mean / 60)
        assert abs(counts[day_type] - mean) < 4 * sd_of_mean, day_type


def test_open_and_scheduled_minutes_per_day_type():
    scenario = load_scenario(week())
    days = open_days(scenario.calendar)
    n = {t: sum(d.day_type == t for d in days) for t in ("default", "late_thursday", "saturday")}
    # default: 2 windows 09-12 and 13-17, 1 window 12-13 -> 2*180 + 60 + 2*240 = 900 min/day
    # late Thursday: 4 windows 09:00-19:00 = 2400; Saturday: 3 windows 09:00-12:00 = 540
    per_day = {"default": 900.0, "late_thursday": 2400.0, "saturday": 540.0}
    table = scheduled_minutes(scenario).groupby("day_type").scheduled.sum()
    for day_type, minutes in per_day.items():
        assert table[day_type] == pytest.approx(n[day_type] * minutes, abs=1e-9)
    # the hall opens exactly those minutes: shifts end at closing unless a citizen is served
    results = wsim.simulate(scenario, replications=1, seed=2)
    opened = results.windows.open_time.sum()
    overrun_bound = 60 * len(days) * 4  # no day's overrun reaches an hour at 4 windows
    assert (
        sum(n[t] * per_day[t] for t in n)
        <= opened
        < sum(n[t] * per_day[t] for t in n) + (overrun_bound)
    )
    hourly = hourly_profile(scenario, results.visits, by_day_type=True)
    saturday = hourly[hourly.day_type == "saturday"].set_index("hour")
    assert saturday.utilization[[9, 10, 11]].notna().all()
    assert saturday.utilization.drop([9, 10, 11]).isna().all()  # served after closing only
    plan = scheduled_minutes(scenario)
    assert set(plan[plan.day_type == "saturday"].hour) == {9, 10, 11}
    assert 18 in set(hourly[hourly.day_type == "late_thursday"].hour)


def test_departments_work_working_days_unless_told():
    spec = week()
    spec["services"]["s"].update(
        {"department": "d", "workflow": [{"department": "d", "time": 30}], "result": "online"}
    )
    spec["departments"] = {
        "d": {"staff": 1},
        "sat": {
            "staff": 1,
            "day_types": ["saturday"],
            "day_hours": {"saturday": {"close": "11:00"}},
        },
    }
    from wsim.model.replication import build_world

    hall, journeys = build_world(load_scenario(spec), seed=0, replication=0)
    days = hall.days
    working = journeys.departments["d"].working
    saturday = next(d for d in days if d.day_type == "saturday")
    thursday = next(d for d in days if d.day_type == "late_thursday")
    assert working.measure(saturday.start, saturday.start + 1440) == 0
    assert working.measure(thursday.start, thursday.start + 1440) == 1140 - 540
    weekend = journeys.departments["sat"].working
    assert weekend.measure(saturday.start, saturday.start + 1440) == 660 - 540
    assert weekend.measure(thursday.start, thursday.start + 1440) == 0


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"holidays": ["2026-03-06"], "start_date": None}, "calendar.holidays", "start_date"),
        ({"start": "tue"}, "calendar.start", "is a mon"),
        (
            {"day_types": {"a": {"weekdays": ["sat"]}, "b": {"weekdays": ["sat"]}}},
            "calendar.day_types.b.weekdays",
            "already",
        ),
        (
            {"workdays": [{"date": "2026-03-08", "as": "sunday"}]},
            "calendar.workdays[0].as",
            "day type",
        ),
        (
            {"day_types": {"default": {"close": "18:00"}}},
            "calendar.day_types.default",
            "another name",
        ),
        ({"day_types": {"short": {"open": "17:30"}}}, "calendar.day_types.short.close", "later"),
    ],
)
def test_calendar_mistakes_are_named(change, field, words):
    spec = week()
    spec["calendar"].update(change)
    spec["calendar"] = {k: v for k, v in spec["calendar"].items() if v is not None}
    spec["windows"][0].pop("day_schedules")
    spec["demand"][0].pop("day_factors")
    with pytest.raises(ScenarioError) as error:
        load_scenario(spec)
    assert field in str(error.value)
    assert words in str(error.value)


def test_unknown_day_types_in_parts_are_named():
    spec = week()
    spec["windows"][0]["day_schedules"] = {"sunday": 1}
    spec["demand"][0]["day_factors"] = {"saturdy": 0.3}
    with pytest.raises(ScenarioError) as error:
        load_scenario(spec)
    text = str(error.value)
    assert "windows[0].day_schedules.sunday" in text
    assert "demand[0].day_factors.saturdy" in text
    assert "did you mean 'saturday'" in text


def test_a_profile_closed_on_a_day_type_is_an_error():
    spec = week()
    spec["profiles"] = {"afternoon": {"09:00": 0, "13:00": 1}}
    spec["demand"][0]["profile"] = "afternoon"
    spec["demand"][0]["day_factors"] = {}
    with pytest.raises(ScenarioError, match="saturday: 0"):
        load_scenario(spec)
    spec["demand"][0]["day_factors"] = {"saturday": 0}
    assert load_scenario(spec).demand[0].day_factors == {"saturday": 0}


def test_weekly_calendar_round_trips():
    scenario = load_scenario(week())
    again = load_scenario(scenario.to_dict())
    assert again.digest() == scenario.digest()


def test_citizens_come_only_on_days_their_service_is_served():
    spec = week()
    spec["services"]["r"] = {
        "window_time": 5,
        "incomplete": 0.5,
        "return_delay": {"dist": "uniform", "min": "1d", "max": "3d"},
    }
    spec["demand"].append({"service": "r", "per_day": 40, "day_factors": {"saturday": 0}})
    spec["windows"].append(
        {"name": "returns", "serves": ["r"], "count": 1, "day_schedules": {"saturday": 0}}
    )
    log = run_replication(load_scenario(spec), seed=1, replication=0)
    saturday = np.array([t == "saturday" for t in log.day_type])[log.day]
    returns = log.service == log.service_names.index("r")
    assert returns.sum() > 300
    assert not (returns & saturday).any()  # returns skip the Saturday: no window serves them
    assert (~returns & saturday).sum() > 10  # while s is served on Saturdays


def test_a_citizens_delay_counts_only_the_days_their_service_is_served():
    # return_delay of exactly 1 day: from a Friday the citizen of r (not served on Saturdays)
    # comes back on Monday at the same time, from Monday-Thursday on the next day
    spec = week()
    spec["calendar"]["holidays"] = []
    spec["calendar"]["workdays"] = []
    spec["services"]["r"] = {"window_time": 5, "incomplete": 0.5, "return_delay": "1d"}
    spec["demand"].append({"service": "r", "per_day": 40, "day_factors": {"saturday": 0}})
    spec["windows"].append(
        {"name": "returns", "serves": ["r"], "count": 2, "day_schedules": {"saturday": 0}}
    )
    log = run_replication(load_scenario(spec), seed=2, replication=0)
    r = log.service == log.service_names.index("r")
    checked = {"friday": 0, "other": 0}
    for case in np.unique(log.case[r]):
        tickets = np.flatnonzero(r & (log.case == case))
        for first, second in itertools.pairwise(tickets):
            end = log.end[first]
            if not 540 <= end % 1440 < 1020:
                continue  # served after closing: the next visit is at a random time
            friday = (end // 1440) % 7 == 4
            assert log.arrival[second] - end == pytest.approx(1440 * (3 if friday else 1))
            checked["friday" if friday else "other"] += 1
    assert checked["friday"] > 10
    assert checked["other"] > 50
