"""Hourly measures of a scenario's replications, by hour of the day (clock minutes mod 1 day).

- ``wait_mean``: mean wait (ticket to call, minutes) of the served tickets that arrived in
  that hour (counted tickets only);
- ``queue_mean``: time-average number of citizens waiting in the hall during that hour;
- ``utilization``: busy window-minutes over scheduled window-minutes (from the scenario's
  window schedules, by the hall's own rule :meth:`WindowGroup.count_at`, with each day's hours
  and schedules by its day type) in that hour; a clerk finishing a citizen just after a
  schedule change can push it a little above 1.

With ``by_day_type`` the measures are per day type and hour (a Saturday morning apart from
the weekdays); ``scheduled_minutes`` gives the scheduled window-minutes per day type and hour.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from wsim.model.calendar import open_days
from wsim.scenario import Scenario
from wsim.scenario.calendar import DEFAULT_DAY_TYPE
from wsim.scenario.units import MINUTES_PER_DAY

#: The hourly measures and what each one is (for axis labels).
HOURLY_MEASURES: dict[str, str] = {
    "wait_mean": "mean wait of served tickets (min)",
    "queue_mean": "citizens waiting (time average)",
    "utilization": "window utilization (busy / scheduled)",
}


def hourly_profile(
    scenario: Scenario, visits: pd.DataFrame, by_day_type: bool = False
) -> pd.DataFrame:
    """Per replication and hour of day (0-23): wait_mean, queue_mean, utilization.

    `visits` is the visit table of replications of `scenario` (``Results.visits``). Hours in
    which nothing happens in any replication (no window scheduled, nobody waiting or served)
    are left out. With `by_day_type`, one row per replication, day type and hour.
    """
    keys = ["day_type", "hour"] if by_day_type else ["hour"]
    if visits.empty:
        return active_hours([], keys)
    bins = hour_bins(scenario)
    frames = [
        replication_hours(v, bins, keys).assign(replication=replication)
        for replication, v in visits.groupby("replication", sort=True)
    ]
    return active_hours(frames, keys)


def hour_bins(scenario: Scenario) -> pd.DataFrame:
    """The observed clock hours of `scenario` with their scheduled window-minutes.

    What :func:`replication_hours` needs; compute it once per scenario.
    """
    bins = _hour_bins(scenario)
    bins["scheduled"] = _scheduled_minutes(scenario, bins)
    return bins


def active_hours(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """The hourly profile from each replication's :func:`replication_hours` (with `replication`).

    Hours in which nothing happens in any replication are left out, as in
    :func:`hourly_profile`; the frames must come in replication order.
    """
    columns = ["replication", *keys, *HOURLY_MEASURES]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)
    # a minute-thousandth: the cumulative sums carry rounding noise far below that
    active = table.groupby(keys)[["scheduled", "busy", "waiting"]].sum().sum(axis=1) > 1e-3
    table = table.set_index(keys)
    table = table[table.index.isin(active.index[active])].reset_index()
    return table[columns].reset_index(drop=True)


def scheduled_minutes(scenario: Scenario) -> pd.DataFrame:
    """Scheduled window-minutes per day type and hour of day, summed over the arrival days.

    Columns ``day_type``, ``hour``, ``days`` (arrival days of that type) and ``scheduled``
    (window-minutes); hours with nothing scheduled are left out.
    """
    bins = hour_bins(scenario)
    days = bins.groupby("day_type").day.nunique().rename("days")
    table = bins.groupby(["day_type", "hour"], as_index=False).scheduled.sum()
    table = table.join(days, on="day_type")
    return table[table.scheduled > 0][["day_type", "hour", "days", "scheduled"]].reset_index(
        drop=True
    )


def _hour_bins(scenario: Scenario) -> pd.DataFrame:
    """The observed clock hours: start, end (clock minutes), hour of day, observed minutes.

    Days mode: every hour of every open day, with the day's index, type and hours.
    Continuous mode: the hours of the measurement window [warm-up, horizon), the first and last
    ones clipped.
    """
    calendar = scenario.calendar
    days = open_days(calendar)
    hours = np.arange(0, MINUTES_PER_DAY, 60.0)
    if calendar.mode == "continuous":
        lo, hi = float(calendar.warmup), float(calendar.horizon)
        start = np.arange(np.floor(lo / 60) * 60, hi, 60.0)
        day = (start // MINUTES_PER_DAY).astype(int)
        day_type = np.full(start.size, DEFAULT_DAY_TYPE, dtype=object)
        open_lo, open_hi = np.zeros(start.size), np.full(start.size, MINUTES_PER_DAY)
    else:
        n = hours.size
        start = (np.array([d.start for d in days])[:, None] + hours[None, :]).ravel()
        day = np.repeat([d.index for d in days], n)
        day_type = np.repeat(np.array([d.day_type for d in days], dtype=object), n)
        open_lo = np.repeat([d.open for d in days], n).astype(float)
        open_hi = np.repeat([d.close for d in days], n).astype(float)
        lo, hi = -np.inf, np.inf
    begin, end = np.maximum(start, lo), np.minimum(start + 60, hi)
    hour = ((start % MINUTES_PER_DAY) // 60).astype(int)
    return pd.DataFrame(
        {
            "begin": begin,
            "end": end,
            "hour": hour,
            "observed": end - begin,
            "day": day,
            "day_type": day_type,
            "open_lo": open_lo,
            "open_hi": open_hi,
        }
    )


def _scheduled_minutes(scenario: Scenario, bins: pd.DataFrame) -> np.ndarray:
    """Scheduled window-minutes of all window groups in each bin (the hall's open hours only).

    In days mode windows open from the day's opening to its closing time, on the schedule of
    its day type; in continuous mode around the clock, and a schedule repeats every day (before
    the day's first change, the previous day's last count holds), as the hall kernel runs it.
    """
    continuous = scenario.calendar.mode == "continuous"
    begin = bins.begin.to_numpy() % MINUTES_PER_DAY
    end = begin + (bins.end.to_numpy() - bins.begin.to_numpy())
    total = np.zeros(len(bins))
    for day_type in pd.unique(bins.day_type):
        mine = (bins.day_type == day_type).to_numpy()
        open_lo, open_hi = float(bins.open_lo[mine].iloc[0]), float(bins.open_hi[mine].iloc[0])
        for group in scenario.windows:
            changes = sorted({t for t, _ in group.changes(day_type)})
            cuts = sorted({open_lo, open_hi, *(t for t in changes if open_lo < t < open_hi)})
            for a, b in itertools.pairwise(cuts):
                count = group.count_at((a + b) / 2, daily=continuous, day_type=day_type)
                overlap = np.clip(np.minimum(end[mine], b) - np.maximum(begin[mine], a), 0.0, None)
                total[mine] += count * overlap
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


def replication_hours(v: pd.DataFrame, bins: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The hourly measures of one replication's visits, grouped by `keys` (`bins`: hour_bins).

    Also its scheduled, busy and waiting minutes, which :func:`active_hours` needs.
    """
    present = v[v.outcome != "balked"]
    left = present.start.fillna(present.end).to_numpy(dtype=float)
    waiting = _minutes_per_bin(present.arrival.to_numpy(dtype=float), left, bins)
    served = v[v.outcome == "served"]
    busy = _minutes_per_bin(
        served.start.to_numpy(dtype=float), served.end.to_numpy(dtype=float), bins
    )
    per_bin = bins[[*keys, "observed", "scheduled"]].assign(waiting=waiting, busy=busy)
    hours = per_bin.groupby(keys).sum()
    counted = served[served.counted] if "counted" in served else served
    arrival_keys = [((counted.arrival % MINUTES_PER_DAY) // 60).astype(int).rename("hour")]
    if "day_type" in keys:
        arrival_keys.insert(0, counted.day_type)
    wait = (counted.start - counted.arrival).groupby(arrival_keys).mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        utilization = np.where(hours.scheduled > 0, hours.busy / hours.scheduled, np.nan)
    table = pd.DataFrame(
        {
            "wait_mean": wait.reindex(hours.index).to_numpy(),
            "queue_mean": (hours.waiting / hours.observed).to_numpy(),
            "utilization": utilization,
            "scheduled": hours.scheduled.to_numpy(),
            "busy": hours.busy.to_numpy(),
            "waiting": hours.waiting.to_numpy(),
        },
        index=hours.index,
    )
    return table.reset_index()
