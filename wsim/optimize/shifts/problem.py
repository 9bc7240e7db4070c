"""A scenario's staffing request in the form the optimizer works with.

The ``staffing`` section names groups and shifts; here they become arrays: the slot grid (clock
minutes), which shift is at the window in which slot, and the covering instance that
:func:`wsim.optimize.cover` solves. Requirements and schedules are arrays of shape
(groups, slots), in the order of ``staffing.groups``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wsim.errors import WsimError
from wsim.optimize.shifts.covering import CountLimit
from wsim.scenario.schema import Scenario
from wsim.scenario.staffing import Shift, Staffing, StaffingTarget
from wsim.scenario.units import format_clock


class StaffingError(WsimError, ValueError):
    """A staffing request that cannot be answered; ``str()`` is meant for the planner."""


class StaffingInfeasible(StaffingError):
    """No allowed set of shifts reaches the target; the message names slots and the limit."""


@dataclass(frozen=True)
class StaffedGroup:
    """One group the plan staffs: what it serves and how many windows it may open."""

    name: str
    serves: tuple[str, ...]
    speed: dict[str, float]
    min_open: int
    max_open: int | None
    declared: bool
    """True for a group the staffing section declares (the plan adds it to ``windows``)."""
    path: str
    """Where the group is in the scenario file, e.g. ``staffing.groups[1]``."""


@dataclass(frozen=True)
class CoverColumn:
    """One pattern of the covering instance: a shift worked in a group."""

    group: int
    shift: int


class StaffingProblem:
    """The slot grid, groups, shift coverage and covering instance of a scenario's request."""

    def __init__(self, scenario: Scenario):
        staffing = scenario.staffing
        if staffing is None:
            where = f" ({scenario.source})" if scenario.source else ""
            raise StaffingError(
                f"scenario {scenario.name!r}{where} has no staffing section: add one with slot, "
                "groups, shifts and target (see docs/staffing.md)"
            )
        self.scenario = scenario
        self.staffing: Staffing = staffing
        self.target: StaffingTarget = staffing.target
        self.slot_length = float(staffing.slot)
        self.slots = np.array(staffing.slot_starts(scenario.calendar))
        self.groups = tuple(_resolve_group(scenario, i) for i in range(len(staffing.groups)))
        self.shifts: tuple[Shift, ...] = staffing.shifts
        self.on_duty = np.array(
            [
                [shift.on_duty(start, start + self.slot_length) for start in self.slots]
                for shift in self.shifts
            ],
            dtype=bool,
        )
        names = [group.name for group in self.groups]
        self.columns = tuple(
            CoverColumn(names.index(group), s)
            for s, shift in enumerate(self.shifts)
            for group in staffing.groups_for(shift)
        )

    @property
    def labels(self) -> list[str]:
        """The slots' start times as ``"HH:MM"``."""
        return [format_clock(start) for start in self.slots]

    @property
    def shape(self) -> tuple[int, int]:
        """(groups, slots): the shape of requirement and schedule arrays."""
        return len(self.groups), self.slots.size

    def floor(self, requirements: np.ndarray) -> np.ndarray:
        """Requirements raised to each group's ``min_open`` (whole windows)."""
        minimum = np.array([group.min_open for group in self.groups])[:, None]
        return np.maximum(np.ceil(requirements - 1e-9).astype(int), minimum)

    def capacity(self) -> np.ndarray:
        """Windows each group can open per slot (``max_open``; a large number if unlimited)."""
        unlimited = np.iinfo(np.int32).max
        caps = [
            group.max_open if group.max_open is not None else unlimited for group in self.groups
        ]
        return np.repeat(np.array(caps)[:, None], self.slots.size, axis=1)

    def cover_instance(self) -> tuple[np.ndarray, np.ndarray, list[CountLimit]]:
        """Pattern matrix, costs and count limits of the covering problem.

        Periods are (group, slot) pairs in row-major order; patterns are :attr:`columns`.
        """
        n_groups, n_slots = self.shape
        matrix = np.zeros((len(self.columns), n_groups * n_slots), dtype=int)
        for row, column in enumerate(self.columns):
            first = column.group * n_slots
            matrix[row, first : first + n_slots] = self.on_duty[column.shift]
        costs = np.array([self.shifts[column.shift].shift_cost for column in self.columns])
        return matrix, costs, self._limits()

    def _limits(self) -> list[CountLimit]:
        limits = []
        for s, shift in enumerate(self.shifts):
            if shift.min > 0 or shift.max is not None:
                members = tuple(row for row, c in enumerate(self.columns) if c.shift == s)
                name = f"staffing.shifts[{s}] ({shift.name!r}: {_bounds(shift.min, shift.max)})"
                limits.append(CountLimit(name, members, shift.min, shift.max))
        for family, limit in self.staffing.families.items():
            members = tuple(
                row for row, c in enumerate(self.columns) if self.shifts[c.shift].family == family
            )
            name = f"staffing.families.{family} ({_bounds(limit.min, limit.max)})"
            limits.append(CountLimit(name, members, limit.min, limit.max))
        return limits

    def shift_table(self, counts: np.ndarray) -> list[tuple[str, str, int, float]]:
        """(shift, group, clerks, cost per clerk) for every column with clerks."""
        return [
            (
                self.shifts[c.shift].name,
                self.groups[c.group].name,
                int(n),
                self.shifts[c.shift].shift_cost,
            )
            for c, n in zip(self.columns, counts, strict=True)
            if n > 0
        ]

    def uncovered_slots(self) -> np.ndarray:
        """(groups, slots) mask of slots no shift allowed in the group covers."""
        covered = np.zeros(self.shape, dtype=bool)
        for column in self.columns:
            covered[column.group] |= self.on_duty[column.shift]
        return ~covered

    def describe_slots(self, mask: np.ndarray) -> str:
        """``'counter' 11:00, 11:30; 'express' 12:00`` for a (groups, slots) mask."""
        parts = []
        for g, group in enumerate(self.groups):
            times = [label for label, hit in zip(self.labels, mask[g], strict=True) if hit]
            if times:
                parts.append(f"{group.name!r} at {', '.join(times)}")
        return "; ".join(parts)


def _bounds(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low}"
    return f"at most {high}" if low == 0 else f"{low} to {high}"


def _resolve_group(scenario: Scenario, index: int) -> StaffedGroup:
    """A staffed group with its services, from windows[] or from its declaration."""
    group = scenario.staffing.groups[index]
    path = f"staffing.groups[{index}]"
    if group.serves is not None:
        return StaffedGroup(
            group.name, group.serves, dict(group.speed), group.min_open, group.max_open, True, path
        )
    window = next(w for w in scenario.windows if w.name == group.name)
    return StaffedGroup(
        group.name, window.serves, dict(window.speed), group.min_open, group.max_open, False, path
    )
