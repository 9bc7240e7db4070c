"""`fit`: from a queue log to a scenario, with the evidence for every number in it.

The steps, each in its own module: read and clean the log (:mod:`.logs`), choose the day type
and opening window (:mod:`.selection`), then fit arrivals (:mod:`.arrivals`), window times
(:mod:`.service`), patience (:mod:`.patience`) and windows per slot (:mod:`.servers`). The
result is a :class:`FitResult` holding the scenario (validated by the scenario schema, so
`wsim run` accepts it) and the tables the fit report shows.
"""

from __future__ import annotations

import itertools
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
from wsim.calibrate.arrivals import ArrivalFit, fit_arrivals
from wsim.calibrate.layout import LogError, LogLayout, make_layout
from wsim.calibrate.logs import DROPPED, TicketLog, read_log
from wsim.calibrate.patience import PatienceFit, fit_patience
from wsim.calibrate.selection import Selection, select
from wsim.calibrate.servers import (
    BREAK_GAP,
    ServerFit,
    dithered_schedule,
    fit_servers,
    served_by_server,
)
from wsim.calibrate.service import ServiceFit, band_speeds, fit_service_times
from wsim.files import write_table_atomic, write_text_atomic
from wsim.scenario import Scenario, load_scenario
from wsim.scenario.units import format_clock, parse_clock

#: The name of the window group of a fitted scenario (the prefix of one group per speed band).
WINDOW_GROUP = "windows"


@dataclass
class FitResult:
    """A scenario fitted from a log, and the evidence behind it.

    Attributes: ``scenario`` (validated), ``mapping`` (the same as YAML-ready data), ``log``
    (the cleaned tickets and the issues found), ``selection`` (days and hours described),
    ``excluded`` (usable tickets left out of the fit, by reason), ``arrivals``, ``service``,
    ``patience`` (``None`` if nobody abandoned), ``servers`` and ``bands`` (window speed per
    band of the day; one band for the whole day unless bands were asked for).
    """

    scenario: Scenario
    mapping: dict[str, Any]
    log: TicketLog
    selection: Selection
    excluded: pd.DataFrame
    arrivals: ArrivalFit
    service: ServiceFit
    patience: PatienceFit | None
    servers: ServerFit
    bands: pd.DataFrame

    @property
    def tickets(self) -> pd.DataFrame:
        """The tickets the fit describes (selected days and hours)."""
        return self.log.tickets[self.selection.mask(self.log.tickets)]

    def cleaning(self) -> pd.DataFrame:
        """Every row not used as it was: the log's issues, then tickets outside the selection."""
        table = pd.concat([self.log.issues, self.excluded], ignore_index=True)
        summary = pd.DataFrame(
            [
                {"issue": "rows read", "rows": self.log.rows_read, "action": "", "detail": ""},
                {
                    "issue": "tickets fitted",
                    "rows": len(self.tickets),
                    "action": "",
                    "detail": f"{self.selection.n_days} days",
                },
            ]
        )
        return pd.concat([summary, table], ignore_index=True)

    def yaml_text(self) -> str:
        """The scenario as YAML, with a header saying where it came from.

        The header names the log by its file name only, so that a fitted scenario committed
        to a repository carries no folder of the machine that fitted it.
        """
        header = (
            f"# Fitted by wsim fit from {Path(self.log.source).name} ({self.log.rows_read} rows, "
            f"{len(self.tickets)} tickets fitted).\n"
            f"# Days: {self.selection.reason}.\n"
            "# Times are minutes; see the fit report for the evidence behind each number.\n"
        )
        return header + yaml.safe_dump(self.mapping, sort_keys=False, allow_unicode=True)

    def to_yaml(self, path: str | os.PathLike) -> Path:
        """Write the scenario YAML atomically (temporary file, then rename)."""
        return write_text_atomic(Path(path), self.yaml_text())

    def text(self) -> str:
        """A few lines for the terminal: what was fitted from how many tickets."""
        s = self.selection
        lines = [
            f"{self.log.source}: {self.log.rows_read} rows, {len(self.log.tickets)} usable "
            f"tickets, {len(self.tickets)} fitted ({s.n_days} days: {', '.join(s.weekdays)}, "
            f"{format_clock(s.open)}-{format_clock(s.close)})",
        ]
        dropped = self.log.issues[self.log.issues["action"] == DROPPED]
        for _, row in dropped.iterrows():
            lines.append(f"  dropped {row['rows']}: {row['issue']}")
        for service, dist in self.service.window_time.items():
            lines.append(f"  window time {service}: {_distribution_text(dist)}")
        if self.patience is not None:
            lines.append(f"  patience: {_distribution_text(self.patience.patience)}")
        peak = int(self.servers.by_slot["windows"].max())
        lines.append(f"  windows: up to {peak} ({self.servers.estimator})")
        return "\n".join(lines)

    def summary(self) -> pd.DataFrame:
        """Per service: tickets fitted, mean per day and the chosen window-time distribution."""
        quality = self.arrivals.quality.set_index("service")
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

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table behind the fit, by name (the fit report shows them)."""
        tables = {
            "cleaning": self.cleaning(),
            "arrivals_quality": self.arrivals.quality,
            "arrivals_by_slot": self.arrivals.by_slot,
            "weekdays": self.arrivals.by_date,
            "service_candidates": self.service.candidates,
            "speed_bands": self.bands,
            "servers_by_slot": self.servers.by_slot,
            "served_by_server": served_by_server(self.tickets),
        }
        if self.patience is not None:
            tables["patience_candidates"] = self.patience.candidates
            tables["patience_km"] = self.patience.km
        return tables

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write scenario.yaml and every table (CSV) to `folder`; returns the paths written."""
        out = Path(folder)
        written = [self.to_yaml(out / "scenario.yaml")]
        for name, table in self.tables().items():
            written.append(write_table_atomic(table, out / f"{name}.csv"))
        return written

    def plot_arrivals(self) -> Figure:
        """Observed tickets per slot against the fitted rates, per service."""
        return plots.arrivals_figure(self.arrivals, self.selection)

    def plot_service_times(self) -> Figure:
        """Histograms of logged window times with the fitted densities, per service."""
        return plots.service_figure(self.service)

    def plot_patience(self) -> Figure:
        """Kaplan-Meier survival of patience and the fitted survival curves."""
        if self.patience is None:
            raise ValueError("nobody abandoned in the fitted tickets: no patience was fitted")
        return plots.patience_figure(self.patience)

    def plot_servers(self) -> Figure:
        """Servers per slot (present, busy, available, distinct) and the scheduled windows."""
        return plots.servers_figure(self.servers, self.selection)


def _distribution_text(dist: Mapping[str, Any]) -> str:
    """``lognormal (mean=12.1, sd=5.3)`` for a distribution mapping."""
    params = ", ".join(f"{k}={v}" for k, v in dist.items() if k != "dist")
    return f"{dist['dist']} ({params})"


def _excluded(tickets: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    on_day = tickets["date"].isin(selection.dates)
    in_hours = (tickets["clock"] >= selection.open) & (tickets["clock"] < selection.close)
    hours = f"{format_clock(selection.open)}-{format_clock(selection.close)}"
    rows = [
        {
            "issue": "other day type",
            "rows": int((~on_day).sum()),
            "action": "not fitted",
            "detail": f"issued on {', '.join(sorted(set(tickets.loc[~on_day, 'weekday'])))}",
        },
        {
            "issue": "outside opening hours",
            "rows": int((on_day & ~in_hours).sum()),
            "action": "not fitted",
            "detail": f"issued outside {hours} on a fitted day",
        },
    ]
    return pd.DataFrame(
        [row for row in rows if row["rows"]], columns=["issue", "rows", "action", "detail"]
    )


def _bands(selection: Selection, starts: Sequence[str | float] | None) -> list[tuple[float, float]]:
    """Bands of the opening window from the clock times where a new band starts."""
    cuts = []
    for item in starts or ():
        try:
            minute = parse_clock(item)
        except ValueError as exc:
            raise LogError(f"speed_bands: {exc}") from None
        if not selection.open < minute < selection.close:
            raise LogError(
                f"speed_bands: {format_clock(minute)} is not inside the opening window "
                f"{format_clock(selection.open)}-{format_clock(selection.close)}"
            )
        cuts.append(minute)
    edges = [selection.open, *sorted(set(cuts)), selection.close]
    return list(itertools.pairwise(edges))


def window_groups(servers: ServerFit, bands: pd.DataFrame, services: list[str]) -> list[dict]:
    """One window group per band, staffed per slot from the server estimate.

    A band's group opens at the band's start and closes (count 0) at its end; its ``speed`` is
    the band's measured speed.
    """
    table = servers.by_slot
    groups = []
    for band in bands.itertuples():
        inside = table[(table["slot"] + servers.slot > band.start) & (table["slot"] < band.end)]
        counts = inside["windows"].to_numpy()
        times = np.maximum(inside["slot"].to_numpy(), band.start)
        schedule = dithered_schedule(times, counts, servers.slot)
        if band.end < float(table["slot"].iloc[-1]) + servers.slot:
            schedule[format_clock(band.end)] = 0
        group = {"name": WINDOW_GROUP, "serves": services, "schedule": schedule}
        if len(bands) > 1:
            group["name"] = f"{WINDOW_GROUP} {format_clock(band.start)}-{format_clock(band.end)}"
            group["speed"] = {service: float(f"{band.speed:.3g}") for service in services}
        groups.append(group)
    return groups


def scenario_mapping(
    name: str,
    selection: Selection,
    arrivals: ArrivalFit,
    service: ServiceFit,
    patience: PatienceFit | None,
    windows: list[dict],
    target_wait: float | None,
    description: str,
) -> dict[str, Any]:
    """The fitted scenario as YAML-ready data (clock times as "HH:MM", times in minutes)."""
    first_weekday = pd.Timestamp(selection.dates[0]).day_name().lower()[:3]
    mapping: dict[str, Any] = {
        "name": name,
        "description": description,
        "calendar": {
            "mode": "days",
            "days": selection.n_days,
            "start": first_weekday,
            "weekdays": list(selection.weekdays),
            "open": format_clock(selection.open),
            "close": format_clock(selection.close),
        },
        "services": {
            svc: {
                "description": f"window time fitted from "
                f"{'all services' if service.source[svc] != svc else 'its own'} logged times",
                "window_time": dist,
            }
            for svc, dist in service.window_time.items()
        },
        "profiles": arrivals.profiles,
        "demand": arrivals.demand,
        "windows": windows,
    }
    if patience is not None:
        mapping["citizens"] = {"patience": patience.patience}
    if target_wait is not None:
        mapping["targets"] = {"hall_wait": float(target_wait)}
    return mapping


def fit(
    log: str | os.PathLike | pd.DataFrame | TicketLog,
    columns: LogLayout | Mapping[str, Any] | None = None,
    preset: str | None = None,
    *,
    days: Sequence[str] | str | None = None,
    hours: tuple[float, float] | None = None,
    slot: float = 30.0,
    break_gap: float = BREAK_GAP,
    servers: str = "available",
    speed_bands: Sequence[str | float] | None = None,
    target_wait: float | None = None,
    name: str | None = None,
) -> FitResult:
    """Fit a scenario to a queue log.

    Parameters
    ----------
    log : a CSV path, a DataFrame, or a log already read with :func:`read_log`.
    columns, preset : the column mapping (:class:`LogLayout` fields) and/or a preset name
        (``"anonymous-bank"``); mapping entries override the preset's.
    days : weekdays to describe (``"sun,mon"`` or a list); default: the full working days
        (see :mod:`wsim.calibrate.selection`).
    hours : (open, close) minutes after midnight; default: found in the log.
    slot : minutes per slot of the arrival profile and the window schedule (divides 1440).
    break_gap : a server's gap between services longer than this (minutes) ends a shift.
    servers : how windows per slot are estimated, ``"available"`` or ``"present"`` (see
        :mod:`wsim.calibrate.servers`).
    speed_bands : clock times (``"10:00"``) where a new band of the day starts; each band
        gets its own window group whose ``speed`` is the band's measured window speed (for
        window times that change over the day). Default: one group for the whole day.
    target_wait : the service-level target written into the scenario (minutes).
    name : the scenario's name.

    Raises :class:`~wsim.calibrate.layout.LogError` for a bad mapping or an unusable log.
    """
    layout = make_layout(columns, preset) if not isinstance(log, TicketLog) else log.layout
    ticket_log = read_log(log, layout)
    selection = select(ticket_log.tickets, days, slot, hours)
    chosen = ticket_log.tickets[selection.mask(ticket_log.tickets)]
    arrivals = fit_arrivals(chosen, selection)
    service = fit_service_times(chosen, ticket_log.half_step)
    patience = fit_patience(chosen, ticket_log.half_step)
    staffing = fit_servers(ticket_log.tickets, selection, break_gap, servers)
    bands = band_speeds(chosen, service.window_time, _bands(selection, speed_bands))
    if len(bands) == 1:
        bands = bands.assign(speed=1.0)
    source = Path(ticket_log.source).name
    description = (
        f"Fitted from the queue log {source}: {len(chosen)} tickets on {selection.n_days} "
        f"days ({', '.join(selection.weekdays)}). {selection.reason}. Windows per slot: "
        f"{staffing.estimator}."
    )
    mapping = scenario_mapping(
        name or f"Fitted from {source}",
        selection,
        arrivals,
        service,
        patience,
        window_groups(staffing, bands, list(service.window_time)),
        target_wait,
        description,
    )
    return FitResult(
        scenario=load_scenario(mapping),
        mapping=mapping,
        log=ticket_log,
        selection=selection,
        excluded=_excluded(ticket_log.tickets, selection),
        arrivals=arrivals,
        service=service,
        patience=patience,
        servers=staffing,
        bands=bands,
    )
