"""From one replication's record to what planners read: KPIs, tables, hourly measures.

:mod:`.catalog` says what each KPI means and which direction is better, :mod:`.kpis`
computes them, :mod:`.tables` turns the record into one row per visit, case and window
group, and :mod:`.hourly` measures waits, queues and utilization by hour of the day. Only the
catalog is imported here (it needs nothing), so that reading it stays instant.
"""

from wsim.metrics.catalog import HEADLINE_KPIS, KPI_BETTER, KPI_DESCRIPTIONS

__all__ = ["HEADLINE_KPIS", "KPI_BETTER", "KPI_DESCRIPTIONS"]
