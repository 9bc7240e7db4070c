"""The errors of a comparison: bad names, counts or KPIs in the request."""

from __future__ import annotations

from wsim.errors import WsimError


class CompareError(WsimError, ValueError):
    """A comparison was asked for with bad arguments (names, counts, KPIs); says which."""
