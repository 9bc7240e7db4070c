"""The root of wsim's error types.

Every error wsim raises for bad input or a request it cannot carry out derives from
:class:`WsimError`, so a program (or the command line) can catch all of them in one place and
show the message, which is always written for the person who made the request.
"""

from __future__ import annotations


class WsimError(Exception):
    """Base class of the errors wsim raises on purpose (bad input, impossible requests)."""
