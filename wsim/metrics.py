"""From one replication's event log to KPIs, the visit table and the window table.

All times are minutes. In continuous mode only tickets that arrive inside the measurement
window [warm-up, horizon) count, and window busy and open time are clipped to that window.
"""

from __future__ import annotations

import numpy as np

from wsim.model.hall import ABANDONED, BALKED, SERVED, STATE_NAMES, HallLog

#: KPI columns of `Results.kpis`, in order, with what each measures.
KPI_DESCRIPTIONS: dict[str, str] = {
    "hall_arrivals": "tickets issued (count)",
    "hall_served": "tickets served (count)",
    "hall_abandon_rate": "share of tickets that left the queue before being called",
    "hall_balk_rate": "share of citizens who left on arrival because the queue was too long",
    "hall_wait_mean": "mean wait of served tickets, ticket to call (min)",
    "hall_wait_p50": "median wait of served tickets (min)",
    "hall_wait_p90": "90th percentile of the wait of served tickets (min)",
    "hall_wait_prob": "share of served tickets that waited at all",
    "hall_service_level": "share of all tickets served within targets.hall_wait",
    "hall_sojourn_mean": "mean time in the hall of served tickets, ticket to end of service (min)",
    "window_utilization": "busy time over open time of all windows",
    "hall_close_overrun": "mean minutes past closing until the last citizen is served (days mode)",
}


def _overlap(a: np.ndarray, b: np.ndarray, lo: float, hi: float) -> float:
    """Total length of the intervals [a, b) clipped to [lo, hi)."""
    return float(np.clip(np.minimum(b, hi) - np.maximum(a, lo), 0.0, None).sum())


def counted(log: HallLog) -> np.ndarray:
    """Boolean mask of the tickets inside the measurement window."""
    lo, hi = log.window
    return (log.arrival >= lo) & (log.arrival < hi)


def kpis(log: HallLog, target_wait: float) -> dict[str, float]:
    """The KPIs of one replication (see `KPI_DESCRIPTIONS`)."""
    mask = counted(log)
    outcome = log.outcome[mask]
    arrivals = int(mask.sum())
    served = outcome == SERVED
    waits = (log.start[mask] - log.arrival[mask])[served]
    sojourn = (log.end[mask] - log.arrival[mask])[served]
    busy, open_time = _busy_and_open(log)
    nan = float("nan")
    return {
        "hall_arrivals": float(arrivals),
        "hall_served": float(served.sum()),
        "hall_abandon_rate": _share(outcome == ABANDONED, arrivals),
        "hall_balk_rate": _share(outcome == BALKED, arrivals),
        "hall_wait_mean": float(waits.mean()) if waits.size else nan,
        "hall_wait_p50": float(np.percentile(waits, 50)) if waits.size else nan,
        "hall_wait_p90": float(np.percentile(waits, 90)) if waits.size else nan,
        "hall_wait_prob": float((waits > 0).mean()) if waits.size else nan,
        "hall_service_level": _share(waits <= target_wait, arrivals),
        "hall_sojourn_mean": float(sojourn.mean()) if sojourn.size else nan,
        "window_utilization": float(busy.sum() / open_time.sum()) if open_time.sum() else nan,
        "hall_close_overrun": _close_overrun(log),
    }


def _share(flags: np.ndarray, total: int) -> float:
    return float(flags.sum() / total) if total else float("nan")


def _busy_and_open(log: HallLog) -> tuple[np.ndarray, np.ndarray]:
    """Busy and open minutes per window group, inside the measurement window."""
    lo, hi = log.window
    n_groups = len(log.group_names)
    busy = np.zeros(n_groups)
    open_time = np.zeros(n_groups)
    served = log.outcome == SERVED
    ticket_group = log.clerk_group[log.clerk[served]]
    for g in range(n_groups):
        mine = ticket_group == g
        busy[g] = _overlap(log.start[served][mine], log.end[served][mine], lo, hi)
        shifts = log.clerk_group[log.shift_clerk] == g
        open_time[g] = _overlap(log.shift_from[shifts], log.shift_to[shifts], lo, hi)
    return busy, open_time


def _close_overrun(log: HallLog) -> float:
    """Mean over open days of the minutes from closing to the end of the last service."""
    if log.day_close.size == 0:
        return float("nan")
    served = log.outcome == SERVED
    last = np.full(log.day_close.size, -np.inf)
    np.maximum.at(last, log.day[served], log.end[served])
    return float(np.clip(last - log.day_close, 0.0, None).mean())


def visit_columns(log: HallLog) -> dict[str, np.ndarray]:
    """The visit log as columns: one row per ticket (times in clock minutes)."""
    served = log.clerk >= 0
    window = np.array(log.group_names + [""], dtype=object)
    group = np.where(served, log.clerk_group[np.where(served, log.clerk, 0)], len(log.group_names))
    return {
        "ticket": np.arange(log.arrival.size),
        "service": np.array(log.service_names, dtype=object)[log.service],
        "stream": np.array(log.stream_names, dtype=object)[log.stream],
        "day": log.day,
        "arrival": log.arrival,
        "called": log.start,
        "start": log.start,
        "end": log.end,
        "window": window[group],
        "clerk": log.clerk,
        "outcome": np.array(STATE_NAMES, dtype=object)[log.outcome],
        "counted": counted(log),
    }


def window_columns(log: HallLog) -> dict[str, np.ndarray]:
    """Per window group: open and busy minutes, utilization and tickets served."""
    busy, open_time = _busy_and_open(log)
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
