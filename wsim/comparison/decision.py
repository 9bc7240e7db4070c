"""The decision: from a comparison of reform options to what leadership reads first.

:func:`decide` turns the paired replications of a :class:`~wsim.comparison.Comparison` into
the figures of ``docs/decision_rules.md``: per option its cost per year (one-off costs
annualised, yearly costs, the change in staff cost scaled from the simulated days to a year),
what citizens gain per year (hours of waiting saved, trips avoided, days of lead time saved,
cases decided on time), the net benefit at the stated value of citizens' time, the
cost-effectiveness frontier with (extended) dominance and ICERs, the acceptability curve, the
verdict of the minimal-important-difference rule per KPI, and the recommendation within the
budget with the runner-up and why it lost.

One effect unit is needed for the frontier and the acceptability curve: *citizen-hours saved
(equivalent)*, the waiting hours saved plus the trips avoided and the lead-time hours saved
converted to hours at the stated values (a trip at ``trip / wait_hour`` hours, a case-hour of
lead time at ``lead_hour / wait_hour``), so that the net benefit at ``wait_hour`` per
citizen-hour is the stated valuation of all three. Cases decided on time are reported, not
valued (the statutory deadline is a rule, not a price).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wsim.comparison.decision_settings import (
    DecisionSettings,
    PortfolioChoice,
    decision_block,
    resolve_settings,
)
from wsim.comparison.economics import (
    Estimate,
    OptionOutcome,
    Recommendation,
    acceptability_curve,
    acceptability_frontier,
    annuity_factor,
    cost_effectiveness_frontier,
    cost_per_year,
    estimate,
    lead_time_days_saved,
    material_verdicts,
    on_time_cases_gained,
    recommend,
    trips_avoided,
    waiting_hours_saved,
)
from wsim.comparison.economics.outcomes import paired_replications
from wsim.comparison.errors import CompareError
from wsim.files import write_table_atomic
from wsim.scenario import Scenario

if TYPE_CHECKING:
    from wsim.comparison.comparison import Comparison

#: What citizens gain, in this order: the KPI whose paired change is scaled, and the volume
#: per open day it is scaled by (the baseline's, replication by replication).
GAINS: dict[str, tuple[str, str]] = {
    "wait_hours": ("hall_wait_mean", "hall_served"),
    "trips": ("trips_per_case_mean", "cases_started"),
    "lead_days": ("case_lead_time_days_mean", "cases_started"),
    "on_time_cases": ("case_on_time_rate", "cases_started"),
}
_GAIN_FUNCTIONS = {
    "wait_hours": waiting_hours_saved,
    "trips": trips_avoided,
    "lead_days": lead_time_days_saved,
    "on_time_cases": on_time_cases_gained,
}

#: Points of the acceptability curve over the values of a citizen-hour (besides 0 and the
#: stated value).
ACCEPTABILITY_POINTS = 81


def simulated_days(scenario: Scenario) -> float:
    """Open days a replication of `scenario` covers: its arrival days (24 h each, continuous)."""
    calendar = scenario.calendar
    if calendar.mode == "continuous":
        return (calendar.horizon - calendar.warmup) / 1440.0
    return float(calendar.days)


@dataclass(frozen=True, eq=False)
class Decision:
    """Everything the decision report and the terminal summary show (see :func:`decide`).

    Attributes
    ----------
    settings : DecisionSettings
        The assumptions used, with where each came from.
    baseline : str
        The baseline option.
    options : list of str
        Every option, the baseline among them, in the comparison's order.
    currency : str
        The currency of every cost.
    simulated_days : float
        Open days per replication, scaled to a year by ``settings.days_per_year``.
    replications : int
        Paired replications per option.
    outcomes : list of OptionOutcome
        Per option its cost per year and effect per year (citizen-hours, equivalent) per
        replication, against the baseline.
    gains : dict
        Option -> gain (a key of :data:`GAINS`) -> values per replication (per year).
    measured : dict
        Gain -> whether the comparison measures it (its KPIs are in the baseline's table).
    costs : pandas.DataFrame
        Per option: ``one_off, yearly`` (against the baseline), ``annualised`` (the one-off per
        year), ``staff, staff_low, staff_high`` (staff cost change per year), ``cost,
        cost_low, cost_high`` (cost per year).
    recommendation : Recommendation
        The choice within the budget, the runner-up and why it lost.
    frontier : pandas.DataFrame
        :func:`~wsim.comparison.economics.cost_effectiveness_frontier` over the options within
        the budget (the choice set; every option when no budget is stated).
    frontier_all : pandas.DataFrame
        The same over every option, the ones over the budget included.
    values : numpy.ndarray
        Values of a citizen-hour of the acceptability curve (currency).
    acceptability : pandas.DataFrame
        :func:`~wsim.comparison.economics.acceptability_curve` over the options within the
        budget, at `values`.
    best_at : pandas.DataFrame
        :func:`~wsim.comparison.economics.acceptability_frontier` over the same.
    verdicts : pandas.DataFrame
        Per option (not the baseline) and KPI with a better direction and a MID: ``option,
        kpi, mean, baseline_mean, diff, diff_low, diff_high, rel_change, direction, mid,
        verdict``.
    constant_kpis : dict
        KPIs with one value in every option and replication, with that value: nothing to
        compare, left out of the effect tables and plots.
    portfolio : PortfolioChoice or None
        The optimizer's portfolio, when given.
    """

    settings: DecisionSettings
    baseline: str
    options: list[str]
    currency: str
    simulated_days: float
    replications: int
    outcomes: list[OptionOutcome]
    gains: dict[str, dict[str, np.ndarray]]
    measured: dict[str, bool]
    costs: pd.DataFrame
    recommendation: Recommendation
    frontier: pd.DataFrame
    frontier_all: pd.DataFrame
    values: np.ndarray
    acceptability: pd.DataFrame
    best_at: pd.DataFrame
    verdicts: pd.DataFrame
    constant_kpis: dict[str, float]
    portfolio: PortfolioChoice | None = None

    @property
    def recommended(self) -> str:
        """The recommended option."""
        return self.recommendation.option

    @property
    def value(self) -> float:
        """The stated value of a citizen-hour (currency): the value the choice is made at."""
        return self.settings.wait_hour

    def gain(self, option: str, kind: str) -> Estimate:
        """Mean and interval of one gain per year of `option` (a key of :data:`GAINS`)."""
        return estimate(self.gains[option][kind])

    def summary(self) -> pd.DataFrame:
        """One row per option, the decision columns first.

        Columns: ``option, role`` (``recommended``, ``runner-up`` or ``""``), ``within_budget,
        nb, nb_low, nb_high`` (net benefit per year at the stated values), ``cost, cost_low,
        cost_high`` (per year), ``effect, effect_low, effect_high`` (citizen-hours saved per
        year, equivalent), per gain ``<gain>, <gain>_low, <gain>_high``, ``status, icer,
        icer_vs`` (the frontier of the options within the budget; ``None`` for the others),
        ``status_all`` (the frontier of every option), ``p_best`` (probability of the highest
        net benefit at the stated value among the options within the budget; NaN for the
        others), ``one_off, yearly, annualised, staff`` and ``over_budget`` (words, or ``""``).
        """
        table = self.recommendation.table.set_index("option")
        frontier = self.frontier.set_index("option")
        everyone = self.frontier_all.set_index("option")
        costs = self.costs.set_index("option")
        at_value = self.acceptability[np.isclose(self.acceptability["value"], self.value)]
        p_best = at_value.set_index("option")["probability"]
        rows = []
        for option in self.options:
            role = {self.recommended: "recommended", self.recommendation.runner_up: "runner-up"}
            row: dict[str, Any] = {"option": option, "role": role.get(option, "")}
            row["within_budget"] = bool(table.loc[option, "within_budget"])
            for column in ("nb", "cost", "effect"):
                for suffix in ("", "_low", "_high"):
                    row[column + suffix] = table.loc[option, column + suffix]
            for kind in GAINS:
                gain = self.gain(option, kind)
                row |= {kind: gain.mean, f"{kind}_low": gain.low, f"{kind}_high": gain.high}
            inside = option in frontier.index
            for column in ("status", "icer", "icer_vs"):
                row[column] = frontier.loc[option, column] if inside else None
            row["status_all"] = everyone.loc[option, "status"]
            row["p_best"] = p_best.get(option, math.nan)
            for column in ("one_off", "yearly", "annualised", "staff"):
                row[column] = costs.loc[option, column]
            row["over_budget"] = table.loc[option, "over_budget"]
            rows.append(row)
        return pd.DataFrame(rows)

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write the decision's tables to `folder` (atomically); returns the paths written.

        decision.csv (:meth:`summary`), frontier.csv (within the budget), frontier_all.csv,
        acceptability.csv and verdicts.csv.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        tables = {
            "decision.csv": self.summary(),
            "frontier.csv": _joined(self.frontier),
            "frontier_all.csv": _joined(self.frontier_all),
            "acceptability.csv": self.acceptability,
            "verdicts.csv": self.verdicts,
        }
        return [write_table_atomic(table, out / name) for name, table in tables.items()]


def decide(
    comparison: Comparison,
    *,
    decision: Mapping[str, Any] | None = None,
    portfolio: PortfolioChoice | None = None,
) -> Decision:
    """The decision of `comparison`: costs and gains per year, frontier, choice, verdicts.

    Parameters
    ----------
    comparison : Comparison
        Reform options run with common random numbers.
    decision : mapping, optional
        Overrides of the assumptions, in the shape of the scenario's ``decision`` block
        (:mod:`wsim.scenario.decision`), on top of the baseline scenario's block and the
        comparison's ``compare(decision=...)``.
    portfolio : PortfolioChoice, optional
        The optimizer's portfolio; its ``option`` must be an option of `comparison`, and its
        budget (if any) replaces the decision's.
    """
    if portfolio is not None and portfolio.option not in comparison.options:
        raise CompareError(
            f"the portfolio {portfolio.option!r} is not an option of the comparison; simulate "
            f"its overlay with the other options (options: {', '.join(comparison.options)})"
        )
    settings = _settings(comparison, decision, portfolio)
    currency = _currency(comparison)
    days = simulated_days(comparison.scenarios[comparison.baseline])
    gains, measured = _gains(comparison, settings, days)
    costs, cost_values = _costs(comparison, settings, days)
    hours_per = {
        "wait_hours": 1.0,
        "trips": settings.trip / settings.wait_hour,
        "lead_days": 24.0 * settings.lead_hour / settings.wait_hour,
    }
    outcomes = []
    for option, row in costs.set_index("option").iterrows():
        effect = sum(hours_per[kind] * gains[option][kind] for kind in hours_per)
        outcomes.append(
            OptionOutcome(str(option), cost_values[option], effect, row.one_off, row.yearly)
        )
    choice = recommend(
        outcomes,
        settings.wait_hour,
        baseline=comparison.baseline,
        budget=settings.budget,
        effect_unit="citizen-hours",
        currency=currency,
        confidence=comparison.confidence,
    )
    names, cost, effect = paired_replications(outcomes)
    frontier_all = cost_effectiveness_frontier(names, cost.mean(axis=1), effect.mean(axis=1))
    inside = choice.table.within_budget.to_numpy(dtype=bool)
    frontier = cost_effectiveness_frontier(
        [name for name, keep in zip(names, inside, strict=True) if keep],
        cost.mean(axis=1)[inside],
        effect.mean(axis=1)[inside],
    )
    allowed = [outcome for outcome, keep in zip(outcomes, inside, strict=True) if keep]
    values = _values(settings.wait_hour, frontier)
    return Decision(
        settings=settings,
        baseline=comparison.baseline,
        options=list(comparison.options),
        currency=currency,
        simulated_days=days,
        replications=comparison.replications,
        outcomes=outcomes,
        gains=gains,
        measured=measured,
        costs=costs,
        recommendation=choice,
        frontier=frontier,
        frontier_all=frontier_all,
        values=values,
        acceptability=acceptability_curve(allowed, values),
        best_at=acceptability_frontier(allowed, values),
        verdicts=_verdicts(comparison, settings),
        constant_kpis=constant_kpis(comparison),
        portfolio=portfolio,
    )


def _settings(
    comparison: Comparison, decision: Mapping[str, Any] | None, portfolio: PortfolioChoice | None
) -> DecisionSettings:
    base = comparison.scenarios[comparison.baseline]
    where = str(base.source) if base.source is not None else f"scenario {base.name!r}"
    layers = [
        ("scenario", base.decision, where),
        ("comparison", comparison.decision_block, "compare(decision=...)"),
        ("override", decision_block(decision, "decision=..."), "decision=..."),
    ]
    if portfolio is not None and portfolio.budget is not None:
        layers.append(("override", decision_block({"budget": portfolio.budget}), "portfolio"))
    return resolve_settings(layers)


def _currency(comparison: Comparison) -> str:
    currencies = {name: s.cost.currency for name, s in comparison.scenarios.items()}
    if len(set(currencies.values())) > 1:
        listed = ", ".join(f"{name}: {currency}" for name, currency in currencies.items())
        raise CompareError(f"the options' costs are in different currencies ({listed})")
    return next(iter(currencies.values()))


def _gains(
    comparison: Comparison, settings: DecisionSettings, days: float
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, bool]]:
    """Option -> gain -> per-replication values per year, and which gains are measured."""
    base = comparison.baseline
    n = comparison.replications
    gains: dict[str, dict[str, np.ndarray]] = {option: {} for option in comparison.options}
    measured = {}
    for kind, (kpi, volume) in GAINS.items():
        per_day = comparison.values(base, volume) / days
        measured[kind] = bool(np.isfinite(comparison.values(base, kpi)).any())
        for option in comparison.options:
            if not measured[kind]:
                gains[option][kind] = np.zeros(n)
                continue
            gains[option][kind] = _GAIN_FUNCTIONS[kind](
                comparison.values(option, kpi),
                comparison.values(base, kpi),
                per_day,
                days_per_year=settings.days_per_year,
            )
    return gains, measured


def _costs(
    comparison: Comparison, settings: DecisionSettings, days: float
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per option its costs against the baseline (table), and its cost per year per replication."""
    base = comparison.scenarios[comparison.baseline].cost
    factor = annuity_factor(settings.discount_rate, settings.horizon_years)
    staff_measured = "staff_cost" in comparison.kpi_names and bool(
        np.isfinite(comparison.values(comparison.baseline, "staff_cost")).all()
    )
    rows, values = [], {}
    for option in comparison.options:
        cost = comparison.scenarios[option].cost
        one_off, yearly = cost.one_off - base.one_off, cost.yearly - base.yearly
        staff = (
            comparison.values(option, "staff_cost")
            - comparison.values(comparison.baseline, "staff_cost")
            if staff_measured
            else np.zeros(comparison.replications)
        )
        values[option] = cost_per_year(
            one_off,
            yearly,
            rate=settings.discount_rate,
            years=settings.horizon_years,
            staff_cost_change=staff,
            simulated_days=days,
            days_per_year=settings.days_per_year,
        )
        staff_year = estimate(staff / days * settings.days_per_year, comparison.confidence)
        total = estimate(values[option], comparison.confidence)
        rows.append(
            {
                "option": option,
                "one_off": one_off,
                "yearly": yearly,
                "annualised": one_off * factor,
                "staff": staff_year.mean,
                "staff_low": staff_year.low,
                "staff_high": staff_year.high,
                "cost": total.mean,
                "cost_low": total.low,
                "cost_high": total.high,
            }
        )
    return pd.DataFrame(rows), values


def _values(value: float, frontier: pd.DataFrame) -> np.ndarray:
    """Values of a citizen-hour for the acceptability curve: 0, `value`, and a geometric range.

    The range ends past three times the stated value and half again past the largest ICER of
    the efficient options (where the choice changes last), at most twenty times the stated
    value, rounded up to 1, 2 or 5 times a power of ten; it starts a thousandth of that, so
    that the small ICERs of cheap options show on a logarithmic axis.
    """
    icers = frontier.icer[(frontier.status == "efficient") & (frontier.icer > 0)].dropna()
    top = max(3.0 * value, 1.5 * float(icers.max()) if len(icers) else 0.0)
    top = min(top, 20.0 * value)
    power = 10.0 ** math.floor(math.log10(top))
    top = next(step * power for step in (1, 2, 5, 10) if step * power >= top * (1 - 1e-12))
    grid = np.geomspace(top / 1000.0, top, ACCEPTABILITY_POINTS)
    return np.unique(np.concatenate([[0.0, value], grid]))


def constant_kpis(comparison: Comparison) -> dict[str, float]:
    """KPIs with the same value in every option and replication (or none), with that value."""
    constant = {}
    for kpi in comparison.kpi_names:
        values = comparison.kpis[kpi].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if finite.size == 0 or finite.min() == finite.max():
            constant[kpi] = float(finite[0]) if finite.size else math.nan
    return constant


def _verdicts(comparison: Comparison, settings: DecisionSettings) -> pd.DataFrame:
    """The MID rule per option and KPI (KPIs with a direction and a MID that vary)."""
    summary = comparison.summary()
    constant = constant_kpis(comparison)
    kpis = [
        kpi
        for kpi in comparison.kpi_names
        if kpi in comparison.better and kpi in settings.mid and kpi not in constant
    ]
    base = summary[summary.option == comparison.baseline].set_index("kpi")["mean"]
    table = summary[(summary.option != comparison.baseline) & summary.kpi.isin(kpis)]
    table = table.assign(
        baseline_mean=table.kpi.map(base),
        direction=table.kpi.map(comparison.better),
    )
    columns = ["option", "kpi", "mean", "baseline_mean", "diff", "diff_low", "diff_high"]
    table = table[[*columns, "rel_change", "direction"]].reset_index(drop=True)
    return material_verdicts(table, settings.mid)


def _joined(frontier: pd.DataFrame) -> pd.DataFrame:
    """The frontier with ``dominated_by`` as text (``"a + b"``), for a CSV file."""
    return frontier.assign(dominated_by=frontier.dominated_by.map(" + ".join))
