"""Plots of a comparison (and of a scenario grid), as matplotlib Figures.

Every function takes a comparison (or a grid) and returns a :class:`~wsim.figures.PlotFigure`
made without pyplot (no global state, no display needed); a notebook shows a returned figure,
``fig.savefig("x.png")`` writes it. :class:`~wsim.comparison.Comparison` and
:class:`~wsim.comparison.Grid` call them from their ``plot_*`` methods; the functions read them
through the small protocols below, so this module does not import them. Plots are computed
from the replications whose tables the comparison kept (``keep_tables`` of
:func:`wsim.compare`); the hourly measures are those of :mod:`wsim.metrics.hourly`.

Labels come from :mod:`wsim.metrics.catalog` and :mod:`wsim.texts` (``lang="en"`` or
``"zh"``); ``narrow=True`` draws the phone-width variant (:mod:`.plot_style`). The baseline is
always drawn on top, in black.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wsim.comparison import plot_style as style
from wsim.metrics.catalog import KPIS, hourly_label, kpi_label, kpi_scale
from wsim.scenario.overlays import format_value
from wsim.texts import text


class Compared(Protocol):
    """What the plots read of a comparison (a :class:`~wsim.comparison.Comparison`)."""

    baseline: str
    options: list[str]
    better: Mapping[str, str]
    results: Mapping[str, Any]
    confidence: float
    kpis: pd.DataFrame

    @property
    def kpi_names(self) -> list[str]:
        """Every KPI column, in table order."""

    @property
    def headline_kpis(self) -> list[str]:
        """The headline KPIs the comparison measures."""

    def summary(self) -> pd.DataFrame:
        """One row per option and KPI: mean, interval and change against the baseline."""

    def differences(self) -> pd.DataFrame:
        """Change of every option against the baseline, per KPI."""

    def hourly_summary(self) -> pd.DataFrame:
        """Per option, hourly measure and hour of day: mean over replications, 95% interval."""

    def has_cases(self) -> bool:
        """Whether every option has a case table with lead times and trips."""


class Gridded(Protocol):
    """What the plots read of a scenario grid (a :class:`~wsim.comparison.Grid`)."""

    comparison: Compared
    parameters: list[str]

    def table(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per grid point and KPI: the parameter values, then the summary columns."""


#: Points drawn of an empirical distribution function (its quantiles), however many cases.
ECDF_POINTS = 401
#: Quantile of the pooled lead times where the lead-time axis ends (the informative range).
LEAD_TIME_AXIS_QUANTILE = 0.99


def varying_kpis(comparison: Compared, kpis: Sequence[str]) -> list[str]:
    """The `kpis` whose values differ somewhere (over options and replications)."""
    kept = []
    for kpi in kpis:
        values = comparison.kpis[kpi].to_numpy(dtype=float) if kpi in comparison.kpis else []
        finite = np.asarray(values)[np.isfinite(values)]
        if finite.size and finite.min() != finite.max():
            kept.append(kpi)
    return kept


def forest(
    comparison: Compared,
    kpis: Sequence[str] | None = None,
    *,
    verdicts: pd.DataFrame | None = None,
    lang: str = "en",
    narrow: bool = False,
) -> Figure:
    """Change of every option against the baseline, with its paired interval, per KPI.

    One panel per KPI (default: the headline KPIs that vary), one row per option. With
    `verdicts` (``Decision.verdicts``: the minimal-important-difference rule) the band of the
    MID is shaded and each change is colored by its verdict; without, by significance alone.
    """
    options = [o for o in comparison.options if o != comparison.baseline]
    if not options:
        raise ValueError("no option besides the baseline: nothing to compare")
    if kpis is None:
        kpis = varying_kpis(comparison, comparison.headline_kpis or comparison.kpi_names)
        if verdicts is not None:
            kpis = [k for k in kpis if k in set(verdicts.kpi)]
    kpis = list(kpis)
    table = verdicts if verdicts is not None else comparison.differences()
    prefix, short = style.short_names(comparison.options)
    rows = len(options)
    height = 0.5 + len(kpis) * (0.32 * rows + 0.75)
    with style.Canvas(narrow, lang, height, height * 1.1) as canvas:
        fig, lang = canvas.fig, canvas.lang
        axes = fig.subplots(len(kpis), 1, squeeze=False)[:, 0] if kpis else []
        width = style.wrap_width(narrow, 30)
        titles = style.title_width(narrow, lang)
        for ax, kpi in zip(axes, kpis, strict=True):
            mine = table[table.kpi == kpi].set_index("option").reindex(options)
            scale = kpi_scale(kpi)
            y = np.arange(len(options))[::-1]
            if "mid" in mine and np.isfinite(mine["mid"]).any():
                mid = float(np.nanmax(mine["mid"])) * scale
                ax.axvspan(-mid, mid, color="#d0d7de", alpha=0.6, linewidth=0)
            for yi, (_, row) in zip(y, mine.iterrows(), strict=True):
                ax.errorbar(
                    row["diff"] * scale,
                    yi,
                    xerr=style.error(row["diff"], row.diff_low, row.diff_high) * scale,
                    fmt="o",
                    color=_verdict_color(row),
                    capsize=3,
                )
            ax.axvline(0, color=style.BASELINE_COLOR, linewidth=1)
            ax.set_yticks(y, [style.label(short[o], width) for o in options])
            ax.set_ylim(-0.7, len(options) - 0.3)
            ax.set_title(style.label(_kpi_title(comparison, kpi, lang), titles), loc="left")
            ax.tick_params(axis="y", labelsize=style.NARROW_FONT - 1 if narrow else None)
        confidence = f"{comparison.confidence:.0%}"
        title = text("plot.change_title", lang, confidence=confidence)
        fig.suptitle(style.label(title + (f" \u2013 {prefix}" if prefix else ""), titles))
    return fig


def _verdict_color(row: pd.Series) -> str:
    if "verdict" in row:
        return style.VERDICT_COLORS.get(row["verdict"], style.VERDICT_COLORS["unknown"])
    better = row.get("better")
    return style.VERDICT_COLORS[{True: "better", False: "worse"}.get(better, "unknown")]


def _kpi_title(comparison: Compared, kpi: str, lang: str) -> str:
    name = kpi_label(kpi, lang)
    direction = comparison.better.get(kpi)
    if kpi in KPIS and KPIS[kpi].unit == "share":
        name = kpi_label(kpi, lang, unit=False) + text("plot.points_suffix", lang)
    return text(f"plot.{direction}_better", lang, label=name) if direction else name


def _draw_lines(ax, comparison: Compared, series: Mapping[str, tuple], lang: str, narrow: bool):
    """One line per option (x, y[, low, high]); the baseline thick, black and on top.

    The baseline is drawn first (so it leads the legend) with the highest z-order (so no
    option hides it). Returns the options' common name prefix (the legend title).
    """
    colors = style.option_colors(comparison.options, comparison.baseline)
    prefix, short = style.short_names(comparison.options)
    width = style.wrap_width(narrow)
    order = [comparison.baseline] + [o for o in comparison.options if o != comparison.baseline]
    for option in order:
        if option not in series:
            continue
        x, y, *band = series[option]
        is_base = option == comparison.baseline
        name = style.baseline_name(short[option], lang) if is_base else short[option]
        ax.plot(
            x,
            y,
            color=colors[option],
            linewidth=2.6 if is_base else 1.5,
            zorder=10 if is_base else 3,
            path_effects=style.halo(5.0) if is_base else None,
            label=style.label(name, width),
        )
        if band:
            ax.fill_between(
                x, *band, color=colors[option], alpha=0.12, linewidth=0, zorder=9 if is_base else 2
            )
    return prefix


def hourly_plot(
    comparison: Compared,
    measure: str,
    table: pd.DataFrame | None = None,
    *,
    lang: str = "en",
    narrow: bool = False,
) -> Figure:
    """One hourly measure (``wait_mean``, ``queue_mean``, ``utilization``) by hour, per option.

    `table` is ``comparison.hourly_summary()`` if already computed.
    """
    table = comparison.hourly_summary() if table is None else table
    table = table[(table.measure == measure) & table["mean"].notna()]
    with style.Canvas(narrow, lang, 4.0, 5.6) as canvas:
        fig, lang = canvas.fig, canvas.lang
        ax = fig.subplots()
        series = {}
        for option in comparison.options:
            mine = table[table.option == option].sort_values("hour")
            if not mine.empty:
                x = mine.hour.to_numpy() + 0.5
                series[option] = (x, mine["mean"], mine.ci_low, mine.ci_high)
        prefix = _draw_lines(ax, comparison, series, lang, narrow)
        hours = sorted(table.hour.unique())
        if hours:
            step = 2 if narrow else 1
            ticks = list(range(int(min(hours)), int(max(hours)) + 2, step))
            ax.set_xticks(ticks, [f"{h % 24:02d}:00" for h in ticks], rotation=45)
        ax.set_xlabel(text("plot.hour_of_day", lang))
        ax.set_ylabel(style.label(hourly_label(measure, lang), 30 if narrow else None))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        canvas.legend(ax, prefix)
        measure_words = hourly_label(measure, lang)
        fig.suptitle(
            style.label(
                text("plot.by_hour", lang, measure=measure_words), style.title_width(narrow, lang)
            )
        )
    return fig


def lead_time_axis_end(comparison: Compared) -> float:
    """Where the lead-time axis ends: the 99th percentile of every option's lead times."""
    leads = [comparison.results[o].counted_cases("lead_time_days") for o in comparison.options]
    pooled = np.concatenate(leads) if leads else np.array([])
    pooled = pooled[np.isfinite(pooled)]
    return float(np.quantile(pooled, LEAD_TIME_AXIS_QUANTILE)) if pooled.size else 1.0


def lead_time_distribution(
    comparison: Compared, *, lang: str = "en", narrow: bool = False
) -> Figure:
    """Distribution (empirical CDF) of case lead times in days, per option (completed cases).

    The axis ends at the 99th percentile of the pooled lead times (:func:`lead_time_axis_end`),
    so that a long tail of a few cases does not squash the range where most are decided.
    """
    _require_cases(comparison)
    with style.Canvas(narrow, lang, 4.0, 5.6) as canvas:
        fig, lang = canvas.fig, canvas.lang
        ax = fig.subplots()
        series = {}
        share = np.linspace(0, 1, ECDF_POINTS)
        for option in comparison.options:
            lead = comparison.results[option].counted_cases("lead_time_days")
            lead = lead[np.isfinite(lead)]
            if lead.size:
                series[option] = (np.quantile(lead, share), share)
        prefix = _draw_lines(ax, comparison, series, lang, narrow)
        ax.set_xlim(0, lead_time_axis_end(comparison))
        ax.set_xlabel(style.label(text("plot.lead_axis", lang), 36 if narrow else None))
        ax.set_ylabel(text("plot.completed_share", lang))
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        canvas.legend(ax, prefix)
        fig.suptitle(text("figure.lead", lang))
    return fig


def trips_distribution(
    comparison: Compared, most: int = 4, *, lang: str = "en", narrow: bool = False
) -> Figure:
    """Share of cases by number of hall trips (0, 1, ... `most` or more), per option."""
    _require_cases(comparison)
    colors = style.option_colors(comparison.options, comparison.baseline)
    prefix, short = style.short_names(comparison.options)
    order = [comparison.baseline] + [o for o in comparison.options if o != comparison.baseline]
    with style.Canvas(narrow, lang, 4.0, 5.6) as canvas:
        fig, lang = canvas.fig, canvas.lang
        ax = fig.subplots()
        width = 0.8 / max(len(order), 1)
        for i, option in enumerate(order):
            trips = comparison.results[option].counted_cases("trips")
            trips = np.minimum(trips[np.isfinite(trips)], most).astype(int)
            share = np.bincount(trips, minlength=most + 1) / max(trips.size, 1)
            x = np.arange(most + 1) + (i - (len(order) - 1) / 2) * width
            is_base = option == comparison.baseline
            name = style.baseline_name(short[option], lang) if is_base else short[option]
            ax.bar(
                x,
                share,
                width=width,
                color=colors[option],
                label=style.label(name, style.wrap_width(narrow)),
            )
        ax.set_xticks(range(most + 1), [str(k) for k in range(most)] + [f"{most}+"])
        ax.set_xlabel(text("plot.trips_axis", lang))
        ax.set_ylabel(text("plot.cases_share", lang))
        canvas.legend(ax, prefix)
        fig.suptitle(text("figure.trips", lang))
    return fig


def _require_cases(comparison: Compared) -> None:
    if not comparison.has_cases():
        raise ValueError(
            "no cases table with lead_time_days and trips in these results "
            "(the model of these scenarios records no citizen journeys)"
        )


# --- plots of a grid ----------------------------------------------------------------------------


def grid_curves(grid: Gridded, kpi: str, *, lang: str = "en") -> Figure:
    """What-if curves: `kpi` against the first grid parameter, one line per second parameter.

    Points show the mean with its 95% interval; the dashed line is the base scenario.
    """
    table = grid.table([kpi])
    first = grid.parameters[0]
    rest = grid.parameters[1:]
    with style.Canvas(False, lang, 4.2) as canvas:
        fig, lang = canvas.fig, canvas.lang
        ax = fig.subplots()
        groups = (
            table.groupby([table[p].map(str) for p in rest], sort=False) if rest else [("", table)]
        )
        for i, (key, part) in enumerate(groups):
            x = _axis_values(part[first])
            keys = key if isinstance(key, tuple) else (key,)
            name = ", ".join(f"{p}={k}" for p, k in zip(rest, keys, strict=False))
            ax.errorbar(
                x,
                part["mean"],
                yerr=style.error(
                    part["mean"].to_numpy(), part.ci_low.to_numpy(), part.ci_high.to_numpy()
                ),
                marker="o",
                capsize=3,
                color=style.color(i),
                label=style.label(name, 50) if name else None,
            )
        values = _axis_values(table[first])
        if isinstance(values[0], (int, float, np.number)):
            ticks = sorted(set(values))
            if len(ticks) <= 20:
                ax.set_xticks(ticks, [format_value(v) for v in ticks])
        else:
            ax.tick_params(axis="x", rotation=30)
        base = grid.comparison.summary()
        base = base[(base.option == grid.comparison.baseline) & (base.kpi == kpi)]
        if not base.empty and np.isfinite(base["mean"].iloc[0]):
            ax.axhline(
                base["mean"].iloc[0],
                color=style.BASELINE_COLOR,
                linestyle="--",
                label=style.baseline_name(grid.comparison.baseline, lang),
            )
        ax.set_xlabel(style.label(first))
        ax.set_ylabel(style.label(kpi_label(kpi, lang), 40))
        ax.grid(alpha=0.3)
        canvas.legend(ax)
        fig.suptitle(style.label(kpi_label(kpi, lang)))
    return fig


def _axis_values(values: pd.Series) -> list:
    """The values as numbers when they all are, else as text (categories)."""
    numeric = pd.to_numeric(values, errors="coerce")
    return list(numeric) if numeric.notna().all() else [str(v) for v in values]
