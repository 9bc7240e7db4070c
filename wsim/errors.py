"""The root of wsim's error types.

Every error wsim raises for bad input or a request it cannot carry out derives from
:class:`WsimError`, so a program (or the command line) can catch all of them in one place and
show the message, which is always written for the person who made the request.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class WsimError(Exception):
    """Base class of the errors wsim raises on purpose (bad input, impossible requests)."""


def did_you_mean(word: object, options: Iterable[str]) -> str:
    """``"; did you mean 'count'?"`` when ``word`` is close to one of ``options``, else ``""``.

    Close means similar spelling (difflib) or an unambiguous abbreviation (``expo``).
    """
    names, text = list(options), str(word)
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    if not close and len(text) >= 3:
        close = [name for name in names if name.startswith(text)]
    return f"; did you mean {close[0]!r}?" if len(close) == 1 else ""


def unknown_name_message(kind: str, found: object, options: Iterable[str]) -> str:
    """``unknown field 'cout'; did you mean 'count'? allowed: name, serves, count, ...``."""
    names = list(options)
    hint = did_you_mean(found, names)
    allowed = ", ".join(names) if names else "(none declared)"
    return f"unknown {kind} {found!r}{hint}{' ' if hint else '; '}allowed: {allowed}"
