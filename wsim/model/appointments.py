"""The slot book of one service: the slots of every hall day and how many are booked.

A citizen books at the moment the case starts: a slot drawn uniformly among those with room on
the next ``book_ahead_days`` open days after today (see :mod:`wsim.scenario.appointments`).
"""

from __future__ import annotations

import bisect

from wsim.model.calendar import Day
from wsim.scenario.appointments import Appointments


class SlotBook:
    """Slots of one service over the hall days of a replication, with their bookings.

    Days of a type not in `types` (on which no window of the appointment groups opens) have no
    slots.
    """

    def __init__(self, spec: Appointments, days: list[Day], arrival_days: int, types: set[str]):
        self.spec = spec
        self.day_starts = [day.start for day in days]
        self.slots = [
            [day.start + t for t in spec.slot_starts(day.open, day.close)]
            if day.day_type in types
            else []
            for day in days
        ]
        self.booked = [[0] * len(slots) for slots in self.slots]
        self.capacity = float(spec.capacity * sum(len(s) for s in self.slots[:arrival_days]))

    def book(self, now: float, u: float) -> tuple[float, int] | None:
        """Book a slot for a citizen at clock time `now` with uniform `u`.

        Returns the slot's clock time and hall day index, or None when no slot has room.
        """
        today = bisect.bisect_right(self.day_starts, now) - 1
        limit = self.spec.bookable_per_slot
        free = [
            (d, i)
            for d in range(today + 1, min(today + 1 + self.spec.book_ahead_days, len(self.slots)))
            for i, booked in enumerate(self.booked[d])
            if booked < limit
        ]
        if not free:
            return None
        d, i = free[min(int(u * len(free)), len(free) - 1)]
        self.booked[d][i] += 1
        return self.slots[d][i], d
