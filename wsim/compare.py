"""Compare reform options: paired experiments with common random numbers.

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

import copy
import itertools
import math
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from wsim.executors import Executor, Task, make_executor, without_tables
from wsim.experiment import Replication, Results, t_interval
from wsim.files import write_table_atomic
from wsim.scenario import Scenario, ScenarioError, load_scenario, resolve_mapping
from wsim.scenario.errors import join_path, key_path
from wsim.store import RunStore, clear_store

#: KPIs shown first (terminal table, report) when a comparison has them, in this order.
HEADLINE_KPIS: tuple[str, ...] = (
    "hall_wait_mean",
    "hall_service_level",
    "hall_abandon_rate",
    "case_lead_time_days_mean",
    "trips_per_case_mean",
    "one_trip_rate",
    "case_on_time_rate",
)

#: Which direction is an improvement, for the KPIs where that is clear. Others are reported
#: without a judgement (pass ``better=`` to :func:`compare` to add or override).
KPI_BETTER: dict[str, str] = {
    "hall_abandon_rate": "lower",
    "hall_balk_rate": "lower",
    "hall_wait_mean": "lower",
    "hall_wait_p50": "lower",
    "hall_wait_p90": "lower",
    "hall_wait_prob": "lower",
    "hall_service_level": "higher",
    "hall_sojourn_mean": "lower",
    "hall_close_overrun": "lower",
    "case_lead_time_days_mean": "lower",
    "trips_per_case_mean": "lower",
    "one_trip_rate": "higher",
    "case_on_time_rate": "higher",
    "online_share": "higher",
    "staff_cost": "lower",
}

#: Default cap of the sequential procedure (replications per option).
MAX_REPLICATIONS = 200

#: Replications whose visit/window/case tables a comparison keeps in memory, by default.
KEEP_TABLES = 30

Source = Scenario | Mapping | str | os.PathLike


class CompareError(ValueError):
    """A comparison was asked for with bad arguments (names, counts, KPIs); says which."""


class GridError(CompareError):
    """A grid parameter path or value does not fit the base scenario."""


# --- intervals ---------------------------------------------------------------------------------


def paired_interval(
    option: Sequence[float], baseline: Sequence[float], confidence: float = 0.95
) -> tuple[float, float, float, int]:
    """Mean difference ``option - baseline`` over paired replications and its t-interval.

    Replication r of the option is paired with replication r of the baseline (same seed,
    common random numbers); pairs where either value is missing (NaN) are left out.
    Returns (diff, low, high, n pairs).
    """
    a, b = np.asarray(option, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples must have the same length, got {a.size} and {b.size}")
    both = np.isfinite(a) & np.isfinite(b)
    return t_interval(a[both] - b[both], confidence)


def welch_interval(
    option: Sequence[float], baseline: Sequence[float], confidence: float = 0.95
) -> tuple[float, float, float]:
    """Difference of means ``option - baseline`` of two independent samples (Welch t-interval).

    What the interval would be without pairing: for showing what common random numbers gain.
    Returns (diff, low, high); NaN bounds with fewer than two values on a side.
    """
    a, b = np.asarray(option, dtype=float), np.asarray(baseline, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return float("nan"), float("nan"), float("nan")
    diff = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return diff, float("nan"), float("nan")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, dof) * se)
    return diff, diff - half, diff + half


# --- running -----------------------------------------------------------------------------------


def compare(
    options: Mapping[str, Source] | Sequence[Source],
    replications: int = 10,
    seed: int = 0,
    *,
    baseline: str | None = None,
    executor: str | Executor = "serial",
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
) -> Comparison:
    """Run every option with the same seeds and compare it with the baseline.

    Parameters
    ----------
    options : ``{name: scenario}`` (Scenario, mapping or YAML path), or a list of scenarios
        named by their ``name``. The baseline is the first one unless `baseline` names it.
    replications : replications per option (with `precision`: the first batch, at least 2).
    seed : the seed of every option (common random numbers).
    executor : ``"serial"``, ``"processes"`` or ``"dask"``, or an :class:`Executor` (which is
        then left open). `workers`: processes, or local Dask workers. `address`: a running
        Dask scheduler (``tcp://host:8786``). Numbers do not depend on any of these.
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
    """
    started_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    scenarios, sources = _load_options(options)
    baseline = _baseline_name(scenarios, baseline)
    _check_counts(replications, precision, max_replications)
    if out is not None and fresh:
        clear_store(out)
    store = RunStore(out, seed, scenarios) if out is not None else None
    own_executor = not isinstance(executor, Executor)
    runner_executor = make_executor(executor, workers, address) if own_executor else executor
    sequential = None
    if precision is not None:
        sequential = _Sequential(precision, precision_kpis, max_replications, confidence)
    try:
        with _progress_bar(progress) as bar:
            runner = _Runner(scenarios, seed, runner_executor, store, keep_tables, bar)
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
    )


def _run_until_precise(runner: _Runner, replications: int, sequential: _Sequential | None) -> int:
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


class _Runner:
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


class _Sequential:
    """The sequential procedure: how many replications until the intervals are narrow enough.

    After each batch, for every option and chosen KPI, the 95% interval half-width h of the
    mean is compared with gamma/(1+gamma) times |mean| (gamma = `precision`); with that bound
    the estimate is within gamma of the true mean relative to the true mean (Law and Kelton,
    *Simulation Modeling and Analysis*, relative-precision procedure). If a KPI is not there
    yet, the next count is what its current variance needs, at least one more and at most
    double, and never above the cap. Every option gets the same count (they stay paired).
    The decisions depend only on the KPI values, so any executor gives the same count.
    """

    def __init__(self, precision: float, kpis: Sequence[str] | None, cap: int, confidence: float):
        self.precision = precision
        self.chosen = list(kpis) if kpis is not None else None
        self.cap = cap
        self.confidence = confidence
        self.rows: list[dict[str, Any]] = []
        self.reached = False

    def next_count(self, tables: Mapping[str, pd.DataFrame], n: int) -> int | None:
        """The next replication count, or None to stop (precision reached, or the cap)."""
        bound = self.precision / (1 + self.precision)
        needed, self.rows = n, []
        for option, table in tables.items():
            for kpi in self._kpis(table):
                values = table[kpi].to_numpy(dtype=float)
                mean, low, high, count = t_interval(values, self.confidence)
                if count < 2:
                    continue  # nothing to measure (e.g. a KPI that is NaN in this option)
                half = (high - low) / 2
                relative = half / abs(mean) if mean != 0 else (0.0 if half == 0 else math.inf)
                self.rows.append(
                    {
                        "option": option,
                        "kpi": kpi,
                        "mean": mean,
                        "half_width": half,
                        "relative_half_width": relative,
                    }
                )
                if relative > bound:
                    want = (
                        self.cap if math.isinf(relative) else math.ceil(n * (relative / bound) ** 2)
                    )
                    needed = max(needed, min(want, 2 * n), n + 1)
        self.reached = needed == n
        if self.reached or n >= self.cap:
            return None
        return min(needed, self.cap)

    def _kpis(self, table: pd.DataFrame) -> list[str]:
        if self.chosen is None:
            return [k for k in HEADLINE_KPIS if k in table.columns]
        missing = [k for k in self.chosen if k not in table.columns]
        if missing:
            raise CompareError(
                f"unknown KPI {', '.join(missing)} for the precision target; "
                f"KPIs: {', '.join(table.columns)}"
            )
        return self.chosen

    def describe(self) -> dict[str, Any]:
        """What the procedure aimed at and reached (for reports)."""
        worst = max(self.rows, key=lambda row: row["relative_half_width"], default=None)
        return {
            "precision": self.precision,
            "kpis": sorted({row["kpi"] for row in self.rows}),
            "max_replications": self.cap,
            "reached": self.reached,
            "worst": worst,
            "table": self.rows,
        }


def _progress_bar(progress: bool | None) -> Any:
    """A tqdm bar on stderr (replications done, rate, time left); ``None``: if a terminal."""
    from tqdm import tqdm

    disable = None if progress is None else not progress
    return tqdm(total=0, unit="rep", desc="replications", disable=disable)


# --- options -----------------------------------------------------------------------------------


def _load_options(
    options: Mapping[str, Source] | Sequence[Source],
) -> tuple[dict[str, Scenario], dict[str, dict[str, Any] | None]]:
    """Scenarios by option name, and each one's raw mapping (for showing changes) if known."""
    if isinstance(options, Mapping):
        named = [(str(name), source) for name, source in options.items()]
    elif isinstance(options, (str, os.PathLike)):
        raise TypeError("options must be a mapping {name: scenario} or a list of scenarios")
    else:
        named = [(None, source) for source in options]
    if not named:
        raise CompareError("compare needs at least one option (the baseline)")
    scenarios: dict[str, Scenario] = {}
    sources: dict[str, dict[str, Any] | None] = {}
    for name, source in named:
        scenario = load_scenario(source)
        if name is None:
            name = _unique_name(scenario.name, source, scenarios)
        elif name in scenarios:
            raise CompareError(f"option {name!r} is given twice")
        scenarios[name] = scenario
        sources[name] = _raw_mapping(source, scenario)
    return scenarios, sources


def _unique_name(name: str, source: Source, taken: Mapping[str, Any]) -> str:
    if name not in taken:
        return name
    if isinstance(source, (str, os.PathLike)):
        name = f"{name} ({Path(source).stem})"
    counter = 2
    candidate = name
    while candidate in taken:
        candidate = f"{name} ({counter})"
        counter += 1
    return candidate


def _raw_mapping(source: Source, scenario: Scenario) -> dict[str, Any] | None:
    """The scenario as the planner wrote it (overlays applied), if it still matches.

    Used to show changes in the planner's own terms ("12:00" rather than minute 720). A file
    edited since it was loaded no longer matches the scenario's digest and is not used.
    """
    origin = scenario.source if isinstance(source, Scenario) else source
    if origin is None:
        return None
    try:
        raw, _ = resolve_mapping(origin)
        matches = load_scenario(raw).digest() == scenario.digest()
    except ScenarioError:
        return None
    return raw if matches else None


def _baseline_name(scenarios: Mapping[str, Scenario], baseline: str | None) -> str:
    if baseline is None:
        return next(iter(scenarios))
    if baseline not in scenarios:
        raise CompareError(
            f"baseline {baseline!r} is not an option; options: {', '.join(scenarios)}"
        )
    return baseline


# --- the comparison ----------------------------------------------------------------------------


class Comparison:
    """Reform options run with common random numbers, compared with a baseline.

    Attributes
    ----------
    baseline : the baseline option's name.
    options : option names, in the order given.
    scenarios : option name -> Scenario.
    results : option name -> :class:`wsim.experiment.Results` (tables of the first
        ``info["keep_tables"]`` replications; KPIs of all).
    kpis : DataFrame, one row per option and replication: ``option``, ``replication``, then
        one column per KPI.
    seed, replications : the seed and the number of replications of every option.
    info : how the run went (start time, run time, executor, precision procedure).
    """

    def __init__(
        self,
        scenarios: Mapping[str, Scenario],
        baseline: str,
        seed: int,
        replications: Mapping[str, list[Replication]],
        *,
        confidence: float = 0.95,
        sources: Mapping[str, dict[str, Any] | None] | None = None,
        info: Mapping[str, Any] | None = None,
        better: Mapping[str, str] | None = None,
        rank_by: str | None = None,
    ):
        self.scenarios = dict(scenarios)
        self.options = list(self.scenarios)
        self.baseline = baseline
        self.seed = seed
        self.confidence = confidence
        self.sources = dict(sources or {})
        self.info = dict(info or {})
        self.better = {**KPI_BETTER, **(better or {})}
        for kpi, direction in self.better.items():
            if direction not in ("lower", "higher"):
                raise CompareError(
                    f"better[{kpi!r}] must be 'lower' or 'higher', got {direction!r}"
                )
        self.results = {
            name: Results(self.scenarios[name], seed, list(replications[name]))
            for name in self.options
        }
        counts = {len(results.kpis) for results in self.results.values()}
        if len(counts) != 1:
            raise ValueError("every option needs the same number of replications to be paired")
        self.replications = counts.pop()
        frames = [res.kpis.assign(option=name) for name, res in self.results.items()]
        table = pd.concat(frames, ignore_index=True)
        self.kpis = table[["option", *table.columns.drop("option")]]
        if rank_by is not None:
            self._check_rankable(rank_by)
        self.rank_by = rank_by

    def __repr__(self) -> str:
        return (
            f"Comparison(baseline={self.baseline!r}, options={self.options!r}, "
            f"replications={self.replications}, seed={self.seed})"
        )

    # --- what the KPIs are --------------------------------------------------------------------

    @property
    def kpi_names(self) -> list[str]:
        """Every KPI column, in table order."""
        return [c for c in self.kpis.columns if c not in ("option", "replication")]

    @property
    def headline_kpis(self) -> list[str]:
        """The :data:`HEADLINE_KPIS` this comparison measures (not NaN in every replication)."""
        measured = self.kpis.columns[self.kpis.notna().any()]
        return [k for k in HEADLINE_KPIS if k in measured]

    @property
    def primary_kpi(self) -> str | None:
        """The KPI the ranking uses by default: `rank_by` if given, else the first headline
        KPI (then any KPI) with a known better direction; None if there is none."""
        if self.rank_by is not None:
            return self.rank_by
        ranked = [k for k in self.headline_kpis + self.kpi_names if k in self.better]
        return ranked[0] if ranked else None

    def _check_rankable(self, kpi: str) -> None:
        if kpi not in self.kpi_names:
            raise CompareError(f"unknown KPI {kpi!r}; KPIs: {', '.join(self.kpi_names)}")
        if kpi not in self.better:
            raise CompareError(
                f"cannot rank by {kpi!r}: its better direction is unknown; pass better="
                "{kpi: 'lower' or 'higher'} to compare()"
            )

    def values(self, option: str, kpi: str) -> np.ndarray:
        """The KPI of every replication of `option`, in replication order."""
        table = self.results[option].kpis
        if kpi not in table.columns:
            return np.full(len(table), np.nan)
        return table[kpi].to_numpy(dtype=float)

    # --- tables -------------------------------------------------------------------------------

    def summary(self, confidence: float | None = None) -> pd.DataFrame:
        """One row per option and KPI (tidy).

        Columns: option, kpi, n, mean, ci_low, ci_high (t-interval of the mean), diff (option
        minus baseline, NaN for the baseline), diff_low, diff_high (the paired interval),
        rel_change (diff over the baseline mean), significant (the paired interval excludes
        0), better (True/False when the change is significant and the KPI has a direction).
        """
        confidence = confidence or self.confidence
        rows = []
        for option in self.options:
            for kpi in self.kpi_names:
                values = self.values(option, kpi)
                mean, low, high, n = t_interval(values, confidence)
                row = {"option": option, "kpi": kpi, "n": n, "mean": mean}
                row |= {"ci_low": low, "ci_high": high}
                rows.append(row | self._difference(option, kpi, confidence, paired=True))
        return pd.DataFrame(rows)

    def differences(self, paired: bool = True, confidence: float | None = None) -> pd.DataFrame:
        """Change of every option against the baseline, per KPI.

        ``paired=False`` gives the Welch interval of two independent samples instead, which
        ignores the common random numbers (for showing how much pairing narrows intervals).
        """
        confidence = confidence or self.confidence
        rows = [
            {"option": option, "kpi": kpi}
            | self._difference(option, kpi, confidence, paired=paired)
            for option in self.options
            if option != self.baseline
            for kpi in self.kpi_names
        ]
        columns = ["option", "kpi", "diff", "diff_low", "diff_high", "rel_change"]
        return pd.DataFrame(rows, columns=[*columns, "significant", "better"])

    def _difference(self, option: str, kpi: str, confidence: float, paired: bool) -> dict:
        nan = float("nan")
        if option == self.baseline:
            diff = low = high = nan
        elif paired:
            diff, low, high, _ = paired_interval(
                self.values(option, kpi), self.values(self.baseline, kpi), confidence
            )
        else:
            diff, low, high = welch_interval(
                self.values(option, kpi), self.values(self.baseline, kpi), confidence
            )
        base_mean = np.nanmean(self.values(self.baseline, kpi)) if self._any(kpi) else nan
        rel = diff / base_mean if base_mean and np.isfinite(base_mean) else nan
        significant = bool(low > 0 or high < 0)
        direction = self.better.get(kpi)
        better = None
        if significant and direction is not None:
            better = (diff < 0) == (direction == "lower")
        return {
            "diff": diff,
            "diff_low": low,
            "diff_high": high,
            "rel_change": rel,
            "significant": significant,
            "better": better,
        }

    def _any(self, kpi: str) -> bool:
        return bool(np.isfinite(self.values(self.baseline, kpi)).any())

    def headline(self) -> pd.DataFrame:
        """The summary restricted to the headline KPIs (all KPIs if none is present)."""
        table = self.summary()
        kpis = self.headline_kpis or self.kpi_names
        table = table[table.kpi.isin(kpis)]
        rank = table.option.map(self.options.index) * len(kpis) + table.kpi.map(kpis.index)
        return table.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)

    def costs(self) -> pd.DataFrame:
        """Per option its cost (``scenario.cost``: one_off, yearly, currency).

        With a ``staff_cost`` KPI, also its mean and its paired change against the baseline.
        """
        rows = []
        for option in self.options:
            cost = self.scenarios[option].cost
            row = {
                "option": option,
                "one_off": cost.one_off,
                "yearly": cost.yearly,
                "currency": cost.currency,
            }
            if "staff_cost" in self.kpi_names:
                mean, _, _, _ = t_interval(self.values(option, "staff_cost"))
                diff = self._difference(option, "staff_cost", self.confidence, paired=True)
                row |= {
                    "staff_cost": mean,
                    "staff_cost_diff": diff["diff"],
                    "staff_cost_diff_low": diff["diff_low"],
                    "staff_cost_diff_high": diff["diff_high"],
                }
            rows.append(row)
        return pd.DataFrame(rows)

    def ranking(self, kpi: str | None = None) -> pd.DataFrame:
        """Options ranked by their improvement of `kpi` (default :attr:`primary_kpi`).

        ``improvement`` is the change against the baseline in the KPI's better direction (so
        larger is better; 0 for the baseline); ties go to the cheaper option (yearly, then
        one-off cost). ``better_on`` / ``worse_on`` list the headline KPIs whose paired
        interval shows a significant improvement / deterioration.
        """
        kpi = kpi or self.primary_kpi
        if kpi is None:
            raise CompareError("no KPI has a known better direction: pass better= to compare()")
        self._check_rankable(kpi)
        sign = -1.0 if self.better[kpi] == "lower" else 1.0
        table = self.summary()
        costs = self.costs().set_index("option")
        rows = []
        for option in self.options:
            mine = table[table.option == option].set_index("kpi")
            diff = mine.loc[kpi] if kpi in mine.index else None
            headline = mine.loc[[k for k in self.headline_kpis if k in mine.index]]
            rows.append(
                {
                    "option": option,
                    "kpi": kpi,
                    "mean": diff["mean"] if diff is not None else np.nan,
                    "improvement": 0.0 if option == self.baseline else sign * diff["diff"],
                    "diff": diff["diff"],
                    "diff_low": diff["diff_low"],
                    "diff_high": diff["diff_high"],
                    "rel_change": diff["rel_change"],
                    "significant": bool(diff["significant"]),
                    "better_on": ", ".join(headline.index[headline.better.eq(True)]),
                    "worse_on": ", ".join(headline.index[headline.better.eq(False)]),
                    "one_off": costs.loc[option, "one_off"],
                    "yearly": costs.loc[option, "yearly"],
                    "currency": costs.loc[option, "currency"],
                }
            )
        ranked = pd.DataFrame(rows).sort_values(
            ["improvement", "yearly", "one_off"],
            ascending=[False, True, True],
            kind="stable",
            na_position="last",
        )
        ranked.insert(0, "rank", range(1, len(ranked) + 1))
        return ranked.reset_index(drop=True)

    def changes(self) -> pd.DataFrame:
        """What each option changes in the baseline scenario: field path, old and new value.

        Paths use the scenario file's notation (``windows[comprehensive].schedule['12:00']``,
        list items by name). The scenario's name, description and cost are left out (cost is
        in :meth:`costs`). Values are as the planner wrote them when every option's file is
        known, else in the resolved form (minutes, sorted points).
        """
        use_raw = all(self.sources.get(name) is not None for name in self.options)
        mappings = {
            name: self.sources[name] if use_raw else self.scenarios[name].to_dict()
            for name in self.options
        }
        base = _without_metadata(mappings[self.baseline])
        rows = [
            {"option": option, "path": path, "baseline": old, "value": new}
            for option in self.options
            if option != self.baseline
            for path, old, new in diff_mappings(base, _without_metadata(mappings[option]))
        ]
        return pd.DataFrame(rows, columns=["option", "path", "baseline", "value"])

    # --- output -------------------------------------------------------------------------------

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write summary.csv, kpis.csv, costs.csv, changes.csv (and ranking.csv) to `folder`.

        Each file is written atomically. Returns the paths written.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        tables = {
            "summary.csv": self.summary(),
            "kpis.csv": self.kpis,
            "costs.csv": self.costs(),
            "changes.csv": _formatted(self.changes()),
        }
        if self.primary_kpi is not None:
            tables["ranking.csv"] = self.ranking()
        return [write_table_atomic(table, out / name) for name, table in tables.items()]

    def report(self, path: str | os.PathLike) -> Path:
        """Write the HTML report for decision makers to `path` (see :mod:`wsim.report`)."""
        from wsim.report import write_report

        return write_report(self, path)


def _formatted(changes: pd.DataFrame) -> pd.DataFrame:
    return changes.assign(
        baseline=changes.baseline.map(format_value), value=changes.value.map(format_value)
    )


def _without_metadata(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in ("name", "description", "cost")}


# --- scenario paths: what an option changes, and grid parameters -------------------------------


class _Missing:
    """Marks a field that one side of a difference does not have."""

    def __repr__(self) -> str:
        return "(not set)"

    __str__ = __repr__


_MISSING = _Missing()


def diff_mappings(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """The differences between two scenario mappings as (path, old value, new value).

    Mappings are compared key by key, lists of named mappings item by item by name (like
    overlays merge them); other lists and scalars as a whole. A missing side is shown as
    ``(not set)``.
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found = []
        for key in list(old) + [k for k in new if k not in old]:
            child = join_path(path, key_path(key))
            found += diff_mappings(old.get(key, _MISSING), new.get(key, _MISSING), child)
        return found
    if _named_list(old) and _named_list(new):
        old_items = {item["name"]: item for item in old}
        new_items = {item["name"]: item for item in new}
        found = []
        for name in list(old_items) + [n for n in new_items if n not in old_items]:
            child = f"{path}[{name}]"
            found += diff_mappings(
                old_items.get(name, _MISSING), new_items.get(name, _MISSING), child
            )
        return found
    return [] if old == new else [(path, old, new)]


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, Mapping) and "name" in item for item in value
    )


def format_value(value: Any, limit: int = 160) -> str:
    """A compact, YAML-like one-line text of a scenario value (long ones are shortened)."""
    if isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k}: {format_value(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(format_value(v, limit) for v in value) + "]"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_STEP = re.compile(r"""\.?([^.\[\]'"]+)|\[\s*(?:'([^']*)'|"([^"]*)"|([^\]]*?))\s*\]""")


def parse_path(path: str) -> list[tuple[str, str]]:
    """Split a field path into steps: ``("key", name)`` or ``("item", selector)``.

    ``windows[comprehensive].schedule['12:00']`` gives key windows, item comprehensive (a
    list item by name, or by index when a number), key schedule, key 12:00 (quoted: a
    mapping key). An unquoted ``[x]`` on a mapping is also a key.
    """
    steps, position = [], 0
    text = path.strip()
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None or match.end() == position:
            raise GridError(f"cannot read the field path {path!r} at {text[position:]!r}")
        key, single, double, item = match.groups()
        if key is not None:
            steps.append(("key", key.strip()))
        elif item is not None:
            steps.append(("item", item))
        else:
            steps.append(("key", single if single is not None else double))
        position = match.end()
    if not steps:
        raise GridError("empty field path")
    return steps


def set_path(mapping: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of a scenario mapping with the field at `path` set to `value`.

    The last step may add a new mapping key; every step before it must exist. Raises
    :class:`GridError` naming the step that does not fit.
    """
    result = copy.deepcopy(dict(mapping))
    steps = parse_path(path)
    container: Any = result
    walked = ""
    for number, (kind, name) in enumerate(steps):
        last = number == len(steps) - 1
        slot, walked = _locate(container, kind, name, walked, path, creating=last)
        if last:
            container[slot] = value
        else:
            container = container[slot]
    return result


def _locate(
    container: Any, kind: str, name: str, walked: str, path: str, creating: bool
) -> tuple[Any, str]:
    """The key or index that a path step selects in `container`, and the path so far."""
    where = walked or "the scenario"
    if isinstance(container, Mapping):
        keys = {str(k): k for k in container}
        if name in keys:
            return keys[name], join_path(walked, key_path(name))
        if creating:
            return name, join_path(walked, key_path(name))
        listed = ", ".join(keys) or "none"
        raise GridError(f"{path}: {where} has no field {name!r} (fields: {listed})")
    if isinstance(container, list):
        if kind == "item" and re.fullmatch(r"-?\d+", name):
            index = int(name)
            if -len(container) <= index < len(container):
                return index, f"{walked}[{index}]"
            raise GridError(f"{path}: {where} has {len(container)} items, no index {index}")
        names = [str(item.get("name")) for item in container if isinstance(item, Mapping)]
        for index, item in enumerate(container):
            if isinstance(item, Mapping) and str(item.get("name")) == name:
                return index, f"{walked}[{name}]"
        listed = ", ".join(n for n in names if n != "None") or "none have a name"
        raise GridError(
            f"{path}: {where} has no item named {name!r} (names: {listed}; "
            f"or give an index 0..{len(container) - 1})"
        )
    raise GridError(
        f"{path}: {where} is a value ({format_value(container)}), not a mapping or list"
    )


# --- grids ---------------------------------------------------------------------------------------


class Grid:
    """A scenario grid: the base scenario and one option per combination of parameter values.

    Attributes: ``comparison`` (every point against the base, common random numbers),
    ``parameters`` (the varied field paths), ``points`` (option name and one column per
    parameter).
    """

    def __init__(self, comparison: Comparison, parameters: list[str], points: pd.DataFrame):
        self.comparison = comparison
        self.parameters = parameters
        self.points = points

    def __repr__(self) -> str:
        return (
            f"Grid(parameters={self.parameters!r}, points={len(self.points)}, "
            f"replications={self.comparison.replications})"
        )

    def table(self, kpis: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per grid point and KPI: the parameter values, then the summary columns."""
        summary = self.comparison.summary()
        if kpis is not None:
            summary = summary[summary.kpi.isin(list(kpis))]
        table = self.points.merge(summary, on="option", how="left")
        return table.reset_index(drop=True)


def grid(
    base: Source,
    vary: Mapping[str, Sequence[Any]],
    replications: int = 10,
    seed: int = 0,
    **options: Any,
) -> Grid:
    """Run `base` at every combination of the parameter values in `vary`, for what-if curves.

    `vary` maps field paths (as in the scenario file: ``windows[comprehensive].count``,
    ``demand[0].per_day``, ``windows[desk].schedule['12:00']``) to lists of values. Every
    point is an option compared with the unchanged base (``"baseline"``) with common random
    numbers. Other keyword arguments go to :func:`compare` (executor, workers, out, ...).
    """
    if not vary:
        raise GridError("vary at least one parameter")
    parameters = list(vary)
    for parameter in parameters:
        parse_path(parameter)
        if isinstance(vary[parameter], (str, bytes)) or not list(vary[parameter]):
            raise GridError(f"{parameter}: give a list of values")
    base_scenario = load_scenario(base)
    raw = _raw_mapping(base, base_scenario) or base_scenario.to_dict()
    scenarios: dict[str, Source] = {"baseline": base}
    points = []
    for values in itertools.product(*(list(vary[p]) for p in parameters)):
        label = ", ".join(f"{p}={format_value(v)}" for p, v in zip(parameters, values, strict=True))
        mapping = raw
        for parameter, value in zip(parameters, values, strict=True):
            mapping = set_path(mapping, parameter, value)
        try:
            load_scenario(mapping)
        except ScenarioError as error:
            file = error.file or (str(base) if isinstance(base, (str, os.PathLike)) else None)
            raise ScenarioError(error.problems, file, f"(grid point {label})") from None
        scenarios[label] = mapping
        points.append({"option": label, **dict(zip(parameters, values, strict=True))})
    comparison = compare(scenarios, replications, seed, baseline="baseline", **options)
    return Grid(comparison, parameters, pd.DataFrame(points))
