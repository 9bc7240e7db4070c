"""The staffing plan as a picture.

Windows required and scheduled by slot, and the simulated target metric by slot with its confidence
interval.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wsim.figures import PlotFigure
from wsim.optimize.shifts.kpis import HALL, METRIC_COLUMNS
from wsim.optimize.shifts.problem import StaffingProblem


class Planned(Protocol):
    """What the picture reads of a plan (a :class:`~wsim.optimize.StaffingPlan`)."""

    problem: StaffingProblem
    method: str
    scheduled: np.ndarray
    requirements: np.ndarray
    slot_kpis: pd.DataFrame
    replications: int
    seed: int

    @property
    def cost(self) -> float:
        """Cost of the shifts per day (in the shifts' cost unit)."""


_LABELS = {
    "service_level": "share called within the target wait",
    "wait_mean": "mean wait of served citizens (min)",
    "abandon_rate": "share who gave up",
}


def plan_figure(plan: Planned) -> Figure:
    """Windows required and scheduled by slot, and the simulated target metric by slot.

    The metric is drawn with its 95% interval, meeting slots green, missing ones red.
    """
    problem = plan.problem
    x = np.arange(problem.slots.size)
    figure = PlotFigure(figsize=(max(8.0, 0.45 * x.size + 3), 7.5), layout="constrained")
    windows, metric = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    colors = [f"C{g % 10}" for g in range(len(problem.groups))]
    for g, group in enumerate(problem.groups):
        windows.step(
            x, plan.scheduled[g], where="mid", color=colors[g], lw=2, label=f"{group.name}: open"
        )
        windows.step(
            x,
            plan.requirements[g],
            where="mid",
            color=colors[g],
            lw=1.2,
            ls="--",
            label=f"{group.name}: required",
        )
    windows.set_ylabel("windows")
    windows.set_title(
        f"{problem.scenario.name}: {plan.method} plan, cost {plan.cost:g}, target {problem.target}"
    )
    windows.legend(loc="upper left", fontsize="small", ncols=2)
    windows.grid(alpha=0.3)

    column = METRIC_COLUMNS[problem.target.metric]
    hall = plan.slot_kpis[plan.slot_kpis["group"] == HALL].sort_values("slot")
    mean = hall[column].to_numpy(dtype=float)
    low = mean - hall[f"{column}_ci_low"].to_numpy(dtype=float)
    high = hall[f"{column}_ci_high"].to_numpy(dtype=float) - mean
    met = hall["meets"].to_numpy(dtype=bool)
    errors = np.nan_to_num(np.vstack([low, high]))
    metric.errorbar(x[met], mean[met], yerr=errors[:, met], fmt="o", color="C2", label="meets")
    metric.errorbar(x[~met], mean[~met], yerr=errors[:, ~met], fmt="s", color="C3", label="misses")
    metric.axhline(
        problem.target.value, color="k", ls=":", label=f"target {problem.target.value:g}"
    )
    metric.set_ylabel(_LABELS[column])
    metric.set_xlabel(f"slot start ({problem.slot_length:g}-minute slots)")
    metric.set_xticks(x, problem.labels, rotation=90)
    metric.legend(loc="best", fontsize="small")
    metric.grid(alpha=0.3)
    metric.set_title(
        f"simulated, {plan.replications} replications (seed {plan.seed}), 95% intervals",
        fontsize="small",
    )
    return figure
