"""Does a scenario reproduce a log? Simulate it and compare, by hour of day and overall.

Four measures, computed the same way on the log and on the simulated visits:

- ``arrivals``: tickets issued per day;
- ``wait_mean``: mean wait of served tickets, issue to call (minutes);
- ``served_within``: share of tickets served within the target wait;
- ``abandon_rate``: share of tickets whose citizen left before being called.

The observed side uses the scenario's day type (its calendar weekdays) and opening window, so
both sides describe the same days and hours. Intervals (95%):

- simulated: Student-t over replications (each replication's measure pooled over its days);
- observed: the pooled value +- Student-t over the log's dates (each date's measure), i.e.
  the day is the unit of replication. Tickets of one day are not independent (a long queue
  makes many waits long at once), so a binomial interval over tickets would be too narrow.

Shape: for each measure, the Pearson correlation of the simulated and observed hourly curves,
their mean absolute difference, and the share of hours whose two intervals overlap.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wsim.calibrate import plots
from wsim.calibrate.layout import LogError, LogLayout, make_layout
from wsim.calibrate.logs import TicketLog, read_log
from wsim.calibrate.selection import select
from wsim.experiment import simulate, t_interval
from wsim.files import write_table_atomic
from wsim.model.calendar import open_days
from wsim.scenario import Scenario, load_scenario

MEASURES: dict[str, str] = {
    "arrivals": "tickets issued per day",
    "wait_mean": "mean wait of served tickets (min)",
    "served_within": "share of tickets served within the target wait",
    "abandon_rate": "share of tickets abandoned",
}


@dataclass
class Validation:
    """Simulated against observed: ``overall`` and ``hourly`` tables, and curve ``shape``.

    ``overall``: one row per measure with ``observed``, ``obs_low``, ``obs_high``,
    ``simulated``, ``sim_low``, ``sim_high``, ``error`` (simulated / observed - 1) and
    ``overlap`` (the two intervals overlap). ``hourly``: the same per ``hour`` of day.
    ``shape``: per measure, ``correlation``, ``mean_abs_diff`` and ``hours_overlapping``.
    ``by_service``: observed and simulated measures per service (overall).
    """

    overall: pd.DataFrame
    hourly: pd.DataFrame
    shape: pd.DataFrame
    by_service: pd.DataFrame
    target_wait: float
    replications: int
    seed: int
    dates: tuple[pd.Timestamp, ...]
    scenario_name: str

    def errors(self) -> dict[str, float]:
        """Relative error of each overall measure (simulated / observed - 1)."""
        return dict(zip(self.overall["measure"], self.overall["error"], strict=True))

    def text(self) -> str:
        """The overall table and the shape table as aligned text."""
        overall = self.overall.set_index("measure")
        shape = self.shape.set_index("measure")
        return (
            f"{self.scenario_name}: {self.replications} replications (seed {self.seed}) against "
            f"{len(self.dates)} logged days; target wait {self.target_wait:g} min; 95% intervals\n"
            + overall.to_string(float_format=lambda x: f"{x:,.4g}")
            + "\n\nhourly curves:\n"
            + shape.to_string(float_format=lambda x: f"{x:,.3g}")
        )

    def summary(self) -> pd.DataFrame:
        """The overall table: observed against simulated, per measure."""
        return self.overall

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the validation, by name."""
        return {
            "validation_overall": self.overall,
            "validation_shape": self.shape,
            "validation_hourly": self.hourly,
            "validation_by_service": self.by_service,
        }

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write the tables (CSV) to `folder`; returns the paths written."""
        out = Path(folder)
        return [write_table_atomic(t, out / f"{n}.csv") for n, t in self.tables().items()]

    def plot_hourly(self) -> Figure:
        """A panel per measure by hour of day: observed (points, interval), simulated (band)."""
        return plots.validation_figure(self.hourly, MEASURES)


# --- per-day measures ------------------------------------------------------------------------


def _measures(frame: pd.DataFrame, target: float, n_days: int) -> dict[str, float]:
    """The four measures of a set of tickets (columns ``served``, ``abandoned``, ``wait``)."""
    n = len(frame)
    served = frame["served"].to_numpy(dtype=bool)
    waits = frame["wait"].to_numpy(dtype=float)[served]
    waits = waits[np.isfinite(waits)]
    nan = float("nan")
    return {
        "arrivals": n / n_days,
        "wait_mean": float(waits.mean()) if waits.size else nan,
        "served_within": float((waits <= target).sum() / n) if n else nan,
        "abandon_rate": float(frame["abandoned"].sum() / n) if n else nan,
    }


def _observed_interval(pooled: float, per_unit: np.ndarray) -> tuple[float, float]:
    _, low, high, _ = t_interval(per_unit)
    half = (high - low) / 2  # NaN with fewer than two finite values
    return pooled - half, pooled + half


# --- the two sides --------------------------------------------------------------------------


def _observed(tickets: pd.DataFrame, target: float, dates: tuple) -> dict[str, pd.DataFrame]:
    """Observed measures overall and by hour, with per-date intervals."""
    n_days = len(dates)
    frame = tickets.assign(hour=(tickets["clock"] // 60).astype(int), unit=tickets["date"])
    results = {}
    for level, by in (("overall", None), ("hourly", "hour")):
        keyed = frame.assign(key=0) if by is None else frame.rename(columns={by: "key"})
        rows = []
        for key, group in keyed.groupby("key"):
            pooled = _measures(group, target, n_days)
            per_day = {m: [] for m in MEASURES}
            for date in dates:
                day = group[group["unit"] == date]
                values = _measures(day, target, 1)
                for m in MEASURES:
                    per_day[m].append(values[m])
            for m in MEASURES:
                low, high = _observed_interval(pooled[m], np.array(per_day[m], dtype=float))
                rows.append(
                    {
                        "key": key,
                        "measure": m,
                        "observed": pooled[m],
                        "obs_low": low,
                        "obs_high": high,
                    }
                )
        results[level] = pd.DataFrame(rows)
    return results


def _simulated_visits(scenario: Scenario, replications: int, seed: int, workers: int):
    results = simulate(scenario, replications=replications, seed=seed, workers=workers)
    visits = results.visits
    visits = visits[visits["counted"]]
    starts = {day.index: day.start for day in open_days(scenario.calendar)}
    clock = visits["arrival"] - visits["day"].map(starts)
    served = (visits["outcome"] == "served").to_numpy()
    return pd.DataFrame(
        {
            "replication": visits["replication"].to_numpy(),
            "service": visits["service"].to_numpy(),
            "hour": (clock // 60).astype(int).to_numpy(),
            "served": served,
            "abandoned": (visits["outcome"] == "abandoned").to_numpy(),
            "wait": np.where(served, visits["start"] - visits["arrival"], np.nan),
        }
    )


def _simulated(visits: pd.DataFrame, target: float, n_days: int, replications: int):
    results = {}
    for level, by in (("overall", None), ("hourly", "hour")):
        keyed = visits.assign(key=0) if by is None else visits.rename(columns={by: "key"})
        rows = []
        for key, group in keyed.groupby("key"):
            per_rep = {m: [] for m in MEASURES}
            for rep in range(replications):
                values = _measures(group[group["replication"] == rep], target, n_days)
                for m in MEASURES:
                    per_rep[m].append(values[m])
            for m in MEASURES:
                mean, low, high, _ = t_interval(np.array(per_rep[m], dtype=float))
                rows.append(
                    {"key": key, "measure": m, "simulated": mean, "sim_low": low, "sim_high": high}
                )
        results[level] = pd.DataFrame(rows)
    return results


def _clip_to_range(table: pd.DataFrame) -> None:
    """Keep interval bounds inside what a measure can be: >= 0, and <= 1 for shares."""
    share = table["measure"].isin(["served_within", "abandon_rate"])
    for column in ("obs_low", "obs_high", "sim_low", "sim_high"):
        table[column] = table[column].clip(lower=0).where(~share, table[column].clip(0, 1))


def _overlap(table: pd.DataFrame) -> pd.Series:
    return (table["sim_low"] <= table["obs_high"]) & (table["obs_low"] <= table["sim_high"])


def _shape(hourly: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for measure, group in hourly.groupby("measure", sort=False):
        both = group.dropna(subset=["observed", "simulated"])
        corr = (
            float(np.corrcoef(both["observed"], both["simulated"])[0, 1])
            if len(both) > 2 and both["observed"].std() > 0 and both["simulated"].std() > 0
            else float("nan")
        )
        rows.append(
            {
                "measure": measure,
                "correlation": corr,
                "mean_abs_diff": float((both["simulated"] - both["observed"]).abs().mean()),
                "hours_overlapping": float(_overlap(both).mean()) if len(both) else float("nan"),
                "hours": len(both),
            }
        )
    return pd.DataFrame(rows)


def _by_service(tickets, visits, target, n_obs_days, n_sim_days, replications) -> pd.DataFrame:
    rows = []
    for service in sorted(set(tickets["service"]) | set(visits["service"])):
        observed = _measures(tickets[tickets["service"] == service], target, n_obs_days)
        simulated = _measures(
            visits[visits["service"] == service], target, n_sim_days * replications
        )
        for m in MEASURES:
            rows.append(
                {
                    "service": service,
                    "measure": m,
                    "observed": observed[m],
                    "simulated": simulated[m],
                }
            )
    return pd.DataFrame(rows)


def validate_against_log(
    scenario: Scenario | Mapping | str | os.PathLike,
    log: str | os.PathLike | pd.DataFrame | TicketLog,
    columns: LogLayout | Mapping[str, Any] | None = None,
    preset: str | None = None,
    *,
    days: Sequence[str] | str | None = None,
    replications: int = 20,
    seed: int = 0,
    workers: int = 1,
    target_wait: float | None = None,
) -> Validation:
    """Simulate ``scenario`` and compare it with the log it should reproduce.

    The log is read with ``columns``/``preset`` (as for :func:`wsim.calibrate.fit`), on the
    scenario's weekdays (or ``days``) and opening hours. ``target_wait`` (minutes) defaults to
    the scenario's ``targets.hall_wait``. See the module notes for measures and intervals.
    """
    scenario = load_scenario(scenario)
    calendar = scenario.calendar
    if calendar.mode != "days":
        raise LogError(
            f"{scenario.name}: validation against a log needs a days-mode scenario (calendar "
            "mode days, with open and close)"
        )
    if not isinstance(log, TicketLog):
        log = read_log(log, make_layout(columns, preset))
    selection = select(
        log.tickets,
        days=days if days is not None else calendar.weekdays,
        hours=(calendar.open, calendar.close),
    )
    tickets = log.tickets[selection.mask(log.tickets)]
    tickets = tickets.assign(wait=tickets["wait"].where(tickets["served"]))
    target = scenario.targets.hall_wait if target_wait is None else float(target_wait)
    observed = _observed(tickets, target, selection.dates)
    visits = _simulated_visits(scenario, replications, seed, workers)
    simulated = _simulated(visits, target, calendar.days, replications)
    tables = {}
    for level in ("overall", "hourly"):
        table = observed[level].merge(simulated[level], on=["key", "measure"], how="outer")
        _clip_to_range(table)
        nonzero = table["observed"].where(table["observed"] != 0)
        table["error"] = table["simulated"] / nonzero - 1
        table["overlap"] = _overlap(table)
        tables[level] = table
    overall = tables["overall"].drop(columns="key")
    order = {m: i for i, m in enumerate(MEASURES)}
    overall = overall.sort_values("measure", key=lambda s: s.map(order)).reset_index(drop=True)
    hourly = tables["hourly"].rename(columns={"key": "hour"}).sort_values(["measure", "hour"])
    hourly = hourly.reset_index(drop=True)
    return Validation(
        overall=overall,
        hourly=hourly,
        shape=_shape(hourly),
        by_service=_by_service(
            tickets, visits, target, selection.n_days, calendar.days, replications
        ),
        target_wait=target,
        replications=replications,
        seed=seed,
        dates=selection.dates,
        scenario_name=scenario.name,
    )
