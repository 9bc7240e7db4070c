"""The scenario: an immutable, validated description of a service center and its demand.

:class:`Scenario` gathers the parts (calendar, services, demand, windows, citizens, the
journey parts and staffing) and, once they are valid, checks that they refer to each other
correctly (:mod:`wsim.scenario.references`). Load one with :func:`wsim.scenario.load_scenario`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, cast

from pydantic import Field, PrivateAttr, model_validator

from wsim.scenario import references
from wsim.scenario.base import FrozenModel
from wsim.scenario.calendar import Calendar
from wsim.scenario.decision import Decision
from wsim.scenario.errors import FieldProblems
from wsim.scenario.hall import Citizens, Cost, Demand, Profile, Service, Targets, WindowGroup
from wsim.scenario.journeys import (
    Channel,
    Department,
    Handoffs,
    Outage,
    RemoteChannelName,
    Segment,
)
from wsim.scenario.satisfaction import Satisfaction
from wsim.scenario.staffing import Staffing


class Scenario(FrozenModel):
    """A complete, validated scenario. Load one with :func:`wsim.scenario.load_scenario`."""

    name: Annotated[
        str, Field(min_length=1, description="The scenario's name in tables and reports.")
    ]
    description: str = Field("", description="What the scenario is, in a sentence or two.")
    cost: Cost = Cost()
    calendar: Calendar
    services: Annotated[dict[str, Service], Field(min_length=1)]
    profiles: dict[str, Profile] = {}
    demand: Annotated[tuple[Demand, ...], Field(min_length=1)]
    windows: Annotated[tuple[WindowGroup, ...], Field(min_length=1)]
    citizens: Citizens = Citizens()
    targets: Targets = Targets()
    segments: tuple[Segment, ...] = ()
    channels: dict[RemoteChannelName, Channel] = {}
    departments: dict[str, Department] = {}
    handoffs: Handoffs = Handoffs()
    systems: dict[str, Outage] = {}
    staffing: Staffing | None = None
    satisfaction: Satisfaction | None = Field(
        None, description="Ratings of completed cases (see wsim.scenario.satisfaction)."
    )
    decision: Decision = Decision()

    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        problems = references.problems(self)
        if problems:
            raise FieldProblems(problems)
        return self

    def uses_journeys(self) -> bool:
        """True when a case can be more than one hall visit (the journey model is needed)."""
        return bool(
            self.segments
            or self.citizens.balk_to is not None
            or self.departments
            or any(d.channel != "hall" for d in self.demand)
            or any(
                s.workflow or s.incomplete > 0 or s.appointments is not None
                for s in self.services.values()
            )
        )

    def channel(self, name: str) -> Channel:
        """The settings of remote channel ``name`` (defaults when the scenario gives none)."""
        return cast("Mapping[str, Channel]", self.channels).get(name, Channel())

    @property
    def source(self) -> Path | None:
        """The file the scenario was loaded from (``None`` for a mapping)."""
        return self._source

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as JSON-able data (minutes, sorted points); it loads again."""
        return self.model_dump(mode="json")

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict`: equal scenarios, equal digests.

        The ``decision`` block (assumptions of the decision report) is left out: it changes no
        simulated number, so stored replications stay valid when an assumption changes.
        """
        simulated = {k: v for k, v in self.to_dict().items() if k != "decision"}
        text = json.dumps(simulated, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
