"""The arrivals of all demand streams merged, one calendar day at a time, in calling order.

Each stream's :class:`~wsim.model.arrivals.ArrivalClock` draws its own arrival times from its
own named random stream, exactly as before; this module only merges them. The hall used to keep
one pending SimPy timeout per stream (a thousand streams: a thousand pending events); with the
merge it keeps one, walking a day's sorted arrays.

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
    :class:`~wsim.model.timeline.TooManyEvents` the hall raises at that ticket, before the day's
    arrays are built. With journeys, a day's arrivals are what the per-stream clocks would have
    drawn over that day anyway, and the journey and ticket guards stop a run that grows.

    `work`, when given, is per stream a function drawing its next `n` window times
    (:func:`wsim.streams.batches`): where every arrival is a ticket with the next window time
    of its stream (the hall without journeys), a day's are taken per stream in one call and
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

    def first_streams(self) -> list[int]:
        """The streams that have an arrival at all, in their order (their first timeouts)."""
        return [k for k, nxt in enumerate(self.pending) if nxt is not None]

    def next_day(self) -> Day | None:
        """The arrivals of the next calendar day that has any, in order; None when all are over."""
        starts = [nxt[0] for nxt in self.pending if nxt is not None]
        if not starts:
            return None
        limit = (min(starts) // MINUTES_PER_DAY + 1) * MINUTES_PER_DAY
        times: list[float] = []
        stream: list[int] = []
        days: list[int] = []
        more: list[bool] = []
        drawn_work: list[float] = []  # stream after stream, as the lists above
        for k, clock in enumerate(self.clocks):
            nxt = self.pending[k]
            first = len(times)
            while nxt is not None and nxt[0] < limit:
                a, day = nxt
                times.append(a)
                stream.append(k)
                days.append(day)
                drawn = clock.next()
                nxt = None if drawn is None else (a + (drawn[0] - a), drawn[1])
                more.append(nxt is not None)
            self.pending[k] = nxt
            if self.max_arrivals is not None and self.placed + len(times) > self.max_arrivals:
                raise TooManyEvents("tickets", self.max_arrivals)
            if self.work is not None and len(times) > first:
                drawn_work += self.work[k](len(times) - first)
        work = drawn_work if self.work is not None else None
        return self._ordered(times, stream, days, more, work)

    def _ordered(
        self,
        times: list[float],
        stream: list[int],
        days: list[int],
        more: list[bool],
        work: list[float] | None,
    ) -> Day:
        """The day's arrivals sorted by time, ties in the order of their timeouts.

        The lists come stream after stream, each stream's in its own order (so `work`, drawn
        per stream, lines up with them).
        """
        at = np.array(times)
        order = np.argsort(at, kind="stable")  # equal times: by stream, then own order
        sorted_at = at[order]
        ties = np.flatnonzero(sorted_at[1:] == sorted_at[:-1])
        if ties.size:
            order = self._untie(order, sorted_at, np.array(stream)[order])
        ks = np.array(stream)[order]
        seen, back = np.unique(ks[::-1], return_index=True)  # each stream's last position
        self.last[seen] = self.placed + ks.size - 1 - back
        self.placed += ks.size
        return Day(
            sorted_at.tolist(),  # equal times are equal floats: untying leaves them in place
            ks.tolist(),
            np.array(days)[order].tolist(),
            np.array(more)[order].tolist(),
            None if work is None else np.array(work)[order].tolist(),
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
