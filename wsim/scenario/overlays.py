"""Overlays: merging a reform option's changes into its base, and showing what changed.

A reform option is an overlay, ``base: baseline.yaml`` plus ``changes:``. :func:`merge` applies
the changes to the base mapping (mappings key by key, lists of named items item by item, other
values replaced; ``{name: x, remove: true}`` deletes an item), and :func:`diff_mappings` goes
the other way: the fields in which two scenario mappings differ, as the planner would write
their paths. :func:`format_value` writes a scenario value on one line for tables and reports.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from wsim.scenario.errors import FieldProblems, join_path, key_path, unknown_name_message


def merge(base: Any, change: Any, path: str = "") -> Any:
    """Deep-merge ``change`` into ``base`` (see the module docstring); inputs are not modified.

    Raises :class:`FieldProblems` (paths relative to ``path``) for a bad ``remove``.
    """
    if isinstance(base, Mapping) and isinstance(change, Mapping):
        merged = copy.deepcopy(dict(base))
        for key, value in change.items():
            child = join_path(path, key_path(key))
            merged[key] = merge(base[key], value, child) if key in base else _plain(value, child)
        return merged
    if isinstance(base, list) and _all_named(change) and _all_named(base):
        return _merge_named(base, change, path)
    return _plain(change, path)


def _all_named(items: Any) -> bool:
    return isinstance(items, list) and all(
        isinstance(item, Mapping) and "name" in item for item in items
    )


def _plain(value: Any, path: str) -> Any:
    """A copy of a replacing value; a ``remove`` flag in it could not be honoured."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, Mapping) and "remove" in item:
                raise FieldProblems(
                    [
                        (
                            join_path(path, f"[{index}].remove"),
                            "remove only works when merging a list of named items into a base list "
                            "whose items all have a name",
                        )
                    ]
                )
    return copy.deepcopy(value)


def _merge_named(base: list[Any], change: list[Any], path: str) -> list[Any]:
    """Merge lists of named mappings by name: update, append or remove."""
    merged = copy.deepcopy(base)
    for index, item in enumerate(change):
        item_path = join_path(path, f"[{index}]")
        names = [existing["name"] for existing in merged]
        remove = item.get("remove", False)
        if not isinstance(remove, bool):
            message = f"expected true or false, found {remove!r}"
            raise FieldProblems([(f"{item_path}.remove", message)])
        item = {key: value for key, value in item.items() if key != "remove"}
        if item["name"] not in names:
            if remove:
                message = unknown_name_message("name", item["name"], [str(n) for n in names])
                raise FieldProblems([(f"{item_path}.name", f"cannot remove: {message}")])
            merged.append(copy.deepcopy(item))
        elif remove:
            del merged[names.index(item["name"])]
        else:
            position = names.index(item["name"])
            merged[position] = merge(merged[position], item, item_path)
    return merged


# --- what an overlay changes -------------------------------------------------------------


class _Missing:
    """Marks a field that one side of a difference does not have."""

    def __repr__(self) -> str:
        return "(not set)"

    __str__ = __repr__


_MISSING = _Missing()


def diff_mappings(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """The differences between two scenario mappings as (path, old value, new value).

    Mappings are compared key by key, lists of named mappings item by item by name (like
    overlays merge them); other lists and scalars as a whole. A missing side is shown as
    ``(not set)``.
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found = []
        for key in list(old) + [k for k in new if k not in old]:
            child = join_path(path, key_path(key))
            found += diff_mappings(old.get(key, _MISSING), new.get(key, _MISSING), child)
        return found
    if _named_list(old) and _named_list(new):
        old_items = {item["name"]: item for item in old}
        new_items = {item["name"]: item for item in new}
        found = []
        for name in list(old_items) + [n for n in new_items if n not in old_items]:
            child = f"{path}[{name}]"
            found += diff_mappings(
                old_items.get(name, _MISSING), new_items.get(name, _MISSING), child
            )
        return found
    return [] if old == new else [(path, old, new)]


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, Mapping) and "name" in item for item in value
    )


def format_value(value: Any, limit: int = 160) -> str:
    """A compact, YAML-like one-line text of a scenario value (long ones are shortened)."""
    if isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k}: {format_value(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(format_value(v, limit) for v in value) + "]"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
