"""The decision in plain sentences and one small table, in English or Chinese.

:func:`summarize` writes what leadership reads first (the report's first screen and the
terminal summary of ``wsim compare`` and ``wsim demo`` show the same): the budget, the
recommended option (or portfolio), its cost per year and where it comes from, what citizens
gain per year with intervals, the net benefit at the stated values, how often it is the best,
and the runner-up with why it lost. :func:`decision_rows` gives the table of every option,
the decision columns first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from wsim.comparison.decision import GAINS, Decision
from wsim.comparison.economics import Estimate, estimate
from wsim.report.formatting import format_number
from wsim.texts import Words, money

#: Columns of :func:`decision_rows`, decision columns first (text keys ``column.<name>``).
COLUMNS: tuple[str, ...] = ("option", "decision", "nb", "cost", *GAINS)


def shown_columns(decision: Decision) -> list[str]:
    """The :data:`COLUMNS` worth a column: gains not measured, or equal everywhere, left out."""
    return [
        column
        for column in COLUMNS
        if column not in GAINS
        or (decision.measured[column] and GAINS[column][0] not in decision.constant_kpis)
    ]


@dataclass(frozen=True)
class DecisionSummary:
    """The decision in sentences (each already in the report's language).

    Attributes
    ----------
    budget : str
        The budget, or that none was stated.
    headline : str
        ``Recommended: <option>`` (or the portfolio, or keeping the baseline).
    detail : list of str
        Sentences under the headline: the portfolio's levers, why no reform, the cost and
        where it comes from.
    gains_title : str
        The lead-in of :attr:`gains`.
    gains : list of (label, value, interval)
        What citizens gain per year, with the interval (``""`` when not measured).
    closing : list of str
        The net benefit, how often it is the best, the runner-up and why it lost, the
        advantage over it, and a note on the optimizer's portfolio when it lost.
    runner_up : str or None
        The runner-up's name.
    """

    budget: str
    headline: str
    detail: list[str] = field(default_factory=list)
    gains_title: str = ""
    gains: list[tuple[str, str, str]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    runner_up: str | None = None


def count(value: float) -> str:
    """A count for people: whole numbers, three significant digits from a thousand on.

    ``56,600``, ``518``, ``0.25`` (below 1, two significant digits).
    """
    if not math.isfinite(value):
        return format_number(value)
    if abs(value) >= 1000:
        digits = 2 - math.floor(math.log10(abs(value)))
        return f"{round(value, digits):,.0f}"
    if abs(value) >= 1 or value == 0:
        return f"{value:,.0f}"
    return f"{value:.2g}"


def _interval(t: Words, est: Estimate, show=count) -> str:
    if not (math.isfinite(est.low) and math.isfinite(est.high)):
        return ""
    return t("interval", low=show(est.low), high=show(est.high))


def summarize(decision: Decision, lang: str = "en") -> DecisionSummary:
    """The decision of `decision` in sentences, in `lang` (``"en"`` or ``"zh"``)."""
    t = Words(lang)
    cash = _money(decision, lang)
    choice = decision.recommendation
    option = choice.option
    costs = decision.costs.set_index("option").loc[option]
    settings = decision.settings
    detail = []
    portfolio = decision.portfolio
    if option == decision.baseline:
        headline = t("decision.keep_baseline", option=option)
        detail.append(t("decision.keep_baseline_why"))
    elif portfolio is not None and portfolio.option == option:
        headline = t("decision.recommend_portfolio", option=option)
        detail.append(t("decision.portfolio_levers", levers=_levers(portfolio, lang)))
        if portfolio.status:
            detail.append(t("decision.portfolio_solver", status=portfolio.status))
    else:
        headline = t("decision.recommend", option=option)
    if option != decision.baseline:
        cost = estimate(next(o.cost for o in decision.outcomes if o.name == option))
        detail.append(
            t("decision.cost", cost=cash(cost.mean), interval=_interval(t, cost, cash))
            + ("" if lang == "zh" else " ")
            + t(
                "decision.cost_parts",
                one_off=cash(costs.one_off),
                years=f"{settings.horizon_years:g}",
                rate=f"{settings.discount_rate:.1%}".replace(".0%", "%"),
                annualised=cash(costs.annualised),
                yearly=cash(costs.yearly),
                staff=_signed(cash, costs.staff),
                days=f"{decision.simulated_days:g}",
                days_per_year=f"{settings.days_per_year:g}",
            )
        )
    gains = []
    for kind in GAINS:
        if not decision.measured[kind]:
            gains.append((t(f"gain.{kind}"), t("gain.not_measured"), ""))
            continue
        if GAINS[kind][0] in decision.constant_kpis:
            gains.append((t(f"gain.{kind}"), "0", t("gain.constant")))
            continue
        gain = decision.gain(option, kind)
        gains.append((t(f"gain.{kind}"), count(gain.mean), _interval(t, gain)))
    closing = [
        t(
            "decision.net_benefit",
            nb=cash(choice.net_benefit.mean),
            interval=_interval(t, choice.net_benefit, cash),
            wait_hour=cash(settings.wait_hour),
            trip=cash(settings.trip),
            lead_hour=cash(settings.lead_hour),
        )
    ]
    p_best = decision.summary().set_index("option").loc[option, "p_best"]
    if len(decision.options) > 1 and np.isfinite(p_best):
        among = "decision.certainty" if settings.has_budget else "decision.certainty_all"
        closing.append(t(among, p=f"{p_best:.0%}"))
    if choice.runner_up is None:
        closing.append(t("decision.no_runner_up"))
    else:
        space = "" if lang == "zh" else " "
        closing.append(
            t("decision.runner_up", option=choice.runner_up)
            + space
            + _capital(why_not(decision, choice.runner_up, lang))
        )
        if choice.advantage is not None and choice.reason_code != "over budget":
            closing.append(
                t(
                    "decision.advantage",
                    gap=cash(choice.advantage.mean),
                    interval=_interval(t, choice.advantage, cash),
                )
            )
    if portfolio is not None and portfolio.option != option:
        reason = why_not(decision, portfolio.option, lang)
        closing.append(t("decision.portfolio_lost", option=portfolio.option, reason=reason))
    return DecisionSummary(
        budget=budget_sentence(decision, lang),
        headline=headline,
        detail=detail,
        gains_title=t("decision.gains"),
        gains=gains,
        closing=closing,
        runner_up=choice.runner_up,
    )


def budget_sentence(decision: Decision, lang: str = "en") -> str:
    """The stated budget in a sentence, or that there is none."""
    t, cash = Words(lang), _money(decision, lang)
    budget = decision.settings.budget
    if budget.one_off is not None and budget.yearly is not None:
        return t("budget.both", one_off=cash(budget.one_off), yearly=cash(budget.yearly))
    if budget.one_off is not None:
        return t("budget.one_off", one_off=cash(budget.one_off))
    if budget.yearly is not None:
        return t("budget.yearly", yearly=cash(budget.yearly))
    return t("budget.none")


def why_not(decision: Decision, option: str, lang: str = "en") -> str:
    """Why `option` is not the recommendation, in a sentence (lower case, full stop).

    The order of :func:`wsim.comparison.economics.recommend`: over the budget; dominated by
    an option within the budget; extendedly dominated by a mix of two; a lower (or equal,
    and dearer) net benefit.
    """
    t, cash = Words(lang), _money(decision, lang)
    budget = decision.settings.budget
    costs = decision.costs.set_index("option").loc[option]
    table = decision.summary().set_index("option")
    if not table.loc[option, "within_budget"]:
        parts = []
        if budget.one_off is not None and costs.one_off > budget.one_off:
            parts.append(
                t("reason.over_one_off", cost=cash(costs.one_off), budget=cash(budget.one_off))
            )
        if budget.yearly is not None and costs.yearly > budget.yearly:
            parts.append(
                t("reason.over_yearly", cost=cash(costs.yearly), budget=cash(budget.yearly))
            )
        return t("reason.over_budget", parts=t("reason.and").join(parts))
    frontier = decision.frontier.set_index("option")
    status, by = frontier.loc[option, "status"], frontier.loc[option, "dominated_by"]
    if status == "dominated":
        other = by[0]
        more = table.loc[option, "cost"] - table.loc[other, "cost"]
        less = table.loc[other, "effect"] - table.loc[option, "effect"]
        if more > 0 and less > 0:
            return t("reason.dominated", other=other, more=cash(more), less=count(less))
        return t("reason.dominated_equal", other=other)
    if status == "extendedly dominated":
        return t("reason.extended", low=by[0], high=by[1])
    winner = decision.recommended
    gap = estimate(_nb(decision, winner) - _nb(decision, option))
    if gap.mean > 1e-9 * max(abs(table.loc[winner, "nb"]), 1.0):
        return t("reason.lower", gap=cash(gap.mean), interval=_interval(t, gap, cash))
    extra = table.loc[option, "cost"] - table.loc[winner, "cost"]
    return t("reason.equal", extra=cash(extra)) if extra > 0 else t("reason.equal_first")


def decision_rows(decision: Decision, lang: str = "en") -> list[dict[str, object]]:
    """One row per option: the recommended first, then by net benefit (highest first).

    Each of the :data:`COLUMNS` but the first two is ``{"value": text, "interval": text}``;
    ``roles`` lists what the option is (``recommended``, ``runner-up``, ``over_budget``,
    ``baseline``) and ``decision`` the same in words.
    """
    t, cash = Words(lang), _money(decision, lang, plain=True)
    table = decision.summary()
    table = table.assign(first=table.role != "recommended")
    table = table.sort_values(["first", "nb"], ascending=[True, False], kind="stable")
    rows = []
    for row in table.to_dict("records"):
        roles = [row["role"]] if row["role"] else []
        roles += [] if row["within_budget"] else ["over_budget"]
        is_base = row["option"] == decision.baseline
        roles += ["baseline"] if is_base and not roles else []
        cells: dict[str, object] = {
            "option": row["option"],
            "roles": roles,
            "decision": [t(f"role.{role}") for role in roles],
        }
        for column in ("nb", "cost", *GAINS):
            shown = column in ("nb", "cost") or decision.measured[column]
            show = cash if column in ("nb", "cost") else count
            est = Estimate(row[column], row[f"{column}_low"], row[f"{column}_high"], 0)
            constant = column in GAINS and GAINS[column][0] in decision.constant_kpis
            cells[column] = {
                "value": show(est.mean) if shown else "\u2013",
                "interval": "" if is_base or constant or not shown else _interval(t, est, show),
            }
        rows.append(cells)
    return rows


def column_titles(decision: Decision, lang: str = "en") -> dict[str, str]:
    """The heading of each of :data:`COLUMNS`, with the currency."""
    t = Words(lang)
    currency = "元" if lang == "zh" and decision.currency == "CNY" else decision.currency
    titles = {"option": t("column.option"), "decision": t("column.decision")}
    titles["nb"] = t("column.nb", currency=currency)
    titles["cost"] = t("column.cost", currency=currency)
    titles |= {kind: t(f"column.{kind}") for kind in GAINS}
    return titles


def _nb(decision: Decision, option: str) -> np.ndarray:
    outcome = next(o for o in decision.outcomes if o.name == option)
    return decision.value * np.asarray(outcome.effect, float) - np.asarray(outcome.cost, float)


def _levers(portfolio, lang: str) -> str:
    separator = "；" if lang == "zh" else "; "
    return separator.join(
        f"{lever} ({portfolio.descriptions[lever]})" if portfolio.descriptions.get(lever) else lever
        for lever in portfolio.levers
    )


def _money(decision: Decision, lang: str, plain: bool = False):
    """A function writing an amount in the decision's currency (`plain`: no currency)."""

    def show(amount: float) -> str:
        if plain:
            return count(amount) if math.isfinite(amount) else "\u2013"
        return money(amount, decision.currency, lang)

    return show


def _signed(show, amount: float) -> str:
    return ("+" if amount > 0 else "") + show(amount)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
