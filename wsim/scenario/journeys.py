"""Scenario parts for citizen journeys: channels, segments, back office, handoffs, outages.

A case may start online or at a kiosk instead of the hall, pass through several departments,
wait for data to reach the next one, come back because a document was missing, and end with
a pickup. Every problem the W district study names is a lever here:

- weak online/offline integration: ``Service.verification`` (an online case still needs a hall
  visit) and ``Service.rekey_time`` (data entered online is typed in again at the window);
- an incomplete platform: ``Service.channels`` (which services can start online, and whether
  online is ``full`` service or only ``pre``-application);
- slow data sharing: ``Handoffs`` (nightly sync, delays, paper, the citizen as courier) and
  the rework that stale data causes;
- security risks: ``Outage`` of the systems the portal and the back office run on.

All durations are minutes (or strings with units); probabilities are numbers in [0, 1].
A citizen's own delays (``return_delay``, ``resubmit_delay``, ``pickup_delay``) count the
hall's open days only: "comes back 1 day later" from a Friday means the Monday.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from wsim.scenario.base import Clock, FrozenModel, Minutes
from wsim.scenario.distributions import Distribution, Fixed
from wsim.scenario.errors import FieldProblems

Probability = Annotated[float, Field(ge=0, le=1)]
ChannelName = Literal["hall", "online", "kiosk", "phone"]
RemoteChannelName = Literal["online", "kiosk", "phone"]
DAY = 1440.0


class Outage(FrozenModel):
    """A system that fails and is repaired, again and again (an alternating renewal process).

    ``between`` is the up time from a repair to the next failure (the MTBF when exponential),
    ``repair`` the down time (the MTTR). The long-run share of time down is
    E[repair] / (E[between] + E[repair]).
    """

    between: Distribution
    repair: Distribution


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
    """

    system: str | None = None
    on_outage: Literal["wait", "give_up", "hall"] = "wait"
    pre_review: Distribution | None = None
    resubmit: Probability = 0.7
    resubmit_delay: Distribution = Fixed(value=DAY)


class Segment(FrozenModel):
    """A group of citizens (e.g. digitally fluent, elderly, businesses).

    ``share``: relative weight of the segment among new cases. ``channels``: preference
    weights over channels; a case uses a channel its service allows, chosen with these
    weights among the allowed ones (the hall when none is allowed). ``needs_help``: the
    probability that a citizen who chose a remote channel needs a window's help to submit
    (one more hall visit first).
    """

    name: str
    share: Annotated[float, Field(gt=0)]
    channels: dict[ChannelName, Annotated[float, Field(ge=0)]] = {"hall": 1.0}
    needs_help: Probability = 0.0


class Step(FrozenModel):
    """One back-office step: ``department`` works ``time`` minutes of working time on the case."""

    department: str
    time: Distribution


class ParallelStep(FrozenModel):
    """A joint approval: its steps run at the same time; it ends when the last one ends."""

    parallel: Annotated[tuple[Step, ...], Field(min_length=2)]


WorkflowStep = Step | ParallelStep


class Department(FrozenModel):
    """Back-office staff who process workflow steps during working hours on working days.

    Working days are the calendar's ``weekdays``; hours default to the hall's. ``discipline``:
    ``fifo`` or ``edf`` (earliest statutory deadline first). ``system``: the name of an entry
    in ``systems``; work stops while it is down. ``hourly_cost`` is per staff member.
    """

    staff: Annotated[int, Field(ge=1)]
    open: Clock | None = None
    close: Clock | None = None
    discipline: Literal["fifo", "edf"] = "fifo"
    system: str | None = None
    hourly_cost: Annotated[float, Field(ge=0)] = 0.0


class Handoffs(FrozenModel):
    """How a case moves from one department to the next.

    ``mode``:
    - ``platform``: through the information-sharing platform, which syncs every ``every``
      minutes (counted from midnight) or once a day at ``at``; without either, the data
      arrives after ``delay`` (a real-time platform);
    - ``paper``: a courier carries the file, taking ``delay``;
    - ``citizen``: the citizen carries it: after ``delay`` they make a trip to the hall and a
      window visit of ``visit_time`` at a window serving the case's service.
    ``rework``: the probability that a department which received the case over a handoff
    finds the data stale or inconsistent after its step, so the case is handed over again and
    the step repeated (a step of the department that accepted the case needs no handoff).
    """

    mode: Literal["platform", "paper", "citizen"] = "platform"
    every: Annotated[Minutes, Field(gt=0)] | None = None
    at: Clock | None = None
    delay: Distribution = Fixed(value=0.0)
    visit_time: Distribution = Fixed(value=10.0)
    rework: Annotated[float, Field(ge=0, lt=1)] = 0.0

    @model_validator(mode="after")
    def _one_sync_rule(self) -> Handoffs:
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
            periods = -(-now // self.every)  # ceiling division
            return periods * self.every
        if self.at is not None:
            day_start = (now // DAY) * DAY
            sync = day_start + self.at
            return sync if sync >= now else sync + DAY
        return None


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
    """

    department: str | None = None
    channels: dict[ChannelName, Literal["full", "pre"]] = {"hall": "full"}
    verification: Probability = 0.0
    rekey_time: Distribution = Fixed(value=0.0)
    incomplete: Annotated[float, Field(ge=0, lt=1)] = 0.0
    return_delay: Distribution = Fixed(value=DAY)
    workflow: tuple[WorkflowStep, ...] = ()
    result: Literal["pickup", "mail", "online"] = "pickup"
    pickup_delay: Distribution = Fixed(value=DAY)
    pickup_time: Distribution = Fixed(value=3.0)
    mail_delay: Distribution = Fixed(value=2 * DAY)
    deadline_days: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _hall_or_remote(self) -> Journey:
        if not self.channels:
            raise FieldProblems([("channels", "at least one channel must start the service")])
        return self

    def departments(self) -> list[str]:
        """Every department the workflow visits, in order."""
        names = []
        for step in self.workflow:
            steps = step.parallel if isinstance(step, ParallelStep) else (step,)
            names += [s.department for s in steps]
        return names
