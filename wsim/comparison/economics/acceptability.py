"""The cost-effectiveness acceptability curve and frontier, from paired replications.

See section 5 of ``docs/decision_rules.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wsim.comparison.economics.checks import TIE_RTOL, ArrayLike, as_array
from wsim.comparison.economics.outcomes import OptionOutcome, best_index, paired_replications


def _values(values: ArrayLike) -> np.ndarray:
    lam = as_array("values of the effect", values, finite=True)
    if lam.size == 0:
        raise ValueError("values of the effect: give at least one value")
    if (lam < 0).any():
        raise ValueError("values of the effect must be at least 0")
    return lam


def _best_shares(nb: np.ndarray) -> np.ndarray:
    """For net benefits (..., option, replication): 1/k for each of the k best options, else 0."""
    best = nb.max(axis=-2, keepdims=True)
    scale = np.maximum(np.abs(nb).max(axis=-2, keepdims=True), 1.0)
    tied = nb >= best - TIE_RTOL * scale
    return tied / tied.sum(axis=-2, keepdims=True)


def acceptability_curve(options: Sequence[OptionOutcome], values: ArrayLike) -> pd.DataFrame:
    """Probability that each option has the highest net benefit, at each value of the effect.

    For each value lambda (currency per effect unit, e.g. CNY per citizen-hour) and each paired
    replication, the option(s) with the highest net benefit ``lambda x effect - cost`` win
    that replication (k tied options get 1/k each); an option's probability is its share of the
    replications. The probabilities sum to 1 over the options at every lambda.

    Returns
    -------
    pandas.DataFrame
        Columns ``value, option, probability``, by value then option order.
    """
    names, cost, effect = paired_replications(options)
    lam = _values(values)
    nb = lam[:, None, None] * effect[None] - cost[None]  # (value, option, replication)
    probability = _best_shares(nb).mean(axis=-1)
    return pd.DataFrame(
        {
            "value": np.repeat(lam, len(names)),
            "option": names * lam.size,
            "probability": probability.ravel(),
        }
    )


def acceptability_frontier(options: Sequence[OptionOutcome], values: ArrayLike) -> pd.DataFrame:
    """The option with the highest expected net benefit at each value of the effect.

    The decision rule under uncertainty is to pick the option with the highest *expected* net
    benefit (not the one most often best); this gives it with its probability of being the best
    (the cost-effectiveness acceptability frontier). Equal expected net benefits go to the
    option with the lower expected cost, then to the first given.

    Returns
    -------
    pandas.DataFrame
        Columns ``value, option, expected_nb`` (currency per year), ``probability``.
    """
    names, cost, effect = paired_replications(options)
    lam = _values(values)
    nb = lam[:, None, None] * effect[None] - cost[None]
    probability = _best_shares(nb).mean(axis=-1)
    expected = nb.mean(axis=-1)  # (value, option)
    mean_cost = cost.mean(axis=-1)
    rows = []
    for k, value in enumerate(lam):
        best = best_index(expected[k], mean_cost)
        rows.append(
            {
                "value": value,
                "option": names[best],
                "expected_nb": expected[k, best],
                "probability": probability[k, best],
            }
        )
    return pd.DataFrame(rows, columns=["value", "option", "expected_nb", "probability"])
