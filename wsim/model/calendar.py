"""The days of a replication: which calendar days the hall opens, and where each one starts.

The clock is minutes from the start of the first simulated day; day k of the calendar starts
at ``k * MINUTES_PER_DAY``, and the clock keeps running through closed days.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsim.scenario.calendar import WEEKDAYS, Calendar, Weekday
from wsim.scenario.units import MINUTES_PER_DAY


@dataclass(frozen=True)
class Day:
    """One day of the calendar: its index, clock start (minutes) and weekday name."""

    index: int
    start: float
    weekday: Weekday


def open_days(calendar: Calendar) -> list[Day]:
    """The calendar days the hall is open (days mode), or every day of the horizon (continuous).

    Days mode counts `calendar.days` open days, skipping closed weekdays; the clock keeps
    running through closed days, so day k of a Monday start is at k * 1440 minutes.
    """
    first = WEEKDAYS.index(calendar.start)
    days: list[Day] = []
    c = 0
    if calendar.mode == "continuous":
        assert calendar.horizon is not None  # required in continuous mode (validated)
        while c * MINUTES_PER_DAY < calendar.horizon:
            days.append(Day(c, c * MINUTES_PER_DAY, WEEKDAYS[(first + c) % 7]))
            c += 1
        return days
    while len(days) < calendar.days:
        weekday = WEEKDAYS[(first + c) % 7]
        if weekday in calendar.weekdays:
            days.append(Day(len(days), c * MINUTES_PER_DAY, weekday))
        c += 1
    return days


def hall_days(calendar: Calendar, drain: bool) -> list[Day]:
    """The days the hall opens: the arrival days and, with `drain`, the days after them.

    With `drain`, the open days within `calendar.drain` minutes after the arrival days follow, when
    citizens of started cases still come back.
    """
    days = open_days(calendar)
    if not drain or calendar.mode == "continuous":
        return days
    first = WEEKDAYS.index(calendar.start)
    end = days[-1].start + MINUTES_PER_DAY + calendar.drain
    c = int(days[-1].start // MINUTES_PER_DAY) + 1
    while c * MINUTES_PER_DAY < end:
        weekday = WEEKDAYS[(first + c) % 7]
        if weekday in calendar.weekdays:
            days.append(Day(len(days), c * MINUTES_PER_DAY, weekday))
        c += 1
    return days
