"""One clear message for every kind of bad scenario input.

A planner who mistypes a field must see the file, the field path as they wrote it
(``windows[1].serves[0]``), what was found and what is allowed, never a traceback or
pydantic's internal location tuples. :class:`ScenarioError` carries the problems and
:func:`from_validation_error` translates a pydantic ``ValidationError`` into one.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence, Sized
from typing import Any, Literal, Union

from pydantic import BaseModel, ValidationError

# The message helpers live at the bottom (every stage uses them); scenario code takes them
# from here, beside the messages that use them most.
from wsim.errors import MAX_QUOTE_CHARS, WsimError, printable, short_repr, unknown_name_message
from wsim.errors import did_you_mean as did_you_mean
from wsim.errors import name_list as name_list
from wsim.scenario.limits import MAX_PROBLEMS_SHOWN

Problem = tuple[str, str]

_IDENTIFIER = re.compile(r"^[\w-]+$")
_PYDANTIC_MARKER = re.compile(r"^[\w-]+\[.*\]$", re.DOTALL)
_TYPE_WORDS = {
    "float": "a number",
    "int": "a whole number",
    "string": "a string",
    "bool": "true or false",
    "dict": "a mapping",
    "model": "a mapping",
    "list": "a list",
    "tuple": "a list",
    "iterable": "a list",
}
_BOUNDS = {
    "greater_than": ("greater than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than": ("less than", "lt"),
    "less_than_equal": ("at most", "le"),
}


class ScenarioError(WsimError, ValueError):
    """A scenario could not be loaded; ``str()`` is a message meant for the planner.

    Attributes
    ----------
        file: the file the problems are in, or ``None`` for a mapping given in code.
        problems: ``(path, message)`` pairs; ``path`` is a field path such as
            ``windows[1].serves[0]``, or ``""`` for the file as a whole.
        context: extra words after the file name, e.g.
            ``"(after applying overlay on base.yaml)"``.
    """

    def __init__(
        self, problems: Sequence[Problem], file: str | None = None, context: str = ""
    ) -> None:
        self.problems = list(problems)
        self.file = file
        self.context = context
        super().__init__(self._message())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by the constructor arguments (errors cross process boundaries)."""
        return (type(self), (self.problems, self.file, self.context))

    def __str__(self) -> str:
        return self._message()

    def _message(self) -> str:
        where = self.file if self.file is not None else "<dict>"
        if self.context:
            where = f"{where} {self.context}"
        if len(self.problems) == 1:
            return printable(f"{where}: {_problem_line(self.problems[0])}")
        lines = [f"{where}: {len(self.problems)} problems"]
        lines += [f"  {_problem_line(problem)}" for problem in self.problems[:MAX_PROBLEMS_SHOWN]]
        hidden = len(self.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            lines.append(f"  ... and {hidden} more problems (fix these first)")
        return "\n".join(printable(line) for line in lines)


class FieldProblems(ValueError):
    """Raised inside model validators to report problems at paths below the model.

    pydantic wraps it in its ``ValidationError``; :func:`from_validation_error` unpacks the
    problems and prefixes the model's own path, so a check on a window group can point at
    ``windows[1].speed.s3`` instead of at ``windows[1]``.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(_problem_line(problem) for problem in self.problems))


def _problem_line(problem: Problem) -> str:
    path, message = problem
    return f"{path}: {message}" if path else message


def join_path(parent: str, child: str) -> str:
    """Join two field paths: ``join_path("windows[0]", "speed.s1")``."""
    if not parent:
        return child
    if not child:
        return parent
    return parent + child if child.startswith("[") else f"{parent}.{child}"


def key_path(key: object) -> str:
    """One path step for a mapping key or field name; odd keys are quoted."""
    text = str(key)
    if len(text) <= MAX_QUOTE_CHARS and _IDENTIFIER.match(text):
        return text
    return f"[{short_repr(text)}]"


# --- walking the type tree along a pydantic error location ----------------------------------


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``Optional`` so the walker sees the type that matters."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (Union, types.UnionType):
        members = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return tp


def _tagged_member(tp: Any, tag: object) -> Any:
    """The union member whose ``dist`` literal is ``tag``, or ``None``."""
    if typing.get_origin(tp) not in (Union, types.UnionType):
        return None
    for member in typing.get_args(tp):
        field = getattr(member, "model_fields", {}).get("dist")
        if field is not None and tag in typing.get_args(field.annotation):
            return member
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp: Any, item: str | int) -> tuple[Any, str | None]:
    """Follow one location item: the child type and the path step (``None`` to drop it)."""
    tp = _unwrap(tp)
    member = _tagged_member(tp, item)
    if member is not None:
        return member, None
    if isinstance(item, int):
        return _item_type(tp, item), f"[{item}]"
    if _is_model(tp) and item in _field_names(tp):
        name = list(tp.model_fields)[_field_names(tp).index(item)]
        return tp.model_fields[name].annotation, key_path(item)
    if typing.get_origin(tp) is dict:
        return typing.get_args(tp)[1], key_path(item)
    if _PYDANTIC_MARKER.match(item):
        return tp, None
    return None, key_path(item)


def _item_type(tp: Any, index: int) -> Any:
    """The type of item ``index`` of a list or tuple type (``None`` if unknown)."""
    args = typing.get_args(tp)
    fixed_tuple = typing.get_origin(tp) is tuple and not (len(args) == 2 and args[1] is Ellipsis)
    if fixed_tuple:
        return args[index] if 0 <= index < len(args) else None
    return args[0] if args else None


def _walk(root: Any, loc: Sequence[str | int]) -> tuple[str, Any, Any]:
    """The user's path for ``loc``, the type at the end and the type of its parent.

    For a bad mapping key (pydantic's ``[key]`` marker) the type at the end is the key type.
    """
    path, tp, parent = "", root, None
    for item in loc:
        if item == "[key]":
            args = typing.get_args(_unwrap(parent))
            tp = args[0] if args else None
            continue
        child, step = _step(tp, item)
        if step is not None:
            path = join_path(path, step)
            parent = tp
        tp = child
    return path, tp, parent


# --- messages for each kind of pydantic error -----------------------------------------------


def _literal_values(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    return [str(arg) for arg in typing.get_args(tp)] if typing.get_origin(tp) is Literal else []


def _union_tags(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    tags: list[str] = []
    for member in typing.get_args(tp):
        field = getattr(member, "model_fields", {}).get("dist")
        if field is not None:
            tags += [str(arg) for arg in typing.get_args(field.annotation)]
    return tags


def _extra_message(error: dict[str, Any], parent: Any) -> str:
    name = error["loc"][-1]
    model = _unwrap(parent)
    if not _is_model(model):
        return f"unknown field {short_repr(name)}"
    return unknown_name_message("field", name, _field_names(model))


def _field_names(model: type[BaseModel]) -> list[str]:
    """The fields of `model` as a scenario writes them (``from`` for ``from_``)."""
    return [field.alias or name for name, field in model.model_fields.items()]


def _type_message(error: dict[str, Any], distribution_tags: list[str]) -> str:
    found = short_repr(error["input"])
    if distribution_tags:
        allowed = ", ".join(distribution_tags)
        return (
            "expected a distribution: minutes, a duration like '90s', "
            f"or a mapping with dist: {allowed}; found {found}"
        )
    expected = _TYPE_WORDS.get(error["type"].split("_")[0])
    if expected is None:
        return f"{_lower_first(error['msg'])}; found {found}"
    return f"expected {expected}, found {found}"


def _bound_message(error: dict[str, Any]) -> str:
    word, key = _BOUNDS[error["type"]]
    bound = error.get("ctx", {}).get(key)
    bound = f"{bound:g}" if isinstance(bound, float) else bound
    return f"must be {word} {bound}, found {short_repr(error['input'])}"


def _too_short_problems(error: dict[str, Any], path: str) -> list[Problem]:
    """Report an empty list, but not pydantic's echo of a tuple whose items were invalid.

    Pydantic counts only the valid items there, and the invalid items already have their own errors.
    """
    value, needed = error.get("input"), error.get("ctx", {}).get("min_length", 1)
    if isinstance(value, Sized) and len(value) >= needed:
        return []
    return [(path, f"must not be empty, found {short_repr(value)}")]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _value_error_problems(error: dict[str, Any], path: str) -> list[Problem]:
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, FieldProblems):
        return [(join_path(path, sub), message) for sub, message in cause.problems]
    message = str(cause) if cause is not None else error["msg"].removeprefix("Value error, ")
    return [(path, message)]


def _union_tag_invalid(error: dict[str, Any], path: str, tp: Any) -> list[Problem]:
    tag = error.get("ctx", {}).get("tag")
    return [(join_path(path, "dist"), unknown_name_message("distribution", tag, _union_tags(tp)))]


def _union_tag_not_found(error: dict[str, Any], path: str, tp: Any) -> list[Problem]:
    allowed = ", ".join(_union_tags(tp))
    found = short_repr(error.get("input"))
    return [(path, f"missing 'dist' (the distribution: {allowed}), found {found}")]


def _literal_problems(error: dict[str, Any], path: str, tp: Any) -> list[Problem]:
    allowed = _literal_values(tp)
    if allowed:
        return [(path, unknown_name_message("value", error.get("input"), allowed))]
    expected = error.get("ctx", {}).get("expected")
    return [(path, f"found {short_repr(error.get('input'))}; allowed: {expected}")]


def _error_problems(error: dict[str, Any], root: Any) -> list[Problem]:
    """Translate one pydantic error dict into ``(path, message)`` problems."""
    path, tp, parent = _walk(root, error["loc"])
    kind = error["type"]
    if kind == "value_error":
        return _value_error_problems(error, path)
    if kind == "extra_forbidden":
        return [(path, _extra_message(error, parent))]
    if kind == "missing":
        return [(path, "required field is missing")]
    if kind == "too_short":
        return _too_short_problems(error, path)
    special = {
        "union_tag_invalid": _union_tag_invalid,
        "union_tag_not_found": _union_tag_not_found,
        "literal_error": _literal_problems,
    }
    if kind in special:
        return special[kind](error, path, tp)
    if kind in _BOUNDS:
        return [(path, _bound_message(error))]
    if kind.endswith(("_type", "_parsing", "_from_float")):
        return [(path, _type_message(error, _union_tags(tp)))]
    return [(path, f"{_lower_first(error['msg'])}; found {short_repr(error.get('input'))}")]


def from_validation_error(
    exc: ValidationError, root: Any, file: str | None = None, context: str = ""
) -> ScenarioError:
    """Convert a pydantic ``ValidationError`` into a :class:`ScenarioError`.

    The error was raised while validating ``root``: a model class or a type such as the distribution
    union.
    """
    problems: dict[Problem, None] = {}  # ordered and without repeats
    for error in exc.errors(include_url=False):
        for problem in _error_problems(dict(error), root):
            problems.setdefault(problem, None)
    return ScenarioError(list(problems), file, context)
