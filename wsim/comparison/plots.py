"""Plots of a comparison (and of a scenario grid), as matplotlib Figures.

Every function takes a comparison (or a grid) and returns a :class:`~wsim.figures.PlotFigure`
made without pyplot (no global state, no display needed); a notebook shows a returned figure,
``fig.savefig("x.png")`` writes it. :class:`~wsim.comparison.Comparison` and
:class:`~wsim.comparison.Grid` call them from their ``plot_*`` methods; the functions read them
through the small protocols below, so this module does not import them. Plots are computed
from the replications whose tables the comparison kept (``keep_tables`` of
:func:`wsim.compare`); the hourly measures are those of :mod:`wsim.metrics.hourly`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wsim.figures import PlotFigure
from wsim.metrics.hourly import HOURLY_MEASURES
from wsim.scenario.overlays import format_value


class Compared(Protocol):
    """What the plots read of a comparison (a :class:`~wsim.comparison.Comparison`)."""

    baseline: str
    options: list[str]
    better: Mapping[str, str]
    results: Mapping[str, Any]

    @property
    def kpi_names(self) -> list[str]:
        """Every KPI column, in table order."""

    @property
    def headline_kpis(self) -> list[str]:
        """The headline KPIs the comparison measures."""

    @property
    def primary_kpi(self) -> str | None:
        """The KPI the ranking uses by default; None if there is none."""

    def summary(self) -> pd.DataFrame:
        """One row per option and KPI: mean, interval and change against the baseline."""

    def differences(self) -> pd.DataFrame:
        """Change of every option against the baseline, per KPI."""

    def costs(self) -> pd.DataFrame:
        """Per option its cost (one_off, yearly, currency)."""

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
_BETTER_COLOR, _WORSE_COLOR, _NEUTRAL_COLOR = "#1a7f37", "#c62828", "#57606a"


def forest(comparison: Compared, kpis: Sequence[str] | None = None) -> Figure:
    """Change of every option against the baseline, with its paired 95% interval, per KPI.

    One panel per KPI (default: the headline KPIs), one row per option; green when the change
    is a significant improvement, red when a significant deterioration.
    """
    kpis = list(kpis) if kpis is not None else (comparison.headline_kpis or comparison.kpi_names)
    options = [o for o in comparison.options if o != comparison.baseline]
    if not options:
        raise ValueError("no option besides the baseline: nothing to compare")
    table = comparison.differences()
    rows = len(options)
    fig = PlotFigure(figsize=(8, 0.6 + len(kpis) * (0.45 * rows + 0.9)), layout="constrained")
    axes = fig.subplots(len(kpis), 1, squeeze=False)[:, 0] if kpis else []
    for ax, kpi in zip(axes, kpis, strict=True):
        mine = table[table.kpi == kpi].set_index("option").reindex(options)
        y = np.arange(len(options))[::-1]
        for yi, (_, row) in zip(y, mine.iterrows(), strict=True):
            color = _verdict_color(row.better)
            ax.errorbar(
                row["diff"],
                yi,
                xerr=_error(row["diff"], row.diff_low, row.diff_high),
                fmt="o",
                color=color,
                capsize=3,
            )
        ax.axvline(0, color="#999999", linewidth=1, linestyle="--")
        ax.set_yticks(y, [_label(o, 34) for o in options])
        ax.set_ylim(-0.7, len(options) - 0.3)
        ax.set_title(_label(_kpi_title(comparison, kpi)), fontsize=10, loc="left")
    fig.suptitle(
        _label(f"Change against {comparison.baseline} (paired 95% intervals)"), fontsize=11
    )
    return fig


def cost_effect(comparison: Compared, kpi: str | None = None) -> Figure:
    """Yearly cost of each option against its effect on `kpi` (default: the primary KPI).

    The effect is the change against the baseline with its paired 95% interval (the baseline
    is the square at no change). With a ``staff_cost`` KPI, a second panel plots the effect
    against the change in staff cost. The legend names the options and their one-off cost.
    """
    from matplotlib.ticker import FuncFormatter

    kpi = kpi or comparison.primary_kpi or comparison.kpi_names[0]
    summary = comparison.summary().query("kpi == @kpi").set_index("option")
    costs = comparison.costs().set_index("option")
    currency = costs.currency.iloc[0]
    panels = [("yearly", "yearly cost")]
    if "staff_cost_diff" in costs.columns:
        panels.append(("staff_cost_diff", "change in staff cost (staff_cost KPI)"))
    fig = PlotFigure(figsize=(4.6 * len(panels) + 3.2, 4.2), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (column, title) in zip(axes, panels, strict=True):
        for i, option in enumerate(comparison.options):
            row = summary.loc[option]
            is_base = option == comparison.baseline
            effect = 0.0 if is_base else row["diff"]
            x = costs.loc[option, column]
            x = 0.0 if is_base and not np.isfinite(x) else x
            one_off = costs.loc[option, "one_off"]
            label = _label(option, 36) + (f"\n(one-off {one_off:,.0f})" if one_off else "")
            ax.errorbar(
                x,
                effect,
                yerr=None if is_base else _error(effect, row.diff_low, row.diff_high),
                fmt="s" if is_base else "o",
                color=_color(i),
                capsize=3,
                label=label,
            )
        ax.axhline(0, color="#999999", linewidth=1, linestyle="--")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        ax.tick_params(axis="x", rotation=30)
        ax.set_xlabel(_label(f"{title} ({currency})"))
        ax.set_ylabel(_label(f"change in {kpi}"))
        ax.margins(x=0.15, y=0.15)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", fontsize=8)
    direction = comparison.better.get(kpi)
    hint = f" ({direction} is better)" if direction else ""
    fig.suptitle(_label(f"Cost against effect on {kpi}{hint}"), fontsize=11)
    return fig


def hourly_plot(comparison: Compared, measure: str, table: pd.DataFrame | None = None) -> Figure:
    """One hourly measure (see :data:`HOURLY_MEASURES`) by hour of day, a line per option.

    `table` is ``comparison.hourly_summary()`` if already computed.
    """
    table = comparison.hourly_summary() if table is None else table
    table = table[(table.measure == measure) & table["mean"].notna()]
    fig = PlotFigure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    for i, option in enumerate(comparison.options):
        mine = table[table.option == option].sort_values("hour")
        if mine.empty:
            continue
        x = mine.hour.to_numpy() + 0.5
        ax.plot(
            x, mine["mean"], marker="o", markersize=3, color=_color(i), label=_label(option, 40)
        )
        ax.fill_between(x, mine.ci_low, mine.ci_high, color=_color(i), alpha=0.15, linewidth=0)
    hours = sorted(table.hour.unique())
    if hours:
        ticks = range(int(min(hours)), int(max(hours)) + 2)
        ax.set_xticks(list(ticks), [f"{h % 24:02d}:00" for h in ticks], rotation=45)
    ax.set_xlabel("hour of day")
    ax.set_ylabel(HOURLY_MEASURES[measure])
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    _legend(ax)
    fig.suptitle(_label(f"{HOURLY_MEASURES[measure]} by hour of day"), fontsize=11)
    return fig


def _cases(results: Any) -> pd.DataFrame:
    """The counted cases of one option's results (``Results.cases``)."""
    cases = results.cases
    return cases[cases.counted] if "counted" in cases else cases


def lead_time_distribution(comparison: Compared) -> Figure:
    """Distribution (empirical CDF) of case lead times in days, per option (completed cases)."""
    _require_cases(comparison)
    fig = PlotFigure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    for i, option in enumerate(comparison.options):
        lead = _cases(comparison.results[option]).lead_time_days.to_numpy(dtype=float)
        lead = lead[np.isfinite(lead)]
        if lead.size:
            share = np.linspace(0, 1, ECDF_POINTS)
            ax.plot(np.quantile(lead, share), share, color=_color(i), label=_label(option, 40))
    ax.set_xlabel("lead time (days, first contact to result)")
    ax.set_ylabel("share of completed cases")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    _legend(ax)
    fig.suptitle("Lead-time distribution", fontsize=11)
    return fig


def trips_distribution(comparison: Compared, most: int = 4) -> Figure:
    """Share of cases by number of hall trips (0, 1, ... `most` or more), per option."""
    _require_cases(comparison)
    fig = PlotFigure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    labels = [str(k) for k in range(most)] + [f"{most}+"]
    width = 0.8 / max(len(comparison.options), 1)
    for i, option in enumerate(comparison.options):
        trips = _cases(comparison.results[option]).trips.to_numpy(dtype=float)
        trips = np.minimum(trips[np.isfinite(trips)], most).astype(int)
        share = np.bincount(trips, minlength=most + 1) / max(trips.size, 1)
        x = np.arange(most + 1) + (i - (len(comparison.options) - 1) / 2) * width
        ax.bar(x, share, width=width, color=_color(i), label=_label(option, 40))
    ax.set_xticks(range(most + 1), labels)
    ax.set_xlabel("hall trips per case")
    ax.set_ylabel("share of cases")
    _legend(ax)
    fig.suptitle("Trips per case", fontsize=11)
    return fig


def _require_cases(comparison: Compared) -> None:
    if not comparison.has_cases():
        raise ValueError(
            "no cases table with lead_time_days and trips in these results "
            "(the model of these scenarios records no citizen journeys)"
        )


# --- plots of a grid ----------------------------------------------------------------------------


def grid_curves(grid: Gridded, kpi: str) -> Figure:
    """What-if curves: `kpi` against the first grid parameter, one line per second parameter.

    Points show the mean with its 95% interval; the dashed line is the base scenario.
    """
    table = grid.table([kpi])
    first = grid.parameters[0]
    rest = grid.parameters[1:]
    fig = PlotFigure(figsize=(7, 4.2), layout="constrained")
    ax = fig.subplots()
    groups = table.groupby([table[p].map(str) for p in rest], sort=False) if rest else [("", table)]
    for i, (key, part) in enumerate(groups):
        x = _axis_values(part[first])
        label = ", ".join(
            f"{p}={k}"
            for p, k in zip(rest, key if isinstance(key, tuple) else (key,), strict=False)
        )
        ax.errorbar(
            x,
            part["mean"],
            yerr=_error(part["mean"].to_numpy(), part.ci_low.to_numpy(), part.ci_high.to_numpy()),
            marker="o",
            capsize=3,
            color=_color(i),
            label=_label(label, 50) if label else None,
        )
    values = _axis_values(table[first])
    if isinstance(values[0], (int, float, np.number)):
        ticks = sorted(set(values))
        if len(ticks) <= 20:
            ax.set_xticks(ticks, [format_value(v) for v in ticks])
    else:
        ax.tick_params(axis="x", rotation=30)
    base = grid.comparison.summary().query("option == @grid.comparison.baseline and kpi == @kpi")
    if not base.empty and np.isfinite(base["mean"].iloc[0]):
        ax.axhline(base["mean"].iloc[0], color="#999999", linestyle="--", label="base scenario")
    ax.set_xlabel(_label(first))
    ax.set_ylabel(_label(kpi))
    ax.grid(alpha=0.3)
    _legend(ax)
    fig.suptitle(_label(f"{kpi} across the grid"), fontsize=11)
    return fig


def _axis_values(values: pd.Series) -> list:
    """The values as numbers when they all are, else as text (categories)."""
    numeric = pd.to_numeric(values, errors="coerce")
    return list(numeric) if numeric.notna().all() else [str(v) for v in values]


# --- helpers ------------------------------------------------------------------------------------


def _legend(ax) -> None:
    """A legend of the labelled lines, or a note that there is nothing to show."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    else:
        ax.text(0.5, 0.5, "no data kept for this plot", ha="center", transform=ax.transAxes)


def _error(center, low, high) -> np.ndarray:
    """Error-bar lengths below and above `center` (0 where an interval bound is missing)."""
    center, low, high = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (center, low, high))
    below = np.where(np.isfinite(low), center - low, 0.0)
    above = np.where(np.isfinite(high), high - center, 0.0)
    return np.vstack([np.clip(below, 0, None), np.clip(above, 0, None)])


def _verdict_color(better: object) -> str:
    if better is True:
        return _BETTER_COLOR
    if better is False:
        return _WORSE_COLOR
    return _NEUTRAL_COLOR


def _color(index: int) -> str:
    """The color of the option at `index` (the same in every plot): the tab10 colors."""
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"]
    palette += ["#7f7f7f", "#bcbd22", "#17becf"]
    return palette[index % len(palette)]


def _kpi_title(comparison: Compared, kpi: str) -> str:
    direction = comparison.better.get(kpi)
    return f"{kpi} ({direction} is better)" if direction else kpi


def _label(text: str, width: int | None = None) -> str:
    """Text safe for matplotlib (a ``$`` would start math mode), wrapped to `width`."""
    text = str(text)
    if width is not None:
        text = "\n".join(textwrap.wrap(text, width)) or text
    return text.replace("$", r"\$")
