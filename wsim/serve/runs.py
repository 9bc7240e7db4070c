"""Runs of the what-if page: simulated outside the request thread, cached, cancellable.

A :class:`Runner` owns one orchestrating thread and an executor (worker processes, or this
process for one worker, :mod:`wsim.experiment.executors`). :meth:`Runner.submit` queues a
changed scenario against the baseline on common random numbers: replication r of both is run
with seed `seed`, so their difference is paired (as :func:`wsim.comparison.compare`). Every
finished replication is cached by (scenario digest, seed, replication), so the baseline is
simulated once per seed and asking the same question again answers at once. A :class:`Job`
shows the progress and can be cancelled between replications.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from wsim.comparison import Comparison
from wsim.experiment import Executor, Replication, Task, make_executor
from wsim.scenario import Cost, Scenario
from wsim.scenario.limits import RunLimits

State = Literal["queued", "running", "done", "cancelled", "failed"]

#: Replications whose visit and window tables are kept (for the waiting-by-hour plot).
KEEP_TABLES = 10
#: Scenarios (digest and seed) whose replications the cache keeps, least recently used out.
CACHED_SCENARIOS = 32
#: The baseline's option name in every comparison of the page.
BASELINE = "baseline"


def simulated_digest(scenario: Scenario) -> str:
    """The digest of what is simulated: the name, description and cost change no number."""
    plain = scenario.model_copy(update={"name": "-", "description": "", "cost": Cost()})
    return plain.digest()


class Cancelled(Exception):
    """The job was cancelled."""


@dataclass
class Job:
    """One queued or running comparison: progress, state, and its result when done.

    ``done`` and ``total`` count replications (of both scenarios; cached ones count as done).
    """

    id: str
    name: str
    seed: int
    replications: int
    total: int = 0
    done: int = 0
    state: State = "queued"
    error: str = ""
    cached: bool = False
    seconds: float = 0.0
    comparison: Comparison | None = None
    replication_lists: dict[str, list[Replication]] = field(default_factory=dict)
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def cancel(self) -> None:
        """Ask the job to stop before its next replication."""
        self.cancel_event.set()

    def status(self) -> dict[str, Any]:
        """What the page's progress bar shows."""
        return {
            "id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "error": self.error,
            "cached": self.cached,
        }


class Runner:
    """Runs comparisons one at a time in a background thread, on `workers` processes."""

    def __init__(
        self, workers: int = 1, limits: RunLimits | None = None, executor: Executor | None = None
    ):
        self.limits = limits
        self._executor = executor or make_executor(None, workers)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wsim-serve-run")
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, int], dict[int, Replication]] = OrderedDict()

    def describe(self) -> str:
        """Where the replications run (``processes (2 workers)``)."""
        return self._executor.describe()

    def submit(
        self, baseline: Scenario, changed: Scenario, name: str, seed: int, replications: int
    ) -> Job:
        """Queue `changed` (named `name`) against `baseline`; returns its job at once."""
        job = Job(uuid.uuid4().hex, name, seed, replications)
        scenarios = {BASELINE: baseline, name: changed}
        self._thread.submit(self._run, job, scenarios)
        return job

    def close(self) -> None:
        """Stop taking jobs and free the workers."""
        self._thread.shutdown(wait=False, cancel_futures=True)
        self._executor.close()

    def _run(self, job: Job, scenarios: Mapping[str, Scenario]) -> None:
        started = time.perf_counter()
        try:
            if job.cancel_event.is_set():
                raise Cancelled
            job.state = "running"
            lists = self._simulate(job, scenarios)
            job.replication_lists = lists
            job.comparison = Comparison(scenarios, BASELINE, job.seed, lists)
            job.state = "done"
        except Cancelled:
            job.state = "cancelled"
        except Exception as error:  # shown on the page; the server goes on
            job.error = f"{type(error).__name__}: {error}"
            job.state = "failed"
        finally:
            job.seconds = time.perf_counter() - started

    def _simulate(
        self, job: Job, scenarios: Mapping[str, Scenario]
    ) -> dict[str, list[Replication]]:
        """Every replication of every scenario, from the cache or by running the missing ones."""
        stores = {name: self._store(simulated_digest(s), job.seed) for name, s in scenarios.items()}
        tasks: list[Task] = []
        owners: list[dict[int, Replication]] = []
        seen: set[int] = set()
        for name, scenario in scenarios.items():
            store = stores[name]
            if id(store) in seen:
                continue
            seen.add(id(store))
            for r in range(job.replications):
                job.total += 1
                if r in store:
                    job.done += 1
                    continue
                tables = r < KEEP_TABLES
                tasks.append(Task(scenario, job.seed, r, tables, self.limits))
                owners.append(store)
        job.cached = not tasks
        for position, replication in self._executor.imap_unordered(tasks):
            owners[position][replication.replication] = replication
            job.done += 1
            if job.cancel_event.is_set():
                raise Cancelled
        return {name: [stores[name][r] for r in range(job.replications)] for name in scenarios}

    def _store(self, digest: str, seed: int) -> dict[int, Replication]:
        """The cached replications of one scenario and seed (a new entry evicts the oldest)."""
        with self._lock:
            key = (digest, seed)
            if key in self._cache:
                self._cache.move_to_end(key)
            else:
                self._cache[key] = {}
                while len(self._cache) > CACHED_SCENARIOS:
                    self._cache.popitem(last=False)
            return self._cache[key]
