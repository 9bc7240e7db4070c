"""What a lever touches, read from the difference it makes to the baseline's mapping.

The same rule for every kind of lever (generated ones and overlay fragments alike): compare
the baseline's raw mapping with the mapping after the lever, and collect

- the window groups, departments and services whose entries differ, and the services a
  changed group starts or stops serving, or serves at another speed;
- the department pairs whose handoffs differ (``handoffs.pairs`` entries; a change of the
  top-level handoff rule touches every pair of every workflow), and their departments;
- for a changed service, also the groups that serve it, its departments (owner and workflow)
  and its workflow's pairs, before and after: its load and its cases move through them;
- for a changed system, the departments that work on it and the channels that run on it;
- any other top-level part of the scenario by name (``calendar``, ``segments``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wsim.optimize.levers.lever import Resources

Pair = tuple[str, str]


def handoff_pairs(service: Mapping[str, Any]) -> list[Pair]:
    """The directed department pairs ``(from, to)`` a service's cases are handed between.

    ``service`` is a raw service mapping (or a dumped Service). The owner department accepts
    the case; each step whose department differs from the one(s) before it is a handoff
    from each of them; a parallel group is entered from the previous department(s) and left
    from each of its branches.
    """
    previous = {service["department"]} if service.get("department") else set()
    pairs: list[Pair] = []
    for step in service.get("workflow") or ():
        branches = step.get("parallel", [step])
        current = {branch["department"] for branch in branches}
        for before in sorted(previous):
            for department in sorted(current):
                if department != before and (before, department) not in pairs:
                    pairs.append((before, department))
        previous = current
    return pairs


def unordered(pair: Pair) -> Pair:
    """A pair with its departments in alphabetical order."""
    a, b = pair
    return (a, b) if a <= b else (b, a)


def workflow_pairs(services: Mapping[str, Mapping[str, Any]]) -> list[Pair]:
    """Every unordered department pair the services' workflows hand cases between.

    In order of first appearance.
    """
    found: list[Pair] = []
    for service in services.values():
        for pair in handoff_pairs(service):
            if unordered(pair) not in found:
                found.append(unordered(pair))
    return found


def touched(base: Mapping[str, Any], after: Mapping[str, Any]) -> Resources:
    """The resources that differ between two raw scenario mappings (see the module docstring)."""
    groups = _changed_named(base.get("windows") or [], after.get("windows") or [])
    services = _changed_keys(base.get("services") or {}, after.get("services") or {})
    services |= _regrouped(base.get("windows") or [], after.get("windows") or [], groups)
    departments = _changed_keys(base.get("departments") or {}, after.get("departments") or {})
    pairs = _changed_pairs(base, after)
    other: set[str] = set()
    for key in sorted(set(base) | set(after)):
        if key in ("windows", "services", "departments", "handoffs", "name", "description"):
            continue
        if key in ("systems", "channels"):
            changed = _changed_keys(base.get(key) or {}, after.get(key) or {})
            other |= {f"{key}.{name}" for name in changed}
        elif base.get(key) != after.get(key):
            other.add(key)
    departments |= {department for pair in pairs for department in pair}
    for mapping in (base, after):
        for service in services:
            _add_service(mapping, service, groups, departments, pairs)
        for system in [o.removeprefix("systems.") for o in other if o.startswith("systems.")]:
            departments |= _users(mapping.get("departments") or {}, system)
            other |= {f"channels.{c}" for c in _users(mapping.get("channels") or {}, system)}
    return Resources(
        frozenset(groups),
        frozenset(departments),
        frozenset(pairs),
        frozenset(services),
        frozenset(other),
    )


def _changed_keys(base: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    return {key for key in set(base) | set(after) if base.get(key) != after.get(key)}


def _changed_named(base: Iterable[Any], after: Iterable[Any]) -> set[str]:
    before = {item.get("name"): item for item in base if isinstance(item, Mapping)}
    later = {item.get("name"): item for item in after if isinstance(item, Mapping)}
    return {str(name) for name in set(before) | set(later) if before.get(name) != later.get(name)}


def _regrouped(base: Iterable[Any], after: Iterable[Any], groups: set[str]) -> set[str]:
    """Services that a changed group starts or stops serving, or serves at another speed."""

    def serving(windows: Iterable[Any], name: str) -> tuple[set[str], dict[str, Any]]:
        group = next((g for g in windows if isinstance(g, Mapping) and g.get("name") == name), {})
        return set(group.get("serves") or []), dict(group.get("speed") or {})

    found: set[str] = set()
    for name in groups:
        (serves_before, speed_before), (serves_after, speed_after) = (
            serving(base, name),
            serving(after, name),
        )
        found |= serves_before ^ serves_after
        found |= {
            s
            for s in set(speed_before) | set(speed_after)
            if speed_before.get(s) != speed_after.get(s)
        }
    return found


def _changed_pairs(base: Mapping[str, Any], after: Mapping[str, Any]) -> set[Pair]:
    """Pairs whose ``handoffs.pairs`` entries differ.

    Every workflow pair when the top-level rule differs.
    """
    base_rule, after_rule = dict(base.get("handoffs") or {}), dict(after.get("handoffs") or {})
    base_entries = base_rule.pop("pairs", None) or []
    after_entries = after_rule.pop("pairs", None) or []
    pairs = {
        unordered((str(entry.get("from")), str(entry.get("to"))))
        for entry in [*base_entries, *after_entries]
        if isinstance(entry, Mapping) and (entry in base_entries) != (entry in after_entries)
    }
    if base_rule != after_rule:
        for mapping in (base, after):
            pairs |= set(workflow_pairs(mapping.get("services") or {}))
    return pairs


def _add_service(
    mapping: Mapping[str, Any], name: str, groups: set[str], departments: set[str], pairs: set
) -> None:
    """Add the groups serving a service, its departments and its pairs in ``mapping``."""
    groups |= {
        str(group.get("name"))
        for group in mapping.get("windows") or []
        if name in (group.get("serves") or [])
    }
    service = (mapping.get("services") or {}).get(name)
    if not isinstance(service, Mapping):
        return
    owner = [service["department"]] if service.get("department") else []
    steps = [
        branch["department"]
        for step in service.get("workflow") or ()
        for branch in (step.get("parallel", [step]))
    ]
    departments |= {*owner, *steps}
    pairs |= {unordered(pair) for pair in handoff_pairs(service)}


def _users(parts: Mapping[str, Any], system: str) -> set[str]:
    """The names of departments or channels that run on ``system``."""
    return {
        name
        for name, part in parts.items()
        if isinstance(part, Mapping) and part.get("system") == system
    }
