"""Load scenarios from YAML files or mappings, resolving overlays.

An overlay describes a reform option as a change to a base scenario::

    base: small_hall.yaml          # relative to this file's folder
    name: One more window at lunch
    cost: {one_off: 0, yearly: 60000}
    changes:
      windows:
        - name: comprehensive      # list items merge by their key (here the name)
          schedule: {"12:00": 2}   # mappings merge key by key

The merge rules are in :mod:`wsim.scenario.overlays`: mappings merge key by key, list items by
their key (a demand stream by its service, channel and priority, or its name), sequences and
plain lists are replaced, ``{replace: [...]}`` gives a whole new list, ``remove: true`` deletes
an item and ``add: true`` adds a new one on purpose. Top-level ``name``, ``description`` and
``cost`` of the overlay replace the base's.

Every failure becomes one :class:`ScenarioError` naming the file, with every problem of the
file at once: overlay problems, schema problems and reference problems together. Files are
read safely (:mod:`wsim.scenario.yamlfile`: regular files of limited size, YAML of limited
depth and expansion).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wsim.scenario import partial, yamlfile
from wsim.scenario.errors import (
    Problem,
    ScenarioError,
    from_validation_error,
    key_path,
    short_repr,
    unknown_name_message,
)
from wsim.scenario.limits import MAX_OVERLAY_DEPTH
from wsim.scenario.overlays import merge_changes, unreferenced
from wsim.scenario.schema import Scenario

Source = str | os.PathLike | Mapping
OVERLAY_KEYS = ("base", "changes", "name", "description", "cost")
_TOP_LEVEL_HELP = "a mapping of scenario fields (name, calendar, services, demand, windows, ...)"

# (resolved path, path as the user sees it) of the files being resolved, for cycle detection
_Chain = tuple[tuple[Path, str], ...]


def load_scenario(source: Source | Scenario) -> Scenario:
    """Load and validate a scenario from a YAML file path or a mapping.

    Overlays (files with ``base:``) are resolved first. A Scenario is returned unchanged.
    Raises :class:`ScenarioError` with one message for the planner on any bad input.
    """
    if isinstance(source, Scenario):
        return source
    raw, path, context, problems = _resolve(source, ())
    scenario = _validate(raw, _display(path), context, problems)
    scenario._source = path
    return scenario


def resolve_mapping(source: Source) -> tuple[dict[str, Any], Path | None]:
    """The raw scenario mapping after overlays are applied, and the file it came from.

    For tools that show what an overlay changes. The bases are validated; the merged mapping
    itself is not (``load_scenario`` does that), but a problem of the overlay's changes (an
    item it cannot find, a misspelled new name) raises :class:`ScenarioError`.
    """
    raw, path, context, problems = _resolve(source, ())
    if problems:
        raise ScenarioError(problems, _display(path), context)
    return raw, path


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The top-level mapping of a YAML file, read safely; every failure is a ScenarioError."""
    file = str(path)
    data = yamlfile.parse(yamlfile.read_text(Path(path), file), file)
    if data is None:
        raise ScenarioError([("", f"the file is empty; expected {_TOP_LEVEL_HELP}")], file)
    if not isinstance(data, dict):
        message = f"expected {_TOP_LEVEL_HELP} at the top level, found {_kind(data)}"
        raise ScenarioError([("", message)], file)
    return data


_read_yaml = read_yaml_mapping  # the name other modules used


def _kind(value: object) -> str:
    """What a value is, without quoting it (the file may not be a scenario at all)."""
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, str):
        return f"a text of {len(value):,} characters"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return f"a {type(value).__name__}"


def _display(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _validate(
    raw: Mapping[str, Any], file: str | None, context: str, problems: list[Problem]
) -> Scenario:
    """The validated scenario, or one error with `problems` and every problem of `raw`."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        error = from_validation_error(exc, Scenario, file, context)
        found = dict.fromkeys([*problems, *error.problems])
        found.update(dict.fromkeys(partial.reference_problems(raw)))
        raise ScenarioError(list(found), file, context) from None
    if problems:
        raise ScenarioError(problems, file, context)
    return scenario


def _resolve(
    source: Source, chain: _Chain
) -> tuple[dict[str, Any], Path | None, str, list[Problem]]:
    """Read ``source`` and apply it on its base if it is an overlay.

    Returns the merged mapping, the file (``None`` for a mapping), the error context and the
    problems of the overlay's changes (the merge goes on past them to find the others).
    """
    if isinstance(source, Mapping):
        data, path, folder = dict(source), None, Path.cwd()
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        data, folder = read_yaml_mapping(path), path.parent
    else:
        raise TypeError(f"expected a file path or a mapping, found {type(source).__name__}")
    if "base" not in data:
        return data, path, "", []
    return _apply_overlay(data, path, folder, chain)


def _apply_overlay(
    data: dict[str, Any], path: Path | None, folder: Path, chain: _Chain
) -> tuple[dict[str, Any], Path | None, str, list[Problem]]:
    """Merge an overlay's ``changes`` into its (recursively resolved, validated) base."""
    file = _display(path)
    _check_overlay_keys(data, file)
    base_ref = data["base"]
    base_path = _base_path(base_ref, folder, file)
    if path is not None:
        chain = (*chain, (path.resolve(), str(path)))
    _check_cycle(base_path, chain, file)
    if len(chain) >= MAX_OVERLAY_DEPTH:
        shown = [name for _, name in chain]
        message = (
            f"more than {MAX_OVERLAY_DEPTH} overlays on overlays ({' -> '.join(shown[:3])} -> "
            f"... -> {shown[-1]}); base a reform on the baseline or on one other reform"
        )
        raise ScenarioError([("base", message)], shown[0])
    base_data = _read_base(base_path, base_ref, file)
    base_raw, _, base_context, base_problems = _resolve_file(base_data, base_path, chain)
    _validate(base_raw, str(base_path), base_context, base_problems)
    changes = data.get("changes") or {}
    if not isinstance(changes, Mapping):
        message = f"expected a mapping of scenario fields, found {short_repr(changes)}"
        raise ScenarioError([("changes", message)], file)
    result = merge_changes(base_raw, changes, "changes")
    merged = result.merged
    for key in ("name", "description", "cost"):
        if key in data:
            merged[key] = copy.deepcopy(data[key])
    problems = result.problems + unreferenced(merged, result.added)
    base_text = base_ref if len(base_ref) <= 80 else short_repr(base_ref)
    return merged, path, f"(after applying overlay on {base_text})", problems


def _resolve_file(
    data: dict[str, Any], path: Path, chain: _Chain
) -> tuple[dict[str, Any], Path | None, str, list[Problem]]:
    if "base" not in data:
        return data, path, "", []
    return _apply_overlay(data, path, path.parent, chain)


def _read_base(base_path: Path, base_ref: str, file: str | None) -> dict[str, Any]:
    """The base's mapping; a problem reading it is a problem of the overlay's ``base`` field.

    A base that reads as YAML but has none of a scenario's fields is not a scenario; its
    content is not quoted (it may be any file).
    """
    try:
        data = read_yaml_mapping(base_path)
    except ScenarioError as error:
        if error.file != str(base_path) or error.context:
            raise
        details = "; ".join(message for _, message in error.problems)
        raise ScenarioError([("base", f"{short_repr(base_ref)}: {details}")], file) from None
    known = set(Scenario.model_fields) | set(OVERLAY_KEYS)
    if not any(key in known for key in data):
        message = (
            f"{short_repr(base_ref)} is not a scenario file: none of its {len(data)} top-level "
            "keys is a scenario field"
        )
        raise ScenarioError([("base", message)], file)
    return data


def _check_overlay_keys(data: Mapping[str, Any], file: str | None) -> None:
    problems = [
        (
            key_path(key),
            unknown_name_message("overlay key", key, OVERLAY_KEYS)
            + " (a file with base: is an overlay; put scenario fields under changes:)",
        )
        for key in data
        if key not in OVERLAY_KEYS
    ]
    if problems:
        raise ScenarioError(problems, file)


def _base_path(base_ref: object, folder: Path, file: str | None) -> Path:
    if not isinstance(base_ref, str) or not base_ref.strip() or "\0" in base_ref:
        message = f"expected the path of the base scenario file, found {short_repr(base_ref)}"
        raise ScenarioError([("base", message)], file)
    return folder / base_ref


def _check_cycle(base_path: Path, chain: _Chain, file: str | None) -> None:
    try:
        target = base_path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        message = f"{short_repr(str(base_path))}: cannot be resolved (a loop of symbolic links)"
        raise ScenarioError([("base", message)], file) from None
    resolved = [resolved for resolved, _ in chain]
    if target in resolved:
        start = resolved.index(target)
        loop = [shown for _, shown in chain[start:]] + [str(base_path)]
        raise ScenarioError([("base", f"overlay cycle: {' -> '.join(loop)}")], file)
