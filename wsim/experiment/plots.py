"""Plots of one scenario's replications (:class:`~wsim.experiment.Results`).

Drawn on :class:`~wsim.figures.PlotFigure` (no pyplot state; shows itself in notebooks).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from wsim.errors import unknown_name_message
from wsim.figures import PlotFigure
from wsim.metrics.hourly import HOURLY_MEASURES


def hourly_figure(table: pd.DataFrame, measure: str, title: str) -> Figure:
    """One hourly measure by hour of day: the mean over replications and its interval band.

    `table` is :meth:`Results.hourly_summary` (columns measure, hour, mean, ci_low, ci_high).
    """
    if measure not in HOURLY_MEASURES:
        raise ValueError(unknown_name_message("hourly measure", measure, HOURLY_MEASURES))
    mine = table[(table.measure == measure) & table["mean"].notna()].sort_values("hour")
    fig = PlotFigure(figsize=(9, 3.5), layout="constrained")
    ax = fig.subplots()
    x = mine.hour.to_numpy() + 0.5  # the middle of the hour
    ax.plot(x, mine["mean"], marker="o", markersize=3, color="C0", label="mean")
    ax.fill_between(
        x, mine.ci_low, mine.ci_high, color="C0", alpha=0.2, linewidth=0, label="95% interval"
    )
    if not mine.empty:
        ticks = range(int(mine.hour.min()), int(mine.hour.max()) + 2)
        ax.set_xticks(list(ticks), [f"{h % 24:02d}:00" for h in ticks], rotation=45)
    ax.set_xlabel("hour of day")
    ax.set_ylabel(HOURLY_MEASURES[measure])
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.suptitle(f"{title}: {HOURLY_MEASURES[measure]} by hour of day", fontsize=11)
    return fig
