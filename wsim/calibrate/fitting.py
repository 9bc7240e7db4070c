"""`fit`: from a queue log to a scenario, with the evidence for every number in it.

The steps, each in its own module: read and clean the log (:mod:`.logs`); group the weekdays
into day types (:mod:`.daytypes`) and find each one's dates and opening window
(:mod:`.selection`); then fit, per day type, arrivals (:mod:`.arrivals`) and ready servers
per slot (:mod:`.servers`); over all fitted dates, window times and the speed bands of the day
(:mod:`.service`) and patience per class (:mod:`.patience`); per day type, its window-speed
factor on the bands where the log shows one (:mod:`.day_speeds`); and last, per day type, the
capacity scale that makes the simulated servers do the logged work (:mod:`.capacity`).

The scenario is written in the calendar format of the scenario spec: the default day type in
``calendar``'s ``weekdays``/``open``/``close``, the others in ``calendar.day_types``, with
``windows[i].day_schedules``, ``demand[i].day_factors`` and ``demand[i].day_profiles``. Each
day type is simulated as its own scenario (:func:`wsim.calibrate.daytypes.single_day_type`),
which the scenario schema of today checks (:attr:`FitResult.scenarios`).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from wsim.calibrate import plots
from wsim.calibrate.arrivals import ArrivalFit, fit_arrivals, priority_levels
from wsim.calibrate.capacity import CapacityScale, fit_scale
from wsim.calibrate.day_speeds import day_type_speeds, pooled_speeds
from wsim.calibrate.daytypes import (
    DEFAULT,
    DayType,
    group_weekdays,
    parse_day_types,
    single_day_type,
    weekday_profile,
)
from wsim.calibrate.daytypes import day_types as day_types_of
from wsim.calibrate.layout import LogError, LogLayout, make_layout
from wsim.calibrate.logs import DROPPED, TicketLog, read_log
from wsim.calibrate.patience import PatienceFit, fit_patience
from wsim.calibrate.selection import parse_days
from wsim.calibrate.servers import (
    BREAK_GAP,
    ServerFit,
    dithered_schedule,
    fit_servers,
    served_by_server,
)
from wsim.calibrate.service import ServiceFit, band_speeds, choose_bands, fit_service_times
from wsim.experiment import simulate
from wsim.files import write_table_atomic, write_text_atomic
from wsim.scenario import Scenario, load_scenario
from wsim.scenario.calendar import WEEKDAYS
from wsim.scenario.units import format_clock, parse_clock

#: The name of the window group of a fitted scenario (the prefix of one group per speed band).
WINDOW_GROUP = "windows"
#: Simulated tickets per trial of the capacity scale: each trial simulates every fitted date
#: of the day type, replicated until about this many tickets are simulated (at least
#: ``SCALE_REPLICATIONS`` times). The simulated tickets served a day then have a relative
#: standard error of about 0.5% on every day type, a short one of one date (609 tickets on
#: the bank log's Friday: 83 replications) as a full one of five (10 replications): with a
#: fixed 10 replications a short day type's throughput was several times noisier, and its
#: scale more so, as the throughput moves by less than half a percent per percent of capacity.
SCALE_TICKETS = 50_000
SCALE_REPLICATIONS = 10


@dataclass
class FitResult:
    """A scenario fitted from a log, and the evidence behind it.

    Attributes: ``mapping`` (the scenario as YAML-ready data, in the calendar format with day
    types), ``log`` (the cleaned tickets and the issues found), ``day_types`` (each one's dates
    and hours, the default first), ``grouping`` (how the weekdays were grouped, in words),
    ``excluded`` (usable tickets left out of the fit, by reason), ``arrivals`` and
    ``servers`` (per day type), ``service``, ``patience`` (``None`` if nobody abandoned),
    ``bands`` (window speed per band of the day), ``band_search`` (the splits tried when the
    bands were chosen from the data), ``day_speeds`` (per day type, its window-speed factor
    on the bands and whether it is its own or pooled, :mod:`.day_speeds`) and ``capacity``
    (per day type; ``None`` when the capacity was not scaled).
    """

    mapping: dict[str, Any]
    log: TicketLog
    day_types: list[DayType]
    grouping: str
    excluded: pd.DataFrame
    arrivals: dict[str, ArrivalFit]
    servers: dict[str, ServerFit]
    service: ServiceFit
    patience: PatienceFit | None
    bands: pd.DataFrame
    band_search: pd.DataFrame
    day_speeds: pd.DataFrame
    capacity: dict[str, CapacityScale | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.mapping["name"])

    @property
    def dates(self) -> tuple[pd.Timestamp, ...]:
        """Every fitted date, in order."""
        return tuple(sorted(d for t in self.day_types for d in t.selection.dates))

    @property
    def day_type_of(self) -> dict[str, str]:
        """Weekday -> the name of its day type."""
        return {day: t.name for t in self.day_types for day in t.weekdays}

    @property
    def tickets(self) -> pd.DataFrame:
        """The tickets the fit describes (each day type's dates and hours)."""
        masks = [t.selection.mask(self.log.tickets) for t in self.day_types]
        return self.log.tickets[np.logical_or.reduce(masks)]

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """Each day type as a scenario of its own (its fitted dates' weekdays, one day each)."""
        return {
            t.name: load_scenario(single_day_type(self.mapping, t.name, days=t.selection.n_days))
            for t in self.day_types
        }

    @property
    def scenario(self) -> Scenario:
        """The fitted scenario, when it has a single day type (else see :attr:`scenarios`)."""
        if len(self.day_types) > 1:
            raise LogError(
                f"the fit has {len(self.day_types)} day types; simulate each with .scenarios"
            )
        return self.scenarios[DEFAULT]

    def cleaning(self) -> pd.DataFrame:
        """Every row not used as it was: the log's issues, then tickets outside the fit."""
        table = pd.concat([self.log.issues, self.excluded], ignore_index=True)
        summary = pd.DataFrame(
            [
                {"issue": "rows read", "rows": self.log.rows_read, "action": "", "detail": ""},
                {
                    "issue": "tickets fitted",
                    "rows": len(self.tickets),
                    "action": "",
                    "detail": f"{len(self.dates)} days",
                },
            ]
        )
        return pd.concat([summary, table], ignore_index=True)

    def yaml_text(self) -> str:
        """The scenario as YAML, with a header saying where it came from.

        The header names the log by its file name only, so that a fitted scenario committed
        to a repository carries no folder of the machine that fitted it.
        """
        types = "; ".join(
            f"{t.name}: {', '.join(t.weekdays)} ({_dates_text(t.selection.n_days)}, "
            f"{format_clock(t.selection.open)}-{format_clock(t.selection.close)})"
            for t in self.day_types
        )
        header = (
            f"# Fitted by wsim fit from {Path(self.log.source).name} ({self.log.rows_read} rows, "
            f"{len(self.tickets)} tickets fitted).\n"
            f"# Day types ({self.grouping}): {types}.\n"
            "# Day types are in the calendar format of the scenario spec (calendar.day_types,\n"
            "# day_schedules, day_factors, day_profiles); wsim validate-log simulates each alone.\n"
            "# Times are minutes; see the fit report for the evidence behind each number.\n"
        )
        return header + yaml.safe_dump(self.mapping, sort_keys=False, allow_unicode=True)

    def to_yaml(self, path: str | os.PathLike) -> Path:
        """Write the scenario YAML atomically (temporary file, then rename)."""
        return write_text_atomic(Path(path), self.yaml_text())

    def text(self) -> str:
        """A few lines for the terminal: what was fitted from how many tickets."""
        lines = [
            f"{self.log.source}: {self.log.rows_read} rows, {len(self.log.tickets)} usable "
            f"tickets, {len(self.tickets)} fitted on {len(self.dates)} days"
        ]
        for t in self.day_types:
            sel = t.selection
            scale = self.capacity.get(t.name)
            lines.append(
                f"  day type {t.name}: {', '.join(t.weekdays)} ({_dates_text(sel.n_days)}), "
                f"{format_clock(sel.open)}-{format_clock(sel.close)}, windows up to "
                f"{self.servers[t.name].by_slot['windows'].max():.1f} ready"
                + (f", capacity scale {scale.scale:.3f}" if scale is not None else "")
            )
        dropped = self.log.issues[self.log.issues["action"] == DROPPED]
        for _, row in dropped.iterrows():
            lines.append(f"  dropped {row['rows']}: {row['issue']}")
        for service, dist in self.service.window_time.items():
            lines.append(f"  window time {service}: {_distribution_text(dist)}")
        if self.patience is not None:
            lines.append(f"  patience (pooled): {_distribution_text(self.patience.patience)}")
            for (service, level), dist in self.patience.by_class.items():
                label = service if not level else f"{service} priority {level}"
                lines.append(f"  patience {label}: {_distribution_text(dist)}")
        lines.append(
            "  speed bands: "
            + ", ".join(f"{row.band} x{row.speed:.2f}" for row in self.bands.itertuples())
        )
        lines.append(
            "  window speed per day type: "
            + ", ".join(
                f"{row.day_type} x{row.factor:.2f} ({row.source})"
                for row in self.day_speeds.itertuples()
            )
        )
        return "\n".join(lines)

    def summary(self) -> pd.DataFrame:
        """Per service: tickets fitted, mean per day (default day type) and the window time."""
        quality = self.arrivals[DEFAULT].quality.set_index("service")
        rows = [
            {
                "service": service,
                "tickets": quality.loc[service, "tickets"] if service in quality.index else 0,
                "per_day": quality.loc[service, "per_day"] if service in quality.index else 0.0,
                "window_time": _distribution_text(dist),
            }
            for service, dist in self.service.window_time.items()
        ]
        return pd.DataFrame(rows)

    def day_type_table(self) -> pd.DataFrame:
        """Per weekday of the log: dates, volume, hours found and the day type it is in."""
        table = weekday_profile(self.log.tickets, self.day_types[0].selection.slot)
        return table.drop(columns=["open", "close"]).assign(
            day_type=table["weekday"].map(self.day_type_of).fillna("not fitted")
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table behind the fit, by name (the fit report shows them)."""

        def per_type(get) -> pd.DataFrame:
            return pd.concat(
                [get(t.name).assign(day_type=t.name) for t in self.day_types], ignore_index=True
            )

        tables = {
            "cleaning": self.cleaning(),
            "day_types": self.day_type_table(),
            "arrivals_quality": per_type(lambda n: self.arrivals[n].quality),
            "arrivals_by_slot": per_type(lambda n: self.arrivals[n].by_slot),
            "weekdays": per_type(lambda n: self.arrivals[n].by_date),
            "service_candidates": self.service.candidates,
            "speed_bands": self.bands,
            "speed_band_search": self.band_search,
            "day_type_speeds": self.day_speeds,
            "servers_by_slot": per_type(lambda n: self.servers[n].by_slot),
            "served_by_server": served_by_server(self.tickets),
        }
        scaled = {n: c for n, c in self.capacity.items() if c is not None}
        if scaled:
            tables["capacity_scale"] = pd.concat(
                [
                    c.trials.assign(
                        day_type=n, chosen=c.trials["scale"] == c.scale, converged=c.converged
                    )
                    for n, c in scaled.items()
                ],
                ignore_index=True,
            )
        if self.patience is not None:
            tables["patience_candidates"] = self.patience.candidates
            tables["patience_classes"] = self.patience.classes
            tables["patience_km"] = self.patience.km
        return tables

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write scenario.yaml and every table (CSV) to `folder`; returns the paths written."""
        out = Path(folder)
        written = [self.to_yaml(out / "scenario.yaml")]
        for name, table in self.tables().items():
            written.append(write_table_atomic(table, out / f"{name}.csv"))
        return written

    def _type(self, name: str) -> DayType:
        for t in self.day_types:
            if t.name == name:
                return t
        raise LogError(f"no day type {name!r}; the fit has {[t.name for t in self.day_types]}")

    def plot_arrivals(self, day_type: str = DEFAULT) -> Figure:
        """Observed tickets per slot against the fitted rates, per service, of a day type."""
        return plots.arrivals_figure(self.arrivals[day_type], self._type(day_type).selection)

    def plot_service_times(self) -> Figure:
        """Histograms of logged window times with the fitted densities, per service."""
        return plots.service_figure(self.service)

    def plot_patience(self) -> Figure:
        """Kaplan-Meier survival of patience and the fitted survival curves."""
        if self.patience is None:
            raise ValueError("nobody abandoned in the fitted tickets: no patience was fitted")
        return plots.patience_figure(self.patience)

    def plot_servers(self, day_type: str = DEFAULT) -> Figure:
        """Servers per slot (present, busy, ready, distinct) and the windows of a day type."""
        return plots.servers_figure(self.servers[day_type], self._type(day_type).selection)


def _dates_text(n: int) -> str:
    return f"{n} date" if n == 1 else f"{n} dates"


def _distribution_text(dist: Mapping[str, Any]) -> str:
    """``lognormal (mean=12.1, sd=5.3)`` for a distribution mapping."""
    params = ", ".join(f"{k}={v}" for k, v in dist.items() if k != "dist")
    return f"{dist['dist']} ({params})"


def _excluded(tickets: pd.DataFrame, types: list[DayType]) -> pd.DataFrame:
    on_day = np.logical_or.reduce([tickets["date"].isin(t.selection.dates) for t in types])
    fitted = np.logical_or.reduce([t.selection.mask(tickets) for t in types])
    rows = [
        {
            "issue": "day not fitted",
            "rows": int((~on_day).sum()),
            "action": "not fitted",
            "detail": f"issued on {', '.join(sorted(set(tickets.loc[~on_day, 'weekday'])))}",
        },
        {
            "issue": "outside opening hours",
            "rows": int((on_day & ~fitted).sum()),
            "action": "not fitted",
            "detail": "issued outside its day type's opening hours on a fitted day",
        },
    ]
    return pd.DataFrame(
        [row for row in rows if row["rows"]], columns=["issue", "rows", "action", "detail"]
    )


def _band_edges(starts: Sequence[str | float], lo: float, hi: float) -> list[tuple[float, float]]:
    """Bands of [lo, hi) from the clock times where a new band starts."""
    cuts = []
    for item in starts:
        try:
            minute = parse_clock(item)
        except ValueError as exc:
            raise LogError(f"speed_bands: {exc}") from None
        if not lo < minute < hi:
            raise LogError(
                f"speed_bands: {format_clock(minute)} is not inside the opening hours "
                f"{format_clock(lo)}-{format_clock(hi)}"
            )
        cuts.append(minute)
    edges = [lo, *sorted(set(cuts)), hi]
    return list(itertools.pairwise(edges))


def _band_schedule(servers: ServerFit, scale: float, start: float, end: float, close: float):
    """The windows of one band on one day type: scaled ready servers, 0 outside the band."""
    table = servers.by_slot
    inside = table[(table["slot"] + servers.slot > start) & (table["slot"] < end)]
    if inside.empty:
        return 0
    times = np.maximum(inside["slot"].to_numpy(), start)
    # An open slot keeps at least one window: tickets were issued in it on most days, so
    # someone served them (a server is only seen from their first call of the day).
    windows = np.maximum(scale * inside["windows"].to_numpy(), 1.0)
    schedule = dithered_schedule(times, windows, servers.slot)
    if end < close:
        schedule[format_clock(end)] = 0
    return schedule


def window_groups(
    types: list[DayType],
    servers: Mapping[str, ServerFit],
    scales: Mapping[str, float],
    bands: pd.DataFrame,
    services: list[str],
    factors: Mapping[str, float] | None = None,
) -> list[dict]:
    """One window group per speed band, staffed per slot and day type (``day_schedules``).

    A band's group has the band's measured speed and, on each day type, the scaled ready
    servers of the slots inside the band (0 before and after it). A day type with its own
    speed factor (`factors`, :mod:`.day_speeds`) has 0 windows in the band's group and its
    staff in a group of its own at the band's speed times its factor, open on it alone.
    """
    factors = {n: f for n, f in (factors or {}).items() if f != 1.0}
    with_speed = len(bands) > 1 or bool(factors)
    groups = []
    for band in bands.itertuples():
        label = f" {format_clock(band.start)}-{format_clock(band.end)}" if len(bands) > 1 else ""
        group: dict[str, Any] = {"name": WINDOW_GROUP + label, "serves": list(services)}
        if with_speed:
            group["speed"] = _speeds(band.speed, services)
        own_groups = []
        for t in types:
            schedule = _band_schedule(
                servers[t.name], scales.get(t.name, 1.0), band.start, band.end, t.selection.close
            )
            if t.name in factors and isinstance(schedule, dict):
                own_groups.append(
                    {
                        "name": f"{WINDOW_GROUP}{label} {t.name}",
                        "serves": list(services),
                        "speed": _speeds(band.speed * factors[t.name], services),
                        "count": 0,
                        "day_schedules": {t.name: schedule},
                    }
                )
                schedule = 0
            if t.name == DEFAULT:
                group["schedule" if isinstance(schedule, dict) else "count"] = schedule
            else:
                group.setdefault("day_schedules", {})[t.name] = schedule
        groups += [group, *own_groups]
    return groups


def _speeds(speed: float, services: list[str]) -> dict[str, float]:
    """A window group's ``speed`` mapping: one speed (3 significant digits) for every service."""
    return {service: float(f"{speed:.3g}") for service in services}


def _demand(types: list[DayType], arrivals: Mapping[str, ArrivalFit]) -> tuple[dict, list]:
    """Profiles and demand streams over all day types (``day_factors``, ``day_profiles``)."""
    profiles: dict[str, dict] = {}
    streams: dict[tuple, dict[str, dict]] = {}
    for t in types:
        rename = {p: p if t.name == DEFAULT else f"{p}_{t.name}" for p in arrivals[t.name].profiles}
        profiles |= {rename[p]: w for p, w in arrivals[t.name].profiles.items()}
        for entry in arrivals[t.name].demand:
            key = (entry["service"], entry.get("priority", 0))
            streams.setdefault(key, {})[t.name] = {**entry, "profile": rename[entry["profile"]]}
    demand = []
    for by_type in streams.values():
        base_type = (
            DEFAULT if DEFAULT in by_type else max(by_type, key=lambda n: by_type[n]["per_day"])
        )
        entry = dict(by_type[base_type])
        base = entry["per_day"]
        factors = {}
        profiles_of = {}
        weekday_factors = dict(entry.pop("weekday_factors", {}))
        for t in types:
            if t.name == base_type:
                continue
            own = by_type.get(t.name)
            factors[t.name] = float(f"{own['per_day'] / base:.4g}") if own else 0.0
            if own:
                profiles_of[t.name] = own["profile"]
                weekday_factors |= own.get("weekday_factors", {})
        if weekday_factors:
            entry["weekday_factors"] = weekday_factors
        if factors:
            entry["day_factors"] = factors
        if profiles_of:
            entry["day_profiles"] = profiles_of
        demand.append(entry)
    return profiles, demand


def _calendar(types: list[DayType]) -> dict[str, Any]:
    default = types[0].selection
    first = min(d for t in types for d in t.selection.dates)
    calendar: dict[str, Any] = {
        "mode": "days",
        "days": sum(t.selection.n_days for t in types),
        "start": WEEKDAYS[pd.Timestamp(first).day_of_week],
        "weekdays": list(default.weekdays),
        "open": format_clock(default.open),
        "close": format_clock(default.close),
    }
    others = {
        t.name: {
            "weekdays": list(t.weekdays),
            "open": format_clock(t.selection.open),
            "close": format_clock(t.selection.close),
        }
        for t in types[1:]
    }
    if others:
        calendar["day_types"] = others
    return calendar


def scenario_mapping(
    name: str,
    types: list[DayType],
    arrivals: Mapping[str, ArrivalFit],
    service: ServiceFit,
    patience: PatienceFit | None,
    windows: list[dict],
    target_wait: float | None,
    description: str,
) -> dict[str, Any]:
    """The fitted scenario as YAML-ready data (clock times as "HH:MM", times in minutes)."""
    profiles, demand = _demand(types, arrivals)
    if patience is not None:
        for entry in demand:
            own = patience.by_class.get((entry["service"], entry.get("priority", 0)))
            if own is not None:
                entry["patience"] = own
    mapping: dict[str, Any] = {
        "name": name,
        "description": description,
        "calendar": _calendar(types),
        "services": {
            svc: {
                "description": f"window time fitted from "
                f"{'all services' if service.source[svc] != svc else 'its own'} logged times",
                "window_time": dist,
            }
            for svc, dist in service.window_time.items()
        },
        "profiles": profiles,
        "demand": demand,
        "windows": windows,
    }
    if patience is not None:
        mapping["citizens"] = {"patience": patience.patience}
    if target_wait is not None:
        mapping["targets"] = {"hall_wait": float(target_wait)}
    return mapping


def served_per_day(
    mapping: Mapping[str, Any], day_type: DayType, replications: int, seed: int, workers: int
) -> float:
    """Simulated tickets served per day of `day_type` (its fitted dates' weekdays)."""
    single = single_day_type(mapping, day_type.name, days=day_type.selection.n_days)
    results = simulate(load_scenario(single), replications=replications, seed=seed, workers=workers)
    visits = results.visits
    served = visits["counted"] & (visits["outcome"] == "served")
    return float(served.sum()) / (replications * day_type.selection.n_days)


def scale_replications(day_type: DayType, tickets: pd.DataFrame) -> int:
    """Replications per trial of `day_type`'s capacity scale (:data:`SCALE_TICKETS`)."""
    issued = int(day_type.selection.mask(tickets).sum())
    return max(SCALE_REPLICATIONS, math.ceil(SCALE_TICKETS / max(issued, 1)))


def observed_served_per_day(tickets: pd.DataFrame, day_type: DayType) -> float:
    """Logged tickets served per day of `day_type` (within its hours)."""
    mine = tickets[day_type.selection.mask(tickets) & tickets["served"]]
    return len(mine) / day_type.selection.n_days


def fit(
    log: str | os.PathLike | pd.DataFrame | TicketLog,
    columns: LogLayout | Mapping[str, Any] | None = None,
    preset: str | None = None,
    *,
    days: Sequence[str] | str | None = None,
    day_types: str | Mapping[str, Sequence[str] | str] | None = None,
    dates: Sequence[pd.Timestamp] | None = None,
    hours: tuple[float, float] | None = None,
    slot: float = 30.0,
    break_gap: float = BREAK_GAP,
    servers: str = "ready",
    speed_bands: Sequence[str | float] | str | None = "auto",
    scale_capacity: bool = True,
    day_speeds: bool = True,
    seed: int = 0,
    workers: int = 1,
    target_wait: float | None = None,
    name: str | None = None,
) -> FitResult:
    """Fit a scenario to a queue log.

    Parameters
    ----------
    log : a CSV path, a DataFrame, or a log already read with :func:`read_log`.
    columns, preset : the column mapping (:class:`LogLayout` fields) and/or a preset name
        (``"anonymous-bank"``); mapping entries override the preset's.
    days : weekdays to fit (``"sun,mon"`` or a list); default: every weekday of the log.
    day_types : the grouping of weekdays into day types (``"default=sun,mon;short=fri"`` or
        a mapping, first group the default); default: the rule of :mod:`.daytypes`.
    dates : the dates to fit (e.g. the fitting dates of a holdout split); default: all dates
        of the fitted weekdays. Nothing from other dates enters the fit.
    hours : (open, close) minutes after midnight of the default day type; default: found in
        the log.
    slot : minutes per slot of the arrival profile and the window schedule (divides 1440).
    break_gap : for the ``available`` and ``present`` estimators: a server's gap between
        services longer than this (minutes) ends a shift.
    servers : how windows per slot are estimated: ``"ready"`` (default, no threshold),
        ``"ready-early"``, ``"available"`` or ``"present"`` (:mod:`wsim.calibrate.servers`).
    speed_bands : ``"auto"`` (default: chosen from the data, :func:`choose_bands`), ``None``
        or ``[]`` (one band), or the clock times (``"10:00"``) where a new band starts. Each
        band gets its own window group whose ``speed`` is the band's measured window speed.
    day_speeds : give a day type its own window-speed factor on the bands when the
        likelihood-ratio criterion of :mod:`.day_speeds` keeps it (``False``: every day type
        has the pooled bands' speeds).
    scale_capacity : scale each day type's ready servers so that the simulated windows serve
        as many tickets a day as the logged ones (:mod:`wsim.calibrate.capacity`; this
        simulates, with `seed` and `workers`).
    target_wait : the service-level target written into the scenario (minutes).
    name : the scenario's name.

    Raises
    ------
    LogError
        For a bad column mapping or an unusable log (:class:`~wsim.calibrate.layout.LogError`).
    """
    layout = make_layout(columns, preset) if not isinstance(log, TicketLog) else log.layout
    ticket_log = read_log(log, layout)
    tickets = ticket_log.tickets.assign(level=priority_levels(ticket_log.tickets))
    pool = tickets if dates is None else tickets[tickets["date"].isin(pd.to_datetime(dates))]
    if days is not None:
        pool = pool[pool["weekday"].isin(parse_days(days))]
    if pool.empty:
        raise LogError("no tickets on the dates and weekdays to fit")
    if day_types is None:
        groups, grouping = group_weekdays(pool, slot), "grouped by volume and opening hours"
    else:
        groups, grouping = parse_day_types(day_types), "given"
    types = day_types_of(tickets, groups, slot, sorted(pool["date"].unique()), hours)
    chosen = tickets[np.logical_or.reduce([t.selection.mask(tickets) for t in types])]
    service = fit_service_times(chosen, ticket_log.half_step)
    patience = fit_patience(chosen, ticket_log.half_step)
    lo = min(t.selection.open for t in types)
    hi = max(t.selection.close for t in types)
    if isinstance(speed_bands, str) and speed_bands == "auto":
        cuts, search = choose_bands(chosen, service.window_time, lo, hi, slot)
    else:
        cuts, search = list(speed_bands or ()), pd.DataFrame()
    bands = band_speeds(chosen, service.window_time, _band_edges(cuts, lo, hi))
    if len(bands) == 1:
        bands = bands.assign(speed=1.0)
    if day_speeds:
        bands, speeds = day_type_speeds(chosen, types, service.window_time, bands)
    else:
        speeds = pooled_speeds(types)
    factors = dict(zip(speeds["day_type"], speeds["factor"], strict=True))
    arrivals = {t.name: fit_arrivals(chosen[t.selection.mask(chosen)], t.selection) for t in types}
    staffing = {t.name: fit_servers(tickets, t.selection, break_gap, servers) for t in types}
    source = Path(ticket_log.source).name
    description = (
        f"Fitted from the queue log {source}: {len(chosen)} tickets on "
        f"{sum(t.selection.n_days for t in types)} days, day types "
        + "; ".join(f"{t.name} ({', '.join(t.weekdays)})" for t in types)
        + f". Windows per slot: {next(iter(staffing.values())).estimator}"
        + (", scaled per day type to the logged tickets served." if scale_capacity else ".")
    )
    services = list(service.window_time)

    def build(scales: Mapping[str, float]) -> dict[str, Any]:
        return scenario_mapping(
            name or f"Fitted from {source}",
            types,
            arrivals,
            service,
            patience,
            window_groups(types, staffing, scales, bands, services, factors),
            target_wait,
            description,
        )

    scales: dict[str, float] = {}
    capacity: dict[str, CapacityScale | None] = {t.name: None for t in types}
    if scale_capacity:
        for t in types:
            replications = scale_replications(t, tickets)
            capacity[t.name] = fit_scale(
                lambda scale, t=t, replications=replications: served_per_day(
                    build({**scales, t.name: scale}), t, replications, seed, workers
                ),
                observed_served_per_day(tickets, t),
            )
            scales[t.name] = capacity[t.name].scale
    return FitResult(
        mapping=build(scales),
        log=ticket_log,
        day_types=types,
        grouping=grouping,
        excluded=_excluded(ticket_log.tickets, types),
        arrivals=arrivals,
        servers=staffing,
        service=service,
        patience=patience,
        bands=bands,
        band_search=search,
        day_speeds=speeds,
        capacity=capacity,
    )
