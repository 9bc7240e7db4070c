"""The hall's parts of a scenario: services, demand, window groups, citizens, targets, costs.

Every value is normalized on the way in (durations and clock times to minutes, schedules and
profiles to sorted tuples), so the simulation kernel never parses strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from wsim.scenario.appointments import Appointments
from wsim.scenario.base import Clock, FrozenModel, Minutes, Speed, Unit, at_most
from wsim.scenario.calendar import Weekday
from wsim.scenario.clockmaps import clock_entries, sorted_unique_times, value_at
from wsim.scenario.distributions import Distribution
from wsim.scenario.errors import (
    FieldProblems,
    Problem,
    join_path,
    key_path,
    short_repr,
    unknown_name_message,
)
from wsim.scenario.journeys import Journey
from wsim.scenario.learning import LearningCurve, TrainingSession, Turnover
from wsim.scenario.limits import (
    MAX_BALK_AT,
    MAX_MONEY,
    MAX_PRIORITY,
    MAX_RATE,
    MAX_WEIGHT,
    MAX_WINDOWS,
    MONEY_REASON,
    RATE_REASON,
    WEIGHT_REASON,
    WINDOWS_REASON,
)
from wsim.scenario.units import MINUTES_PER_DAY, is_number

NonNegative = Annotated[float, Field(ge=0)]
Money = Annotated[float, Field(ge=-MAX_MONEY), at_most(MAX_MONEY, MONEY_REASON), Unit("currency")]
HourlyCost = Annotated[
    float, Field(ge=0), at_most(MAX_MONEY, MONEY_REASON), Unit("currency per window hour")
]
Rate = Annotated[float, Field(ge=0), at_most(MAX_RATE, RATE_REASON)]
Weight = Annotated[float, Field(ge=0), at_most(MAX_WEIGHT, WEIGHT_REASON), Unit("relative weight")]
WindowCount = Annotated[int, Field(ge=0), at_most(MAX_WINDOWS, WINDOWS_REASON), Unit("windows")]
#: Most a weekday factor may scale a day's volume.
MAX_FACTOR = 1000.0
Factor = Annotated[
    float, Field(ge=0), at_most(MAX_FACTOR, "a day 1000 times the mean"), Unit("factor")
]
_Points = tuple[tuple[float, float], ...]
_Schedule = tuple[tuple[float, int], ...]


class Cost(FrozenModel):
    """What a reform option costs (negative numbers are savings)."""

    one_off: Money = Field(0, description="One-off cost (investment, training).")
    yearly: Annotated[Money, Unit("currency per year")] = Field(
        0, description="Yearly running cost."
    )
    currency: str = Field("CNY", description="The currency of the costs (a label).")


class Service(Journey):
    """A service ("matter") a citizen comes for: its window time and its journey.

    ``window_time`` is the time at a standard window (speed 1). The journey fields (channels,
    workflow, materials, result, deadline; see :class:`wsim.scenario.journeys.Journey`) are
    optional: without them a case is one hall visit. ``appointments``: bookable slots (see
    :mod:`wsim.scenario.appointments`).
    """

    window_time: Distribution
    description: str = Field("", description="What the service is (for people).")
    appointments: Appointments | None = Field(
        None,
        description="Bookable slots for the service's hall citizens (see "
        "wsim.scenario.appointments).",
    )


class Profile(FrozenModel):
    """Relative arrival intensity over the day.

    Written as a mapping ``clock time -> weight``; a weight holds from its time until the
    next one (the last until the end of the day), and before the first time the weight is
    0. Stored as ``points``: ``(minute of day, weight)`` sorted by time.
    """

    points: tuple[tuple[Clock, Weight], ...]

    @model_validator(mode="before")
    @classmethod
    def _from_mapping(cls, data: Any) -> Any:
        """Accept the YAML mapping form (and the stored ``{"points": ...}`` form)."""
        if isinstance(data, Mapping) and set(data) == {"points"}:
            return data
        if not isinstance(data, Mapping) or not data:
            raise ValueError(
                'expected a mapping of clock time to weight, e.g. {"08:30": 1, "12:00": 0.5}; '
                f"found {short_repr(data)}"
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
    if not is_number(value) or value < 0:
        return "must be a number >= 0"
    return None if value <= MAX_WEIGHT else f"must be at most {MAX_WEIGHT:g} ({WEIGHT_REASON})"


def _count_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return "must be a whole number of windows >= 0"
    return None if value <= MAX_WINDOWS else f"must be at most {MAX_WINDOWS:,} ({WINDOWS_REASON})"


class Demand(FrozenModel):
    """A stream of citizens coming for one service through one channel.

    Give exactly one of ``per_hour`` (a constant rate) or ``per_day`` (expected arrivals per
    open day, spread over the day by ``profile``, or evenly over the opening hours without
    one; in continuous mode evenly over 24 h). ``weekday_factors`` scale a day's volume.
    ``channel: any`` lets each new case choose its channel by its citizen segment.
    ``day_factors`` scale a day's volume by its day type (both factors apply), and
    ``day_profiles`` give another profile on days of a type (see
    :mod:`wsim.scenario.calendar`). A remote channel with its own ``hours``/``days`` (see
    :class:`wsim.scenario.journeys.Channel`) spreads the volume of its demand streams over its
    own hours instead of the hall's.
    ``patience`` is how long this stream's citizens wait before they leave; without it they
    have ``citizens.patience`` (patience differs by service and class: a fitted scenario gives
    each stream its own).
    """

    service: str = Field(description="The service the citizens come for (a key of services).")
    channel: Literal["hall", "online", "kiosk", "phone", "any"] = Field(
        "hall", description="The channel the cases start in (any: chosen by segment)."
    )
    name: str | None = Field(
        None, description="The stream's name in results (default: service@channel)."
    )
    per_hour: Annotated[Rate, Unit("citizens per hour")] | None = None
    per_day: Annotated[Rate, Unit("citizens per open day")] | None = None
    profile: str | None = None
    weekday_factors: dict[Weekday, Factor] = Field(default_factory=dict)
    day_factors: dict[str, Factor] = Field(
        default_factory=dict,
        description="Day type -> factor on the day's volume (with weekday_factors, both apply).",
    )
    day_profiles: dict[str, str] = Field(
        default_factory=dict,
        description="Day type -> the name of the profile used on days of that type "
        "(default: profile).",
    )
    priority: Annotated[
        int, Field(ge=-MAX_PRIORITY), at_most(MAX_PRIORITY, "priorities only need an order")
    ] = Field(0, description="Higher priorities are called first at a window.")
    patience: Distribution | None = None

    @model_validator(mode="after")
    def _check_rate(self) -> Demand:
        if (self.per_hour is None) == (self.per_day is None):
            found = "both" if self.per_hour is not None else "neither"
            raise ValueError(f"give exactly one of per_hour or per_day, found {found}")
        for field in ("profile", "day_profiles"):
            if getattr(self, field) and self.per_day is None:
                raise FieldProblems(
                    [(field, "only used with per_day (per_hour is a constant rate)")]
                )
        return self

    def profile_on(self, day_type: str) -> str | None:
        """The name of the profile spreading the volume of a day of type `day_type`."""
        return self.day_profiles.get(day_type, self.profile)

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
    ``day_schedules`` give other schedules (or counts) on days of a type, e.g.
    ``{saturday: {"09:00": 2}, late_thursday: 3}``; day types not listed use ``count`` or
    ``schedule``. ``learning``, ``training`` and ``turnover``: clerks who get faster with
    experience, leave the windows for training sessions and are replaced by beginners (see
    :mod:`wsim.scenario.learning`).
    """

    name: str = Field(description="The group's name in results.")
    serves: Annotated[tuple[str, ...], Field(min_length=1)] = Field(
        description="The services these windows serve (keys of services)."
    )
    count: WindowCount | None = None
    schedule: tuple[tuple[Clock, WindowCount], ...] | None = None
    speed: dict[str, Speed] = Field(default_factory=dict)
    hourly_cost: HourlyCost = 0.0
    day_schedules: dict[str, tuple[tuple[Clock, WindowCount], ...]] = Field(
        default_factory=dict,
        description="Day type -> the windows open on days of that type: a schedule mapping "
        "(clock time -> windows open from then on) or a count (open all day).",
    )
    learning: LearningCurve | None = Field(
        None, description="The clerks' learning curve (see wsim.scenario.learning)."
    )
    training: tuple[TrainingSession, ...] = Field(
        (), description="Training sessions that take windows off (see wsim.scenario.learning)."
    )
    turnover: Turnover | None = Field(
        None, description="Clerks leaving, replaced by beginners (needs learning)."
    )

    @field_validator("day_schedules", mode="before")
    @classmethod
    def _day_schedules_from_yaml(cls, data: Any) -> Any:
        """Accept a count or a mapping per day type (and the stored lists of pairs)."""
        if not isinstance(data, Mapping):
            return data
        result = {}
        problems: list[Problem] = []
        for day_type, value in data.items():
            if isinstance(value, Mapping):
                try:
                    result[day_type] = clock_entries(value, "window count", _count_problem)
                except FieldProblems as exc:
                    problems += [(join_path(key_path(day_type), p), m) for p, m in exc.problems]
            elif is_number(value):
                error = _count_problem(value)
                if error:
                    problems.append((key_path(day_type), f"{error}, found {value!r}"))
                result[day_type] = [(0.0, value)]
            else:
                result[day_type] = value
        if problems:
            raise FieldProblems(problems)
        return result

    @field_validator("day_schedules")
    @classmethod
    def _check_day_schedules(cls, schedules: dict[str, _Schedule]) -> dict[str, _Schedule]:
        for day_type, schedule in schedules.items():
            if not schedule:
                raise FieldProblems([(key_path(day_type), "must have at least one entry")])
        return {day_type: sorted_unique_times(s) for day_type, s in schedules.items()}

    @field_validator("serves")
    @classmethod
    def _no_duplicate_service(cls, serves: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()  # a set, not the slice before each item: linear in the services
        for index, service in enumerate(serves):
            if service in seen:
                raise FieldProblems([(f"[{index}]", f"{short_repr(service)} is listed twice")])
            seen.add(service)
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
        served = set(self.serves)  # one set for every membership test below
        problems += [
            (
                join_path("speed", key_path(service)),
                unknown_name_message("service", service, self.serves)
                + " (speed keys must be services this group serves)",
            )
            for service in self.speed
            if service not in served
        ]
        problems += self._people_problems(served)
        if problems:
            raise FieldProblems(problems)
        return self

    def _people_problems(self, served: set[str]) -> list[Problem]:
        """What is wrong with the group's learning curve, training sessions and turnover.

        `served` is the set of the group's ``serves``.
        """
        problems: list[Problem] = []
        curve_services = self.learning.services or () if self.learning else ()
        problems += [
            (
                f"learning.services[{index}]",
                unknown_name_message("service", service, self.serves)
                + " (the curve's services must be services this group serves)",
            )
            for index, service in enumerate(curve_services)
            if service not in served
        ]
        most = self.max_count
        problems += [
            (
                f"training[{index}].windows",
                f"must be at most {most} (the most windows the group opens), "
                f"found {session.windows}",
            )
            for index, session in enumerate(self.training)
            if session.windows > most
        ]
        if self.turnover is not None and self.learning is None:
            problems.append(
                (
                    "turnover",
                    "needs a learning curve (learning): without one a beginner is as "
                    "fast as the clerk who left",
                )
            )
        return problems

    def count_at(self, minute_of_day: float, daily: bool = False, day_type: str = "default") -> int:
        """Windows open at ``minute_of_day`` (on a day of type `day_type`).

        Before the schedule's first time no window is open; with `daily` (continuous mode,
        where the schedule repeats every day) the day's last count holds there instead.
        """
        if day_type in self.day_schedules:
            return value_at(self.day_schedules[day_type], minute_of_day, 0)
        if self.count is not None:
            return self.count
        schedule = self.schedule or ()
        before = schedule[-1][1] if daily and schedule else 0
        return value_at(schedule, minute_of_day, before)

    def changes(self, day_type: str = "default") -> _Schedule:
        """The schedule on days of type `day_type`: ``(minute, windows open)`` pairs.

        Empty for a constant ``count`` (no change within the day).
        """
        if day_type in self.day_schedules:
            return self.day_schedules[day_type]
        return self.schedule or ()

    def opens_on(self, day_type: str, lo: float, hi: float) -> bool:
        """Whether a window of the group is open at some time in [lo, hi) on a `day_type` day."""
        if self.count_at(lo, day_type=day_type) > 0:
            return True
        return any(n > 0 and lo <= t < hi for t, n in self.changes(day_type))

    @property
    def max_count(self) -> int:
        """The most windows ever open at once (the number of counters needed)."""
        plain = self.count if self.count is not None else 0
        counts = [count for _, count in self.schedule or ()]
        counts += [count for s in self.day_schedules.values() for _, count in s]
        return max([plain, *counts])


class Citizens(FrozenModel):
    """How citizens behave in the queue.

    ``patience``: how long a citizen waits before leaving the queue. ``balk_at``: a citizen who
    finds this many waiting for the same service leaves at once (balks); with
    ``balk_to: online`` a citizen whose case started at the hall, for a service that can start
    online, submits it on the portal instead of leaving.
    """

    patience: Distribution | None = None
    balk_at: (
        Annotated[int, Field(ge=1), at_most(MAX_BALK_AT, "citizens waiting"), Unit("citizens")]
        | None
    ) = None
    balk_to: Literal["online"] | None = Field(
        None,
        description="Where a balking citizen goes instead of leaving: online (the portal), "
        "where the service allows it (default: they leave).",
    )


class Targets(FrozenModel):
    """Service-level targets the results are measured against."""

    hall_wait: Minutes = Field(
        15.0, description="Wait within which a citizen counts as served on time."
    )
