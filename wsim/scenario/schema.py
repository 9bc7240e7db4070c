"""The scenario: an immutable, validated description of a service hall and its demand.

The models here are what the simulation kernel reads. Every value is normalized on the way
in (durations and clock times to minutes, schedules and profiles to sorted tuples), so the
kernel never parses strings. Checks that need several parts of the scenario (does this
window group serve a declared service?) live in :class:`Scenario`.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from wsim.scenario.base import Clock, FrozenModel, Minutes
from wsim.scenario.distributions import Distribution
from wsim.scenario.errors import FieldProblems, Problem, join_path, key_path, unknown_name_message
from wsim.scenario.journeys import (
    Channel,
    Department,
    Handoffs,
    Journey,
    Outage,
    Segment,
)
from wsim.scenario.staffing import Staffing
from wsim.scenario.units import MINUTES_PER_DAY, format_clock, parse_clock

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)

WORKWEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")

NonNegative = Annotated[float, Field(ge=0)]
_Points = tuple[tuple[float, float], ...]
_Schedule = tuple[tuple[float, int], ...]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _clock_entries(
    data: Mapping[Any, Any], what: str, check: Callable[[object], str | None]
) -> list[tuple[float, Any]]:
    """Turn a YAML mapping ``clock time -> value`` into ``(minute, value)`` pairs.

    ``check(value)`` returns an error text or ``None``. All bad entries are reported at once,
    each naming the key as the planner wrote it.
    """
    pairs, problems = [], []
    for key, value in data.items():
        try:
            minute = parse_clock(key)
        except ValueError as exc:
            problems.append(("", f"time {key!r}: {exc}"))
            continue
        error = check(value)
        if error:
            problems.append(("", f"{what} at {key!r}: {error}, found {value!r}"))
        pairs.append((minute, value))
    if problems:
        raise FieldProblems(problems)
    return pairs


def _sorted_unique_times(pairs: tuple[tuple[float, Any], ...]) -> tuple[tuple[float, Any], ...]:
    """Sort ``(minute, value)`` pairs by time; two entries for one time are an error."""
    ordered = tuple(sorted(pairs))
    for (first, _), (second, _) in zip(ordered, ordered[1:], strict=False):
        if first == second:
            raise ValueError(
                f"two entries for {format_clock(first)} (write each time once, "
                f'and the same way everywhere: "08:30" and 8:30 are the same time)'
            )
    return ordered


def _value_at(points: tuple[tuple[float, Any], ...], minute: float, before: Any) -> Any:
    """The value of the last point at or before ``minute``; ``before`` ahead of the first."""
    index = bisect.bisect_right([time for time, _ in points], minute)
    return points[index - 1][1] if index else before


class Cost(FrozenModel):
    """What a reform option costs (negative numbers are savings)."""

    one_off: float = 0
    yearly: float = 0
    currency: str = "CNY"


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
        problems = [
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
        problems = [
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
        return {"points": _clock_entries(data, "weight", _weight_problem)}

    @field_validator("points")
    @classmethod
    def _check_points(cls, points: _Points) -> _Points:
        ordered = _sorted_unique_times(points)
        if not any(weight > 0 for _, weight in ordered):
            raise ValueError("all weights are 0; at least one must be positive")
        return ordered

    def weight_at(self, minute_of_day: float) -> float:
        """The weight in force at ``minute_of_day`` (0 before the first time)."""
        return _value_at(self.points, minute_of_day, 0.0)

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
    return None if _is_number(value) and value >= 0 else "must be a number >= 0"


def _count_problem(value: object) -> str | None:
    whole = isinstance(value, int) and not isinstance(value, bool)
    return None if whole and value >= 0 else "must be a whole number of windows >= 0"


class Demand(FrozenModel):
    """A stream of citizens coming for one service through one channel.

    Give exactly one of ``per_hour`` (a constant rate) or ``per_day`` (expected arrivals per
    open day, spread over the day by ``profile``, or evenly over the opening hours without
    one; in continuous mode evenly over 24 h). ``weekday_factors`` scale a day's volume.
    ``channel: any`` lets each new case choose its channel by its citizen segment.
    """

    service: str
    channel: Literal["hall", "online", "kiosk", "phone", "any"] = "hall"
    name: str | None = None
    per_hour: NonNegative | None = None
    per_day: NonNegative | None = None
    profile: str | None = None
    weekday_factors: dict[Weekday, NonNegative] = {}
    priority: int = 0

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

    @property
    def label(self) -> str:
        """The stream's name in results: ``name`` or ``service@channel`` (``#pN`` if priority)."""
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
            return _clock_entries(data, "window count", _count_problem)
        return data

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, schedule: _Schedule | None) -> _Schedule | None:
        if schedule is not None and not schedule:
            raise ValueError('must have at least one entry, e.g. {"08:30": 2, "12:00": 1}')
        return None if schedule is None else _sorted_unique_times(schedule)

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

    def count_at(self, minute_of_day: float) -> int:
        """Windows open at ``minute_of_day``."""
        if self.count is not None:
            return self.count
        return _value_at(self.schedule or (), minute_of_day, 0)

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


class Scenario(FrozenModel):
    """A complete, validated scenario. Load one with :func:`wsim.scenario.load_scenario`."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    cost: Cost = Cost()
    calendar: Calendar
    services: Annotated[dict[str, Service], Field(min_length=1)]
    profiles: dict[str, Profile] = {}
    demand: Annotated[tuple[Demand, ...], Field(min_length=1)]
    windows: Annotated[tuple[WindowGroup, ...], Field(min_length=1)]
    citizens: Citizens = Citizens()
    targets: Targets = Targets()
    segments: tuple[Segment, ...] = ()
    channels: dict[Literal["online", "kiosk", "phone"], Channel] = {}
    departments: dict[str, Department] = {}
    handoffs: Handoffs = Handoffs()
    systems: dict[str, Outage] = {}
    staffing: Staffing | None = None

    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        problems = (
            self._demand_problems()
            + self._window_problems()
            + self._unserved_problems()
            + self._label_problems()
            + self._journey_problems()
            + self._staffing_problems()
        )
        if problems:
            raise FieldProblems(problems)
        return self

    def _demand_problems(self) -> list[Problem]:
        problems = []
        for i, demand in enumerate(self.demand):
            if demand.service not in self.services:
                message = unknown_name_message("service", demand.service, self.services)
                problems.append((f"demand[{i}].service", message))
            if demand.profile is None:
                continue
            profile = self.profiles.get(demand.profile)
            if profile is None:
                message = unknown_name_message("profile", demand.profile, self.profiles)
                problems.append((f"demand[{i}].profile", message))
            elif self._profile_is_closed(profile):
                problems.append((f"demand[{i}].profile", self._closed_profile_message(demand)))
        return problems

    def _profile_is_closed(self, profile: Profile) -> bool:
        calendar = self.calendar
        if calendar.mode != "days":
            return False
        return profile.weight_between(calendar.open, calendar.close) == 0

    def _closed_profile_message(self, demand: Demand) -> str:
        hours = f"{format_clock(self.calendar.open)}-{format_clock(self.calendar.close)}"
        return f"profile {demand.profile!r} has no weight during the opening hours {hours}"

    def _window_problems(self) -> list[Problem]:
        problems = []
        for i, group in enumerate(self.windows):
            problems += [
                (f"windows[{i}].serves[{j}]", unknown_name_message("service", name, self.services))
                for j, name in enumerate(group.serves)
                if name not in self.services
            ]
            earlier = [other.name for other in self.windows[:i]]
            if group.name in earlier:
                first = earlier.index(group.name)
                message = f"duplicate window group name {group.name!r} (also windows[{first}])"
                problems.append((f"windows[{i}].name", message))
        return problems

    def _unserved_problems(self) -> list[Problem]:
        served = {service for group in self.windows for service in group.serves}
        return [
            (
                f"demand[{i}].service",
                f"no window group serves {demand.service!r}; add it to the serves of a group "
                f"({', '.join(group.name for group in self.windows)})",
            )
            for i, demand in enumerate(self.demand)
            if demand.service in self.services and demand.service not in served
        ]

    def _label_problems(self) -> list[Problem]:
        problems = []
        labels = [demand.label for demand in self.demand]
        for i, label in enumerate(labels):
            if label in labels[:i]:
                message = (
                    f"duplicate demand label {label!r} (also demand[{labels.index(label)}]); "
                    "give one of them a distinct name"
                )
                problems.append((f"demand[{i}]", message))
        return problems

    def _staffing_problems(self) -> list[Problem]:
        """The staffing section's references to window groups, services and opening hours."""
        if self.staffing is None:
            return []
        return [
            (join_path("staffing", path), message) for path, message in self.staffing.problems(self)
        ]

    def _journey_problems(self) -> list[Problem]:
        """References between services, departments, channels, segments and systems."""
        problems = []
        for name, service in self.services.items():
            owners = [service.department] if service.department else []
            for j, dept in enumerate(owners + service.departments()):
                if dept not in self.departments:
                    field = "department" if j < len(owners) else "workflow"
                    message = unknown_name_message("department", dept, self.departments)
                    problems.append((f"services.{name}.{field}", message))
        for i, demand in enumerate(self.demand):
            service = self.services.get(demand.service)
            if service and demand.channel not in ("any", *service.channels):
                message = (
                    f"service {demand.service!r} cannot start in channel {demand.channel!r}; "
                    f"allowed: {', '.join(service.channels)} (or any)"
                )
                problems.append((f"demand[{i}].channel", message))
        systems = [("channels." + n, c.system) for n, c in self.channels.items()]
        systems += [("departments." + n, d.system) for n, d in self.departments.items()]
        problems += [
            (f"{where}.system", unknown_name_message("system", system, self.systems))
            for where, system in systems
            if system is not None and system not in self.systems
        ]
        if self.calendar.mode == "continuous" and self.uses_journeys():
            message = (
                "journeys (channels, departments, segments, workflows, returns) "
                "need working days: use mode days"
            )
            problems.append(("calendar.mode", message))
        return problems

    def uses_journeys(self) -> bool:
        """True when a case can be more than one hall visit (the journey model is needed)."""
        return bool(
            self.segments
            or self.departments
            or any(d.channel != "hall" for d in self.demand)
            or any(s.workflow or s.incomplete > 0 for s in self.services.values())
        )

    def channel(self, name: str) -> Channel:
        """The settings of remote channel ``name`` (defaults when the scenario gives none)."""
        return self.channels.get(name, Channel())

    @property
    def source(self) -> Path | None:
        """The file the scenario was loaded from (``None`` for a mapping)."""
        return self._source

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as JSON-able data (minutes, sorted points); it loads again."""
        return self.model_dump(mode="json")

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict`: equal scenarios, equal digests."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
