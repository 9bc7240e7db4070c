"""Options as cost and effect per replication, their intervals and their net benefit.

An :class:`OptionOutcome` holds one option's cost per year and effect per year, one value per
paired replication; :func:`estimate` gives a mean with its t-interval; :func:`net_benefit` and
:func:`net_benefit_table` value the effect at a stated value and subtract the cost (section 3
of ``docs/decision_rules.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from wsim.comparison.economics.checks import (
    TIE_RTOL,
    ArrayLike,
    as_array,
    as_confidence,
    as_non_negative,
    as_number,
    paired_length,
)
from wsim.errors import unknown_name_message


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its Student-t confidence interval.

    Attributes
    ----------
    mean, low, high : float
        The mean and the interval bounds, in the unit of the values; the bounds are NaN with
        fewer than two values.
    n : int
        How many finite values went in.
    """

    mean: float
    low: float
    high: float
    n: int


def estimate(values: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Mean and t-interval of the finite `values` (one per replication; NaN ones are left out).

    With paired replications, the values of a difference (option minus baseline, replication by
    replication) give the paired interval.
    """
    level = as_confidence(confidence)
    x = as_array("values", values)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n)


@dataclass(frozen=True, eq=False)
class OptionOutcome:
    """One option's cost per year and effect per year, per paired replication.

    Attributes
    ----------
    name : str
        The option's name.
    cost : float or array
        Cost per year against the baseline (currency per year, e.g. from
        :func:`cost_per_year`); it may be a net cost (cost minus monetised other benefits).
    effect : float or array
        Effect per year against the baseline, in one unit for all options (e.g. citizen-hours
        saved per year from :func:`waiting_hours_saved`); larger is better.
    one_off : float
        One-off cost (currency), checked against a one-off budget.
    yearly : float
        Yearly cost (currency per year), checked against a yearly budget: the declared yearly
        cost, plus the change in staff cost per year if the budget pays staff.

    A single number stands for the same value in every replication; arrays of different
    options are paired replication by replication and must have the same length.
    """

    name: str
    cost: ArrayLike
    effect: ArrayLike
    one_off: float = 0.0
    yearly: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"an option needs a name, got {self.name!r}")
        cost = as_array(f"cost of option {self.name!r}", self.cost)
        effect = as_array(f"effect of option {self.name!r}", self.effect)
        paired_length(cost=cost, effect=effect)
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "effect", effect)
        object.__setattr__(
            self, "one_off", as_number(f"one-off cost of {self.name!r}", self.one_off)
        )
        object.__setattr__(self, "yearly", as_number(f"yearly cost of {self.name!r}", self.yearly))


def paired_replications(
    options: Sequence[OptionOutcome],
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Names and (option x replication) cost and effect matrices over complete replications.

    Replications where any option has a non-finite cost or effect are left out, so that every
    option is judged on the same replications.
    """
    options = list(options)
    if not options:
        raise ValueError("no options given")
    names = [option.name for option in options]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"option names must be unique; repeated: {', '.join(repeated)}")
    sizes = {o.name: max(o.cost.size, o.effect.size) for o in options}
    varying = {size for size in sizes.values() if size != 1}
    if len(varying) > 1:
        listed = ", ".join(f"{name!r}: {size}" for name, size in sizes.items())
        raise ValueError(f"options need the same number of paired replications, got {listed}")
    n = varying.pop() if varying else 1
    cost = np.vstack([np.broadcast_to(o.cost, n) for o in options])
    effect = np.vstack([np.broadcast_to(o.effect, n) for o in options])
    complete = np.isfinite(cost).all(axis=0) & np.isfinite(effect).all(axis=0)
    if not complete.any():
        raise ValueError("no replication has a finite cost and effect for every option")
    return names, cost[:, complete], effect[:, complete]


def net_benefit(effect: ArrayLike, cost: ArrayLike, value: float) -> np.ndarray:
    """Net (monetary) benefit ``value x effect - cost``, element by element.

    Parameters
    ----------
    effect : float or array
        Effect per year (e.g. citizen-hours saved per year).
    cost : float or array
        Cost per year (currency per year).
    value : float
        Value of one unit of effect (currency per unit, e.g. CNY per citizen-hour); at least 0.

    Returns
    -------
    numpy.ndarray
        Net benefit, currency per year.
    """
    e, c = as_array("effect", effect), as_array("cost", cost)
    paired_length(effect=e, cost=c)
    return as_non_negative("value of the effect", value) * e - c


def net_benefit_table(
    options: Sequence[OptionOutcome], value: float, baseline: str, confidence: float = 0.95
) -> pd.DataFrame:
    """Per option: cost, effect and net benefit with intervals, and the paired gain over baseline.

    Columns: ``option, n`` (replications used), ``cost, cost_low, cost_high`` (currency per
    year), ``effect, effect_low, effect_high`` (effect units per year), ``nb, nb_low, nb_high``
    (net benefit at `value`, currency per year) and ``inb, inb_low, inb_high``: the incremental
    net benefit against `baseline`, replication by replication (the paired interval).
    """
    names, cost, effect = paired_replications(options)
    if baseline not in names:
        raise ValueError(unknown_name_message("baseline option", baseline, names))
    nb = as_non_negative("value of the effect", value) * effect - cost
    base = nb[names.index(baseline)]
    rows = []
    for i, name in enumerate(names):
        row: dict[str, object] = {"option": name, "n": cost.shape[1]}
        for column, values in (("cost", cost[i]), ("effect", effect[i]), ("nb", nb[i])):
            est = estimate(values, confidence)
            row |= {column: est.mean, f"{column}_low": est.low, f"{column}_high": est.high}
        gain = estimate(nb[i] - base, confidence)
        row |= {"inb": gain.mean, "inb_low": gain.low, "inb_high": gain.high}
        rows.append(row)
    return pd.DataFrame(rows)


def best_index(nb: np.ndarray, cost: np.ndarray, among: np.ndarray | None = None) -> int:
    """Index of the highest `nb` (ties within rounding: lower cost, then first) among `among`."""
    candidates = np.arange(nb.size) if among is None else np.flatnonzero(among)
    best = nb[candidates].max()
    scale = max(np.abs(nb[candidates]).max(), 1.0)
    tied = candidates[nb[candidates] >= best - TIE_RTOL * scale]
    return int(tied[np.argmin(cost[tied])])  # argmin takes the first of equal costs
