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

import os
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
from wsim.scenario import Scenario

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
    progress : show a progress bar (on stderr); ``None``: only when stderr is a terminal.
    better : ``{kpi: "lower" | "higher"}`` added to :data:`KPI_BETTER` for the ranking.
    rank_by : the KPI that ranks the options (default: the first headline KPI with a known
        better direction, see :attr:`Comparison.primary_kpi`).
    decision : assumptions of the decision (discount rate, horizon, days per year, value of
        time, budget, minimal important differences), in the shape of the scenario's
        ``decision`` block (:mod:`wsim.scenario.decision`); they override the baseline
        scenario's block field by field (see :meth:`Comparison.decision`).
    """
    decision = decision_block(decision)  # bad assumptions fail before any simulation
    started_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    scenarios, sources = load_options(options)
    baseline = baseline_name(scenarios, baseline)
    _check_counts(replications, precision, max_replications)
    if out is not None and fresh:
        clear_store(out)
    store = RunStore(out, seed, scenarios) if out is not None else None
    own_executor = not isinstance(executor, Executor)
    runner_executor = make_executor(executor, workers, address) if own_executor else executor
    sequential = None
    if precision is not None:
        sequential = SequentialPrecision(precision, precision_kpis, max_replications, confidence)
    try:
        with _progress_bar(progress) as bar:
            runner = OptionRunner(scenarios, seed, runner_executor, store, keep_tables, bar)
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
        store: RunStore | None,
        keep_tables: int | None,
        bar: Any,
    ):
        self.seed = seed
        self.executor = executor
        self.store = store
        self.keep_tables = keep_tables
        self.bar = bar
        self.digest_of = {name: scenario.digest() for name, scenario in scenarios.items()}
        self.unique: dict[str, tuple[str, Scenario]] = {}
        for name, scenario in scenarios.items():
            self.unique.setdefault(self.digest_of[name], (name, scenario))
        self.done: dict[str, dict[int, Replication]] = {d: {} for d in self.unique}

    def run(self, indices: range) -> None:
        """Make replications `indices` of every option available (from disk or by running)."""
        tasks, owners = [], []
        self.bar.total = (self.bar.total or 0) + len(indices) * len(self.unique)
        for digest, (name, scenario) in self.unique.items():
            have = self.done[digest]
            on_disk = self.store.done(name) if self.store else {}
            for r in indices:
                tables = self.keep_tables is None or r < self.keep_tables
                if r in have:
                    self.bar.update(1)
                elif r in on_disk and (on_disk[r] or not tables):
                    have[r] = self._kept(self.store.load(name, r, tables=on_disk[r]))
                    self.bar.update(1)
                else:
                    tasks.append(Task(scenario, self.seed, r, tables))
                    owners.append((digest, name))
        for position, replication in self.executor.imap_unordered(tasks):
            digest, name = owners[position]
            if self.store is not None:
                self.store.save(name, replication, tables=tasks[position].tables)
            self.done[digest][replication.replication] = replication
            self.bar.update(1)

    def _kept(self, replication: Replication) -> Replication:
        """The replication, without its tables past the first `keep_tables` (saves memory)."""
        if self.keep_tables is None or replication.replication < self.keep_tables:
            return replication
        return without_tables(replication)

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
    """A tqdm bar on stderr (replications done, rate, time left); ``None``: if a terminal."""
    from tqdm import tqdm

    disable = None if progress is None else not progress
    return tqdm(total=0, unit="rep", desc="replications", disable=disable)
