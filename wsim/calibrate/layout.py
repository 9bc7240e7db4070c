"""Where a queue log keeps each fact about a ticket: the column mapping and ready presets.

A queue-management export has one row per ticket, but every system names and spells its
columns differently. A :class:`LogLayout` says which column holds what (ticket issued, called,
finished, left, abandoned, service, window or clerk, date, priority, id) and which cell values
mean "did not happen", "abandoned", "ignore this row" and "no server". Presets hold the
layouts of known exports; ``--columns arrival=...,start=...`` builds one on the command line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wsim.errors import WsimError, did_you_mean


class LogError(WsimError, ValueError):
    """A queue log or its column mapping cannot be used; ``str()`` is one message for the user."""


#: Fields of a layout that name columns of the log.
COLUMN_FIELDS: tuple[str, ...] = (
    "arrival",
    "start",
    "end",
    "left",
    "abandoned",
    "service",
    "server",
    "date",
    "priority",
    "id",
)

#: Other names accepted for the column fields (the words of a typical export or request).
ALIASES: dict[str, str] = {
    "issued": "arrival",
    "ticket_time": "arrival",
    "service_start": "start",
    "called": "start",
    "service_end": "end",
    "finished": "end",
    "abandonment": "abandoned",
    "abandon_time": "left",
    "service_type": "service",
    "window": "server",
    "clerk": "server",
    "ticket_id": "id",
}

#: Fields of a layout that list cell values.
VALUE_FIELDS: tuple[str, ...] = ("missing", "abandoned_values", "ignore_values", "no_server")


@dataclass(frozen=True)
class LogLayout:
    """The column mapping of a queue log.

    Columns (``None`` when the log has no such column):

    - ``arrival``: when the ticket was issued (required). Several columns may be given: the
      first one with a value is used (e.g. queue entry, else the call time of a citizen
      served at once).
    - ``start``: when the ticket was called to a window; ``end``: when its service finished.
    - ``left``: when a citizen who abandoned left the queue (else ``end`` of abandoned rows).
    - ``abandoned``: whether the citizen left before being called; a flag (1/0, true/false,
      yes/no), an outcome column whose ``abandoned_values`` mean abandoned, or the time the
      citizen left (a filled time means abandoned). Without it, a ticket never called is
      taken as abandoned.
    - ``service``: the service type; ``server``: the window or clerk; ``priority``: a class
      that makes separate demand streams; ``id``: the ticket id, to find duplicates.
    - ``date``: the calendar date, when the time columns hold clock times (``hh:mm[:ss]``);
      without it the time columns must hold full timestamps.

    Cell values (compared as text, case-insensitively after trimming):

    - ``missing``: values meaning "did not happen" (an empty cell always does).
    - ``abandoned_values``: values of the ``abandoned`` column that mean abandoned.
    - ``ignore_values``: values of the ``abandoned`` column marking rows that are not tickets
      (e.g. virtual calls); they are dropped and counted.
    - ``no_server``: values of the ``server`` column meaning no server.
    """

    arrival: tuple[str, ...]
    start: str | None = None
    end: str | None = None
    left: str | None = None
    abandoned: str | None = None
    service: str | None = None
    server: str | None = None
    date: str | None = None
    priority: str | None = None
    id: str | None = None
    missing: tuple[str, ...] = ()
    abandoned_values: tuple[str, ...] = (
        "1",
        "true",
        "yes",
        "y",
        "abandoned",
        "abandon",
        "left",
        "no-show",
        "noshow",
        "reneged",
    )
    ignore_values: tuple[str, ...] = ()
    no_server: tuple[str, ...] = ()

    def columns(self) -> dict[str, tuple[str, ...]]:
        """Each mapped field and the log columns it reads."""
        mapped: dict[str, tuple[str, ...]] = {}
        for name in COLUMN_FIELDS:
            value = getattr(self, name)
            if value:
                mapped[name] = value if isinstance(value, tuple) else (value,)
        return mapped

    def describe(self) -> str:
        """The mapping as ``field=column`` text (the form ``--columns`` takes)."""
        return ",".join(f"{name}={'|'.join(cols)}" for name, cols in self.columns().items())


PRESETS: dict[str, LogLayout] = {
    # The Technion SEE "Anonymous Bank" call-center log (wsim.datasets.anonymous_bank_week):
    # a call that reached the queue is a ticket issued at q_start; one answered at once
    # (q_start 0:00:00) is a ticket issued when the agent took it; VRU-only calls have neither
    # time and are not tickets. HANG = abandoned (left at q_exit); PHANTOM calls are ignored.
    "anonymous-bank": LogLayout(
        arrival=("q_start", "ser_start"),
        start="ser_start",
        end="ser_exit",
        left="q_exit",
        abandoned="outcome",
        service="type",
        server="server",
        date="date",
        missing=("0:00:00",),
        abandoned_values=("HANG",),
        ignore_values=("PHANTOM",),
        no_server=("NO_SERVER",),
    ),
}


def _as_values(field: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise LogError(f"column mapping: {field} must be a text or a list of texts, found {value!r}")


def _as_column(field: str, value: Any) -> str | tuple[str, ...] | None:
    if value is None:
        return None
    if field == "arrival":
        columns = _as_values(field, value.split("|") if isinstance(value, str) else value)
        return tuple(c.strip() for c in columns)
    if not isinstance(value, str) or not value.strip():
        raise LogError(f"column mapping: {field} must be a column name, found {value!r}")
    return value.strip()


def make_layout(
    columns: LogLayout | Mapping[str, Any] | None = None, preset: str | None = None
) -> LogLayout:
    """A layout from a preset name, a mapping of layout fields, or both (the mapping wins).

    Mapping keys are the :class:`LogLayout` fields (or their :data:`ALIASES`); ``arrival``
    may be ``"a|b"`` or a list.
    Raises :class:`LogError` naming an unknown preset or field.
    """
    if isinstance(columns, LogLayout):
        return columns
    base: dict[str, Any] = {}
    if preset is not None:
        if preset not in PRESETS:
            raise LogError(
                f"unknown preset {preset!r}{did_you_mean(preset, PRESETS)}; "
                f"allowed: {', '.join(PRESETS)}"
            )
        base = dataclasses.asdict(PRESETS[preset])
    elif not columns:
        raise LogError(
            "give a column mapping (columns=... / --columns arrival=COL,...) or a preset "
            f"({', '.join(PRESETS)})"
        )
    allowed = COLUMN_FIELDS + VALUE_FIELDS
    for given, value in (columns or {}).items():
        key = ALIASES.get(given, given)
        if key not in allowed:
            raise LogError(
                f"column mapping: unknown field {given!r}{did_you_mean(given, allowed)}; "
                f"allowed: {', '.join(allowed)} (or {', '.join(ALIASES)})"
            )
        base[key] = _as_values(key, value) if key in VALUE_FIELDS else _as_column(key, value)
    if not base.get("arrival"):
        raise LogError("column mapping: arrival (when the ticket was issued) is required")
    return LogLayout(**base)


def parse_columns(text: str) -> dict[str, str]:
    """``"arrival=q_start|ser_start,start=ser_start"`` -> ``{"arrival": ..., "start": ...}``."""
    mapping: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise LogError(
                f"--columns: expected FIELD=COLUMN items separated by commas, found {item!r} "
                "(e.g. arrival=issued,start=called,end=finished)"
            )
        mapping[key.strip()] = value.strip()
    return mapping
