"""The outcome of a portfolio run: the recommendation, the frontier, and how sure we are.

:class:`PortfolioResult` holds the levers, their simulated effects, the verified portfolio at
the requested budget and at every budget of the sweep, and the comparison with other options;
``summary()`` gives the frontier as a table, ``save(folder)`` writes the files of
``wsim optimize portfolio`` and ``plot_frontier()`` draws the frontier.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wsim.experiment import t_interval
from wsim.figures import png_bytes
from wsim.files import write_bytes_atomic, write_table_atomic
from wsim.optimize.levers.compose import write_overlay
from wsim.optimize.levers.effects import LeverEffects
from wsim.optimize.levers.frontier import frontier_table, plot_frontier
from wsim.optimize.levers.leverset import LeverSet
from wsim.optimize.levers.verify import BudgetOutcome, Check

#: Files :meth:`PortfolioResult.save` writes, with what each holds.
FILES: dict[str, str] = {
    "portfolio.yaml": "the recommended portfolio as an overlay on the baseline (wsim compare)",
    "portfolios/": "the portfolio of every budget of the sweep, as overlays",
    "effects.csv": "per lever: costs, what was simulated, objective change (paired interval)",
    "effects_kpis.csv": "per lever or pair and KPI: the change with its paired interval",
    "interactions.csv": "the estimated interactions and whether the surrogate keeps them",
    "screening.csv": "every candidate pair, its screening score and whether it was simulated",
    "frontier.csv": "per budget: the portfolio, cost per year, savings, frontier status",
    "frontier.png": "the frontier: citizens' savings against cost per year",
    "predicted_vs_simulated.csv": "per budget and KPI: prediction, simulation, paired gap",
    "iterations.csv": "every round of the verification loops",
    "against.csv": "each budget's portfolio against each other option (paired)",
    "solver.json": "solver and loop status per budget, run size and time",
}


def _budget_text(amount: float | None, currency: str) -> str:
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "open"
    return f"{amount:,.0f} {currency}"


@dataclass
class PortfolioResult:
    """A portfolio run (see :func:`wsim.optimize.portfolio`).

    Attributes
    ----------
    levers : the candidate levers (without those left out).
    effects : their simulated main effects and interactions, and the surrogate.
    main : the verified portfolio at the requested budget.
    outcomes : the verified portfolio at every budget of the sweep (the requested one too),
        by one-off budget.
    against : each budget's portfolio against the other options given (may be empty).
    info : the run: seed, replications, lever sets simulated, replications run and read
        from the store, executor, wall time.
    """

    levers: LeverSet
    effects: LeverEffects
    main: BudgetOutcome
    outcomes: list[BudgetOutcome]
    against: pd.DataFrame = field(default_factory=pd.DataFrame)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def recommended(self) -> Check:
        """The check of the recommended portfolio at the requested budget."""
        if self.main.recommended is None:  # pragma: no cover - portfolio() raises instead
            raise ValueError(f"no portfolio at this budget: {self.main.error}")
        return self.main.recommended

    @property
    def currency(self) -> str:
        """The money's unit."""
        return self.levers.economics.currency

    # --- tables -------------------------------------------------------------------------------

    def frontier(self) -> pd.DataFrame:
        """The sweep's points (see :func:`~wsim.optimize.levers.frontier.frontier_table`)."""
        table = frontier_table(self.effects, self.outcomes)
        table.insert(0, "requested", [o is self.main for o in self.outcomes])
        return table

    def summary(self) -> pd.DataFrame:
        """The frontier's main columns: one row per budget, the requested one marked."""
        columns = [
            "requested",
            "budget_one_off",
            "budget_yearly",
            "levers",
            "one_off",
            "yearly",
            "cost_per_year",
            "citizens_value",
            "citizens_value_low",
            "citizens_value_high",
            "objective_predicted",
            "objective_simulated",
            "gap",
            "gap_low",
            "gap_high",
            "holds",
            "loop_status",
            "frontier",
        ]
        table = self.frontier()
        return table[[c for c in columns if c in table]]

    def predicted_vs_simulated(self) -> pd.DataFrame:
        """Per budget and surrogate KPI (and the objective): predicted, simulated, paired gap.

        Columns: ``budget_one_off, levers, kpi, predicted, simulated, simulated_low,
        simulated_high, gap, gap_low, gap_high`` (gap: simulated minus predicted, paired by
        replication) and ``within`` (the gap's interval contains 0).
        """
        rows = []
        effects = self.effects
        for outcome in self.outcomes:
            check = outcome.recommended
            if check is None:
                continue
            simulated = effects.matrix(check.chosen)
            predicted = effects.predicted(check.chosen)
            columns = [
                (kpi, simulated[:, k], predicted[:, k]) for k, kpi in enumerate(effects.kpis)
            ]
            objective = (
                "objective",
                check.cost_per_year + effects.value_of(simulated),
                check.cost_per_year + effects.value_of(predicted),
            )
            for kpi, sim, pred in [objective, *columns]:
                mean, low, high, _ = t_interval(sim, effects.confidence)
                gap, gap_low, gap_high, _ = t_interval(sim - pred, effects.confidence)
                rows.append(
                    {
                        "budget_one_off": np.nan
                        if outcome.budget.one_off is None
                        else outcome.budget.one_off,
                        "levers": check.label,
                        "kpi": kpi,
                        "predicted": float(np.nanmean(pred)),
                        "simulated": mean,
                        "simulated_low": low,
                        "simulated_high": high,
                        "gap": gap,
                        "gap_low": gap_low,
                        "gap_high": gap_high,
                        "within": bool(gap_low <= 0 <= gap_high),
                    }
                )
        return pd.DataFrame(rows)

    def iterations(self) -> pd.DataFrame:
        """Every round of every budget's verification loop."""
        return pd.DataFrame([row for outcome in self.outcomes for row in outcome.iterations])

    def solver(self) -> dict[str, Any]:
        """Per budget: the loop's status, the last MILP solution's status, and the run."""
        budgets = []
        for outcome in self.outcomes:
            solution = outcome.solution
            entry: dict[str, Any] = {
                "budget_one_off": outcome.budget.one_off,
                "budget_yearly": outcome.budget.yearly,
                "yearly_budget_counts": list(outcome.budget.yearly_kpis),
                "requested": outcome is self.main,
                "loop_status": outcome.status,
                "rounds": len(outcome.iterations),
                "recommended": None if outcome.recommended is None else outcome.recommended.label,
            }
            if outcome.error is not None:
                entry["infeasible"] = str(outcome.error)
            if solution is not None:
                entry["milp"] = {
                    "chosen": list(solution.chosen),
                    "status": solution.status,
                    "termination": solution.termination,
                    "objective": solution.objective,
                    "bound": solution.bound if math.isfinite(solution.bound) else None,
                    "gap": solution.gap if math.isfinite(solution.gap) else None,
                    "requested_gap": solution.requested_gap,
                    "seconds": solution.seconds,
                }
            budgets.append(entry)
        return {"budgets": budgets, "run": self.info}

    # --- output -------------------------------------------------------------------------------

    def overlay(
        self, outcome: BudgetOutcome | None = None, folder: str | os.PathLike | None = None
    ) -> dict[str, Any]:
        """A budget's recommended portfolio (default: the requested one) as an overlay mapping."""
        outcome = outcome or self.main
        if outcome.recommended is None:
            raise ValueError(f"no portfolio at this budget: {outcome.error}")
        budget = _budget_text(outcome.budget.one_off, self.currency)
        name = f"{self.levers.baseline.name}: portfolio at a one-off budget of {budget}"
        return self.levers.overlay(sorted(outcome.recommended.chosen), name, folder)

    def plot_frontier(self) -> Figure:
        """Citizens' savings per year against cost per year, per budget (see ``frontier``)."""
        return plot_frontier(self.frontier(), self.currency)

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write the files of :data:`FILES` to ``folder`` (each atomically); the paths written."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = [write_overlay(out / "portfolio.yaml", self.overlay(folder=out))]
        for outcome in self.outcomes:
            if outcome.recommended is None:
                continue
            amount = outcome.budget.one_off
            stem = "open" if amount is None else f"{amount:.0f}"
            path = out / "portfolios" / f"budget_{stem}.yaml"
            path.parent.mkdir(exist_ok=True)
            written.append(write_overlay(path, self.overlay(outcome, folder=path.parent)))
        tables = {
            "effects.csv": self.effects.effects_table(),
            "effects_kpis.csv": self.effects.kpi_table(),
            "interactions.csv": self.effects.interactions_table(),
            "screening.csv": self.effects.screening,
            "frontier.csv": self.frontier(),
            "predicted_vs_simulated.csv": self.predicted_vs_simulated(),
            "iterations.csv": self.iterations(),
        }
        if len(self.against):
            tables["against.csv"] = self.against
        written += [write_table_atomic(table, out / name) for name, table in tables.items()]
        written.append(
            write_bytes_atomic(out / "frontier.png", png_bytes(self.plot_frontier(), dpi=110))
        )
        text = json.dumps(self.solver(), indent=1, default=_json_default)
        written.append(write_bytes_atomic(out / "solver.json", text.encode("utf-8")))
        return written

    # --- text -----------------------------------------------------------------------------------

    def describe(self) -> str:
        """The recommendation and the frontier in a few lines, for a terminal."""
        currency = self.currency
        check = self.recommended
        budget = self.main.budget
        effects = self.effects
        saved = frontier_table(effects, [self.main]).iloc[0]
        lines = [
            f"{self.levers.baseline.name}: portfolio at a one-off budget of "
            f"{_budget_text(budget.one_off, currency)} and a yearly budget of "
            f"{_budget_text(budget.yearly, currency)}: {self.main.status}",
            f"recommended: {', '.join(sorted(check.chosen)) or 'no lever (the baseline)'}",
            f"  cost: one-off {check.one_off:,.0f}, yearly {check.yearly:,.0f}, per year "
            f"{check.cost_per_year:,.0f} {currency}, plus a staff cost change of "
            f"{saved.staff_cost_change:,.0f} a year",
            f"  objective per year: predicted {check.objective_predicted:,.0f}, simulated "
            f"{check.objective_simulated:,.0f} [{check.objective_low:,.0f}, "
            f"{check.objective_high:,.0f}]; gap {check.gap:,.0f} [{check.gap_low:,.0f}, "
            f"{check.gap_high:,.0f}] ({'within' if check.holds else 'outside'} its interval)",
            f"  citizens save per year: {saved.wait_hours_saved:,.0f} hall hours, "
            f"{saved.lead_hours_saved:,.0f} case hours, {saved.trips_saved:,.0f} trips, worth "
            f"{saved.citizens_value:,.0f} {currency} [{saved.citizens_value_low:,.0f}, "
            f"{saved.citizens_value_high:,.0f}]",
        ]
        for target in self.levers.targets:
            value = check.simulated[target.kpi]
            met = "met" if check.targets_met[target.describe()] else "NOT met"
            lines.append(f"  {target.describe()}: simulated {value:.4g} ({met})")
        if len(self.outcomes) > 1:
            lines += ["", "frontier (one-off budget -> portfolio):"]
            for row in self.frontier().itertuples():
                amount = _budget_text(row.budget_one_off, currency)
                if isinstance(getattr(row, "levers", None), str):
                    lines.append(
                        f"  {amount:>18}: {row.levers}; cost per year {row.cost_per_year:,.0f}, "
                        f"saves {row.citizens_value:,.0f}; gap {row.gap:,.0f} "
                        f"[{row.gap_low:,.0f}, {row.gap_high:,.0f}]; {row.frontier}"
                    )
                else:
                    lines.append(f"  {amount:>18}: {row.loop_status}")
        info = self.info
        lines += [
            "",
            f"simulated {info.get('lever_sets')} lever sets x {info.get('replications_per_set')} "
            f"replications ({info.get('replications_run')} run, {info.get('replications_loaded')} "
            f"from the store) in {info.get('run_time_s', 0):.0f} s",
        ]
        return "\n".join(lines)


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
