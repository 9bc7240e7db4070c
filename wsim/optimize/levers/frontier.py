"""The budget sweep's points as an efficient frontier, and each point against single reforms.

Every point of a sweep is a simulated portfolio (:class:`~wsim.optimize.levers.verify.Check`).
Its **cost per year** is its levers' cost per year (one-off annualised, plus yearly) plus the
simulated change in staff cost per year; its **effect** is the value of citizens' time and
trips saved per year against the baseline (``wait_hour x`` hall hours saved ``+ lead_hour x``
case hours saved ``+ trip x`` trips avoided), each paired by replication. Points are marked
efficient, dominated or extendedly dominated by
:func:`wsim.comparison.economics.cost_effectiveness_frontier` (the baseline, cost 0 and effect
0, is a point too).

:func:`against_options` compares each point with other scenarios on the same seeds (single
reform overlays, say): the paired difference of the objective per year, and whether the
option fits the point's budgets (one-off cost, and yearly cost with its staff cost change).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from wsim.comparison.economics import cost_effectiveness_frontier, cost_per_year
from wsim.experiment import t_interval
from wsim.figures import PlotFigure
from wsim.optimize.levers.effects import LeverEffects
from wsim.optimize.levers.simulate import BASELINE
from wsim.optimize.levers.surrogate import Budget, PortfolioError
from wsim.optimize.levers.values import LEAD_HOURS, STAFF_COST, TRIPS, WAIT_HOURS
from wsim.optimize.levers.verify import BudgetOutcome
from wsim.scenario import Scenario

#: Verdicts of a point against another option, on the objective (lower is better).
VERDICTS = ("better", "equal within the interval", "worse")


def _interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    mean, low, high, _ = t_interval(np.asarray(values, dtype=float), confidence)
    return mean, low, high


def _money(amount: float | None) -> float:
    return math.nan if amount is None else float(amount)


def savings(effects: LeverEffects, matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Per replication, what a simulated set saves per year against the baseline.

    Keys: ``wait_hours``, ``lead_hours``, ``trips`` (units per year) and ``citizens_value``
    (their value, money per year), positive when citizens gain; ``staff_cost`` is the change
    in staff cost per year (positive when it costs more).
    """
    baseline = effects.matrix(frozenset())
    kpis = effects.kpis

    def saved(kpi: str) -> np.ndarray:
        return baseline[:, kpis.index(kpi)] - matrix[:, kpis.index(kpi)]

    scale = effects.values.scale
    wait, lead, trips = saved(WAIT_HOURS), saved(LEAD_HOURS), saved(TRIPS)
    return {
        "wait_hours": wait,
        "lead_hours": lead,
        "trips": trips,
        "citizens_value": scale[WAIT_HOURS] * wait
        + scale[LEAD_HOURS] * lead
        + scale[TRIPS] * trips,
        "staff_cost": -saved(STAFF_COST) * scale[STAFF_COST],
    }


def total_cost_per_year(
    effects: LeverEffects, one_off: float, yearly: float, staff_per_year: float
) -> float:
    """One-off annualised, plus yearly, plus the staff cost change per year.

    :func:`wsim.comparison.economics.cost_per_year` with the levers' discount rate and horizon
    (the staff change is given per year already, so it is scaled by one).
    """
    economics = effects.levers.economics
    return float(
        cost_per_year(
            one_off,
            yearly,
            rate=economics.discount_rate,
            years=economics.horizon_years,
            staff_cost_change=staff_per_year,
            simulated_days=1.0,
            days_per_year=1.0,
        )
    )


def frontier_table(effects: LeverEffects, outcomes: Sequence[BudgetOutcome]) -> pd.DataFrame:
    """One row per budget: the recommended portfolio, what it costs and saves, its status.

    Columns: ``budget_one_off, budget_yearly, loop_status, levers, size, one_off, yearly,
    lever_cost_per_year, staff_cost_change`` (per year, simulated), ``cost_per_year`` (their
    sum), ``citizens_value`` (saved per year, with ``_low``/``_high``), ``wait_hours_saved``,
    ``lead_hours_saved``, ``trips_saved`` (per year, with intervals), ``objective_predicted``,
    ``objective_simulated`` (with interval), ``gap`` (simulated minus predicted, paired
    interval), ``holds``, ``frontier`` (efficient, dominated, extendedly dominated) and
    ``dominated_by``. An infeasible budget has a row with its message in ``loop_status``.
    """
    confidence = effects.confidence
    rows = []
    for outcome in outcomes:
        row: dict = {
            "budget_one_off": _money(outcome.budget.one_off),
            "budget_yearly": _money(outcome.budget.yearly),
            "loop_status": outcome.status,
        }
        check = outcome.recommended
        if check is None:
            row["loop_status"] = f"{outcome.status}: {outcome.error}"
            rows.append(row)
            continue
        saved = savings(effects, effects.matrix(check.chosen))
        staff = float(np.nanmean(saved["staff_cost"]))
        row |= {
            "levers": check.label,
            "size": len(check.chosen),
            "one_off": check.one_off,
            "yearly": check.yearly,
            "lever_cost_per_year": check.cost_per_year,
            "staff_cost_change": staff,
            "cost_per_year": total_cost_per_year(effects, check.one_off, check.yearly, staff),
        }
        for key, column in (
            ("citizens_value", "citizens_value"),
            ("wait_hours", "wait_hours_saved"),
            ("lead_hours", "lead_hours_saved"),
            ("trips", "trips_saved"),
        ):
            mean, low, high = _interval(saved[key], confidence)
            row |= {column: mean, f"{column}_low": low, f"{column}_high": high}
        row |= {
            "objective_predicted": check.objective_predicted,
            "objective_simulated": check.objective_simulated,
            "objective_low": check.objective_low,
            "objective_high": check.objective_high,
            "gap": check.gap,
            "gap_low": check.gap_low,
            "gap_high": check.gap_high,
            "holds": check.holds,
        }
        rows.append(row)
    table = pd.DataFrame(rows)
    return _mark_frontier(table)


def _mark_frontier(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``frontier`` and ``dominated_by`` from the points' cost and effect means."""
    table = table.copy()
    table["frontier"] = None
    table["dominated_by"] = None
    if "levers" not in table or table["levers"].isna().all():
        return table
    simulated = table.dropna(subset=["levers"]).drop_duplicates("levers")
    points = {BASELINE: (0.0, 0.0)}
    for row in simulated.itertuples():
        points.setdefault(row.levers, (row.cost_per_year, row.citizens_value))
    names = list(points)
    marked = cost_effectiveness_frontier(
        names, [points[n][0] for n in names], [points[n][1] for n in names]
    ).set_index("option")
    for index, levers in table["levers"].items():
        if isinstance(levers, str):
            table.at[index, "frontier"] = marked.at[levers, "status"]
            table.at[index, "dominated_by"] = ", ".join(marked.at[levers, "dominated_by"])
    return table


def against_options(
    effects: LeverEffects,
    outcomes: Sequence[BudgetOutcome],
    options: Mapping[str, Scenario],
) -> pd.DataFrame:
    """Each budget's portfolio against each other option, paired on the same seeds.

    ``options`` are scenarios by name (e.g. single reform overlays of the baseline), each with
    its ``cost`` block in the levers' currency; they are simulated with the lever sets' seeds.
    One row per budget and option: ``budget_one_off, budget_yearly, levers, option,
    option_one_off, option_yearly, option_cost_per_year`` (annualised one-off plus yearly,
    plus its simulated staff cost change), ``affordable`` (the option fits the point's
    budgets), ``diff`` (portfolio minus option objective, money per year; negative: the
    portfolio is better) with ``diff_low, diff_high`` and ``verdict`` (see :data:`VERDICTS`).
    """
    runner = effects.runner
    currency = effects.values.currency
    for name, scenario in options.items():
        if scenario.cost.currency != currency:
            raise PortfolioError(
                f"option {name!r} costs in {scenario.cost.currency}, the levers in {currency}"
            )
    runner.run_scenarios({_label(name): scenario for name, scenario in options.items()})
    annuity = effects.levers.annuity
    rows = []
    for outcome in outcomes:
        check = outcome.recommended
        if check is None:
            continue
        mine = check.cost_per_year + effects.value_of(effects.matrix(check.chosen))
        for name, scenario in options.items():
            table = effects.values.derive(runner.scenario_kpis(_label(name)))
            matrix = table[list(effects.kpis)].to_numpy(dtype=float)
            staff = float(np.nanmean(savings(effects, matrix)["staff_cost"]))
            cost = scenario.cost
            per_year = annuity * cost.one_off + cost.yearly
            total = total_cost_per_year(effects, cost.one_off, cost.yearly, staff)
            theirs = per_year + effects.value_of(matrix)
            diff, low, high = _interval(mine - theirs, effects.confidence)
            rows.append(
                {
                    "budget_one_off": _money(outcome.budget.one_off),
                    "budget_yearly": _money(outcome.budget.yearly),
                    "levers": check.label,
                    "option": name,
                    "option_one_off": cost.one_off,
                    "option_yearly": cost.yearly,
                    "option_cost_per_year": total,
                    "affordable": _fits(outcome.budget, cost.one_off, cost.yearly + staff),
                    "diff": diff,
                    "diff_low": low,
                    "diff_high": high,
                    "verdict": _verdict(low, high),
                }
            )
    columns = [
        "budget_one_off",
        "budget_yearly",
        "levers",
        "option",
        "option_one_off",
        "option_yearly",
        "option_cost_per_year",
        "affordable",
        "diff",
        "diff_low",
        "diff_high",
        "verdict",
    ]
    return pd.DataFrame(rows, columns=columns)


def _label(name: str) -> str:
    return f"option: {name}"


def _fits(budget: Budget, one_off: float, yearly_use: float) -> bool:
    one_off_ok = budget.one_off is None or one_off <= budget.one_off + 1e-9
    yearly_ok = budget.yearly is None or yearly_use <= budget.yearly + 1e-9
    return one_off_ok and yearly_ok


def _verdict(low: float, high: float) -> str:
    if high < 0:
        return VERDICTS[0]
    if low > 0:
        return VERDICTS[2]
    return VERDICTS[1]


def plot_frontier(table: pd.DataFrame, currency: str = "CNY") -> Figure:
    """Citizens' value saved per year against cost per year, one marker per budget's portfolio.

    Efficient points are joined by the frontier line; dominated ones are hollow; bars are the
    paired 95% intervals of the value saved; each point is labelled with its budget.
    """
    figure = PlotFigure(figsize=(8, 5.5), layout="constrained")
    ax = figure.add_subplot()
    points = table.dropna(subset=["levers"])
    ax.scatter([0], [0], marker="s", color="0.3", zorder=3, label="baseline (no lever)")
    if len(points):
        efficient = points[points["frontier"] == "efficient"].drop_duplicates("levers")
        line = pd.concat(
            [pd.DataFrame({"cost_per_year": [0.0], "citizens_value": [0.0]}), efficient]
        ).sort_values("cost_per_year")
        ax.plot(line.cost_per_year, line.citizens_value, color="C0", lw=1.2, zorder=2)
        for status, style in (
            ("efficient", {"color": "C0"}),
            ("dominated", {"facecolors": "none", "edgecolors": "C3"}),
            ("extendedly dominated", {"facecolors": "none", "edgecolors": "C1"}),
        ):
            mine = points[points["frontier"] == status]
            if len(mine):
                ax.errorbar(
                    mine.cost_per_year,
                    mine.citizens_value,
                    yerr=[
                        mine.citizens_value - mine.citizens_value_low,
                        mine.citizens_value_high - mine.citizens_value,
                    ],
                    fmt="none",
                    ecolor="0.6",
                    zorder=1,
                )
                ax.scatter(
                    mine.cost_per_year, mine.citizens_value, s=40, zorder=3, label=status, **style
                )
        for _, group in points.groupby("levers", sort=False):
            budgets = ", ".join(_budget_label(b) for b in group.budget_one_off)
            first = group.iloc[0]
            ax.annotate(
                f"budget {budgets}",
                (first.cost_per_year, first.citizens_value),
                textcoords="offset points",
                xytext=(6, -10),
                fontsize=8,
                color="0.3",
            )
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    thousands = FuncFormatter(lambda value, _: f"{value:,.0f}")
    ax.xaxis.set_major_formatter(thousands)
    ax.yaxis.set_major_formatter(thousands)
    ax.set_xlabel(f"cost per year ({currency}: levers, annualised one-off, staff cost change)")
    ax.set_ylabel(f"citizens' time and trips saved per year ({currency})")
    ax.set_title("Recommended portfolio per one-off budget: the efficient frontier")
    ax.legend(loc="best", fontsize=8)
    return figure


def _budget_label(amount: float) -> str:
    return "open" if math.isnan(amount) else f"{amount:,.0f}"
