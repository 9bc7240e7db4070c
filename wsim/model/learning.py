"""Clerks' experience, training absences and turnover in the hall (see wsim.scenario.learning).

The hall keeps, per window group with a learning curve, one :class:`Experience`: per clerk the
number of citizens called since the clerk started (or the clock minute the clerk started, for
a curve in weeks), in plain lists indexed by the clerk's number, so that a call costs a list
update and one evaluation of the curve. Training sessions and departures are exogenous: they
are worked out before the run (:func:`training_changes`, :func:`departures`).
"""

from __future__ import annotations

from wsim.model.calendar import Day
from wsim.scenario.learning import MINUTES_PER_WEEK, LearningCurve, TrainingSession
from wsim.streams import Draw

#: Minutes in a year of the calendar (365 days), the unit of turnover rates.
MINUTES_PER_YEAR = 365 * 1440.0


class Experience:
    """The experience of the clerks of one window group on a learning curve."""

    def __init__(self, curve: LearningCurve, clerks: int, services: frozenset[int] | None):
        self.multiplier = curve.multiplier()
        self.weeks = curve.unit == "weeks"
        #: The services the curve applies to (None: all the group serves).
        self.services = services
        #: Per clerk: citizens called since starting (unit citizens; starts at `experience`).
        self.called = [curve.experience] * clerks
        #: Per clerk: the clock minute the clerk started (unit weeks; before the run's start).
        self.started = [-curve.experience * MINUTES_PER_WEEK] * clerks

    def factor(self, c: int, s: int, now: float) -> float:
        """The multiplier of the window time of clerk `c` calling a citizen of `s` at `now`.

        Counts the call as the clerk's experience (after the factor is worked out).
        """
        if self.weeks:
            n = (now - self.started[c]) / MINUTES_PER_WEEK
        else:
            n = self.called[c]
            self.called[c] = n + 1
        services = self.services
        if services is not None and s not in services:
            return 1.0
        return self.multiplier(n)

    def replace(self, c: int, now: float) -> None:
        """Clerk `c` left at `now`: a beginner (experience 0) takes the window."""
        self.called[c] = 0.0
        self.started[c] = now


def training_changes(
    sessions: tuple[TrainingSession, ...], days: list[Day], clip: bool
) -> list[tuple[float, int]]:
    """The changes in windows away for training: ``(clock minute, +k or -k)``, sorted by time.

    With `clip` (days mode) a session is cut to the day's opening hours; an empty one is left
    out. At equal times the returns (-k) come before the departures (+k).
    """
    changes = []
    for day in days:
        for session in sessions:
            if not session.applies(day.index, day.weekday):
                continue
            lo, hi = session.start, session.end
            if clip:
                lo, hi = max(lo, day.open), min(hi, day.close)
            if lo < hi:
                changes += [(day.start + lo, session.windows), (day.start + hi, -session.windows)]
    return sorted(changes)


def departures(
    gap: Draw, per_year: float, clerks: list[int], end: float
) -> list[tuple[float, int]]:
    """The times clerks leave before `end`: ``(clock minute, clerk)``, sorted by time.

    Each clerk leaves at `per_year` departures a year (a Poisson process: exponential gaps of
    mean one year over `per_year`, drawn from `gap`, Exp(1) draws, clerk after clerk).
    """
    mean = MINUTES_PER_YEAR / per_year
    times = []
    for c in clerks:
        t = gap() * mean
        while t < end:
            times.append((t, c))
            t += gap() * mean
    return sorted(times)
