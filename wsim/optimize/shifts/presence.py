"""Who was served where, and how many citizens were present for each group, from a simulation.

A served ticket belongs to the window group that served it. A ticket that was never served
(abandoned or balked) belongs to the group that served most tickets of its service in the same
table (the first such group in the scenario on a tie): with overlapping groups (a comprehensive
window serving what department windows serve) this is where the citizen would most likely
have gone.

A citizen is present for a group from taking the ticket until leaving (end of service, or
giving up), so the count includes those waiting for the group and those at its windows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsim.model.calendar import open_days
from wsim.optimize.shifts.load import POINTS_PER_SLOT
from wsim.optimize.shifts.problem import StaffingProblem


def _groups_serving(problem: StaffingProblem) -> dict[str, list[str]]:
    """Per service, the window groups (scenario order, then declared groups) that serve it."""
    scenario = problem.scenario
    groups = [(w.name, w.serves) for w in scenario.windows]
    groups += [(g.name, g.serves) for g in problem.groups if g.declared]
    return {s: [name for name, serves in groups if s in serves] for s in scenario.services}


def attributed_groups(problem: StaffingProblem, visits: pd.DataFrame) -> np.ndarray:
    """The window group each ticket of ``visits`` belongs to (see the module note)."""
    served = (visits["outcome"] == "served").to_numpy()
    group = visits["window"].to_numpy(dtype=object).copy()
    if served.all():
        return group
    tally = visits[served].groupby(["service", "window"]).size()
    choice = {}
    for service, candidates in _groups_serving(problem).items():
        counts = [tally.get((service, name), 0) for name in candidates]
        choice[service] = candidates[int(np.argmax(counts))] if candidates else ""
    services = visits["service"].to_numpy(dtype=object)
    group[~served] = [choice.get(s, "") for s in services[~served]]
    return group


def sample_days(problem: StaffingProblem) -> np.ndarray:
    """Clock start (minutes) of the days whose presence counts are sampled.

    Days mode: the arrival days. Continuous mode: the days after the warm-up (all days if
    the horizon is shorter than a day past it).
    """
    calendar = problem.scenario.calendar
    starts = np.array([day.start for day in open_days(calendar)])
    if calendar.mode == "continuous":
        after = starts[starts >= calendar.warmup]
        starts = after if after.size else starts
    return starts


def presence_counts(
    problem: StaffingProblem, visits: pd.DataFrame, replications: int
) -> tuple[np.ndarray, np.ndarray]:
    """Citizens present for each staffed group at points through every slot.

    Returns ``(points, counts)``: ``points`` (slots, POINTS_PER_SLOT + 1) clock minutes and
    ``counts`` (groups, slots, samples, POINTS_PER_SLOT + 1), one sample per replication and
    sampled day.
    """
    offsets = np.linspace(0.0, problem.slot_length, POINTS_PER_SLOT + 1)
    points = problem.slots[:, None] + offsets[None, :]
    days = sample_days(problem)
    moments = days[:, None, None] + points[None]  # (days, slots, points)
    n_groups, n_slots = problem.shape
    counts = np.zeros((n_groups, n_slots, replications * days.size, points.shape[1]), dtype=int)
    group = attributed_groups(problem, visits)
    present = (visits["outcome"] != "balked").to_numpy()
    replication = visits["replication"].to_numpy()
    arrival = visits["arrival"].to_numpy(dtype=float)
    end = np.nan_to_num(visits["end"].to_numpy(dtype=float), nan=np.inf)
    for g, staffed in enumerate(problem.groups):
        mine = present & (group == staffed.name)
        for r in range(replications):
            rows = mine & (replication == r)
            arrived = np.searchsorted(np.sort(arrival[rows]), moments, side="right")
            left = np.searchsorted(np.sort(end[rows]), moments, side="right")
            block = slice(r * days.size, (r + 1) * days.size)
            counts[g, :, block, :] = (arrived - left).transpose(1, 0, 2)
    return points, counts
