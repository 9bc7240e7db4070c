"""Citizen journeys: a case from first contact to result, over channels, visits and departments.

Each case is one SimPy process (without a process event: no one waits for it, see
:mod:`wsim.model.coroutines`) that walks through its journey:

1. **channel**: the demand stream's channel, or (``channel: any``) one chosen by the citizen's
   segment among the channels the service allows; a segment with ``switch_at`` goes online
   instead of the hall when the hall's posted wait is above it;
2. **intake**: at the hall, a window visit (the first one at a booked slot when the service
   has appointments), repeated after ``return_delay`` while materials are incomplete; a
   balking citizen may submit online instead (``citizens.balk_to``); remotely, a submission
   (waiting out, giving up on, or leaving an outage for the hall), pre-review (a delay, or work
   of a department's staff) with resubmission or fallback to the hall, and the hall visits weak
   integration still requires (pre-application, verification), with re-keying at the window;
3. **back office**: the workflow's steps, each after a handoff when the department changes
   (platform sync, delay, courier or the citizen carrying the file), parallel groups ending
   with their last branch, and rework when data was stale;
4. **result**: picked up at the hall, mailed, or delivered online.

Every case ends in exactly one state: ``completed``, ``abandoned`` (left a hall queue it had
to pass), ``gave_up`` (abandoned the portal during an outage), or ``in_progress`` when the
simulation ended first. Hall visits are ordinary tickets of the hall kernel.
"""

from __future__ import annotations

import bisect
import functools
from array import array
from dataclasses import dataclass
from typing import get_args

import numpy as np
import simpy

from wsim import streams
from wsim.model import coroutines
from wsim.model.appointments import SlotBook
from wsim.model.backoffice import Department
from wsim.model.calendar import Day, open_days
from wsim.model.hall import Hall
from wsim.model.logs import CaseLog
from wsim.model.simpy_private import Occurrence, pending, succeed, timeout
from wsim.model.states import CaseState, Switch, TicketState
from wsim.model.supervision import SupervisedDepartment
from wsim.model.timeline import Intervals, TooManyEvents, outage_intervals
from wsim.scenario.distributions import Distribution, Uniform
from wsim.scenario.journeys import ChannelName, HandoffRule, ParallelStep, Step
from wsim.scenario.journeys import Department as DepartmentSpec
from wsim.scenario.limits import RunLimits
from wsim.scenario.schema import Scenario
from wsim.scenario.units import MINUTES_PER_DAY

# The states as plain ints (the interpreter's fast paths compare exact ints only).
IN_PROGRESS = int(CaseState.IN_PROGRESS)
COMPLETED = int(CaseState.COMPLETED)
ABANDONED = int(CaseState.ABANDONED)
GAVE_UP = int(CaseState.GAVE_UP)
SERVED = int(TicketState.SERVED)
BALKED = int(TicketState.BALKED)
NOT_SHOWN = int(TicketState.ABANDONED)  # a booked citizen who does not come
NOT_SWITCHED, SWITCHED_POSTED, SWITCHED_BALKED = Switch.NONE, Switch.POSTED_WAIT, Switch.BALKED
_UNIT = Uniform(min=0.0, max=1.0)  # U(0, 1), drawn through the same cached samplers
NAN, INF = float("nan"), float("inf")


@dataclass(frozen=True, slots=True)
class Handover:
    """How a case reaches one step's department from one sender: the rule and its record.

    ``where`` names the rule's random streams (``""`` for the default rule's transport,
    ``":a>b"`` for a pair's own, so that pairs with their own delays draw from their own
    streams and a pair that only changes the stale-data rule draws as before); ``source`` and
    ``target`` are department indices in the scenario's order (``-1``: no known sender).
    """

    rule: HandoffRule
    where: str
    source: int
    target: int


#: Per sending department (None: unknown), the handover into one step's department.
_Handovers = dict["str | None", Handover]
#: A workflow as the case process walks it: per step, ``(step, where, handovers)``, or for a
#: parallel group the list of its branches'. `where` ("2", or "2.1" in a parallel group)
#: names the step's random streams, so that each step draws from its own stream.
_Entry = tuple[Step, str, _Handovers]
_Plan = list["_Entry | list[_Entry]"]
#: A stream's choice of segment and channel (see :meth:`Journeys._choice_table`).
_Choice = tuple[
    "ChannelName | None", list[str], list[float], list[tuple[list[ChannelName], list[float]]]
]


class Journeys:
    """The case layer of one replication, on top of a `Hall` (its :class:`HallListener`).

    Random numbers: each source (a stream's returns, its pre-review times, a workflow step's
    times, ...) has its own named stream, created at its first draw and then looked up by a
    tuple key, so that no draw formats a string.
    """

    def __init__(
        self,
        hall: Hall,
        scenario: Scenario,
        seed: int,
        replication: int,
        limits: RunLimits | None = None,
    ):
        limits = limits or RunLimits()
        self.max_steps = limits.running_tickets
        self.steps = 0
        self.hall = hall
        self.env: simpy.Environment = hall.env
        self.scenario = scenario
        self.seed = seed
        self.replication = replication
        self.labels = hall.stream_names
        self._draws: dict[tuple[str, int, str], streams.Draw] = {}
        self._plans: dict[str, _Plan] = {
            name: self._workflow_plan(name) for name in scenario.services
        }
        self.day_starts = [d.start for d in hall.days]
        self.day_opens = [d.start + d.open for d in hall.days]
        self.day_closes = [d.start + d.close for d in hall.days]
        self.working_starts = [d.start for d in hall.days if d.working]
        self.end = self.day_starts[-1] + MINUTES_PER_DAY
        self.open_days = Intervals((s, s + MINUTES_PER_DAY) for s in self.day_starts)
        self.systems = {
            name: outage_intervals(
                self._stream_draw(f"outage-up:{name}", outage.between),
                self._stream_draw(f"outage-down:{name}", outage.repair),
                self.end,
                limits.running_outages,
            )
            for name, outage in scenario.systems.items()
        }
        self.departments = {
            name: self._department(name, spec) for name, spec in scenario.departments.items()
        }
        #: per department: the outages of its system (None without one)
        self._department_down = {
            name: self.systems.get(spec.system) if spec.system else None
            for name, spec in scenario.departments.items()
        }
        self.ticket_events: dict[int, Occurrence] = {}
        # per demand stream: its service's specification (looked up once, not per event)
        self._services = [scenario.services[d.service] for d in scenario.demand]
        self._segments = {s.name: s for s in scenario.segments}
        # each remote channel's settings (its defaults where the scenario gives none), once
        self._channels = {name: scenario.channel(name) for name in get_args(ChannelName)}
        self._choices = [self._choice_table(k) for k in range(len(scenario.demand))]
        self._switch_at = {
            s.name: s.switch_at for s in scenario.segments if s.switch_at is not None
        }
        self.arrival_days = len(open_days(scenario.calendar))
        # per service: opening and closing times of the days its citizens come on, and those
        # days as intervals (a citizen's delays count them)
        self._visit_days: list[tuple[list[float], list[float]]] = []
        self._delay_days: list[Intervals] = []
        for name in scenario.services:
            days = self._days_serving(name)
            if len(days) == len(hall.days):
                self._visit_days.append((self.day_opens, self.day_closes))
                self._delay_days.append(self.open_days)
            else:
                self._visit_days.append(
                    ([d.start + d.open for d in days], [d.start + d.close for d in days])
                )
                self._delay_days.append(
                    Intervals((d.start, d.start + MINUTES_PER_DAY) for d in days)
                )
        self.slot_books = {}
        for name, service in scenario.services.items():
            spec = service.appointments
            if spec is not None:
                types = self._day_types_open(spec.groups or self._groups_serving(name))
                self.slot_books[name] = SlotBook(spec, hall.days, self.arrival_days, types)
        self._init_case_lists()

    def _init_case_lists(self) -> None:
        self.c_stream: list[int] = []
        self.c_channel: list[ChannelName] = []
        self.c_segment: list[str] = []
        # The cases' times as arrays of doubles, not lists of floats: the log copies them at
        # once, while a list's float objects, made over a whole run, lie scattered in memory
        # (a year's 190,000 cases: about 25 ms a list to convert, and slow to free)
        self.c_start: array[float] = array("d")
        self.c_accepted: array[float] = array("d")
        self.c_decided: array[float] = array("d")
        self.c_end: array[float] = array("d")
        self.c_deadline: array[float] = array("d")
        self.c_commitment: array[float] = array("d")
        self.c_trips: list[int] = []
        self.c_reworks: list[int] = []
        self.c_handoffs: list[int] = []
        self.c_handoff_wait: array[float] = array("d")
        self.c_hit: list[bool] = []
        self.c_state: list[int] = []
        self.handoff_waits: list[float] = []
        self.handovers: list[tuple[int, int, int, float, float]] = []
        self.c_review_delay: array[float] = array("d")
        self.c_switched: list[int] = []
        self.reviews: list[tuple[float, float, float]] = []
        self.bookings: list[tuple[float, float, float, float]] = []
        self.unbooked: list[float] = []

    # --- random numbers: one named stream per source -------------------------------------

    def _stream_draw(self, name: str, dist: Distribution) -> streams.Draw:
        """Successive draws of `dist` from the random stream called `name`."""
        return streams.sampler(dist, streams.stream(self.seed, self.replication, name))

    def _draw(self, source: str, k: int, dist: Distribution, where: str = "") -> streams.Draw:
        """The draws of `source` for demand stream `k` (and workflow position `where`).

        They come from the stream ``source:label[where]``, created at the first call.
        """
        key = (source, k, where)
        draw = self._draws.get(key)
        if draw is None:
            name = f"{source}:{self.labels[k]}{where}"
            draw = self._draws[key] = self._stream_draw(name, dist)
        return draw

    def _time(self, source: str, k: int, dist: Distribution, where: str = "") -> float:
        draw = self._draws.get((source, k, where))  # the common case without a call
        return (draw or self._draw(source, k, dist, where))()

    def _chance(self, source: str, k: int, p: float, where: str = "") -> bool:
        """True with probability `p`, from the stream of `source`.

        Drawn even when p is 0 or 1, so that scenarios differing only in p keep their streams in
        step.
        """
        draw = self._draws.get((source, k, where))  # the common case without a call
        return (draw or self._draw(source, k, _UNIT, where))() < p

    # --- calendars ---------------------------------------------------------------------------

    def _working_time(self, spec) -> Intervals:
        """A department's working time: its hours on the days it works, minus its outages."""
        pieces = []
        for day in self.hall.days:
            works = day.working if spec.day_types is None else day.day_type in spec.day_types
            if not works:
                continue
            hours = spec.day_hours.get(day.day_type)
            open_ = spec.open if spec.open is not None else day.open
            close = spec.close if spec.close is not None else day.close
            if hours is not None:
                open_ = hours.open if hours.open is not None else day.open
                close = hours.close if hours.close is not None else day.close
            pieces.append((day.start + open_, day.start + close))
        working = Intervals(pieces)
        if spec.system is not None:
            working = working.minus(self.systems[spec.system])
        return working

    def _department(self, name: str, spec: DepartmentSpec) -> Department:
        """A department of this replication: supervised when it has an overdue alert."""
        working, edf = self._working_time(spec), spec.discipline == "edf"
        if spec.alert is None:
            return Department(self.env, name, spec.staff, working, edf)
        alert_at = functools.partial(self._alert_time, spec.alert.within_days)
        return SupervisedDepartment(self.env, name, spec.staff, working, edf, alert_at)

    def _alert_time(self, within_days: int, due: float) -> float:
        """When a case due at `due` is alerted (clock minutes).

        The end of the `within_days`-th working day before its due day; ``inf`` without a due
        time, ``-inf`` when that day is before the first working day.
        """
        if due == float("inf"):
            return due
        starts = self.working_starts
        before = bisect.bisect_left(starts, due - MINUTES_PER_DAY) - within_days
        return starts[before] + MINUTES_PER_DAY if before >= 0 else float("-inf")

    def _citizen_delay(self, source: str, k: int, dist: Distribution):
        """Wait a citizen's delay (coming back, resubmitting, picking up), counted in open days.

        The delay counts the hall's open days only, and of them the days the case's service is
        served: one day from Friday 10:00 ends on Monday 10:00, so returns do not pile up on the
        first day after a weekend. Returns False, at once, when the delay ends after the hall's
        last day (also when it starts after it, as after a pre-review that ended past the
        calendar): the citizen does not come back within the run, so the case stays in progress.
        """
        now = self.env.now
        days = self._delay_days[self.hall.stream_service[k]]
        until = days.advance(now, self._time(source, k, dist))
        if until is None:
            return False
        yield timeout(self.env, until - now)
        return True

    def _hall_time(self, k: int) -> float | None:
        """When a citizen who sets out now reaches the hall (None when the calendar is over).

        Now if the hall is open, else at a random time of the next open day's hours. Only days
        of a type on which a window serving the service opens count (a Saturday served by some
        windows only), unless no day type has one.
        """
        now = self.env.now
        opens, closes = self._visit_days[self.hall.stream_service[k]]
        i = bisect.bisect_right(closes, now)  # first day not over
        if i == len(closes):
            return None
        opening = opens[i]
        if opening <= now:
            return now
        length = closes[i] - opening
        return opening + self._draw("visit-time", k, _UNIT)() * length

    def _groups_serving(self, service: str) -> list[str]:
        return [g.name for g in self.scenario.windows if service in g.serves]

    def _day_types_open(self, groups: list[str] | tuple[str, ...]) -> set[str]:
        """The day types on which a window of one of `groups` opens during the hall's hours."""
        calendar = self.scenario.calendar
        specs = [g for g in self.scenario.windows if g.name in groups]
        return {
            t
            for t in calendar.day_type_names
            if any(g.opens_on(t, *calendar.hours(t)) for g in specs)
        }

    def _days_serving(self, service: str) -> list[Day]:
        """The hall days a citizen of `service` comes on: those its windows open (all if none)."""
        types = self._day_types_open(self._groups_serving(service))
        days = [d for d in self.hall.days if d.day_type in types]
        return days or self.hall.days

    def _deadline(self, accepted: float, days: int | None) -> float:
        """The end of the `days`-th working day after the day of acceptance (inf if none).

        A case accepted on a day that is not a working day (a Saturday) counts as accepted on
        the next working day.
        """
        if days is None:
            return float("inf")
        starts = self.working_starts
        index = bisect.bisect_right(starts, accepted - MINUTES_PER_DAY)
        target = index + days
        if target < len(starts):
            return starts[target] + MINUTES_PER_DAY
        return float("inf")

    # --- the case process --------------------------------------------------------------------

    def arrival(self, stream: int, day: int) -> None:
        """A citizen of demand stream `stream` arrives now: a new case starts.

        The case's process runs at once, up to its first wait (the hall calls this from its
        arrivals' callback, for which starting now is starting next: see
        :func:`wsim.model.coroutines.start_now`).
        """
        self.start_case(stream, day)

    def start_case(self, k: int, day: int) -> None:
        """A new case of demand stream `k` starts now (its process runs up to its first wait)."""
        c = len(self.c_start)
        self.c_stream.append(k)
        self.c_start.append(self.env.now)
        self.c_accepted.append(NAN)
        self.c_decided.append(NAN)
        self.c_end.append(NAN)
        self.c_deadline.append(INF)
        self.c_commitment.append(INF)
        self.c_trips.append(0)
        self.c_reworks.append(0)
        self.c_handoffs.append(0)
        self.c_handoff_wait.append(0.0)
        self.c_review_delay.append(0.0)
        self.c_hit.append(False)
        self.c_state.append(IN_PROGRESS)
        segment, channel = self._choose(k)
        switch = NOT_SWITCHED
        if channel == "hall" and self._switches(segment, k):
            channel, switch = "online", SWITCHED_POSTED
        self.c_segment.append(segment)
        self.c_channel.append(channel)
        self.c_switched.append(switch)
        coroutines.start_now(self._case(c, k))

    def _switches(self, segment: str, k: int) -> bool:
        """Whether a citizen of `segment` bound for the hall goes online for the posted wait."""
        threshold = self._switch_at.get(segment)
        if threshold is None or "online" not in self._service_of(k).channels:
            return False
        return self.hall.posted_wait(self.hall.stream_service[k]) > threshold

    def _service_of(self, k: int):
        return self._services[k]

    def _choice_table(self, k: int) -> _Choice:
        """How a new case of stream `k` picks its segment and channel, worked out once.

        ``(fixed channel or None for "any", segment names, segment thresholds, per segment:
        its channel names and thresholds, or the fallback channel when it has none)``; the
        thresholds are the running sums of :func:`_thresholds`, so that picking one is the
        same choice as the proportional pick over the weights.
        """
        scenario = self.scenario
        demand = scenario.demand[k]
        service = self._services[k]
        fixed = demand.channel if demand.channel != "any" else None
        names = [s.name for s in scenario.segments]
        shares = _thresholds([s.share for s in scenario.segments]) if names else []
        fallback = "hall" if "hall" in service.channels else next(iter(service.channels))
        per_segment = []
        for segment in scenario.segments:
            options = [
                (ch, w) for ch, w in segment.channels.items() if ch in service.channels and w > 0
            ]
            if options:
                per_segment.append(
                    ([ch for ch, _ in options], _thresholds([w for _, w in options]))
                )
            else:
                per_segment.append(([fallback], [float("inf")]))
        return fixed, names, shares, per_segment

    def _choose(self, k: int) -> tuple[str, ChannelName]:
        """The citizen's segment and channel for a new case of stream `k`."""
        fixed, names, shares, per_segment = self._choices[k]
        if not names:
            return "", fixed if fixed is not None else "hall"
        i = _pick(self._draw("segment", k, _UNIT)(), shares)
        if fixed is not None:
            return names[i], fixed
        # drawn even when the segment has no channel of the service, so that the stream stays
        # in step with scenarios in which this service allows other channels
        channels, thresholds = per_segment[i]
        return names[i], channels[_pick(self._draw("channel", k, _UNIT)(), thresholds)]

    def _case(self, c: int, k: int):
        service = self._services[k]
        if self.c_channel[c] == "hall":
            state = yield from self._hall_intake(c, k, rekey=False, book=True)
        else:
            state = yield from self._remote_intake(c, k)
        if state != COMPLETED:
            self._finish(c, state)
            return
        now = self.env.now
        self.c_accepted[c] = now
        self.c_deadline[c] = self._deadline(now, service.deadline_days)
        self.c_commitment[c] = self._deadline(now, service.commitment_days)
        if service.workflow:
            state = yield from self._back_office(c, k)
            if state != COMPLETED:
                self._finish(c, state)
                return
            self.c_decided[c] = self.env.now
            state = yield from self._deliver(c, k)
        else:
            self.c_decided[c] = now
        self._finish(c, state)

    def _finish(self, c: int, state: int) -> None:
        """Record the case's final state (and when it was reached, unless still in progress)."""
        self.c_state[c] = state
        if state != IN_PROGRESS:
            self.c_end[c] = self.env.now

    # --- intake ------------------------------------------------------------------------------

    def _visit(self, c: int, k: int, work: float):
        """A trip to the hall and a window visit of `work` minutes; returns the ticket state.

        The state is None when the calendar ends before the citizen can come.
        """
        at = self._hall_time(k)
        if at is None:
            return None
        if at > self.env.now:
            yield timeout(self.env, at - self.env.now)
        self.c_trips[c] += 1
        done = pending()
        self.ticket_events[self.hall.next_ticket()] = done
        self.hall.issue_ticket(k, work, c)
        return (yield done)

    def _window_work(self, k: int, rekey: bool) -> float:
        work = self.hall.work_draw[k]()
        if rekey:
            service = self._services[k]
            work += self._time("rekey", k, service.rekey_time)
        return work

    def _hall_intake(self, c: int, k: int, rekey: bool, book: bool = False):
        """Window visits until the materials are complete; the case's state after it.

        With `book` (a new hall case) the citizen may first book a slot for the first visit.
        """
        service = self._services[k]
        booking = self._booking(c, k) if book and service.appointments is not None else None
        while True:
            work = self._window_work(k, rekey)
            if booking is not None:
                state = yield from self._booked_visit(c, k, work, *booking)
                booking = None
            else:
                state = yield from self._visit(c, k, work)
            if state is None:
                return IN_PROGRESS
            if state == BALKED and self._balks_online(c, k):
                self.c_channel[c] = "online"
                self.c_switched[c] = SWITCHED_BALKED
                return (yield from self._remote_intake(c, k))
            if state != SERVED:
                return ABANDONED
            if not self._chance("incomplete", k, service.incomplete):
                return COMPLETED
            if not (yield from self._citizen_delay("return", k, service.return_delay)):
                return IN_PROGRESS

    def _booking(self, c: int, k: int) -> tuple[float, int, bool] | None:
        """The slot a new hall case books: (slot time, hall day, no-show), or None.

        None when the citizen does not book (``share``) or finds no slot with room (then they
        come now as a walk-in).
        """
        name = self.scenario.demand[k].service
        spec = self.scenario.services[name].appointments
        assert spec is not None  # only services with appointments book
        if not self._chance("book", k, spec.share):
            return None
        now = self.env.now
        booked = self.slot_books[name].book(now, self._draw("slot", k, _UNIT)())
        if booked is None:
            self.unbooked.append(now)
            return None
        slot, day = booked
        no_show = self._chance("no-show", k, spec.no_show)
        self.bookings.append((now, slot, float(no_show), float(day < self.arrival_days)))
        return slot, day, no_show

    def _booked_visit(self, c: int, k: int, work: float, slot: float, day: int, no_show: bool):
        """The visit of a booked citizen: at the slot time, early or late; the ticket state.

        A no-show does not come (ABANDONED at the slot time, no trip). A citizen who would come
        before opening comes at opening; one who would come after closing comes as a walk-in.
        """
        env = self.env
        if no_show:
            yield timeout(env, max(slot - env.now, 0.0))
            return NOT_SHOWN
        spec = self._services[k].appointments
        assert spec is not None  # a booked visit is of a service with appointments
        punctuality = spec.punctuality
        if self._chance("late", k, punctuality.late_share):
            at = slot + self._time("late-by", k, punctuality.late)
        else:
            at = slot - self._time("early-by", k, punctuality.early)
        opening = self.hall.days[day].start + self.hall.days[day].open
        at = max(at, opening, env.now)
        if at >= self.day_closes[day]:
            yield timeout(env, self.day_closes[day] - env.now)
            return (yield from self._visit(c, k, work))
        yield timeout(env, at - env.now)
        self.c_trips[c] += 1
        done = pending()
        self.ticket_events[self.hall.next_ticket()] = done
        self.hall.issue_booked_ticket(k, work, c, slot, day)
        return (yield done)

    def _balks_online(self, c: int, k: int) -> bool:
        """Whether a citizen who balked goes to the portal (``citizens.balk_to: online``).

        Only a case that started at the hall and has not switched yet, for a service that can
        start online.
        """
        return (
            self.scenario.citizens.balk_to == "online"
            and self.c_channel[c] == "hall"
            and self.c_switched[c] == NOT_SWITCHED
            and "online" in self._service_of(k).channels
        )

    def _remote_intake(self, c: int, k: int):
        """Submission through a remote channel until accepted; the case's state after it."""
        env = self.env
        service = self._services[k]
        name = self.c_channel[c]
        channel = self._channels[name]
        segment = self._segment(c)
        if segment is not None and self._chance("help", k, segment.needs_help):
            state = yield from self._visit(c, k, self._window_work(k, rekey=False))
            if state != SERVED:
                return IN_PROGRESS if state is None else ABANDONED
        down = self.systems.get(channel.system) if channel.system else None
        while True:
            if down is not None and down.contains(env.now):
                self.c_hit[c] = True
                if channel.on_outage == "give_up":
                    return GAVE_UP
                if channel.on_outage == "hall":
                    return (yield from self._hall_intake(c, k, rekey=False))
                yield timeout(env, down.next_outside(env.now) - env.now)
            if name == "kiosk":
                self.c_trips[c] += 1
            incomplete = self._chance("incomplete", k, service.incomplete)
            if channel.pre_review is None:
                break
            yield from self._pre_review(c, k, channel)
            if not incomplete:
                break
            if not self._chance("resubmit", k, channel.resubmit):
                return (yield from self._hall_intake(c, k, rekey=True))
            if not (yield from self._citizen_delay("resubmit-delay", k, channel.resubmit_delay)):
                return IN_PROGRESS
        # Accepted remotely; weak integration may still call the citizen to a window.
        needs_visit = service.channels[name] == "pre" or incomplete
        if self._chance("verification", k, service.verification) or needs_visit:
            state = yield from self._visit(c, k, self._window_work(k, rekey=True))
            if state != SERVED:
                return IN_PROGRESS if state is None else ABANDONED
        return COMPLETED

    def _pre_review(self, c: int, k: int, channel):
        """Pre-review of a submission: a delay, or a job in the reviewing department's queue."""
        submitted = self.env.now
        work = self._time("review", k, channel.pre_review)
        if channel.review is None:
            yield timeout(self.env, work)
            started = submitted
        else:
            reviewers = self.departments[channel.review.department]
            started = yield reviewers.request(c, work, float("inf"))
        self.reviews.append((submitted, started, self.env.now))
        self.c_review_delay[c] += self.env.now - submitted

    def _segment(self, c: int):
        return self._segments.get(self.c_segment[c])

    # --- back office -------------------------------------------------------------------------

    def _workflow_plan(self, service: str) -> _Plan:
        """The service's workflow with each step's stream suffix and its handovers.

        The suffix is ``":2:tax"`` (``":2.1:tax"`` in a parallel group); the handovers give,
        for every possible sender, the rule resolved once here, so that a handoff looks up
        its rule by the sender's name and formats nothing.
        """
        handoffs = self.scenario.handoffs
        index: dict[str | None, int] = {name: i for i, name in enumerate(self.scenario.departments)}
        senders: list[str | None] = [None, *self.scenario.departments]

        def handovers(target: str) -> _Handovers:
            found: _Handovers = {}
            for source in senders:
                i = handoffs.match(source, target, service)
                rule = handoffs if i is None else handoffs.pair_rules[i]
                # a pair with its own transport draws its delays from its own streams
                own = i is not None and handoffs.pairs[i].gives_transport
                where = f":{source}>{target}" if own else ""
                found[source] = Handover(rule, where, index.get(source, -1), index[target])
            return found

        plan: _Plan = []
        for i, step in enumerate(self.scenario.services[service].workflow):
            if isinstance(step, ParallelStep):
                plan.append(
                    [
                        (s, f":{i}.{j}:{s.department}", handovers(s.department))
                        for j, s in enumerate(step.parallel)
                    ]
                )
            else:
                plan.append((step, f":{i}:{step.department}", handovers(step.department)))
        return plan

    def _back_office(self, c: int, k: int):
        """The workflow's steps in order; parallel groups end when their last branch ends.

        After a parallel group the next step is always handed over, from the branch that
        finished last (ties: the earlier branch).
        """
        previous = self._services[k].department
        sender = previous
        for entry in self._plans[self.scenario.demand[k].service]:
            if isinstance(entry, list):
                ends = [0.0] * len(entry)
                branches = [
                    self.env.process(self._branch(c, k, branch, (previous, sender), ends, i))
                    for i, branch in enumerate(entry)
                ]
                yield simpy.AllOf(self.env, branches)
                if any(not b.value for b in branches):
                    return IN_PROGRESS
                previous = None
                sender = entry[ends.index(max(ends))][0].department
            else:
                step, where, handovers = entry
                handover = handovers[sender]
                finished = yield from self._step(c, k, step, where, handover, previous)
                if not finished:
                    return IN_PROGRESS
                previous = sender = step.department
        return COMPLETED

    def _branch(self, c: int, k: int, branch: _Entry, came_from: tuple, ends: list, i: int):
        """One branch of a parallel group; its end time goes to ``ends[i]``.

        `came_from` is ``(previous, sender)``: the department the case was last in (None after
        a parallel group) and the one whose rule applies.
        """
        step, where, handovers = branch
        previous, sender = came_from
        finished = yield from self._step(c, k, step, where, handovers[sender], previous)
        ends[i] = self.env.now
        return finished

    def _step(
        self, c: int, k: int, step: Step, where: str, handover: Handover, previous: str | None
    ):
        """Hand the case over if the department changes, then have the step done.

        Data that came over a handoff may prove stale (the rule's
        :meth:`~wsim.scenario.journeys.HandoffRule.stale_chance` of the data's age, from the
        moment the case left the sender to the start of the step): the case is then handed
        over again and the step repeated. Returns False when the calendar ends first.

        `where` (":2:tax", or ":2.1:tax" in a parallel group) names the step's streams: each
        step draws its time from its own stream, even when a department has two steps.
        """
        department = self.departments[step.department]
        down = self._department_down[step.department]
        rule = handover.rule
        handed_over = step.department != previous
        while True:
            left = self.env.now  # the case leaves the sender (or the stale step) now
            if handed_over:
                handed = yield from self._handoff(c, k, handover)
                if not handed:
                    return False
            work = self._time("step", k, step.time, where)
            self.steps += 1
            if self.steps > self.max_steps:
                raise TooManyEvents("steps", self.steps)
            # EDF and alerts by the committed deadline when there is one (never later than
            # the statutory one), else by the statutory deadline
            due = min(self.c_commitment[c], self.c_deadline[c])
            started = yield department.request(c, work, due)
            if down is not None and down.measure(started, self.env.now) > 0:
                self.c_hit[c] = True
            chance = rule.stale_chance(started - left) if handed_over else 0.0
            stale = self._chance("rework", k, chance, where)
            if not (handed_over and stale):
                return True
            self.c_reworks[c] += 1

    def _handoff(self, c: int, k: int, handover: Handover):
        """Move the case to the next department; returns False when the calendar ends first."""
        env = self.env
        rule, where = handover.rule, handover.where
        began = env.now
        if rule.mode == "platform":
            sync = rule.next_sync(began)
            wait = sync - began if sync is not None else self._time("handoff", k, rule.delay, where)
            yield timeout(env, wait)
        else:
            yield timeout(env, self._time("handoff", k, rule.delay, where))
        if rule.mode == "citizen":
            served = yield from self._visit_until_served(
                c, k, "handoff-visit", rule.visit_time, where
            )
            if not served:
                return False
        wait = env.now - began
        self.c_handoffs[c] += 1
        self.c_handoff_wait[c] += wait
        self.handoff_waits.append(wait)
        self.handovers.append((c, handover.source, handover.target, began, env.now))
        return True

    # --- result ------------------------------------------------------------------------------

    def _deliver(self, c: int, k: int):
        """The result reaches the citizen; the case's final state."""
        service = self._services[k]
        if service.result == "mail":
            yield timeout(self.env, self._time("mail", k, service.mail_delay))
        elif service.result == "pickup":
            if not (yield from self._citizen_delay("pickup-delay", k, service.pickup_delay)):
                return IN_PROGRESS
            served = yield from self._visit_until_served(c, k, "pickup", service.pickup_time)
            if not served:
                return IN_PROGRESS
        return COMPLETED

    def _visit_until_served(
        self, c: int, k: int, purpose: str, window_time: Distribution, where: str = ""
    ):
        """Hall visits of `window_time` for `purpose` (carrying a file, a pickup).

        The visit is repeated after the service's return delay when the citizen leaves the queue.
        False when the calendar ends first. `where` names the stream of the window times.
        """
        return_delay = self._services[k].return_delay
        while True:
            work = self._time(purpose, k, window_time, where)
            state = yield from self._visit(c, k, work)
            if state is None:
                return False
            if state == SERVED:
                return True
            if not (yield from self._citizen_delay("return", k, return_delay)):
                return False

    # --- the hall's callback and the record --------------------------------------------------

    def ticket_done(self, tid: int, state: int) -> None:
        """The hall reports that ticket `tid` of a case ended (served, abandoned or balked)."""
        succeed(self.env, self.ticket_events.pop(tid), state)

    def log(self, window: tuple[float, float]) -> CaseLog:
        """The cases as arrays; department and outage totals inside `window`."""
        lo, hi = window
        index = {name: i for i, name in enumerate(self.scenario.services)}
        service_of_stream = np.array([index[d.service] for d in self.scenario.demand], dtype=int)
        stream = np.array(self.c_stream, dtype=int)
        cost = sum(
            spec.hourly_cost * dept.available_minutes(lo, hi) / 60
            for dept, spec in zip(
                self.departments.values(), self.scenario.departments.values(), strict=True
            )
        )
        return CaseLog(
            service=service_of_stream[stream],
            stream=stream,
            channel=np.array(self.c_channel, dtype=object),
            segment=np.array(self.c_segment, dtype=object),
            start=np.array(self.c_start, dtype=float),
            accepted=np.array(self.c_accepted, dtype=float),
            decided=np.array(self.c_decided, dtype=float),
            end=np.array(self.c_end, dtype=float),
            deadline=np.array(self.c_deadline, dtype=float),
            commitment=np.array(self.c_commitment, dtype=float),
            trips=np.array(self.c_trips, dtype=int),
            reworks=np.array(self.c_reworks, dtype=int),
            handoffs=np.array(self.c_handoffs, dtype=int),
            handoff_wait=np.array(self.c_handoff_wait, dtype=float),
            hit_by_outage=np.array(self.c_hit, dtype=bool),
            state=np.array(self.c_state, dtype=int),
            handoff_waits=np.array(self.handoff_waits, dtype=float),
            handovers=np.array(self.handovers, dtype=float).reshape(-1, 5),
            outage_minutes=sum(down.measure(lo, hi) for down in self.systems.values()),
            department_busy=sum(d.busy_minutes(lo, hi) for d in self.departments.values()),
            department_available=sum(
                d.available_minutes(lo, hi) for d in self.departments.values()
            ),
            department_cost=cost,
            review_delay=np.array(self.c_review_delay, dtype=float),
            switched=np.array(self.c_switched, dtype=int),
            reviews=np.array(self.reviews, dtype=float).reshape(-1, 3),
            bookings=np.array(self.bookings, dtype=float).reshape(-1, 4),
            unbooked=np.array(self.unbooked, dtype=float),
            slot_capacity=sum(book.capacity for book in self.slot_books.values()),
        )


def _thresholds(weights: list[float]) -> list[float]:
    """The running sums of the `weights`' shares, as :func:`_pick` compares them."""
    total = sum(weights)
    acc = 0.0
    sums = []
    for w in weights:
        acc += w / total
        sums.append(acc)
    return sums


def _pick(u: float, thresholds: list[float]) -> int:
    """The index chosen by uniform `u` (proportional choice by the weights of `thresholds`).

    The first running sum above `u`; the last index when rounding left `u` above them all.
    """
    for i, acc in enumerate(thresholds):
        if u < acc:
            return i
    return len(thresholds) - 1
