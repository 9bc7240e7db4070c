"""Clerks who learn, go to training and leave: the parts of a window group about its people.

A window group may give its clerks a **learning curve** (``learning``): a clerk's window times
are multiplied by ``m(n)``, which falls from ``start`` for a beginner to 1 (full speed) as the
clerk's experience ``n`` grows, counted in citizens the clerk has called (``unit: citizens``)
or in weeks since the clerk started (``unit: weeks``, calendar weeks of 7 days). ``after`` is
the experience at which the clerk is at full speed (or, for the exponential form, 95% of the
way there), and the ``form`` says how:

- ``exponential``: ``m(n) = 1 + (start - 1) exp(-n / tau)`` with ``tau = after / ln 20``, so
  ``m(after) - 1 = (start - 1) / 20`` (95% of the gap closed);
- ``power`` (Wright's curve): ``m(n) = start (n + 1)^(-b)`` with ``b = ln(start) / ln(after +
  1)``, so ``m(0) = start`` and ``m(after) = 1``; 1 from then on;
- ``linear``: ``m(n) = start - (start - 1) n / after`` until ``after``, 1 from then on.

The k-th citizen a clerk calls (k = 1, 2, ...) is served with experience ``n = experience +
k - 1`` (``unit: citizens``); in weeks, ``n`` is the time since the clerk started, at the
moment the citizen is called. ``experience`` is what every clerk has at the start of the run
(0: the run begins when the group is set up). ``services`` limits the curve to some of the
group's services (the complex ones a generalist must learn); a clerk's experience counts every
citizen the clerk calls.

**Training sessions** (``training``) take ``windows`` windows of the group off from ``start``
to ``end`` (clock times) on the days they apply to (``weekdays``, or ``days``: numbers of open
days counted from 0; every open day without either). During a session the group has its
scheduled count less ``windows`` open (at least 0); the windows go as at a schedule change
(idle clerks first, busy ones when their citizen is done), and a session is cut to the hall's
opening hours. A session does not advance the learning curve: it is time away from the windows.

**Turnover** (``turnover``): every clerk of the group leaves at ``per_year`` a year (a Poisson
process in calendar time, from the random stream ``turnover:<group>``) and is replaced at once
by a beginner, whose experience starts at 0. It needs a learning curve (without one a
replacement changes nothing).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import Field, model_validator

from wsim.scenario.base import Clock, FrozenModel, Unit, at_most
from wsim.scenario.calendar import Weekday
from wsim.scenario.errors import FieldProblems, Problem
from wsim.scenario.limits import MAX_CALENDAR_DAYS, MAX_WINDOWS, WINDOWS_REASON
from wsim.scenario.units import format_clock

#: Most a beginner may be slower than a trained clerk (window times 100 times longer).
MAX_START = 100.0
#: Most experience a curve may take to reach full speed (citizens or weeks).
MAX_AFTER = 1e9
#: Most departures a window may have a year: every clerk gone within a month on average (more
#: is no staff at all, and the departures are events of the run).
MAX_TURNOVER = 12.0
#: Minutes in a week of the calendar.
MINUTES_PER_WEEK = 7 * 1440.0
#: The share of the gap to full speed that the exponential form closes at ``after``.
CLOSED_AT_AFTER = 0.95

Experience = Annotated[float, Field(ge=0), at_most(MAX_AFTER, "citizens or weeks of experience")]


class LearningCurve(FrozenModel):
    """A clerk's window-time multiplier as a function of experience (see the module)."""

    start: Annotated[
        float, Field(ge=1), at_most(MAX_START, "a beginner 100 times slower than a trained clerk")
    ] = Field(description="The multiplier of a beginner's window times (>= 1; 1.5: 50% longer).")
    after: Annotated[float, Field(gt=0), at_most(MAX_AFTER, "citizens or weeks of experience")] = (
        Field(description="The experience at which the clerk is at full speed (exponential: 95%).")
    )
    form: Literal["exponential", "power", "linear"] = Field(
        "exponential", description="The shape of the curve from start to full speed."
    )
    unit: Literal["citizens", "weeks"] = Field(
        "citizens", description="Experience counts citizens called or calendar weeks."
    )
    experience: Experience = Field(
        0.0, description="Every clerk's experience at the start of the run (in `unit`)."
    )
    services: Annotated[tuple[str, ...], Field(min_length=1)] | None = Field(
        None, description="The services whose window times the curve lengthens (default: all)."
    )

    def multiplier(self) -> Callable[[float], float]:
        """``m``: the factor on window times of a clerk with experience ``n`` (>= 1).

        A function with the curve's constants worked out once: the hall calls it per citizen.
        """
        start, after, gap = self.start, self.after, self.start - 1.0
        if self.form == "exponential":
            rate = math.log(1.0 / (1.0 - CLOSED_AT_AFTER)) / after  # 1 / tau
            return lambda n: 1.0 + gap * math.exp(-n * rate)
        if self.form == "power":
            b = math.log(start) / math.log(after + 1.0)
            return lambda n: start * (n + 1.0) ** -b if n < after else 1.0
        return lambda n: start - gap * n / after if n < after else 1.0


class TrainingSession(FrozenModel):
    """Windows of a group taken off for training from `start` to `end` on some days."""

    windows: Annotated[int, Field(ge=1), at_most(MAX_WINDOWS, WINDOWS_REASON), Unit("windows")] = (
        Field(description="Windows of the group closed for the session.")
    )
    start: Clock = Field(description="Start of the session.")
    end: Clock = Field(description="End of the session (later than start).")
    weekdays: Annotated[tuple[Weekday, ...], Field(min_length=1)] | None = Field(
        None, description="The weekdays with the session (default: every open day)."
    )
    days: (
        Annotated[
            tuple[Annotated[int, Field(ge=0), at_most(MAX_CALENDAR_DAYS, "open days")], ...],
            Field(min_length=1),
        ]
        | None
    ) = Field(None, description="Numbers of the open days (from 0) with the session.")

    @model_validator(mode="after")
    def _check_session(self) -> TrainingSession:
        problems: list[Problem] = []
        if self.end <= self.start:
            problems.append(
                (
                    "end",
                    f"must be later than start ({format_clock(self.start)}), found "
                    f"{format_clock(self.end)}",
                )
            )
        if self.weekdays is not None and self.days is not None:
            problems.append(("days", "give weekdays or days, not both"))
        if problems:
            raise FieldProblems(problems)
        return self

    def applies(self, index: int, weekday: str) -> bool:
        """Whether the session takes place on open day `index`, a `weekday`."""
        if self.days is not None:
            return index in self.days
        return self.weekdays is None or weekday in self.weekdays


class Turnover(FrozenModel):
    """Clerks leaving and replaced by beginners, at `per_year` departures per clerk a year."""

    per_year: Annotated[
        float,
        Field(gt=0),
        at_most(MAX_TURNOVER, "a new clerk every month"),
        Unit("per clerk a year"),
    ] = Field(description="Departures per clerk a year; each leaver is replaced by a beginner.")
