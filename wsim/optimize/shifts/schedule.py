"""A staffing schedule as a scenario overlay, and the scenario it makes.

The overlay's ``changes`` set, for each staffed group, ``schedule`` as a *list* of
``[clock, windows]`` pairs and ``count: null``. Both matter under the overlay merge rules
(``wsim.scenario.loader``): a mapping would merge key by key into a base schedule (keeping
the base's other times), while a list replaces the base's schedule whole, whatever form it
had; and ``count: null`` removes a base ``count`` (a group gives one or the other). Groups the
staffing section declares are appended with their ``serves``. ``staffing: null`` drops the
request: the staffed scenario is the answer, not a question.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wsim.optimize.shifts.problem import StaffingProblem
from wsim.scenario.loader import load_scenario
from wsim.scenario.overlays import merge
from wsim.scenario.schema import Scenario


def schedule_pairs(problem: StaffingProblem, windows: np.ndarray) -> list[list[Any]]:
    """The windows of one group as ``[slot label, windows]`` pairs, only where they change.

    ``[["08:30", 3], ["10:00", 5], ...]``: the windows from each slot on, listing only the slots
    where the number changes (and the first).
    """
    pairs: list[list[Any]] = []
    for label, count in zip(problem.labels, windows, strict=True):
        if not pairs or pairs[-1][1] != int(count):
            pairs.append([label, int(count)])
    return pairs


def overlay_changes(problem: StaffingProblem, scheduled: np.ndarray) -> dict[str, Any]:
    """The ``changes`` of an overlay giving each staffed group the windows ``scheduled``.

    ``scheduled`` is a (groups, slots) array.
    """
    windows = []
    for group, row in zip(problem.groups, scheduled, strict=True):
        item: dict[str, Any] = {"name": group.name, "schedule": schedule_pairs(problem, row)}
        if group.declared:
            item["serves"] = list(group.serves)
            if group.speed:
                item["speed"] = dict(group.speed)
        else:
            item["count"] = None
        windows.append(item)
    return {"windows": windows, "staffing": None}


def apply_schedule(problem: StaffingProblem, scheduled: np.ndarray) -> Scenario:
    """The problem's scenario with the windows ``scheduled`` (groups, slots)."""
    changes = overlay_changes(problem, scheduled)
    return load_scenario(merge(problem.scenario.to_dict(), changes, "changes"))
