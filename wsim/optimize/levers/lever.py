"""One lever: a candidate change with its costs, its operations and the resources it touches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from wsim.optimize.levers.operations import Operation

LeverKind = Literal["reform", "lever", "integrate", "online", "sharing", "clerks", "staff"]

#: The order in which levers apply: whole overlay fragments first (reforms, then explicit
#: levers), the generated levers after them, so that a generated lever adjusts whatever the
#: fragments left (a sharing pair keeps the stale-data rule of a data-sharing reform).
KIND_ORDER: tuple[LeverKind, ...] = (
    "reform",
    "lever",
    "integrate",
    "online",
    "sharing",
    "clerks",
    "staff",
)


@dataclass(frozen=True)
class Resources:
    """What a lever touches, to find levers that may interact (those sharing a resource).

    ``groups``: window groups; ``departments``; ``pairs``: department pairs ``(a, b)`` with
    ``a < b`` whose handoffs change; ``services``; ``other``: any other part of the scenario
    (``systems.portal``, ``channels.online``, ``calendar``, ...).
    """

    groups: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()
    services: frozenset[str] = frozenset()
    other: frozenset[str] = frozenset()

    def shared(self, other: Resources) -> Resources:
        """The resources both touch."""
        return Resources(
            self.groups & other.groups,
            self.departments & other.departments,
            self.pairs & other.pairs,
            self.services & other.services,
            self.other & other.other,
        )

    def __bool__(self) -> bool:
        return bool(self.groups or self.departments or self.pairs or self.services or self.other)

    def describe(self) -> str:
        """``"groups market; services tax_filing"`` (empty parts left out)."""
        parts = [
            (what, sorted(values))
            for what, values in (
                ("groups", self.groups),
                ("departments", self.departments),
                ("pairs", {f"{a}-{b}" for a, b in self.pairs}),
                ("services", self.services),
                ("other", self.other),
            )
            if values
        ]
        return "; ".join(f"{what} {', '.join(values)}" for what, values in parts)


@dataclass(frozen=True)
class Lever:
    """A candidate change to the baseline.

    Attributes
    ----------
    name : ``kind:target`` for generated levers (``integrate:company_change``,
        ``online:tax_filing``, ``sharing:market-tax``, ``clerks:market:2``, ``staff:tax:1``,
        ``reform:security``); as written for explicit levers.
    kind : which declaration it comes from (see :data:`KIND_ORDER`).
    description : one line for tables and reports.
    one_off, yearly : its costs (money; yearly per year).
    operations : what it does to the scenario's raw mapping, in order.
    source : where the levers file declares it (``integrate[0].services[1]``).
    """

    name: str
    kind: LeverKind
    description: str
    one_off: float
    yearly: float
    operations: tuple[Operation, ...] = field(repr=False)
    source: str = ""
