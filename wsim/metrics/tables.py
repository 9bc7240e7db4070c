"""From one replication's record to its tables: one row per visit, per case, per window group.

Times are clock minutes (minutes from the start of the first simulated day); lead times days.
"""

from __future__ import annotations

import numpy as np

from wsim.metrics.kpis import busy_and_open, cases_of, counted
from wsim.model.logs import HallLog
from wsim.model.satisfaction import case_hall_waits
from wsim.model.states import CASE_LABELS, SWITCH_LABELS, TICKET_LABELS, CaseState, TicketState
from wsim.scenario.units import MINUTES_PER_DAY

SERVED = TicketState.SERVED
COMPLETED = CaseState.COMPLETED


def case_columns(log: HallLog) -> dict[str, np.ndarray]:
    """The cases as columns: one row per case (times in clock minutes, lead time in days)."""
    cases = cases_of(log)
    completed = cases.state == COMPLETED
    lead = np.where(completed, (cases.end - cases.start) / 1440.0, np.nan)
    decided = np.isfinite(cases.decided)
    on_time = np.where(
        decided & np.isfinite(cases.deadline),
        (cases.decided <= cases.deadline).astype(float),
        np.nan,
    )
    committed = np.where(
        decided & np.isfinite(cases.commitment),
        (cases.decided <= cases.commitment).astype(float),
        np.nan,
    )
    lo, hi = log.window
    n = cases.start.size
    return {
        "case": np.arange(n),
        "service": np.array(log.service_names, dtype=object)[cases.service],
        "stream": np.array(log.stream_names, dtype=object)[cases.stream],
        "channel": cases.channel,
        "segment": cases.segment,
        "start": cases.start,
        "accepted": cases.accepted,
        "decided": cases.decided,
        "end": cases.end,
        "deadline": cases.deadline,
        "lead_time_days": lead,
        "trips": cases.trips,
        "reworks": cases.reworks,
        "handoffs": cases.handoffs,
        "handoff_wait_h": cases.handoff_wait / 60,
        "review_delay_h": cases.review_delay / 60,
        "switched": np.array(SWITCH_LABELS, dtype=object)[cases.switched],
        "hit_by_outage": cases.hit_by_outage,
        "on_time": on_time,
        "commitment": cases.commitment,
        "on_commitment": committed,
        "hall_wait_h": case_hall_waits(log) / 60,
        "bad_rating": log.ratings if log.ratings.size else np.full(n, np.nan),
        "state": np.array(CASE_LABELS, dtype=object)[cases.state],
        "counted": (cases.start >= lo) & (cases.start < hi),
        "day_type": day_type_at(log, cases.start),
    }


def day_type_at(log: HallLog, times: np.ndarray) -> np.ndarray:
    """The day type of the hall day each clock time falls on (``closed`` on other days)."""
    if log.day_start.size == 0:
        return np.full(times.size, "default", dtype=object)
    names = np.array([*log.day_type, "closed"], dtype=object)
    i = np.searchsorted(log.day_start, times, side="right") - 1
    inside = (i >= 0) & (times < log.day_start[np.maximum(i, 0)] + MINUTES_PER_DAY)
    return names[np.where(inside, i, log.day_type.size)]


def visit_columns(log: HallLog) -> dict[str, np.ndarray]:
    """The visit log as columns: one row per ticket (times in clock minutes)."""
    served = log.clerk >= 0
    window = np.array([*log.group_names, ""], dtype=object)
    group = np.where(served, log.clerk_group[np.where(served, log.clerk, 0)], len(log.group_names))
    return {
        "ticket": np.arange(log.arrival.size),
        "service": np.array(log.service_names, dtype=object)[log.service],
        "stream": np.array(log.stream_names, dtype=object)[log.stream],
        "day": log.day,
        "day_type": day_type_at(log, log.arrival),
        "arrival": log.arrival,
        "slot": log.slot if log.slot.size else np.full(log.arrival.size, np.nan),
        "called": log.start,
        "start": log.start,
        "end": log.end,
        "window": window[group],
        "clerk": log.clerk,
        "case": log.case,
        "outcome": np.array(TICKET_LABELS, dtype=object)[log.outcome],
        "counted": counted(log),
    }


def window_columns(log: HallLog) -> dict[str, np.ndarray]:
    """Per window group: open and busy minutes, utilization and tickets served."""
    busy, open_time = busy_and_open(log)
    served = log.outcome == SERVED
    counts = np.bincount(log.clerk_group[log.clerk[served]], minlength=len(log.group_names))
    with np.errstate(invalid="ignore", divide="ignore"):
        utilization = np.where(open_time > 0, busy / open_time, np.nan)
    return {
        "window": np.array(log.group_names, dtype=object),
        "open_time": open_time,
        "busy_time": busy,
        "utilization": utilization,
        "served": counts,
    }
