"""Offered load per staffed group and slot, from the scenario's demand (no simulation).

Two measures, both in Erlangs (clerks' worth of work):

* the **slot average load** (what SIPP uses): arrivals expected in the slot times the mean
  window time, divided by the slot length;
* the **modified offered load** ``m(t)`` (what the lag method uses): the expected number of
  citizens who would be at a window at time ``t`` if no one ever waited, the mean of an
  M(t)/G/infinity queue, ``m(t) = E[Lambda(t) - Lambda(t - S)]`` with ``Lambda`` the expected
  cumulative arrivals and ``S`` the window time. Unlike the slot average it counts the
  services that began in earlier slots and are still going on, so it lags behind a peak by
  about a window time.

The expected arrivals come from the demand streams (:func:`demand_curves`). When citizens'
journeys decide who comes to the hall and when (channel choice, returns with missing
documents, verification visits, pickups), they are measured in a simulation of the scenario
instead (:func:`measured_curves`).

What the formulas assume, and the simulation method does not:
* each group is its own queue: a service served by several window groups (staffed or not) is
  split evenly among them, and pooling between groups is ignored;
* the arrival rate of a slot is the average over the scenario's open days (weekday factors
  averaged); balking is ignored, and patience enters as an exponential with its mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim import streams
from wsim.model.arrivals import periods
from wsim.model.calendar import open_days
from wsim.optimize.shifts.problem import StaffingProblem
from wsim.scenario.units import MINUTES_PER_DAY

#: Window-time draws per service for the modified offered load, and the evenly spaced
#: quantiles of them that stand for the distribution (a stratified sample: the error of m(t)
#: is well below 1% of the load, at a twentieth of the work of using every draw).
SERVICE_SAMPLES = 20_000
SERVICE_QUANTILES = 1_000
#: Points per slot at which the modified offered load is evaluated (slot start included,
#: next slot start too, so a load rising through the slot is caught at its highest).
POINTS_PER_SLOT = 6


@dataclass(frozen=True)
class ArrivalCurve:
    """Expected cumulative hall arrivals of one service over an average open day.

    ``knots`` are minutes after midnight, ``values`` the expected arrivals from midnight to
    each knot; between knots the curve is linear (the rate is constant). In ``periodic``
    (continuous) mode the day repeats, so the curve extends to earlier days.
    """

    knots: np.ndarray
    values: np.ndarray
    periodic: bool

    @property
    def total(self) -> float:
        """Expected arrivals in a whole day."""
        return float(self.values[-1])

    def at(self, clock: np.ndarray | float) -> np.ndarray:
        """Expected arrivals from the start of the day to ``clock`` (minutes; may be < 0)."""
        clock = np.asarray(clock, dtype=float)
        if not self.periodic:
            return np.interp(clock, self.knots, self.values, left=0.0, right=self.total)
        days = np.floor(clock / MINUTES_PER_DAY)
        inside = clock - days * MINUTES_PER_DAY
        return np.interp(inside, self.knots, self.values) + days * self.total


Curves = dict[str, ArrivalCurve]
"""Per service, its arrival curve."""


def demand_curves(problem: StaffingProblem) -> Curves:
    """Per service, the expected cumulative arrivals of an average open day.

    They come from the demand streams that start in the hall (``channel: hall``).
    """
    scenario = problem.scenario
    calendar = scenario.calendar
    days = open_days(calendar)
    if calendar.mode == "continuous":
        whole = [day for day in days if day.start + MINUTES_PER_DAY <= calendar.horizon]
        days = whole or days
    starts = {day.index: day.start for day in days}
    pieces: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {s: [] for s in scenario.services}
    for demand in scenario.demand:
        if demand.channel != "hall":
            continue
        for period in periods(demand, scenario):
            if period.day not in starts:
                continue
            knots = np.array([*period.breaks, period.end]) - starts[period.day]
            widths = np.diff(knots)
            cumulative = np.concatenate([[0.0], np.cumsum(np.array(period.rates) * widths)])
            pieces[demand.service].append((knots, cumulative))
    curves = {}
    for service, parts in pieces.items():
        grid = np.unique(np.concatenate([[0.0, MINUTES_PER_DAY], *(k for k, _ in parts)]))
        total = np.zeros(grid.size)
        for knots, cumulative in parts:
            total += np.interp(grid, knots, cumulative, left=0.0, right=cumulative[-1])
        curves[service] = ArrivalCurve(grid, total / len(days), calendar.mode == "continuous")
    return curves


def service_shares(problem: StaffingProblem) -> np.ndarray:
    """(groups, services) share of each service's demand a staffed group takes.

    A service is split evenly among all window groups that serve it: the scenario's groups
    plus the groups the staffing section declares.
    """
    scenario = problem.scenario
    services = list(scenario.services)
    servers = {service: 0 for service in services}
    declared = [group for group in problem.groups if group.declared]
    for group in (*scenario.windows, *declared):
        for service in group.serves:
            servers[service] += 1
    shares = np.zeros((len(problem.groups), len(services)))
    for g, group in enumerate(problem.groups):
        for service in group.serves:
            shares[g, services.index(service)] = 1.0 / servers[service]
    return shares


def window_means(problem: StaffingProblem) -> np.ndarray:
    """(groups, services) mean window time (minutes) of each service at each group's speed."""
    services = problem.scenario.services
    means = np.array([services[name].window_time.expected() for name in services])
    speeds = np.array(
        [[group.speed.get(name, 1.0) for name in services] for group in problem.groups]
    )
    return means[None, :] / speeds


@dataclass(frozen=True)
class SlotLoad:
    """Per (group, slot): arrival rate (per minute), mean window time (minutes) and load."""

    arrival_rate: np.ndarray
    service_mean: np.ndarray
    load: np.ndarray


def measured_curves(problem: StaffingProblem, visits: pd.DataFrame, replications: int) -> Curves:
    """Per service, the cumulative hall tickets of an average open day in simulated visits.

    Every ticket taken on one of the calendar's arrival days counts (first visits, returns,
    verification visits, pickups), averaged over replications and days; the curve is
    resolved to the minute.
    """
    calendar = problem.scenario.calendar
    days = len(open_days(calendar))
    kept = visits[(visits["day"] < days) & visits["counted"].astype(bool)]
    clock = kept["arrival"].to_numpy(dtype=float) % MINUTES_PER_DAY
    edges = np.arange(0.0, MINUTES_PER_DAY + 1.0)
    curves = {}
    for service in problem.scenario.services:
        mine = clock[(kept["service"] == service).to_numpy()]
        counts, _ = np.histogram(mine, bins=edges)
        cumulative = np.concatenate([[0.0], np.cumsum(counts)]) / (replications * days)
        curves[service] = ArrivalCurve(edges, cumulative, calendar.mode == "continuous")
    return curves


def slot_loads(problem: StaffingProblem, curves: Curves) -> SlotLoad:
    """Each slot's average arrival rate, mean window time and offered load (SIPP's input).

    The mean window time of a slot without arrivals is the group's day average.
    """
    starts, length = problem.slots, problem.slot_length
    arrivals = np.array([curves[s].at(starts + length) - curves[s].at(starts) for s in curves])
    shares, means = service_shares(problem), window_means(problem)
    rate = shares @ arrivals / length  # (groups, slots)
    work = (shares * means) @ arrivals / length
    day_mean = _day_service_mean(shares, means, arrivals.sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        service_mean = np.where(rate > 0, work / rate, day_mean[:, None])
    return SlotLoad(rate, service_mean, work)


def _day_service_mean(shares: np.ndarray, means: np.ndarray, volume: np.ndarray) -> np.ndarray:
    """Per group, the mean window time over the day's demand (plain mean if no demand)."""
    weights = shares * volume[None, :]
    served = shares > 0
    plain = np.array([means[g, served[g]].mean() for g in range(shares.shape[0])])
    total = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (weights * means).sum(axis=1) / total, plain)


def modified_offered_load(
    problem: StaffingProblem, curves: Curves
) -> tuple[np.ndarray, np.ndarray]:
    """The modified offered load ``m(t)`` per group at points through each slot.

    Returns ``(points, load)``: ``points`` (slots, POINTS_PER_SLOT + 1) clock minutes from each
    slot's start to its end, and ``load`` (groups, slots, POINTS_PER_SLOT + 1) in Erlangs.
    Window times are drawn from a fixed stream, so the result does not depend on any seed;
    their quantiles are scaled to the exact mean window time.
    """
    scenario = problem.scenario
    offsets = np.linspace(0.0, problem.slot_length, POINTS_PER_SLOT + 1)
    points = problem.slots[:, None] + offsets[None, :]
    shares = service_shares(problem)
    load = np.zeros((len(problem.groups), *points.shape))
    for k, (name, service) in enumerate(scenario.services.items()):
        if not shares[:, k].any() or curves[name].total == 0:
            continue
        rng = streams.stream(0, 0, f"staffing:window_time:{name}")
        draws = np.sort(streams.block_sampler(service.window_time, rng)(SERVICE_SAMPLES))
        step = SERVICE_SAMPLES // SERVICE_QUANTILES
        draws = draws[step // 2 :: step]
        draws *= service.window_time.expected() / draws.mean()  # a steady load comes out exact
        now = curves[name].at(points)
        for g, group in enumerate(problem.groups):
            if shares[g, k] == 0:
                continue
            duration = draws / group.speed.get(name, 1.0)
            earlier = curves[name].at(points[..., None] - duration).mean(axis=-1)
            load[g] += shares[g, k] * (now - earlier)
    return points, load
