"""Experiments: replications of a scenario, where they run, where they are kept, and intervals.

:mod:`.replication` runs one replication and reduces it to KPIs and tables; :mod:`.executors`
runs many (serially, in processes, on a Dask cluster) with the same numbers everywhere;
:mod:`.store` keeps each finished one on disk so an interrupted run resumes; :mod:`.results`
gathers them (:class:`Results`, :func:`simulate`); :mod:`.statistics` gives the intervals.
"""

from wsim.experiment.executors import (
    EXECUTORS,
    DaskExecutor,
    Executor,
    ExecutorError,
    ProcessExecutor,
    SerialExecutor,
    Task,
    make_executor,
)
from wsim.experiment.replication import Replication, replicate, without_tables
from wsim.experiment.results import Results, simulate
from wsim.experiment.statistics import paired_interval, t_interval, welch_interval
from wsim.experiment.store import RunStore, StoreMismatch, clear_store, short_digest

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "ProcessExecutor",
    "Replication",
    "Results",
    "RunStore",
    "SerialExecutor",
    "StoreMismatch",
    "Task",
    "clear_store",
    "make_executor",
    "paired_interval",
    "replicate",
    "short_digest",
    "simulate",
    "t_interval",
    "welch_interval",
    "without_tables",
]
