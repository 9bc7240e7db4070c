"""What a comparison's report reads of one replication's tables, small enough to keep.

A comparison keeps every replication's KPIs, but its visit, window and case tables grow with
the run (a simulated year of a district center: tens of MB per replication), so it keeps them
in its store and holds in memory only this extract of each: the hourly measures (a few dozen
rows) and the lead time and hall trips of each counted case (two numbers per case). The hourly
summary, lead-time and trips plots computed from extracts equal those computed from the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.metrics.hourly import replication_hours

#: The case columns the report's distributions read.
CASE_COLUMNS = ("lead_time_days", "trips")


@dataclass(frozen=True)
class TablesExtract:
    """What the report needs of one replication's tables.

    Attributes
    ----------
    hours : its :func:`wsim.metrics.hourly.replication_hours` (hour of day; minutes), or
        ``None`` when it has no visits.
    cases : the number of rows of its case table (counted or not).
    case_values : column -> values of its counted cases, for each of :data:`CASE_COLUMNS`
        the case table has (lead time in days, hall trips).
    """

    hours: pd.DataFrame | None
    cases: int
    case_values: dict[str, np.ndarray]


def extract_tables(
    visits: dict[str, np.ndarray], cases: dict[str, np.ndarray], bins: pd.DataFrame
) -> TablesExtract:
    """The extract of one replication's visit and case columns (`bins`: ``hour_bins``)."""
    table = pd.DataFrame(visits)
    hours = None if table.empty else replication_hours(table, bins, ["hour"])
    n = len(next(iter(cases.values()))) if cases else 0
    counted = np.asarray(cases["counted"], dtype=bool) if "counted" in cases else slice(None)
    values = {name: np.asarray(cases[name])[counted] for name in CASE_COLUMNS if name in cases}
    return TablesExtract(hours=hours, cases=n, case_values=values)
