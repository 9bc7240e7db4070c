"""Reference checks of a scenario that has schema errors, so one message lists every problem.

pydantic checks a scenario's fields first and runs the scenario's own checks (do the names
refer to each other? :mod:`wsim.scenario.references`) only when every field is valid: a file
with a bad number and a misspelled service name would show the number first, and the name
only after the number is fixed. :func:`reference_problems` runs the reference checks on the
parts of such a file that are valid:

- an invalid entry of a named collection (``services.x``) is replaced by a stand-in that
  satisfies every check that refers to it, so that references to ``x`` are not reported as
  unknown (its own problems are already reported);
- invalid items of a list (``demand[3]``) are left out, and the paths of the problems found
  are mapped back to the items' positions in the file;
- an invalid calendar is replaced by an all-day one, and the staffing section is then left
  out (its checks depend on the opening hours).
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from wsim.scenario import references
from wsim.scenario.calendar import Calendar
from wsim.scenario.distributions import Fixed
from wsim.scenario.errors import Problem
from wsim.scenario.hall import Profile, Service
from wsim.scenario.journeys import ChannelName, Department, Outage
from wsim.scenario.schema import Scenario

_LIST_ITEM = re.compile(r"\b(demand|windows|segments)\[(\d+)\]")


def _stand_in(model: type[BaseModel]) -> BaseModel:
    """An entry of `model` that every reference check accepts (built without validation)."""
    if model is Service:
        channels: Any = dict.fromkeys(typing.get_args(ChannelName), "full")
        return Service.model_construct(window_time=Fixed(value=1.0), channels=channels)
    if model is Profile:
        return Profile(points=((0.0, 1.0),))
    if model is Department:
        return Department(staff=1)
    if model is Outage:
        return Outage(between=1.0, repair=0.0)
    return model.model_construct()


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


@functools.cache
def _adapter(tp: Any) -> TypeAdapter:
    return TypeAdapter(tp)


def _valid(tp: Any, value: Any) -> tuple[bool, Any]:
    """Whether `value` is a valid `tp`, and the validated value."""
    try:
        if _is_model(tp):
            return True, tp.model_validate(value)
        return True, _adapter(tp).validate_python(value)
    except (ValidationError, ValueError, TypeError):
        return False, None


def _dict_part(model: type[BaseModel], key_type: Any, value: Any) -> dict[Any, Any] | None:
    if not isinstance(value, Mapping):
        return None
    part = {}
    for key, entry in value.items():
        key_ok, key = _valid(key_type, key)
        if not key_ok:
            continue
        ok, parsed = _valid(model, entry)
        part[key] = parsed if ok else _stand_in(model)
    return part


def _list_part(model: type[BaseModel], value: Any) -> tuple[tuple[Any, ...], list[int], bool]:
    """The valid items, their positions in the file, and whether any item was invalid."""
    if not isinstance(value, list):
        return (), [], True
    items, positions = [], []
    for position, entry in enumerate(value):
        ok, parsed = _valid(model, entry)
        if ok:
            items.append(parsed)
            positions.append(position)
    return tuple(items), positions, len(items) < len(value)


def _valid_parts(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[int]], set]:
    """The valid parts of `raw`, the file positions of list items, and the invalid lists."""
    parts: dict[str, Any] = {}
    positions: dict[str, list[int]] = {}
    incomplete: set[str] = set()
    for name, field in Scenario.model_fields.items():
        tp = field.annotation
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        value = raw.get(name, field.default if not field.is_required() else None)
        if origin is dict and len(args) == 2 and _is_model(args[1]):
            part = _dict_part(args[1], args[0], value)
            parts[name] = part if part is not None else {}
            if part is None and value is not None:
                incomplete.add(f"{name}:whole")
        elif origin is tuple and args and _is_model(args[0]):
            parts[name], positions[name], invalid = _list_part(args[0], value)
            if invalid:
                incomplete.add(name)
        else:
            ok, parsed = _valid(tp, value)
            parts[name] = parsed if ok else None
            if not ok:
                incomplete.add(name)
    return parts, positions, incomplete


def reference_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """The reference problems of the valid parts of a raw scenario mapping.

    For a mapping that fails validation; best effort: when the valid parts are too broken to
    check (an unforeseen shape), no reference problem is reported rather than a wrong one.
    """
    if not isinstance(raw, Mapping):
        return []
    parts, positions, incomplete = _valid_parts(raw)
    if any(name.endswith(":whole") for name in incomplete):
        return []  # a whole collection is unreadable: every reference to it would look unknown
    if parts.get("calendar") is None:
        parts["calendar"] = Calendar(open=0.0, close=1440.0)
        parts["staffing"] = None
    for name in ("handoffs", "citizens", "targets", "cost"):
        if parts.get(name) is None:
            parts.pop(name, None)
    try:
        scenario = Scenario.model_construct(**{k: v for k, v in parts.items() if v is not None})
        found = references.problems(scenario)
    except Exception:  # best effort on a scenario already known to be invalid
        return []
    if "windows" in incomplete:  # a window group left out may be the one serving a service
        found = [p for p in found if not p[1].startswith("no window group serves")]

    def original(match: re.Match[str]) -> str:
        field, index = match.group(1), int(match.group(2))
        where = positions.get(field, [])
        return f"{field}[{where[index] if index < len(where) else index}]"

    return [(_LIST_ITEM.sub(original, path), _LIST_ITEM.sub(original, msg)) for path, msg in found]
