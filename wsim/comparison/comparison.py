"""A comparison of reform options with a baseline, run on common random numbers.

Replication r of every option draws the same random numbers wherever the options share a
random source, so the difference between an option and the baseline is measured replication
by replication, and its (paired) interval is usually much narrower than the one from two
independent samples. :class:`Comparison` holds every replication's KPIs and gives tidy tables:
the summary, the differences, costs, a ranking, and what each option changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wsim.comparison import decision_plots, plots
from wsim.comparison.decision_settings import PortfolioChoice, decision_block
from wsim.comparison.errors import CompareError
from wsim.experiment import Replication, Results, paired_interval, t_interval, welch_interval
from wsim.files import write_table_atomic
from wsim.metrics import HEADLINE_KPIS, KPI_BETTER
from wsim.scenario import Scenario
from wsim.scenario.overlays import diff_mappings, format_value

if TYPE_CHECKING:
    from wsim.comparison.decision import Decision


class Comparison:
    """Reform options run with common random numbers, compared with a baseline.

    Attributes
    ----------
    baseline : the baseline option's name.
    options : option names, in the order given.
    scenarios : option name -> Scenario.
    results : option name -> :class:`wsim.experiment.Results` (tables of the first
        ``info["keep_tables"]`` replications; KPIs of all). From :func:`wsim.compare` the
        tables are in its store, read back when first asked for (`tables`: option name ->
        what reads them, :class:`wsim.experiment.store.StoredTables`).
    kpis : DataFrame, one row per option and replication: ``option``, ``replication``, then
        one column per KPI.
    seed, replications : the seed and the number of replications of every option.
    info : how the run went (start time, run time, executor, precision procedure).
    decision_block : the ``decision`` assumptions given to :func:`wsim.compare` (a validated
        :class:`wsim.scenario.decision.Decision`; empty when none were given).
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
        decision: Mapping[str, Any] | None = None,
        tables: Mapping[str, Callable[[], list[Replication]]] | None = None,
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
            name: Results(
                self.scenarios[name], seed, list(replications[name]), (tables or {}).get(name)
            )
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
        self.decision_block = decision_block(decision)

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
        """The KPI the ranking uses by default; None if there is none.

        `rank_by` if given, else the first headline KPI (then any KPI) with a known better
        direction.
        """
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

    def decision(
        self,
        portfolio: PortfolioChoice | None = None,
        decision: Mapping[str, Any] | None = None,
    ) -> Decision:
        """The decision: costs and gains per year, frontier, recommendation, verdicts.

        See :func:`wsim.comparison.decision.decide`; `decision` overrides the assumptions (the
        scenario's ``decision`` block's shape), `portfolio` is the optimizer's portfolio.
        """
        from wsim.comparison.decision import decide

        return decide(self, decision=decision, portfolio=portfolio)

    # --- hourly measures and plots ------------------------------------------------------------

    def hourly_summary(self) -> pd.DataFrame:
        """Per option, hourly measure and hour of day: mean over replications, 95% interval.

        The measures are those of :mod:`wsim.metrics.hourly`, from the replications whose
        tables were kept (:meth:`Results.hourly_summary` of each option).
        """
        frames = [
            self.results[option].hourly_summary().assign(option=option) for option in self.options
        ]
        columns = ["option", "measure", "hour", "mean", "ci_low", "ci_high", "n"]
        return pd.concat(frames, ignore_index=True)[columns]

    def has_cases(self) -> bool:
        """Whether every option has a case table with lead times and trips."""
        return all(results.has_case_table() for results in self.results.values())

    def plot_effects(
        self, kpis: Sequence[str] | None = None, *, lang: str = "en", narrow: bool = False
    ) -> Figure:
        """Change of each option against the baseline with its paired interval, per KPI.

        Colored by the minimal-important-difference rule of :meth:`decision`, whose band is
        shaded; KPIs that never vary are left out unless named in `kpis`.
        """
        verdicts = self.decision().verdicts
        return plots.forest(self, kpis, verdicts=verdicts, lang=lang, narrow=narrow)

    def plot_cost_effect(self, *, lang: str = "en", narrow: bool = False) -> Figure:
        """The cost-effectiveness plane: cost per year against citizen-hours saved per year."""
        return decision_plots.ce_plane(self.decision(), lang=lang, narrow=narrow)

    def plot_acceptability(self, *, lang: str = "en", narrow: bool = False) -> Figure:
        """The probability that each option has the highest net benefit, by value of time."""
        return decision_plots.acceptability_plot(self.decision(), lang=lang, narrow=narrow)

    def plot_hourly(
        self, measure: str = "wait_mean", *, lang: str = "en", narrow: bool = False
    ) -> Figure:
        """An hourly measure (``wait_mean``, ``queue_mean``, ``utilization``) per option."""
        return plots.hourly_plot(self, measure, lang=lang, narrow=narrow)

    def plot_lead_times(self, *, lang: str = "en", narrow: bool = False) -> Figure:
        """The distribution of case lead times (days) per option, to the 99th percentile."""
        return plots.lead_time_distribution(self, lang=lang, narrow=narrow)

    def plot_trips(self, most: int = 4, *, lang: str = "en", narrow: bool = False) -> Figure:
        """The share of cases by number of hall trips per option."""
        return plots.trips_distribution(self, most, lang=lang, narrow=narrow)

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


def _formatted(changes: pd.DataFrame) -> pd.DataFrame:
    return changes.assign(
        baseline=changes.baseline.map(format_value), value=changes.value.map(format_value)
    )


def _without_metadata(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in ("name", "description", "cost")}
