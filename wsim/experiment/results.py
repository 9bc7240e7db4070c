"""The replications of one scenario and their tables: :class:`Results` and :func:`simulate`.

Replication r of a run seeded S draws every random stream from (S, r, stream name), so the
numbers depend on neither the order in which replications run nor the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wsim.experiment.executors import Executor, Task, make_executor
from wsim.experiment.extract import CASE_COLUMNS
from wsim.experiment.replication import Replication
from wsim.experiment.statistics import t_interval
from wsim.experiment.store import RunStore
from wsim.files import write_table_atomic
from wsim.metrics.hourly import HOURLY_MEASURES, active_hours, hourly_profile
from wsim.progress import progress_bar
from wsim.scenario import Scenario, load_scenario
from wsim.scenario.limits import RunLimits, check_seed, default_limits
from wsim.scenario.size import check_run_size

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Results:
    """The replications of one scenario: KPIs per replication, visit and window tables.

    Attributes
    ----------
    scenario, seed : what was run.
    kpis : DataFrame, one row per replication (column `replication`, then one column per KPI;
        see `wsim.metrics.KPI_DESCRIPTIONS`). Times in minutes.
    visits : DataFrame, one row per ticket of every replication (service, stream, day, arrival,
        called, start, end in clock minutes; window; outcome; `counted` is False for tickets
        outside the measurement window, such as the warm-up).
    windows : DataFrame, per replication and window group: open and busy minutes, utilization.
    cases : DataFrame, one row per case of every replication: channel, segment, start,
        accepted, decided, end (clock minutes), lead_time_days, trips, reworks, handoffs,
        handoff_wait_h, on_time, on_commitment, hall_wait_h, bad_rating, final `state`
        (completed, abandoned, gave_up, in_progress).
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        replications: list[Replication],
        tables: Callable[[], list[Replication]] | None = None,
    ):
        """`tables`: where the tables are when `replications` carry only KPIs and extracts.

        Without it the tables are those of `replications`; with it (a comparison keeping them in
        its store) they are read from it the first time :attr:`visits`, :attr:`windows` or
        :attr:`cases` is asked for, and the hourly summary and case values come from the
        replications' extracts (:class:`~wsim.experiment.extract.TablesExtract`).
        """
        self.scenario = scenario
        self.seed = seed
        reps = sorted(replications, key=lambda r: r.replication)
        self.kpis = pd.DataFrame([{"replication": r.replication, **r.kpis} for r in reps])
        self._load = tables
        self._tables = None if tables is not None else _stack_tables(reps)
        self._extracts = [(r.replication, r.extract) for r in reps if r.extract is not None]

    @property
    def visits(self) -> pd.DataFrame:
        """One row per ticket of every replication (see the class docstring)."""
        return self._table("visits")

    @property
    def windows(self) -> pd.DataFrame:
        """Per replication and window group: open and busy minutes, utilization."""
        return self._table("windows")

    @property
    def cases(self) -> pd.DataFrame:
        """One row per case of every replication (see the class docstring)."""
        return self._table("cases")

    def _table(self, name: str) -> pd.DataFrame:
        if self._tables is None:
            assert self._load is not None
            self._tables = _stack_tables(sorted(self._load(), key=lambda r: r.replication))
        return self._tables[name]

    def counted_cases(self, column: str) -> np.ndarray:
        """The values of a case column (``lead_time_days``, ``trips``) of the counted cases."""
        if self._load is not None:
            parts = [e.case_values[column] for _, e in self._extracts if column in e.case_values]
            return np.concatenate(parts).astype(float) if parts else np.array([])
        cases = self.cases[self.cases.counted] if "counted" in self.cases else self.cases
        return cases[column].to_numpy(dtype=float)

    def has_case_table(self) -> bool:
        """Whether the kept tables have cases, with lead times and trips."""
        if self._load is not None:
            return sum(e.cases for _, e in self._extracts) > 0 and all(
                set(CASE_COLUMNS) <= set(e.case_values) for _, e in self._extracts
            )
        return set(CASE_COLUMNS) <= set(self.cases.columns) and not self.cases.empty

    def _hourly_profile(self) -> pd.DataFrame:
        if self._load is None:
            return hourly_profile(self.scenario, self.visits)
        frames = [e.hours.assign(replication=r) for r, e in self._extracts if e.hours is not None]
        return active_hours(frames, ["hour"])

    def __repr__(self) -> str:
        return f"Results({self.scenario.name!r}, replications={len(self.kpis)}, seed={self.seed})"

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per KPI: mean, sd, the t-interval of the mean (`ci_low`, `ci_high`) and `n`."""
        rows = []
        for name in self.kpis.columns.drop("replication"):
            values = self.kpis[name].to_numpy(dtype=float)
            mean, low, high, n = t_interval(values, confidence)
            finite = values[np.isfinite(values)]
            sd = float(finite.std(ddof=1)) if finite.size > 1 else float("nan")
            rows.append(
                {"kpi": name, "mean": mean, "sd": sd, "ci_low": low, "ci_high": high, "n": n}
            )
        return pd.DataFrame(rows).set_index("kpi")

    def hourly_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per hourly measure and hour of day: mean over replications, t-interval and `n`.

        The measures (mean wait, citizens waiting, window utilization) are those of
        :mod:`wsim.metrics.hourly`; hours are of the clock (0-23).
        """
        profile = self._hourly_profile()
        rows = []
        for measure in HOURLY_MEASURES:
            for hour, values in profile.groupby("hour")[measure]:
                mean, low, high, n = t_interval(values.to_numpy(dtype=float), confidence)
                rows.append(
                    {
                        "measure": measure,
                        "hour": hour,
                        "mean": mean,
                        "ci_low": low,
                        "ci_high": high,
                        "n": n,
                    }
                )
        return pd.DataFrame(rows, columns=["measure", "hour", "mean", "ci_low", "ci_high", "n"])

    def plot_hourly(self, measure: str = "wait_mean") -> Figure:
        """One hourly measure (``wait_mean``, ``queue_mean``, ``utilization``) by hour of day."""
        from wsim.experiment.plots import hourly_figure

        return hourly_figure(self.hourly_summary(), measure, self.scenario.name)

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write kpis.csv, summary.csv, windows.csv, visits.csv.gz and cases.csv.gz to `folder`.

        Each file is written to a temporary name and renamed, so an interrupted save never
        leaves a half-written file under a final name. Returns the paths written.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        tables = {
            "kpis.csv": self.kpis,
            "summary.csv": self.summary().reset_index(),
            "windows.csv": self.windows,
            "visits.csv.gz": self.visits,
            "cases.csv.gz": self.cases,
        }
        written = []
        for name, table in tables.items():
            written.append(write_table_atomic(table, out / name))
        return written


def _stack_tables(reps: list[Replication]) -> dict[str, pd.DataFrame]:
    return {attr: _stack(reps, attr) for attr in ("visits", "windows", "cases")}


def _stack(reps: list[Replication], attr: str) -> pd.DataFrame:
    frames = []
    for r in reps:
        columns = getattr(r, attr)
        n = len(next(iter(columns.values()))) if columns else 0
        frames.append(pd.DataFrame({"replication": np.full(n, r.replication), **columns}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def simulate(
    scenario: Scenario | Mapping | str | os.PathLike,
    replications: int = 10,
    seed: int = 0,
    *,
    executor: str | Executor | None = None,
    workers: int = 1,
    address: str | None = None,
    out: str | os.PathLike | None = None,
    limits: RunLimits | None = None,
    max_tickets: float | None = None,
    progress: bool | None = None,
) -> Results:
    """Simulate `replications` independent replications of `scenario`.

    Parameters
    ----------
    scenario : a Scenario, a mapping or a YAML path.
    replications, seed : how many replications, and the seed of their random streams.
    executor : ``"serial"``, ``"processes"`` or ``"dask"``, or an :class:`Executor` (left
        open); ``None`` runs in `workers` processes when `workers` > 1, else serially.
        `address`: a running Dask scheduler. The numbers do not depend on any of these.
    out : a folder: each finished replication is kept there (``out/replications``) as soon as
        it is done, and a second call with the same scenario and seed picks up where an
        interrupted one stopped (a different scenario or seed is refused:
        :class:`wsim.experiment.store.StoreMismatch`).
    limits, max_tickets : the run-size limits (:class:`~wsim.scenario.RunLimits`; default:
        the defaults and the environment's ``WSIM_MAX_TICKETS``...), or only a higher
        ``max_tickets``. A run estimated larger is refused before it starts, and one that
        grows past the guard stops (:class:`~wsim.scenario.size.RunTooLarge`); replications
        finished before are kept in `out`.
    progress : ``True``: a bar on stderr, or plain lines every few percent when stderr is
        not a terminal; ``None``: a bar only on a terminal; ``False``: none.
    """
    scenario = load_scenario(scenario)
    seed = check_seed(seed)
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    limits = (default_limits() if limits is None else limits).with_max_tickets(max_tickets)
    check_run_size(scenario, limits)
    store = None if out is None else RunStore(out, seed, {"run": scenario})
    kept = {r for r, tables in store.done("run").items() if tables} if store else set()
    reps = [store.load("run", r) for r in sorted(kept) if r < replications] if store else []
    tasks = [Task(scenario, seed, r, limits=limits) for r in range(replications) if r not in kept]
    own = not isinstance(executor, Executor)
    if isinstance(executor, Executor):
        runner = executor
    else:
        runner = make_executor(executor, min(workers, max(len(tasks), 1)), address)
    try:
        with progress_bar(progress) as bar:
            bar.total = replications
            bar.update(len(reps))
            for _, replication in runner.imap_unordered(tasks):
                if store is not None:
                    store.save("run", replication)
                reps.append(replication)
                bar.update(1)
    finally:
        if own:
            runner.close()
    return Results(scenario, seed, reps)
