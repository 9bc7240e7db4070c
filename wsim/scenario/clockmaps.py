"""Mappings keyed by clock time, as profiles and window schedules are written.

``{"08:30": 2, "12:00": 1}`` means 2 from 08:30, then 1 from 12:00 on. These helpers turn such
a mapping into sorted ``(minute of day, value)`` pairs, reporting every bad entry at once, and
read the value in force at a time of day.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping
from typing import Any

from wsim.scenario.errors import FieldProblems
from wsim.scenario.units import format_clock, parse_clock


def clock_entries(
    data: Mapping[Any, Any], what: str, check: Callable[[object], str | None]
) -> list[tuple[float, Any]]:
    """Turn a YAML mapping ``clock time -> value`` into ``(minute, value)`` pairs.

    ``check(value)`` returns an error text or ``None``. All bad entries are reported at once,
    each naming the key as the planner wrote it.
    """
    pairs, problems = [], []
    for key, value in data.items():
        try:
            minute = parse_clock(key)
        except ValueError as exc:
            problems.append(("", f"time {key!r}: {exc}"))
            continue
        error = check(value)
        if error:
            problems.append(("", f"{what} at {key!r}: {error}, found {value!r}"))
        pairs.append((minute, value))
    if problems:
        raise FieldProblems(problems)
    return pairs


def sorted_unique_times(pairs: tuple[tuple[float, Any], ...]) -> tuple[tuple[float, Any], ...]:
    """Sort ``(minute, value)`` pairs by time; two entries for one time are an error."""
    ordered = tuple(sorted(pairs))
    for (first, _), (second, _) in itertools.pairwise(ordered):
        if first == second:
            raise ValueError(
                f"two entries for {format_clock(first)} (write each time once, "
                f'and the same way everywhere: "08:30" and 8:30 are the same time)'
            )
    return ordered


def value_at(points: tuple[tuple[float, Any], ...], minute: float, before: Any) -> Any:
    """The value of the last point at or before ``minute``; ``before`` ahead of the first."""
    index = bisect.bisect_right([time for time, _ in points], minute)
    return points[index - 1][1] if index else before
