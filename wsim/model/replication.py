"""One replication: build the SimPy world of a scenario, run it, and return its record.

The hall is always there; the journey layer (channels, back office, returns, pickups) joins it
when the scenario has journeys, listening to the hall's arrivals and ticket outcomes.
"""

from __future__ import annotations

from wsim.model.hall import Hall
from wsim.model.journey import Journeys
from wsim.model.logs import HallLog
from wsim.scenario.schema import Scenario


def build_world(scenario: Scenario, seed: int, replication: int) -> tuple[Hall, Journeys | None]:
    """The hall of replication `replication` and its journey layer, not run yet.

    The journey layer, listening to the hall, exists only if the scenario has journeys (else it is
    None).
    """
    hall = Hall(scenario, seed, replication)
    journeys = Journeys(hall, scenario, seed, replication) if scenario.uses_journeys() else None
    hall.listener = journeys
    return hall, journeys


def run_replication(scenario: Scenario, seed: int, replication: int) -> HallLog:
    """Simulate replication `replication` of `scenario` with random streams from `seed`."""
    hall, journeys = build_world(scenario, seed, replication)
    log = hall.run()
    if journeys is not None:
        log.cases = journeys.log(log.window)
    return log
