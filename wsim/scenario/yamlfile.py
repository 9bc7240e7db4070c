"""Reading YAML scenario files safely: what is read, how big it may get, and how numbers read.

A scenario file comes from a planner, but it may be a mistake (a folder, ``/dev/zero``, a
pipe, a log file) or hostile (an alias bomb: 1 KB that expands to a billion values). Before
anything is built:

- the file must be a regular file of at most :data:`~wsim.scenario.limits.MAX_FILE_BYTES`
  (checked before reading, and again on the open file);
- its YAML events are scanned once: nesting deeper than ``MAX_YAML_DEPTH``, more than
  ``MAX_YAML_VALUES`` values once every alias is expanded, an alias inside the value it names
  (a value that contains itself) and integers of more than ``MAX_INT_DIGITS`` digits are
  refused, naming the field where it happens;
- the document is then loaded with a safe loader (no Python objects) that refuses duplicate
  keys and reads ``1e3`` and ``5e-1`` as numbers (YAML 1.1 needs a dot: ``1.0e3``).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from wsim.scenario.errors import ScenarioError, key_path
from wsim.scenario.limits import MAX_FILE_BYTES, MAX_INT_DIGITS, MAX_YAML_DEPTH, MAX_YAML_VALUES

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when available

#: Numbers with an exponent but no dot (``1e3``, ``-5E-1``, ``2.5e3``): floats in YAML 1.2.
_FLOAT_WITH_EXPONENT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")
_INTEGER = re.compile(r"^[-+]?[0-9][0-9_]*$")


class ScenarioLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """A safe YAML loader that rejects duplicate keys and reads ``1e3`` as a number.

    A duplicated key (two ``"12:00":`` in a schedule) is almost always a mistake, and YAML's
    silent "last one wins" would hide it.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """The mapping of `node`; a key given twice is an error at its line."""
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the constructor below reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {str(key)[:60]!r}", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)


ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", _FLOAT_WITH_EXPONENT, list("-+0123456789")
)


def read_text(path: Path, file: str | None = None) -> str:
    """The text of the scenario file at `path`; a :class:`ScenarioError` for any failure.

    Folders, devices, pipes and sockets are refused before they are opened (a pipe would block
    and a device never end), and so are files over the size limit.
    """
    file = str(path) if file is None else file
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError([("", "file not found")], file) from None
    except OSError as exc:
        raise ScenarioError([("", f"cannot be read: {exc.strerror}")], file) from None
    _check_kind(info, file)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # never wait on a pipe swapped in
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise ScenarioError([("", f"cannot be read: {exc.strerror}")], file) from None
    with os.fdopen(descriptor, "rb") as stream:
        _check_kind(os.fstat(stream.fileno()), file)
        try:
            data = stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ScenarioError([("", f"cannot be read: {exc.strerror}")], file) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError([("", _too_big(len(data)))], file)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([("", "is not a UTF-8 text file")], file) from None


def _check_kind(info: os.stat_result, file: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError([("", "is a folder, expected a YAML file")], file)
    if not stat.S_ISREG(info.st_mode):
        message = "is not a regular file (a device, a pipe or a socket); expected a YAML file"
        raise ScenarioError([("", message)], file)
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError([("", _too_big(info.st_size))], file)


def _too_big(size: int) -> str:
    return (
        f"is {size:,} bytes or more; a scenario file may have at most {MAX_FILE_BYTES:,} bytes "
        "(40 times the W district baseline)"
    )


def parse(text: str, file: str | None) -> Any:
    """The YAML document in `text` as Python data; a :class:`ScenarioError` when it is not.

    The document's events are checked first (:func:`check_events`), so that nothing is built
    from a document that is too deep, too big once expanded, or contains itself.
    """
    check_events(text, file)
    try:
        return yaml.load(text, Loader=ScenarioLoader)  # a safe loader: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = str(exc.problem or exc.context)[:200]
        raise ScenarioError([("", f"invalid YAML{where}: {problem}")], file) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([("", f"invalid YAML: {str(exc)[:200]}")], file) from None
    except (ValueError, RecursionError, OverflowError) as exc:  # the events check missed it
        raise ScenarioError([("", f"cannot be read as YAML: {str(exc)[:200]}")], file) from None


class _Frame:
    """An open mapping or list while scanning events: its anchor, size and current position."""

    __slots__ = ("anchor", "index", "key", "key_next", "mapping", "size")

    def __init__(self, anchor: str | None, mapping: bool):
        self.anchor = anchor
        self.mapping = mapping
        self.size = 1
        self.key_next = mapping
        self.key: str = "?"
        self.index = 0

    def step(self) -> str:
        return key_path(self.key) if self.mapping else f"[{self.index}]"

    def done(self, node_text: str | None) -> None:
        """A child node ended (a key or a value of a mapping, or a list item)."""
        if not self.mapping:
            self.index += 1
        elif self.key_next:
            self.key = node_text if node_text is not None else "?"
            self.key_next = False
        else:
            self.key_next = True


def _path(frames: list[_Frame]) -> str:
    path = ""
    for frame in frames:
        step = frame.step()
        path = path + step if step.startswith("[") or not path else f"{path}.{step}"
    return path


def check_events(text: str, file: str | None, loader: type = _BaseLoader) -> None:
    """Refuse a document that nests too deep, expands too far, contains itself or has huge ints.

    Scans the parser's events without building anything, keeping for every anchor the number
    of values it stands for, so that an alias counts as everything it repeats. Syntax errors
    are left to the loader, which reports them with their line; the C parser's own nesting
    limit (it scans ahead) is met again with the Python parser, to name the field.
    """
    sizes: dict[str, int] = {}
    frames: list[_Frame] = []
    total = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                size = _leaf_size(event, frames, sizes, file)
                total += size
                if frames:
                    frames[-1].size += size
                    frames[-1].done(event.value if isinstance(event, yaml.ScalarEvent) else None)
            elif isinstance(event, yaml.CollectionStartEvent):
                total += 1
                frames.append(_Frame(event.anchor, isinstance(event, yaml.MappingStartEvent)))
                if len(frames) > MAX_YAML_DEPTH:
                    message = (
                        f"nested more than {MAX_YAML_DEPTH} levels deep ({_line(event)}); a "
                        "scenario nests about 8"
                    )
                    raise ScenarioError([(_short_path(frames), message)], file)
            elif isinstance(event, yaml.CollectionEndEvent):
                frame = frames.pop()
                if frame.anchor is not None:
                    sizes[frame.anchor] = frame.size
                if frames:
                    frames[-1].size += frame.size
                    frames[-1].done(None)
            if total > MAX_YAML_VALUES:
                message = (
                    f"the YAML expands to more than {MAX_YAML_VALUES:,} values (aliases *name "
                    f"repeat what &name marks; {_line(event)})"
                )
                raise ScenarioError([(_short_path(frames), message)], file)
    except yaml.YAMLError as exc:
        if loader is not yaml.SafeLoader and "nesting" in str(exc):
            check_events(text, file, yaml.SafeLoader)
        return  # the loader reports the syntax error with its position


def _leaf_size(
    event: yaml.ScalarEvent | yaml.AliasEvent,
    frames: list[_Frame],
    sizes: dict[str, int],
    file: str | None,
) -> int:
    """How many values a scalar or an alias stands for (an alias: all that it repeats)."""
    if isinstance(event, yaml.AliasEvent):
        if any(frame.anchor == event.anchor for frame in frames):
            message = f"the alias *{event.anchor} is inside the value &{event.anchor} it repeats"
            raise ScenarioError([(_short_path(frames), message)], file)
        return sizes.get(event.anchor or "", 1)  # an undefined alias: the loader reports it
    if event.anchor is not None:
        sizes[event.anchor] = 1
    plain = not event.style and event.implicit[0]  # the C parser says "", Python None
    if plain and len(event.value) > MAX_INT_DIGITS and _INTEGER.match(event.value):
        digits = sum(ch.isdigit() for ch in event.value)
        if digits > MAX_INT_DIGITS:
            message = (
                f"a number of {digits:,} digits; numbers in a scenario have at most "
                f"{MAX_INT_DIGITS} ({_line(event)})"
            )
            where = _path(frames) if not (frames and frames[-1].key_next) else _path(frames[:-1])
            raise ScenarioError([(_clip(where), message)], file)
    return 1


def _line(event: yaml.Event) -> str:
    mark = event.start_mark
    return "" if mark is None else f"line {mark.line + 1}"


def _short_path(frames: list[_Frame]) -> str:
    return _clip(_path(frames[:-1]) if frames else "")


def _clip(path: str, limit: int = 120) -> str:
    return path if len(path) <= limit else path[: limit - 3] + "..."
