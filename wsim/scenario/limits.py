"""Every limit wsim puts on its input, in one place, each with the reason for it.

Two kinds of limits:

- **Bounds** (the schema and the file reader): values no real service center has and that
  would break the arithmetic (a 10**30 window count, a gamma cv of 1e-200, a YAML file nested
  a thousand levels deep). They are fixed; a value beyond one is an error whose message gives
  the reason.
- **Run size** (:class:`RunLimits`): how big one replication may be before wsim refuses to
  start it (expected hall tickets, simulated days, window clerks, outage events, staffing
  slots). A large run on purpose is allowed by raising them: ``wsim run --max-tickets N``,
  ``wsim.simulate(..., limits=RunLimits(max_tickets=N))``, or the environment variable
  ``WSIM_MAX_TICKETS`` (and ``WSIM_MAX_DAYS``, ``WSIM_MAX_CLERKS``, ``WSIM_MAX_OUTAGES``).
"""

from __future__ import annotations

import dataclasses
import operator
import os
import typing
from dataclasses import dataclass

from wsim.errors import WsimError

MINUTES_PER_DAY = 1440.0

# --- files ----------------------------------------------------------------------------------

#: Largest scenario file read, in bytes: 40 times the W district baseline (25 KB).
MAX_FILE_BYTES = 1 << 20
#: Deepest nesting of YAML mappings and lists: a scenario nests about 8 levels.
MAX_YAML_DEPTH = 50
#: Most values (scalars, mappings, lists) a YAML document may expand to, counting every
#: repetition through an alias: the W district baseline has about 2,100.
MAX_YAML_VALUES = 200_000
#: Most bases in a chain of overlays (an overlay on an overlay on ...).
MAX_OVERLAY_DEPTH = 20
#: Most digits of an integer in a file (Python refuses to read more than 4,300).
MAX_INT_DIGITS = 100

# --- messages -------------------------------------------------------------------------------

#: Problems listed in one message; the rest are counted. (Characters of a value quoted in a
#: message, names listed as "allowed" and names searched for a "did you mean" are bounded by
#: MAX_QUOTE_CHARS, MAX_NAMES_SHOWN and MAX_FUZZY_OPTIONS of :mod:`wsim.errors`, where the
#: message helpers of every stage live.)
MAX_PROBLEMS_SHOWN = 25

# --- schema bounds --------------------------------------------------------------------------

#: Longest duration of any field (minutes): 100 years.
MAX_DURATION = 100 * 365 * MINUTES_PER_DAY
DURATION_REASON = "100 years; a longer time is surely a unit mistake"
#: Most open days of a calendar (about 100 years of working days).
MAX_CALENDAR_DAYS = 36_500
CALENDAR_DAYS_REASON = "100 years of open days"
#: Most windows of one group open at once.
MAX_WINDOWS = 10_000
WINDOWS_REASON = "windows of one group; no hall has more"
#: Most staff of one department, and most clerks a shift or family may have.
MAX_STAFF = 100_000
STAFF_REASON = "staff of one department; no department has more"
#: Largest |priority| of a demand stream.
MAX_PRIORITY = 1_000
#: Largest balk_at (citizens waiting before a newcomer leaves at once).
MAX_BALK_AT = 1_000_000
#: Largest statutory deadline (working days).
MAX_DEADLINE_DAYS = 36_500
#: Largest money amount of one field (per hour, per shift, one-off or yearly).
MAX_MONEY = 1e12
MONEY_REASON = "a larger amount overflows the cost totals"
#: Largest profile weight; weights are relative, so scaling them all down changes nothing.
MAX_WEIGHT = 1e9
WEIGHT_REASON = "weights are relative: divide them all by the same number"
#: Largest demand rate (arrivals per hour or per day) and weekday factor of one stream.
MAX_RATE = 1e9
RATE_REASON = "no hall sees more; and the run-size guard would refuse it"
#: Bounds of the coefficient of variation of gamma (cv) and lognormal (sd / mean) times.
MIN_CV = 1e-3
MAX_CV = 100.0
CV_REASON = (
    "beyond it the sampler's shape parameter overflows or every draw is 0 or huge; "
    "for a fixed time use a number"
)
#: Most phases of an Erlang distribution (a larger k is a fixed time: use a number).
MAX_ERLANG_K = 10_000
#: Shortest staffing slot allowed by the run size: slots per day at most this.
MAX_SLOTS_PER_DAY = 1440
#: Shortest sync interval of a sharing platform, minutes (once a second; more often is real
#: time, written as a delay).
MIN_SYNC_EVERY = 1 / 60
#: Seeds are numpy seeds: whole numbers from 0 to 2**63 - 1.
MAX_SEED = 2**63 - 1


class LimitError(WsimError, ValueError):
    """A request beyond one of wsim's limits (a bad seed, a run too large)."""


def check_seed(seed: object, what: str = "seed") -> int:
    """`seed` as an int, or :class:`LimitError` saying what a seed may be."""
    if isinstance(seed, bool) or not hasattr(type(seed), "__index__"):
        raise LimitError(f"{what} must be a whole number from 0 to 2**63 - 1")
    number = operator.index(typing.cast(typing.SupportsIndex, seed))  # int, numpy integers
    if not 0 <= number <= MAX_SEED:
        shown = f"{number}" if abs(number) < 10**30 else "a number of more than 30 digits"
        raise LimitError(f"{what} must be from 0 to 2**63 - 1 (numpy seeds), found {shown}")
    return number


# --- run size -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunLimits:
    """How large one replication may be (see :mod:`wsim.scenario.size` for the estimate).

    Attributes
    ----------
    max_tickets : expected hall tickets (visits) of one replication; a million take about
        15 s and 0.5 GB for a hall alone (measured: 200,000 in 3 s, 230 MB), a few minutes
        with journeys.
    max_days : simulated calendar days (arrival days and the drain after them).
    max_clerks : window clerks (each is simulated; the sum of each group's most windows).
    max_outages : expected outage events of all systems in one replication.
    max_slots : staffing slots per day.
    running_factor : a replication stops with a clear message when it has issued this many
        times `max_tickets` (returns and pickups can bring more visits than estimated).
    """

    max_tickets: float = 1_000_000
    max_days: float = 20_000
    max_clerks: float = 20_000
    max_outages: float = 200_000
    max_slots: float = MAX_SLOTS_PER_DAY
    running_factor: float = 3.0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise LimitError(f"RunLimits.{field.name} must be a number > 0, found {value!r}")

    def with_max_tickets(self, max_tickets: float | None) -> RunLimits:
        """These limits with `max_tickets` replaced (unchanged for None)."""
        if max_tickets is None:
            return self
        return dataclasses.replace(self, max_tickets=max_tickets)

    @property
    def running_tickets(self) -> int:
        """Tickets after which a running replication stops."""
        return int(self.max_tickets * self.running_factor)

    @property
    def running_outages(self) -> int:
        """Outage events after which drawing a system's history stops."""
        return int(self.max_outages * self.running_factor)


#: Environment variables that raise a default limit, and the field each sets.
ENVIRONMENT = {
    "WSIM_MAX_TICKETS": "max_tickets",
    "WSIM_MAX_DAYS": "max_days",
    "WSIM_MAX_CLERKS": "max_clerks",
    "WSIM_MAX_OUTAGES": "max_outages",
}


def default_limits() -> RunLimits:
    """The run limits: the defaults, with any set by the environment (``WSIM_MAX_TICKETS``)."""
    values = {}
    for variable, field in ENVIRONMENT.items():
        text = os.environ.get(variable)
        if text is None:
            continue
        try:
            values[field] = float(text)
        except ValueError:
            raise LimitError(f"{variable} must be a number, found {text!r:.40}") from None
    return RunLimits(**values)
