"""Field paths into a scenario mapping, as planners write them in files and on the command line.

``windows[comprehensive].schedule['12:00']`` selects the list item named ``comprehensive`` of
``windows`` (or the item at an index, when the selector is a number), then the key ``schedule``,
then the mapping key ``12:00``. :func:`parse_path` splits such a path into steps and
:func:`set_path` returns a copy of a mapping with the field at a path set; both raise
:class:`PathError` naming the step that does not fit.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from wsim.errors import WsimError
from wsim.scenario.errors import join_path, key_path, short_repr
from wsim.scenario.overlays import format_value


class PathError(WsimError, ValueError):
    """A field path cannot be read, or does not fit the scenario it is applied to."""


_STEP = re.compile(r"""\.?([^.\[\]'"]+)|\[\s*(?:'([^']*)'|"([^"]*)"|([^\]]*?))\s*\]""")


def parse_path(path: str) -> list[tuple[str, str]]:
    """Split a field path into steps: ``("key", name)`` or ``("item", selector)``.

    ``windows[comprehensive].schedule['12:00']`` gives key windows, item comprehensive (a
    list item by name, or by index when a number), key schedule, key 12:00 (quoted: a
    mapping key). An unquoted ``[x]`` on a mapping is also a key.
    """
    steps, position = [], 0
    text = path.strip()
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None or match.end() == position:
            raise PathError(
                f"cannot read the field path {short_repr(path)} at {short_repr(text[position:])}"
            )
        key, single, double, item = match.groups()
        if key is not None:
            steps.append(("key", key.strip()))
        elif item is not None:
            steps.append(("item", item))
        else:
            steps.append(("key", single if single is not None else double))
        position = match.end()
    if not steps:
        raise PathError("empty field path")
    return steps


def set_path(mapping: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of a scenario mapping with the field at `path` set to `value`.

    The last step may add a new mapping key; every step before it must exist. Raises
    :class:`PathError` naming the step that does not fit.
    """
    result = copy.deepcopy(dict(mapping))
    steps = parse_path(path)
    container: Any = result
    walked = ""
    for number, (kind, name) in enumerate(steps):
        last = number == len(steps) - 1
        slot, walked = _locate(container, kind, name, walked, path, creating=last)
        if last:
            container[slot] = value
        else:
            container = container[slot]
    return result


def _locate(
    container: Any, kind: str, name: str, walked: str, path: str, creating: bool
) -> tuple[Any, str]:
    """The key or index that a path step selects in `container`, and the path so far."""
    where = walked or "the scenario"
    if isinstance(container, Mapping):
        keys = {str(k): k for k in container}
        if name in keys:
            return keys[name], join_path(walked, key_path(name))
        if creating:
            return name, join_path(walked, key_path(name))
        listed = ", ".join(keys) or "none"
        raise PathError(f"{path}: {where} has no field {short_repr(name)} (fields: {listed})")
    if isinstance(container, list):
        if kind == "item" and re.fullmatch(r"-?\d+", name):
            index = int(name)
            if -len(container) <= index < len(container):
                return index, f"{walked}[{index}]"
            raise PathError(f"{path}: {where} has {len(container)} items, no index {index}")
        names = [str(item.get("name")) for item in container if isinstance(item, Mapping)]
        for index, item in enumerate(container):
            if isinstance(item, Mapping) and str(item.get("name")) == name:
                return index, f"{walked}[{name}]"
        listed = ", ".join(n for n in names if n != "None") or "none have a name"
        raise PathError(
            f"{path}: {where} has no item named {short_repr(name)} (names: {listed}; "
            f"or give an index 0..{len(container) - 1})"
        )
    raise PathError(
        f"{path}: {where} is a value ({format_value(container)}), not a mapping or list"
    )
