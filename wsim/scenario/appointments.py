"""Appointments: bookable slots for a service, no-shows, punctuality and the calling rule.

``services.X.appointments`` (all optional but ``slot``)::

    appointments:
      share: 0.4            # share of the service's new hall cases whose citizen books
      slot: 15min           # slot length; slots run from opening (or hours' start) to closing
      hours: "09:00-12:00"  # when slots are offered (default: the hall's hours of each day)
      capacity: 2           # citizens per slot
      fill: 0.75            # a slot takes at most floor(capacity x fill) bookings
      groups: [market]      # window groups that call booked citizens first (default: all
                            # groups serving the service)
      book_ahead_days: 5    # bookable: slots of the next 5 open days (not today)
      no_show: 0.1          # share of booked citizens who do not come
      punctuality: {early: {dist: uniform, min: 0, max: 10min}, late_share: 0.2,
                    late: {dist: exponential, mean: 5min}}
      grace: 10min          # booked citizens are called first from their slot time until
                            # this long after it; later they are walk-ins

How it runs. A new case of the service that starts at the hall books with probability
``share``, at the moment its demand stream brings it: it takes a slot drawn uniformly among the
slots with room on the next ``book_ahead_days`` open days (a citizen who finds none comes now
as a walk-in: demand without a slot). A booked citizen does not come with probability
``no_show`` (the case ends ``abandoned`` with no trip at the slot time); the others arrive
``early`` before the slot, or with probability ``late_share`` ``late`` after it, and take a
ticket then (at opening if that is earlier). A booked ticket never balks.

The calling rule: a booked ticket is called first, before any walk-in and any priority, at a
window of ``groups`` from its slot time until ``grace`` after it (among booked tickets, the
earliest slot first, then the earliest ticket). Outside that interval it waits as an ordinary
walk-in by its arrival time, so an early citizen may be called before the slot when they are
first in line, and one who came after the grace time is a walk-in. Later visits of the case
(returns for missing materials, pickups) are walk-ins.

The KPIs (see :mod:`wsim.metrics.catalog`): the wait of booked citizens from their slot time,
the no-show rate, slot utilisation (citizens who came over slot capacity, on the arrival days),
the walk-in wait, and the share of citizens who wanted a slot and found none.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import Field, model_validator

from wsim.scenario.base import FrozenModel, Minutes, Unit
from wsim.scenario.distributions import Distribution, Fixed
from wsim.scenario.errors import FieldProblems
from wsim.scenario.journeys import Probability, clock_range_pair


class Punctuality(FrozenModel):
    """When a booked citizen arrives, relative to the slot: early, or late with some chance."""

    early: Distribution = Field(
        Fixed(value=0.0), description="How long before the slot time a citizen arrives (min)."
    )
    late_share: Probability = Field(0.0, description="Share of booked citizens who come late.")
    late: Distribution = Field(
        Fixed(value=0.0), description="How long after the slot time a late citizen arrives (min)."
    )


class Appointments(FrozenModel):
    """Bookable slots for one service (see the module docstring for how they run)."""

    share: Probability = Field(
        1.0, description="Share of the service's new hall cases whose citizen tries to book."
    )
    slot: Annotated[Minutes, Field(gt=0)] = Field(description="Length of a slot (minutes).")
    hours: tuple[float, float] | None = Field(
        None,
        description='When slots are offered, "HH:MM-HH:MM" (default: the hall\'s hours of '
        "each open day, clipped to them).",
    )
    capacity: Annotated[int, Field(ge=1), Unit("citizens per slot")] = Field(
        1, description="Citizens per slot."
    )
    fill: Annotated[float, Field(gt=0, le=1)] = Field(
        1.0, description="A slot takes at most floor(capacity x fill) bookings."
    )
    groups: tuple[str, ...] | None = Field(
        None,
        description="Window groups that call booked citizens first (default: every group "
        "serving the service).",
    )
    book_ahead_days: Annotated[int, Field(ge=1), Unit("open days")] = Field(
        5, description="Slots of the next this many open days (not today) can be booked."
    )
    no_show: Probability = Field(0.0, description="Share of booked citizens who do not come.")
    punctuality: Punctuality = Field(
        Punctuality(), description="Arrival relative to the slot time."
    )
    grace: Minutes = Field(
        10.0,
        description="Booked citizens are called first from their slot time until this long "
        "after it (minutes).",
    )

    @model_validator(mode="before")
    @classmethod
    def _hours_from_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("hours"), str):
            data = {**data, "hours": clock_range_pair(data["hours"])}
        return data

    @model_validator(mode="after")
    def _check(self) -> Appointments:
        if self.bookable_per_slot < 1:
            raise FieldProblems(
                [
                    (
                        "fill",
                        "capacity x fill must allow one booking, found "
                        f"{self.capacity * self.fill:g}",
                    )
                ]
            )
        if self.hours is not None and self.hours[0] >= self.hours[1]:
            raise FieldProblems([("hours", "the end must be later than the start")])
        return self

    @property
    def bookable_per_slot(self) -> int:
        """The most bookings a slot takes."""
        return math.floor(self.capacity * self.fill + 1e-9)

    def slot_starts(self, open_: float, close: float) -> list[float]:
        """Slot start times (minutes after midnight) of a day open from `open_` to `close`.

        Slots run from the start of ``hours`` (or opening) every ``slot`` minutes, each ending
        by the end of ``hours`` and by closing.
        """
        lo, hi = self.hours if self.hours is not None else (open_, close)
        lo, hi = max(lo, open_), min(hi, close)
        count = max(math.floor((hi - lo) / self.slot + 1e-9), 0)
        return [lo + i * self.slot for i in range(count)]
