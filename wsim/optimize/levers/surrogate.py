"""The surrogate the portfolio MILP optimizes: lever costs and predicted KPI changes.

For a lever set S the surrogate predicts every KPI k as

    kpi_k(S) = baseline_k + sum_{i in S} main_ik + sum_{i<j in S} inter_ijk

(``inter_ijk``: the change of choosing i and j together minus their two main effects, for the
pairs whose interaction was estimated; zero for the others), and the objective, in money per
year, as

    objective(S) = sum_{i in S} (annuity * one_off_i + yearly_i) + sum_k scale_k * kpi_k(S)

``scale_k`` turns one unit of KPI k into money per year (e.g. mean hall wait in minutes times
tickets per year / 60 times the value of a waiting hour; 0 for a KPI only a target uses).
With the baseline term included the objective is the yearly cost of the levers plus the value
of citizens' time lost; minimising it is the same as minimising cost minus time saved.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from wsim.comparison import economics
from wsim.errors import WsimError


class PortfolioError(WsimError, ValueError):
    """Bad input to the portfolio optimizer, or a solve that found no portfolio."""


def annuity_factor(rate: float, years: int) -> float:
    """Money per year over ``years`` years that repays one unit of money now at ``rate``.

    ``r / (1 - (1 + r)^-n)``, or ``1 / n`` at ``r = 0``; a one-off cost times this factor is
    its equivalent yearly cost. The formula is :func:`wsim.comparison.economics.annuity_factor`;
    a levers file allows ``0 <= rate < 1`` and whole years ``>= 1``.
    """
    if not (0 <= rate < 1) or years < 1:
        raise PortfolioError(f"annuity needs 0 <= rate < 1 and years >= 1, got {rate}, {years}")
    return economics.annuity_factor(rate, years)


@dataclass(frozen=True)
class Target:
    """A service target on a predicted KPI: ``kpi <= value`` or ``kpi >= value``."""

    kpi: str
    sense: Literal["<=", ">="]
    value: float

    def met(self, predicted: float) -> bool:
        """True when a predicted value meets the target."""
        return predicted <= self.value if self.sense == "<=" else predicted >= self.value

    def describe(self) -> str:
        """``"target hall_wait_mean <= 15"``."""
        return f"target {self.kpi} {self.sense} {self.value:g}"


@dataclass(frozen=True)
class Budget:
    """The money available per portfolio; ``None`` leaves a budget open.

    ``one_off`` bounds the levers' one-off costs; ``yearly`` bounds their yearly costs plus,
    for each KPI in ``yearly_kpis`` (e.g. ``staff_cost``), its predicted change times its
    scale (money per year).
    """

    one_off: float | None = None
    yearly: float | None = None
    yearly_kpis: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("one_off", "yearly"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise PortfolioError(f"budget {name} must be a finite number, got {value!r}")


Pair = tuple[str, str]


@dataclass(frozen=True)
class Surrogate:
    """Costs and predicted effects of a set of candidate levers (see the module docstring).

    Attributes
    ----------
    levers : the candidate lever names, in a fixed order.
    one_off, yearly : each lever's one-off and yearly cost (money).
    annuity : money per year per unit of one-off cost (:func:`annuity_factor`).
    baseline : every KPI the objective or a target uses, its value without levers.
    scale : money per year per unit of a KPI (KPIs left out have scale 0).
    main : per lever, its change of each KPI (KPIs left out: no change).
    interactions : per pair of levers (either order), the change of choosing both minus the
        two main effects, per KPI.
    """

    levers: tuple[str, ...]
    one_off: Mapping[str, float]
    yearly: Mapping[str, float]
    annuity: float
    baseline: Mapping[str, float]
    scale: Mapping[str, float] = field(default_factory=dict)
    main: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    interactions: Mapping[Pair, Mapping[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        levers = tuple(self.levers)
        object.__setattr__(self, "levers", levers)
        if not levers or len(set(levers)) != len(levers):
            raise PortfolioError("a surrogate needs at least one lever, each named once")
        for what in ("one_off", "yearly"):
            costs = getattr(self, what)
            missing = [name for name in levers if name not in costs]
            if missing or set(costs) - set(levers):
                raise PortfolioError(f"{what} must give one cost per lever (missing: {missing})")
            _finite(costs.values(), what)
        if not (math.isfinite(self.annuity) and self.annuity >= 0):
            raise PortfolioError(f"annuity must be a finite number >= 0, got {self.annuity!r}")
        _finite(self.baseline.values(), "baseline")
        self._check_kpis(self.scale, "scale")
        for name, effects in self.main.items():
            self._check_lever(name, "main")
            self._check_kpis(effects, f"main[{name!r}]")
        object.__setattr__(self, "interactions", self._ordered_interactions())

    def _check_lever(self, name: str, where: str) -> None:
        if name not in self.levers:
            raise PortfolioError(f"{where}: unknown lever {name!r}")

    def _check_kpis(self, values: Mapping[str, float], where: str) -> None:
        unknown = [kpi for kpi in values if kpi not in self.baseline]
        if unknown:
            raise PortfolioError(f"{where}: KPIs without a baseline value: {unknown}")
        _finite(values.values(), where)

    def _ordered_interactions(self) -> dict[Pair, dict[str, float]]:
        """Interactions keyed by the pair in lever order; a pair given twice is an error."""
        position = {name: index for index, name in enumerate(self.levers)}
        ordered: dict[Pair, dict[str, float]] = {}
        for pair, effects in self.interactions.items():
            if len(pair) != 2 or pair[0] == pair[1]:
                raise PortfolioError(f"an interaction needs two different levers, got {pair!r}")
            for name in pair:
                self._check_lever(name, "interactions")
            self._check_kpis(effects, f"interactions[{pair!r}]")
            key = tuple(sorted(pair, key=position.__getitem__))
            if key in ordered:
                raise PortfolioError(f"the interaction of {key[0]} and {key[1]} is given twice")
            ordered[key] = dict(effects)
        return ordered

    # --- evaluation of one lever set -------------------------------------------------------

    def cost_per_year(self, name: str) -> float:
        """A lever's yearly cost plus its annualised one-off cost."""
        return self.annuity * self.one_off[name] + self.yearly[name]

    def check_levers(self, chosen: Iterable[str], what: str = "lever set") -> frozenset[str]:
        """``chosen`` as a set, or an error naming levers the surrogate does not know."""
        names = frozenset(chosen)
        unknown = sorted(names - set(self.levers))
        if unknown:
            raise PortfolioError(f"{what}: unknown levers {unknown}")
        return names

    def changes(self, chosen: Collection[str]) -> dict[str, float]:
        """The predicted change of every KPI for the lever set ``chosen``."""
        names = self.check_levers(chosen)
        total = dict.fromkeys(self.baseline, 0.0)
        for name in names:
            for kpi, change in self.main.get(name, {}).items():
                total[kpi] += change
        for (a, b), effects in self.interactions.items():
            if a in names and b in names:
                for kpi, change in effects.items():
                    total[kpi] += change
        return total

    def predict(self, chosen: Collection[str]) -> dict[str, float]:
        """The predicted value of every KPI for the lever set ``chosen``."""
        return {kpi: self.baseline[kpi] + d for kpi, d in self.changes(chosen).items()}

    def terms(self, chosen: Collection[str]) -> dict[str, float]:
        """The objective's terms (money per year): ``levers`` and one ``value:<kpi>`` per KPI.

        Their sum is :meth:`objective`.
        """
        names = self.check_levers(chosen)
        predicted = self.predict(names)
        terms = {"levers": sum(self.cost_per_year(name) for name in names)}
        for kpi, scale in self.scale.items():
            terms[f"value:{kpi}"] = scale * predicted[kpi]
        return terms

    def objective(self, chosen: Collection[str]) -> float:
        """The objective of the lever set ``chosen`` (money per year, lower is better)."""
        return sum(self.terms(chosen).values())

    def without(self, removed: Collection[str]) -> Surrogate:
        """The same surrogate with the levers ``removed`` taken out."""
        self.check_levers(removed, "without")
        keep = tuple(name for name in self.levers if name not in removed)
        return Surrogate(
            levers=keep,
            one_off={name: self.one_off[name] for name in keep},
            yearly={name: self.yearly[name] for name in keep},
            annuity=self.annuity,
            baseline=dict(self.baseline),
            scale=dict(self.scale),
            main={name: dict(e) for name, e in self.main.items() if name in keep},
            interactions={
                pair: dict(e)
                for pair, e in self.interactions.items()
                if pair[0] in keep and pair[1] in keep
            },
        )


def _finite(values: Iterable[float], where: str) -> None:
    bad = [value for value in values if not math.isfinite(value)]
    if bad:
        raise PortfolioError(f"{where}: values must be finite numbers, got {bad[0]!r}")


def check_request(
    surrogate: Surrogate, budget: Budget, targets: Sequence[Target], rule_names: Iterable[str]
) -> None:
    """Errors for targets or budget KPIs the surrogate cannot predict, or unknown rule levers."""
    for target in targets:
        if target.kpi not in surrogate.baseline:
            raise PortfolioError(f"{target.describe()}: the surrogate has no baseline for it")
        if target.sense not in ("<=", ">=") or not math.isfinite(target.value):
            raise PortfolioError(f"{target.describe()}: expected <= or >= a finite number")
    for kpi in budget.yearly_kpis:
        if kpi not in surrogate.baseline:
            raise PortfolioError(f"budget yearly_kpis: the surrogate has no baseline for {kpi!r}")
    surrogate.check_levers(rule_names, "rules")
