"""Plots of a decision: the cost-effectiveness plane and the acceptability curve.

Both read a :class:`~wsim.comparison.decision.Decision` (see ``docs/decision_rules.md``,
sections 4 and 5) and come, like every comparison plot, in a wide and a narrow variant
(:mod:`.plot_style`), in English or Chinese.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from wsim.comparison import plot_style as style
from wsim.texts import money, text

if TYPE_CHECKING:
    from wsim.comparison.decision import Decision

# Marker of an option's mean by its frontier status (over-budget options: among all options).
_MARKERS = {"efficient": "o", "extendedly dominated": "o", "dominated": "X"}


def _scale(values: np.ndarray, lang: str, unit: str) -> tuple[float, str]:
    """A divisor for axis values and the unit it gives (``million CNY``, ``万元``)."""
    size = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    steps = (1e4, 1.0) if lang == "zh" else (1e6, 1e3, 1.0)
    divisor = next((step for step in steps if size >= step), 1.0)
    return divisor, text(f"scale.e{int(np.log10(divisor))}", lang, unit=unit)


def ce_plane(decision: Decision, *, lang: str = "en", narrow: bool = False) -> Figure:
    """Cost per year against citizen-hours saved per year, per option, with the replications.

    Every option is a cloud of its paired replications (cost and effect against the baseline,
    which sits at the origin) and a large mark at its mean: a filled circle when efficient, a
    hollow one when extendedly dominated, a cross when dominated (status among the options
    within the budget; among all options for those over it). The black line joins the
    efficient options; the dashed line has the slope of the stated value of a citizen-hour,
    so options below it have a positive net benefit.
    """
    outcomes = {outcome.name: outcome for outcome in decision.outcomes}
    table = decision.summary().set_index("option")
    colors = style.option_colors(decision.options, decision.baseline)
    prefix, short = style.short_names(decision.options)
    currency = "元" if lang == "zh" and decision.currency == "CNY" else decision.currency
    with style.Canvas(narrow, lang, 5.2, 7.4) as canvas:
        fig, lang = canvas.fig, canvas.lang
        ax = fig.subplots()
        effects = np.concatenate([np.atleast_1d(o.effect) for o in outcomes.values()])
        costs = np.concatenate([np.atleast_1d(o.cost) for o in outcomes.values()])
        x_div, x_unit = _scale(effects, lang, text("unit.hours", lang))
        y_div, y_unit = _scale(costs, lang, currency)
        width = style.wrap_width(narrow)
        for option in decision.options:
            if option == decision.baseline:
                continue
            outcome, row = outcomes[option], table.loc[option]
            ax.scatter(
                np.atleast_1d(outcome.effect) / x_div,
                np.atleast_1d(outcome.cost) / y_div,
                s=9,
                color=colors[option],
                alpha=0.35,
                linewidths=0,
                zorder=2,
            )
            status = row.status if row.within_budget else row.status_all
            hollow = status == "extendedly dominated"
            ax.scatter(
                row.effect / x_div,
                row.cost / y_div,
                s=110 if row.role == "recommended" else 70,
                marker=_MARKERS[status],
                facecolors="white" if hollow else colors[option],
                edgecolors=colors[option],
                linewidths=2.0,
                zorder=5,
                label=style.label(_legend_name(short[option], row, lang), width),
            )
        efficient = decision.frontier[decision.frontier.status == "efficient"]
        ax.plot(
            efficient.effect / x_div,
            efficient.cost / y_div,
            color=style.BASELINE_COLOR,
            linewidth=1.2,
            zorder=4,
            label=text("plot.frontier", lang),
        )
        value = money(decision.value, decision.currency, lang)
        low, high = min(0.0, np.nanmin(effects)), max(0.0, np.nanmax(effects))
        span = np.array([low, high])
        ax.plot(
            span / x_div,
            decision.value * span / y_div,
            color="#6e7781",
            linestyle="--",
            linewidth=1.2,
            zorder=1,
            label=text("plot.value_line", lang, value=value),
        )
        ax.scatter(
            [0],
            [0],
            marker="s",
            s=80,
            color=style.BASELINE_COLOR,
            zorder=10,
            label=style.label(style.baseline_name(short[decision.baseline], lang), width),
        )
        low, high = min(0.0, np.nanmin(costs)) / y_div, max(0.0, np.nanmax(costs)) / y_div
        pad = 0.08 * (high - low) if high > low else 1.0
        ax.set_ylim(low - pad, high + pad)
        ax.axhline(0, color="#d0d7de", linewidth=0.8, zorder=0)
        ax.axvline(0, color="#d0d7de", linewidth=0.8, zorder=0)
        ax.set_xlabel(style.label(text("plot.effect_axis", lang, unit=x_unit), 40))
        ax.set_ylabel(style.label(text("plot.cost_axis", lang, unit=y_unit), 34))
        ax.grid(alpha=0.3)
        canvas.legend(ax, prefix)
        fig.suptitle(style.label(text("figure.plane", lang), style.title_width(narrow, lang)))
    return fig


def _legend_name(name: str, row, lang: str) -> str:
    """An option's legend entry: its name, and whether it is recommended or over the budget."""
    if row.role == "recommended":
        return f"{name} \u2013 {text('role.recommended', lang)}"
    if not row.within_budget:
        return f"{name} \u2013 {text('role.over_budget', lang)}"
    return name


def acceptability_plot(decision: Decision, *, lang: str = "en", narrow: bool = False) -> Figure:
    """Probability that each option has the highest net benefit, over values of a citizen-hour.

    One line per option within the budget that is best in some replication at some value
    (the others are left out); the baseline in black, on top; the dashed line marks the
    stated value. The axis of values is logarithmic: cheap options change places at small
    values, dear ones at large.
    """
    curve = decision.acceptability
    colors = style.option_colors(decision.options, decision.baseline)
    prefix, short = style.short_names(decision.options)
    with style.Canvas(narrow, lang, 4.2, 5.8) as canvas:
        fig, lang = canvas.fig, canvas.lang
        ax = fig.subplots()
        width = style.wrap_width(narrow)
        for option in decision.options:
            mine = curve[(curve.option == option) & (curve["value"] > 0)]
            if mine.empty or not (mine.probability > 0).any():
                continue
            is_base = option == decision.baseline
            name = style.baseline_name(short[option], lang) if is_base else short[option]
            ax.plot(
                mine["value"],
                mine.probability,
                color=colors[option],
                linewidth=2.6 if is_base else 1.8,
                zorder=10 if is_base else 3,
                path_effects=style.halo(5.0) if is_base else None,
                label=style.label(name, width),
            )
        ax.axvline(
            decision.value,
            color="#6e7781",
            linestyle="--",
            linewidth=1.2,
            label=text("plot.stated_value", lang),
        )
        currency = "元" if lang == "zh" and decision.currency == "CNY" else decision.currency
        ax.set_xlabel(text("plot.value_axis", lang, currency=currency))
        ax.set_ylabel(style.label(text("plot.probability", lang), 30))
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,g}"))
        positive = decision.values[decision.values > 0]
        ax.set_xlim(float(positive.min()), float(positive.max()))
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        canvas.legend(ax, prefix)
        fig.suptitle(
            style.label(text("figure.acceptability", lang), style.title_width(narrow, lang))
        )
    return fig
