"""From one replication's record to its KPIs (see :mod:`wsim.metrics.catalog`).

All times are minutes. In continuous mode only tickets that arrive inside the measurement
window [warm-up, horizon) count, and window busy and open time are clipped to that window.
The KPIs of an optional mechanism (pre-review by staff, reacting channel choice, appointments)
are there only when the scenario uses it, so that the tables of other scenarios stay as they
were.
"""

from __future__ import annotations

import numpy as np

from wsim.metrics.catalog import SERVICE_RATING
from wsim.model.logs import CaseLog, HallLog
from wsim.model.states import CaseState, TicketState
from wsim.scenario import Scenario

SERVED, ABANDONED, BALKED = TicketState.SERVED, TicketState.ABANDONED, TicketState.BALKED
COMPLETED = CaseState.COMPLETED


def _overlap(a: np.ndarray, b: np.ndarray, lo: float, hi: float) -> float:
    """Total length of the intervals [a, b) clipped to [lo, hi)."""
    return float(np.clip(np.minimum(b, hi) - np.maximum(a, lo), 0.0, None).sum())


def counted(log: HallLog) -> np.ndarray:
    """Boolean mask of the tickets inside the measurement window."""
    lo, hi = log.window
    return (log.arrival >= lo) & (log.arrival < hi)


def kpis(log: HallLog, scenario: Scenario) -> dict[str, float]:
    """The KPIs of one replication (see :data:`wsim.metrics.catalog.KPI_DESCRIPTIONS`)."""
    busy, open_time = busy_and_open(log)
    return {
        **hall_kpis(log, scenario.targets.hall_wait, busy, open_time),
        **case_kpis(log, scenario, open_time),
        **review_kpis(log, scenario),
        **switch_kpis(log, scenario),
        **appointment_kpis(log, scenario),
        **commitment_kpis(log, scenario),
        **satisfaction_kpis(log, scenario),
    }


def commitment_kpis(log: HallLog, scenario: Scenario) -> dict[str, float]:
    """Committed limits (when a service has ``commitment_days``): on time against them.

    Counted like ``case_on_time_rate`` and ``cases_overdue`` against the statutory limit: the
    cases started in the measurement window, decided ones by their decision, undecided ones
    with a committed deadline as over it.
    """
    if all(service.commitment_days is None for service in scenario.services.values()):
        return {}
    cases = cases_of(log)
    lo, hi = log.window
    mine = (cases.start >= lo) & (cases.start < hi)
    committed = mine & np.isfinite(cases.commitment)
    decided = committed & np.isfinite(cases.decided)
    late = decided & (cases.decided > cases.commitment)
    return {
        "case_committed_rate": _share(~late[decided], int(decided.sum())),
        "cases_over_commitment": float(late.sum() + (committed & ~decided).sum()),
    }


def satisfaction_kpis(log: HallLog, scenario: Scenario) -> dict[str, float]:
    """Ratings (with ``satisfaction``): the share of bad ratings, overall, online, per service.

    Over the rated (completed) cases started in the measurement window; ``online`` are the
    cases that went through the online portal, ``bad_rating_rate:SERVICE`` one per service.
    """
    if scenario.satisfaction is None:
        return {}
    cases = cases_of(log)
    lo, hi = log.window
    rated = (cases.start >= lo) & (cases.start < hi) & np.isfinite(log.ratings)
    bad = log.ratings == 1.0
    online = rated & (cases.channel == "online")
    out = {
        "bad_rating_rate": _share(bad[rated], int(rated.sum())),
        "bad_rating_rate_online": _share(bad[online], int(online.sum())),
    }
    for i, name in enumerate(scenario.services):
        mine = rated & (cases.service == i)
        out[f"{SERVICE_RATING}{name}"] = _share(bad[mine], int(mine.sum()))
    return out


def appointment_kpis(log: HallLog, scenario: Scenario) -> dict[str, float]:
    """Appointments (when a service has them): waits, no-shows, slot use, unmet demand.

    Tickets count by their arrival and bookings by when they were made, inside the measurement
    window; slot utilisation is over the slots of the arrival days.
    """
    if all(service.appointments is None for service in scenario.services.values()):
        return {}
    cases = cases_of(log)
    lo, hi = log.window
    mine = counted(log) & (log.outcome == SERVED)
    booked = mine & np.isfinite(log.slot)
    walk_in = mine & ~np.isfinite(log.slot)
    from_slot = log.start[booked] - np.maximum(log.slot[booked], log.arrival[booked])
    bookings = cases.bookings[(cases.bookings[:, 0] >= lo) & (cases.bookings[:, 0] < hi)]
    unmet = int(((cases.unbooked >= lo) & (cases.unbooked < hi)).sum())
    came = (cases.bookings[:, 2] == 0) & (cases.bookings[:, 3] == 1)
    nan = float("nan")
    walk_in_waits = log.start[walk_in] - log.arrival[walk_in]
    return {
        "appointment_wait_mean": float(np.clip(from_slot, 0, None).mean())
        if from_slot.size
        else nan,
        "appointment_no_show_rate": float(bookings[:, 2].mean()) if bookings.size else nan,
        "slot_utilisation": float(came.sum() / cases.slot_capacity) if cases.slot_capacity else nan,
        "walk_in_wait_mean": float(walk_in_waits.mean()) if walk_in_waits.size else nan,
        "appointment_unmet_share": _share(np.ones(unmet, dtype=bool), len(bookings) + unmet),
    }


def switch_kpis(log: HallLog, scenario: Scenario) -> dict[str, float]:
    """Channel choice that reacts (``segments[i].switch_at`` or ``citizens.balk_to``).

    The share of the cases started in the measurement window that went to the portal instead
    of the hall, for the posted wait or on balking.
    """
    reacting = any(s.switch_at is not None for s in scenario.segments)
    if not reacting and scenario.citizens.balk_to is None:
        return {}
    cases = cases_of(log)
    lo, hi = log.window
    mine = (cases.start >= lo) & (cases.start < hi)
    return {"online_switch_rate": _share(cases.switched[mine] > 0, int(mine.sum()))}


def review_kpis(log: HallLog, scenario: Scenario) -> dict[str, float]:
    """Pre-review by staff (when a channel has ``review``): the delay of a pre-review.

    A pre-review counts when its submission falls in the measurement window.
    """
    if not any(channel.review is not None for channel in scenario.channels.values()):
        return {}
    reviews = cases_of(log).reviews
    lo, hi = log.window
    mine = reviews[(reviews[:, 0] >= lo) & (reviews[:, 0] < hi)]
    delay = (mine[:, 2] - mine[:, 0]) / 60
    return {"pre_review_delay_h_mean": float(delay.mean()) if delay.size else float("nan")}


def hall_kpis(
    log: HallLog, target_wait: float, busy: np.ndarray, open_time: np.ndarray
) -> dict[str, float]:
    """The hall's KPIs: tickets, waits, service level, utilization.

    Utilization comes from the busy and open minutes per window group.
    """
    mask = counted(log)
    outcome = log.outcome[mask]
    arrivals = int(mask.sum())
    served = outcome == SERVED
    waits = (log.start[mask] - log.arrival[mask])[served]
    sojourn = (log.end[mask] - log.arrival[mask])[served]
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


def busy_and_open(log: HallLog) -> tuple[np.ndarray, np.ndarray]:
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
    served = (log.outcome == SERVED) & (log.day < log.day_close.size)
    last = np.full(log.day_close.size, -np.inf)
    np.maximum.at(last, log.day[served], log.end[served])
    return float(np.clip(last - log.day_close, 0.0, None).mean())


def cases_of(log: HallLog) -> CaseLog:
    """The journey layer's cases, or, without journeys, one case per ticket."""
    if log.cases is not None:
        return log.cases
    served = log.outcome == SERVED
    end = log.end
    n = log.arrival.size
    return CaseLog(
        service=log.service,
        stream=log.stream,
        channel=np.full(n, "hall", dtype=object),
        segment=np.full(n, "", dtype=object),
        start=log.arrival,
        accepted=np.where(served, end, np.nan),
        decided=np.where(served, end, np.nan),
        end=end,
        deadline=np.full(n, np.inf),
        commitment=np.full(n, np.inf),
        trips=np.ones(n, dtype=int),
        reworks=np.zeros(n, dtype=int),
        handoffs=np.zeros(n, dtype=int),
        handoff_wait=np.zeros(n),
        hit_by_outage=np.zeros(n, dtype=bool),
        state=np.where(served, COMPLETED, CaseState.ABANDONED),
        handoff_waits=np.empty(0),
        outage_minutes=0.0,
        department_busy=0.0,
        department_available=0.0,
        department_cost=0.0,
        review_delay=np.zeros(n),
        switched=np.zeros(n, dtype=int),
    )


def case_kpis(log: HallLog, scenario: Scenario, open_time: np.ndarray) -> dict[str, float]:
    """The cases' KPIs: lead times, deadlines, trips, channels, handoffs, back office, cost.

    Windows cost by their open minutes (`open_time`, per group).
    """
    cases = cases_of(log)
    lo, hi = log.window
    mine = (cases.start >= lo) & (cases.start < hi)
    completed = mine & (cases.state == COMPLETED)
    lead = (cases.end[completed] - cases.start[completed]) / 1440.0
    trips = cases.trips[completed]
    decided = mine & np.isfinite(cases.decided)
    with_deadline = decided & np.isfinite(cases.deadline)
    late = cases.decided > cases.deadline
    undecided_due = mine & ~np.isfinite(cases.decided) & np.isfinite(cases.deadline)
    online = mine & (cases.channel == "online")
    has_workflow = np.array([bool(s.workflow) for s in scenario.services.values()])
    reworkable = decided & has_workflow[cases.service]
    finished_by = np.where(np.isnan(cases.end), np.inf, cases.end)  # in progress: never
    nan = float("nan")
    window_cost = sum(
        g.hourly_cost * t / 60 for g, t in zip(scenario.windows, open_time, strict=True)
    )
    return {
        "cases_started": float(mine.sum()),
        "case_lead_time_days_mean": float(lead.mean()) if lead.size else nan,
        "case_lead_time_days_p90": float(np.percentile(lead, 90)) if lead.size else nan,
        "case_on_time_rate": _share(~late[with_deadline], int(with_deadline.sum())),
        "cases_overdue": float((with_deadline & late).sum() + undecided_due.sum()),
        "trips_per_case_mean": float(trips.mean()) if trips.size else nan,
        "one_trip_rate": float((trips <= 1).mean()) if trips.size else nan,
        "zero_trip_rate": float((trips == 0).mean()) if trips.size else nan,
        "online_share": _share(online, int(mine.sum())),
        "online_completion_rate": _share(
            (cases.state[online] == COMPLETED) & (cases.trips[online] == 0), int(online.sum())
        ),
        "handoff_wait_h_mean": float(cases.handoff_waits.mean() / 60)
        if cases.handoff_waits.size
        else nan,
        "rework_rate": _share(cases.reworks[reworkable] > 0, int(reworkable.sum())),
        "backlog_end": float((mine & (finished_by >= hi)).sum()),
        "department_utilization": cases.department_busy / cases.department_available
        if cases.department_available
        else nan,
        "outage_hours": cases.outage_minutes / 60,
        "cases_hit_by_outage": float((mine & cases.hit_by_outage).sum()),
        "staff_cost": float(window_cost + cases.department_cost),
    }
