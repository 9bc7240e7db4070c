"""Arrival rates from a log: a day's volume, its profile over the day, and weekday factors.

For each service the tickets of the selected days are counted per slot of the opening window;
the profile weight of a slot is the mean number of tickets per hour in it (the weights only
matter relative to each other). A service with too few tickets for a profile of its own (fewer
than ``MIN_PER_SLOT`` per slot on average) takes the profile of all services together.
Demand streams are one per service, or one per service and priority class when the layout maps
a priority column; each gets ``per_day`` (mean tickets per selected day) and a weekday factor
per weekday (that weekday's mean over the overall mean).

How well "volume x weekday factor x profile" describes the log is measured by the Poisson
dispersion of the counts per date and slot: chi-square over degrees of freedom, about 1 when
the day-to-day variation is what a Poisson process with these rates gives, above 1 when days
differ in shape more than that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.calibrate.layout import LogError
from wsim.calibrate.selection import Selection
from wsim.scenario.calendar import WEEKDAYS
from wsim.scenario.units import format_clock

#: Fewest tickets per slot (all selected days together) for a profile of its own: the relative
#: standard error of a slot's weight is then at most about 1/sqrt(10), a third.
MIN_PER_SLOT = 10
#: The name of the profile of all services together.
POOLED = "all_services"


@dataclass(frozen=True)
class ArrivalFit:
    """Fitted arrivals: scenario ``profiles`` and ``demand`` entries, plus tables.

    ``by_slot``: per service and slot, the observed tickets per day (mean, min, max over the
    dates) and the fitted expected tickets per day. ``by_date``: tickets per service and date.
    ``quality``: per service, tickets, profile used and Poisson dispersion.
    """

    profiles: dict[str, dict[str, float]]
    demand: list[dict]
    by_slot: pd.DataFrame
    by_date: pd.DataFrame
    quality: pd.DataFrame


def _counts(tickets: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """Tickets per (service, date, slot), zeros included."""
    slots = selection.slots
    slot_of = np.floor((tickets["clock"].to_numpy() - selection.open) / selection.slot)
    frame = tickets.assign(slot=selection.open + slot_of * selection.slot)
    counts = frame.groupby(["service", "date", "slot"]).size()
    full = pd.MultiIndex.from_product(
        [sorted(tickets["service"].unique()), list(selection.dates), slots],
        names=["service", "date", "slot"],
    )
    return counts.reindex(full, fill_value=0).rename("tickets").reset_index()


def _weights(counts: pd.DataFrame, selection: Selection) -> pd.Series:
    """Profile weights per slot: mean tickets per hour over the dates."""
    per_slot = counts.groupby("slot")["tickets"].sum() / selection.n_days
    return per_slot * 60 / selection.slot


def _profile_mapping(weights: pd.Series) -> dict[str, float]:
    return {format_clock(slot): float(f"{w:.4g}") for slot, w in weights.items()}


def priority_levels(tickets: pd.DataFrame) -> pd.Series:
    """Each ticket's priority level, a whole number (0 when the log has no classes)."""
    text = tickets["priority"].replace("", "0")
    levels = pd.to_numeric(text, errors="coerce")
    if levels.isna().any() or (levels != levels.round()).any():
        bad = sorted(set(text[levels.isna() | (levels != levels.round())]))[:5]
        raise LogError(
            f"priority values must be whole numbers (higher is called first), found {bad}"
        )
    return levels.astype(int)


def _weekday_factors(per_date: pd.Series, selection: Selection) -> dict[str, float]:
    """Each weekday's mean tickets per date over the overall mean (omitted if all 1)."""
    if len(selection.weekdays) < 2 or per_date.mean() == 0:
        return {}
    weekday = pd.Series(per_date.index, index=per_date.index).dt.day_of_week
    names = weekday.map(dict(enumerate(WEEKDAYS)))
    by_day = per_date.groupby(names).mean() / per_date.mean()
    return {day: float(f"{by_day[day]:.3g}") for day in selection.weekdays if day in by_day}


def _dispersion(counts: pd.DataFrame, share: pd.Series, selection: Selection) -> float:
    """Pearson chi-square / df of counts per (date, slot) under volume x factor x profile."""
    per_date = counts.groupby("date")["tickets"].sum()
    expected = (
        per_date.reindex(counts["date"]).to_numpy() * share.reindex(counts["slot"]).to_numpy()
    )
    keep = expected > 0
    observed = counts["tickets"].to_numpy()[keep]
    chi2 = float(np.sum((observed - expected[keep]) ** 2 / expected[keep]))
    df = int(keep.sum()) - (len(share) - 1) - selection.n_days
    return chi2 / df if df > 0 else float("nan")


def fit_arrivals(tickets: pd.DataFrame, selection: Selection) -> ArrivalFit:
    """Profiles, demand streams and fit tables for the selected tickets."""
    counts = _counts(tickets, selection)
    n_slots = len(selection.slots)
    pooled = _weights(counts, selection)
    profiles = {POOLED: pooled}
    tickets = tickets.assign(level=priority_levels(tickets))
    demand, rows, quality = [], [], []
    for service, own in counts.groupby("service"):
        total = int(own["tickets"].sum())
        if total >= MIN_PER_SLOT * n_slots:
            profile = service
            profiles[service] = _weights(own, selection)
        else:
            profile = POOLED
        weights = profiles[profile]
        share = weights / weights.sum()
        per_day_fit = total / selection.n_days
        stats = own.groupby("slot")["tickets"].agg(["mean", "min", "max"])
        rows.append(
            stats.assign(
                service=service, fitted=per_day_fit * share.reindex(stats.index)
            ).reset_index()
        )
        quality.append(
            {
                "service": service,
                "tickets": total,
                "per_day": per_day_fit,
                "profile": profile,
                "dispersion": _dispersion(own, share, selection),
            }
        )
        mine = tickets[tickets["service"] == service]
        for level, stream in mine.groupby("level"):
            per_date = stream.groupby("date").size().reindex(list(selection.dates), fill_value=0)
            entry = {"service": service, "per_day": float(f"{per_date.mean():.5g}")}
            entry["profile"] = profile
            factors = _weekday_factors(per_date, selection)
            if factors and any(abs(f - 1) > 1e-3 for f in factors.values()):
                entry["weekday_factors"] = factors
            if level:
                entry["priority"] = int(level)
            demand.append(entry)
    used = {entry["profile"] for entry in demand}
    by_slot = pd.concat(rows, ignore_index=True)[
        ["service", "slot", "mean", "min", "max", "fitted"]
    ]
    by_date = counts.groupby(["service", "date"])["tickets"].sum().reset_index()
    return ArrivalFit(
        profiles={name: _profile_mapping(w) for name, w in profiles.items() if name in used},
        demand=demand,
        by_slot=by_slot,
        by_date=by_date,
        quality=pd.DataFrame(quality),
    )
