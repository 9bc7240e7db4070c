"""The KPIs wsim measures: what each one means, its unit, and which direction is better.

One table for everything that shows KPIs (the CLI tables, the report, the plots), so that a
KPI is described the same way everywhere.
"""

from __future__ import annotations

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
    "cases_started": "cases started (count)",
    "case_lead_time_days_mean": "mean days from first contact to result, completed cases",
    "case_lead_time_days_p90": "90th percentile of the lead time of completed cases (days)",
    "case_on_time_rate": "share of decided cases decided within their statutory deadline",
    "cases_overdue": "cases decided late or still undecided past their deadline (count)",
    "trips_per_case_mean": "mean hall visits per completed case",
    "one_trip_rate": "share of completed cases with at most one hall visit",
    "zero_trip_rate": "share of completed cases with no hall visit",
    "online_share": "share of cases started on the online portal",
    "online_completion_rate": "share of cases started online completed without a hall visit",
    "handoff_wait_h_mean": "mean wait of a handoff between departments (hours)",
    "rework_rate": "share of decided cases with a workflow that needed rework",
    "backlog_end": "cases started but not finished at the end of the last arrival day (count)",
    "department_utilization": "back-office staff working time spent on cases",
    "outage_hours": "hours any system was down during the arrival days",
    "cases_hit_by_outage": "cases that met an outage, online or in the back office (count)",
    "staff_cost": "cost of open windows and back-office staff over the arrival days",
    "pre_review_delay_h_mean": "mean time from an online submission to the end of its "
    "pre-review by staff, overnight waits included (hours)",
    "online_switch_rate": "share of cases that went to the portal instead of the hall, for the "
    "posted hall wait or on balking",
    "appointment_wait_mean": "mean wait of served booked citizens from their slot time (from "
    "arrival when they came late; 0 when called before the slot) to the call (min)",
    "appointment_no_show_rate": "share of bookings whose citizen did not come",
    "slot_utilisation": "booked citizens who came over the slots' capacity (citizens per slot x "
    "slots) on the arrival days",
    "walk_in_wait_mean": "mean wait of served tickets without a slot, ticket to call (min)",
    "appointment_unmet_share": "share of the citizens who wanted a slot that found none with room "
    "(they came as walk-ins)",
}

#: KPIs shown first (terminal table, report) when a comparison has them, in this order.
HEADLINE_KPIS: tuple[str, ...] = (
    "hall_wait_mean",
    "hall_service_level",
    "hall_abandon_rate",
    "case_lead_time_days_mean",
    "trips_per_case_mean",
    "one_trip_rate",
    "case_on_time_rate",
)

#: Which direction is an improvement, for the KPIs where that is clear. Others are reported
#: without a judgement (pass ``better=`` to :func:`compare` to add or override).
KPI_BETTER: dict[str, str] = {
    "hall_abandon_rate": "lower",
    "hall_balk_rate": "lower",
    "hall_wait_mean": "lower",
    "hall_wait_p50": "lower",
    "hall_wait_p90": "lower",
    "hall_wait_prob": "lower",
    "hall_service_level": "higher",
    "hall_sojourn_mean": "lower",
    "hall_close_overrun": "lower",
    "case_lead_time_days_mean": "lower",
    "trips_per_case_mean": "lower",
    "one_trip_rate": "higher",
    "case_on_time_rate": "higher",
    "online_share": "higher",
    "staff_cost": "lower",
    "pre_review_delay_h_mean": "lower",
    "appointment_wait_mean": "lower",
    "appointment_no_show_rate": "lower",
    "walk_in_wait_mean": "lower",
    "appointment_unmet_share": "lower",
}
