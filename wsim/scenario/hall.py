"""The hall's parts of a scenario: services, demand, window groups, citizens, targets, costs.

Every value is normalized on the way in (durations and clock times to minutes, schedules and
profiles to sorted tuples), so the simulation kernel never parses strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from wsim.scenario.base import Clock, FrozenModel, Minutes
from wsim.scenario.calendar import Weekday
from wsim.scenario.clockmaps import clock_entries, sorted_unique_times, value_at
from wsim.scenario.distributions import Distribution
from wsim.scenario.errors import FieldProblems, Problem, join_path, key_path, unknown_name_message
from wsim.scenario.journeys import Journey
from wsim.scenario.units import MINUTES_PER_DAY, is_number

NonNegative = Annotated[float, Field(ge=0)]
_Points = tuple[tuple[float, float], ...]
_Schedule = tuple[tuple[float, int], ...]


class Cost(FrozenModel):
    """What a reform option costs (negative numbers are savings)."""

    one_off: float = 0
    yearly: float = 0
    currency: str = "CNY"


class Service(Journey):
    """A service ("matter") a citizen comes for: its window time and its journey.

    ``window_time`` is the time at a standard window (speed 1). The journey fields (channels,
    workflow, materials, result, deadline; see :class:`wsim.scenario.journeys.Journey`) are
    optional: without them a case is one hall visit.
    """

    window_time: Distribution
    description: str = ""


class Profile(FrozenModel):
    """Relative arrival intensity over the day.

    Written as a mapping ``clock time -> weight``; a weight holds from its time until the
    next one (the last until the end of the day), and before the first time the weight is
    0. Stored as ``points``: ``(minute of day, weight)`` sorted by time.
    """

    points: tuple[tuple[Clock, NonNegative], ...]

    @model_validator(mode="before")
    @classmethod
    def _from_mapping(cls, data: Any) -> Any:
        """Accept the YAML mapping form (and the stored ``{"points": ...}`` form)."""
        if isinstance(data, Mapping) and set(data) == {"points"}:
            return data
        if not isinstance(data, Mapping) or not data:
            raise ValueError(
                'expected a mapping of clock time to weight, e.g. {"08:30": 1, "12:00": 0.5}; '
                f"found {data!r}"
            )
        return {"points": clock_entries(data, "weight", _weight_problem)}

    @field_validator("points")
    @classmethod
    def _check_points(cls, points: _Points) -> _Points:
        ordered = sorted_unique_times(points)
        if not any(weight > 0 for _, weight in ordered):
            raise ValueError("all weights are 0; at least one must be positive")
        return ordered

    def weight_at(self, minute_of_day: float) -> float:
        """The weight in force at ``minute_of_day`` (0 before the first time)."""
        return value_at(self.points, minute_of_day, 0.0)

    def weight_between(self, start: float, end: float) -> float:
        """The integral of the weight from ``start`` to ``end`` (minutes of the day).

        Dividing a day's volume by this gives the arrival rate per unit of weight.
        """
        bounds = [time for time, _ in self.points] + [MINUTES_PER_DAY]
        total = 0.0
        for (time, weight), next_time in zip(self.points, bounds[1:], strict=True):
            overlap = min(end, next_time) - max(start, time)
            total += weight * max(overlap, 0.0)
        return total


def _weight_problem(value: object) -> str | None:
    return None if is_number(value) and value >= 0 else "must be a number >= 0"


def _count_problem(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return None
    return "must be a whole number of windows >= 0"


class Demand(FrozenModel):
    """A stream of citizens coming for one service through one channel.

    Give exactly one of ``per_hour`` (a constant rate) or ``per_day`` (expected arrivals per
    open day, spread over the day by ``profile``, or evenly over the opening hours without
    one; in continuous mode evenly over 24 h). ``weekday_factors`` scale a day's volume.
    ``channel: any`` lets each new case choose its channel by its citizen segment.
    ``patience`` is how long this stream's citizens wait before they leave; without it they
    have ``citizens.patience`` (patience differs by service and class: a fitted scenario gives
    each stream its own).
    """

    service: str
    channel: Literal["hall", "online", "kiosk", "phone", "any"] = "hall"
    name: str | None = None
    per_hour: NonNegative | None = None
    per_day: NonNegative | None = None
    profile: str | None = None
    weekday_factors: dict[Weekday, NonNegative] = {}
    priority: int = 0
    patience: Distribution | None = None

    @model_validator(mode="after")
    def _check_rate(self) -> Demand:
        if (self.per_hour is None) == (self.per_day is None):
            found = "both" if self.per_hour is not None else "neither"
            raise ValueError(f"give exactly one of per_hour or per_day, found {found}")
        if self.profile is not None and self.per_day is None:
            raise FieldProblems(
                [("profile", "only used with per_day (per_hour is a constant rate)")]
            )
        return self

    @cached_property
    def label(self) -> str:
        """The stream's name in results: ``name`` or ``service@channel`` (``#pN`` if priority).

        Computed once per (immutable) demand: the hall names its random streams by it.
        """
        if self.name is not None:
            return self.name
        base = f"{self.service}@{self.channel}"
        return base if self.priority == 0 else f"{base}#p{self.priority}"


class WindowGroup(FrozenModel):
    """Identical windows (counters, one clerk each) serving the same set of services.

    Give exactly one of ``count`` (windows open all day) or ``schedule`` (a mapping
    ``clock time -> windows open from then on``, 0 before the first time). ``speed``
    divides a service's window time at these windows (0.8 means 25% longer).
    ``hourly_cost`` is the cost of one open window (its clerk) per hour.
    """

    name: str
    serves: Annotated[tuple[str, ...], Field(min_length=1)]
    count: Annotated[int, Field(ge=0)] | None = None
    schedule: tuple[tuple[Clock, Annotated[int, Field(ge=0)]], ...] | None = None
    speed: dict[str, Annotated[float, Field(gt=0)]] = {}
    hourly_cost: Annotated[float, Field(ge=0)] = 0.0

    @field_validator("serves")
    @classmethod
    def _no_duplicate_service(cls, serves: tuple[str, ...]) -> tuple[str, ...]:
        for index, service in enumerate(serves):
            if service in serves[:index]:
                raise FieldProblems([(f"[{index}]", f"{service!r} is listed twice")])
        return serves

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule_from_mapping(cls, data: Any) -> Any:
        """Accept the YAML mapping form (and the stored list of pairs)."""
        if isinstance(data, Mapping):
            return clock_entries(data, "window count", _count_problem)
        return data

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, schedule: _Schedule | None) -> _Schedule | None:
        if schedule is not None and not schedule:
            raise ValueError('must have at least one entry, e.g. {"08:30": 2, "12:00": 1}')
        return None if schedule is None else sorted_unique_times(schedule)

    @model_validator(mode="after")
    def _check_group(self) -> WindowGroup:
        problems: list[Problem] = []
        if (self.count is None) == (self.schedule is None):
            found = "both" if self.count is not None else "neither"
            problems.append(("", f"give exactly one of count or schedule, found {found}"))
        problems += [
            (
                join_path("speed", key_path(service)),
                unknown_name_message("service", service, self.serves)
                + " (speed keys must be services this group serves)",
            )
            for service in self.speed
            if service not in self.serves
        ]
        if problems:
            raise FieldProblems(problems)
        return self

    def count_at(self, minute_of_day: float, daily: bool = False) -> int:
        """Windows open at ``minute_of_day``.

        Before the schedule's first time no window is open; with `daily` (continuous mode,
        where the schedule repeats every day) the day's last count holds there instead.
        """
        if self.count is not None:
            return self.count
        schedule = self.schedule or ()
        before = schedule[-1][1] if daily and schedule else 0
        return value_at(schedule, minute_of_day, before)

    @property
    def max_count(self) -> int:
        """The most windows ever open at once (the number of counters needed)."""
        if self.count is not None:
            return self.count
        return max((count for _, count in self.schedule or ()), default=0)


class Citizens(FrozenModel):
    """How citizens behave in the queue."""

    patience: Distribution | None = None
    balk_at: Annotated[int, Field(ge=1)] | None = None


class Targets(FrozenModel):
    """Service-level targets the results are measured against."""

    hall_wait: Minutes = 15.0
