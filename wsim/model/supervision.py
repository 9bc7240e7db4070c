"""Supervision: a department whose supervisor moves cases close to their due time to the head.

A case is *alerted* from its alert time on (computed by the journey layer from the working
calendar and ``departments.*.alert.within_days``; see
:class:`wsim.scenario.journeys.Alert`). Whenever a staff member takes the next case, the
alerted cases come first, earliest due time first and ties by arrival at the department; the
other cases keep the department's order (FIFO or EDF). Alerts are looked at only when a case
is taken, which is the only moment the order matters; no case in work is interrupted.

Each job sits in two heaps, the department's order and the order of alert times, and moves to
a third, the alerted cases, when its alert time has come; a job taken from one heap is marked
and skipped when it surfaces in another.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import Any, cast

import simpy

from wsim.model.backoffice import Department
from wsim.model.simpy_private import Occurrence
from wsim.model.timeline import Intervals

_DUE, _TAKEN = 5, 6  # positions in a job: [key, arrival, work, done, case, due, taken]


class SupervisedDepartment(Department):
    """A :class:`Department` with an overdue alert.

    `alert_at(due)` gives the clock time from which a case due at `due` is alerted
    (``inf``: never, ``-inf``: at once).
    """

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        staff: int,
        working: Intervals,
        edf: bool,
        alert_at: Callable[[float], float],
    ):
        super().__init__(env, name, staff, working, edf)
        self.alert_at = alert_at
        self._ordered: list[list[Any]] = []  # the department's order
        self._watch: list[tuple[float, int, list[Any]]] = []  # by alert time
        self._alerted: list[tuple[float, int, list[Any]]] = []  # by due time
        self._waiting = 0

    def _push(self, case: int, work: float, deadline: float, done: Occurrence) -> None:
        arrival = self._arrivals
        key = deadline if self.edf else float(arrival)
        job = [key, arrival, work, done, case, deadline, False]
        heapq.heappush(self._ordered, job)
        alert = self.alert_at(deadline)
        if alert != float("inf"):
            heapq.heappush(self._watch, (alert, arrival, job))
        self._waiting += 1

    def _head(self, now: float) -> Sequence[Any] | None:
        watch, alerted = self._watch, self._alerted
        while watch and watch[0][0] <= now:
            _, arrival, job = heapq.heappop(watch)
            if not job[_TAKEN]:
                heapq.heappush(alerted, (job[_DUE], arrival, job))
        while alerted and alerted[0][2][_TAKEN]:
            heapq.heappop(alerted)
        if alerted:
            return alerted[0][2]
        ordered = self._ordered
        while ordered and ordered[0][_TAKEN]:
            heapq.heappop(ordered)
        return ordered[0] if ordered else None

    def _take(self, job: Sequence[Any]) -> None:
        cast("list[Any]", job)[_TAKEN] = True  # a job is a list (see _push)
        self._waiting -= 1

    @property
    def backlog(self) -> int:
        """Cases waiting for a staff member."""
        return self._waiting
