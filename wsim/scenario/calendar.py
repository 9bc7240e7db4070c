"""The calendar of a scenario: which days are simulated, and the hall's opening hours."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from wsim.scenario.base import Clock, FrozenModel, Minutes
from wsim.scenario.errors import FieldProblems, Problem
from wsim.scenario.units import MINUTES_PER_DAY, format_clock

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
"""The days of the week, Monday first, as scenario files name them."""

WORKWEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


class Calendar(FrozenModel):
    """When the hall is simulated.

    ``days`` mode (the normal one) simulates ``days`` open days, each from ``open`` to
    ``close``, on the ``weekdays`` the hall opens, starting on weekday ``start``.
    ``continuous`` mode runs around the clock for ``horizon`` minutes and discards the first
    ``warmup`` minutes, for steady-state studies and checks against queueing theory.
    """

    mode: Literal["days", "continuous"] = "days"
    days: Annotated[int, Field(ge=1)] = 1
    open: Clock = 510.0
    close: Clock = 1020.0
    start: Weekday = "mon"
    weekdays: Annotated[tuple[Weekday, ...], Field(min_length=1)] = WORKWEEK
    horizon: Annotated[Minutes, Field(gt=0)] | None = None
    warmup: Minutes = 0.0
    drain: Minutes = 60 * MINUTES_PER_DAY

    @field_validator("weekdays")
    @classmethod
    def _weekdays_in_week_order(cls, weekdays: tuple[str, ...]) -> tuple[str, ...]:
        """Sort into week order so that equal calendars compare (and digest) equal."""
        for index, day in enumerate(weekdays):
            if day in weekdays[:index]:
                raise FieldProblems([(f"[{index}]", f"{day!r} is listed twice")])
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
        return problems

    @model_serializer(mode="wrap")
    def _drop_unused(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave out the fields the mode does not use, so ``to_dict()`` loads again."""
        unused = (
            ("horizon", "warmup") if self.mode == "days" else ("days", "open", "close", "drain")
        )
        return {key: value for key, value in handler(self).items() if key not in unused}
