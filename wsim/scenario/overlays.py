"""Overlays: merging a reform option's changes into its base, and showing what changed.

A reform option is an overlay, ``base: baseline.yaml`` plus ``changes:``. :func:`merge` applies
the changes to the base mapping and :func:`diff_mappings` goes the other way: the fields in
which two scenario mappings differ, as the planner would write their paths.
:func:`format_value` writes a scenario value on one line for tables and reports.

The merge rules, so that an overlay never changes a scenario silently:

- **mappings** merge key by key. In the named collections (:data:`COLLECTIONS`: ``services``,
  ``profiles``, ``departments``, ...) a key that the base does not have adds an entry; a new
  name close to an existing one (``pensoin_claim``) is an error with "did you mean", and so is
  a new service, profile, department or system that nothing in the scenario refers to (a
  misspelled key would otherwise add an orphan and change nothing). Write ``add: true`` in
  the new entry to add it on purpose.
- **lists of items** merge item by item, each item found by its key (:data:`LIST_KEYS`):
  ``demand`` streams by ``name``, or else by (``service``, ``channel``, ``priority``) with
  their defaults (``hall``, 0); ``handoffs.pairs`` by (``from``, ``to``, ``service``);
  ``windows``, ``segments``, ``staffing.groups`` and ``staffing.shifts`` by ``name``.
  A changed item merges into the base item with its key; ``remove: true`` deletes it; an item
  whose key the base does not have is appended, unless it looks like a mistake (a name close
  to an existing one, or a demand stream of a service the base already has under another
  channel or priority): then ``add: true`` says it is new on purpose. An item without its key
  fields cannot be matched, and is an error that says how to write it.
- **sequences** (:data:`SEQUENCES`: a service's ``workflow``, a shift's ``breaks``, a window
  group's ``training``) and lists of plain values (``serves``, ``weekdays``) are replaced
  whole, and so is any list written as
  ``{replace: [...]}``, the way to give a whole new list on purpose (``demand: {replace:
  [...]}``). Any other list of mappings must be written that way.
- scalars replace.

Every problem of a merge is collected, so that one message lists them all.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wsim.scenario.errors import (
    FieldProblems,
    Problem,
    did_you_mean,
    join_path,
    key_path,
    short_repr,
    unknown_name_message,
)

#: The flag that deletes a list item, and the one that adds a new item or entry on purpose.
REMOVE, ADD = "remove", "add"
#: The key of a mapping that replaces a whole list: ``demand: {replace: [...]}``.
REPLACE = "replace"
#: New items checked for a "did you mean" per merge (the check compares with every name).
_MAX_HINTED = 500


@dataclass(frozen=True)
class ListKey:
    """How the items of one list of a scenario are told apart when an overlay merges into it.

    Attributes
    ----------
    what : the item, for messages (``demand stream``).
    fields : the key fields, in order.
    defaults : the value of a key field an item leaves out (as the schema fills it in).
    required : key fields an item must give (unless it has a name and `by_name`).
    by_name : an item with a ``name`` is found by its name instead.
    """

    what: str
    fields: tuple[str, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    by_name: bool = True

    def key(self, item: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The item's key, or None when it lacks a required key field."""
        if self.by_name and item.get("name") is not None:
            return ("name", item["name"])
        if any(item.get(name) is None for name in self.required):
            return None
        return tuple(item.get(name, self.defaults.get(name)) for name in self.fields)

    def describe(self, key: tuple[Any, ...]) -> str:
        """A key as the planner wrote it: ``name 'x'`` or ``service 'a', channel 'hall'``."""
        if self.by_name and len(key) == 2 and key[0] == "name":
            return f"name {short_repr(key[1])}"
        return ", ".join(f"{n} {short_repr(v)}" for n, v in zip(self.fields, key, strict=True))

    def how(self, field_path: str) -> str:
        """What an item needs to be found, for messages."""
        need = " and ".join(self.required or self.fields)
        by = f"its name, or {need}" if self.by_name and self.fields != ("name",) else need
        return (
            f"give {by} to change an item of the base, or write {field_path}: "
            "{replace: [...]} to give the whole list"
        )


_BY_NAME = ("name",)

#: The key of every list an overlay merges item by item, by field path (``*``: any name).
#: Other helpers' list fields register here (see the module docstring).
LIST_KEYS: dict[str, ListKey] = {
    "demand": ListKey(
        "demand stream",
        ("service", "channel", "priority"),
        {"channel": "hall", "priority": 0},
        required=("service",),
    ),
    "handoffs.pairs": ListKey(
        "department pair", ("from", "to", "service"), {"service": None}, ("from", "to"), False
    ),
    "windows": ListKey("window group", _BY_NAME, required=_BY_NAME),
    "segments": ListKey("segment", _BY_NAME, required=_BY_NAME),
    "staffing.groups": ListKey("staffed group", _BY_NAME, required=_BY_NAME),
    "staffing.shifts": ListKey("shift", _BY_NAME, required=_BY_NAME),
    "calendar.workdays": ListKey("make-up working day", ("date",), {}, ("date",), False),
}

#: Lists that are ordered sequences: an overlay gives the whole new sequence.
SEQUENCES: frozenset[str] = frozenset(
    {
        "services.*.workflow",
        "services.*.workflow.parallel",
        "staffing.shifts.breaks",
        "windows.training",
    }
)

#: Mappings whose keys are names of entries (what a new entry is, for messages).
COLLECTIONS: dict[str, str] = {
    "services": "service",
    "profiles": "profile",
    "departments": "department",
    "systems": "system",
    "channels": "channel",
    "staffing.families": "shift family",
    "calendar.day_types": "day type",
}

#: Collections whose entries do nothing unless something refers to them by name.
PASSIVE: frozenset[str] = frozenset(
    {"services", "profiles", "departments", "systems", "staffing.families"}
)


@dataclass(frozen=True)
class Added:
    """An entry or item an overlay added to its base."""

    path: str  # where the overlay wrote it (``changes.services.express``)
    collection: str  # the field path of its collection (``services``)
    name: Any  # its name (a collection key or a list item's name), or None
    on_purpose: bool  # written with ``add: true``


@dataclass
class MergeResult:
    """The merged mapping, the problems found (all of them) and the entries added."""

    merged: Any
    problems: list[Problem]
    added: list[Added]


def merge(base: Any, change: Any, path: str = "", pattern: str = "") -> Any:
    """Deep-merge ``change`` into ``base`` (see the module docstring); inputs are not modified.

    ``path`` is the prefix of the field paths in messages (``"changes"``); ``pattern`` is the
    field pattern of ``base`` when it is a part of a scenario (``"services.*"``: a service), so
    that the part's lists merge by their own rules. Raises :class:`FieldProblems` with every
    problem found.
    """
    result = merge_changes(base, change, path, pattern)
    if result.problems:
        raise FieldProblems(result.problems)
    return result.merged


def merge_changes(base: Any, change: Any, path: str = "", pattern: str = "") -> MergeResult:
    """Merge like :func:`merge`, returning the problems and the added entries instead."""
    merger = _Merger()
    merged = merger.merge(base, change, path, pattern)
    return MergeResult(merged, merger.problems, merger.added)


def child_pattern(pattern: str, key: object) -> str:
    """The field pattern of `key` below `pattern` (collection entries become ``*``)."""
    if pattern in COLLECTIONS:
        return f"{pattern}.*"
    return f"{pattern}.{key}" if pattern else str(key)


def _is_replace(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {REPLACE}


class _Merger:
    """One merge: walks base and change together, collecting problems and added entries."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.added: list[Added] = []

    def merge(self, base: Any, change: Any, path: str, pattern: str) -> Any:
        if _is_replace(change) and (base is None or isinstance(base, list)):
            return self._replacement(change[REPLACE], path)
        if isinstance(base, Mapping) and isinstance(change, Mapping):
            return self._merge_mapping(base, change, path, pattern)
        if isinstance(base, list) and isinstance(change, list):
            return self._merge_list(base, change, path, pattern)
        return self._plain(change, path)

    def _replacement(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            message = f"expected a list (the whole new list), found {short_repr(value)}"
            self.problems.append((join_path(path, REPLACE), message))
            return []
        return self._plain(value, join_path(path, REPLACE))

    def _merge_mapping(self, base: Mapping, change: Mapping, path: str, pattern: str) -> dict:
        merged = copy.deepcopy(dict(base))
        for key, value in change.items():
            child, below = join_path(path, key_path(key)), child_pattern(pattern, key)
            if pattern in COLLECTIONS:
                value = self._collection_entry(base, key, value, child, pattern)
            if key in base:
                merged[key] = self.merge(base[key], value, child, below)
            else:
                merged[key] = self._plain(value, child)
        return merged

    def _collection_entry(
        self, base: Mapping, key: Any, value: Any, path: str, collection: str
    ) -> Any:
        """An entry of a named collection, without its ``add`` flag; checks a new name."""
        on_purpose = False
        if isinstance(value, Mapping) and ADD in value:
            on_purpose = self._flag(value, ADD, path)
            value = {k: v for k, v in value.items() if k != ADD}
            if on_purpose and key in base:
                message = f"add: true is for new entries, and {short_repr(key)} is in the base"
                self.problems.append((join_path(path, ADD), message))
        if key in base:
            return value
        what = COLLECTIONS[collection]
        hint = "" if len(self.added) > _MAX_HINTED else did_you_mean(key, list(map(str, base)))
        if hint and not on_purpose:
            message = (
                f"new {what} {short_repr(key)}, not in the base{hint} (to add a new {what} "
                "on purpose, write add: true in it)"
            )
            self.problems.append((path, message))
        self.added.append(Added(path, collection, key, on_purpose or bool(hint)))
        return value

    def _flag(self, item: Mapping, flag: str, path: str) -> bool:
        value = item.get(flag, False)
        if not isinstance(value, bool):
            found = short_repr(value)
            self.problems.append((join_path(path, flag), f"expected true or false, found {found}"))
            return False
        return value

    def _merge_list(self, base: list, change: list, path: str, pattern: str) -> list:
        spec = LIST_KEYS.get(pattern)
        if spec is not None:
            return self._merge_keyed(base, change, path, pattern, spec)
        mappings = any(isinstance(item, Mapping) for item in [*base, *change])
        if pattern in SEQUENCES or not mappings:
            return self._plain(change, path)
        if _all_named(base) and _all_named(change):
            spec = ListKey("item", _BY_NAME, required=_BY_NAME)
            return self._merge_keyed(base, change, path, pattern, spec)
        message = (
            "a list of items without names cannot be merged item by item; give the whole "
            f"new list as {key_path(pattern.rsplit('.', 1)[-1])}: {{replace: [...]}}"
        )
        self.problems.append((path, message))
        return copy.deepcopy(base)

    def _merge_keyed(
        self, base: list, change: list, path: str, pattern: str, spec: ListKey
    ) -> list:
        """Merge `change` into `base` item by item, each item found by its key."""
        items: dict[Any, Any] = {}  # key -> item, in order (a unique stand-in for odd items)
        for existing in copy.deepcopy(base):
            key = spec.key(existing) if isinstance(existing, Mapping) else None
            items[key if key is not None and key not in items else object()] = existing
        removed = self._removed_keys(change, spec)
        kept = [key for key in items if isinstance(key, tuple) and key not in removed]
        for index, item in enumerate(change):
            item_path = join_path(path, f"[{index}]")
            if not isinstance(item, Mapping):
                found = short_repr(item)
                message = f"expected a {spec.what} (a mapping), found {found}"
                self.problems.append((item_path, message))
                continue
            remove, add = self._flag(item, REMOVE, item_path), self._flag(item, ADD, item_path)
            item = {k: v for k, v in item.items() if k not in (REMOVE, ADD)}
            key = _hashable(spec.key(item))
            if key is None:
                where = key_path(pattern.rsplit(".", 1)[-1])
                message = f"cannot tell which {spec.what} of the base this is: {spec.how(where)}"
                self.problems.append((item_path, message))
            elif key in items and remove:
                del items[key]
            elif key in items and add:
                message = (
                    f"add: true is for new items; the base has a {spec.what} with "
                    f"{spec.describe(key)}"
                )
                self.problems.append((join_path(item_path, ADD), message))
            elif key in items:
                items[key] = self.merge(items[key], item, item_path, pattern)
            elif remove:
                self._cannot_remove(key, list(items), item_path, spec)
            else:
                self._check_new_item(key, kept, add, item_path, spec, pattern)
                items[key] = copy.deepcopy(item)
        return list(items.values())

    def _removed_keys(self, change: list, spec: ListKey) -> set:
        keys = (
            _hashable(spec.key(item))
            for item in change
            if isinstance(item, Mapping) and item.get(REMOVE) is True
        )
        return {key for key in keys if key is not None}

    def _cannot_remove(self, key: tuple, keys: list, path: str, spec: ListKey) -> None:
        if key[0] == "name" and len(key) == 2:
            names = [str(k[1]) for k in keys if isinstance(k, tuple) and k[0] == "name"]
            message = unknown_name_message("name", key[1], names)
            self.problems.append((join_path(path, "name"), f"cannot remove: {message}"))
            return
        message = f"cannot remove: the base has no {spec.what} with {spec.describe(key)}"
        self.problems.append((path, message))

    def _check_new_item(
        self, key: tuple, kept: list, on_purpose: bool, path: str, spec: ListKey, pattern: str
    ) -> None:
        """A new list item that looks like a mistake is a problem, unless ``add: true``.

        It looks like one when its name is close to the name of an item the base keeps, or
        when it shares the first key field with one (a second demand stream of a service,
        under another channel or priority: most likely the planner meant to change the first).
        """
        name = key[1] if key[0] == "name" and len(key) == 2 else None
        hint = ""
        if on_purpose or len(self.added) > _MAX_HINTED:
            pass
        elif name is not None:
            hint = did_you_mean(name, [str(k[1]) for k in kept if k[0] == "name"])
        else:
            similar = [k for k in kept if k[0] == key[0] and k[0] != "name"]
            if similar:
                shown = "; ".join(spec.describe(k) for k in similar[:3])
                hint = f"; the base has a {spec.what} with {shown}: give its key to change it"
        if hint:
            message = (
                f"no {spec.what} of the base has {spec.describe(key)}{hint} (to add a new "
                f"{spec.what} on purpose, write add: true in it)"
            )
            self.problems.append((path, message))
        self.added.append(Added(path, pattern, name, on_purpose or bool(hint)))

    def _plain(self, value: Any, path: str) -> Any:
        """A copy of a replacing value, its items' ``add`` flags taken out.

        Every item of such a list is new (``add: true`` is allowed and says so); ``remove``
        flags in it could not be honoured.
        """
        if not isinstance(value, list):
            return copy.deepcopy(value)
        items = []
        for index, item in enumerate(value):
            if isinstance(item, Mapping) and REMOVE in item:
                message = (
                    "remove only works when merging into a list of the base whose items "
                    "it can find (by name or key)"
                )
                self.problems.append((join_path(path, f"[{index}].{REMOVE}"), message))
            if isinstance(item, Mapping) and ADD in item:
                self._flag(item, ADD, join_path(path, f"[{index}]"))
                item = {k: v for k, v in item.items() if k != ADD}
            items.append(copy.deepcopy(item))
        return items


def _hashable(key: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """A key usable in a dict: unhashable parts (a list given as a name) become their repr."""
    if key is None:
        return None
    try:
        hash(key)
    except TypeError:
        return tuple(
            part if isinstance(part, (str, int, float)) else short_repr(part) for part in key
        )
    return key


def _all_named(items: Any) -> bool:
    return isinstance(items, list) and all(
        isinstance(item, Mapping) and "name" in item for item in items
    )


def unreferenced(merged: Mapping[str, Any], added: list[Added]) -> list[Problem]:
    """New entries of passive collections that nothing in the merged scenario refers to.

    A service without demand or windows, a department no workflow visits, a profile no demand
    follows, a system nothing runs on: most likely a misspelled key, which would otherwise
    change nothing. Entries added on purpose (``add: true``) are left alone. A reference is
    any string value of the scenario (outside the entry itself, names and descriptions).
    """
    candidates = [a for a in added if a.collection in PASSIVE and not a.on_purpose]
    if not candidates:
        return []
    problems = []
    for entry in candidates:
        collection = merged.get(entry.collection) if "." not in entry.collection else None
        if entry.collection == "staffing.families":
            collection = (merged.get("staffing") or {}).get("families")
        own = collection.get(entry.name) if isinstance(collection, Mapping) else None
        if entry.name in _strings(merged, skip=own):
            continue
        what = COLLECTIONS[entry.collection]
        message = (
            f"new {what} {short_repr(entry.name)} that nothing refers to (a misspelled name "
            f"adds an unused {what} and changes nothing); to add it on purpose, write add: "
            "true in it"
        )
        problems.append((entry.path, message))
    return problems


def _strings(value: Any, skip: Any) -> set[str]:
    """Every string value inside `value` except under `skip`, ``name`` and ``description``."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if item is skip:
            continue
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, Mapping):
            stack += [v for k, v in item.items() if k not in ("name", "description")]
        elif isinstance(item, list):
            stack += item
    return found


# --- what an overlay changes -------------------------------------------------------------


class _Missing:
    """Marks a field that one side of a difference does not have."""

    def __repr__(self) -> str:
        return "(not set)"

    __str__ = __repr__


_MISSING = _Missing()


def diff_mappings(
    old: Any, new: Any, path: str = "", pattern: str = ""
) -> list[tuple[str, Any, Any]]:
    """The differences between two scenario mappings as (path, old value, new value).

    Mappings are compared key by key, lists item by item by their key, as overlays merge them
    (:data:`LIST_KEYS`; an item shown as ``demand[pension_claim@any]``), lists of named
    mappings by name; other lists and scalars as a whole. A missing side is ``(not set)``.
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found = []
        for key in list(old) + [k for k in new if k not in old]:
            child = join_path(path, key_path(key))
            found += diff_mappings(
                old.get(key, _MISSING), new.get(key, _MISSING), child, child_pattern(pattern, key)
            )
        return found
    spec = LIST_KEYS.get(pattern)
    if spec is None and _named_list(old) and _named_list(new):
        spec = ListKey("item", _BY_NAME, required=_BY_NAME)
    if spec is not None and pattern not in SEQUENCES:
        old_items, new_items = _keyed_items(old, spec), _keyed_items(new, spec)
        if old_items is not None and new_items is not None:
            found = []
            for key in list(old_items) + [k for k in new_items if k not in old_items]:
                child = f"{path}[{_key_text(key, spec)}]"
                found += diff_mappings(
                    old_items.get(key, _MISSING), new_items.get(key, _MISSING), child, pattern
                )
            return found
    return [] if old == new else [(path, old, new)]


def _keyed_items(items: Any, spec: ListKey) -> dict[Any, Any] | None:
    """The items of a list by their key, or None when one has no key or two share one."""
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        return None
    keyed = {}
    for item in items:
        key = _hashable(spec.key(item))
        if key is None or key in keyed:
            return None
        keyed[key] = item
    return keyed


def _key_text(key: tuple[Any, ...], spec: ListKey) -> str:
    """A list item's key as a path selector.

    Its name; for a demand stream ``service@channel#p1`` (its label in results); else the key
    fields joined by ``/``.
    """
    if len(key) == 2 and key[0] == "name":
        return str(key[1])
    if spec.fields == ("service", "channel", "priority"):
        service, channel, priority = key
        return f"{service}@{channel}" + (f"#p{priority}" if priority else "")
    return "/".join(str(part) for part in key if part is not None)


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
