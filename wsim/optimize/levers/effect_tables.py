"""The tables of lever effects: per lever, per lever and KPI, and per estimated pair.

Every change is a mean of paired differences (replication by replication, common random
numbers) with its t-interval at the effects' confidence level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wsim.experiment import t_interval
from wsim.optimize.levers.simulate import set_label

if TYPE_CHECKING:
    from wsim.optimize.levers.effects import LeverEffects

#: The measure of an effect on the objective's value terms (money per year).
VALUE = "value"


def effects_table(effects: LeverEffects) -> pd.DataFrame:
    """One row per lever: costs, the set measured, and the paired change of the objective.

    Columns: ``lever, kind, description, one_off, yearly, cost_per_year`` (money),
    ``measured_with`` (the simulated set), ``against``, ``source``, ``objective`` (change
    of the objective: cost per year plus value change; negative is better) with
    ``objective_low, objective_high``, ``value`` (change of the value terms) with its
    interval, and the mean change of each surrogate KPI (``d_<kpi>``).
    """
    rows = []
    annuity = effects.levers.annuity
    for lever in effects.levers.levers:
        effect = effects.main[lever.name]
        cost = annuity * lever.one_off + lever.yearly
        objective = _interval(cost + effect.value, effects.confidence)
        value = _interval(effect.value, effects.confidence)
        row = {
            "lever": lever.name,
            "kind": lever.kind,
            "description": lever.description,
            "one_off": lever.one_off,
            "yearly": lever.yearly,
            "cost_per_year": cost,
            "measured_with": set_label(effect.simulated),
            "against": set_label(effect.against or ()),
            "source": effect.source,
            "objective": objective[0],
            "objective_low": objective[1],
            "objective_high": objective[2],
            "value": value[0],
            "value_low": value[1],
            "value_high": value[2],
        }
        row |= {f"d_{kpi}": mean for kpi, mean in zip(effects.kpis, effect.mean(), strict=True)}
        rows.append(row)
    return pd.DataFrame(rows)


def kpi_table(effects: LeverEffects) -> pd.DataFrame:
    """Tidy: one row per lever (or pair) and KPI, with the paired interval of the change.

    Columns: ``effect`` (``main`` or ``interaction``), ``levers``, ``kpi``, ``diff``,
    ``diff_low``, ``diff_high``, ``significant``, ``kept``.
    """
    rows = []
    estimated = [("main", e) for e in effects.main.values()]
    estimated += [("interaction", e) for e in effects.interactions.values()]
    for kind, effect in estimated:
        columns = [(kpi, effect.deltas[:, k]) for k, kpi in enumerate(effects.kpis)]
        for kpi, values in [(VALUE, effect.value), *columns]:
            mean, low, high = _interval(values, effects.confidence)
            rows.append(
                {
                    "effect": kind,
                    "levers": " + ".join(effect.levers),
                    "kpi": kpi,
                    "diff": mean,
                    "diff_low": low,
                    "diff_high": high,
                    "significant": bool(low > 0 or high < 0),
                    "kept": effect.kept,
                }
            )
    return pd.DataFrame(rows)


def interactions_table(effects: LeverEffects) -> pd.DataFrame:
    """One row per estimated pair: the simulated union, the value change and if kept."""
    rows = []
    for (a, b), effect in effects.interactions.items():
        mean, low, high = _interval(effect.value, effects.confidence)
        rows.append(
            {
                "a": a,
                "b": b,
                "measured_with": set_label(effect.simulated),
                "value": mean,
                "value_low": low,
                "value_high": high,
                "kept": effect.kept,
                "note": effect.note,
            }
        )
    columns = ["a", "b", "measured_with", "value", "value_low", "value_high", "kept", "note"]
    return pd.DataFrame(rows, columns=columns)


def _interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    mean, low, high, _ = t_interval(np.asarray(values, dtype=float), confidence)
    return mean, low, high
