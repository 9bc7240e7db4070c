"""Does a scenario reproduce a log? Simulate it and compare, by hour of day and overall.

Four measures, computed the same way on the log and on the simulated visits:

- ``arrivals``: tickets issued per day;
- ``wait_mean``: mean wait of served tickets, issue to call (minutes);
- ``served_within``: share of tickets served within the target wait;
- ``abandon_rate``: share of tickets whose citizen left before being called.

Each logged date is simulated on its own: the scenario of its day type
(:func:`wsim.calibrate.daytypes.single_day_type`) for one day on that date's weekday, with
its own seed, and compared with that date's tickets within the day type's opening hours.
Results are pooled per ``group``: each day type, and ``all`` dates. Intervals (95%):

- simulated: Student-t over replications (each replication's measure pooled over the group's
  dates);
- observed: the pooled value +- Student-t over the group's dates (each date's measure), i.e.
  the day is the unit of replication. Tickets of one day are not independent (a long queue
  makes many waits long at once), so a binomial interval over tickets would be too narrow.

Shape: for each group and measure, the Pearson correlation of the simulated and observed
hourly curves, their mean absolute difference, and the share of hours whose two intervals
overlap.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from wsim.calibrate import plots
from wsim.calibrate.daytypes import DEFAULT, single_day_type
from wsim.calibrate.layout import LogError, LogLayout, make_layout
from wsim.calibrate.logs import TicketLog, read_log
from wsim.calibrate.selection import parse_days
from wsim.experiment import simulate, t_interval
from wsim.files import write_table_atomic
from wsim.scenario import Scenario, ScenarioError, load_scenario
from wsim.scenario.calendar import WEEKDAYS
from wsim.scenario.units import parse_clock, parse_duration

MEASURES: dict[str, str] = {
    "arrivals": "tickets issued per day",
    "wait_mean": "mean wait of served tickets (min)",
    "served_within": "share of tickets served within the target wait",
    "abandon_rate": "share of tickets abandoned",
}


#: The group of all dates together.
ALL = "all"


@dataclass
class Validation:
    """Simulated against observed, per group (each day type and ``all``).

    ``overall``: one row per group and measure with ``observed``, ``obs_low``, ``obs_high``,
    ``simulated``, ``sim_low``, ``sim_high``, ``error`` (simulated / observed - 1),
    ``overlap`` (the two intervals overlap) and ``dates``. ``hourly``: the same per ``hour``
    of day. ``shape``: per group and measure, ``correlation``, ``mean_abs_diff`` and
    ``hours_overlapping``. ``by_service``: observed and simulated measures per service (all
    dates). ``label`` names the dates compared (e.g. ``held-out``).
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
    label: str = "logged"

    def errors(self, group: str = ALL) -> dict[str, float]:
        """Relative error of each overall measure of `group` (simulated / observed - 1)."""
        rows = self.overall[self.overall["group"] == group]
        return dict(zip(rows["measure"], rows["error"], strict=True))

    def correlations(self, group: str = ALL) -> dict[str, float]:
        """Correlation of the simulated and observed hourly curves of `group`, per measure."""
        rows = self.shape[self.shape["group"] == group]
        return dict(zip(rows["measure"], rows["correlation"], strict=True))

    def text(self) -> str:
        """The overall table and the shape table as aligned text."""
        overall = self.overall.set_index(["group", "measure"])
        shape = self.shape.set_index(["group", "measure"])
        return (
            f"{self.scenario_name}: {self.replications} replications (seed {self.seed}) against "
            f"{len(self.dates)} {self.label} days; target wait {self.target_wait:g} min; 95% "
            "intervals\n"
            + overall.to_string(float_format=lambda x: f"{x:,.4g}")
            + "\n\nhourly curves:\n"
            + shape.to_string(float_format=lambda x: f"{x:,.3g}")
        )

    def summary(self) -> pd.DataFrame:
        """The overall table: observed against simulated, per group and measure."""
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

    def plot_hourly(self, group: str = ALL) -> Figure:
        """A panel per measure by hour of day: observed (points, interval), simulated (band)."""
        return plots.validation_figure(self.hourly[self.hourly["group"] == group], MEASURES)


# --- measures ----------------------------------------------------------------------------------


def measures(frame: pd.DataFrame, target: float, n_days: int) -> dict[str, float]:
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


def _observed_rows(tickets: pd.DataFrame, target: float, key) -> list[dict]:
    """Observed measures of the groups of ``key`` (pooled; interval over the ``unit`` days)."""
    rows = []
    units = sorted(tickets["unit"].unique())
    for value, group in tickets.groupby(key):
        pooled = measures(group, target, len(units))
        per_date = [measures(group[group["unit"] == u], target, 1) for u in units]
        for m in MEASURES:
            values = np.array([day[m] for day in per_date], dtype=float)
            _, low, high, _ = t_interval(values)
            half = (high - low) / 2  # NaN with fewer than two finite values
            rows.append(
                {
                    "key": value,
                    "measure": m,
                    "observed": pooled[m],
                    "obs_low": pooled[m] - half,
                    "obs_high": pooled[m] + half,
                }
            )
    return rows


def _simulated_rows(visits: pd.DataFrame, target: float, key, n_days: int, reps: int):
    """Simulated measures of the groups of ``key`` (interval over replications)."""
    rows = []
    for value, group in visits.groupby(key):
        per_rep = [measures(group[group["replication"] == r], target, n_days) for r in range(reps)]
        for m in MEASURES:
            mean, low, high, _ = t_interval(np.array([rep[m] for rep in per_rep], dtype=float))
            rows.append(
                {"key": value, "measure": m, "simulated": mean, "sim_low": low, "sim_high": high}
            )
    return rows


def _clip_to_range(table: pd.DataFrame) -> None:
    """Keep interval bounds inside what a measure can be: >= 0, and <= 1 for shares."""
    share = table["measure"].isin(["served_within", "abandon_rate"])
    for column in ("obs_low", "obs_high", "sim_low", "sim_high"):
        table[column] = table[column].clip(lower=0).where(~share, table[column].clip(0, 1))


def _overlap(table: pd.DataFrame) -> pd.Series:
    return (table["sim_low"] <= table["obs_high"]) & (table["obs_low"] <= table["sim_high"])


def _shape(hourly: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (group, measure), rows_of in hourly.groupby(["group", "measure"], sort=False):
        both = rows_of.dropna(subset=["observed", "simulated"])
        corr = (
            float(np.corrcoef(both["observed"], both["simulated"])[0, 1])
            if len(both) > 2 and both["observed"].std() > 0 and both["simulated"].std() > 0
            else float("nan")
        )
        rows.append(
            {
                "group": group,
                "measure": measure,
                "correlation": corr,
                "mean_abs_diff": float((both["simulated"] - both["observed"]).abs().mean()),
                "hours_overlapping": float(_overlap(both).mean()) if len(both) else float("nan"),
                "hours": len(both),
            }
        )
    return pd.DataFrame(rows)


# --- the simulated dates -----------------------------------------------------------------------


def day_type_of(mapping: Mapping[str, Any]) -> dict[str, str]:
    """Weekday -> day type name of a scenario mapping's calendar (``default`` for the rest)."""
    calendar = mapping["calendar"]
    of = dict.fromkeys(calendar.get("weekdays", ()), DEFAULT)
    for name, spec in (calendar.get("day_types") or {}).items():
        for day in spec.get("weekdays", ()):
            of[day] = name
    return of


def hours_of(mapping: Mapping[str, Any], day_type: str) -> tuple[float, float]:
    """(open, close) minutes after midnight of `day_type` in a scenario mapping."""
    calendar = mapping["calendar"]
    own = (calendar.get("day_types") or {}).get(day_type, {}) if day_type != DEFAULT else {}
    return (
        parse_clock(own.get("open", calendar["open"])),
        parse_clock(own.get("close", calendar["close"])),
    )


def simulate_dates(
    mapping: Mapping[str, Any],
    plan: Mapping[pd.Timestamp, str],
    replications: int,
    seed: int,
    workers: int = 1,
    volumes: Mapping[pd.Timestamp, float] | None = None,
) -> pd.DataFrame:
    """Simulated tickets of every date of `plan` (date -> day type), one day each.

    A date is its day type's scenario for one day on the date's weekday, with seed
    ``seed + k`` for the k-th date (so that two dates of one day type are not the same
    simulated day). ``volumes`` (date -> tickets expected that day) rescales a date's demand
    to that volume (every stream alike), for a validation given the day's volume.

    Columns: ``date``, ``group`` (day type), ``replication``, ``service``, ``hour``,
    ``served``, ``abandoned``, ``wait`` and ``work`` (window time of the served).
    """
    frames = []
    for k, (date, day_type) in enumerate(sorted(plan.items())):
        weekday = WEEKDAYS[pd.Timestamp(date).day_of_week]
        single = single_day_type(mapping, day_type, [weekday], days=1)
        if volumes is not None:
            _scale_volume(single, weekday, volumes[date])
        scenario = load_scenario(single)
        visits = simulate(scenario, replications=replications, seed=seed + k, workers=workers)
        visits = visits.visits[visits.visits["counted"]]
        clock = visits["arrival"]  # one day from midnight: the clock is the time of day
        served = (visits["outcome"] == "served").to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "date": pd.Timestamp(date),
                    "group": day_type,
                    "replication": visits["replication"].to_numpy(),
                    "service": visits["service"].to_numpy(),
                    "hour": (clock // 60).astype(int).to_numpy(),
                    "served": served,
                    "abandoned": (visits["outcome"] == "abandoned").to_numpy(),
                    "wait": np.where(served, visits["start"] - visits["arrival"], np.nan),
                    "work": np.where(served, visits["end"] - visits["start"], 0.0),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _scale_volume(single: dict[str, Any], weekday: str, volume: float) -> None:
    """Rescale the demand of a one-day scenario mapping so that its day expects `volume`."""
    demand = single["demand"]
    expected = sum(
        entry["per_day"] * entry.get("weekday_factors", {}).get(weekday, 1.0) for entry in demand
    )
    for entry in demand:
        entry["per_day"] = entry["per_day"] * volume / expected


def _by_service(tickets, visits, target, n_dates, replications) -> pd.DataFrame:
    rows = []
    for service in sorted(set(tickets["service"]) | set(visits["service"])):
        observed = measures(tickets[tickets["service"] == service], target, n_dates)
        simulated = measures(visits[visits["service"] == service], target, n_dates * replications)
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


def observed_tickets(
    tickets: pd.DataFrame, mapping: Mapping[str, Any], plan: Mapping[pd.Timestamp, str]
) -> pd.DataFrame:
    """The logged tickets of the dates of `plan`, within their day type's hours, with ``group``."""
    frames = []
    for date, day_type in plan.items():
        lo, hi = hours_of(mapping, day_type)
        mine = tickets[
            (tickets["date"] == date) & (tickets["clock"] >= lo) & (tickets["clock"] < hi)
        ]
        frames.append(mine.assign(group=day_type))
    frame = pd.concat(frames, ignore_index=True)
    return frame.assign(
        wait=frame["wait"].where(frame["served"]),
        hour=(frame["clock"] // 60).astype(int),
        unit=frame["date"].dt.strftime("%Y-%m-%d"),
    )


def compare(
    observed: pd.DataFrame,
    simulated: pd.DataFrame,
    target: float,
    replications: int,
    seed: int,
    name: str,
    label: str = "logged",
) -> Validation:
    """Observed tickets against simulated ones, per group (each day type and ``all``).

    ``observed`` has ``group``, ``date``, ``unit`` (the day a ticket counts in: its date, or
    fold and date when several folds predict one date) and ``hour``; ``simulated`` has
    ``group``, ``replication`` and ``hour``.
    """
    tables = {}
    dates = sorted(observed["date"].unique())
    n_units = observed["unit"].nunique()
    for level in ("overall", "hourly"):
        parts = []
        groups = [(ALL, observed, simulated)] + [
            (g, observed[observed["group"] == g], simulated[simulated["group"] == g])
            for g in sorted(observed["group"].unique(), key=lambda g: (g != DEFAULT, g))
        ]
        for group, obs, sim in groups:
            key = (lambda f: np.zeros(len(f), dtype=int)) if level == "overall" else "hour"
            obs_key = key(obs) if callable(key) else key
            sim_key = key(sim) if callable(key) else key
            n_dates = obs["unit"].nunique()
            table = pd.DataFrame(_observed_rows(obs, target, obs_key)).merge(
                pd.DataFrame(_simulated_rows(sim, target, sim_key, n_dates, replications)),
                on=["key", "measure"],
                how="outer",
            )
            parts.append(table.assign(group=group, dates=n_dates))
        table = pd.concat(parts, ignore_index=True)
        _clip_to_range(table)
        nonzero = table["observed"].where(table["observed"] != 0)
        table["error"] = table["simulated"] / nonzero - 1
        table["overlap"] = _overlap(table)
        tables[level] = table
    order = {m: i for i, m in enumerate(MEASURES)}
    groups = list(dict.fromkeys(tables["overall"]["group"]))
    overall = tables["overall"].drop(columns="key")
    overall = overall.sort_values(
        ["group", "measure"],
        key=lambda s: s.map(order) if s.name == "measure" else s.map(groups.index),
    )
    overall = overall[["group", "measure", *[c for c in overall if c not in ("group", "measure")]]]
    hourly = tables["hourly"].rename(columns={"key": "hour"})
    hourly = hourly.sort_values(
        ["group", "measure", "hour"],
        key=lambda s: s.map(groups.index) if s.name == "group" else s,
    )
    hourly = hourly[
        ["group", "measure", "hour", *[c for c in hourly if c not in ("group", "measure", "hour")]]
    ]
    return Validation(
        overall=overall.reset_index(drop=True),
        hourly=hourly.reset_index(drop=True),
        shape=_shape(hourly),
        by_service=_by_service(observed, simulated, target, n_units, replications),
        target_wait=target,
        replications=replications,
        seed=seed,
        dates=tuple(pd.Timestamp(d) for d in dates),
        scenario_name=name,
        label=label,
    )


def scenario_mapping(scenario: Scenario | Mapping | str | os.PathLike) -> dict[str, Any]:
    """A scenario as a mapping: a Scenario's ``to_dict()``, a mapping, or a YAML file's data.

    A file with ``calendar.day_types`` is read as data (each day type is simulated alone,
    :func:`wsim.calibrate.daytypes.single_day_type`); any other is checked by the schema.
    """
    if isinstance(scenario, Scenario):
        return scenario.to_dict()
    if isinstance(scenario, Mapping):
        return dict(scenario)
    path = Path(scenario)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        raise ScenarioError(
            [("", f"cannot read the scenario ({reason})")], file=str(path)
        ) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("calendar"), Mapping):
        return load_scenario(path).to_dict()
    if not data["calendar"].get("day_types"):
        return load_scenario(path).to_dict()
    return dict(data)


def validate_against_log(
    scenario: Scenario | Mapping | str | os.PathLike,
    log: str | os.PathLike | pd.DataFrame | TicketLog,
    columns: LogLayout | Mapping[str, Any] | None = None,
    preset: str | None = None,
    *,
    days: Sequence[str] | str | None = None,
    dates: Sequence[pd.Timestamp] | None = None,
    replications: int = 20,
    seed: int = 0,
    workers: int = 1,
    target_wait: float | None = None,
    day_type_of_weekday: Mapping[str, str] | None = None,
    label: str = "logged",
) -> Validation:
    """Simulate ``scenario`` date by date and compare it with the log it should reproduce.

    The log is read with ``columns``/``preset`` (as for :func:`wsim.calibrate.fit`). The
    dates compared are ``dates``, else the log's dates on the scenario's open weekdays (or on
    ``days``); each is simulated as its day type (``day_type_of_weekday`` overrides the
    scenario's calendar, e.g. for a weekday the fit did not see). ``target_wait``
    (minutes) defaults to the scenario's ``targets.hall_wait``. See the module notes.
    """
    mapping = scenario_mapping(scenario)
    if mapping["calendar"].get("mode", "days") != "days":
        raise LogError(
            f"{mapping.get('name', 'scenario')}: validation against a log needs a days-mode "
            "scenario (calendar mode days, with open and close)"
        )
    if not isinstance(log, TicketLog):
        log = read_log(log, make_layout(columns, preset))
    type_of = dict(day_type_of(mapping) if day_type_of_weekday is None else day_type_of_weekday)
    if days is not None:
        type_of = {d: type_of.get(d, DEFAULT) for d in parse_days(days)}
    tickets = log.tickets
    if dates is None:
        dates = sorted(tickets.loc[tickets["weekday"].isin(type_of), "date"].unique())
    plan = {pd.Timestamp(d): type_of[WEEKDAYS[pd.Timestamp(d).day_of_week]] for d in dates}
    if not plan:
        raise LogError(f"the log has no dates on the scenario's weekdays ({', '.join(type_of)})")
    target = target_wait
    if target is None:
        target = float(parse_duration(mapping.get("targets", {}).get("hall_wait", 15.0)))
    observed = observed_tickets(tickets, mapping, plan)
    simulated = simulate_dates(mapping, plan, replications, seed, workers)
    return compare(
        observed, simulated, float(target), replications, seed, mapping.get("name", ""), label
    )
