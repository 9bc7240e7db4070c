"""One replication: build the SimPy world of a scenario, run it, and return its record.

The hall is always there; the journey layer (channels, back office, returns, pickups) joins it
when the scenario has journeys, listening to the hall's arrivals and ticket outcomes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from wsim.model.hall import Hall
from wsim.model.journey import Journeys
from wsim.model.logs import HallLog
from wsim.model.satisfaction import ratings
from wsim.model.timeline import TooManyEvents
from wsim.scenario.limits import RunLimits, default_limits
from wsim.scenario.schema import Scenario
from wsim.scenario.size import QUANTITIES, RunTooLarge


def build_world(
    scenario: Scenario, seed: int, replication: int, limits: RunLimits | None = None
) -> tuple[Hall, Journeys | None]:
    """The hall of replication `replication` and its journey layer, not run yet.

    The journey layer, listening to the hall, exists only if the scenario has journeys (else it is
    None). `limits` bound how far the replication may grow while it runs (default: the
    environment's :func:`~wsim.scenario.limits.default_limits`).
    """
    limits = default_limits() if limits is None else limits
    hall = Hall(scenario, seed, replication, limits)
    journeys = None
    if scenario.uses_journeys():
        journeys = Journeys(hall, scenario, seed, replication, limits)
    hall.listener = journeys
    return hall, journeys


def run_replication(
    scenario: Scenario, seed: int, replication: int, limits: RunLimits | None = None
) -> HallLog:
    """Simulate replication `replication` of `scenario` with random streams from `seed`.

    A replication that grows past the running guard of `limits` stops with
    :class:`~wsim.scenario.size.RunTooLarge` (what finished before it is the caller's to keep).
    """
    limits = default_limits() if limits is None else limits
    try:
        with _without_cycle_collector():
            hall, journeys = build_world(scenario, seed, replication, limits)
            log = hall.run()
            if journeys is not None:
                log.cases = journeys.log(log.window)
            if scenario.satisfaction is not None:
                log.ratings = ratings(log, scenario.satisfaction, seed, replication)
            _dismantle(hall, journeys)
    except TooManyEvents as grown:
        raise _stopped(scenario, replication, limits, grown) from None
    return log


def _dismantle(*parts: object) -> None:
    """Drop everything the finished world's `parts` hold, now, while the collector is paused.

    The hall and the journey layer refer to each other and keep bound methods of their own
    (callbacks), so they sit in reference cycles that only the cycle collector would free; its
    next pass would first scan every ticket and case list of the run (a gen-0 pass of 30 to
    40 ms after 100,000 tickets). Emptied, they are freed by reference counting, and the
    collector never sees the run. The log holds copies (numpy arrays), not these lists.
    """
    for part in parts:
        if part is not None:
            vars(part).clear()


@contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Run the block with Python's cycle collector paused (restored after, also on errors).

    A replication allocates millions of short-lived objects (SimPy events, tuples, case
    processes) that reference counting frees as they die; the collector, triggered by the
    allocations, would scan the ever longer lists of the visit and case logs again and again
    (10 to 25% of a year of the W district, more the longer the run). What the run leaves in
    cycles is collected when the collector runs again after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stopped(
    scenario: Scenario, replication: int, limits: RunLimits, grown: TooManyEvents
) -> RunTooLarge:
    quantity = QUANTITIES[grown.quantity]
    limit = getattr(limits, quantity.limit)
    message = (
        f"replication {replication} stopped after {grown.count:,} {quantity.unit}, "
        f"{limits.running_factor:g} times the run-size limit of {limit:,.0f}: it grew far "
        "beyond its estimate (visits repeated again and again, or outages every instant). "
        "Replications finished before it are kept (with --out on disk: the same command "
        f"resumes). To allow it: {quantity.option} N, or limits=RunLimits("
        f"{quantity.limit}=N) in Python"
    )
    file = None if scenario.source is None else str(scenario.source)
    return RunTooLarge([("", message)], file)
