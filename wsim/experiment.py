"""Replications of a scenario, run serially or in worker processes, and their results.

Replication r of a run seeded S draws every random stream from (S, r, stream name), so the
numbers depend on neither the order in which replications run nor the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from wsim import metrics
from wsim.executors import ProcessExecutor, SerialExecutor, Task
from wsim.files import write_table_atomic
from wsim.model.hall import run_replication
from wsim.scenario import Scenario, load_scenario
from wsim.store import RunStore


@dataclass(frozen=True)
class Replication:
    """What one replication returns: its KPIs and the columns of its visit, window and case
    tables."""

    replication: int
    kpis: dict[str, float]
    visits: dict[str, np.ndarray]
    windows: dict[str, np.ndarray]
    cases: dict[str, np.ndarray]


def replicate(scenario: Scenario, seed: int, replication: int) -> Replication:
    """Run one replication and reduce its log to KPIs and tables."""
    log = run_replication(scenario, seed, replication)
    return Replication(
        replication=replication,
        kpis=metrics.kpis(log, scenario),
        visits=metrics.visit_columns(log),
        windows=metrics.window_columns(log),
        cases=metrics.case_columns(log),
    )


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean, and the Student-t confidence interval of the mean, of the finite `values`.

    Returns (mean, ci_low, ci_high, n); the interval is NaN with fewer than two values.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(x.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), n
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


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
        handoff_wait_h, on_time, final `state` (completed, abandoned, gave_up, in_progress).
    """

    def __init__(self, scenario: Scenario, seed: int, replications: list[Replication]):
        self.scenario = scenario
        self.seed = seed
        reps = sorted(replications, key=lambda r: r.replication)
        self.kpis = pd.DataFrame([{"replication": r.replication, **r.kpis} for r in reps])
        self.visits = _stack(reps, "visits")
        self.windows = _stack(reps, "windows")
        self.cases = _stack(reps, "cases")

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
    workers: int = 1,
    out: str | os.PathLike | None = None,
) -> Results:
    """Simulate `replications` independent replications of `scenario`.

    `scenario` may be a Scenario, a mapping or a YAML path. `workers` > 1 runs replications
    in that many processes; the numbers are the same for any number of workers. With `out`,
    each finished replication is kept in `out/replications` as soon as it is done, and a
    second call with the same scenario and seed picks up where an interrupted one stopped
    (a different scenario or seed is refused: `wsim.store.StoreMismatch`).
    """
    scenario = load_scenario(scenario)
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    store = None if out is None else RunStore(Path(out) / "replications", seed, {"run": scenario})
    kept = {r for r, tables in store.done("run").items() if tables} if store else set()
    reps = [store.load("run", r) for r in sorted(kept) if r < replications] if store else []
    tasks = [Task(scenario, seed, r) for r in range(replications) if r not in kept]
    parallel = workers > 1 and len(tasks) > 1
    executor = ProcessExecutor(min(workers, len(tasks))) if parallel else SerialExecutor()
    with executor:
        for _, replication in executor.imap_unordered(tasks):
            if store is not None:
                store.save("run", replication)
            reps.append(replication)
    return Results(scenario, seed, reps)
