"""Simulating lever sets with common random numbers, each distinct scenario once, resumably.

Every lever set (and every other scenario a portfolio run compares, such as a reform overlay)
runs replications ``0 .. R-1`` with the same seed, so two sets share random numbers wherever
their scenarios share a random source and their difference is measured replication by
replication (paired). With ``out``, each finished replication is stored in that folder through
:class:`wsim.experiment.RunStore` (one folder per scenario digest: two lever sets that give the
same scenario are run and stored once), so that an interrupted run resumes where it stopped.
Only KPIs are kept: a portfolio run needs no visit or case tables.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from wsim.experiment import Executor, RunStore, Task, clear_store, make_executor
from wsim.optimize.levers.leverset import LeverSet
from wsim.optimize.levers.surrogate import PortfolioError
from wsim.scenario import Scenario

#: The label of the empty lever set in stores and tables.
BASELINE = "baseline"

LeverSetKey = frozenset[str]


def set_label(chosen: Collection[str]) -> str:
    """The name of a lever set in a store and in tables: its levers, sorted, joined by ``+``."""
    return " + ".join(sorted(chosen)) if chosen else BASELINE


class SetRunner:
    """Runs lever sets of one :class:`LeverSet` and keeps each one's KPIs per replication.

    Parameters
    ----------
    levers : the candidate levers and their baseline.
    replications, seed : replications ``0 .. replications-1`` of every set, with this seed.
    executor, workers, address : where replications run (see :func:`wsim.compare`); the
        numbers do not depend on them. An :class:`Executor` given here is left open.
    out : a folder to store finished replications in (and to resume from); ``fresh`` deletes
        what a store wrote there first.
    progress : show a progress bar of replications (stderr); ``None``: when it is a terminal.
    """

    def __init__(
        self,
        levers: LeverSet,
        replications: int,
        seed: int,
        *,
        executor: str | Executor | None = None,
        workers: int = 1,
        address: str | None = None,
        out: str | os.PathLike | None = None,
        fresh: bool = False,
        progress: bool | None = None,
    ) -> None:
        if replications < 2:
            raise PortfolioError(
                f"paired intervals need at least 2 replications, got {replications}"
            )
        self.levers = levers
        self.replications = int(replications)
        self.seed = int(seed)
        self.out = None if out is None else Path(out)
        if self.out is not None and fresh:
            clear_store(self.out)
        self._own_executor = not isinstance(executor, Executor)
        self.executor = (
            make_executor(executor, workers, address) if self._own_executor else executor
        )
        self.progress = progress
        self._by_digest: dict[str, pd.DataFrame] = {}
        self._tables: dict[str, pd.DataFrame] = {}
        self._sets: dict[LeverSetKey, str] = {}
        #: replications run by this runner (not read from the store)
        self.replications_run = 0
        #: replications read from the store
        self.replications_loaded = 0

    def __enter__(self) -> SetRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Free the executor's workers if this runner made the executor."""
        if self._own_executor:
            self.executor.close()

    @property
    def sets(self) -> list[LeverSetKey]:
        """The lever sets with results, in the order they were first asked for."""
        return list(self._sets)

    def has(self, chosen: Collection[str]) -> bool:
        """True when the lever set's replications are available."""
        return frozenset(chosen) in self._sets

    def run(self, sets: Iterable[Collection[str]]) -> None:
        """Make every replication of these lever sets available (from the store or by running)."""
        named: dict[str, Scenario] = {}
        for chosen in sets:
            key = frozenset(chosen)
            if key in self._sets:
                continue
            label = set_label(key)
            self._sets[key] = label
            if label not in named:
                named[label] = self.levers.scenario(sorted(key))
        self.run_scenarios(named)

    def run_scenarios(self, named: Mapping[str, Scenario]) -> None:
        """Make every replication of these named scenarios available (e.g. reform overlays)."""
        todo = {label: s for label, s in named.items() if label not in self._tables}
        if not todo:
            return
        store = RunStore(self.out, self.seed, todo) if self.out is not None else None
        tasks: list[Task] = []
        owners: list[str] = []
        rows: dict[str, dict[int, dict[str, float]]] = {}
        for label, scenario in todo.items():
            digest = scenario.digest()
            if digest in self._by_digest:
                self._tables[label] = self._by_digest[digest]
                continue
            first = next((other for other, s in todo.items() if s.digest() == digest), label)
            if first != label:
                continue  # same scenario as an earlier one of this batch: run once
            found = rows.setdefault(label, {})
            on_disk = store.done(label) if store is not None else {}
            for r in range(self.replications):
                if r in on_disk:
                    found[r] = store.load(label, r, tables=on_disk[r]).kpis
                    self.replications_loaded += 1
                else:
                    tasks.append(Task(scenario, self.seed, r, tables=False))
                    owners.append(label)
        with _progress_bar(self.progress, len(tasks)) as bar:
            for position, replication in self.executor.imap_unordered(tasks):
                label = owners[position]
                if store is not None:
                    store.save(label, replication, tables=False)
                rows[label][replication.replication] = replication.kpis
                self.replications_run += 1
                bar.update(1)
        for label, found in rows.items():
            table = pd.DataFrame([found[r] for r in range(self.replications)])
            self._by_digest[todo[label].digest()] = table
        for label, scenario in todo.items():
            self._tables[label] = self._by_digest[scenario.digest()]

    def kpis(self, chosen: Collection[str]) -> pd.DataFrame:
        """The KPIs of a lever set that has run, one row per replication (in order)."""
        key = frozenset(chosen)
        if key not in self._sets:
            raise KeyError(f"the lever set {set_label(key)!r} has not run")
        return self._tables[self._sets[key]]

    def scenario_kpis(self, label: str) -> pd.DataFrame:
        """The KPIs of a named scenario given to :meth:`run_scenarios`."""
        return self._tables[label]

    def describe(self) -> dict[str, Any]:
        """How many sets and replications, run now or read from the store, and where."""
        return {
            "lever_sets": len(self._sets),
            "replications_per_set": self.replications,
            "replications_run": self.replications_run,
            "replications_loaded": self.replications_loaded,
            "executor": self.executor.describe(),
            "store": None if self.out is None else str(self.out),
        }


def _progress_bar(progress: bool | None, total: int) -> Any:
    """A tqdm bar on stderr (replications done, rate, time left); ``None``: if a terminal."""
    from tqdm import tqdm

    disable = True if total == 0 else (None if progress is None else not progress)
    return tqdm(total=total, unit="rep", desc="replications", disable=disable)
