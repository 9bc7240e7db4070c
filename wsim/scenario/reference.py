"""The scenario reference and the JSON Schema of scenario files, generated from the schema.

Every key a scenario file may have is read off the pydantic models of :class:`Scenario`: its
path (``services.<service>.window_time``), its type in a planner's words, its unit (from the
annotated types: :data:`~wsim.scenario.base.Minutes` are minutes, :data:`Clock` a time of day,
:class:`~wsim.scenario.base.Unit` markers the rest), its default, the values allowed (the
``Field`` constraints and the bounds of :mod:`wsim.scenario.limits`, with their reasons), its
description (the ``Field`` description, else the sentence of the model's docstring that names
it) and an example. :func:`keys` lists them, :func:`markdown` writes the reference page and
:func:`json_schema` the JSON Schema (draft-07) an editor uses to complete and check files.

The JSON Schema describes what files contain, which is not pydantic's
``model_json_schema()`` (that describes the parsed values): durations are numbers of minutes
or texts with a unit (``"90s"``, ``"2h"``), clock times ``"08:30"`` or minutes after midnight,
a distribution may be a bare duration, profiles and window schedules are mappings keyed by
clock time, and an overlay (``base:`` and ``changes:``) holds a partial scenario whose lists
may be ``{replace: [...]}`` and whose items may say ``add: true`` or ``remove: true``. The few
fields that accept a spelling no type states (a model's own "before" validator) have their
surface written out in :data:`_SURFACES`; a test checks that none is missing.

What a JSON Schema cannot check stays with :func:`wsim.scenario.load_scenario`: references
between fields (a window serving a service that does not exist), rules between fields (give
one of ``per_hour`` or ``per_day``; ``close`` later than ``open``), the run size, and the
merge of an overlay into its base.

Regenerate the committed files with ``wsim schema --markdown --out docs/reference/scenario.md``
and ``wsim schema --json --out wsim/scenario/scenario.schema.json``.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import inspect
import json
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from wsim.scenario.appointments import Appointments
from wsim.scenario.base import Bound, Unit
from wsim.scenario.calendar import Workday
from wsim.scenario.hall import Profile, WindowGroup
from wsim.scenario.journeys import Channel
from wsim.scenario.limits import MAX_DURATION
from wsim.scenario.loader import OVERLAY_KEYS
from wsim.scenario.overlays import ADD, COLLECTIONS, REMOVE, REPLACE
from wsim.scenario.schema import Scenario
from wsim.scenario.staffing import METRIC_BOUNDS, Shift, StaffingTarget
from wsim.scenario.units import (
    DURATION_UNITS,
    MAX_TEXT,
    format_clock,
    parse_clock,
    parse_duration,
)

SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
#: The name of the JSON Schema file shipped beside this module (see :func:`schema_path`).
SCHEMA_FILE = "scenario.schema.json"

#: A number as the duration parser reads it, written without ambiguity (a pattern that can
#: match one text in many ways takes exponential time on a long text that fails).
_NUMBER = r"(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_UNITS = "|".join("".join(f"[{c.lower()}{c.upper()}]" for c in unit) for unit in DURATION_UNITS)
DURATION_PATTERN = rf"^\s*{_NUMBER}\s*(?:{_UNITS})?\s*$"
"""A duration as text: a number of minutes, or with a unit of :data:`DURATION_UNITS`."""
CLOCK_PATTERN = r"^\s*(?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9]|24:00)\s*$"
"""A time of day as text, ``"08:30"`` or ``"8:30"``, from 00:00 to 24:00."""
_CLOCK_TEXT = CLOCK_PATTERN.strip("^$").replace(r"\s*", "")
CLOCK_RANGE_PATTERN = rf"^\s*{_CLOCK_TEXT}\s*-\s*{_CLOCK_TEXT}\s*$"
"""A range of clock times, ``"09:00-12:00"``."""
#: A key of a mapping keyed by clock time: YAML 1.1 reads an unquoted ``8:30`` as 510.
CLOCK_KEY_PATTERN = rf"^\s*(?:{_CLOCK_TEXT}|[0-9]+)\s*$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

#: The name of an entry of a mapping, by the field that holds it (besides the collections of
#: :data:`wsim.scenario.overlays.COLLECTIONS`, and ``day type`` for the ``day_*`` mappings).
_ENTRY_NAMES = {"speed": "service", "mid": "KPI", "weekday_factors": "weekday"}

Schema = dict[str, Any]


@dataclass(frozen=True)
class Key:
    """One key of a scenario file, as the reference states it (every field is text)."""

    path: str
    type: str
    unit: str
    default: str
    allowed: str
    description: str
    example: str


@dataclass(frozen=True)
class _Type:
    """What the walker found for one annotation: surface schema and words."""

    schema: Schema
    words: str
    unit: str = ""
    allowed: tuple[str, ...] = ()


# --- the surfaces of the fields parsed by their model's own code ------------------------------


def _clock_mapping(value: Schema, what: str) -> Schema:
    return {
        "type": "object",
        "description": f"clock time -> {what}",
        "propertyNames": {"pattern": CLOCK_KEY_PATTERN},
        "additionalProperties": value,
        "minProperties": 1,
    }


def _clock_range(generic: Schema) -> Schema:
    return {"anyOf": [{"type": "string", "pattern": CLOCK_RANGE_PATTERN}, generic]}


def _profile(walker: _Walker, generic: Schema) -> Schema:
    weight = walker.field_type(Profile, "points").schema["items"]["items"][1]
    return _clock_mapping(weight, "relative weight from that time on")


def _schedule(walker: _Walker, generic: Schema) -> Schema:
    count = generic["anyOf"][0]["items"]["items"][1] if "anyOf" in generic else None
    count = count or generic["items"]["items"][1]
    return {"anyOf": [_clock_mapping(count, "windows open from then on"), generic]}


def _day_schedules(walker: _Walker, generic: Schema) -> Schema:
    pairs = generic["additionalProperties"]
    count = pairs["items"]["items"][1]
    mapping = _clock_mapping(count, "windows open from then on")
    return {**generic, "additionalProperties": {"anyOf": [mapping, count, pairs]}}


def _hours(walker: _Walker, generic: Schema) -> Schema:
    return _clock_range(generic)


def _workday(walker: _Walker, generic: Schema) -> Schema:
    mapping = json.loads(json.dumps(generic))
    mapping["properties"]["day_type"] = mapping["properties"]["as"]
    return {"anyOf": [{"type": "string", "pattern": DATE_PATTERN}, mapping]}


def _target(walker: _Walker, generic: Schema) -> Schema:
    metrics = "|".join(METRIC_BOUNDS)
    text = {"type": "string", "pattern": rf"^\s*(?:{metrics})\s*(?:>=|<=)\s*\S+\s*$"}
    mapping = json.loads(json.dumps(generic))
    value = mapping["properties"]["value"]
    mapping["properties"]["value"] = {"anyOf": [value, {"type": "string"}]}
    return {"anyOf": [text, mapping]}


def _breaks(walker: _Walker, generic: Schema) -> Schema:
    pair = generic["items"]
    clock = pair["items"][0]
    spelled = {
        "type": "object",
        "properties": {"from": clock, "to": clock},
        "required": ["from", "to"],
        "additionalProperties": False,
    }
    text = {"type": "string", "pattern": CLOCK_RANGE_PATTERN}
    return {**generic, "items": {"anyOf": [text, pair, spelled]}}


_Surface = Callable[["_Walker", Schema], Schema]

#: The surface syntax of every field (``(model, field)``) or model (``(model, None)``) whose
#: own "before" validator accepts spellings its type does not state. Each function gets the
#: schema of the type and returns the schema of what a file may contain.
_SURFACES: dict[tuple[type[BaseModel], str | None], _Surface] = {
    (Profile, None): _profile,
    (WindowGroup, "schedule"): _schedule,
    (WindowGroup, "day_schedules"): _day_schedules,
    (Channel, "hours"): _hours,
    (Appointments, "hours"): _hours,
    (Workday, None): _workday,
    (StaffingTarget, None): _target,
    (Shift, "breaks"): _breaks,
}
#: Words shown for the surfaces above, in the reference's type column.
_SURFACE_WORDS: dict[tuple[type[BaseModel], str | None], str] = {
    (Profile, None): 'mapping clock time -> weight, e.g. {"08:30": 1, "12:00": 0.5}',
    (WindowGroup, "schedule"): 'mapping clock time -> windows open, e.g. {"08:30": 2, "12:00": 1}',
    (WindowGroup, "day_schedules"): "mapping day type -> schedule mapping or window count",
    (Channel, "hours"): 'clock range "HH:MM-HH:MM"',
    (Appointments, "hours"): 'clock range "HH:MM-HH:MM"',
    (Workday, None): "date, or mapping {date, as}",
    (StaffingTarget, None): 'text "METRIC >= VALUE" or mapping {metric, bound, value}',
    (Shift, "breaks"): 'list of clock ranges "12:00-12:30" (or [from, to], {from, to})',
}


def custom_parsers(model: type[BaseModel] = Scenario) -> set[tuple[type[BaseModel], str | None]]:
    """Every field and model of the schema parsed by its own "before" validator.

    Each needs an entry of :data:`_SURFACES`: the surface syntax is the validator's code, which
    no type states.
    """
    found: set[tuple[type[BaseModel], str | None]] = set()
    for cls in _models(model):
        decorators = cls.__pydantic_decorators__
        if any(d.info.mode == "before" for d in decorators.model_validators.values()):
            found.add((cls, None))
        for field_validator in decorators.field_validators.values():
            if field_validator.info.mode == "before":
                found.update((cls, name) for name in field_validator.info.fields)
    # a model validator that only reshapes one field is that field's surface
    if (Appointments, None) in found:
        found.discard((Appointments, None))
        found.add((Appointments, "hours"))
    return found


def covered_parsers() -> set[tuple[type[BaseModel], str | None]]:
    """The fields and models whose surface syntax :data:`_SURFACES` states."""
    return set(_SURFACES)


def _models(root: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """Every model reachable from `root` through its fields' annotations, once."""
    seen: list[type[BaseModel]] = []
    todo = [root]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.append(cls)
        for info in cls.model_fields.values():
            todo += [t for t in (info.annotation, *_leaves(info.annotation)) if _is_model(t)]
    yield from seen


def _leaves(annotation: Any) -> Iterator[Any]:
    """The types inside an annotation (through Annotated, unions, tuples and dicts)."""
    for arg in typing.get_args(annotation) or ():
        if isinstance(arg, type) or typing.get_args(arg):
            yield arg
            yield from _leaves(arg)


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


# --- walking the types --------------------------------------------------------------------------


def _unwrap(annotation: Any, metadata: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
    """The bare type and every piece of metadata of nested ``Annotated`` layers."""
    found = list(metadata)
    while typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        annotation = args[0]
        found = list(args[1:]) + found
    flat: list[Any] = []
    for item in found:
        if isinstance(item, FieldInfo):
            flat += item.metadata
        else:
            flat.append(item)
    return annotation, tuple(flat)


def _bounds(metadata: tuple[Any, ...]) -> tuple[Schema, list[str]]:
    """JSON Schema keywords and planner words for the numeric and length bounds."""
    schema: Schema = {}
    words: list[str] = []
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            schema["minimum"] = item.ge
            words.append(f">= {item.ge:g}")
        elif isinstance(item, annotated_types.Gt):
            schema["exclusiveMinimum"] = item.gt
            words.append(f"> {item.gt:g}")
        elif isinstance(item, annotated_types.Le):
            schema["maximum"] = item.le
            words.append(f"<= {item.le:g}")
        elif isinstance(item, annotated_types.Lt):
            schema["exclusiveMaximum"] = item.lt
            words.append(f"< {item.lt:g}")
        elif isinstance(item, annotated_types.MinLen):
            schema["minLength"] = item.min_length  # renamed for arrays and objects by callers
            words.append(f"at least {item.min_length}")
        elif isinstance(getattr(item, "func", None), Bound):
            bound = item.func
            key = "maximum" if bound.upper else "minimum"
            schema[key] = schema.get(key, bound.limit)
            if bound.upper:
                schema[key] = min(schema[key], bound.limit)
                words.append(f"at most {bound.limit:,g} ({bound.reason})")
            else:
                schema[key] = max(schema[key], bound.limit)
                words.append(f"at least {bound.limit:g} ({bound.reason})")
    return schema, words


def _unit(metadata: tuple[Any, ...]) -> str:
    units = [item.text for item in metadata if isinstance(item, Unit)]
    return units[-1] if units else ""


def _parser(metadata: tuple[Any, ...]) -> Any:
    """The function of the metadata's first "before" validator (a surface parser), if any."""
    for item in metadata:
        func = getattr(item, "func", None)
        if type(item).__name__ == "BeforeValidator" and func is not None:
            return func
    return None


def _duration_schema() -> Schema:
    return {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": MAX_DURATION},
            {"type": "string", "pattern": DURATION_PATTERN, "maxLength": MAX_TEXT},
        ],
        "description": "minutes, or a text with a unit: "
        + ", ".join(DURATION_UNITS)
        + " (90s, 10min, 1.5h, 3d)",
    }


def _clock_schema() -> Schema:
    return {
        "anyOf": [
            {"type": "string", "pattern": CLOCK_PATTERN},
            {"type": "number", "minimum": 0, "maximum": 1440},
        ],
        "description": 'a time of day "HH:MM" (00:00 to 24:00) or minutes after midnight',
    }


def _with_bounds(schema: Schema, bounds: Schema, kind: str) -> Schema:
    """`schema` with `bounds` applied where they mean something (numbers, texts, lists)."""
    if not bounds:
        return schema
    renamed = dict(bounds)
    if "minLength" in renamed and kind in ("array", "object"):
        length = renamed.pop("minLength")
        renamed["minItems" if kind == "array" else "minProperties"] = length
    if "anyOf" in schema:  # a duration or clock: the numeric bounds apply to the number
        alternatives = [
            {**alt, **renamed} if alt.get("type") in ("number", "integer") else alt
            for alt in schema["anyOf"]
        ]
        return {**schema, "anyOf": alternatives}
    return {**schema, **renamed}


class _Walker:
    """Walks the models once for the rows of the reference and the schema's definitions."""

    def __init__(self) -> None:
        self.definitions: dict[str, Schema] = {}
        self.rows: list[Key] = []
        self.distributions: list[type[BaseModel]] = []

    # the type of one field
    def field_type(
        self, owner: type[BaseModel], name: str, *, partial: bool = False, path: str | None = None
    ) -> _Type:
        """The type of field `name` of `owner`; with `path`, the rows of its keys are added."""
        info = owner.model_fields[name]
        found = self.type_of(info.annotation, tuple(info.metadata), partial, path, name)
        surface = _SURFACES.get((owner, name))
        if surface is not None:
            words = _SURFACE_WORDS[(owner, name)]
            return dataclasses.replace(found, schema=surface(self, found.schema), words=words)
        return found

    def type_of(
        self, annotation: Any, metadata: tuple[Any, ...], partial: bool, path: str | None, name: str
    ) -> _Type:
        """The type of an annotation (`name` is the field's, for the names of entries)."""
        annotation, metadata = _unwrap(annotation, metadata)
        bounds, allowed = _bounds(metadata)
        unit = _unit(metadata)
        parser = _parser(metadata)
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if parser is parse_duration:
            schema: Schema = {"$ref": "#/definitions/Duration"}
            if bounds:
                schema = _with_bounds(_duration_schema(), bounds, "")
            self.definitions.setdefault("Duration", _duration_schema())
            shown = [f"{w} min" if w[0] in "<>" else w for w in allowed] or [">= 0"]
            return _Type(schema, "duration", unit or "minutes", (*shown, "at most 100 years"))
        if parser is parse_clock:
            self.definitions.setdefault("Clock", _clock_schema())
            return _Type({"$ref": "#/definitions/Clock"}, "clock time", "HH:MM", ("00:00-24:00",))
        if origin in (Union, types.UnionType):
            return self._union(args, metadata, partial, path, name)
        if origin is Literal:
            values = list(args)
            return _Type({"enum": values}, "one of", unit, tuple(str(v) for v in values))
        if origin is tuple:
            return self._tuple(args, metadata, bounds, allowed, partial, path, name)
        if origin is dict:
            return self._mapping(args, bounds, allowed, partial, path, name)
        if _is_model(annotation):
            return self._model(annotation, partial, path)
        return self._scalar(annotation, bounds, allowed, unit)

    def _scalar(self, annotation: Any, bounds: Schema, allowed: list[str], unit: str) -> _Type:
        if annotation is bool:
            return _Type({"type": "boolean"}, "true or false", unit)
        if annotation is int:
            return _Type(
                _with_bounds({"type": "integer"}, bounds, ""), "whole number", unit, tuple(allowed)
            )
        if annotation is float:
            return _Type(
                _with_bounds({"type": "number"}, bounds, ""), "number", unit, tuple(allowed)
            )
        if annotation is str:
            return _Type(_with_bounds({"type": "string"}, bounds, ""), "text", unit, tuple(allowed))
        if annotation is datetime.date:
            schema = {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
            return _Type(schema, "date", "YYYY-MM-DD")
        raise TypeError(f"the scenario reference does not know the type {annotation!r}")

    def _union(
        self,
        args: tuple[Any, ...],
        metadata: tuple[Any, ...],
        partial: bool,
        path: str | None,
        name: str,
    ) -> _Type:
        options = [a for a in args if a is not type(None)]
        optional = len(options) < len(args)
        if all(_is_model(a) and "dist" in a.model_fields for a in options):
            found = self._distribution(options, partial)
        elif len(options) == 1:
            found = self.type_of(options[0], metadata, partial, path, name)
        else:
            parts = [self.type_of(a, (), partial, path, name) for a in options]
            words = " or ".join(p.words for p in parts)
            found = _Type({"anyOf": [p.schema for p in parts]}, words)
        if optional:
            schema = {"anyOf": [found.schema, {"type": "null"}]}
            return dataclasses.replace(found, schema=schema)
        return found

    def _distribution(self, options: list[type[BaseModel]], partial: bool) -> _Type:
        prefix = "Changes" if partial else ""
        refs = []
        for model in options:
            if model not in self.distributions:
                self.distributions.append(model)
            refs.append(self._model(model, partial, None).schema)
        self.definitions.setdefault("Duration", _duration_schema())
        self.definitions[f"{prefix}Distribution"] = {
            "title": "distribution",
            "description": "A bare duration (a fixed time) or a mapping with a dist tag, e.g. "
            "{dist: lognormal, mean: 12min, sd: 6min}.",
            "anyOf": [{"$ref": "#/definitions/Duration"}, *refs],
        }
        return _Type({"$ref": f"#/definitions/{prefix}Distribution"}, "distribution", "minutes")

    def _tuple(
        self,
        args: tuple[Any, ...],
        metadata: tuple[Any, ...],
        bounds: Schema,
        allowed: list[str],
        partial: bool,
        path: str | None,
        name: str,
    ) -> _Type:
        if len(args) == 2 and args[1] is Ellipsis:
            item = self.type_of(args[0], (), partial, _below(path, "[]"), name)
            schema = _with_bounds({"type": "array", "items": item.schema}, bounds, "array")
            if partial and _is_model(_unwrap(args[0], ())[0]):
                full = self.type_of(args[0], (), False, None, name).schema
                replace = {
                    "type": "object",
                    "properties": {REPLACE: {"type": "array", "items": full}},
                    "required": [REPLACE],
                    "additionalProperties": False,
                }
                schema = {"anyOf": [schema, replace]}
            return _Type(schema, f"list of {item.words}", item.unit, tuple(allowed))
        parts = [self.type_of(a, (), partial, path, name) for a in args]
        schema = {
            "type": "array",
            "items": [p.schema for p in parts],
            "additionalItems": False,
            "minItems": len(parts),
        }
        words = "pair (" + ", ".join(p.words for p in parts) + ")"
        return _Type(schema, words, ", ".join(p.unit for p in parts if p.unit))

    def _mapping(
        self,
        args: tuple[Any, ...],
        bounds: Schema,
        allowed: list[str],
        partial: bool,
        path: str | None,
        name: str,
    ) -> _Type:
        key_type, value_type = args
        entry = _entry_name(path or name, name)
        value = self.type_of(value_type, (), partial, _below(path, f".<{entry}>"), name)
        schema: Schema = {"type": "object", "additionalProperties": value.schema}
        allowed = list(allowed)
        if typing.get_origin(key_type) is Literal:
            keys = list(typing.get_args(key_type))
            schema["propertyNames"] = {"enum": keys}
            allowed.insert(0, f"{entry}: " + ", ".join(keys))
        schema = _with_bounds(schema, bounds, "object")
        return _Type(schema, f"mapping {entry} -> {value.words}", value.unit, tuple(allowed))

    def _model(self, model: type[BaseModel], partial: bool, path: str | None) -> _Type:
        prefix = "Changes" if partial else ""
        name = f"{prefix}{model.__name__}"
        if name not in self.definitions:
            definition = self._model_schema(model, partial)
            surface = _SURFACES.get((model, None))
            self.definitions[name] = definition if surface is None else surface(self, definition)
        if path is not None and '"properties"' in json.dumps(self.definitions[name]):
            self._rows(model, path, partial)  # (a profile is a mapping of times: no keys)
        words = _SURFACE_WORDS.get((model, None), "mapping")
        return _Type({"$ref": f"#/definitions/{name}"}, words)

    def _model_schema(self, model: type[BaseModel], partial: bool) -> Schema:
        properties: Schema = {}
        required = []
        for name, info in model.model_fields.items():
            found = self.field_type(model, name, partial=partial)
            prop = dict(found.schema)
            description = _describe(model, name)
            if description:
                prop["description"] = description + (f" ({found.unit})" if found.unit else "")
            default = _json_default(info)
            if default is not PydanticUndefined:
                prop["default"] = default
            properties[_surface_name(model, name)] = prop
            if info.is_required() and not partial:
                required.append(_surface_name(model, name))
        if partial:
            for flag, what in (
                (ADD, "adds a new item or entry on purpose"),
                (REMOVE, "deletes this item of the base"),
            ):
                properties[flag] = {"type": "boolean", "description": f"{flag}: true {what}"}
        schema: Schema = {
            "type": "object",
            "title": model.__name__,
            "description": _first_paragraph(model),
            "properties": properties,
            "additionalProperties": False,
        }
        if required:
            schema["required"] = required
        return schema

    def _rows(self, model: type[BaseModel], path: str, partial: bool) -> None:
        if partial or model in self.distributions:
            return
        for name, info in model.model_fields.items():
            key = f"{path}.{_surface_name(model, name)}" if path else _surface_name(model, name)
            at = len(self.rows)
            found = self.field_type(model, name, path=key)  # adds the rows of its keys
            row = Key(
                path=key,
                type=found.words,
                unit=found.unit,
                default=_shown_default(info, found),
                allowed=", ".join(found.allowed),
                description=_describe(model, name),
                example=_example(model, name, info, found),
            )
            self.rows.insert(at, row)  # before the rows of its keys


def _below(path: str | None, step: str) -> str | None:
    """The path of a key below `path` (None: no rows are wanted)."""
    return None if path is None else f"{path}{step}"


def _surface_name(model: type[BaseModel], name: str) -> str:
    """The key a file writes for field `name`: its alias, or ``as`` for ``Workday.day_type``.

    (``HandoffPair.from_`` is written ``from``.)
    """
    if (model, name) == (Workday, "day_type"):
        return "as"
    return model.model_fields[name].alias or name


def _entry_name(path: str, name: str) -> str:
    pattern = re.sub(r"\.<[^>]*>|\[\]", lambda m: ".*" if m.group(0)[0] == "." else "", path)
    pattern = pattern.lstrip(".")
    if pattern in COLLECTIONS:
        return COLLECTIONS[pattern]
    if name.startswith("day_"):
        return "day type"
    return _ENTRY_NAMES.get(name, "channel" if name == "channels" else "name")


# --- descriptions, defaults, examples -----------------------------------------------------------


def _first_paragraph(model: type[BaseModel]) -> str:
    doc = inspect.getdoc(model) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _sentences(model: type[BaseModel]) -> list[str]:
    doc = inspect.getdoc(model) or ""
    text = " ".join(doc.split())
    return re.split(r"(?<=[.])\s+(?=[A-Z`])", text)


def _describe(model: type[BaseModel], name: str) -> str:
    """The field's description, else the first sentence of its model's docstring naming it."""
    info = model.model_fields[name]
    if info.description:
        return " ".join(info.description.split())
    models = [cls for cls in model.__mro__ if _is_model(cls) and cls is not BaseModel]
    # the model that declares the field first (a subclass's docstring speaks of its own keys)
    declaring = [cls for cls in models if name in inspect.get_annotations(cls)]
    for cls in (*declaring, *models):
        named = [s for s in _sentences(cls) if f"``{name}``" in s]
        if named:
            return named[0].replace("``", "`")
    inner = [t for t in (info.annotation, *_leaves(info.annotation)) if _is_model(t)]
    if inner and "dist" not in inner[0].model_fields:
        return _first_paragraph(inner[0])
    return ""


def _json_default(info: FieldInfo) -> Any:
    if info.is_required():
        return PydanticUndefined
    default = info.get_default(call_default_factory=True)
    if isinstance(default, BaseModel):
        return default.model_dump(mode="json", exclude_defaults=False)
    try:
        return json.loads(json.dumps(default, default=str))
    except (TypeError, ValueError):
        return PydanticUndefined


def _shown_default(info: FieldInfo, found: _Type) -> str:
    if info.is_required():
        return "required"
    default = info.get_default(call_default_factory=True)
    if default is None:
        return "none"
    if isinstance(default, BaseModel):
        if "dist" in type(default).model_fields:
            return _shown_distribution(default)
        return "see its keys"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, (int, float)):
        if found.words == "clock time":
            return format_clock(default)
        if found.words == "duration":
            return _shown_minutes(float(default))
        return f"{default:g}"
    if isinstance(default, (tuple, list)):
        return "[" + ", ".join(map(str, default)) + "]"
    if isinstance(default, dict):
        return "{}" if not default else json.dumps(default)
    return str(default)


def _shown_minutes(minutes: float) -> str:
    for unit, size in (("d", 1440.0), ("h", 60.0)):
        if minutes >= size and minutes % size == 0:
            return f"{minutes / size:g}{unit}"
    return f"{minutes:g} min"


def _shown_distribution(model: BaseModel) -> str:
    data = model.model_dump()
    if data.get("dist") == "fixed":
        return _shown_minutes(data["value"])
    return json.dumps(data)


def _example(model: type[BaseModel], name: str, info: FieldInfo, found: _Type) -> str:
    """An example value: a valid value of the type (the default where it is a plain value)."""
    words = found.words
    if words == "duration":
        return "10min"
    if words == "clock time":
        return '"08:30"'
    if words == "distribution":
        return "{dist: lognormal, mean: 12min, sd: 6min}"
    if words.startswith("clock range"):
        return '"09:00-12:00"'
    if words == "date":
        return "2026-03-02"
    if words == "one of":
        return found.allowed[0]
    if words in ("number", "whole number"):
        return _number_example(info, found)
    if words == "text":
        return f"my_{_surface_name(model, name)}" if name != "description" else "a note"
    if words == "true or false":
        return "true"
    if (model, None) in _SURFACE_WORDS and words == _SURFACE_WORDS[(model, None)]:
        return ""
    if "e.g." in words:
        return words.split("e.g. ")[1]
    return ""


def _number_example(info: FieldInfo, found: _Type) -> str:
    default = info.default
    if isinstance(default, (int, float)) and not isinstance(default, bool) and default:
        return f"{default:g}"
    if found.unit == "probability":
        return "0.1"
    whole = found.words == "whole number"
    return "2" if whole else "1.5"


# --- the outputs ------------------------------------------------------------------------------


@functools.cache
def _walk() -> _Walker:
    """The walk of the whole schema (done once: its rows and definitions are only read)."""
    walker = _Walker()
    walker._model(Scenario, False, "")
    walker._model(Scenario, True, None)
    return walker


def keys() -> list[Key]:
    """Every key of a scenario file, in the order of the schema (nested keys after their parent).

    Collections (``services.<service>``) and lists (``demand[]``) are written as paths with a
    placeholder; the keys of distributions are listed by :func:`distribution_keys` instead.
    """
    return list(_walk().rows)


def distribution_keys() -> dict[str, list[Key]]:
    """The keys of each distribution (``dist`` tag -> its parameters)."""
    walker = _walk()
    found: dict[str, list[Key]] = {}
    for model in walker.distributions:
        tag = model.model_fields["dist"].default
        sub = _Walker()
        sub.distributions = []
        sub._rows(model, "", False)
        found[tag] = [row for row in sub.rows if row.path != "dist"]
    return found


def json_schema() -> Schema:
    """The JSON Schema (draft-07) of a scenario file or an overlay file, as files spell values."""
    walker = _walk()
    definitions = dict(walker.definitions)
    scenario_def = definitions["Scenario"]
    overlay_properties: Schema = {
        "base": {
            "type": "string",
            "minLength": 1,
            "description": "The base scenario file, relative to this file's folder.",
        },
        "changes": {
            "$ref": "#/definitions/ChangesScenario",
            "description": "Scenario fields that change the base: mappings merge key by key, "
            "list items by their key; {replace: [...]} gives a whole new list, remove: true "
            "deletes an item, add: true adds a new one on purpose.",
        },
    }
    for key in OVERLAY_KEYS:
        if key not in overlay_properties:
            overlay_properties[key] = scenario_def["properties"][key]
    definitions["Overlay"] = {
        "type": "object",
        "title": "overlay",
        "description": "A reform option: a change to a base scenario.",
        "properties": overlay_properties,
        "required": ["base"],
        "additionalProperties": False,
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "wsim scenario",
        "description": "A wsim scenario file (or an overlay on one, with base: and changes:). "
        "Durations are minutes unless a unit says otherwise; clock times are HH:MM. "
        "Generated by `wsim schema --json`.",
        "if": {"type": "object", "required": ["base"]},
        "then": {"$ref": "#/definitions/Overlay"},
        "else": {"$ref": "#/definitions/Scenario"},
        "definitions": dict(sorted(definitions.items())),
    }


def schema_path() -> Path:
    """The JSON Schema file shipped with the package, for an editor's ``$schema=`` line."""
    return Path(__file__).with_name(SCHEMA_FILE)


def json_text() -> str:
    """:func:`json_schema` as the text of the shipped file (sorted keys, two-space indent)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: list[Key], strip: str = "") -> list[str]:
    lines = [
        "| key | type | unit | default | allowed | description | example |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        cells = [
            f"`{row.path}`",
            row.type,
            row.unit,
            row.default,
            row.allowed,
            row.description,
            f"`{row.example}`" if row.example else "",
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


_INTRO = """\
# Scenario file reference

<!-- Generated by `wsim schema --markdown --out docs/reference/scenario.md`; do not edit by
hand: the test tests/test_reference.py fails when this page is older than the schema. -->

Every key a scenario file may have, read off the schema (`wsim.scenario`). Paths name nested
keys: `services.<service>.window_time` is the `window_time` of any entry of `services`, and
`demand[].per_day` the `per_day` of any item of the `demand` list. **Units**: a *duration* is
minutes, or a text with a unit (`90s`, `10min`, `1.5h`, `3d`; `m` is not allowed); a *clock
time* is `"08:30"` (quote it: YAML reads an unquoted `8:30` as 510, the same minute after
midnight) or minutes after midnight; *currency* is the scenario's `cost.currency` (CNY by
default); a *probability* is a number from 0 to 1. A *distribution* is a bare duration (a
fixed time) or a mapping with a `dist` tag (see [Distributions](#distributions)).

Besides the types and bounds below, `wsim validate FILE` checks what a schema cannot: that
names refer to entries that exist, the rules between fields (exactly one of `per_hour` and
`per_day`; `close` later than `open`), the size of a run and the merge of an overlay.

Editors can check and complete scenario files with the JSON Schema `wsim schema --json`
writes (shipped as `wsim/scenario/scenario.schema.json`): with VS Code's YAML extension, put
`# yaml-language-server: $schema=<path or URL of scenario.schema.json>` on the first line.
"""

_OVERLAYS = """\
## Overlay files

A reform option is a file with `base:` (the base scenario, relative to the file's folder)
and `changes:` (scenario fields, written as above but all optional). Mappings merge key by
key and list items by their key (a demand stream by `name`, or by `service`, `channel` and
`priority`; windows, segments, staffed groups and shifts by `name`); `{replace: [...]}` gives
a whole new list, `remove: true` deletes an item and `add: true` adds a new entry or item on
purpose. A service's `workflow`, a shift's `breaks` and lists of plain values are replaced
whole. Only these top-level keys are allowed in an overlay: {keys}.
"""


def markdown() -> str:
    """The scenario reference page (Markdown): one table per top-level key, then distributions."""
    rows = keys()
    lines = [_INTRO]
    top = [row for row in rows if "." not in row.path and "[" not in row.path]
    lines += ["## Top-level keys", "", *_table(top), ""]
    for row in top:
        nested = [r for r in rows if r.path.startswith((f"{row.path}.", f"{row.path}["))]
        if nested:
            lines += [f"## {row.path}", "", row.description, "", *_table(nested), ""]
    lines += [
        "## Distributions",
        "",
        "Window times, patience, delays and outage times are distributions. Write a bare "
        'duration (`8`, `"90s"`) for a fixed time, or a mapping with a `dist` tag and the '
        "parameters below; time parameters are durations.",
        "",
    ]
    distributions = _walk().distributions
    for tag, params in distribution_keys().items():
        model = next(m for m in distributions if m.model_fields["dist"].default == tag)
        lines += [f"### {tag}", "", _first_paragraph(model), "", *_table(params), ""]
    keys_text = ", ".join(f"`{k}`" for k in OVERLAY_KEYS)
    lines += [_OVERLAYS.replace("{keys}", keys_text)]
    return "\n".join(lines).rstrip() + "\n"
