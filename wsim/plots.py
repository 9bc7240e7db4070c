"""Plots of a comparison (and of a scenario grid), as matplotlib Figures, for notebooks and reports.

Every function takes a :class:`wsim.compare.Comparison` (or a :class:`wsim.compare.Grid`) and
returns a :class:`matplotlib.figure.Figure` made without pyplot (no global state, no display
needed); a notebook shows a returned figure, ``fig.savefig("x.png")`` writes it. The tables the
hourly plots draw are available as DataFrames: :func:`hourly_profile` (per replication) and
:func:`hourly_summary` (mean and 95% interval over replications).

Hourly measures, by hour of the day (clock minutes modulo one day):

- ``wait_mean``: mean wait (ticket to call, minutes) of the served tickets that arrived in
  that hour (counted tickets only);
- ``queue_mean``: time-average number of citizens waiting in the hall during that hour;
- ``utilization``: busy window-minutes over scheduled window-minutes (from the scenario's
  window schedules) in that hour; a clerk finishing a citizen just after a schedule change
  can push it a little above 1.

Plots are computed from the replications whose tables the comparison kept (see
``keep_tables`` in :func:`wsim.compare.compare`).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wsim.experiment import Results, t_interval
from wsim.model.arrivals import MINUTES_PER_DAY, open_days
from wsim.scenario import Scenario

if TYPE_CHECKING:
    from wsim.compare import Comparison, Grid

HOURLY_MEASURES = {
    "wait_mean": "mean wait of served tickets (min)",
    "queue_mean": "citizens waiting (time average)",
    "utilization": "window utilization (busy / scheduled)",
}
#: Points drawn of an empirical distribution function (its quantiles), however many cases.
ECDF_POINTS = 401
_BETTER_COLOR, _WORSE_COLOR, _NEUTRAL_COLOR = "#1a7f37", "#c62828", "#57606a"


class PlotFigure(Figure):
    """A matplotlib Figure that also shows itself in notebooks (as a PNG), without pyplot."""

    def _repr_png_(self) -> bytes:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(self)
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=96)
        return buffer.getvalue()


# --- hourly tables ------------------------------------------------------------------------------


def hourly_profile(results: Results) -> pd.DataFrame:
    """Per replication and hour of day (0-23): wait_mean, queue_mean, utilization.

    Hours in which nothing happens in any replication (no window scheduled, nobody waiting or
    served) are left out.
    """
    columns = ["replication", "hour", *HOURLY_MEASURES]
    visits = results.visits
    if visits.empty:
        return pd.DataFrame(columns=columns)
    bins = _hour_bins(results.scenario)
    scheduled = _scheduled_minutes(results.scenario, bins)
    frames = []
    for replication, v in visits.groupby("replication", sort=True):
        frames.append(_one_replication(v, bins, scheduled).assign(replication=replication))
    table = pd.concat(frames, ignore_index=True)
    # a minute-thousandth: the cumulative sums carry rounding noise far below that
    active = table.groupby("hour")[["scheduled", "busy", "waiting"]].sum().sum(axis=1) > 1e-3
    table = table[table.hour.isin(active.index[active])]
    return table[columns].reset_index(drop=True)


def hourly_summary(comparison: Comparison) -> pd.DataFrame:
    """Per option, measure and hour: mean over replications and its 95% t-interval."""
    rows = []
    for option in comparison.options:
        profile = hourly_profile(comparison.results[option])
        for measure in HOURLY_MEASURES:
            for hour, values in profile.groupby("hour")[measure]:
                mean, low, high, n = t_interval(values.to_numpy(dtype=float))
                rows.append(
                    {
                        "option": option,
                        "measure": measure,
                        "hour": hour,
                        "mean": mean,
                        "ci_low": low,
                        "ci_high": high,
                        "n": n,
                    }
                )
    return pd.DataFrame(
        rows, columns=["option", "measure", "hour", "mean", "ci_low", "ci_high", "n"]
    )


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
        for a, b in zip(cuts, cuts[1:], strict=False):
            count = _count_at(group, (a + b) / 2, continuous)
            overlap = np.clip(np.minimum(end, b) - np.maximum(begin, a), 0.0, None)
            total += count * overlap
    return total


def _count_at(group, minute: float, continuous: bool) -> int:
    schedule = group.schedule
    if continuous and schedule and minute < schedule[0][0]:
        return schedule[-1][1]
    return group.count_at(minute)


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


# --- plots of a comparison ---------------------------------------------------------------------


def forest(comparison: Comparison, kpis: Sequence[str] | None = None) -> Figure:
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


def cost_effect(comparison: Comparison, kpi: str | None = None) -> Figure:
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


def wait_by_hour(comparison: Comparison) -> Figure:
    """Mean wait of served tickets by hour of arrival, per option (95% band over replications)."""
    return hourly_plot(comparison, "wait_mean")


def queue_by_hour(comparison: Comparison) -> Figure:
    """Time-average number of citizens waiting, by hour of day, per option."""
    return hourly_plot(comparison, "queue_mean")


def utilization_by_hour(comparison: Comparison) -> Figure:
    """Window utilization (busy over scheduled window-minutes) by hour of day, per option."""
    return hourly_plot(comparison, "utilization")


def hourly_plot(comparison: Comparison, measure: str, table: pd.DataFrame | None = None) -> Figure:
    """One hourly measure (see :data:`HOURLY_MEASURES`) by hour of day, a line per option.

    `table` is :func:`hourly_summary` of the comparison if already computed.
    """
    table = hourly_summary(comparison) if table is None else table
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


def has_cases(comparison: Comparison) -> bool:
    """Whether every option has a cases table with ``lead_time_days`` and ``trips``."""
    return all(
        {"lead_time_days", "trips"} <= set(getattr(r, "cases", pd.DataFrame()).columns)
        and not r.cases.empty
        for r in comparison.results.values()
    )


def _cases(results: Results) -> pd.DataFrame:
    cases = results.cases
    return cases[cases.counted] if "counted" in cases else cases


def lead_time_distribution(comparison: Comparison) -> Figure:
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


def trips_distribution(comparison: Comparison, most: int = 4) -> Figure:
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


def _require_cases(comparison: Comparison) -> None:
    if not has_cases(comparison):
        raise ValueError(
            "no cases table with lead_time_days and trips in these results "
            "(the model of these scenarios records no citizen journeys)"
        )


# --- plots of a grid ----------------------------------------------------------------------------


def grid_curves(grid: Grid, kpi: str) -> Figure:
    """What-if curves: `kpi` against the first grid parameter, one line per second parameter.

    Points show the mean with its 95% interval; the dashed line is the base scenario.
    """
    from wsim.compare import format_value

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


def _kpi_title(comparison: Comparison, kpi: str) -> str:
    direction = comparison.better.get(kpi)
    return f"{kpi} ({direction} is better)" if direction else kpi


def _label(text: str, width: int | None = None) -> str:
    """Text safe for matplotlib (a ``$`` would start math mode), wrapped to `width`."""
    text = str(text)
    if width is not None:
        text = "\n".join(textwrap.wrap(text, width)) or text
    return text.replace("$", r"\$")
