"""Hourly measures of a scenario's replications, by hour of the day (clock minutes mod 1 day).

- ``wait_mean``: mean wait (ticket to call, minutes) of the served tickets that arrived in
  that hour (counted tickets only);
- ``queue_mean``: time-average number of citizens waiting in the hall during that hour;
- ``utilization``: busy window-minutes over scheduled window-minutes (from the scenario's
  window schedules, by the hall's own rule :meth:`WindowGroup.count_at`) in that hour; a clerk
  finishing a citizen just after a schedule change can push it a little above 1.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from wsim.model.calendar import open_days
from wsim.scenario import Scenario
from wsim.scenario.units import MINUTES_PER_DAY

#: The hourly measures and what each one is (for axis labels).
HOURLY_MEASURES: dict[str, str] = {
    "wait_mean": "mean wait of served tickets (min)",
    "queue_mean": "citizens waiting (time average)",
    "utilization": "window utilization (busy / scheduled)",
}


def hourly_profile(scenario: Scenario, visits: pd.DataFrame) -> pd.DataFrame:
    """Per replication and hour of day (0-23): wait_mean, queue_mean, utilization.

    `visits` is the visit table of replications of `scenario` (``Results.visits``). Hours in
    which nothing happens in any replication (no window scheduled, nobody waiting or served)
    are left out.
    """
    columns = ["replication", "hour", *HOURLY_MEASURES]
    if visits.empty:
        return pd.DataFrame(columns=columns)
    bins = _hour_bins(scenario)
    scheduled = _scheduled_minutes(scenario, bins)
    frames = []
    for replication, v in visits.groupby("replication", sort=True):
        frames.append(_one_replication(v, bins, scheduled).assign(replication=replication))
    table = pd.concat(frames, ignore_index=True)
    # a minute-thousandth: the cumulative sums carry rounding noise far below that
    active = table.groupby("hour")[["scheduled", "busy", "waiting"]].sum().sum(axis=1) > 1e-3
    table = table[table.hour.isin(active.index[active])]
    return table[columns].reset_index(drop=True)


def _hour_bins(scenario: Scenario) -> pd.DataFrame:
    """The observed clock hours: start, end (clock minutes), hour of day, observed minutes.

    Days mode: every hour of every open day. Continuous mode: the hours of the measurement
    window [warm-up, horizon), the first and last ones clipped.
    """
    calendar = scenario.calendar
    if calendar.mode == "continuous":
        lo, hi = float(calendar.warmup), float(calendar.horizon)
        start = np.arange(np.floor(lo / 60) * 60, hi, 60.0)
    else:
        days = np.array([day.start for day in open_days(calendar)])
        start = (days[:, None] + np.arange(0, MINUTES_PER_DAY, 60.0)[None, :]).ravel()
        lo, hi = -np.inf, np.inf
    begin, end = np.maximum(start, lo), np.minimum(start + 60, hi)
    hour = ((start % MINUTES_PER_DAY) // 60).astype(int)
    return pd.DataFrame({"begin": begin, "end": end, "hour": hour, "observed": end - begin})


def _scheduled_minutes(scenario: Scenario, bins: pd.DataFrame) -> np.ndarray:
    """Scheduled window-minutes of all window groups in each bin (the hall's open hours only).

    In days mode windows open from opening to closing time; in continuous mode around the
    clock, and a schedule repeats every day (before the day's first change, the previous
    day's last count holds), as the hall kernel runs it.
    """
    calendar = scenario.calendar
    continuous = calendar.mode == "continuous"
    open_lo, open_hi = (0.0, MINUTES_PER_DAY) if continuous else (calendar.open, calendar.close)
    begin = bins.begin.to_numpy() % MINUTES_PER_DAY
    end = begin + (bins.end.to_numpy() - bins.begin.to_numpy())
    total = np.zeros(len(bins))
    for group in scenario.windows:
        changes = sorted({t for t, _ in group.schedule or ()})
        cuts = sorted({open_lo, open_hi, *(t for t in changes if open_lo < t < open_hi)})
        for a, b in itertools.pairwise(cuts):
            count = group.count_at((a + b) / 2, daily=continuous)
            overlap = np.clip(np.minimum(end, b) - np.maximum(begin, a), 0.0, None)
            total += count * overlap
    return total


def _occupied_minutes(starts: np.ndarray, ends: np.ndarray, t: np.ndarray) -> np.ndarray:
    """For each time in `t`: the integral from -inf to t of #{i : starts_i <= u < ends_i}."""
    s, e = np.sort(starts), np.sort(ends)
    cs, ce = np.concatenate([[0.0], np.cumsum(s)]), np.concatenate([[0.0], np.cumsum(e)])
    ks, ke = np.searchsorted(s, t, side="right"), np.searchsorted(e, t, side="right")
    return (ks * t - cs[ks]) - (ke * t - ce[ke])


def _minutes_per_bin(starts: np.ndarray, ends: np.ndarray, bins: pd.DataFrame) -> np.ndarray:
    keep = np.isfinite(starts) & np.isfinite(ends)
    starts, ends = starts[keep], ends[keep]
    upper = _occupied_minutes(starts, ends, bins.end.to_numpy())
    lower = _occupied_minutes(starts, ends, bins.begin.to_numpy())
    return np.clip(upper - lower, 0.0, None)


def _one_replication(v: pd.DataFrame, bins: pd.DataFrame, scheduled: np.ndarray) -> pd.DataFrame:
    """The hourly measures of one replication's visits."""
    present = v[v.outcome != "balked"]
    left = present.start.fillna(present.end).to_numpy(dtype=float)
    waiting = _minutes_per_bin(present.arrival.to_numpy(dtype=float), left, bins)
    served = v[v.outcome == "served"]
    busy = _minutes_per_bin(
        served.start.to_numpy(dtype=float), served.end.to_numpy(dtype=float), bins
    )
    per_bin = pd.DataFrame(
        {
            "hour": bins.hour,
            "observed": bins.observed,
            "waiting": waiting,
            "busy": busy,
            "scheduled": scheduled,
        }
    )
    hours = per_bin.groupby("hour").sum()
    counted = served[served.counted] if "counted" in served else served
    wait = (
        (counted.start - counted.arrival)
        .groupby(((counted.arrival % MINUTES_PER_DAY) // 60).astype(int))
        .mean()
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        utilization = np.where(hours.scheduled > 0, hours.busy / hours.scheduled, np.nan)
    return pd.DataFrame(
        {
            "hour": hours.index,
            "wait_mean": wait.reindex(hours.index).to_numpy(),
            "queue_mean": (hours.waiting / hours.observed).to_numpy(),
            "utilization": utilization,
            "scheduled": hours.scheduled.to_numpy(),
            "busy": hours.busy.to_numpy(),
            "waiting": hours.waiting.to_numpy(),
        }
    )
