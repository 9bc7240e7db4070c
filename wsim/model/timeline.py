"""Time intervals: outage periods of a system, and the working time of a department.

Outages are exogenous (they do not depend on what citizens do), so a replication draws each
system's whole up/down history up front from its own random stream. A department's working
time is then its working hours on working days minus its system's outages, kept as sorted
disjoint intervals; work on a case consumes that time, pausing overnight and during outages.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

import numpy as np

from wsim.streams import Draw


class Intervals:
    """Sorted, disjoint intervals [start, end) of clock minutes, with fast queries."""

    def __init__(self, intervals: Iterable[tuple[float, float]]):
        pairs = [(a, b) for a, b in intervals if b > a]
        self.starts = [a for a, _ in pairs]
        self.ends = [b for _, b in pairs]
        self._cumulative = [0.0]
        for a, b in pairs:
            self._cumulative.append(self._cumulative[-1] + (b - a))

    def contains(self, t: float) -> bool:
        """True when `t` lies inside an interval."""
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def next_inside(self, t: float) -> float | None:
        """`t` if it lies inside an interval, else the next interval's start (None if none)."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        return self.starts[i + 1] if i + 1 < len(self.starts) else None

    def next_outside(self, t: float) -> float:
        """`t` if it lies outside every interval, else the end of the interval holding it."""
        i = bisect.bisect_right(self.starts, t) - 1
        return self.ends[i] if i >= 0 and t < self.ends[i] else t

    def measure(self, a: float, b: float) -> float:
        """Total length of the intervals inside [a, b)."""
        return max(self._covered_before(b) - self._covered_before(a), 0.0)

    def measure_each(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per pair, :meth:`measure` of [a, b), for arrays of bounds (the same floats).

        The same operations in the same order as :meth:`measure` (a lookup, a sum, a
        difference, a clip at 0), on whole arrays: for the thousands of jobs of a department
        at the end of a run.
        """
        if not self.starts:
            return np.zeros(np.shape(a))
        starts = np.array(self.starts, dtype=float)
        ends = np.array(self.ends, dtype=float)
        cumulative = np.array(self._cumulative[:-1], dtype=float)

        def covered_before(t: np.ndarray) -> np.ndarray:
            i = np.searchsorted(starts, t, side="right") - 1
            j = np.maximum(i, 0)
            return np.where(i >= 0, cumulative[j] + np.minimum(t, ends[j]) - starts[j], 0.0)

        return np.maximum(covered_before(b) - covered_before(a), 0.0)

    def _covered_before(self, t: float) -> float:
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0.0
        return self._cumulative[i] + min(t, self.ends[i]) - self.starts[i]

    def advance(self, t: float, amount: float) -> float | None:
        """The time at which `amount` minutes of interval time, counted from `t`, are used up.

        Never earlier than `t`: the work is done in the interval holding `t` when it fits there
        (``t + amount``), else in the following ones; an amount that ends exactly at the end of
        an interval ends there, not at the next interval's start. None when the intervals end
        first (also for any positive amount when `t` is past the last interval).
        """
        if amount <= 0:
            return t
        j = bisect.bisect_right(self.starts, t) - 1  # the interval holding t, if any
        if j >= 0 and t < self.ends[j]:
            if amount <= self.ends[j] - t:
                return t + amount
            amount -= self.ends[j] - t
            j += 1
        else:
            j += 1  # t lies in a gap (or before the first, or after the last interval)
        if j >= len(self.starts):
            return None
        # amount minutes counted from the start of interval j, in cumulative interval time
        target = self._cumulative[j] + amount
        if target > self._cumulative[-1]:
            return None
        i = max(bisect.bisect_left(self._cumulative, target) - 1, j)
        return self.starts[i] + (target - self._cumulative[i])

    def minus(self, other: Intervals) -> Intervals:
        """These intervals with the parts covered by `other` removed."""
        result = []
        j = 0
        for a, b in zip(self.starts, self.ends, strict=True):
            while j < len(other.starts) and other.ends[j] <= a:
                j += 1
            k = j
            cursor = a
            while k < len(other.starts) and other.starts[k] < b:
                if other.starts[k] > cursor:
                    result.append((cursor, other.starts[k]))
                cursor = max(cursor, other.ends[k])
                k += 1
            if cursor < b:
                result.append((cursor, b))
        return Intervals(result)


def outage_intervals(
    between: Draw, repair: Draw, horizon: float, max_events: float = math.inf
) -> Intervals:
    """Down periods of a system over [0, horizon): up for `between()`, down for `repair()`, ...

    The system starts up; the last outage may run past the horizon. More than `max_events`
    outages raise :class:`TooManyEvents` (the run-size guard: up times of almost 0 would
    otherwise fill the memory).
    """
    down: list[tuple[float, float]] = []
    t = between()
    while t < horizon:
        if len(down) >= max_events:
            raise TooManyEvents("outages", len(down))
        length = repair()
        down.append((t, t + length))
        t += length + between()
    return Intervals(down)


class TooManyEvents(Exception):
    """A replication grew past the run-size guard: `count` of `quantity` (a size quantity)."""

    def __init__(self, quantity: str, count: int):
        self.quantity = quantity
        self.count = count
        super().__init__(quantity, count)
