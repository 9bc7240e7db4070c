"""The days of a replication: which calendar days the hall opens, their type, hours and start.

The clock is minutes from the start of the first simulated day; day k of the calendar starts
at ``k * MINUTES_PER_DAY``, and the clock keeps running through closed days. A calendar day is
open when it is a make-up working day, or not a holiday and its weekday belongs to a day type
(see :mod:`wsim.scenario.calendar`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from wsim.scenario.calendar import DEFAULT_DAY_TYPE, WEEKDAYS, Calendar, Weekday
from wsim.scenario.units import MINUTES_PER_DAY


@dataclass(frozen=True)
class Day:
    """One day of the calendar.

    `index` counts the open days (continuous mode: the calendar days), `start` is the clock
    minute the calendar day starts, `weekday` its name, `day_type` the kind of day, `open` and
    `close` the hall's hours (minutes after midnight), `working` whether it is a working day
    (deadlines count these; departments work them by default), `date` the real date when the
    calendar has a ``start_date``.
    """

    index: int
    start: float
    weekday: Weekday
    day_type: str = DEFAULT_DAY_TYPE
    open: float = 0.0
    close: float = MINUTES_PER_DAY
    working: bool = True
    date: datetime.date | None = None

    @property
    def calendar_day(self) -> int:
        """The day's number on the calendar (0 for the first simulated day)."""
        return int(self.start // MINUTES_PER_DAY)


class CalendarDays:
    """What the calendar says about each calendar day: open or not, type, hours, working."""

    def __init__(self, calendar: Calendar):
        self.calendar = calendar
        self._first = WEEKDAYS.index(calendar.first_weekday)
        self._holidays = set(calendar.holidays)
        self._workdays = {w.date: w.day_type for w in calendar.workdays}

    def weekday(self, c: int) -> Weekday:
        """The weekday of calendar day `c`."""
        return WEEKDAYS[(self._first + c) % 7]

    def date(self, c: int) -> datetime.date | None:
        """The date of calendar day `c` (None without a start date)."""
        start = self.calendar.start_date
        return None if start is None else start + datetime.timedelta(days=c)

    def day(self, c: int, index: int) -> Day | None:
        """Calendar day `c` as the `index`-th open day, or None when the hall is closed on it."""
        weekday = self.weekday(c)
        date = self.date(c)
        if date is not None and date in self._workdays:
            day_type, working = self._workdays[date], True
        elif date is not None and date in self._holidays:
            return None
        else:
            ordinary = self.calendar.day_type_of(weekday)
            if ordinary is None:
                return None
            day_type, working = ordinary, weekday in self.calendar.weekdays
        open_, close = self.calendar.hours(day_type)
        start = c * MINUTES_PER_DAY
        return Day(index, start, weekday, day_type, open_, close, working, date)


def open_days(calendar: Calendar) -> list[Day]:
    """The calendar days the hall is open (days mode), or every day of the horizon (continuous).

    Days mode counts `calendar.days` open days, skipping closed days; the clock keeps running
    through closed days, so day k of a Monday start is at k * 1440 minutes.
    """
    week = CalendarDays(calendar)
    days: list[Day] = []
    c = 0
    if calendar.mode == "continuous":
        assert calendar.horizon is not None  # required in continuous mode (validated)
        while c * MINUTES_PER_DAY < calendar.horizon:
            days.append(Day(c, c * MINUTES_PER_DAY, week.weekday(c)))
            c += 1
        return days
    while len(days) < calendar.days:
        day = week.day(c, len(days))
        if day is not None:
            days.append(day)
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
    week = CalendarDays(calendar)
    end = days[-1].start + MINUTES_PER_DAY + calendar.drain
    c = days[-1].calendar_day + 1
    while c * MINUTES_PER_DAY < end:
        day = week.day(c, len(days))
        if day is not None:
            days.append(day)
        c += 1
    return days


def calendar_days(calendar: Calendar, last: int) -> list[tuple[int, Weekday, Day | None]]:
    """Every calendar day 0..`last`: its number, weekday and open day (None when closed).

    Remote channels open on every day (``days: all``) use this to place their arrivals.
    """
    week = CalendarDays(calendar)
    opened = {day.calendar_day: day for day in open_days(calendar)}
    return [(c, week.weekday(c), opened.get(c)) for c in range(last + 1)]
