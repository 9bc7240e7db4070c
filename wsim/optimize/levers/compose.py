"""Any set of levers as one scenario: applied to the baseline's mapping, or as an overlay file.

:func:`apply_levers` applies the levers' operations to a copy of the baseline's raw mapping in
a canonical order (:data:`~wsim.optimize.levers.lever.KIND_ORDER`, then name), so one lever
set always gives the same scenario, whatever order it is listed in. :func:`portfolio_overlay`
writes the result as an overlay (``base`` + ``changes`` + ``cost``) whose ``changes`` are the
difference to the baseline in the overlay grammar (:func:`changes_between`); loading it gives
the scenario :func:`apply_levers` gives.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from wsim.files import write_text_atomic
from wsim.optimize.levers.lever import KIND_ORDER, Lever
from wsim.optimize.levers.operations import Conflict
from wsim.scenario.errors import ScenarioError
from wsim.scenario.loader import resolve_mapping

#: Top-level fields an overlay sets itself rather than through ``changes``.
OVERLAY_OWN = ("name", "description", "cost")


def ordered(levers: Iterable[Lever]) -> list[Lever]:
    """The levers in the order they apply (each once)."""
    unique = {lever.name: lever for lever in levers}
    return sorted(unique.values(), key=lambda lever: (KIND_ORDER.index(lever.kind), lever.name))


def apply_levers(
    baseline: Mapping[str, Any], levers: Iterable[Lever], file: str | None = None
) -> dict[str, Any]:
    """The baseline's raw mapping with every lever's operations applied (a new mapping).

    ``file`` (the levers file) only names where the levers come from in error messages.
    Raises :class:`~wsim.scenario.errors.ScenarioError` when a lever finds what it changes
    missing (e.g. a window group that a reform of the same set removed): such levers must be
    made exclusive.
    """
    return copy.deepcopy(applied_sharing(baseline, ordered(levers), file))


def applied_sharing(
    baseline: Mapping[str, Any], levers: Iterable[Lever], file: str | None = None
) -> dict[str, Any]:
    """The levers applied in the order given, sharing unchanged parts with ``baseline``.

    For reading only: changing it in place could change the baseline. The loader's checks use
    it to compare orders and to avoid a copy of the whole scenario per check.
    """
    mapping = dict(baseline)
    done: list[str] = []
    for lever in levers:
        for operation in lever.operations:
            try:
                operation.apply(mapping)
            except Conflict as exc:
                after = f" after {', '.join(done)}" if done else ""
                message = f"lever {lever.name} cannot be applied{after}: {exc}"
                raise ScenarioError([(lever.source, message)], file) from None
        done.append(lever.name)
    return mapping


def changes_between(base: Any, target: Any) -> Any:
    """Overlay ``changes`` that turn ``base`` into ``target``: ``merge(base, changes) == target``.

    Mappings give the keys that differ; lists of named mappings give the items that differ
    (``{name: x, remove: true}`` for a removed one); anything else is replaced whole. A key
    of ``base`` missing from ``target`` cannot be expressed as a merge and raises ValueError.
    """
    if isinstance(base, Mapping) and isinstance(target, Mapping):
        missing = [key for key in base if key not in target]
        if missing:
            raise ValueError(f"an overlay cannot delete keys: {missing}")
        return {
            key: changes_between(base[key], value) if key in base else copy.deepcopy(value)
            for key, value in target.items()
            if key not in base or base[key] != value
        }
    if _named(base) and _named(target):
        return _named_changes(base, target)
    return copy.deepcopy(target)


def _named(items: Any) -> bool:
    return isinstance(items, list) and all(
        isinstance(item, Mapping) and "name" in item for item in items
    )


def _named_changes(base: list[Any], target: list[Any]) -> list[Any]:
    """Changes of a list of named mappings, merged by name.

    A merge keeps the base's order and appends new names; when ``target`` has another order,
    every base item is removed and the target's items are added in its order.
    """
    base_names = [item["name"] for item in base]
    target_names = [item["name"] for item in target]
    kept = [name for name in base_names if name in target_names]
    new = [name for name in target_names if name not in base_names]
    if target_names != kept + new:
        removed = [{"name": name, "remove": True} for name in base_names]
        return removed + copy.deepcopy(target)
    by_name = {item["name"]: item for item in base}
    changes: list[Any] = [
        {"name": name, "remove": True} for name in base_names if name not in target_names
    ]
    for item in target:
        if item["name"] not in by_name:
            changes.append(copy.deepcopy(item))
        elif item != by_name[item["name"]]:
            changes.append({"name": item["name"], **changes_between(by_name[item["name"]], item)})
    return changes


def portfolio_overlay(
    base_file: str | os.PathLike,
    levers: Iterable[Lever],
    name: str,
    description: str | None = None,
    currency: str = "CNY",
    folder: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """The lever set as one overlay on ``base_file``.

    Its keys: ``base``, ``name``, ``description``, ``cost`` (the levers' one-off and yearly
    costs summed) and ``changes``.

    ``base`` is relative to ``folder`` (where the overlay will be written), or the absolute
    path without one. ``description`` defaults to the list of levers.
    """
    chosen = ordered(levers)
    base_raw, _ = resolve_mapping(Path(base_file))
    applied = apply_levers(base_raw, chosen)
    changes = changes_between(
        {k: v for k, v in base_raw.items() if k not in OVERLAY_OWN},
        {k: v for k, v in applied.items() if k not in OVERLAY_OWN},
    )
    base = Path(base_file).resolve()
    if folder is not None:
        base = Path(os.path.relpath(base, Path(folder).resolve()))
    if description is None:
        description = (
            "Portfolio of " + ", ".join(lever.name for lever in chosen) if chosen else "No lever"
        )
    return {
        "base": base.as_posix(),
        "name": name,
        "description": description,
        "cost": {
            "one_off": sum(lever.one_off for lever in chosen),
            "yearly": sum(lever.yearly for lever in chosen),
            "currency": currency,
        },
        "changes": changes,
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes shared objects out in full instead of as YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_overlay(path: str | os.PathLike, overlay: Mapping[str, Any]) -> Path:
    """Write an overlay (e.g. from :func:`portfolio_overlay`) as YAML, atomically."""
    text = yaml.dump(
        dict(overlay), Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return write_text_atomic(Path(path), text)
