"""Numbers for people: thousands separators, a few significant digits, signed percentages."""

from __future__ import annotations

from typing import Any

import numpy as np

#: What a missing or non-finite number is shown as: an en dash.
MISSING = "\u2013"


def format_number(value: Any) -> str:
    """A number for people: thousands separators, about three significant digits."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(x):
        return MISSING
    if x == 0:
        return "0"
    size = abs(x)
    if size >= 1000:
        return f"{x:,.0f}"
    if size >= 100:
        return f"{x:.1f}"
    if size >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def format_percent(value: Any) -> str:
    """A fraction as a signed percentage (``-12.3%``); a dash when missing."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    return MISSING if not np.isfinite(x) else f"{x:+.1%}"
