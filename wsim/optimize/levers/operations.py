"""Operations on a scenario's raw mapping: what a lever does, in a form that composes.

Overlay fragments do not compose by deep merge (two services joining one window group would
each replace the group's ``serves`` list), so a lever is a list of small operations that each
read the mapping as it is and change one thing: append a service to a group's ``serves``, add
a window to every open period of a schedule, set one field of a service, set a handoff rule of
a department pair, or merge a whole overlay fragment. Applied one after the other they give
one scenario for any set of levers.

Operations change the mapping they are given in place, copying every container on the way
to what they change (never changing a nested part in place), so the mapping may share its
unchanged parts with the baseline: applying a lever costs what it changes, not a copy of the
whole scenario. They raise :class:`Conflict` when what they change is missing (e.g. a window
group that a reform in the same set removed).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wsim.scenario.errors import FieldProblems, join_path, key_path
from wsim.scenario.journeys import Journey
from wsim.scenario.overlays import child_pattern, merge

#: A service's channels when its mapping gives none.
DEFAULT_CHANNELS: dict[str, str] = Journey.model_fields["channels"].get_default(
    call_default_factory=True
)
DEFAULT_RESULT: str = Journey.model_fields["result"].default


class Conflict(ValueError):
    """An operation found the mapping without what it changes."""


def _group(mapping: dict[str, Any], name: str) -> dict[str, Any]:
    """A copy of window group ``name``, put in place of the original (in a copied list)."""
    windows = list(mapping.get("windows") or [])
    for index, group in enumerate(windows):
        if isinstance(group, dict) and group.get("name") == name:
            windows[index] = dict(group)
            mapping["windows"] = windows
            return windows[index]
    raise Conflict(f"there is no window group {name!r} to change")


def _entry(mapping: dict[str, Any], section: str, name: str, what: str) -> dict[str, Any]:
    """A copy of ``mapping[section][name]``, put in place of the original."""
    entries = mapping.get(section) or {}
    if not isinstance(entries.get(name), dict):
        raise Conflict(f"there is no {what} {name!r} to change")
    mapping[section] = {**entries, name: dict(entries[name])}
    return mapping[section][name]


def _service(mapping: dict[str, Any], name: str) -> dict[str, Any]:
    return _entry(mapping, "services", name, "service")


def _department(mapping: dict[str, Any], name: str) -> dict[str, Any]:
    return _entry(mapping, "departments", name, "department")


def merge_sharing(base: Any, change: Any, path: str = "", pattern: str = "") -> Any:
    """``merge(base, change)`` (the overlay rules) copying only what the change reaches.

    The parts of ``base`` it does not touch are shared, not copied. ``pattern`` follows the
    field pattern down (``services.*.workflow``) so each list merges by its own rule.
    """
    if isinstance(base, Mapping) and isinstance(change, Mapping):
        merged = dict(base)
        for key, value in change.items():
            child, below = join_path(path, key_path(key)), child_pattern(pattern, key)
            if key in base:
                merged[key] = merge_sharing(base[key], value, child, below)
            else:
                merged[key] = merge(None, value, child, below)  # a new part: a plain copy
        return merged
    return merge(base, change, path, pattern)


@dataclass(frozen=True)
class AddServed:
    """Window group ``group`` also serves ``service`` (appended to its ``serves``)."""

    group: str
    service: str

    def apply(self, mapping: dict[str, Any]) -> None:
        """Append the service to the group's ``serves`` (once)."""
        group = _group(mapping, self.group)
        serves = list(group.get("serves") or [])
        if self.service not in serves:
            group["serves"] = [*serves, self.service]


@dataclass(frozen=True)
class SetSpeed:
    """``windows[group].speed[service] = factor`` (the factor divides the window time)."""

    group: str
    service: str
    factor: float

    def apply(self, mapping: dict[str, Any]) -> None:
        """Set the group's speed factor for the service."""
        group = _group(mapping, self.group)
        group["speed"] = {**(group.get("speed") or {}), self.service: self.factor}


@dataclass(frozen=True)
class AddLearning:
    """The clerks of window group ``group`` learn ``service`` along ``curve``.

    ``curve`` is a learning curve mapping without ``services``. The group's ``learning`` is
    set to it for this service, or, when the group already has the same curve for other
    services, the service is added to them; a different curve, or one for every service, is
    a conflict (one group has one curve).
    """

    group: str
    service: str
    curve: tuple[tuple[str, Any], ...]

    def apply(self, mapping: dict[str, Any]) -> None:
        """Add the service to the group's learning curve (or start the curve with it)."""
        group = _group(mapping, self.group)
        curve = dict(self.curve)
        current = group.get("learning")
        if current is None:
            group["learning"] = {**curve, "services": [self.service]}
            return
        services = current.get("services")
        same = {k: v for k, v in current.items() if k != "services"} == curve
        if services is None or not same:
            raise Conflict(
                f"window group {self.group!r} already has another learning curve "
                f"({'for every service' if services is None else 'with other parameters'})"
            )
        if self.service not in services:
            group["learning"] = {**current, "services": [*services, self.service]}


@dataclass(frozen=True)
class AddWindows:
    """``count`` more windows in group ``group`` whenever it is open (closed periods stay)."""

    group: str
    count: int = 1

    def apply(self, mapping: dict[str, Any]) -> None:
        """Add the windows to the group's count, or to every open period of its schedule."""
        group = _group(mapping, self.group)
        if group.get("count") is not None:
            if group["count"] > 0:
                group["count"] += self.count
            return
        schedule = group.get("schedule")
        if isinstance(schedule, dict):
            group["schedule"] = {t: n + self.count if n > 0 else n for t, n in schedule.items()}
        elif isinstance(schedule, list):
            group["schedule"] = [[t, n + self.count if n > 0 else n] for t, n in schedule]
        else:
            raise Conflict(f"window group {self.group!r} has neither count nor schedule")


@dataclass(frozen=True)
class AddStaff:
    """``count`` more staff in department ``department``."""

    department: str
    count: int = 1

    def apply(self, mapping: dict[str, Any]) -> None:
        """Add the staff to the department."""
        department = _department(mapping, self.department)
        department["staff"] = department.get("staff", 0) + self.count


@dataclass(frozen=True)
class SetServiceField:
    """``services[service][field] = value`` (a copy of ``value``)."""

    service: str
    field: str
    value: Any

    def apply(self, mapping: dict[str, Any]) -> None:
        """Set the field of the service."""
        _service(mapping, self.service)[self.field] = copy.deepcopy(self.value)


@dataclass(frozen=True)
class SetChannel:
    """Service ``service`` can start in ``channel`` with ``mode`` (``full`` or ``pre``).

    Its other channels stay (the default ``{hall: full}`` when it gives none).
    """

    service: str
    channel: str
    mode: str

    def apply(self, mapping: dict[str, Any]) -> None:
        """Set the service's mode in the channel."""
        service = _service(mapping, self.service)
        channels = dict(service.get("channels") or DEFAULT_CHANNELS)
        channels[self.channel] = self.mode
        service["channels"] = channels


@dataclass(frozen=True)
class ReplacePickup:
    """A service whose result is picked up at the hall gets it by ``result`` instead."""

    service: str
    result: str

    def apply(self, mapping: dict[str, Any]) -> None:
        """Replace a pickup result by the new one (other results stay)."""
        service = _service(mapping, self.service)
        if service.get("result", DEFAULT_RESULT) == "pickup":
            service["result"] = self.result


@dataclass(frozen=True)
class SetHandoffPair:
    """The handoff rule of cases going from department ``source`` to ``target``.

    Writes a ``handoffs.pairs`` entry ``{from, to, **rule}`` (replacing an entry of the same
    pair without a service). The schema takes each half of a pair's rule whole
    (:class:`~wsim.scenario.journeys.HandoffPair`): a rule that gives a transport field is a
    complete transport (``{mode: platform, delay: ...}`` is real time, whatever the default
    rule's sync), and a rule without ``rework`` or ``staleness`` keeps the scenario's
    top-level stale-data rule, as a later reform leaves it.
    """

    source: str
    target: str
    rule: dict[str, Any]

    def apply(self, mapping: dict[str, Any]) -> None:
        """Write the pair's entry in ``handoffs.pairs``."""
        handoffs = dict(mapping.get("handoffs") or {})
        mapping["handoffs"] = handoffs
        entry = {"from": self.source, "to": self.target, **copy.deepcopy(self.rule)}
        pairs = [
            pair
            for pair in handoffs.get("pairs") or []
            if not (
                pair.get("from") == self.source
                and pair.get("to") == self.target
                and pair.get("service") is None
            )
        ]
        handoffs["pairs"] = [*pairs, entry]


@dataclass(frozen=True)
class MergeFragment:
    """Deep-merge an overlay fragment (the grammar of an overlay's ``changes``)."""

    changes: dict[str, Any]

    def apply(self, mapping: dict[str, Any]) -> None:
        """Merge the fragment into the mapping (in place)."""
        try:
            merged = merge_sharing(mapping, self.changes)
        except FieldProblems as exc:
            raise Conflict("; ".join(f"{p}: {m}" if p else m for p, m in exc.problems)) from None
        mapping.clear()
        mapping.update(merged)


Operation = (
    AddServed
    | SetSpeed
    | AddWindows
    | AddStaff
    | SetServiceField
    | SetChannel
    | ReplacePickup
    | SetHandoffPair
    | MergeFragment
)
