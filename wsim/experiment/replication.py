"""One replication of a scenario, reduced to what the experiments keep: KPIs and tables."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from wsim.experiment.extract import TablesExtract
from wsim.metrics import kpis as kpi_measures
from wsim.metrics.tables import case_columns, visit_columns, window_columns
from wsim.model.replication import run_replication
from wsim.scenario import Scenario
from wsim.scenario.limits import RunLimits


@dataclass(frozen=True)
class Replication:
    """What one replication returns.

    Its KPIs and the columns of its visit, window and case tables; a comparison that keeps
    the tables out of memory keeps their `extract` (what its report reads) instead.
    """

    replication: int
    kpis: dict[str, float]
    visits: dict[str, np.ndarray]
    windows: dict[str, np.ndarray]
    cases: dict[str, np.ndarray]
    extract: TablesExtract | None = None


def replicate(
    scenario: Scenario, seed: int, replication: int, limits: RunLimits | None = None
) -> Replication:
    """Run one replication and reduce its log to KPIs and tables.

    `limits` bound how far it may grow while running (:class:`~wsim.scenario.RunLimits`).
    """
    log = run_replication(scenario, seed, replication, limits)
    return Replication(
        replication=replication,
        kpis=kpi_measures.kpis(log, scenario),
        visits=visit_columns(log),
        windows=window_columns(log),
        cases=case_columns(log),
    )


def without_tables(replication: Replication) -> Replication:
    """The replication with its tables (every column mapping except ``kpis``) emptied."""
    empty: dict[str, Any] = {
        field.name: {}
        for field in dataclasses.fields(replication)
        if field.name != "kpis" and isinstance(getattr(replication, field.name), Mapping)
    }
    return dataclasses.replace(replication, **empty)
