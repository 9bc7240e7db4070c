"""The ``staffing`` section: what the optimizer may staff, with which shifts, to what target.

A planner asks: how many clerks at which windows in each slot of the day, on which shifts, at
least cost, so that citizens wait no longer than the target? This section states the question;
``wsim.optimize.staffing`` answers it. In YAML::

    staffing:
      slot: 30min                          # the planning grid, from opening to closing
      groups:                              # window groups the optimizer staffs
        - name: social_security            # a group of windows[] (its count is replaced)
          max_open: 8                      # counters available
        - name: express                    # a new group, declared here
          serves: [certificates]
      shifts:
        - {name: early, start: "08:00", end: "16:30", breaks: ["12:00-12:30"]}
        - {name: midday, start: "10:30", end: "14:30", family: part_time, cost: 3.5}
      families:
        part_time: {max: 4}                # at most 4 part-timers in all
      target: hall_service_level >= 0.8    # with targets.hall_wait (15 min by default)

A shift covers a slot when its clerk is at the window for the whole slot: on duty, and not on
an unpaid break. Shift costs are per shift and day; without ``cost`` a shift costs its paid
hours. Checks against the rest of the scenario (do the groups exist? does the slot divide the
opening hours?) are in :mod:`wsim.scenario.references`, run by the scenario's own validation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from wsim.scenario.base import Clock, FrozenModel, Minutes, Speed, Unit, at_most
from wsim.scenario.calendar import Calendar
from wsim.scenario.errors import FieldProblems, Problem, short_repr, unknown_name_message
from wsim.scenario.limits import (
    MAX_MONEY,
    MAX_STAFF,
    MAX_WINDOWS,
    MONEY_REASON,
    STAFF_REASON,
    WINDOWS_REASON,
)
from wsim.scenario.units import MINUTES_PER_DAY, format_clock, parse_clock, parse_duration

Clerks = Annotated[int, Field(ge=0), at_most(MAX_STAFF, STAFF_REASON), Unit("clerks")]
Windows = Annotated[int, Field(ge=0), at_most(MAX_WINDOWS, WINDOWS_REASON), Unit("windows")]

Metric = Literal["hall_service_level", "hall_wait_mean", "hall_abandon_rate"]
Bound = Literal[">=", "<="]

#: The direction each target metric is bounded in, and what its value means.
METRIC_BOUNDS: dict[str, tuple[str, str]] = {
    "hall_service_level": (">=", "the share of citizens called within targets.hall_wait"),
    "hall_wait_mean": ("<=", "the mean wait of served citizens (minutes)"),
    "hall_abandon_rate": ("<=", "the share of citizens who leave the queue"),
}

_TARGET_TEXT = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=)\s*(\S+)\s*$")
_BREAK_TEXT = re.compile(r"^\s*([0-9:]+)\s*-\s*([0-9:]+)\s*$")
GRID_TOLERANCE = 1e-9  # minutes; slot arithmetic on floats that are whole minutes in practice


class StaffingTarget(FrozenModel):
    """The service target every slot must meet: ``metric bound value``.

    ``hall_service_level >= 0.8`` (with ``targets.hall_wait``), ``hall_wait_mean <= 10min`` or
    ``hall_abandon_rate <= 0.05``. YAML may give the mapping or that one-line text.
    """

    metric: Metric = Field(description="The KPI bounded in every slot.")
    bound: Bound = Field(description="The direction: >= for a service level, <= for the others.")
    value: Annotated[float, Unit("share, or minutes for hall_wait_mean")] = Field(
        description="The bound's value."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        """Accept ``"hall_service_level >= 0.8"``; read a mean-wait value as a duration."""
        if isinstance(data, str):
            match = _TARGET_TEXT.match(data)
            if match is None:
                raise ValueError(
                    'expected "METRIC >= VALUE" or "METRIC <= VALUE", e.g. '
                    f'"hall_service_level >= 0.8"; found {short_repr(data)}'
                )
            data = {"metric": match.group(1), "bound": match.group(2), "value": match.group(3)}
        if isinstance(data, Mapping) and isinstance(data.get("value"), str):
            data = dict(data)
            text = data["value"]
            try:
                if data.get("metric") == "hall_wait_mean":
                    data["value"] = parse_duration(text)
                else:
                    data["value"] = float(text)
            except ValueError as exc:
                raise FieldProblems(
                    [("value", f"not a number: {short_repr(text)} ({exc})")]
                ) from None
        return data

    @model_validator(mode="after")
    def _check_direction(self) -> StaffingTarget:
        direction, meaning = METRIC_BOUNDS[self.metric]
        problems: list[Problem] = []
        if self.bound != direction:
            problems.append(
                ("bound", f"{self.metric} is {meaning}: use {direction}, found {self.bound}")
            )
        if self.metric == "hall_wait_mean":
            if self.value <= 0:
                problems.append(("value", f"must be a wait > 0 minutes, found {self.value:g}"))
        elif not 0 < self.value < 1:
            problems.append(("value", f"must be a share between 0 and 1, found {self.value:g}"))
        if problems:
            raise FieldProblems(problems)
        return self

    def met(self, value: float) -> bool:
        """Whether a measured value of the metric meets the target.

        A value that could not be measured (NaN, e.g. the mean wait of a slot whose citizens
        all left unserved) does not meet it; a slot without citizens has nothing to meet, and
        its caller says so (see :func:`wsim.optimize.shifts.kpis.slot_kpis`).
        """
        if math.isnan(value):
            return False
        return value >= self.value if self.bound == ">=" else value <= self.value

    def __str__(self) -> str:
        return f"{self.metric} {self.bound} {self.value:g}"


class StaffedGroup(FrozenModel):
    """A window group the optimizer staffs slot by slot.

    Without ``serves`` it names a group of the scenario's ``windows``, whose ``count`` or
    ``schedule`` the plan replaces. With ``serves`` (and optionally ``speed``) it declares a
    new group that the plan adds. ``min_open`` windows stay open in every slot; at most
    ``max_open`` can be open (the counters there are).
    """

    name: Annotated[str, Field(min_length=1, description="A group of windows[], or a new one.")]
    serves: Annotated[tuple[str, ...], Field(min_length=1)] | None = None
    speed: dict[str, Speed] = Field(default_factory=dict)
    min_open: Windows = 0
    max_open: Annotated[Windows, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _check_group(self) -> StaffedGroup:
        problems: list[Problem] = []
        if self.speed and self.serves is None:
            problems.append(
                (
                    "speed",
                    "only for a group declared here (with serves); set the speed of "
                    "an existing group in windows[]",
                )
            )
        elif self.serves is not None:
            problems += [
                (f"speed.{service}", unknown_name_message("service", service, self.serves))
                for service in self.speed
                if service not in self.serves
            ]
        if self.max_open is not None and self.min_open > self.max_open:
            problems.append(
                ("min_open", f"must be at most max_open ({self.max_open}), found {self.min_open}")
            )
        if problems:
            raise FieldProblems(problems)
        return self


def _break_pair(item: object) -> object:
    """One break as ``(from, to)``, from any of its three spellings.

    The spellings are ``"12:00-12:30"``, ``["12:00", "12:30"]`` and
    ``{from: "12:00", to: "12:30"}``.
    """
    if isinstance(item, str):
        match = _BREAK_TEXT.match(item)
        if match is None:
            raise ValueError(f'expected a clock range like "12:00-12:30", found {short_repr(item)}')
        return (parse_clock(match.group(1)), parse_clock(match.group(2)))
    if isinstance(item, Mapping):
        if set(item) != {"from", "to"}:
            raise ValueError(f"expected a mapping with from and to, found {short_repr(item)}")
        return (item["from"], item["to"])
    return item


class Shift(FrozenModel):
    """A shift pattern: on duty from ``start`` to ``end`` (clock times), minus unpaid breaks.

    ``cost`` is per shift and day (default: the paid hours). ``min``/``max`` bound how many
    clerks work this shift in all groups together; ``family`` puts it under a family limit
    (e.g. all part-time shifts); ``groups`` restricts the groups it can staff (default: all).
    """

    name: Annotated[str, Field(min_length=1, description="The shift's name in the plan.")]
    start: Clock
    end: Clock
    breaks: tuple[tuple[Clock, Clock], ...] = Field(
        (), description="Unpaid breaks inside the shift, off the window."
    )
    cost: (
        Annotated[
            float, Field(ge=0), at_most(MAX_MONEY, MONEY_REASON), Unit("currency per shift and day")
        ]
        | None
    ) = None
    min: Clerks = 0
    max: Clerks | None = None
    family: str | None = None
    groups: Annotated[tuple[str, ...], Field(min_length=1)] | None = None

    @field_validator("breaks", mode="before")
    @classmethod
    def _breaks_from_text(cls, data: Any) -> Any:
        if isinstance(data, Sequence) and not isinstance(data, str):
            problems, pairs = [], []
            for index, item in enumerate(data):
                try:
                    pairs.append(_break_pair(item))
                except ValueError as exc:
                    problems.append((f"[{index}]", str(exc)))
            if problems:
                raise FieldProblems(problems)
            return pairs
        return data

    @model_validator(mode="after")
    def _check_times(self) -> Shift:
        problems: list[Problem] = []
        if self.start >= self.end:
            problems.append(
                (
                    "end",
                    f"must be later than start ({format_clock(self.start)}), found "
                    f"{format_clock(self.end)} (shifts end on the day they start)",
                )
            )
        previous_end = self.start
        for index, (begin, finish) in enumerate(sorted(self.breaks)):
            where = f"breaks[{self.breaks.index((begin, finish))}]"
            if begin >= finish:
                problems.append(
                    (where, f"must end after it starts, found {clock_range(begin, finish)}")
                )
            elif not (self.start < begin and finish < self.end):
                problems.append(
                    (
                        where,
                        f"must lie inside the shift {clock_range(self.start, self.end)}, found "
                        f"{clock_range(begin, finish)}",
                    )
                )
            elif index and begin < previous_end:
                problems.append((where, f"overlaps another break: {clock_range(begin, finish)}"))
            previous_end = max(previous_end, finish)
        if self.max is not None and self.min > self.max:
            problems.append(("min", f"must be at most max ({self.max}), found {self.min}"))
        if problems:
            raise FieldProblems(problems)
        return self

    @property
    def paid_minutes(self) -> float:
        """Minutes on duty: from start to end, minus the breaks."""
        return self.end - self.start - sum(finish - begin for begin, finish in self.breaks)

    @property
    def shift_cost(self) -> float:
        """What one clerk on this shift costs per day: ``cost``, or the paid hours."""
        return self.cost if self.cost is not None else self.paid_minutes / 60.0

    def on_duty(self, begin: float, finish: float) -> bool:
        """Whether the clerk is at the window for the whole of ``[begin, finish)`` (clock)."""
        if begin < self.start or finish > self.end:
            return False
        return all(finish <= b_from or begin >= b_to for b_from, b_to in self.breaks)


def clock_range(begin: float, finish: float) -> str:
    """Two clock times (minutes after midnight) as a range for messages, e.g. ``08:00-16:30``."""
    return f"{format_clock(begin)}-{format_clock(finish)}"


class ShiftFamily(FrozenModel):
    """A limit on the clerks of all shifts of one family together (e.g. part-timers)."""

    min: Clerks = Field(0, description="At least this many clerks on the family's shifts.")
    max: Clerks | None = Field(None, description="At most this many (default: no limit).")
    description: str = Field("", description="What the family is (for people).")

    @model_validator(mode="after")
    def _check_order(self) -> ShiftFamily:
        if self.max is not None and self.min > self.max:
            raise FieldProblems([("min", f"must be at most max ({self.max}), found {self.min}")])
        return self


class Staffing(FrozenModel):
    """The staffing request: slot length, staffable groups, shift patterns and the target."""

    slot: Annotated[Minutes, Field(gt=0)] = Field(
        30.0, description="The planning grid: requirements and coverage per slot of this length."
    )
    groups: Annotated[tuple[StaffedGroup, ...], Field(min_length=1)]
    shifts: Annotated[tuple[Shift, ...], Field(min_length=1)]
    families: dict[str, ShiftFamily] = {}
    target: StaffingTarget

    @model_validator(mode="after")
    def _check_names(self) -> Staffing:
        group_names = [group.name for group in self.groups]
        problems = duplicates("groups", group_names) + duplicates(
            "shifts", [shift.name for shift in self.shifts]
        )
        for i, shift in enumerate(self.shifts):
            if shift.family is not None and shift.family not in self.families:
                message = unknown_name_message("shift family", shift.family, self.families)
                problems.append((f"shifts[{i}].family", f"{message} (declare it under families)"))
            problems += [
                (f"shifts[{i}].groups[{j}]", unknown_name_message("group", name, group_names))
                for j, name in enumerate(shift.groups or ())
                if name not in group_names
            ]
        if problems:
            raise FieldProblems(problems)
        return self

    def slot_starts(self, calendar: Calendar) -> tuple[float, ...]:
        """Clock times (minutes after midnight) at which the slots of the day begin.

        Days mode: from opening to closing. Continuous mode: the whole day from 00:00.
        """
        begin, finish = planning_hours(calendar)
        count = round((finish - begin) / self.slot)
        return tuple(begin + k * self.slot for k in range(count))

    def groups_for(self, shift: Shift) -> tuple[str, ...]:
        """The staffed groups a shift may work in."""
        return shift.groups if shift.groups is not None else tuple(g.name for g in self.groups)


def planning_hours(calendar: Calendar) -> tuple[float, float]:
    """The clock range the slots cover: opening hours (days mode) or the whole day."""
    if calendar.mode == "days":
        return calendar.open, calendar.close
    return 0.0, MINUTES_PER_DAY


def duplicates(field: str, names: list[str]) -> list[Problem]:
    """A ``field[i].name`` problem for every name already used by an earlier item of `field`."""
    return [
        (
            f"{field}[{i}].name",
            f"duplicate name {short_repr(name)} (also {field}[{names.index(name)}])",
        )
        for i, name in enumerate(names)
        if name in names[:i]
    ]
