"""Where replications run: in this process, in worker processes, or on a Dask cluster.

The unit of work is one replication, a :class:`Task` (scenario, seed, replication index).
Replication r of a run seeded S draws every random number from (S, r, stream name), so a task
gives the same numbers wherever and in whatever order it runs: every executor, with any number
of workers, returns the same replications. Executors yield each replication as soon as it is
finished (so that callers can store it and show progress) together with its task's position;
callers put them back in order.

- ``serial``: one after the other in this process (no start-up cost; best for a few).
- ``processes``: a pool of N worker processes on this machine.
- ``dask``: a dask.distributed cluster, given by the address of its scheduler
  (``tcp://host:8786``), or a local cluster of N single-threaded worker processes when no
  address is given. Workers need the same wsim (and dependency) versions as this process.

Use one as a context manager, or call :meth:`Executor.close`, to free its workers.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from wsim.errors import WsimError
from wsim.experiment.replication import Replication, replicate, without_tables
from wsim.scenario import Scenario
from wsim.scenario.limits import RunLimits

#: The executor names :func:`make_executor` accepts.
EXECUTORS = ("serial", "processes", "dask")

#: Seconds to wait for a Dask scheduler to answer before giving up with a clear message.
DASK_CONNECT_TIMEOUT = 20


class ExecutorError(WsimError, ValueError):
    """An executor cannot be set up (unknown name, Dask missing, scheduler unreachable)."""


@dataclass(frozen=True)
class Task:
    """One replication to run: replication `replication` of `scenario` seeded `seed`.

    With ``tables=False`` only the KPIs come back (the visit, window and case tables are
    dropped where the replication ran, which saves memory, disk and network for long runs).
    `limits` bound how far the replication may grow while running (default: the defaults
    and the environment of the process it runs in).
    """

    scenario: Scenario
    seed: int
    replication: int
    tables: bool = True
    limits: RunLimits | None = None


def run_task(task: Task) -> Replication:
    """Run one task (the function every executor ships to its workers)."""
    return _run(task.scenario, task.seed, task.replication, task.tables, task.limits)


def _run(
    scenario: Scenario,
    seed: int,
    replication: int,
    tables: bool,
    limits: RunLimits | None = None,
) -> Replication:
    result = replicate(scenario, seed, replication, limits)
    return result if tables else without_tables(result)


class Executor(ABC):
    """Runs tasks and yields ``(position in tasks, Replication)`` as each one finishes."""

    #: the executor's name, one of EXECUTORS
    name: str = ""
    #: how many replications run at the same time
    workers: int = 1

    @abstractmethod
    def imap_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Replication]]:
        """Run `tasks`; yield each finished one with its position, in completion order.

        Leaving the iteration early (an error, Ctrl-C) cancels the tasks not yet started.
        """

    @abstractmethod
    def close(self) -> None:
        """Free the workers (the executor cannot be used afterwards)."""

    def describe(self) -> str:
        """A short description for logs and reports, e.g. ``processes (2 workers)``."""
        plural = "s" if self.workers != 1 else ""
        return f"{self.name} ({self.workers} worker{plural})"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs the tasks one after the other in this process."""

    name = "serial"
    workers = 1

    def imap_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Replication]]:
        """Run `tasks` in order, yielding each as it finishes (completion order is task order)."""
        for position, task in enumerate(tasks):
            yield position, run_task(task)

    def close(self) -> None:
        """Nothing to free: the work runs in this process."""


class ProcessExecutor(Executor):
    """Runs the tasks in a pool of `workers` processes on this machine.

    The pool starts at the first call and is reused by later calls (the batches of a
    sequential procedure), until :meth:`close`.
    """

    name = "processes"

    def __init__(self, workers: int):
        if workers < 1:
            raise ExecutorError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def imap_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Replication]]:
        """Run `tasks` in the process pool, yielding each as it finishes.

        The pool starts at the first call. Tasks not yet started are cancelled when the
        iteration is left early.
        """
        if not tasks:
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        pending = {self._pool.submit(run_task, task): i for i, task in enumerate(tasks)}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        """Shut the pool down, cancelling queued tasks and waiting for running ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(Executor):
    """Runs the tasks on a dask.distributed cluster.

    With `address` (``tcp://scheduler:8786``) it connects to a running scheduler and uses its
    workers; without one it starts a local cluster of `workers` single-threaded worker
    processes, and closes it in :meth:`close`. Each distinct scenario is sent to the cluster
    once per call (scattered), not once per replication.
    """

    name = "dask"

    def __init__(self, address: str | None = None, workers: int = 2):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(
                "the dask executor needs dask.distributed: "
                'python -m pip install "dask[distributed]" (or wsim[dask])'
            ) from None
        if workers < 1:
            raise ExecutorError(f"workers must be at least 1, got {workers}")
        self.address = address
        self._cluster = None
        if address:
            try:
                self._client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as error:
                raise ExecutorError(
                    f"cannot reach the Dask scheduler at {address} "
                    f"(waited {DASK_CONNECT_TIMEOUT} s): {error}"
                ) from None
            self.workers = max(1, sum(self._client.nthreads().values()))
        else:
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
            self.workers = workers

    @property
    def client(self) -> Any:
        """The dask.distributed Client (for notebooks: its dashboard link, its workers)."""
        return self._client

    def imap_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Replication]]:
        """Submit `tasks` to the cluster, yielding each as it finishes.

        Each distinct scenario is scattered once, not sent with every replication; tasks still
        pending when the iteration is left early are cancelled.
        """
        if not tasks:
            return
        from dask.distributed import as_completed

        scattered: dict[int, Any] = {}
        for task in tasks:
            if id(task.scenario) not in scattered:
                scattered[id(task.scenario)] = self._client.scatter(task.scenario, hash=False)
        positions = {}
        for i, task in enumerate(tasks):
            scenario = scattered[id(task.scenario)]
            future = self._client.submit(
                _run, scenario, task.seed, task.replication, task.tables, task.limits, pure=False
            )
            positions[future] = i
        try:
            for future, replication in as_completed(list(positions), with_results=True):
                yield positions.pop(future), replication
        finally:
            if positions:
                self._client.cancel(list(positions))

    def describe(self) -> str:
        """The workers and where they run, e.g. ``dask (2 workers), local cluster``."""
        where = f"scheduler {self.address}" if self.address else "local cluster"
        return f"{super().describe()}, {where}"

    def close(self) -> None:
        """Close the client and, if this executor started it, the local cluster."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(
    kind: str | None = None, workers: int = 1, address: str | None = None
) -> Executor:
    """An executor by name: ``serial``, ``processes`` (`workers` processes) or ``dask``.

    For ``dask``, `address` is the scheduler's address; without it a local cluster of
    `workers` processes starts. ``None`` chooses ``processes`` when `workers` > 1 (and no
    `address` is given), else ``serial``.
    """
    if kind is None:
        kind = "dask" if address else ("processes" if workers > 1 else "serial")
    if address and kind != "dask":
        raise ExecutorError(f"a scheduler address is only used by the dask executor, not {kind!r}")
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(address, workers)
    raise ExecutorError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")
