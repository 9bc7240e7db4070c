"""The service hall: tickets, queues and windows of one replication, as a SimPy world.

This is the hot path. Tickets are integers indexing plain lists (arrival time, service, state,
...), and every event is a SimPy timeout whose callback does the work directly: no process per
citizen, no pandas, no logging. The lists become the visit log at the end of the run
(`HallLog`).

Calling: each window group keeps, per priority level, one queue (a deque) of the numbers of the
tickets it may call. Tickets are numbered in the order they are issued, which is the order of
their arrival, so a new ticket joins at the end of each queue, the queue stays in number order,
and its first waiting number is the longest-waiting ticket; a ticket joins the queue of every
group serving its service, and an entry whose ticket was called by another group (or
abandoned) is dropped when it reaches the front. A free window thus finds its next citizen at
a cost that grows neither with the line nor with the number of services it serves. Tickets
that arrived at the same instant are called in the order of their lines (the (priority,
service) pairs in the order the demand lists them), then of their numbers.

Appointments: a group that serves booked citizens also keeps a heap of ``(slot time, ticket,
end of grace)`` of the booked tickets whose slot has come (pushed at the slot time, or at
arrival when later); it calls from that heap first, dropping entries whose grace is over or
whose ticket left. A booked ticket is also an ordinary ticket by its arrival, in the ordinary
queues, so outside its grace interval it is called as a walk-in.

Rules, in the words of a planner:
- a citizen takes a ticket for one service; if a window that serves it is free, it is called at
  once; otherwise the citizen waits (or balks, when `balk_at` already wait for that service);
- a window that becomes free calls the highest-priority, then longest-waiting ticket among the
  services it serves; a window serving appointments first calls a booked citizen whose slot
  time has come and whose grace time is not over (the earliest slot first);
- a waiting citizen abandons after their patience runs out;
- window groups open and close clerks on their schedule; a clerk finishes the current citizen
  before leaving;
- at closing time no more tickets are issued, but everyone inside is served: clerks stay while
  tickets they can serve wait, and if a service's tickets wait with no open window serving
  them, one clerk of the first group serving it is called back.
"""

from __future__ import annotations

from collections import deque
from heapq import heapify, heappop, heappush
from typing import Protocol

import numpy as np
import simpy
from simpy.events import NORMAL

from wsim import streams
from wsim.model.arrival_days import ArrivalDays, Day
from wsim.model.arrivals import ArrivalClock, Period, needs_thinning, periods, rate_key
from wsim.model.calendar import hall_days, open_days
from wsim.model.learning import Experience, departures, training_changes
from wsim.model.logs import HallLog
from wsim.model.simpy_private import (
    INF,
    Occurrence,
    Walk,
    after,
    event_ids,
    now_of,
    queue_of,
    run_all,
    value_of,
)
from wsim.model.states import TicketState
from wsim.model.timeline import TooManyEvents
from wsim.scenario.distributions import Distribution
from wsim.scenario.hall import WindowGroup
from wsim.scenario.limits import RunLimits
from wsim.scenario.schema import Scenario
from wsim.scenario.units import MINUTES_PER_DAY

# The states as plain ints: the interpreter's fast paths compare exact ints only, and the
# calling loop compares a ticket's state at every call.
WAITING = int(TicketState.WAITING)
IN_SERVICE = int(TicketState.IN_SERVICE)
SERVED = int(TicketState.SERVED)
ABANDONED = int(TicketState.ABANDONED)
BALKED = int(TicketState.BALKED)
NAN = float("nan")

#: Tickets issued between two clean-ups of the call queues. An entry whose ticket was called by
#: another group stays in a queue until it reaches the front, which may be long for a group that
#: is closed; a clean-up every so many tickets bounds that memory.
COMPACT_EVERY = 1 << 16


class HallListener(Protocol):
    """What the hall tells the layer above it (the citizen journeys), when there is one."""

    def arrival(self, stream: int, day: int) -> None:
        """A citizen of demand stream `stream` arrives now on open day `day` (a new case)."""

    def ticket_done(self, ticket: int, state: int) -> None:
        """Ticket `ticket` of a case ended now: served, abandoned or balked (a TicketState)."""


class Hall:
    """One replication of a scenario's hall. Build it, call `run()`, read `log()`.

    Without a `listener` every arrival takes a ticket (one visit per citizen). With one (the
    journey layer), arrivals start cases and the listener issues the tickets of their visits
    through :meth:`issue_ticket`, hearing back through ``ticket_done``.
    """

    def __init__(
        self, scenario: Scenario, seed: int, replication: int, limits: RunLimits | None = None
    ):
        self.scenario = scenario
        self.max_tickets = (limits or RunLimits()).running_tickets
        self.env = simpy.Environment()
        # SimPy's queue and event counter, read by the arrivals and the clerks: a clerk's end
        # of service goes straight into the queue, where a timeout would go (time, normal
        # priority, the next event id)
        self._queue = queue_of(self.env)
        self._eids = event_ids(self.env)
        self.services = list(scenario.services)
        svc = {name: i for i, name in enumerate(self.services)}
        self._init_streams(scenario, seed, replication, svc)
        self._init_windows(scenario.windows, svc)
        balk_at = scenario.citizens.balk_at
        self.balk_at = balk_at if balk_at is not None else float("inf")
        self.closed = False
        self.days = hall_days(scenario.calendar, drain=scenario.uses_journeys())
        self.today = 0
        self._init_people(scenario, seed, replication, svc)
        # Ticket lists (the visit log, appended as tickets arrive).
        self.t_service: list[int] = []
        self.t_stream: list[int] = []
        self.t_day: list[int] = []
        self.t_arrival: list[float] = []
        self.t_work: list[float] = []
        self.t_state: list[int] = []
        self.t_start: list[float] = []
        self.t_end: list[float] = []
        self.t_clerk: list[int] = []
        self.t_case: list[int] = []
        self.waiting = [0] * len(self.services)
        # The tickets issued at the same instant as the next one: a free window calling one of
        # them calls the first of their lines (`_pop_tie`). Found at issue, where the previous
        # ticket's time is at hand, not at the call, which may come long after (for a window
        # of a long line, that ticket's time is no longer in the processor's cache).
        self._tied: set[int] = set()
        self._compact_at = COMPACT_EVERY
        self.listener: HallListener | None = None
        self.mean_work = [scenario.services[name].window_time.expected() for name in self.services]
        self._init_appointments(scenario, svc)

    # --- set-up -----------------------------------------------------------------------------

    def _init_streams(self, scenario: Scenario, seed: int, rep: int, svc: dict[str, int]):
        """Demand streams: their arrival clocks, window-time and patience samplers, queues."""
        self.stream_names = [d.label for d in scenario.demand]
        self.stream_service = [svc[d.service] for d in scenario.demand]
        self.clocks = []
        # Window times per stream: its distribution and generator, read one at a time by the
        # journey layer (intake visits), or a span of days at once with the merged arrivals
        # (the hall alone, where every arrival is a ticket); `run` builds the reader it needs.
        self.work_sources: list[tuple[Distribution, np.random.Generator]] = []
        self.work_draw: list[streams.Draw] = []
        self.patience_draw: list[streams.Draw | None] = []
        opened = open_days(scenario.calendar)
        shared: dict[tuple, tuple[list[Period], bool]] = {}  # rate_key -> periods, thinning
        demand_periods, thinned, patiences = [], [], []
        for d in scenario.demand:
            key = rate_key(d)
            if key not in shared:
                found = periods(d, scenario, opened)
                shared[key] = (found, needs_thinning(found))
            demand_periods.append(shared[key][0])
            thinned.append(shared[key][1])
            patiences.append(d.patience if d.patience is not None else scenario.citizens.patience)
        names = _generator_names(scenario, thinned, [p is not None for p in patiences])
        generators = iter(streams.named_streams(seed, rep, names))  # taken in that order
        for d, found, thinning, patience in zip(
            scenario.demand, demand_periods, thinned, patiences, strict=True
        ):
            gap = streams.unit_exponentials(next(generators))
            accept = streams.uniforms(next(generators)) if thinning else None
            self.clocks.append(ArrivalClock(found, gap, accept))
            self.work_sources.append((scenario.services[d.service].window_time, next(generators)))
            if patience is None:
                self.patience_draw.append(None)
            else:
                self.patience_draw.append(streams.sampler(patience, next(generators)))
        # One line per (priority, service), numbered in the order the demand lists them; streams
        # of equal priority and service share it. The number breaks ties of arrival time.
        lines: dict[tuple[int, int], int] = {}
        self.stream_priority = [d.priority for d in scenario.demand]
        self.stream_line = [
            lines.setdefault((d.priority, s), len(lines))
            for d, s in zip(scenario.demand, self.stream_service, strict=True)
        ]

    def _init_windows(self, groups: tuple[WindowGroup, ...], svc: dict[str, int]):
        """Clerks (one per window that can be open), their groups, speeds and call lists."""
        self.group_names = [g.name for g in groups]
        groups_of_service: list[list[int]] = [[] for _ in self.services]
        self.clerk_group: list[int] = []
        self.group_clerks: list[list[int]] = []
        # [group] service -> window-time divisor; None for a group without speed factors (the
        # common case: one shared None to test, not a dict per group to look into)
        self.speed: list[dict[int, float] | None] = []
        # [group][priority level] -> the numbers of its waiting tickets, in number order
        self.call_queues: list[list[deque[int]]] = []
        join_queues: list[list[deque[int]]] = [[] for _ in self.stream_service]  # [stream]
        streams_of_service: list[list[int]] = [[] for _ in self.services]
        for k, s in enumerate(self.stream_service):
            streams_of_service[s].append(k)
        for g, group in enumerate(groups):
            served = [svc[name] for name in group.serves]
            for s in served:
                groups_of_service[s].append(g)
            factors = {svc[name]: factor for name, factor in group.speed.items()}
            self.speed.append(factors or None)
            mine = [k for s in served for k in streams_of_service[s]]
            priorities = sorted({self.stream_priority[k] for k in mine}, reverse=True)
            queues: dict[int, deque[int]] = {p: deque() for p in priorities}
            for k in mine:
                join_queues[k].append(queues[self.stream_priority[k]])
            self.call_queues.append([queues[p] for p in priorities])
            first = len(self.clerk_group)
            size = max(group.max_count, 1)  # one spare clerk for call-backs at closing
            self.clerk_group += [g] * size
            self.group_clerks.append(list(range(first, first + size)))
        # [service] its groups, [stream] the queues its tickets join: read at every ticket
        self.groups_of_service: list[tuple[int, ...]] = _shared(groups_of_service)
        self.join_queues: list[tuple[deque[int], ...]] = _shared(join_queues)
        n = len(self.clerk_group)
        self.free: list[list[int]] = [[] for _ in groups]
        self.is_open = [False] * n
        self.busy = [False] * n
        self.leaving = [False] * n
        self.current = [-1] * n
        self.open_since = [0.0] * n
        self.shifts: list[tuple[int, float, float]] = []
        # Each clerk's end of service: one occurrence per clerk, scheduled again for every
        # citizen (a clerk serves one at a time, so it is never in the queue twice), its value
        # the clerk; its callbacks are set again each time (SimPy's loop clears them).
        self._service_ends = [Occurrence(None, c) for c in range(n)]
        self._on_done_callbacks = [self._on_done]
        self.planned = [0] * len(groups)  # [group] windows the schedule opens now
        self.away = [0] * len(groups)  # [group] windows away for training now

    def _init_people(self, scenario: Scenario, seed: int, rep: int, svc: dict[str, int]):
        """Learning curves, training changes and departures of the groups that have them."""
        n = len(self.clerk_group)
        self.experience: list[Experience | None] = []
        self.training: list[list[tuple[float, int]]] = []
        self.departures: list[tuple[float, int]] = []  # (time, clerk), sorted by time
        self.replacements: list[tuple[float, int]] = []  # (time, clerk) of departures so far
        calendar = scenario.calendar
        days_mode = calendar.mode == "days"
        last = self.days[-1]
        end = last.start + last.close if days_mode else float(calendar.horizon)
        for g, group in enumerate(scenario.windows):
            curve = group.learning
            if curve is None:
                self.experience.append(None)
            else:
                chosen = curve.services
                services = None if chosen is None else frozenset(svc[x] for x in chosen)
                self.experience.append(Experience(curve, n, services))
            changes = training_changes(group.training, self.days, clip=days_mode)
            self.training.append([(t, k) for t, k in changes if t < end])
            if group.turnover is not None:
                gap = streams.unit_exponentials(streams.stream(seed, rep, f"turnover:{group.name}"))
                rate = group.turnover.per_year
                self.departures += departures(gap, rate, self.group_clerks[g], end)
        self.departures.sort()

    def _init_appointments(self, scenario: Scenario, svc: dict[str, int]) -> None:
        """Per group, the heap of booked tickets in their grace interval (None without any)."""
        groups = {g.name: i for i, g in enumerate(scenario.windows)}
        self.booked_heaps: list[list | None] = [None] * len(scenario.windows)
        self.booking_groups: list[list[int]] = [[] for _ in self.services]
        self.grace = [0.0] * len(self.services)
        self.slot_of: dict[int, float] = {}  # booked ticket -> its slot time
        for name, service in scenario.services.items():
            spec = service.appointments
            if spec is None:
                continue
            s = svc[name]
            chosen = (
                list(self.groups_of_service[s])
                if spec.groups is None
                else [groups[name] for name in spec.groups]
            )
            self.booking_groups[s] = chosen
            self.grace[s] = spec.grace
            for g in chosen:
                self.booked_heaps[g] = []

    # --- the event loop ----------------------------------------------------------------------

    def run(self) -> HallLog:
        """Simulate the whole calendar and return the log."""
        env = self.env
        self._start_arrivals()
        calendar = self.scenario.calendar
        for g, group in enumerate(self.scenario.windows):
            env.process(self._staffing(g, group))
        if calendar.mode == "days":
            env.process(self._closings())
        for g, changes in enumerate(self.training):
            if changes:
                env.process(self._training(g, changes))
        for t, c in self.departures:
            env.timeout(t, c).callbacks.append(self._on_departure)
        run_all(env, self._walk)
        for c, is_open in enumerate(self.is_open):
            if is_open:
                self._close_clerk(c)
        return self.log()

    def _start_arrivals(self) -> None:
        """Reserve the first arrivals' event ids and schedule the walk of the first day.

        The event ids are those the streams' first timeouts took when each stream had its own
        (see :mod:`wsim.model.arrival_days`), so that every event keeps its place in SimPy's
        order of equal times.
        """
        alone = self.listener is None  # every arrival is a ticket with its stream's next work
        guard = self.max_tickets if alone else None
        work = None
        if alone:
            work = [streams.batches(dist, rng) for dist, rng in self.work_sources]
        else:
            self.work_draw = [streams.sampler(dist, rng) for dist, rng in self.work_sources]
        self.arrival_days = ArrivalDays(self.clocks, guard, work)
        self.arrival_eid = [0] * len(self.clocks)
        for k in self.arrival_days.first_streams():
            self.arrival_eid[k] = next(self._eids)
        self._walk = Walk(self._on_arrivals)  # outside SimPy's queue, merged into its order
        self._a_next = 0
        self._a_day = Day([], [], [], [], None)
        self._next_arrival_day()

    def _next_arrival_day(self) -> None:
        """Load the next day of arrivals and make its first the walk's next (none: no more)."""
        day = self.arrival_days.next_day()
        walk = self._walk
        if day is None:
            walk.at = INF
            return
        self._a_day = day
        self._a_next = 0
        walk.at = day[0][0]
        walk.eid = self.arrival_eid[day[1][0]]

    def _on_arrivals(self) -> None:
        """The walk's next arrival happens now; the one after it becomes the walk's next.

        `run_all` has found it first in SimPy's order (its time and reserved event id).
        """
        i = self._a_next
        times, stream, days, more, work = self._a_day
        k = stream[i]
        if more[i]:
            self.arrival_eid[k] = next(self._eids)  # where its own timeout was created
        if self.listener is not None:
            self.listener.arrival(k, days[i])
        else:
            self._ticket(k, days[i], work[i], -1)  # type: ignore[index]
        i += 1
        if i == len(times):
            self._next_arrival_day()
            return
        self._a_next = i
        walk = self._walk
        walk.at = times[i]
        walk.eid = self.arrival_eid[stream[i]]

    def posted_wait(self, s: int) -> float:
        """The wait the hall posts for service `s` now (minutes).

        The citizens waiting for it times its mean window time, over the windows serving it that
        are open (staffed) now; infinite when none is.
        """
        windows = sum(
            self.is_open[c] for g in self.groups_of_service[s] for c in self.group_clerks[g]
        )
        if windows == 0:
            return float("inf")
        return self.waiting[s] * self.mean_work[s] / windows

    def next_ticket(self) -> int:
        """The number the next ticket will get."""
        return len(self.t_arrival)

    def issue_ticket(self, k: int, work: float, case: int) -> None:
        """A citizen of case `case` (demand stream `k`) takes a ticket now at a standard window.

        The ticket is for `work` minutes. The listener hears back through `ticket_done`.
        """
        self._ticket(k, self.today, work, case)

    def issue_booked_ticket(self, k: int, work: float, case: int, slot: float, day: int) -> None:
        """A booked citizen of case `case` takes a ticket now for the slot at clock time `slot`.

        `day` is the slot's hall day (the citizen may come at its opening instant, before the
        hall has turned to it). The ticket is called first at the service's appointment groups
        from `slot` until the grace time after it; it never balks.
        """
        tid = len(self.t_arrival)
        self.slot_of[tid] = slot
        self._ticket(k, day, work, case)
        if self.t_state[tid] != WAITING:
            return  # called at once
        wait = slot - now_of(self.env)
        if wait > 0:
            after(self.env, wait, tid, self._on_slot)
        else:
            self._slot_time(tid)

    def _on_slot(self, ev: simpy.Event) -> None:
        self._slot_time(value_of(ev))

    def _slot_time(self, tid: int) -> None:
        """The slot of a waiting booked ticket has come: it joins its groups' booked heaps."""
        if self.t_state[tid] != WAITING:
            return
        s = self.t_service[tid]
        slot = self.slot_of[tid]
        expiry = slot + self.grace[s]
        if now_of(self.env) > expiry:
            return  # came after the grace time: a walk-in
        for g in self.booking_groups[s]:
            heappush(self.booked_heaps[g], (slot, tid, expiry))

    def _ticket(self, k: int, day: int, work: float, case: int) -> None:
        """Issue a ticket now: serve it at a free window, queue it, or record a balk."""
        now = now_of(self.env)
        s = self.stream_service[k]
        tid = len(self.t_arrival)
        if tid >= self.max_tickets:
            raise TooManyEvents("tickets", tid)
        self.t_service.append(s)
        self.t_stream.append(k)
        self.t_day.append(day)
        arrival = self.t_arrival
        if tid and arrival[-1] == now:
            self._tied.add(tid - 1)
        arrival.append(now)
        self.t_work.append(work)
        self.t_case.append(case)
        # drawn first, even for a ticket that balks: the n-th ticket keeps its n-th draw (CRN)
        draw = self.patience_draw[k]
        patience = draw() if draw is not None else None
        self.t_start.append(NAN)
        self.t_clerk.append(-1)
        if self.waiting[s] >= self.balk_at and tid not in self.slot_of:
            self.t_state.append(BALKED)
            self.t_end.append(now)
            if case >= 0:
                self.listener.ticket_done(tid, BALKED)
            return
        self.t_state.append(WAITING)
        self.t_end.append(NAN)
        free = self.free
        for g in self.groups_of_service[s]:
            if free[g]:
                self._serve(tid, free[g].pop(), now)
                return
        for queue in self.join_queues[k]:
            queue.append(tid)  # the highest number yet: the queue stays in number order
        self.waiting[s] += 1
        if tid >= self._compact_at:
            self._compact()
        if patience is not None:
            after(self.env, patience, tid, self._on_patience)

    def _on_patience(self, ev: simpy.Event) -> None:
        tid = value_of(ev)
        if self.t_state[tid] == WAITING:
            self.t_state[tid] = ABANDONED
            self.t_end[tid] = now_of(self.env)
            self.waiting[self.t_service[tid]] -= 1
            if self.t_case[tid] >= 0:
                self.listener.ticket_done(tid, ABANDONED)

    def _serve(self, tid: int, c: int, now: float) -> None:
        """Clerk `c` calls ticket `tid` at time `now` and starts serving it."""
        self.t_state[tid] = IN_SERVICE
        self.t_start[tid] = now
        self.t_clerk[tid] = c
        self.busy[c] = True
        self.current[c] = tid
        g = self.clerk_group[c]
        duration = self.t_work[tid]
        speed = self.speed[g]
        if speed is not None:
            duration /= speed.get(self.t_service[tid], 1.0)
        experience = self.experience[g]
        if experience is not None:
            duration *= experience.factor(c, self.t_service[tid], now)
        end = self._service_ends[c]
        end.callbacks = self._on_done_callbacks
        heappush(self._queue, (now + duration, NORMAL, next(self._eids), end))

    def _on_done(self, ev: simpy.Event) -> None:
        c = value_of(ev)
        tid = self.current[c]
        self.t_state[tid] = SERVED
        self.t_end[tid] = now_of(self.env)
        self.busy[c] = False
        if self.t_case[tid] >= 0:
            self.listener.ticket_done(tid, SERVED)
        self._next(c)

    def _next(self, c: int) -> None:
        """Clerk `c` is free: call the next ticket, or go idle, or leave."""
        if self.leaving[c]:
            self.leaving[c] = False
            self._close_clerk(c)
            return
        state = self.t_state
        g = self.clerk_group[c]
        booked = self.booked_heaps[g]
        if booked:
            now = now_of(self.env)
            while booked and (state[booked[0][1]] != WAITING or booked[0][2] < now):
                heappop(booked)
            if booked:
                tid = heappop(booked)[1]
                self.waiting[self.t_service[tid]] -= 1
                self._serve(tid, c, now)
                return
        for queue in self.call_queues[g]:
            while queue and state[queue[0]] != WAITING:
                queue.popleft()
            if queue:
                tid = queue[0]
                if tid in self._tied:
                    tid = self._pop_tie(queue)
                else:
                    queue.popleft()
                self.waiting[self.t_service[tid]] -= 1
                self._serve(tid, c, now_of(self.env))
                return
        if self.closed:
            self._close_clerk(c)
        else:
            self.free[g].append(c)

    def _pop_tie(self, queue: deque[int]) -> int:
        """Take the ticket to call from `queue` when several waiting there arrived together.

        They are called in the order of their lines, then of their numbers; the others go
        back to the front of the queue, in number order.
        """
        state, arrival, line, stream = self.t_state, self.t_arrival, self.stream_line, self.t_stream
        first = arrival[queue[0]]
        tied = []
        while queue and arrival[queue[0]] == first:
            tid = queue.popleft()
            if state[tid] == WAITING:
                tied.append(tid)
        best = min(tied, key=lambda t: (line[stream[t]], t))
        queue.extendleft(tid for tid in reversed(tied) if tid != best)
        self._tied.discard(best)  # called: never at the front of a queue again
        return best

    def _compact(self) -> None:
        """Drop the entries of tickets no longer waiting from every call queue."""
        state = self.t_state
        entries = 0
        for queues in self.call_queues:
            for queue in queues:
                waiting = [tid for tid in queue if state[tid] == WAITING]
                queue.clear()  # in place: the streams' join lists hold the same queues
                queue.extend(waiting)
                entries += len(queue)
        for booked in self.booked_heaps:
            if booked:
                booked[:] = [entry for entry in booked if state[entry[1]] == WAITING]
                heapify(booked)
        self._tied = {tid for tid in self._tied if state[tid] == WAITING}
        self._compact_at = len(self.t_arrival) + max(COMPACT_EVERY, entries)

    # --- windows opening and closing ---------------------------------------------------------

    def _open_clerk(self, c: int) -> None:
        self.is_open[c] = True
        self.open_since[c] = now_of(self.env)
        self._next(c)

    def _close_clerk(self, c: int) -> None:
        self.is_open[c] = False
        self.shifts.append((c, self.open_since[c], now_of(self.env)))

    def set_count(self, g: int, n: int) -> None:
        """The schedule opens `n` windows of group `g` from now on, less those at training."""
        self.planned[g] = n
        self._staff(g, max(n - self.away[g], 0))

    def _staff(self, g: int, n: int) -> None:
        """Make `n` clerks of group `g` work from now on (busy ones leave when done)."""
        clerks = self.group_clerks[g]
        staying = [c for c in clerks if self.is_open[c] and not self.leaving[c]]
        if n > len(staying):
            extra = n - len(staying)
            for c in clerks:
                if extra and self.leaving[c]:
                    self.leaving[c] = False
                    extra -= 1
            for c in clerks:
                if extra and not self.is_open[c]:
                    extra -= 1
                    self._open_clerk(c)
        elif n < len(staying):
            surplus = len(staying) - n
            free = self.free[g]
            while surplus and free:
                self._close_clerk(free.pop())
                surplus -= 1
            for c in staying:
                if surplus and self.busy[c]:
                    self.leaving[c] = True
                    surplus -= 1

    def _staffing(self, g: int, group: WindowGroup):
        """Process: apply the group's schedule changes within each day.

        In days mode the count at opening is set by `_closings`; here come the changes between
        opening and closing, from the schedule of the day's type. In continuous mode the
        schedule repeats every day, and before the day's first change the previous day's last
        count holds.
        """
        env = self.env
        calendar = self.scenario.calendar
        if calendar.mode == "continuous":
            if group.schedule is None:
                self.set_count(g, group.count)
                return
            start = [(0.0, group.count_at(0.0, daily=True))]
            times = start + [(t, n) for t, n in group.schedule if 0.0 < t < MINUTES_PER_DAY]
            plans = {None: times}
        else:
            plans = {
                name: [(t, n) for t, n in group.changes(name) if lo < t < hi]
                for name in calendar.day_type_names
                for lo, hi in [calendar.hours(name)]
            }
            if not any(plans.values()):
                return
        for day in self.days:
            for t, n in plans[None if calendar.mode == "continuous" else day.day_type]:
                at = day.start + t
                if calendar.mode == "continuous" and at >= calendar.horizon:
                    return
                if at > env.now:
                    yield env.timeout(at - env.now)
                self.set_count(g, n)

    def _training(self, g: int, changes: list[tuple[float, int]]):
        """Process: take windows of group `g` off for training and back (`changes`: +k, -k).

        While the hall is closed only the count away changes; the opening staffs the rest.
        """
        env = self.env
        for at, delta in changes:
            if at > env.now:
                yield env.timeout(at - env.now)
            self.away[g] += delta
            if not self.closed:
                self._staff(g, max(self.planned[g] - self.away[g], 0))

    def _on_departure(self, ev: simpy.Event) -> None:
        """A clerk leaves: a beginner takes the window (the citizen being served is finished)."""
        c = value_of(ev)
        now = now_of(self.env)
        self.experience[self.clerk_group[c]].replace(c, now)
        self.replacements.append((now, c))

    def _closings(self):
        """Process (days mode): open the hall, staff it, and close it, every open day."""
        env = self.env
        for day in self.days:
            opening = day.start + day.open
            if opening > env.now:
                yield env.timeout(opening - env.now)
            self.closed = False
            self.today = day.index
            for g, group in enumerate(self.scenario.windows):
                self.set_count(g, group.count_at(day.open, day_type=day.day_type))
            yield env.timeout(day.start + day.close - env.now)
            self._close_hall()

    def _close_hall(self) -> None:
        """Closing time: idle clerks go home; orphaned waiting services get a clerk back."""
        self.closed = True
        for free in self.free:
            while free:
                self._close_clerk(free.pop())
        for s, n_waiting in enumerate(self.waiting):
            if n_waiting == 0:
                continue
            clerks = [c for g in self.groups_of_service[s] for c in self.group_clerks[g]]
            if any(self.is_open[c] and not self.leaving[c] for c in clerks):
                continue
            leaving = [c for c in clerks if self.leaving[c]]
            if leaving:
                self.leaving[leaving[0]] = False
            else:
                self._open_clerk(clerks[0])

    # --- output ------------------------------------------------------------------------------

    def log(self) -> HallLog:
        """The replication's record as numpy arrays."""
        calendar = self.scenario.calendar
        if calendar.mode == "continuous":
            window = (float(calendar.warmup), float(calendar.horizon))
            day_close = np.empty(0)
        else:
            arrival_days = open_days(calendar)
            journeys = self.scenario.uses_journeys()
            end = arrival_days[-1].start + MINUTES_PER_DAY if journeys else float("inf")
            window = (0.0, end)
            day_close = np.array([d.start + d.close for d in arrival_days])
        shifts = np.array(self.shifts, dtype=float).reshape(-1, 3)
        return HallLog(
            service_names=self.services,
            stream_names=self.stream_names,
            group_names=self.group_names,
            clerk_group=np.array(self.clerk_group, dtype=int),
            service=np.array(self.t_service, dtype=int),
            stream=np.array(self.t_stream, dtype=int),
            day=np.array(self.t_day, dtype=int),
            arrival=np.array(self.t_arrival, dtype=float),
            start=np.array(self.t_start, dtype=float),
            end=np.array(self.t_end, dtype=float),
            clerk=np.array(self.t_clerk, dtype=int),
            outcome=np.array(self.t_state, dtype=int),
            shift_clerk=shifts[:, 0].astype(int),
            shift_from=shifts[:, 1],
            shift_to=shifts[:, 2],
            window=window,
            day_close=day_close,
            case=np.array(self.t_case, dtype=int),
            day_start=np.array([d.start for d in self.days], dtype=float),
            day_type=np.array([d.day_type for d in self.days], dtype=object),
            slot=self._slots(),
        )

    def _slots(self) -> np.ndarray:
        """Per ticket, the slot time of a booked ticket (NaN for a walk-in)."""
        slot = np.full(len(self.t_arrival), np.nan)
        if self.slot_of:
            slot[list(self.slot_of)] = list(self.slot_of.values())
        return slot


def _shared(lists: list[list]) -> list[tuple]:
    """`lists` as tuples, equal ones one shared tuple (compared by the identity of items).

    A center of a thousand services has a thousand such lists but a few distinct ones (every
    service of a comprehensive group has the same); a ticket then reads one of a few tuples
    the processor keeps in its cache, not one of a thousand scattered lists.
    """
    found: dict[tuple[int, ...], tuple] = {}
    return [found.setdefault(tuple(map(id, items)), tuple(items)) for items in lists]


def _generator_names(scenario: Scenario, thinned: list[bool], patient: list[bool]) -> list[str]:
    """The names of the demand's random streams, stream after stream, as the hall takes them.

    Per demand stream: arrivals, thinning (only where the rate varies; a stream is named, so
    built or not, the others' draws are the same), window times, patience (where there is one).
    """
    names = []
    for d, thinning, has_patience in zip(scenario.demand, thinned, patient, strict=True):
        names.append(f"arrivals:{d.label}")
        if thinning:
            names.append(f"thinning:{d.label}")
        names.append(f"window_time:{d.label}")
        if has_patience:
            names.append(f"patience:{d.label}")
    return names
