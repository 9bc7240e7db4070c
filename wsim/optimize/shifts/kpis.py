"""Simulated KPIs per slot of the day, for the hall and for each window group, with intervals.

A citizen counts in the slot in which they took their ticket, on the calendar's arrival days
(not on the days after them, when only returning citizens come). Per replication (all its
days pooled) and slot:

* ``service_level``: tickets served within ``targets.hall_wait`` over all tickets (abandoned
  and balked citizens count as failures), as the hall KPI ``hall_service_level``;
* ``wait_mean``: mean wait of the served tickets (minutes), as ``hall_wait_mean``;
* ``abandon_rate``: tickets abandoned over all tickets, as ``hall_abandon_rate``.

Each is then averaged over the replications with a Student-t interval
(:func:`wsim.experiment.t_interval`); replications without tickets in the slot do not count.
A replication with tickets whose target metric cannot be measured (the mean wait where every
citizen of the slot abandoned or balked) makes the slot miss the target: those citizens were
not served at all, the worst outcome, so a slot where everyone left must never look met.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsim.experiment import t_interval
from wsim.model.calendar import open_days
from wsim.optimize.shifts.presence import attributed_groups
from wsim.optimize.shifts.problem import StaffingProblem
from wsim.scenario.staffing import StaffingTarget

#: The slot KPI column of each target metric.
METRIC_COLUMNS = {
    "hall_service_level": "service_level",
    "hall_wait_mean": "wait_mean",
    "hall_abandon_rate": "abandon_rate",
}
HALL = "hall"
"""The ``group`` of the rows for the whole hall."""


def slot_kpis(
    problem: StaffingProblem,
    visits: pd.DataFrame,
    replications: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per (group, slot): KPIs with their t-intervals, and whether the target is met.

    ``group`` is ``"hall"`` for the whole hall, then each staffed group. Columns: group, slot,
    clock, arrivals (mean tickets per replication), for each of service_level, wait_mean and
    abandon_rate the mean and ``_ci_low``/``_ci_high``, ``n`` (replications with tickets),
    ``target`` (the target value), ``unmeasured`` (replications with tickets in which the
    target metric is undefined: a mean wait where nobody was served), ``meets`` (the mean
    meets it and no replication is unmeasured; a slot without tickets meets it) and
    ``meets_surely`` (as ``meets`` with the interval's end on the target's side instead of
    the mean; the mean stands in with fewer than two replications).
    """
    table = _per_replication(problem, visits)
    rows = []
    names = [HALL, *(group.name for group in problem.groups)]
    metric = METRIC_COLUMNS[problem.target.metric]
    for name in names:
        for slot, label in enumerate(problem.labels):
            mine = table[(table["group"] == name) & (table["slot"] == slot)]
            tickets = mine.set_index("replication")["tickets"].reindex(range(replications))
            row = {
                "group": name,
                "slot": slot,
                "clock": label,
                "arrivals": float(tickets.fillna(0).mean()),
            }
            for column in METRIC_COLUMNS.values():
                mean, low, high, n = t_interval(mine[column].to_numpy(dtype=float), confidence)
                row |= {column: mean, f"{column}_ci_low": low, f"{column}_ci_high": high}
                if column == metric:
                    row["n"] = n
            unmeasured = int(mine[metric].isna().sum())
            row["target"] = problem.target.value
            row["unmeasured"] = unmeasured
            if mine.empty:  # no citizen in the slot: nothing to meet
                row["meets"] = row["meets_surely"] = True
            else:
                assured = _assured(row, metric, problem.target)
                row["meets"] = unmeasured == 0 and problem.target.met(row[metric])
                row["meets_surely"] = unmeasured == 0 and problem.target.met(assured)
            rows.append(row)
    return pd.DataFrame(rows)


def _per_replication(problem: StaffingProblem, visits: pd.DataFrame) -> pd.DataFrame:
    """Per (group, replication, slot): tickets and the three KPIs of that replication."""
    arrival_days = len(open_days(problem.scenario.calendar))
    keep = visits["counted"].to_numpy(dtype=bool) & (visits["day"].to_numpy() < arrival_days)
    v = visits[keep]
    clock = v["arrival"].to_numpy(dtype=float) % 1440.0
    slot = np.floor((clock - problem.slots[0]) / problem.slot_length).astype(int)
    inside = (slot >= 0) & (slot < problem.slots.size)
    wait = (v["start"] - v["arrival"]).to_numpy(dtype=float)
    served = (v["outcome"] == "served").to_numpy()
    frame = pd.DataFrame(
        {
            "group": attributed_groups(problem, v),
            "replication": v["replication"].to_numpy(),
            "slot": slot,
            "tickets": 1,
            "within": served & (wait <= problem.scenario.targets.hall_wait),
            "served": served,
            "wait": np.where(served, wait, 0.0),
            "abandoned": (v["outcome"] == "abandoned").to_numpy(),
        }
    )[inside]
    sums = ["tickets", "within", "served", "wait", "abandoned"]
    by_group = frame.groupby(["group", "replication", "slot"], as_index=False)[sums].sum()
    by_hall = frame.groupby(["replication", "slot"], as_index=False)[sums].sum()
    by_hall.insert(0, "group", HALL)
    table = pd.concat([by_hall, by_group], ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["service_level"] = table["within"] / table["tickets"]
        table["wait_mean"] = table["wait"] / table["served"].where(table["served"] > 0)
        table["abandon_rate"] = table["abandoned"] / table["tickets"]
    return table


def _assured(row: dict, column: str, target: StaffingTarget) -> float:
    """The end of the row's interval on the target's side (the mean without an interval)."""
    bound = row[f"{column}_ci_low"] if target.bound == ">=" else row[f"{column}_ci_high"]
    return row[column] if np.isnan(bound) else bound


def missed(kpis: pd.DataFrame, group: str = HALL, surely: bool = False) -> np.ndarray:
    """Slot indices where ``group``'s rows miss the target.

    By the mean, or with ``surely`` where the interval does not lie wholly on the target's side.
    """
    rows = kpis[kpis["group"] == group]
    column = "meets_surely" if surely else "meets"
    return rows.loc[~rows[column].astype(bool), "slot"].to_numpy(dtype=int)


def headroom(kpis: pd.DataFrame, target: StaffingTarget, surely: bool = False) -> pd.Series:
    """The share of what the target allows that each row leaves unused.

    For ``hall_service_level >= p`` the allowance is the share ``1 - p`` of citizens not
    called in time; for ``<=`` targets it is the target value. 1 means nothing used (no
    citizen waited too long), 0 means exactly on target, negative means the target is
    missed. Rows without tickets have headroom 1; rows with an ``unmeasured`` replication
    (every citizen left unserved) have headroom minus infinity, the worst miss. With
    ``surely`` the interval's end on the target's side is used instead of the mean.
    """
    column = METRIC_COLUMNS[target.metric]
    value = kpis[column]
    if surely:
        end = kpis[f"{column}_ci_low" if target.bound == ">=" else f"{column}_ci_high"]
        value = end.fillna(value)
    if target.bound == ">=":
        room = (value - target.value) / (1.0 - target.value)
    else:
        room = (target.value - value) / target.value
    room = room.where(kpis["unmeasured"] == 0, -np.inf)
    return room.where(kpis["arrivals"] > 0, 1.0)
