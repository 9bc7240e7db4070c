"""Load scenarios from YAML files or mappings, resolving overlays.

An overlay describes a reform option as a change to a base scenario::

    base: small_hall.yaml          # relative to this file's folder
    name: One more window at lunch
    cost: {one_off: 0, yearly: 60000}
    changes:
      windows:
        - name: comprehensive      # list items with a name merge by name
          schedule: {"12:00": 2}   # mappings merge key by key

Merging rules: mappings merge key by key; a list of mappings that all have ``name`` merges
item by item by name (a new name is appended, ``{name: x, remove: true}`` deletes x); any
other list, and any scalar, replaces. Top-level ``name``, ``description`` and ``cost`` of the
overlay replace the base's. Every failure becomes a :class:`ScenarioError` naming the file.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from wsim.scenario.errors import (
    FieldProblems,
    ScenarioError,
    from_validation_error,
    key_path,
    short_repr,
    unknown_name_message,
)
from wsim.scenario.overlays import merge
from wsim.scenario.schema import Scenario

Source = str | os.PathLike | Mapping
OVERLAY_KEYS = ("base", "changes", "name", "description", "cost")
_TOP_LEVEL_HELP = "a mapping of scenario fields (name, calendar, services, demand, windows, ...)"

# (resolved path, path as the user sees it) of the files being resolved, for cycle detection
_Chain = tuple[tuple[Path, str], ...]


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of keeping the last one.

    A duplicated key (two ``"12:00":`` in a schedule) is almost always a mistake, and YAML's
    silent "last one wins" would hide it.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: list[Any] = []
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.append(key)
        return super().construct_mapping(node, deep=deep)


def load_scenario(source: Source | Scenario) -> Scenario:
    """Load and validate a scenario from a YAML file path or a mapping.

    Overlays (files with ``base:``) are resolved first. A Scenario is returned unchanged.
    Raises :class:`ScenarioError` with one message for the planner on any bad input.
    """
    if isinstance(source, Scenario):
        return source
    raw, path, context = _resolve(source, ())
    scenario = _validate(raw, _display(path), context)
    scenario._source = path
    return scenario


def resolve_mapping(source: Source) -> tuple[dict[str, Any], Path | None]:
    """The raw scenario mapping after overlays are applied, and the file it came from.

    For tools that show what an overlay changes. The bases are validated; the merged mapping
    itself is not (``load_scenario`` does that).
    """
    raw, path, _ = _resolve(source, ())
    return raw, path


def _display(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _validate(raw: Mapping[str, Any], file: str | None, context: str) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, Scenario, file, context) from None


def _resolve(source: Source, chain: _Chain) -> tuple[dict[str, Any], Path | None, str]:
    """Read ``source`` and apply it on its base if it is an overlay.

    Returns the merged mapping, the file (``None`` for a mapping) and the error context.
    """
    if isinstance(source, Mapping):
        data, path, folder = dict(source), None, Path.cwd()
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        data, folder = _read_yaml(path), path.parent
    else:
        raise TypeError(f"expected a file path or a mapping, found {type(source).__name__}")
    if "base" not in data:
        return data, path, ""
    return _apply_overlay(data, path, folder, chain)


def _read_yaml(path: Path) -> dict[str, Any]:
    """The top-level mapping of a YAML file; every failure is a ScenarioError."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([("", "file not found")], file) from None
    except IsADirectoryError:
        raise ScenarioError([("", "is a folder, expected a YAML file")], file) from None
    except UnicodeDecodeError:
        raise ScenarioError([("", "is not a UTF-8 text file")], file) from None
    except OSError as exc:
        raise ScenarioError([("", f"cannot be read: {exc.strerror}")], file) from None
    data = _parse_yaml(text, file)
    if data is None:
        raise ScenarioError([("", f"the file is empty; expected {_TOP_LEVEL_HELP}")], file)
    if not isinstance(data, dict):
        found = f"a {type(data).__name__}: {short_repr(data)}"
        message = f"expected {_TOP_LEVEL_HELP} at the top level, found {found}"
        raise ScenarioError([("", message)], file)
    return data


def _parse_yaml(text: str, file: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        message = f"invalid YAML{where}: {exc.problem or exc.context}"
        raise ScenarioError([("", message)], file) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([("", f"invalid YAML: {exc}")], file) from None


def _apply_overlay(
    data: dict[str, Any], path: Path | None, folder: Path, chain: _Chain
) -> tuple[dict[str, Any], Path | None, str]:
    """Merge an overlay's ``changes`` into its (recursively resolved, validated) base."""
    file = _display(path)
    _check_overlay_keys(data, file)
    base_ref = data["base"]
    base_path = _base_path(base_ref, folder, file)
    if path is not None:
        chain = (*chain, (path.resolve(), str(path)))
    _check_cycle(base_path, chain, file)
    base_raw, _, base_context = _resolve(base_path, chain)
    _validate(base_raw, str(base_path), base_context)
    changes = data.get("changes") or {}
    if not isinstance(changes, Mapping):
        message = f"expected a mapping of scenario fields, found {short_repr(changes)}"
        raise ScenarioError([("changes", message)], file)
    try:
        merged = merge(base_raw, changes, "changes")
    except FieldProblems as exc:
        raise ScenarioError(exc.problems, file) from None
    for key in ("name", "description", "cost"):
        if key in data:
            merged[key] = copy.deepcopy(data[key])
    return merged, path, f"(after applying overlay on {base_ref})"


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
    if not isinstance(base_ref, str) or not base_ref.strip():
        message = f"expected the path of the base scenario file, found {short_repr(base_ref)}"
        raise ScenarioError([("base", message)], file)
    base_path = folder / base_ref
    if not base_path.is_file():
        raise ScenarioError([("base", f"base scenario file not found: {base_path}")], file)
    return base_path


def _check_cycle(base_path: Path, chain: _Chain, file: str | None) -> None:
    resolved = [resolved for resolved, _ in chain]
    if base_path.resolve() in resolved:
        start = resolved.index(base_path.resolve())
        loop = [shown for _, shown in chain[start:]] + [str(base_path)]
        raise ScenarioError([("base", f"overlay cycle: {' -> '.join(loop)}")], file)
