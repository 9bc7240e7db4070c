"""The root of wsim's error types.

Every error wsim raises for bad input or a request it cannot carry out derives from
:class:`WsimError`, so a program (or the command line) can catch all of them in one place and
show the message, which is always written for the person who made the request.
"""

from __future__ import annotations


class WsimError(Exception):
    """Base class of the errors wsim raises on purpose (bad input, impossible requests)."""


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
