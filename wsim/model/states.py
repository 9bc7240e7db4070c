"""The states of a hall ticket and of a case, shared by the hall, the journeys and the metrics.

They are :class:`~enum.IntEnum` members, so they are stored in plain lists and numpy integer
arrays at no cost, and ``TicketState(2).label`` gives the word used in tables.
"""

from __future__ import annotations

from enum import IntEnum


class TicketState(IntEnum):
    """Where a hall ticket is: waiting, at a window, or one of its three outcomes."""

    WAITING = 0
    IN_SERVICE = 1
    SERVED = 2
    ABANDONED = 3
    BALKED = 4

    @property
    def label(self) -> str:
        """The state as the visit table writes it (``in service``)."""
        return self.name.lower().replace("_", " ")


class CaseState(IntEnum):
    """The final state of a case (``IN_PROGRESS`` when the simulation ended first)."""

    IN_PROGRESS = 0
    COMPLETED = 1
    ABANDONED = 2
    GAVE_UP = 3

    @property
    def label(self) -> str:
        """The state as the case table writes it (``in_progress``)."""
        return self.name.lower()


class Switch(IntEnum):
    """How a case came to the portal instead of the hall: not, for the posted wait, on balking."""

    NONE = 0
    POSTED_WAIT = 1
    BALKED = 2

    @property
    def label(self) -> str:
        """The word of the case table's ``switched`` column (empty when not switched)."""
        return "" if self is Switch.NONE else self.name.lower()


#: Table words of the ticket states, indexed by state (for turning arrays into text).
TICKET_LABELS: tuple[str, ...] = tuple(state.label for state in TicketState)
#: Table words of the case states, indexed by state.
CASE_LABELS: tuple[str, ...] = tuple(state.label for state in CaseState)
#: Table words of the switches, indexed by value.
SWITCH_LABELS: tuple[str, ...] = tuple(switch.label for switch in Switch)
