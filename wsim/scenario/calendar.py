"""The calendar of a scenario: which days are simulated, and the hall's opening hours.

In ``days`` mode (the normal one) the hall opens on ``weekdays`` from ``open`` to ``close``
(the ``default`` day type). A weekly calendar adds, all optional:

- ``day_types``: other kinds of day, each with the weekdays it applies to and its own hours
  (``saturday: {weekdays: [sat], open: "09:00", close: "12:00"}``; a missing ``open`` or
  ``close`` is the default day's). A weekday listed in a day type is open with that type's
  hours, whether or not it is in ``weekdays``; a weekday in two day types is an error. Window
  schedules (``windows[i].day_schedules``), demand (``demand[i].day_factors``,
  ``day_profiles``) and departments (``departments.X.day_types``, ``day_hours``) can differ
  per day type.
- ``start_date``: the real date of calendar day 0 (ISO, ``2026-03-02``); its weekday is the
  start, so ``start`` need not be given. Needed for ``holidays`` and ``workdays``.
- ``holidays``: dates on which everything is closed (no tickets, no back-office work).
- ``workdays``: make-up working days, ``{date: 2026-04-12, as: default}`` (``as`` names the day
  type, ``default`` if left out; a bare date means ``as: default``), open even on a weekday
  that is normally closed.

A day whose weekday is in ``weekdays``, or a make-up working day, is a *working day*: deadlines
count working days, and departments work on working days unless they say otherwise. A
``saturday`` day type outside ``weekdays`` opens the hall without making it a working day.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from wsim.scenario.base import Clock, FrozenModel, Minutes, Unit, at_most
from wsim.scenario.errors import FieldProblems, Problem, short_repr, unknown_name_message
from wsim.scenario.limits import CALENDAR_DAYS_REASON, MAX_CALENDAR_DAYS
from wsim.scenario.units import MINUTES_PER_DAY, format_clock

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
"""The days of the week, Monday first, as scenario files name them."""

WORKWEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
DEFAULT_DAY_TYPE = "default"
"""The name of the day type given by the calendar's own ``weekdays``, ``open`` and ``close``."""


class DayType(FrozenModel):
    """A kind of open day with its own hours (a Saturday morning, a late Thursday)."""

    weekdays: tuple[Weekday, ...] = Field(
        (),
        description="The weekdays that are days of this type (open with its hours). Leave "
        "empty for a type used only by make-up working days.",
    )
    open: Clock | None = Field(
        None, description="Opening time on days of this type (default: the calendar's open)."
    )
    close: Clock | None = Field(
        None, description="Closing time on days of this type (default: the calendar's close)."
    )

    @field_validator("weekdays")
    @classmethod
    def _weekdays_once(cls, weekdays: tuple[str, ...]) -> tuple[str, ...]:
        for index, day in enumerate(weekdays):
            if day in weekdays[:index]:
                raise FieldProblems([(f"[{index}]", f"{day!r} is listed twice")])
        return tuple(sorted(weekdays, key=WEEKDAYS.index))


class Workday(FrozenModel):
    """A make-up working day: a date on which the hall opens as a day of type ``day_type``."""

    date: datetime.date = Field(description="The date (ISO, e.g. 2026-04-12).")
    day_type: str = Field(
        DEFAULT_DAY_TYPE,
        description="The day type the date is worked as (YAML: ``as``); default ``default``.",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: Any) -> Any:
        """Accept a bare date, and ``as`` for the day type (a Python keyword)."""
        if isinstance(data, (datetime.date, str)):
            return {"date": data}
        if isinstance(data, Mapping) and "as" in data:
            data = dict(data)
            if "day_type" in data:
                raise FieldProblems([("as", "give as or day_type, not both")])
            data["day_type"] = data.pop("as")
        return data


class Calendar(FrozenModel):
    """When the hall is simulated.

    ``days`` mode (the normal one) simulates ``days`` open days, each from ``open`` to
    ``close``, on the ``weekdays`` the hall opens, starting on weekday ``start``.
    ``continuous`` mode runs around the clock for ``horizon`` minutes and discards the first
    ``warmup`` minutes, for steady-state studies and checks against queueing theory.
    ``day_types``, ``start_date``, ``holidays`` and ``workdays`` make a weekly calendar
    (days mode only; see the module docstring).
    """

    mode: Literal["days", "continuous"] = Field(
        "days", description="days: open days with opening hours; continuous: around the clock."
    )
    days: Annotated[
        int, Field(ge=1), at_most(MAX_CALENDAR_DAYS, CALENDAR_DAYS_REASON), Unit("open days")
    ] = 1
    open: Clock = 510.0
    close: Clock = 1020.0
    start: Weekday = "mon"
    weekdays: Annotated[tuple[Weekday, ...], Field(min_length=1)] = WORKWEEK
    horizon: Annotated[Minutes, Field(gt=0)] | None = None
    warmup: Minutes = 0.0
    drain: Minutes = Field(
        60 * MINUTES_PER_DAY,
        description="How long after the last arrival day open cases are followed to their end.",
    )
    start_date: datetime.date | None = Field(
        None,
        description="The date of calendar day 0; its weekday is the start (replaces start). "
        "Needed for holidays and workdays.",
    )
    day_types: dict[str, DayType] = Field(
        {},
        description="Other day types than ``default``: name -> weekdays and hours.",
    )
    holidays: tuple[datetime.date, ...] = Field(
        (), description="Dates on which the hall and the back office are closed."
    )
    workdays: tuple[Workday, ...] = Field(
        (), description="Make-up working days: dates opened as a day type (default ``default``)."
    )

    @field_validator("weekdays")
    @classmethod
    def _weekdays_in_week_order(cls, weekdays: tuple[str, ...]) -> tuple[str, ...]:
        """Sort into week order so that equal calendars compare (and digest) equal."""
        for index, day in enumerate(weekdays):
            if day in weekdays[:index]:
                raise FieldProblems([(f"[{index}]", f"{short_repr(day)} is listed twice")])
        return tuple(sorted(weekdays, key=WEEKDAYS.index))

    @model_validator(mode="after")
    def _check_mode(self) -> Calendar:
        continuous = self.mode == "continuous"
        problems = self._continuous_problems() if continuous else self._days_problems()
        if problems:
            raise FieldProblems(problems)
        return self

    def _continuous_problems(self) -> list[Problem]:
        problems: list[Problem] = [
            (name, "not used in continuous mode (it runs around the clock); remove it")
            for name in ("days", "open", "close", "drain")
            if name in self.model_fields_set
        ]
        problems += [
            (name, "a weekly calendar is for days mode only; remove it")
            for name in ("day_types", "holidays", "workdays", "start_date")
            if getattr(self, name)
        ]
        if self.horizon is None:
            problems.append(("horizon", "required in continuous mode, e.g. horizon: 30d"))
        elif self.warmup >= self.horizon:
            problems.append(
                (
                    "warmup",
                    f"must be shorter than horizon ({self.horizon:g} min), "
                    f"found {self.warmup:g} min",
                )
            )
        return problems

    def _days_problems(self) -> list[Problem]:
        problems: list[Problem] = [
            (name, "only used in continuous mode; in days mode give days, open and close")
            for name in ("horizon", "warmup")
            if name in self.model_fields_set
        ]
        if self.open >= self.close:
            problems.append(
                (
                    "close",
                    f"must be later than open ({format_clock(self.open)}), "
                    f"found {format_clock(self.close)}",
                )
            )
        return problems + self._day_type_problems() + self._date_problems()

    def _day_type_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if DEFAULT_DAY_TYPE in self.day_types:
            problems.append(
                (
                    f"day_types.{DEFAULT_DAY_TYPE}",
                    "the default day type is the calendar's own weekdays, open and close; "
                    "give another name",
                )
            )
        owner: dict[str, str] = {}
        for name, day_type in self.day_types.items():
            open_, close = self.hours(name)
            if open_ >= close:
                problems.append(
                    (
                        f"day_types.{name}.close",
                        f"must be later than open ({format_clock(open_)}), "
                        f"found {format_clock(close)}",
                    )
                )
            for weekday in day_type.weekdays:
                if weekday in owner:
                    problems.append(
                        (
                            f"day_types.{name}.weekdays",
                            f"{weekday!r} is already a day of type {owner[weekday]!r}; "
                            "a weekday belongs to one day type",
                        )
                    )
                owner.setdefault(weekday, name)
        return problems

    def _date_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.start_date is None:
            problems += [
                (name, "dates need calendar.start_date (the date of the first day)")
                for name in ("holidays", "workdays")
                if getattr(self, name)
            ]
        elif "start" in self.model_fields_set and self.start != self.first_weekday:
            problems.append(
                (
                    "start",
                    f"start_date {self.start_date} is a {self.first_weekday}, not {self.start}; "
                    "give one of them",
                )
            )
        for index, workday in enumerate(self.workdays):
            if workday.day_type != DEFAULT_DAY_TYPE and workday.day_type not in self.day_types:
                names = [DEFAULT_DAY_TYPE, *self.day_types]
                message = unknown_name_message("day type", workday.day_type, names)
                problems.append((f"workdays[{index}].as", message))
            if workday.date in self.holidays:
                problems.append((f"workdays[{index}].date", f"{workday.date} is also a holiday"))
            if workday.date in [w.date for w in self.workdays[:index]]:
                problems.append((f"workdays[{index}].date", f"{workday.date} is listed twice"))
        return problems

    @property
    def first_weekday(self) -> str:
        """The weekday of calendar day 0: that of ``start_date`` when given, else ``start``."""
        if self.start_date is not None:
            return WEEKDAYS[self.start_date.weekday()]
        return self.start

    @property
    def day_type_names(self) -> tuple[str, ...]:
        """Every day type: ``default`` first, then the ones of ``day_types``."""
        return (DEFAULT_DAY_TYPE, *self.day_types)

    def hours(self, day_type: str) -> tuple[float, float]:
        """Opening and closing time (minutes after midnight) on days of type `day_type`."""
        if day_type == DEFAULT_DAY_TYPE:
            return self.open, self.close
        spec = self.day_types[day_type]
        return (
            self.open if spec.open is None else spec.open,
            self.close if spec.close is None else spec.close,
        )

    def day_type_of(self, weekday: str) -> str | None:
        """The day type of an ordinary `weekday` (no holiday or make-up day), None if closed."""
        for name, spec in self.day_types.items():
            if weekday in spec.weekdays:
                return name
        return DEFAULT_DAY_TYPE if weekday in self.weekdays else None

    @model_serializer(mode="wrap")
    def _drop_unused(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave out the fields the mode does not use, so ``to_dict()`` loads again."""
        unused: tuple[str, ...] = (
            ("horizon", "warmup") if self.mode == "days" else ("days", "open", "close", "drain")
        )
        if self.start_date is not None:
            unused += ("start",)  # the date says it
        return {key: value for key, value in handler(self).items() if key not in unused}
