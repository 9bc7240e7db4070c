"""The recommendation: the option to pick within a budget, the runner-up and why it lost.

See section 7 of ``docs/decision_rules.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.comparison.economics.checks import TIE_RTOL, as_non_negative, as_number
from wsim.comparison.economics.frontier import cost_effectiveness_frontier
from wsim.comparison.economics.outcomes import (
    Estimate,
    OptionOutcome,
    best_index,
    estimate,
    net_benefit_table,
    paired_replications,
)

#: Why a runner-up lost (:attr:`Recommendation.reason_code`).
REASON_CODES: tuple[str, ...] = (
    "over budget",
    "dominated",
    "extendedly dominated",
    "lower net benefit",
    "equal net benefit",
)


@dataclass(frozen=True)
class Budget:
    """What the decision maker can spend; ``None`` for no limit.

    Attributes
    ----------
    one_off : float, optional
        One-off budget (currency).
    yearly : float, optional
        Yearly budget (currency per year).
    """

    one_off: float | None = None
    yearly: float | None = None

    def __post_init__(self) -> None:
        for name in ("one_off", "yearly"):
            amount = getattr(self, name)
            if amount is not None:
                object.__setattr__(self, name, as_number(f"{name} budget", amount))

    def excess(self, option: OptionOutcome, currency: str = "CNY") -> str:
        """Plain words on how `option` exceeds this budget, or ``""`` when it fits."""
        parts = []
        if self.one_off is not None and option.one_off > self.one_off:
            parts.append(
                f"its one-off cost {_money(option.one_off, currency)} is over the one-off "
                f"budget of {_money(self.one_off, currency)}"
            )
        if self.yearly is not None and option.yearly > self.yearly:
            parts.append(
                f"its yearly cost {_money(option.yearly, currency)}/year is over the yearly "
                f"budget of {_money(self.yearly, currency)}/year"
            )
        return " and ".join(parts)


@dataclass(frozen=True, eq=False)
class Recommendation:
    """The option to pick, the runner-up and why it lost.

    Attributes
    ----------
    option : str
        The recommended option: the highest expected net benefit among those within the budget
        (equal ones: the lower expected cost, then the first given).
    net_benefit : Estimate
        Its net benefit (currency per year) at `value`, with interval.
    runner_up : str or None
        The option with the next highest expected net benefit, within the budget or not
        (``None`` with a single option).
    runner_up_net_benefit : Estimate or None
        The runner-up's net benefit (currency per year).
    advantage : Estimate or None
        Net benefit of the recommended option minus that of the runner-up, replication by
        replication (currency per year): the paired interval.
    reason_code : str or None
        Why the runner-up lost, one of :data:`REASON_CODES`.
    reason : str
        The same in plain words, with the figures.
    value : float
        The value of one effect unit used (currency per effect unit).
    table : pandas.DataFrame
        Per option: :func:`net_benefit_table` columns, ``within_budget``, ``over_budget`` (the
        words, or ``""``) and the frontier ``status`` and ``dominated_by`` over all options.
    """

    option: str
    net_benefit: Estimate
    runner_up: str | None
    runner_up_net_benefit: Estimate | None
    advantage: Estimate | None
    reason_code: str | None
    reason: str
    value: float
    table: pd.DataFrame


def recommend(
    options: Sequence[OptionOutcome],
    value: float,
    *,
    baseline: str,
    budget: Budget | None = None,
    effect_unit: str = "units of effect",
    currency: str = "CNY",
    confidence: float = 0.95,
) -> Recommendation:
    """Pick the option with the highest expected net benefit at `value` within `budget`.

    The runner-up is the option with the next highest expected net benefit (within the budget
    or not). Why it lost, checked in this order: it is over the budget; it costs no less for no
    more effect than another option within the budget (dominated); a mix of two options within
    the budget gives more for less (extendedly dominated); otherwise its net benefit is lower
    (or equal, and it costs more) by the amount given.

    Parameters
    ----------
    options : sequence of OptionOutcome
        The options, the baseline among them (usually with zero cost and effect).
    value : float
        Value of one effect unit (currency per effect unit, e.g. CNY per citizen-hour).
    baseline : str
        Name of the baseline option (doing nothing is always a choice).
    budget : Budget, optional
        One-off and/or yearly budget; options over it are not recommended.
    effect_unit : str
        Plural name of the effect unit for the reason ("citizen-hours").
    currency : str
        Currency for the reason.
    confidence : float
        Level of the intervals.
    """
    options = list(options)
    value = as_non_negative("value of the effect", value)
    budget = budget or Budget()
    table = net_benefit_table(options, value, baseline, confidence)
    names, cost, effect = paired_replications(options)
    nb = value * effect - cost
    mean_nb, mean_cost, mean_effect = nb.mean(axis=1), cost.mean(axis=1), effect.mean(axis=1)
    excess = [budget.excess(option, currency) for option in options]
    within = np.array([not words for words in excess])
    if not within.any():
        raise ValueError("no option is within the budget (not even the baseline)")
    frontier = cost_effectiveness_frontier(names, mean_cost, mean_effect).set_index("option")
    table["within_budget"] = within
    table["over_budget"] = excess
    table["status"] = table["option"].map(frontier["status"])
    table["dominated_by"] = table["option"].map(frontier["dominated_by"])

    best = best_index(mean_nb, mean_cost, within)
    chosen = Recommendation(
        option=names[best],
        net_benefit=estimate(nb[best], confidence),
        runner_up=None,
        runner_up_net_benefit=None,
        advantage=None,
        reason_code=None,
        reason="",
        value=value,
        table=table,
    )
    others = np.arange(len(names)) != best
    if not others.any():
        return chosen
    second = best_index(mean_nb, mean_cost, others)
    code, reason = _why_lost(
        second,
        best,
        names,
        mean_cost,
        mean_effect,
        mean_nb,
        within,
        excess,
        value,
        effect_unit,
        currency,
    )
    return Recommendation(
        option=names[best],
        net_benefit=chosen.net_benefit,
        runner_up=names[second],
        runner_up_net_benefit=estimate(nb[second], confidence),
        advantage=estimate(nb[best] - nb[second], confidence),
        reason_code=code,
        reason=reason,
        value=value,
        table=table,
    )


def _why_lost(
    loser: int,
    winner: int,
    names: list[str],
    cost: np.ndarray,
    effect: np.ndarray,
    nb: np.ndarray,
    within: np.ndarray,
    excess: list[str],
    value: float,
    unit: str,
    currency: str,
) -> tuple[str, str]:
    """(reason code, plain words) for why option `loser` is not the recommendation."""
    if not within[loser]:
        return "over budget", f"{names[loser]} is over the budget: {excess[loser]}"
    inside = np.flatnonzero(within)
    frontier = cost_effectiveness_frontier(
        [names[i] for i in inside], cost[inside], effect[inside]
    ).set_index("option")
    status, by = frontier.loc[names[loser], "status"], frontier.loc[names[loser], "dominated_by"]
    if status == "dominated":
        other = names.index(by[0])
        more, less = cost[loser] - cost[other], effect[other] - effect[loser]
        costs = f"{_money(more, currency)}/year more than" if more > 0 else "as much as"
        gives = f"{less:,.0f} fewer {unit} a year" if less > 0 else f"no more {unit}"
        return "dominated", f"{names[loser]} costs more for less: {costs} {by[0]} for {gives}"
    if status == "extendedly dominated":
        return "extendedly dominated", (
            f"{names[loser]} is extendedly dominated: a mix of {by[0]} and {by[1]} would give "
            f"more {unit} a year for less money (each extra unit costs more with "
            f"{names[loser]} than with the more effective {by[1]})"
        )
    gap = nb[winner] - nb[loser]
    valuing = f"valuing {unit} at {_money(value, currency)} each"
    if gap > TIE_RTOL * max(abs(nb[winner]), 1.0):
        return "lower net benefit", (
            f"{names[loser]} has a lower net benefit, by {_money(gap, currency)}/year, {valuing}"
        )
    extra = cost[loser] - cost[winner]
    costs = f"costs {_money(extra, currency)}/year more" if extra > 0 else "costs the same"
    return "equal net benefit", (
        f"{names[loser]} has the same net benefit, {valuing}, and {costs}"
        + ("" if extra > 0 else f"; {names[winner]} is listed first")
    )


def _money(amount: float, currency: str = "CNY") -> str:
    return f"{amount:,.0f} {currency}" if abs(amount) >= 100 else f"{amount:,.2f} {currency}"
