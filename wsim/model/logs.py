"""What one replication records, as numpy arrays: the hall's tickets and the journeys' cases.

The kernel builds these in plain lists while it runs and converts them once at the end; the
metrics read only these records, never the running model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class CaseLog:
    """One replication's cases as numpy arrays (times in clock minutes, NaN if not reached)."""

    service: np.ndarray
    stream: np.ndarray
    channel: np.ndarray  # strings
    segment: np.ndarray  # strings
    start: np.ndarray
    accepted: np.ndarray
    decided: np.ndarray
    end: np.ndarray  # when the final state was reached (NaN while in progress)
    deadline: np.ndarray
    trips: np.ndarray
    reworks: np.ndarray
    handoffs: np.ndarray
    handoff_wait: np.ndarray  # minutes, summed over the case's handoffs
    hit_by_outage: np.ndarray
    state: np.ndarray
    handoff_waits: np.ndarray  # every single handoff's wait, minutes
    outage_minutes: float  # minutes any system was down within the measurement window
    department_busy: float  # staff working minutes on cases within the measurement window
    department_available: float  # staff working minutes available within it
    department_cost: float  # staff cost of the departments within it
    #: minutes from submission to the end of pre-review, summed over the case's reviews
    review_delay: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: 0, or how the case went to the portal instead of the hall: 1 posted wait, 2 balking
    switched: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    #: every pre-review: (submitted, started, ended) clock minutes, one row each
    reviews: np.ndarray = field(default_factory=lambda: np.empty((0, 3)))
    #: every booking: (booked at, slot time, no-show 0/1, on an arrival day 0/1), one row each
    bookings: np.ndarray = field(default_factory=lambda: np.empty((0, 4)))
    #: when citizens who wanted a slot found none (clock minutes)
    unbooked: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: every handoff: (case, from, to, began, arrived); departments as indices in the
    #: scenario's order, -1 for an unknown sender; clock minutes
    handovers: np.ndarray = field(default_factory=lambda: np.empty((0, 5)))
    #: citizens the slots of the arrival days could take (capacity x slots, all services)
    slot_capacity: float = 0.0
    #: the committed deadline (clock minutes; inf without a commitment), like `deadline`
    commitment: np.ndarray = field(default_factory=lambda: np.empty(0))


@dataclass
class HallLog:
    """Everything one replication recorded, as numpy arrays (times in clock minutes).

    Per ticket: `service` and `stream` (indices into `service_names` / `stream_names`), `day`,
    `arrival`, `start` (called to a window; NaN if never), `end` (service end, abandonment or
    balking time), `clerk` (-1 if never served), `outcome` (a :class:`TicketState` outcome),
    `case` (-1 for a walk-in without a journey). `cases` is the journey layer's record
    (None without journeys).
    Per clerk shift: `shift_clerk`, `shift_from`, `shift_to`. `clerk_group` maps clerks to
    window groups. `window` is the measurement window [from, to) for rates and utilization.
    """

    service_names: list[str]
    stream_names: list[str]
    group_names: list[str]
    clerk_group: np.ndarray
    service: np.ndarray
    stream: np.ndarray
    day: np.ndarray
    arrival: np.ndarray
    start: np.ndarray
    end: np.ndarray
    clerk: np.ndarray
    outcome: np.ndarray
    shift_clerk: np.ndarray
    shift_from: np.ndarray
    shift_to: np.ndarray
    window: tuple[float, float]
    day_close: np.ndarray
    case: np.ndarray
    day_start: np.ndarray = field(default_factory=lambda: np.empty(0))
    day_type: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    slot: np.ndarray = field(default_factory=lambda: np.empty(0))  # booked slot time, or NaN
    #: per case of :func:`wsim.metrics.kpis.cases_of` (one per ticket without journeys): 1.0
    #: rated bad, 0.0 good, NaN not rated (not completed); empty without ``satisfaction``
    ratings: np.ndarray = field(default_factory=lambda: np.empty(0))
    cases: CaseLog | None = None
