"""The root of wsim's error types, and the helpers every message uses.

Every error wsim raises for bad input or a request it cannot carry out derives from
:class:`WsimError`, so a program (or the command line) can catch all of them in one place and
show the message, which is always written for the person who made the request.

Messages quote what the user wrote, and what they wrote may be huge or hostile: a value that
an alias bomb expanded, a 400-digit number, a name with terminal escape sequences. The helpers
here keep every message short and safe: :func:`short_repr` renders only as much of a value as
it shows, :func:`name_list` counts the names it does not list, :func:`did_you_mean` gives up
on very long lists, and :func:`printable` escapes control characters.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping

#: Characters of a value quoted in a message.
MAX_QUOTE_CHARS = 60
#: Names listed as "allowed" in one message; the rest are counted.
MAX_NAMES_SHOWN = 30
#: Above this many options there is no "did you mean" (comparing with each would be slow).
MAX_FUZZY_OPTIONS = 1000
#: Nesting of a value rendered in a message.
_MAX_REPR_DEPTH = 20
_IDENTIFIER = re.compile(r"^[\w-]+$")


class WsimError(Exception):
    """Base class of the errors wsim raises on purpose (bad input, impossible requests)."""


def did_you_mean(word: object, options: Iterable[str]) -> str:
    """``"; did you mean 'count'?"`` when ``word`` is close to one of ``options``, else ``""``.

    Close means similar spelling (difflib) or an unambiguous abbreviation (``expo``). With
    more than a thousand options there is no hint.
    """
    sized = _collection(options)
    if len(sized) > MAX_FUZZY_OPTIONS:
        return ""
    names, text = [str(name) for name in sized], str(word)[:MAX_QUOTE_CHARS]
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    if not close and len(text) >= 3:
        close = [name for name in names if name.startswith(text)][:2]
    return f"; did you mean {short_repr(close[0])}?" if len(close) == 1 else ""


def unknown_name_message(kind: str, found: object, options: Iterable[str]) -> str:
    """``unknown field 'cout'; did you mean 'count'? allowed: name, serves, count, ...``."""
    names = _collection(options)
    hint = did_you_mean(found, names)
    allowed = name_list(names)
    return f"unknown {kind} {short_repr(found)}{hint}{' ' if hint else '; '}allowed: {allowed}"


def name_list(names: Iterable[str]) -> str:
    """Names for a message, comma-separated; beyond a few dozen, the rest are counted."""
    sized = _collection(names)
    shown = [str(n) for n in itertools.islice(sized, MAX_NAMES_SHOWN)]
    if not shown:
        return "(none declared)"
    text = ", ".join(n if _IDENTIFIER.match(n) else short_repr(n) for n in shown)
    hidden = len(sized) - len(shown)
    return text if hidden <= 0 else f"{text}, ... ({hidden} more)"


def _collection(names: Iterable[str]) -> Collection[str]:
    """`names` as a collection (a dict or list as it is: no copy of a long one)."""
    return names if isinstance(names, Collection) else list(names)


def short_repr(value: object, limit: int = MAX_QUOTE_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, to quote bad input in a message.

    Only as much of the value is rendered as the message shows: a huge list, a mapping that an
    alias bomb expanded, or a 400-digit integer cost no more than ``limit`` characters.
    """
    text, length = [], 0
    for piece in _repr_pieces(value, 0):
        text.append(piece)
        length += len(piece)
        if length > limit:
            return "".join(text)[: limit - 3] + "..."
    return "".join(text)


def _repr_pieces(value: object, depth: int) -> Iterator[str]:
    """The repr of `value` in small pieces, generated lazily (nested values as far as read)."""
    if depth > _MAX_REPR_DEPTH:
        yield "..."
    elif isinstance(value, str):
        yield repr(value[: MAX_QUOTE_CHARS + 2])
    elif isinstance(value, int) and not isinstance(value, bool):
        yield _int_text(value)
    elif isinstance(value, Mapping):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ", " if index else ""
            yield from _repr_pieces(key, depth + 1)
            yield ": "
            yield from _repr_pieces(item, depth + 1)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "[" if isinstance(value, list) else "("
        for index, item in enumerate(value):
            yield ", " if index else ""
            yield from _repr_pieces(item, depth + 1)
        yield "]" if isinstance(value, list) else ")"
    elif isinstance(fields := getattr(type(value), "model_fields", None), dict):  # pydantic
        yield f"{type(value).__name__}("
        for index, name in enumerate(fields):
            yield f"{', ' if index else ''}{name}="
            yield from _repr_pieces(getattr(value, name, None), depth + 1)
        yield ")"
    else:
        yield repr(value)[: MAX_QUOTE_CHARS + 2]


def _int_text(value: int) -> str:
    """An integer's digits, or how many digits it has when it has very many."""
    if value.bit_length() <= 330:  # up to 100 digits
        return str(value)
    digits = int(value.bit_length() * math.log10(2)) + 1
    return f"<a number of about {digits} digits>"


def printable(text: str) -> str:
    """`text` safe to print on a terminal: control characters escaped, newlines kept.

    Names and values in files reach messages and tables; an escape sequence in a scenario name
    must not move the cursor, clear the screen or hide the rest of the message.
    """
    if text.isprintable():
        return text
    return "\n".join(
        "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in line)
        for line in text.split("\n")
    )
