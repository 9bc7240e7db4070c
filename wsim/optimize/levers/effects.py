"""Lever effects by simulation with common random numbers: main effects, screened interactions.

Every quantity is a paired difference, replication by replication (replication r of every
lever set uses the same random numbers wherever the sets share a random source), so each has
a paired t-interval. For a KPI table ``y(S)`` of lever set S (one row per replication):

- **main effect** of lever i: ``d_i = y(C_i) - y(C_i - {i})``, where ``C_i`` is i with every
  lever it requires (the rules' closure). A lever the rules allow alone has ``C_i = {i}`` and
  is measured alone against the baseline; a lever that needs others (the second clerk step,
  online service that needs data sharing) is measured as what it adds to what it needs, which
  is the only way it can be chosen. Sets that give the same scenario run once.
- **interaction** of a pair (a, b) that shares a resource (window group, department,
  department pair, service; :meth:`LeverSet.interaction_candidates`):
  ``e_ab = y(U) - prediction(U)`` with ``U = C_a | C_b`` and the prediction from the main
  effects and the interactions kept so far inside U (pairs are estimated in order of their
  union's size, so a smaller union is known first). Pairs where one lever requires the other
  are inside the other's main effect and are not estimated.
- **screening**: estimating every sharing pair would grow with the square of the levers.
  Following the effect-heredity principle of screening experiments (an interaction is looked
  for only where both of its levers have an effect), a pair is a candidate only when both of
  its levers have a significant main effect on the same measure (the value of the objective,
  or a target's KPI), and it is scored by the smaller of the two effects relative to the
  baseline; the ``ceil(pair_factor x levers)`` best-scored pairs are simulated. The number of
  simulated sets is then at most ``1 + 2 x levers + pair_factor x levers``: linear in the
  levers. An estimated interaction is kept in the surrogate when its paired interval
  excludes 0 on the objective's value or on a target's KPI; the verification loop adds the
  others of a portfolio when its simulation contradicts the prediction.

The surrogate (:meth:`LeverEffects.surrogate`) holds the means; the per-replication values
stay here for the intervals and for the paired check of a prediction.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from wsim.experiment import t_interval
from wsim.metrics import HEADLINE_KPIS
from wsim.optimize.levers import effect_tables
from wsim.optimize.levers import formulas as formulas_module
from wsim.optimize.levers.effect_tables import VALUE
from wsim.optimize.levers.leverset import LeverSet
from wsim.optimize.levers.rules import required_closure
from wsim.optimize.levers.surrogate import PortfolioError, Surrogate
from wsim.optimize.levers.values import VALUE_KPIS, YearlyValues
from wsim.scenario import Scenario

Pair = tuple[str, str]

#: Why an interaction that is not significant on its own is kept.
CONTRADICTED = "kept: a simulated portfolio holding the pair contradicted its prediction"

#: Default number of interaction pairs simulated per lever.
PAIR_FACTOR = 1.0


class Runner(Protocol):
    """What effects need from a simulator (:class:`~wsim.optimize.levers.simulate.SetRunner`)."""

    replications: int

    @property
    def sets(self) -> list[frozenset[str]]:
        """The lever sets that have run."""

    def run(self, sets: Iterable[Collection[str]]) -> None:
        """Make the KPIs of these lever sets available."""

    def kpis(self, chosen: Collection[str]) -> pd.DataFrame:
        """The KPIs of a lever set that has run, one row per replication."""

    def run_scenarios(self, named: Mapping[str, Scenario]) -> None:
        """Make the KPIs of these named scenarios available (other options)."""

    def scenario_kpis(self, label: str) -> pd.DataFrame:
        """The KPIs of a named scenario that has run, one row per replication."""


@dataclass
class Effect:
    """A main effect (one lever) or an interaction (two levers), per replication.

    Attributes
    ----------
    levers : the lever, or the pair.
    simulated : the lever set whose simulation measures it.
    against : for a main effect, the set it is measured against (what the lever requires;
        empty: the baseline); for an interaction, ``None``.
    deltas : replications x KPIs, the change of every surrogate KPI.
    value : per replication, the change of the objective's value terms (money per year).
    source : ``"simulation"``, or the formula that gave it.
    kept : whether the surrogate uses it (main effects always).
    note : why an interaction is kept or not.
    """

    levers: tuple[str, ...]
    simulated: frozenset[str]
    against: frozenset[str] | None
    deltas: np.ndarray
    value: np.ndarray
    source: str = "simulation"
    kept: bool = True
    note: str = ""

    def mean(self) -> np.ndarray:
        """The mean change of every KPI (NaN replications left out; 0 when none is finite)."""
        finite = np.isfinite(self.deltas)
        count = finite.sum(axis=0)
        total = np.where(finite, self.deltas, 0.0).sum(axis=0)
        return np.divide(total, count, out=np.zeros(total.shape), where=count > 0)


def surrogate_kpis(levers: LeverSet, baseline: pd.DataFrame) -> tuple[str, ...]:
    """The KPIs the surrogate predicts: the value KPIs, the targets' KPIs, the headline KPIs.

    A headline KPI is left out when the baseline does not measure it in every replication (a
    hall without journeys has no on-time rate); a target on such a KPI is an error.
    """
    for target in levers.targets:
        values = baseline[target.kpi].to_numpy(dtype=float) if target.kpi in baseline else []
        if not np.isfinite(values).all() or len(values) == 0:
            raise PortfolioError(
                f"{levers.file}: {target.describe()}: the baseline does not measure "
                f"{target.kpi} in every replication, so no prediction can meet it"
            )
    kpis = list(VALUE_KPIS) + [t.kpi for t in levers.targets]
    kpis += [
        kpi
        for kpi in HEADLINE_KPIS
        if kpi in baseline and np.isfinite(baseline[kpi].to_numpy(dtype=float)).all()
    ]
    return tuple(dict.fromkeys(kpis))


class LeverEffects:
    """Main effects and interactions of a lever set's levers, estimated by simulation.

    Parameters
    ----------
    levers : the candidate levers.
    runner : simulates lever sets (same seeds for all).
    values : how KPIs become yearly totals and money.
    confidence : of every interval, and of the significance tests of screening.
    """

    def __init__(
        self,
        levers: LeverSet,
        runner: Runner,
        values: YearlyValues,
        confidence: float = 0.95,
    ) -> None:
        self.levers = levers
        self.runner = runner
        self.values = values
        self.confidence = confidence
        self.closure = {
            name: frozenset(required_closure(name, levers.rules)) for name in levers.names
        }
        runner.run([frozenset()])
        self.kpis = surrogate_kpis(levers, self.table(frozenset()))
        self.main: dict[str, Effect] = {}
        self.interactions: dict[Pair, Effect] = {}
        self.screening = pd.DataFrame()
        #: whether the queueing formulas stand in for simulating extra clerks, and why
        self.gate: formulas_module.Gate | None = None

    # --- simulated tables ---------------------------------------------------------------------

    def table(self, chosen: Collection[str]) -> pd.DataFrame:
        """The KPIs (with the yearly totals) of a lever set that has run, per replication."""
        return self.values.derive(self.runner.kpis(chosen))

    def matrix(self, chosen: Collection[str]) -> np.ndarray:
        """Replications x surrogate KPIs of a lever set that has run."""
        return self.table(chosen)[list(self.kpis)].to_numpy(dtype=float)

    def value_of(self, deltas: np.ndarray) -> np.ndarray:
        """Per replication, the money per year of a replications x KPIs matrix of changes."""
        weighted = [k for k, kpi in enumerate(self.kpis) if self.values.scale.get(kpi, 0.0)]
        weights = np.array([self.values.scale[self.kpis[k]] for k in weighted])
        return deltas[:, weighted] @ weights  # NaN where a valued KPI is not measured

    # --- main effects -------------------------------------------------------------------------

    def estimate_main(self, formulas: bool = True) -> None:
        """Simulate every lever with what it requires, and the sets they are measured against.

        With ``formulas``, extra clerks get their effect from the queueing formulas instead,
        where the formulas' accuracy gate passes on the simulated baseline (see
        :mod:`wsim.optimize.levers.formulas`; :attr:`gate` says why or why not).
        """
        names = self.levers.names
        by_formula: dict[str, np.ndarray] = {}
        if formulas:
            self.gate, by_formula = formulas_module.formula_effects(self)
        simulated = [name for name in names if name not in by_formula]
        sets = [self.closure[name] for name in simulated]
        sets += [self.closure[name] - {name} for name in simulated]
        self.runner.run(sets)
        for name in names:
            against = self.closure[name] - {name}
            if name in by_formula:
                deltas, source = by_formula[name], formulas_module.SOURCE
            else:
                deltas = self.matrix(self.closure[name]) - self.matrix(against)
                source = "simulation"
            effect = Effect((name,), self.closure[name], against, deltas, self.value_of(deltas))
            effect.source = source
            self.main[name] = effect

    # --- screening and interactions -----------------------------------------------------------

    def _active(self, effect: Effect) -> dict[str, float]:
        """The measures (``value``, target KPIs) on which an effect is significant: mean."""
        measures = {VALUE: effect.value}
        for target in self.levers.targets:
            measures[target.kpi] = effect.deltas[:, self.kpis.index(target.kpi)]
        active = {}
        for measure, values in measures.items():
            mean, low, high, _ = t_interval(values, self.confidence)
            if low > 0 or high < 0:
                active[measure] = mean
        return active

    def _norms(self) -> dict[str, float]:
        """What an effect on each screening measure is compared with: its baseline size."""
        baseline = self.matrix(frozenset())
        norms = {VALUE: abs(float(np.mean(self.value_of(baseline))))}
        for target in self.levers.targets:
            norms[target.kpi] = abs(float(np.mean(baseline[:, self.kpis.index(target.kpi)])))
        return {measure: norm if norm > 0 else 1.0 for measure, norm in norms.items()}

    def candidates(self) -> list[tuple[str, str, str]]:
        """Pairs that share a resource, may be chosen together and need not contain each other.

        Each as ``(a, b, what they share)``.
        """
        found = []
        for a, b, shared in self.levers.interaction_candidates():
            if a in self.closure[b] or b in self.closure[a]:
                continue
            found.append((a, b, shared.describe()))
        return found

    def screen(self, pair_factor: float = PAIR_FACTOR) -> list[Pair]:
        """Score the candidate pairs and choose those to simulate (see the module docstring).

        Fills :attr:`screening`, one row per candidate pair: ``a, b, shared, score,
        selected`` and ``reason``.
        """
        if not self.main:
            raise PortfolioError("estimate the main effects before screening interactions")
        if pair_factor < 0 or not math.isfinite(pair_factor):
            raise PortfolioError(f"pair_factor must be a number >= 0, got {pair_factor!r}")
        active = {name: self._active(effect) for name, effect in self.main.items()}
        norms = self._norms()
        rows = []
        for a, b, shared in self.candidates():
            both = set(active[a]) & set(active[b])
            score = max(
                (min(abs(active[a][m]), abs(active[b][m])) / norms[m] for m in both), default=0.0
            )
            rows.append({"a": a, "b": b, "shared": shared, "score": score, "measures": both})
        limit = math.ceil(pair_factor * len(self.levers.names))
        ranked = sorted((row for row in rows if row["score"] > 0), key=lambda row: -row["score"])
        chosen = {(row["a"], row["b"]) for row in ranked[:limit]}
        for row in rows:
            pair = (row["a"], row["b"])
            row["selected"] = pair in chosen
            if pair in chosen:
                row["reason"] = "simulated: both levers act on " + ", ".join(
                    sorted(row["measures"])
                )
            elif row["score"] == 0:
                row["reason"] = (
                    "not simulated: the levers have no significant effect on one measure"
                )
            else:
                row["reason"] = f"not simulated: below the {limit} best-scored pairs"
            row["measures"] = ", ".join(sorted(row["measures"]))
        columns = ["a", "b", "shared", "measures", "score", "selected", "reason"]
        self.screening = pd.DataFrame(rows, columns=columns)
        return [(row["a"], row["b"]) for row in ranked[:limit]]

    def union(self, pair: Pair) -> frozenset[str]:
        """The lever set that measures a pair's interaction: both with what they require."""
        return self.closure[pair[0]] | self.closure[pair[1]]

    def estimate_interactions(self, pairs: Iterable[Pair], keep_all: bool = False) -> list[Pair]:
        """Simulate the pairs' unions and estimate their interactions; the pairs now kept.

        A pair is kept when its interval excludes 0 on the value or on a target's KPI, or
        always with ``keep_all`` (the verification loop, when a simulation has contradicted the
        prediction of a portfolio holding the pair). Pairs estimated before are re-estimated
        only to be kept.
        """
        pairs = [self._ordered(pair) for pair in pairs]
        new = [pair for pair in dict.fromkeys(pairs) if pair not in self.interactions]
        self.runner.run([self.union(pair) for pair in new])
        for pair in sorted(new, key=lambda p: (len(self.union(p)), self.levers.names.index(p[0]))):
            union = self.union(pair)
            deltas = self.matrix(union) - self.predicted(union, exclude=pair)
            effect = Effect(pair, union, None, deltas, self.value_of(deltas))
            significant = bool(self._active(effect))
            effect.kept = significant or keep_all
            if significant:
                effect.note = "significant"
            elif keep_all:
                effect.note = CONTRADICTED
            else:
                effect.note = "not significant"
            self.interactions[pair] = effect
        kept = []
        for pair in pairs:
            effect = self.interactions[pair]
            if keep_all and not effect.kept:
                effect.kept = True
                effect.note = CONTRADICTED
            if effect.kept:
                kept.append(pair)
        return kept

    def _ordered(self, pair: Pair) -> Pair:
        index = self.levers.names.index
        a, b = pair
        return (a, b) if index(a) < index(b) else (b, a)

    def missing(self, chosen: Collection[str], limit: int | None = None) -> list[Pair]:
        """Candidate pairs inside a lever set that the surrogate does not use yet.

        Best screening score first (pairs whose levers both act before the others); at most
        ``limit`` of them.
        """
        inside = set(chosen)
        scores = {(row.a, row.b): row.score for row in self.screening.itertuples()}
        found = [
            (a, b)
            for a, b, _ in self.candidates()
            if a in inside
            and b in inside
            and not ((a, b) in self.interactions and self.interactions[(a, b)].kept)
        ]
        found.sort(key=lambda pair: -scores.get(pair, 0.0))
        return found if limit is None else found[:limit]

    # --- prediction ---------------------------------------------------------------------------

    def predicted(self, chosen: Collection[str], exclude: Pair | None = None) -> np.ndarray:
        """Replications x KPIs predicted for a lever set from the baseline and the effects.

        Per replication: the baseline's value plus the main effects and kept interactions
        inside the set (``exclude``: leave one pair out), each with its own replication's
        value, so that the difference to a simulation of the set is paired.
        """
        inside = set(chosen)
        total = self.matrix(frozenset()).copy()
        effects = [self.main[name] for name in inside]
        effects += [
            effect
            for pair, effect in self.interactions.items()
            if effect.kept and pair != exclude and set(pair) <= inside
        ]
        for effect in effects:  # a replication that did not measure a KPI adds the mean
            total += np.where(np.isfinite(effect.deltas), effect.deltas, effect.mean())
        return total

    def surrogate(self) -> Surrogate:
        """The means as the optimizer's surrogate (costs from the levers, values per year)."""
        baseline = self.matrix(frozenset())
        with np.errstate(invalid="ignore"):
            base = np.nanmean(baseline, axis=0)
        levers = self.levers.levers
        return Surrogate(
            levers=self.levers.names,
            one_off={lever.name: lever.one_off for lever in levers},
            yearly={lever.name: lever.yearly for lever in levers},
            annuity=self.levers.annuity,
            baseline=dict(zip(self.kpis, base.tolist(), strict=True)),
            scale={kpi: self.values.scale[kpi] for kpi in VALUE_KPIS},
            main={name: self._named(effect.mean()) for name, effect in self.main.items()},
            interactions={
                pair: self._named(effect.mean())
                for pair, effect in self.interactions.items()
                if effect.kept
            },
        )

    def _named(self, values: np.ndarray) -> dict[str, float]:
        return dict(zip(self.kpis, values.tolist(), strict=True))

    # --- tables (wsim.optimize.levers.effect_tables) ----------------------------------------

    def effects_table(self) -> pd.DataFrame:
        """One row per lever: costs, what was simulated, the objective's paired change."""
        return effect_tables.effects_table(self)

    def kpi_table(self) -> pd.DataFrame:
        """Tidy: one row per lever (or pair) and KPI, with the paired interval of the change."""
        return effect_tables.kpi_table(self)

    def interactions_table(self) -> pd.DataFrame:
        """One row per estimated pair: the simulated union, the value change and if kept."""
        return effect_tables.interactions_table(self)


def lever_costs(levers: LeverSet, chosen: Collection[str]) -> dict[str, float]:
    """One-off, yearly and per-year (annualised one-off plus yearly) costs of a lever set."""
    selected = levers.select(sorted(chosen))
    one_off = sum(lever.one_off for lever in selected)
    yearly = sum(lever.yearly for lever in selected)
    return {
        "one_off": one_off,
        "yearly": yearly,
        "cost_per_year": levers.annuity * one_off + yearly,
    }
