"""Queueing formulas as the surrogate of extra clerks, where they are accurate.

A lever that only adds windows to a window group changes a queue that queueing theory solves
exactly when the hall is a set of stationary M/M/n+M queues: Erlang A
(:func:`wsim.queueing.erlang_a`; Erlang C, :func:`wsim.queueing.mmc_wait_mean`, when citizens
never give up). Its effect then needs no simulation: it is the formula's KPIs with the lever
minus the formula's KPIs without it, the same in every replication.

Where the formulas hold (every condition is checked; the first that fails is the reason):

- ``continuous`` mode: a stationary queue (in ``days`` mode demand and staffing change over
  the day, every day starts empty and ends draining, and the stationary formulas misstate
  the waits: see docs/portfolio.md for the W district's numbers);
- the hall only: no journeys (departments, workflows, remote channels, returns), so a case is
  one ticket;
- demand ``per_hour`` through the hall (Poisson at a constant rate), no priorities;
- each service served by exactly one window group with a constant ``count`` (independent
  queues; a service two groups serve is not an M/M/n queue);
- no balking, and exponential patience (Erlang A) or none (Erlang C, stable groups only).

The formulas then use each group's arrival rate, its mean window time (the services' means
over their speeds, weighted by arrivals) and its windows; window times need not be
exponential, and that, like any condition the checks cannot see, is what the **accuracy
gate** is for: the formulas' KPIs of the baseline must match its simulation (hall wait,
abandonment, service level: the simulated confidence interval lies within 10% of the formula's
value, or within 0.1 min and 0.01 for KPIs near 0; a simulation too imprecise to tell fails
the gate). Only then are
``clerks`` levers (windows added, nothing else) given formula effects; the verification loop
simulates every chosen portfolio anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wsim import queueing
from wsim.experiment import t_interval
from wsim.optimize.levers.lever import Lever
from wsim.optimize.levers.operations import AddWindows
from wsim.scenario import Scenario
from wsim.scenario.distributions import Exponential

if TYPE_CHECKING:
    from wsim.optimize.levers.effects import LeverEffects

#: How far the simulated baseline's interval may reach from the formula: 10% of its value...
REL_TOLERANCE = 0.10
#: ... or, for KPIs near 0, these absolute amounts; the baseline KPIs the gate compares
#: (abandonment only with patience).
GATE_KPIS: dict[str, float] = {
    "hall_wait_mean": 0.1,  # minutes
    "hall_abandon_rate": 0.01,
    "hall_service_level": 0.01,
}
#: How effects from the formulas are labelled.
SOURCE = "Erlang A/C formula"


def hall_problem(scenario: Scenario) -> str | None:
    """Why the stationary formulas do not describe this hall, or ``None`` when they do."""
    if scenario.calendar.mode != "continuous":
        return (
            "days mode: demand and windows vary over the day and each day starts empty, "
            "while Erlang A/C describe a stationary queue"
        )
    if scenario.uses_journeys():
        return "cases are more than one hall visit (journeys), which the formulas leave out"
    for demand in scenario.demand:
        if demand.per_hour is None or demand.channel != "hall" or demand.priority != 0:
            return "demand is not a constant per_hour stream through the hall without priority"
    serving: dict[str, list[str]] = {}
    for group in scenario.windows:
        if group.count is None:
            return f"window group {group.name} follows a schedule, not a constant count"
        for service in group.serves:
            serving.setdefault(service, []).append(group.name)
    shared = [s for s, groups in serving.items() if len(groups) > 1]
    if shared:
        return f"service {shared[0]} is served by several groups (not independent queues)"
    citizens = scenario.citizens
    if citizens.balk_at is not None:
        return "citizens balk at a queue length (balk_at), which Erlang A leaves out"
    if citizens.patience is not None and not isinstance(citizens.patience, Exponential):
        return "patience is not exponential (Erlang A assumes it is)"
    return None


def hall_kpis(scenario: Scenario) -> dict[str, float]:
    """The formulas' KPIs of one replication of a hall :func:`hall_problem` accepts.

    Counts are over the measured window (horizon minus warm-up); a hall without a problem
    but with an unstable group (Erlang C, load >= windows) raises ValueError.
    """
    minutes = float((scenario.calendar.horizon or 0.0) - scenario.calendar.warmup)
    patience = scenario.citizens.patience
    target = scenario.targets.hall_wait
    arrivals = served = waited = abandoned = within = sojourn = cost = 0.0
    for group in scenario.windows:
        rates = {
            service: sum(d.per_hour or 0.0 for d in scenario.demand if d.service == service) / 60
            for service in group.serves
        }
        rate = sum(rates.values())
        if rate == 0 or not group.count:
            cost += group.hourly_cost * (group.count or 0) * minutes / 60
            continue
        service_mean = (
            sum(
                r * scenario.services[s].window_time.expected() / group.speed.get(s, 1.0)
                for s, r in rates.items()
            )
            / rate
        )
        if patience is None:
            wait = queueing.mmc_wait_mean(rate, service_mean, group.count)
            p_abandon, level = (
                0.0,
                queueing.mmc_service_level(rate, service_mean, group.count, target),
            )
        else:
            measures = queueing.erlang_a(group.count, rate, service_mean, patience.expected())
            wait, p_abandon = measures.wait_mean_served, measures.p_abandon
            level = measures.p_served_within(target)
        arrivals += rate * minutes
        served += rate * (1 - p_abandon) * minutes
        waited += rate * (1 - p_abandon) * minutes * wait
        sojourn += rate * (1 - p_abandon) * minutes * (wait + service_mean)
        abandoned += rate * p_abandon * minutes
        within += rate * level * minutes
        cost += group.hourly_cost * group.count * minutes / 60
    return {
        "hall_arrivals": arrivals,
        "hall_served": served,
        "hall_wait_mean": waited / served if served else math.nan,
        "hall_abandon_rate": abandoned / arrivals if arrivals else math.nan,
        "hall_service_level": within / arrivals if arrivals else math.nan,
        "cases_started": arrivals,
        "case_lead_time_days_mean": sojourn / served / 1440 if served else math.nan,
        "trips_per_case_mean": 1.0,
        "one_trip_rate": 1.0,
        "staff_cost": cost,
    }


def only_adds_windows(lever: Lever) -> bool:
    """True for a lever whose every operation adds windows to a group."""
    return bool(lever.operations) and all(isinstance(op, AddWindows) for op in lever.operations)


@dataclass(frozen=True)
class Gate:
    """Whether the formulas may stand in for simulation of extra clerks, and why.

    Attributes
    ----------
    accurate : the formulas apply and match the simulated baseline.
    reason : why they do not apply, or how well they match.
    comparison : per gate KPI, the formula's value, the simulated mean and its interval.
    """

    accurate: bool
    reason: str
    comparison: pd.DataFrame


def gate(baseline: Scenario, simulated: pd.DataFrame, confidence: float = 0.95) -> Gate:
    """Compare the formulas' KPIs of the baseline with its simulation (one row per replication)."""
    columns = ["kpi", "formula", "simulated", "simulated_low", "simulated_high", "accurate"]
    problem = hall_problem(baseline)
    if problem is None:
        try:
            predicted = hall_kpis(baseline)
        except ValueError as error:
            problem = f"the formulas cannot describe the baseline ({error})"
    if problem is not None:
        return Gate(False, problem, pd.DataFrame(columns=columns))
    rows = []
    for kpi in GATE_KPIS:
        if kpi == "hall_abandon_rate" and baseline.citizens.patience is None:
            continue
        mean, low, high, _ = t_interval(simulated[kpi].to_numpy(dtype=float), confidence)
        value = predicted[kpi]
        reach = max(abs(low - value), abs(high - value))  # NaN (one replication): not accurate
        accurate = reach <= max(REL_TOLERANCE * abs(value), GATE_KPIS[kpi])
        rows.append(
            {
                "kpi": kpi,
                "formula": value,
                "simulated": mean,
                "simulated_low": low,
                "simulated_high": high,
                "accurate": bool(accurate),
            }
        )
    comparison = pd.DataFrame(rows, columns=columns)
    off = comparison[~comparison.accurate]
    if len(off):
        row = off.iloc[0]
        reason = (
            f"the formulas miss the simulated baseline: {row.kpi} {row.formula:.4g} against "
            f"{row.simulated:.4g} [{row.simulated_low:.4g}, {row.simulated_high:.4g}]"
        )
        return Gate(False, reason, comparison)
    listed = "; ".join(
        f"{row.kpi} {row.formula:.4g} (simulated {row.simulated:.4g})"
        for row in comparison.itertuples()
    )
    return Gate(True, f"the formulas match the simulated baseline: {listed}", comparison)


def formula_deltas(
    scenarios: Mapping[str, Scenario], kpis: tuple[str, ...], derive, replications: int
) -> np.ndarray:
    """Replications x KPIs: the formulas' KPIs of ``scenarios["with"]`` minus ``["without"]``.

    ``derive`` adds the yearly totals to a KPI table; every replication gets the same change.
    """
    tables = {
        key: derive(pd.DataFrame([hall_kpis(scenario)])) for key, scenario in scenarios.items()
    }
    change = tables["with"][list(kpis)].to_numpy(dtype=float) - tables["without"][
        list(kpis)
    ].to_numpy(dtype=float)
    return np.repeat(change, replications, axis=0)


def formula_effects(effects: LeverEffects) -> tuple[Gate, dict[str, np.ndarray]]:
    """The gate on the simulated baseline, and the deltas of every lever the formulas give.

    A lever qualifies when it and everything it requires only add windows, and the hall
    with and without it passes :func:`hall_problem` (an unstable group or a KPI the formulas
    do not give leaves it to simulation).
    """
    levers = effects.levers
    checked = gate(levers.baseline, effects.runner.kpis(frozenset()), effects.confidence)
    if not checked.accurate:
        return checked, {}
    found = {}
    lever_of = {lever.name: lever for lever in levers.levers}
    for name in levers.names:
        closure = effects.closure[name]
        if not all(only_adds_windows(lever_of[n]) for n in closure):
            continue
        scenarios = {
            "with": levers.scenario(sorted(closure)),
            "without": levers.scenario(sorted(closure - {name})),
        }
        if any(hall_problem(s) for s in scenarios.values()):
            continue
        try:
            found[name] = formula_deltas(
                scenarios, effects.kpis, effects.values.derive, effects.runner.replications
            )
        except (ValueError, KeyError):  # an unstable group, or a KPI it does not give
            continue
    return checked, found
