"""The arrivals of all demand streams merged and handed out a calendar day at a time, in order.

Each stream's :class:`~wsim.model.arrivals.ArrivalClock` draws its own arrival times from its
own named random stream, exactly as before; this module only merges them, a span of calendar
days at a time (``SPAN_DAYS``). The hall used to keep one pending SimPy timeout per stream (a
thousand streams: a thousand pending events); with the merge it keeps none, walking a day's
sorted lists in step with SimPy's queue (:class:`wsim.model.simpy_private.Walk`).

To give the same numbers, the merge reproduces what the per-stream timeouts did:

- a stream's arrival was scheduled at the time of its previous one with the delay to its clock
  time, so it happened at ``previous + (t - previous)`` (which may differ from ``t`` in the last
  bit); the merged times are computed the same way;
- arrivals at equal times happened in the order their timeouts were created (SimPy's event
  id), that is in the order of the streams' previous arrivals (the first arrivals of all in the
  order of the streams). Ties, rare, are put in that order;
- the hall reserves an event id for a stream's next arrival when it processes the previous one
  (``has_next``), where the timeout was created, so every other event keeps its id too.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import NamedTuple

import numpy as np

from wsim.model.arrivals import ArrivalClock
from wsim.model.timeline import TooManyEvents
from wsim.scenario.units import MINUTES_PER_DAY

#: Calendar days whose arrivals are drawn and merged together. Drawing a stream's arrivals is
#: cheaper for many days at once than day by day (its clock, samplers and their blocks are
#: touched once, while still in the processor's cache), so a center of a thousand streams
#: draws a week in one pass over them; a span's arrays take some tens of bytes per arrival.
SPAN_DAYS = 7

#: A span's merged arrivals (the fields of :class:`Day`, as arrays).
_Span = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]


class Day(NamedTuple):
    """One day of merged arrivals, in calling order.

    Per arrival: its time (minutes), stream, hall day, whether its stream has a next arrival,
    and its window time (minutes; `work` is None when the arrivals come without them).
    """

    times: list[float]
    streams: list[int]
    days: list[int]
    more: list[bool]
    work: list[float] | None


class ArrivalDays:
    """Successive :class:`Day` s of merged arrivals of `clocks`.

    `max_arrivals`, when given, is the hall's running guard on tickets where every arrival
    takes one (no journey layer): arrivals beyond it stop the replication with the
    :class:`~wsim.model.timeline.TooManyEvents` the hall raises at that ticket, before the
    span's arrays are built. With journeys, a span's arrivals are what the per-stream clocks
    would have drawn over it anyway, and the journey and ticket guards stop a run that grows.

    `work`, when given, is per stream a function drawing its next `n` window times
    (:func:`wsim.streams.batches`): where every arrival is a ticket with the next window time
    of its stream (the hall without journeys), a span's are taken per stream in one call and
    come merged with the arrivals, the same numbers the stream's sampler gives one by one.
    """

    def __init__(
        self,
        clocks: list[ArrivalClock],
        max_arrivals: int | None,
        work: list[Callable[[int], list[float]]] | None = None,
    ):
        self.clocks = clocks
        self.max_arrivals = max_arrivals
        self.work = work
        # Next arrival of each stream (its time as it happens, its day), None when over.
        self.pending: list[tuple[float, int] | None] = []
        for clock in clocks:
            nxt = clock.next()
            self.pending.append(nxt)  # scheduled from time 0: it happens at its clock time
        # Position (in the merged order of the whole run) of each stream's last arrival; the
        # first arrivals' timeouts were created before anything else, in the streams' order.
        self.last = np.arange(len(clocks)) - len(clocks)
        self.placed = 0
        nothing = np.empty(0)
        self._span: _Span = (nothing, nothing, nothing, nothing, None)  # until the first span
        self._next = 0  # the span's first arrival not handed out yet

    def first_streams(self) -> list[int]:
        """The streams that have an arrival at all, in their order (their first timeouts)."""
        return [k for k, nxt in enumerate(self.pending) if nxt is not None]

    def next_day(self) -> Day | None:
        """The arrivals of the next calendar day that has any, in order; None when all are over."""
        if self._next == self._span[0].size and not self._draw_span():
            return None
        times, stream, days, more, work = self._span
        i = self._next
        limit = (times[i] // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY
        j = int(np.searchsorted(times, limit))
        self._next = j
        return Day(
            times[i:j].tolist(),
            stream[i:j].tolist(),
            days[i:j].tolist(),
            more[i:j].tolist(),
            None if work is None else work[i:j].tolist(),
        )

    def _draw_span(self) -> bool:
        """Draw and merge the arrivals of the next ``SPAN_DAYS`` calendar days; False if none.

        The span starts at the calendar day of the earliest pending arrival.
        """
        starts = [nxt[0] for nxt in self.pending if nxt is not None]
        if not starts:
            return False
        limit = (min(starts) // MINUTES_PER_DAY + SPAN_DAYS) * MINUTES_PER_DAY
        times: list[float] = []
        days: list[int] = []
        drawn_work: list[float] = []  # stream after stream, as the lists above
        active: list[int] = []  # the streams with arrivals in the span, and where theirs end
        ends: list[int] = []  # in the lists above
        over: list[int] = []  # the streams whose last arrival of all is in the span
        for k, clock in enumerate(self.clocks):
            nxt = self.pending[k]
            if nxt is None or nxt[0] >= limit:
                continue
            first = len(times)
            while nxt is not None and nxt[0] < limit:
                a, day = nxt
                times.append(a)
                days.append(day)
                drawn = clock.next()
                nxt = None if drawn is None else (a + (drawn[0] - a), drawn[1])
            self.pending[k] = nxt
            active.append(k)
            ends.append(len(times))
            if nxt is None:
                over.append(len(active) - 1)
            if self.max_arrivals is not None and self.placed + len(times) > self.max_arrivals:
                raise TooManyEvents("tickets", self.max_arrivals)
            if self.work is not None:
                drawn_work += self.work[k](len(times) - first)
        work = drawn_work if self.work is not None else None
        self._span = self._ordered(times, days, work, active, ends, over)
        self._next = 0
        return True

    def _ordered(
        self,
        times: list[float],
        days: list[int],
        work: list[float] | None,
        active: list[int],
        ends: list[int],
        over: list[int],
    ) -> _Span:
        """The span's arrivals sorted by time, ties in the order of their timeouts.

        The lists come stream after stream, each stream's in its own order (so `work`, drawn
        per stream, lines up with them): the arrivals of stream ``active[j]`` end before
        ``ends[j]``; the streams ``active[j]`` for j in `over` have no arrival after these.
        """
        at = np.array(times)
        last = np.array(ends) - 1  # each active stream's last arrival, in the lists' order
        stream = np.repeat(active, np.diff(last, prepend=-1))
        more = np.ones(at.size, dtype=bool)
        more[last[over]] = False
        order = np.argsort(at, kind="stable")  # equal times: by stream, then own order
        sorted_at = at[order]
        ties = np.flatnonzero(sorted_at[1:] == sorted_at[:-1])
        if ties.size:
            order = self._untie(order, sorted_at, stream[order])
        position = np.empty_like(order)  # where each arrival of the lists comes in the span
        position[order] = np.arange(order.size)
        self.last[active] = self.placed + position[last]
        self.placed += order.size
        return (
            sorted_at,  # equal times are equal floats: untying leaves them in place
            stream[order],
            np.array(days)[order],
            more[order],
            None if work is None else np.array(work)[order],
        )

    def _untie(self, order: np.ndarray, sorted_at: np.ndarray, ks: np.ndarray) -> np.ndarray:
        """Reorder the runs of equal times of `order` as SimPy ordered their timeouts.

        A timeout created earlier happened first: that is, the arrival whose stream's previous
        arrival came first (a position in the run's merged order, or before the day).
        """
        last = self.last.copy()
        order = order.copy()
        i, n = 0, order.size
        while i < n:
            j = i
            while j + 1 < n and sorted_at[j + 1] == sorted_at[i]:
                j += 1
            if j > i:
                queued: dict[int, list[int]] = {}
                for entry, k in zip(order[i : j + 1].tolist(), ks[i : j + 1].tolist(), strict=True):
                    queued.setdefault(k, []).append(entry)
                heap = [(int(last[k]), k) for k in queued]
                heap.sort()
                for p in range(i, j + 1):
                    _, k = heappop(heap)
                    order[p] = queued[k].pop(0)
                    last[k] = self.placed + p
                    if queued[k]:
                        heappush(heap, (self.placed + p, k))
            else:
                last[int(ks[i])] = self.placed + i
            i = j + 1
        return order
