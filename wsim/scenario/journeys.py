"""Scenario parts for citizen journeys: channels, segments, back office, handoffs, outages.

A case may start online or at a kiosk instead of the hall, pass through several departments,
wait for data to reach the next one, come back because a document was missing, and end with
a pickup. Every problem the W district study names is a lever here:

- weak online/offline integration: ``Service.verification`` (an online case still needs a hall
  visit) and ``Service.rekey_time`` (data entered online is typed in again at the window);
- an incomplete platform: ``Service.channels`` (which services can start online, and whether
  online is ``full`` service or only ``pre``-application);
- slow data sharing: ``Handoffs`` (nightly sync, delays, paper, the citizen as courier), per
  department pair (``handoffs.pairs``), and the rework that stale data causes, fixed or
  growing with the data's age (``staleness``);
- security risks: ``Outage`` of the systems the portal and the back office run on.

All durations are minutes (or strings with units); probabilities are numbers in [0, 1].
A citizen's own delays (``return_delay``, ``resubmit_delay``, ``pickup_delay``) count the
hall's open days only: "comes back 1 day later" from a Friday means the Monday.

Remote channels can work around the clock: ``channels.online.hours: "00:00-24:00"`` and
``days: all`` spread the demand of the channel's streams over its own hours on every calendar
day (its ``profile`` keyed by clock time over those hours, its ``weekday_factors`` per
weekday), and ``review: {department: online_review}`` makes pre-review the work of a
department's staff in their working hours, so submissions made at night wait for the
morning. Outages stop a channel at any hour.
"""

from __future__ import annotations

import math
import re
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from wsim.scenario.base import Clock, FrozenModel, Minutes, Unit, at_least, at_most
from wsim.scenario.distributions import Distribution, Fixed
from wsim.scenario.errors import FieldProblems
from wsim.scenario.limits import (
    MAX_DEADLINE_DAYS,
    MAX_MONEY,
    MAX_STAFF,
    MAX_WEIGHT,
    MIN_SYNC_EVERY,
    MONEY_REASON,
    STAFF_REASON,
    WEIGHT_REASON,
)
from wsim.scenario.units import parse_clock

_RANGE_TEXT = re.compile(r"^\s*([0-9:]+)\s*-\s*([0-9:]+)\s*$")


def clock_range_pair(text: str) -> tuple[float, float]:
    """``"09:00-12:00"`` as ``(540.0, 720.0)`` (minutes after midnight)."""
    match = _RANGE_TEXT.match(text)
    if match is None:
        raise ValueError(f'expected a clock range like "09:00-12:00", found {text!r}')
    return (parse_clock(match.group(1)), parse_clock(match.group(2)))


class Review(FrozenModel):
    """Who pre-reviews a remote channel's submissions: the staff of a department.

    Each review is a job of ``pre_review`` working minutes in the department's queue (its
    staff, working hours and discipline), so a submission made outside its working time waits
    for the next working morning.
    """

    department: str = Field(description="The department whose staff pre-review submissions.")


Probability = Annotated[float, Field(ge=0, le=1), Unit("probability")]
#: Most a repeating chance (missing materials, stale data) may be: at 0.99 a case repeats its
#: step 100 times on average, and at 1 it would repeat forever.
MAX_REPEAT = 0.99
_REPEAT_REASON = "a chance of 1 would repeat forever; 0.99 already means 100 times"
Repeat = Annotated[float, Field(ge=0), at_most(MAX_REPEAT, _REPEAT_REASON), Unit("probability")]
Weight = Annotated[float, Field(ge=0), at_most(MAX_WEIGHT, WEIGHT_REASON), Unit("relative weight")]
_EVERY_REASON = "a sync more often than once a second is real time: give a delay instead"
ChannelName = Literal["hall", "online", "kiosk", "phone"]


# Defaults of mappings are made by factories: pydantic deep-copies a mutable default for every
# model it builds (about 1 us each, 40% of validating a plain demand stream).


def _all_at_the_hall() -> dict[ChannelName, float]:
    """A segment's default channel weights: every case starts at the hall."""
    return {"hall": 1.0}


def _hall_only() -> dict[ChannelName, Literal["full", "pre"]]:
    """A service's default channels: it starts at the hall only, fully."""
    return {"hall": "full"}


RemoteChannelName = Literal["online", "kiosk", "phone"]
DAY = 1440.0
#: A count of working days (deadlines, commitments, alerts).
WorkingDays = Annotated[
    int,
    Field(ge=0),
    at_most(MAX_DEADLINE_DAYS, "100 years of working days"),
    Unit("working days"),
]


class Outage(FrozenModel):
    """A system that fails and is repaired, again and again (an alternating renewal process).

    ``between`` is the up time from a repair to the next failure (the MTBF when exponential),
    ``repair`` the down time (the MTTR). The long-run share of time down is
    E[repair] / (E[between] + E[repair]).
    """

    between: Distribution
    repair: Distribution

    @model_validator(mode="after")
    def _up_for_a_while(self) -> Outage:
        if self.between.expected() <= 0:
            message = (
                "must have a mean up time above 0 (a system that fails again at once never "
                "works, and its outages would never end)"
            )
            raise FieldProblems([("between", message)])
        return self


class Channel(FrozenModel):
    """A remote channel (online portal, kiosk, phone) through which cases are submitted.

    ``system``: the name of an entry in ``systems`` whose outages stop this channel.
    ``on_outage``: what a citizen does when the channel is down: ``wait`` until it is up
    again, ``give_up`` (the case is lost), or go to the ``hall`` instead.
    ``pre_review``: time to pre-review a submission; incomplete submissions are caught here and
    sent back. Without it, incomplete submissions are accepted and the citizen is then called
    to a window to complete them (a trip the pre-review would have saved).
    ``resubmit``: share of sent-back citizens who submit again through the channel (after
    ``resubmit_delay``); the others go to the hall.
    ``hours`` (``"00:00-24:00"``) and ``days`` (``all`` or ``open``) say when the channel's
    demand streams submit; by default during the hall's hours of its open days.
    ``review``: the department whose staff do the pre-review (default: nobody, a plain delay).
    """

    system: str | None = None
    on_outage: Literal["wait", "give_up", "hall"] = "wait"
    pre_review: Distribution | None = None
    resubmit: Probability = 0.7
    resubmit_delay: Distribution = Fixed(value=DAY)
    hours: tuple[float, float] | None = Field(
        None,
        description='When submissions arrive, "HH:MM-HH:MM" (e.g. "00:00-24:00"); default: the '
        "hall's hours of each open day.",
    )
    days: Literal["open", "all"] = Field(
        "open",
        description="On which days submissions arrive: the hall's open days, or all calendar days.",
    )
    review: Review | None = Field(
        None, description="Pre-review as work of a department's staff (needs pre_review)."
    )

    @field_validator("hours", mode="before")
    @classmethod
    def _hours_from_text(cls, data: Any) -> Any:
        """Accept ``"00:00-24:00"`` (and the stored pair of minutes)."""
        return clock_range_pair(data) if isinstance(data, str) else data

    @model_validator(mode="after")
    def _check_channel(self) -> Channel:
        problems = []
        if self.hours is not None and self.hours[0] >= self.hours[1]:
            problems.append(("hours", "the end must be later than the start"))
        if self.review is not None and self.pre_review is None:
            problems.append(("review", "needs pre_review (the time one review takes)"))
        if problems:
            raise FieldProblems(problems)
        return self

    @property
    def own_hours(self) -> bool:
        """True when the channel's demand keeps its own hours or days (not the hall's)."""
        return self.hours is not None or self.days == "all"


class Segment(FrozenModel):
    """A group of citizens (e.g. digitally fluent, elderly, businesses).

    ``share``: relative weight of the segment among new cases. ``channels``: preference
    weights over channels; a case uses a channel its service allows, chosen with these
    weights among the allowed ones (the hall when none is allowed). ``needs_help``: the
    probability that a citizen who chose a remote channel needs a window's help to submit
    (one more hall visit first). ``switch_at``: a citizen of the segment whose case would
    start at the hall, for a service that can start online, uses the portal instead when the
    hall's posted wait for the service is above this (minutes; see
    :meth:`wsim.model.hall.Hall.posted_wait`: citizens waiting x mean window time / windows
    open).
    """

    name: str = Field(description="The segment's name.")
    share: Annotated[
        float, Field(gt=0), at_most(MAX_WEIGHT, WEIGHT_REASON), Unit("relative weight")
    ]
    channels: dict[ChannelName, Weight] = Field(default_factory=_all_at_the_hall)
    needs_help: Probability = 0.0
    switch_at: Annotated[Minutes, Field(ge=0)] | None = Field(
        None,
        description="Posted hall wait (minutes) above which the citizen starts the case online "
        "instead, where the service allows it (default: never).",
    )


class Step(FrozenModel):
    """One back-office step: ``department`` works ``time`` minutes of working time on the case."""

    department: str
    time: Distribution


class ParallelStep(FrozenModel):
    """A joint approval: its steps run at the same time; it ends when the last one ends."""

    parallel: Annotated[tuple[Step, ...], Field(min_length=2)]


WorkflowStep = Step | ParallelStep


class DayHours(FrozenModel):
    """A department's working hours on days of one type."""

    open: Clock | None = Field(None, description="Start of work (default: the hall's opening).")
    close: Clock | None = Field(None, description="End of work (default: the hall's closing).")


class Alert(FrozenModel):
    """A supervisor's overdue alert: cases close to their due time go to the head of the queue.

    A case is *alerted* once at most ``within_days`` working days remain before its due time
    (its committed deadline, or the statutory one without a commitment): from the end of the
    ``within_days``-th working day before its due day on (``within_days: 0``: once overdue).
    Whenever a staff member takes the next case, alerted cases come first, earliest due time
    first, ties by arrival at the department; the other cases keep the department's
    discipline. A case without a deadline is never alerted, and no case in work is interrupted.
    """

    within_days: WorkingDays = Field(
        description="Working days before the due time from which a case is alerted."
    )


class Department(FrozenModel):
    """Back-office staff who process workflow steps during working hours on working days.

    Working days are the calendar's working days (its ``weekdays`` and make-up days, not
    holidays), or the open days of the ``day_types`` listed; hours are ``open``/``close`` or,
    unset, the hall's hours of the day, and ``day_hours`` overrides them per day type.
    ``discipline``: ``fifo`` or ``edf`` (earliest deadline first: the committed deadline of a
    service with ``commitment_days``, else the statutory one). ``alert``: a supervisor's
    overdue alert (see :class:`Alert`). ``system``: the name of an entry in ``systems``; work
    stops while it is down. ``hourly_cost`` is per staff member.
    """

    staff: Annotated[int, Field(ge=1), at_most(MAX_STAFF, STAFF_REASON), Unit("staff")] = Field(
        description="Staff members, each working one step at a time."
    )
    open: Clock | None = None
    close: Clock | None = None
    day_types: tuple[str, ...] | None = Field(
        None,
        description="The day types on whose open days the department works (default: the "
        "calendar's working days, so a Saturday hall does not make the back office work).",
    )
    day_hours: dict[str, DayHours] = Field(
        default_factory=dict,
        description="Day type -> the department's hours on days of that type "
        "(a missing open or close is the hall's of that day).",
    )
    discipline: Literal["fifo", "edf"] = "fifo"
    alert: Alert | None = Field(
        None, description="Overdue alert: cases close to their due time are taken first."
    )
    system: str | None = None
    hourly_cost: Annotated[
        float, Field(ge=0), at_most(MAX_MONEY, MONEY_REASON), Unit("currency per staff hour")
    ] = 0.0


#: Most stale-data rate per hour of age: at 60 an hour the chance is 1 - e^-1 after a minute.
MAX_STALE_RATE = 60.0
_STALE_RATE_REASON = "at 60 an hour, data a minute old is already stale with chance 0.63"


class Staleness(FrozenModel):
    """The chance that data handed over is stale, by its age: ``1 - exp(-per_hour * age_h)``.

    Each hour that the sender's data waits before the receiving department uses it, the world
    it describes (the citizen's address, another registry's record) changes at rate
    ``per_hour``; the data is stale when it has changed at least once (a Poisson process), so
    the chance is ``min(max, 1 - exp(-per_hour * age / 60))`` for an age in minutes.
    """

    per_hour: Annotated[float, Field(ge=0), at_most(MAX_STALE_RATE, _STALE_RATE_REASON)] = Field(
        description="Rate per hour of age at which the handed-over data becomes stale."
    )
    max: Repeat = Field(MAX_REPEAT, description="Cap on the chance, however old the data.")

    def chance(self, age: float) -> float:
        """The chance that data `age` minutes old is stale."""
        return min(self.max, -math.expm1(-self.per_hour * age / 60.0))


class HandoffRule(FrozenModel):
    """How a case moves from one department to the next, and how often its data is stale.

    ``mode``:
    - ``platform``: through the information-sharing platform, which syncs every ``every``
      minutes (counted from midnight) or once a day at ``at``; without either, the data
      arrives after ``delay`` (a real-time platform);
    - ``paper``: a courier carries the file, taking ``delay``;
    - ``citizen``: the citizen carries it: after ``delay`` they make a trip to the hall and a
      window visit of ``visit_time`` at a window serving the case's service.

    Stale data: after its step, a department that received the case over a handoff finds the
    data stale or inconsistent with probability p, and the case is handed over again and the
    step repeated (a step of the department that accepted the case needs no handoff). p is
    ``rework``, a fixed probability, or, with ``staleness``, a chance that grows with the
    data's **age**: the clock minutes from the moment the case left the sending department
    (the end of the sender's step; the acceptance at the window for the first step; the end
    of the last branch of a parallel group; for a repeated step, the end of the step that
    found the data stale) to the moment a staff member of the receiving department starts the
    step. The age holds the handoff's wait (the sync, the courier) and the queue at the
    receiver, so real-time sharing (no sync, no delay) leaves only the queue and lowers
    rework by the mechanism. With both, the causes are independent:
    ``p = 1 - (1 - rework) * (1 - staleness(age))``, at most 0.99.
    """

    mode: Literal["platform", "paper", "citizen"] = "platform"
    every: Annotated[Minutes, Field(gt=0), at_least(MIN_SYNC_EVERY, _EVERY_REASON)] | None = None
    at: Clock | None = None
    delay: Distribution = Fixed(value=0.0)
    visit_time: Distribution = Fixed(value=10.0)
    rework: Repeat = 0.0
    staleness: Staleness | None = Field(
        None, description="Stale-data chance by the age of the data (default: only rework)."
    )

    @model_validator(mode="after")
    def _one_sync_rule(self) -> HandoffRule:
        if self.every is not None and self.at is not None:
            raise FieldProblems([("at", "give either every or at, not both")])
        if self.mode != "platform" and (self.every is not None or self.at is not None):
            field = "every" if self.every is not None else "at"
            raise FieldProblems(
                [(field, f"sync times only apply to mode platform, not {self.mode}")]
            )
        return self

    def next_sync(self, now: float) -> float | None:
        """The clock time of the first sync at or after ``now``, or None without syncs."""
        if self.every is not None:
            sync = -(-now // self.every) * self.every  # the next multiple of every
            return sync if sync >= now else now  # rounded below now: a sync is due at once
        if self.at is not None:
            day_start = (now // DAY) * DAY
            sync = day_start + self.at
            return sync if sync >= now else sync + DAY
        return None

    def stale_chance(self, age: float) -> float:
        """The chance that the data is stale when used `age` minutes after it left the sender."""
        if self.staleness is None:
            return self.rework
        fresh = (1.0 - self.rework) * (1.0 - self.staleness.chance(age))
        return min(MAX_REPEAT, 1.0 - fresh)


#: The two halves of a handoff rule: how the case travels, and how stale its data gets.
TRANSPORT_FIELDS = ("mode", "every", "at", "delay", "visit_time")
DATA_FIELDS = ("rework", "staleness")


class HandoffPair(HandoffRule):
    """The handoff rule of cases going from department ``from`` to ``to`` (of one ``service``).

    Each half of the rule is taken whole: the transport (``mode``, ``every``, ``at``,
    ``delay``, ``visit_time``) is the pair's own when it gives any of those fields (the others
    then take their defaults: ``{from: a, to: b, delay: 0}`` is real-time sharing, whatever
    the default rule's sync), else the default rule's; likewise the data quality
    (``rework``, ``staleness``). Only the fields given are written back out.
    """

    from_: str = Field(alias="from", description="The sending department.")
    to: str = Field(description="The receiving department.")
    service: str | None = Field(None, description="Only cases of this service (default: all).")

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The pair as written: its key and the rule fields it gives (the rest is inherited)."""
        data = handler(self)
        out: dict[str, Any] = {"from": self.from_, "to": self.to}
        if self.service is not None:
            out["service"] = self.service
        out.update({k: data[k] for k in (*TRANSPORT_FIELDS, *DATA_FIELDS) if self.gives(k)})
        return out

    def gives(self, field: str) -> bool:
        """Whether the pair gives `field` itself."""
        return field in self.model_fields_set

    @property
    def gives_transport(self) -> bool:
        """Whether the pair's transport is its own (it gives a transport field)."""
        return any(self.gives(k) for k in TRANSPORT_FIELDS)

    @property
    def gives_data(self) -> bool:
        """Whether the pair's stale-data rule is its own (it gives rework or staleness)."""
        return any(self.gives(k) for k in DATA_FIELDS)

    @property
    def key(self) -> tuple[str, str, str | None]:
        """``(from, to, service)``: what the pair overrides."""
        return (self.from_, self.to, self.service)


class Handoffs(HandoffRule):
    """How cases move between departments: a default rule and per-pair overrides.

    The fields of :class:`HandoffRule` are the default rule; ``pairs`` override it for cases
    going from one department to another (:class:`HandoffPair`), optionally of one service
    only. The most specific entry wins: ``from`` + ``to`` + ``service`` over ``from`` + ``to``,
    over the default. A handoff whose sender is unknown (the first step of a service without
    an owning department) follows the default rule; after a parallel group the sender is the
    branch that finished last (its data is the newest; ties: the earlier branch).
    """

    pairs: tuple[HandoffPair, ...] = Field(
        (), description="Overrides by department pair (from, to) and optionally service."
    )

    @model_validator(mode="after")
    def _distinct_pairs(self) -> Handoffs:
        problems = []
        seen: dict[tuple[str, str, str | None], int] = {}
        for i, pair in enumerate(self.pairs):
            if pair.key in seen:
                message = f"the same pair as pairs[{seen[pair.key]}] (from, to and service)"
                problems.append((f"pairs[{i}]", message))
            seen.setdefault(pair.key, i)
            if not (pair.gives_transport or pair.gives_data):
                fields = ", ".join((*TRANSPORT_FIELDS, *DATA_FIELDS))
                problems.append((f"pairs[{i}]", f"gives no rule field ({fields})"))
        if problems:
            raise FieldProblems(problems)
        return self

    def match(self, source: str | None, target: str, service: str) -> int | None:
        """The index of the pair whose rule applies, or None for the default rule."""
        general = None
        for i, pair in enumerate(self.pairs):
            if pair.from_ == source and pair.to == target:
                if pair.service == service:
                    return i
                if pair.service is None:
                    general = i
        return general

    @cached_property
    def pair_rules(self) -> tuple[HandoffRule, ...]:
        """Each pair's complete rule: its own halves, the default rule's for the others."""
        return tuple(self._resolved(pair) for pair in self.pairs)

    def _resolved(self, pair: HandoffPair) -> HandoffRule:
        values: dict[str, Any] = {}
        for half, own in ((TRANSPORT_FIELDS, pair.gives_transport), (DATA_FIELDS, pair.gives_data)):
            values.update({k: getattr(pair if own else self, k) for k in half})
        return HandoffRule(**values)

    def rule_for(self, source: str | None, target: str, service: str) -> HandoffRule:
        """The rule of a handoff from `source` to `target` of a case of `service`."""
        i = self.match(source, target, service)
        return self if i is None else self.pair_rules[i]


class Journey(FrozenModel):
    """What happens to a service's case beyond the first window visit (all optional).

    ``department``: the department that owns the service (accepts it at the window).
    ``channels``: channels that can start a case, each ``full`` (the case is accepted there)
    or ``pre`` (pre-application only: the citizen must still come to a window).
    ``verification``: the probability that a case accepted remotely still needs a hall visit
    to verify documents (weak online/offline integration).
    ``rekey_time``: extra window time when a remotely started case is served at a window and
    its data must be typed in again (0 where the data is shared).
    ``incomplete``: the probability that a submission or visit lacks materials; the citizen
    returns after ``return_delay``, as often as needed.
    ``workflow``: back-office steps after acceptance. ``result``: how the result reaches the
    citizen once the workflow is done: ``pickup`` (a trip after ``pickup_delay`` and a window
    visit of ``pickup_time``), ``mail`` (after ``mail_delay``) or ``online`` (at once).
    ``deadline_days``: the statutory limit in working days from acceptance to decision.
    ``commitment_days``: the committed limit (承诺时限) the center publishes, in the same
    working days, at most the statutory one; EDF departments order by it, and on-time is
    measured against both.
    """

    department: str | None = None
    channels: dict[ChannelName, Literal["full", "pre"]] = Field(default_factory=_hall_only)
    verification: Probability = 0.0
    rekey_time: Distribution = Fixed(value=0.0)
    incomplete: Repeat = 0.0
    return_delay: Distribution = Fixed(value=DAY)
    workflow: tuple[WorkflowStep, ...] = ()
    result: Literal["pickup", "mail", "online"] = "pickup"
    pickup_delay: Distribution = Fixed(value=DAY)
    pickup_time: Distribution = Fixed(value=3.0)
    mail_delay: Distribution = Fixed(value=2 * DAY)
    deadline_days: WorkingDays | None = None
    commitment_days: WorkingDays | None = Field(
        None,
        description="Committed limit in working days from acceptance to decision "
        "(at most deadline_days).",
    )

    @model_validator(mode="after")
    def _hall_or_remote(self) -> Journey:
        if not self.channels:
            raise FieldProblems([("channels", "at least one channel must start the service")])
        return self

    @model_validator(mode="after")
    def _commitment_within_statute(self) -> Journey:
        committed, statutory = self.commitment_days, self.deadline_days
        if committed is not None and statutory is not None and committed > statutory:
            message = (
                f"must be at most deadline_days ({statutory}): a committed limit is the "
                f"statutory one or shorter, found {committed}"
            )
            raise FieldProblems([("commitment_days", message)])
        return self

    def departments(self) -> list[str]:
        """Every department the workflow visits, in order."""
        names = []
        for step in self.workflow:
            steps = step.parallel if isinstance(step, ParallelStep) else (step,)
            names += [s.department for s in steps]
        return names
