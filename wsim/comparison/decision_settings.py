"""The assumptions of a decision and the portfolio a decision may be given.

:class:`DecisionSettings` holds what turns simulated effects into money and a choice: the
discount rate and horizon that annualise one-off costs, the open days of a year, the value of
citizens' time, the budget and the minimal important difference of every KPI. They come in
layers, each overriding the one before field by field (:func:`resolve_settings`):

1. wsim's defaults (:data:`DEFAULTS`, and :data:`wsim.metrics.catalog.KPI_MIDS`);
2. the ``decision`` block of the baseline scenario (:mod:`wsim.scenario.decision`);
3. ``compare(..., decision={...})`` (same shape as the scenario block);
4. explicit overrides (the command line's ``--budget``, a portfolio's budget).

:class:`PortfolioChoice` is what the portfolio optimizer hands the decision report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from wsim.comparison.economics import Budget
from wsim.metrics.catalog import KPI_MIDS, KPIS
from wsim.scenario.decision import Decision, DecisionBudget
from wsim.scenario.errors import (
    ScenarioError,
    from_validation_error,
    join_path,
    unknown_name_message,
)

#: wsim's default assumptions (currency figures in the options' currency, CNY in wsim's
#: scenarios). They are the W district levers file's assumptions (scenarios/w_district/
#: levers.yaml): a 3% social discount rate (near the yield of 10-year Chinese government
#: bonds in 2023-24) over 10 years; 250 open days a year (52 weeks of 5 days less 11 public
#: holidays, rounded); a citizen-hour of waiting at 30 CNY, half the hourly average urban wage
#: of 2023 (120,698 CNY a year over 2,000 hours, National Bureau of Statistics), the usual
#: share for non-work time; a case-hour of lead time at 2 CNY (48 CNY a day of waiting for a
#: licence or a benefit); a hall trip at 40 CNY (10 CNY fare and an hour of travel).
DEFAULTS: dict[str, float] = {
    "discount_rate": 0.03,
    "horizon_years": 10.0,
    "days_per_year": 250.0,
    "wait_hour": 30.0,
    "lead_hour": 2.0,
    "trip": 40.0,
}

#: Where a setting can come from, as the report names it.
SOURCES: tuple[str, ...] = ("default", "scenario", "comparison", "override")


@dataclass(frozen=True)
class DecisionSettings:
    """The assumptions of one decision (see the module docstring for the layers).

    Attributes
    ----------
    discount_rate : float
        Per year (0.03 = 3%).
    horizon_years : float
        Years over which one-off costs are spread.
    days_per_year : float
        Open days of the center per year: simulated days are scaled to a year by it.
    wait_hour, lead_hour, trip : float
        Value (currency) of a citizen-hour of waiting in the hall, of a case-hour of lead time
        (first contact to result), and of a hall trip avoided.
    budget : Budget
        One-off and yearly budget (``None`` fields: no limit).
    mid : mapping
        Minimal important difference per KPI (``{"abs": a}`` and/or ``{"rel": q}``).
    sources : mapping
        Per setting name (those above; MIDs as ``mid.<kpi>``) the layer it came from, one of
        :data:`SOURCES`.
    """

    discount_rate: float = DEFAULTS["discount_rate"]
    horizon_years: float = DEFAULTS["horizon_years"]
    days_per_year: float = DEFAULTS["days_per_year"]
    wait_hour: float = DEFAULTS["wait_hour"]
    lead_hour: float = DEFAULTS["lead_hour"]
    trip: float = DEFAULTS["trip"]
    budget: Budget = field(default_factory=Budget)
    mid: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: dict(KPI_MIDS))
    sources: Mapping[str, str] = field(default_factory=dict)

    def source(self, name: str) -> str:
        """Where setting `name` came from (``"default"`` unless a layer gave it)."""
        return self.sources.get(name, "default")

    @property
    def has_budget(self) -> bool:
        """Whether a one-off or a yearly budget is stated."""
        return self.budget.one_off is not None or self.budget.yearly is not None


def decision_block(
    mapping: Mapping[str, Any] | Decision | None, where: str = "compare(decision=...)"
) -> Decision:
    """A ``decision`` mapping (the scenario block's shape) validated, or one clear error.

    Parameters
    ----------
    mapping : mapping, Decision or None
        The block; ``None`` gives an empty one.
    where : str
        What to name in the error message (a file, or the argument it came from).
    """
    if mapping is None:
        return Decision()
    if isinstance(mapping, Decision):
        return mapping
    try:
        return Decision.model_validate(dict(mapping))
    except ValidationError as error:
        problems = from_validation_error(error, Decision).problems
        problems = [(join_path("decision", path), message) for path, message in problems]
        raise ScenarioError(problems, where) from None
    except (TypeError, ValueError):
        raise ScenarioError([("decision", "must be a mapping")], where) from None


def resolve_settings(layers: Sequence[tuple[str, Decision, str]]) -> DecisionSettings:
    """The settings from wsim's defaults overridden by `layers`, in order.

    Parameters
    ----------
    layers : sequence of (source, block, where)
        ``source`` one of :data:`SOURCES`; ``block`` a validated ``decision`` block; ``where``
        the file or argument it came from, named in an error (unknown KPI under ``mid``).
    """
    values: dict[str, Any] = dict(DEFAULTS)
    budget = {"one_off": None, "yearly": None}
    mids = {kpi: dict(spec) for kpi, spec in KPI_MIDS.items()}
    sources: dict[str, str] = {}
    for source, block, where in layers:
        if source not in SOURCES:
            raise ValueError(unknown_name_message("settings source", source, SOURCES))
        given = {
            "discount_rate": block.discount_rate,
            "horizon_years": block.horizon_years,
            "days_per_year": block.days_per_year,
            "wait_hour": block.value_of_time.wait_hour,
            "lead_hour": block.value_of_time.lead_hour,
            "trip": block.value_of_time.trip,
        }
        for name, value in given.items():
            if value is not None:
                values[name], sources[name] = float(value), source
        for name in ("one_off", "yearly"):
            amount = getattr(block.budget, name)
            if amount is not None:
                budget[name], sources[f"budget.{name}"] = float(amount), source
        unknown = [kpi for kpi in block.mid if kpi not in KPIS]
        if unknown:
            problems = [
                (f"decision.mid.{kpi}", unknown_name_message("KPI", kpi, KPIS)) for kpi in unknown
            ]
            raise ScenarioError(problems, where)
        for kpi, spec in block.mid.items():
            mids[kpi], sources[f"mid.{kpi}"] = spec.spec(), source
    return DecisionSettings(**values, budget=Budget(**budget), mid=mids, sources=sources)


def budget_block(one_off: float | None = None, yearly: float | None = None) -> Decision:
    """A ``decision`` block that states only a budget (for command-line overrides)."""
    return Decision(budget=DecisionBudget(one_off=one_off, yearly=yearly))


@dataclass(frozen=True)
class PortfolioChoice:
    """What the portfolio optimizer hands the decision: the portfolio it recommends.

    The portfolio must be an option of the comparison, simulated with the same seeds as the
    other options (the optimizer's overlay, given to :func:`wsim.compare` like any reform
    file), so that its cost and effects are measured like theirs. The decision then
    recommends among all options, the portfolio included, and says so when it wins (or which
    option beats it, and why).

    Attributes
    ----------
    option : str
        The comparison option that is the portfolio overlay.
    levers : tuple of str
        The chosen levers' names (``online:tax_filing``), in the optimizer's order.
    descriptions : mapping
        Plain words per lever name, shown beside it (scenario texts as written).
    status : str
        The solver's words on the solution (``"optimal, gap 0.0%"``), shown as given.
    optimal : bool or None
        Whether the solution is proven optimal within the gap asked for.
    budget : DecisionBudget, mapping or None
        The budget it was chosen under (``{"one_off": ..., "yearly": ...}``); it replaces the
        decision's budget, figure by figure.
    """

    option: str
    levers: tuple[str, ...] = ()
    descriptions: Mapping[str, str] = field(default_factory=dict)
    status: str = ""
    optimal: bool | None = None
    budget: DecisionBudget | Mapping[str, float] | None = None
