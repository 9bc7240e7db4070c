"""Running a comparison: every option with the same seeds, stored, until precise enough.

``compare({"baseline": s0, "one window": s1}, replications=R, seed=S)`` runs every option with
the same seed, so replication r of every option draws the same random numbers wherever the
options share a random source (the same citizens arrive, with the same window times and
patience). The difference between an option and the baseline is then measured replication
by replication, and its confidence interval (the *paired* interval) is usually much narrower
than the one from comparing two independent samples.

A :class:`Comparison` holds every replication's KPIs and gives tidy tables: the summary
(mean and interval per option and KPI, change against the baseline with its paired interval,
relative change), costs, a ranking and what each option changes in the scenario. ``grid``
varies one or two scenario parameters over values for what-if curves.

Where replications run (``executor``: serial, processes, dask) does not change any number;
with ``out`` every finished replication is stored so that a run can resume (see
:mod:`wsim.store`). With ``precision`` replications are added until the interval half-widths
of the chosen KPIs are within that relative precision (a sequential procedure), up to
``max_replications``.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from wsim.comparison.comparison import Comparison
from wsim.comparison.decision_settings import decision_block
from wsim.comparison.errors import CompareError
from wsim.comparison.options import Source, baseline_name, load_options
from wsim.comparison.sequential import MAX_REPLICATIONS, SequentialPrecision
from wsim.experiment import (
    Executor,
    Replication,
    RunStore,
    Task,
    clear_store,
    make_executor,
    without_tables,
)
from wsim.experiment.extract import extract_tables
from wsim.experiment.store import StoredTables
from wsim.metrics.hourly import hour_bins
from wsim.progress import progress_bar
from wsim.scenario import Scenario
from wsim.scenario.limits import RunLimits, check_seed, default_limits
from wsim.scenario.size import check_run_size

#: Replications whose visit/window/case tables a comparison keeps in memory, by default.
KEEP_TABLES = 30


def compare(
    options: Mapping[str, Source] | Sequence[Source],
    replications: int = 10,
    seed: int = 0,
    *,
    baseline: str | None = None,
    executor: str | Executor | None = None,
    workers: int = 1,
    address: str | None = None,
    out: str | os.PathLike | None = None,
    fresh: bool = False,
    precision: float | None = None,
    precision_kpis: Sequence[str] | None = None,
    max_replications: int = MAX_REPLICATIONS,
    confidence: float = 0.95,
    keep_tables: int | None = KEEP_TABLES,
    progress: bool | None = None,
    better: Mapping[str, str] | None = None,
    rank_by: str | None = None,
    limits: RunLimits | None = None,
    max_tickets: float | None = None,
    decision: Mapping[str, Any] | None = None,
) -> Comparison:
    """Run every option with the same seeds and compare it with the baseline.

    Parameters
    ----------
    options : ``{name: scenario}`` (Scenario, mapping or YAML path), or a list of scenarios
        named by their ``name``. The baseline is the first one unless `baseline` names it.
    replications : replications per option (with `precision`: the first batch, at least 2).
    seed : the seed of every option (common random numbers).
    executor : ``"serial"``, ``"processes"`` or ``"dask"``, or an :class:`Executor` (which is
        then left open); ``None`` runs in `workers` processes when `workers` > 1, else
        serially (as :func:`wsim.simulate`). `workers`: processes, or local Dask workers.
        `address`: a running Dask scheduler (``tcp://host:8786``). Numbers do not depend on
        any of these.
    out : a folder where each finished replication is stored; running again with the same
        folder skips them. A different seed, wsim version or scenario is refused
        (:class:`wsim.store.StoreMismatch`) unless `fresh` (which deletes the stored ones).
    precision : a relative precision, e.g. 0.05: add replications until every option's 95%
        interval half-width of each KPI in `precision_kpis` (default: the headline KPIs
        present) is within that fraction of its mean, or `max_replications` is reached.
    keep_tables : the visit, window (and case) tables of the first `keep_tables` replications
        of each option are kept for plots and notebooks; all replications' KPIs are kept.
        ``None`` keeps every table.
    progress : ``True``: a progress bar on stderr, or plain lines every few percent when
        stderr is not a terminal; ``None``: a bar only on a terminal; ``False``: none.
    better : ``{kpi: "lower" | "higher"}`` added to :data:`KPI_BETTER` for the ranking.
    rank_by : the KPI that ranks the options (default: the first headline KPI with a known
        better direction, see :attr:`Comparison.primary_kpi`).
    limits, max_tickets : the run-size limits (:class:`~wsim.scenario.RunLimits`; default:
        the defaults and ``WSIM_MAX_TICKETS``...), or only a higher ``max_tickets``. Every
        option's size is checked before anything runs
        (:class:`~wsim.scenario.size.RunTooLarge`).
    decision : assumptions of the decision (discount rate, horizon, days per year, value of
        time, budget, minimal important differences), in the shape of the scenario's
        ``decision`` block (:mod:`wsim.scenario.decision`); they override the baseline
        scenario's block field by field (see :meth:`Comparison.decision`).
    """
    decision = decision_block(decision)  # bad assumptions fail before any simulation
    started_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    seed = check_seed(seed)
    scenarios, sources = load_options(options)
    baseline = baseline_name(scenarios, baseline)
    _check_counts(replications, precision, max_replications)
    limits = (default_limits() if limits is None else limits).with_max_tickets(max_tickets)
    for scenario in scenarios.values():
        check_run_size(scenario, limits)
    if out is not None and fresh:
        clear_store(out)
    # without a folder, the tables go to a temporary one that lives as long as the comparison
    spill = tempfile.TemporaryDirectory(prefix="wsim-compare-") if out is None else None
    store = RunStore(out if spill is None else spill.name, seed, scenarios)
    own_executor = not isinstance(executor, Executor)
    runner_executor = make_executor(executor, workers, address) if own_executor else executor
    sequential = None
    if precision is not None:
        sequential = SequentialPrecision(precision, precision_kpis, max_replications, confidence)
    try:
        with _progress_bar(progress) as bar:
            runner = OptionRunner(scenarios, seed, runner_executor, store, keep_tables, bar, limits)
            n = _run_until_precise(runner, replications, sequential)
    finally:
        if own_executor:
            runner_executor.close()
    info = {
        "started": started_at.isoformat(timespec="seconds"),
        "run_time_s": time.perf_counter() - started,
        "executor": runner_executor.describe(),
        "out": None if out is None else str(out),
        "keep_tables": keep_tables,
        "precision": None if sequential is None else sequential.describe(),
    }
    return Comparison(
        scenarios,
        baseline,
        seed,
        {name: runner.replications(name, n) for name in scenarios},
        tables={name: runner.tables(name, n, keep=spill) for name in scenarios},
        confidence=confidence,
        sources=sources,
        info=info,
        better=better,
        rank_by=rank_by,
        decision=decision,
    )


def _run_until_precise(
    runner: OptionRunner, replications: int, sequential: SequentialPrecision | None
) -> int:
    """Run the first `replications`, then as many more as `sequential` asks; the final count."""
    n = replications
    runner.run(range(n))
    while sequential is not None:
        target = sequential.next_count(runner.kpis(n), n)
        if target is None:
            break
        runner.run(range(n, target))
        n = target
    return n


def _check_counts(replications: int, precision: float | None, cap: int) -> None:
    if replications < 1:
        raise CompareError(f"replications must be at least 1, got {replications}")
    if precision is None:
        return
    if not precision > 0:
        raise CompareError(f"precision must be a positive fraction such as 0.05, got {precision}")
    if replications < 2:
        raise CompareError("the sequential procedure needs at least 2 first replications")
    if cap < replications:
        raise CompareError(f"max_replications ({cap}) is below replications ({replications})")


class OptionRunner:
    """Runs replications of every option (each distinct scenario once), storing them."""

    def __init__(
        self,
        scenarios: Mapping[str, Scenario],
        seed: int,
        executor: Executor,
        store: RunStore,
        keep_tables: int | None,
        bar: Any,
        limits: RunLimits | None = None,
    ):
        self.seed = seed
        self.limits = limits
        self.executor = executor
        self.store = store
        self.keep_tables = keep_tables
        self.bar = bar
        self.digest_of = {name: scenario.digest() for name, scenario in scenarios.items()}
        self.unique: dict[str, tuple[str, Scenario]] = {}
        for name, scenario in scenarios.items():
            self.unique.setdefault(self.digest_of[name], (name, scenario))
        self.done: dict[str, dict[int, Replication]] = {d: {} for d in self.unique}
        self.bins = {d: hour_bins(scenario) for d, (_, scenario) in self.unique.items()}

    def run(self, indices: range) -> None:
        """Make replications `indices` of every option available (from disk or by running)."""
        tasks, owners = [], []
        self.bar.total = (self.bar.total or 0) + len(indices) * len(self.unique)
        for digest, (name, scenario) in self.unique.items():
            have = self.done[digest]
            on_disk = self.store.done(name)
            for r in indices:
                tables = self._keeps_tables(r)
                if r in have:
                    self.bar.update(1)
                elif r in on_disk and (on_disk[r] or not tables):
                    have[r] = self._kept(digest, self.store.load(name, r, tables=tables))
                    self.bar.update(1)
                else:
                    tasks.append(Task(scenario, self.seed, r, tables, self.limits))
                    owners.append((digest, name))
        for position, replication in self.executor.imap_unordered(tasks):
            digest, name = owners[position]
            self.store.save(name, replication, tables=tasks[position].tables)
            self.done[digest][replication.replication] = self._kept(digest, replication)
            self.bar.update(1)

    def _keeps_tables(self, replication: int) -> bool:
        return self.keep_tables is None or replication < self.keep_tables

    def _kept(self, digest: str, replication: Replication) -> Replication:
        """What stays in memory of a replication: its KPIs, and its tables' extract if kept.

        The tables themselves are in the store (:meth:`tables` reads them back).
        """
        if not self._keeps_tables(replication.replication):
            return without_tables(replication)
        extract = extract_tables(replication.visits, replication.cases, self.bins[digest])
        return dataclasses.replace(without_tables(replication), extract=extract)

    def tables(self, name: str, n: int, keep: Any = None) -> StoredTables:
        """Reads the kept tables of replications 0..n-1 of option `name` from the store."""
        kept = [r for r in range(n) if self._keeps_tables(r)]
        return StoredTables(self.store, name, kept, keep)

    def replications(self, name: str, n: int) -> list[Replication]:
        """Replications 0..n-1 of option `name`."""
        have = self.done[self.digest_of[name]]
        return [have[r] for r in range(n)]

    def kpis(self, n: int) -> dict[str, pd.DataFrame]:
        """Per option, the KPI table of replications 0..n-1."""
        return {
            name: pd.DataFrame([r.kpis for r in self.replications(name, n)])
            for name in self.digest_of
        }


def _progress_bar(progress: bool | None) -> Any:
    """Progress on stderr (see :func:`wsim.progress.progress_bar`)."""
    return progress_bar(progress, "replications", "rep")
