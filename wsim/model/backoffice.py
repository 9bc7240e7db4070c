"""Back-office departments: staff who work on cases during working time.

A department is a multi-server queue whose servers only work inside its working time
(working hours on working days, minus outages of its system). A staff member who takes a
case works on it for the step's time, counted in working minutes: work started at 16:50 with
30 minutes to do ends the next working morning. A case never starts outside working time.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np
import simpy

from wsim.model.simpy_private import Occurrence, after, pending, succeed, value_of
from wsim.model.timeline import Intervals


class Department:
    """One department of one replication.

    `request(case, work, key)` returns a SimPy event that succeeds when a staff member has
    done `work` working minutes on the case. Waiting cases are taken in order of `key`
    (arrival order for FIFO, the due time passed with the request for EDF), ties by arrival.
    Subclasses change the order through `_push`, `_head`, `_take` and `backlog`
    (:class:`wsim.model.supervision.SupervisedDepartment`).
    """

    def __init__(
        self, env: simpy.Environment, name: str, staff: int, working: Intervals, edf: bool
    ):
        self.env = env
        self.name = name
        self.staff = staff
        self.working = working
        self.edf = edf
        self.free = staff
        self._queue: list[tuple[float, int, float, Occurrence, int]] = []
        self._arrivals = 0
        self._wakeup_at: float | None = None
        # Jobs started: (start, end, work) in clock minutes one after the other, for the
        # utilisation at the end (an array of doubles, copied at once; a list of tuples of
        # float objects made over a whole run converts and frees slowly)
        self._jobs: array[float] = array("d")

    def request(self, case: int, work: float, deadline: float) -> Occurrence:
        """Queue `work` working minutes on `case`; the event's value is the start time."""
        done = pending()
        self._arrivals += 1
        self._push(case, work, deadline, done)
        self._dispatch()
        return done

    def _push(self, case: int, work: float, deadline: float, done: Occurrence) -> None:
        """Queue a job (the `_arrivals`-th) by its key."""
        key = deadline if self.edf else float(self._arrivals)
        heapq.heappush(self._queue, (key, self._arrivals, work, done, case))

    def _head(self, now: float) -> Sequence[Any] | None:
        """The job a free staff member takes next at `now`: (key, arrival, work, done, ...)."""
        return self._queue[0] if self._queue else None

    def _take(self, job: Sequence[Any]) -> None:
        """Remove `job`, the head, from the queue."""
        heapq.heappop(self._queue)

    def _dispatch(self) -> None:
        """Start queued cases while staff are free and it is working time."""
        now = self.env.now
        if not self.backlog or not self.free:
            return
        start = self.working.next_inside(now)
        if start is None:
            return  # the calendar is over: the cases stay in the backlog
        if start > now:
            self._wake_at(start)
            return
        while self.free:
            job = self._head(now)
            if job is None:
                return
            work, done = job[2], job[3]
            end = self.working.advance(now, work)
            if end is None:
                return  # cannot finish within the calendar: stays in the backlog
            self._take(job)
            self.free -= 1
            self._jobs.extend((now, end, work))
            after(self.env, end - now, (done, now), self._finished)

    def _finished(self, event: Occurrence) -> None:
        done, started = value_of(event)
        self.free += 1
        succeed(self.env, done, started)
        self._dispatch()

    def _wake_at(self, t: float) -> None:
        """Dispatch again at `t` (the next working time), once however many cases wait."""
        if self._wakeup_at is not None and self._wakeup_at <= t:
            return
        self._wakeup_at = t
        after(self.env, t - self.env.now, None, self._woken)

    def _woken(self, _event: Occurrence) -> None:
        self._wakeup_at = None
        self._dispatch()

    @property
    def backlog(self) -> int:
        """Cases waiting for a staff member."""
        return len(self._queue)

    @property
    def jobs(self) -> np.ndarray:
        """The jobs started so far, one row each: start, end, work (clock minutes)."""
        return np.array(self._jobs, dtype=float).reshape(-1, 3)

    def busy_minutes(self, a: float, b: float) -> float:
        """Working minutes spent on cases inside [a, b)."""
        if not self._jobs:
            return 0
        jobs = self.jobs
        start, end = jobs[:, 0], jobs[:, 1]
        inside = (start < b) & (end > a)
        minutes = self.working.measure_each(
            np.maximum(start[inside], a), np.minimum(end[inside], b)
        )
        return sum(minutes.tolist())  # in job order, one after the other, as always

    def available_minutes(self, a: float, b: float) -> float:
        """Staff working minutes available inside [a, b)."""
        return self.staff * self.working.measure(a, b)
