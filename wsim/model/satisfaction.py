"""Ratings of completed cases: good or bad, by the logistic model of the scenario.

The model is stated in :mod:`wsim.scenario.satisfaction`. Ratings are drawn once, after the
run, from their own random stream ``satisfaction`` (one uniform per case, in case order), so
that a scenario with ratings simulates every other number exactly as it does without them.
"""

from __future__ import annotations

import numpy as np

from wsim import streams
from wsim.model.logs import HallLog
from wsim.model.states import CaseState, TicketState
from wsim.scenario.satisfaction import Satisfaction
from wsim.scenario.units import MINUTES_PER_DAY

STREAM = "satisfaction"


def bad_probability(
    spec: Satisfaction, wait_h: np.ndarray, trips: np.ndarray, lead_days: np.ndarray
) -> np.ndarray:
    """P(bad) = logistic(b0 + b_wait x wait (h) + b_trips x (trips - 1) + b_lead x lead (days))."""
    x = spec.b0 + spec.b_wait * wait_h + spec.b_trips * (trips - 1) + spec.b_lead * lead_days
    return 0.5 * (1.0 + np.tanh(x / 2.0))  # the logistic function, without overflow


def hall_waits(log: HallLog, n_cases: int, case_of_ticket: np.ndarray) -> np.ndarray:
    """Minutes each case waited in hall queues: served tickets to the call, others to leaving."""
    until = np.where(np.isfinite(log.start), log.start, log.end)
    wait = np.nan_to_num(until - log.arrival, nan=0.0)  # a ticket still waiting at the end: 0
    mine = case_of_ticket >= 0
    return np.bincount(case_of_ticket[mine], weights=wait[mine], minlength=n_cases)


def case_hall_waits(log: HallLog) -> np.ndarray:
    """Minutes each case waited in hall queues (without journeys: each ticket is a case)."""
    if log.cases is not None:
        return hall_waits(log, log.cases.start.size, log.case)
    return hall_waits(log, log.arrival.size, np.arange(log.arrival.size))


def ratings(log: HallLog, spec: Satisfaction, seed: int, replication: int) -> np.ndarray:
    """Per case: 1.0 rated bad, 0.0 good, NaN not rated (cases that were not completed).

    Without journeys each ticket is a case of one trip, completed when served (as in
    :func:`wsim.metrics.kpis.cases_of`).
    """
    cases = log.cases
    if cases is not None:
        trips, completed = cases.trips, cases.state == CaseState.COMPLETED
        lead = (cases.end - cases.start) / MINUTES_PER_DAY
    else:
        trips, completed = np.ones(log.arrival.size), log.outcome == TicketState.SERVED
        lead = (log.end - log.arrival) / MINUTES_PER_DAY
    wait_h = case_hall_waits(log) / 60.0
    n = wait_h.size
    p = bad_probability(spec, wait_h, trips, np.nan_to_num(lead, nan=0.0))
    u = streams.stream(seed, replication, STREAM).random(n)
    return np.where(completed, (u < p).astype(float), np.nan)
