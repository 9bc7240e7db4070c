"""Plots of a fit and of its validation: matplotlib Figures that show in notebooks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wsim.calibrate.arrivals import ArrivalFit
from wsim.calibrate.patience import PatienceFit
from wsim.calibrate.selection import Selection
from wsim.calibrate.servers import ServerFit
from wsim.calibrate.service import ServiceFit
from wsim.figures import PlotFigure
from wsim.scenario.units import format_clock

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _clock_ticks(axis, lo: float, hi: float) -> None:
    hours = np.arange(np.ceil(lo / 60) * 60, hi + 1, 120)
    axis.set_xticks(hours)
    axis.set_xticklabels([format_clock(h) for h in hours], rotation=45, fontsize=7)


def _grid(n: int, width: float = 11.0, per_row: int = 3) -> tuple[Figure, list]:
    rows = max(1, int(np.ceil(n / per_row)))
    figure = PlotFigure(figsize=(width, 2.9 * rows), layout="constrained")
    axes = figure.subplots(rows, per_row, squeeze=False).ravel().tolist()
    for extra in axes[n:]:
        extra.set_visible(False)
    return figure, axes[:n]


def arrivals_figure(arrivals: ArrivalFit, selection: Selection) -> Figure:
    """Observed tickets per slot (mean over the days, min-max band) against the fitted rates."""
    table = arrivals.by_slot
    services = list(table["service"].unique())
    figure, axes = _grid(len(services))
    slot = selection.slot
    for axis, service in zip(axes, services, strict=True):
        rows = table[table["service"] == service]
        x = rows["slot"] + slot / 2
        axis.fill_between(x, rows["min"], rows["max"], color="0.85", label="observed min-max")
        axis.plot(x, rows["mean"], "o", ms=3, color=_COLORS[0], label="observed mean")
        edges = np.append(rows["slot"].to_numpy(), rows["slot"].iloc[-1] + slot)
        axis.stairs(rows["fitted"].to_numpy(), edges, color=_COLORS[1], label="fitted")
        axis.set_title(f"{service}: tickets per {slot:g}-min slot", fontsize=9)
        _clock_ticks(axis, selection.open, selection.close)
    axes[0].legend(fontsize=7)
    return figure


def service_figure(service: ServiceFit) -> Figure:
    """Histogram of logged window times with the fitted densities (chosen one bold)."""
    fits = service.fits
    figure, axes = _grid(len(fits))
    for axis, (label, candidates) in zip(axes, fits.items(), strict=True):
        values = service.values[label]
        top = float(np.quantile(values, 0.99)) if values.size else 1.0
        bins = np.linspace(0, top, 40)
        axis.hist(values[values <= top], bins=bins, density=True, color="0.8")
        grid = np.linspace(top / 400, top, 400)
        mass = np.mean(values <= top) if values.size else 1.0
        for rank, fit in enumerate(candidates):
            axis.plot(
                grid,
                fit.frozen.pdf(grid) / mass,
                lw=2.2 if rank == 0 else 0.9,
                color=_COLORS[rank % len(_COLORS)],
                label=f"{fit.family} (AIC {fit.aic:,.0f})",
            )
        axis.set_title(f"{label}: window time (min), n={values.size}", fontsize=9)
        axis.legend(fontsize=6)
    return figure


def patience_figure(patience: PatienceFit) -> Figure:
    """Kaplan-Meier survival of patience (with interval) and the fitted survival curves."""
    figure = PlotFigure(figsize=(7, 4), layout="constrained")
    axis = figure.subplots()
    km = patience.km
    axis.step(km["time"], km["survival"], where="post", color="k", label="Kaplan-Meier")
    axis.fill_between(km["time"], km["ci_low"], km["ci_high"], step="post", color="0.85")
    grid = np.linspace(0, float(km["time"].max()), 400)
    for rank, fit in enumerate(patience.fits):
        axis.plot(
            grid,
            fit.frozen.sf(grid),
            lw=2 if rank == 0 else 1,
            color=_COLORS[rank % len(_COLORS)],
            label=f"{fit.family} (AIC {fit.aic:,.0f})",
        )
    axis.set_xlabel("wait (min)")
    axis.set_ylabel("P(patience > wait)")
    axis.set_ylim(0, 1.02)
    axis.legend(fontsize=8)
    return figure


def servers_figure(servers: ServerFit, selection: Selection) -> Figure:
    """Servers per slot: present, busy, available, distinct, and the scheduled windows."""
    figure = PlotFigure(figsize=(9, 4), layout="constrained")
    axis = figure.subplots()
    table = servers.by_slot
    slot = servers.slot
    x = table["slot"] + slot / 2
    for column, color in zip(("present", "available", "busy", "distinct"), _COLORS, strict=False):
        axis.plot(x, table[column], "o-", ms=3, lw=1, color=color, label=f"{column} (mean)")
    windows = table["windows"].to_numpy()
    edges = np.append(table["slot"].to_numpy(), table["slot"].iloc[-1] + slot)
    axis.stairs(windows, edges, color="k", lw=2, label="windows scheduled")
    axis.set_ylabel("servers")
    _clock_ticks(axis, selection.open, selection.close)
    axis.legend(fontsize=8)
    return figure


def validation_figure(hourly: pd.DataFrame, measures: Mapping[str, str]) -> Figure:
    """Observed and simulated values by hour, a panel per measure.

    Observed values are points with their interval, simulated ones a line with its band. `hourly` is
    :attr:`Validation.hourly`, `measures` its measure -> label.
    """
    figure, axes = _grid(len(measures), width=10, per_row=2)
    for axis, (measure, label) in zip(axes, measures.items(), strict=True):
        rows = hourly[hourly["measure"] == measure]
        hours = rows["hour"] + 0.5
        axis.fill_between(hours, rows["sim_low"], rows["sim_high"], color=_COLORS[1], alpha=0.2)
        axis.plot(hours, rows["simulated"], color=_COLORS[1], label="simulated")
        error = np.vstack(
            [rows["observed"] - rows["obs_low"], rows["obs_high"] - rows["observed"]]
        ).clip(min=0)
        axis.errorbar(
            hours,
            rows["observed"],
            yerr=np.nan_to_num(error),
            fmt="o",
            ms=3,
            color=_COLORS[0],
            capsize=2,
            label="observed",
        )
        axis.set_title(label, fontsize=9)
        axis.set_xlabel("hour of day (ticket issued)", fontsize=8)
    axes[0].legend(fontsize=8)
    return figure
