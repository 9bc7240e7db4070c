"""Durations and clock times as planners write them, converted to minutes.

wsim measures all time in minutes. Scenario files may give a duration as a bare number
(minutes) or as a string with a unit, and a time of day as ``"HH:MM"``.

A note on YAML: PyYAML follows YAML 1.1, which reads an unquoted ``8:30`` as the base-60
integer ``8 * 60 + 30 = 510``. That is exactly the number of minutes after midnight, so
:func:`parse_clock` accepts integers as minutes after midnight and both spellings mean the
same time. ``08:30`` (leading zero) is not base-60 in YAML and stays the string ``"08:30"``.
"""

from __future__ import annotations

import functools
import math
import re
from typing import TypeGuard

from wsim.scenario.errors import short_repr
from wsim.scenario.limits import DURATION_REASON, MAX_DURATION

DURATION_UNITS: dict[str, float] = {
    "s": 1 / 60,
    "sec": 1 / 60,
    "min": 1.0,
    "h": 60.0,
    "hr": 60.0,
    "d": 1440.0,
}
"""Minutes per unit. ``m`` is deliberately absent: it could mean minutes or months."""

MINUTES_PER_DAY = 1440.0

_DURATION_HELP = (
    "a number of minutes or a string with a unit (s, sec, min, h, hr, d), e.g. 90s, 10min, 1.5h, 3d"
)
_CLOCK_HELP = (
    'a time of day "HH:MM" from 00:00 to 24:00 (e.g. "08:30"), '
    "or a whole number of minutes after midnight"
)
_DURATION_RE = re.compile(r"^([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)$")
_CLOCK_RE = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


#: Longest text read as a duration or a clock time (longer ones are refused before parsing).
MAX_TEXT = 100


def is_number(value: object) -> TypeGuard[float]:
    """True for int and float but not bool (YAML ``yes``/``no`` become bools)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def as_float(value: int | float) -> float:
    """A number as a float; an integer too large for a float becomes infinity (not an error)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _check_minutes(minutes: float, found: object) -> float:
    """Reject negative, non-finite and absurdly long durations."""
    if math.isnan(minutes) or (minutes == math.inf and not isinstance(found, int)):
        raise ValueError(f"expected {_DURATION_HELP}; found {short_repr(found)}")
    if minutes < 0:
        raise ValueError(f"a duration cannot be negative, found {short_repr(found)}")
    if minutes > MAX_DURATION:
        raise ValueError(
            f"must be at most {MAX_DURATION:,.0f} min ({DURATION_REASON}), "
            f"found {short_repr(found)}"
        )
    return float(minutes)


def parse_duration(value: object) -> float:
    """Return ``value`` as minutes.

    Numbers are minutes; strings carry a unit: ``"90s"``, ``"10min"``, ``"10 min"``,
    ``"2h"``, ``"1.5hr"``, ``"3d"``. A string without a unit is minutes. Negative, non-finite
    or longer than 100 years durations raise ``ValueError`` naming what is allowed.
    """
    if is_number(value):
        return _check_minutes(as_float(value), value)
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError(f"expected {_DURATION_HELP}; found {short_repr(value)}")
    return _parse_duration_text(value)


@functools.lru_cache(maxsize=1024)
def _parse_duration_text(value: str) -> float:
    """A duration text as minutes (see :func:`parse_duration`), remembered.

    A large center writes the same few texts ("12min") thousands of times; a text that raises
    is not remembered, so its message is made anew each time.
    """
    text = value.strip()
    if text.startswith("-"):
        raise ValueError(f"a duration cannot be negative, found {short_repr(value)}")
    match = _DURATION_RE.match(text)
    if match is None:
        raise ValueError(f"expected {_DURATION_HELP}; found {short_repr(value)}")
    number, unit = float(match.group(1)), match.group(2).lower()
    if unit and unit not in DURATION_UNITS:
        raise ValueError(
            f"unknown time unit {short_repr(match.group(2))} in {short_repr(value)}; "
            f"allowed units: {', '.join(DURATION_UNITS)} ('m' is not allowed: write min)"
        )
    return _check_minutes(number * DURATION_UNITS.get(unit, 1.0), value)


def parse_clock(value: object) -> float:
    """Return a time of day as minutes after midnight, from 0 to 1440.

    Accepts ``"08:30"``, ``"8:30"``, ``"17:00"`` and ``"24:00"`` (the end of the day),
    and numbers, taken as minutes after midnight (see the module note on YAML base-60).
    """
    if is_number(value):
        minutes = as_float(value)
        if not (math.isfinite(minutes) and 0 <= minutes <= MINUTES_PER_DAY):
            found = short_repr(value)
            raise ValueError(f"expected {_CLOCK_HELP}; found {found} (outside 0..1440)")
        return minutes
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError(f"expected {_CLOCK_HELP}; found {short_repr(value)}")
    match = _CLOCK_RE.match(value.strip())
    if match is None:
        raise ValueError(f"expected {_CLOCK_HELP}; found {short_repr(value)}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes > 0):
        raise ValueError(f"expected {_CLOCK_HELP}; found {short_repr(value)}")
    return float(hours * 60 + minutes)


def format_clock(minutes: float) -> str:
    """Format minutes after midnight as ``"HH:MM"`` (for messages)."""
    whole = round(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"
