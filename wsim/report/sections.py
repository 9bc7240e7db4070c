"""The tables of the decision report: cost-effectiveness, assumptions, effects, options, MIDs.

Each function turns a :class:`~wsim.comparison.decision.Decision` (and its comparison) into
plain rows of text for the template, in English or Chinese (:mod:`wsim.report.comparison`
renders them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from wsim.comparison import Comparison
from wsim.comparison.decision import Decision
from wsim.metrics.catalog import HEADLINE_KPIS, KPIS, kpi_label, kpi_scale
from wsim.report.decision_text import count
from wsim.report.formatting import format_number
from wsim.texts import Words, money


def cost_effectiveness(decision: Decision, lang: str) -> dict[str, Any]:
    """The options by cost per year with their frontier status, ICER and net benefit."""
    t = Words(lang)
    table = decision.summary().sort_values(["cost", "effect"], ascending=[True, False])
    rows = []
    for row in table.to_dict("records"):
        if row["within_budget"]:
            status = t(f"status.{row['status']}")
        else:
            overall = t("status." + row["status_all"])
            status = f"{t('role.over_budget')} ({overall})"
        icer = row["icer"] if row["icer"] is not None else np.nan
        is_base = row["option"] == decision.baseline
        rows.append(
            {
                "option": row["option"],
                "role": row["role"] or ("" if row["within_budget"] else "over_budget"),
                "cost": count(row["cost"]),
                "effect": count(row["effect"]),
                "effect_interval": ""
                if is_base
                else _pair(t, row["effect_low"], row["effect_high"]),
                "status": status,
                "efficient": row["within_budget"] and row["status"] == "efficient",
                "icer": f"{icer:.3g}" if np.isfinite(icer) else "\u2013",
                "icer_vs": row["icer_vs"] if isinstance(row["icer_vs"], str) else "",
                "nb": count(row["nb"]),
                "nb_interval": "" if is_base else _pair(t, row["nb_low"], row["nb_high"]),
                "p_best": "" if not np.isfinite(row["p_best"]) else f"{row['p_best']:.0%}",
            }
        )
    settings = decision.settings
    return {
        "rows": rows,
        "intro": t(
            "ce.intro",
            trip_hours=f"{settings.trip / settings.wait_hour:.3g}",
            lead_hours=f"{24 * settings.lead_hour / settings.wait_hour:.3g}",
            value=money(decision.value, decision.currency, lang),
        ),
        "budget_note": t("ce.budget_note") if settings.has_budget else "",
    }


def _pair(t: Words, low: float, high: float) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return ""
    return t("interval", low=count(low), high=count(high))


def settings(decision: Decision, lang: str) -> list[dict[str, str]]:
    """The assumptions of the decision with their values and where each came from."""
    t, s = Words(lang), decision.settings
    currency = "元" if lang == "zh" and decision.currency == "CNY" else decision.currency
    values = {
        "discount_rate": f"{s.discount_rate:.1%}",
        "horizon_years": f"{s.horizon_years:g}",
        "days_per_year": f"{s.days_per_year:g}",
        "wait_hour": f"{s.wait_hour:,g}",
        "lead_hour": f"{s.lead_hour:,g}",
        "trip": f"{s.trip:,g}",
        "budget.one_off": t("setting.none")
        if s.budget.one_off is None
        else count(s.budget.one_off),
        "budget.yearly": t("setting.none") if s.budget.yearly is None else count(s.budget.yearly),
    }
    rows = [
        {
            "name": t(f"setting.{name}", currency=currency),
            "value": value,
            "source": t(f"source.{s.source(name)}"),
        }
        for name, value in values.items()
    ]
    rows.insert(
        3,
        {
            "name": t("setting.simulated_days"),
            "value": f"{decision.simulated_days:g}",
            "source": t("source.scenario"),
        },
    )
    return rows


def _show(kpi: str, value: float, decimals: int | None = None) -> str:
    """A KPI value in its shown unit (shares as percent), with `decimals` if given."""
    shown = value * kpi_scale(kpi)
    if decimals is None or not np.isfinite(shown):
        return format_number(shown)
    rounded = round(shown, decimals)
    return f"{rounded if rounded != 0 else 0.0:,.{decimals}f}"


def _decimals(kpi: str, mid: float) -> int:
    """Decimals that show a change of `kpi` to a tenth of its minimal important difference."""
    shown = mid * kpi_scale(kpi)
    if not np.isfinite(shown) or shown <= 0:
        return 2
    return max(0, 1 - math.floor(math.log10(shown)))


def effects(comparison: Comparison, decision: Decision, lang: str) -> dict[str, Any]:
    """Per measure (headline first, varying ones only) the baseline and each option's change."""
    t = Words(lang)
    verdicts = decision.verdicts
    judged = list(dict.fromkeys(verdicts.kpi))
    headline = [k for k in HEADLINE_KPIS if k in judged]
    kpis = headline + [k for k in judged if k not in headline]
    options = [o for o in comparison.options if o != comparison.baseline]
    by = verdicts.set_index(["option", "kpi"])
    rows = []
    for kpi in kpis:
        cells = []
        places = _decimals(kpi, float(verdicts[verdicts.kpi == kpi]["mid"].max()))
        for option in options:
            row = by.loc[(option, kpi)]
            low, high = _show(kpi, row.diff_low, places), _show(kpi, row.diff_high, places)
            cells.append(
                {
                    "change": _signed(_show(kpi, row["diff"], places)),
                    "interval": t("interval", low=low, high=high),
                    "verdict": row["verdict"],
                    "words": t(f"verdict.{row['verdict']}"),
                }
            )
        baseline = by.xs(kpi, level="kpi")["baseline_mean"].iloc[0]
        rows.append(
            {
                "label": kpi_label(kpi, lang, currency=decision.currency),
                "headline": kpi in headline,
                "baseline": _show(kpi, baseline),
                "cells": cells,
            }
        )
    constant = [
        f"{kpi_label(k, lang, currency=decision.currency)} = {_show(k, v)}"
        for k, v in decision.constant_kpis.items()
        if k in KPIS and np.isfinite(v)
    ]
    return {
        "options": options,
        "rows": rows,
        "intro": t("effects.intro", confidence=f"{comparison.confidence:.0%}"),
        "constant": t("effects.constant", kpis="; ".join(constant)) if constant else "",
    }


def _signed(text: str) -> str:
    """A shown change with its sign (``+1.20``); zero, negative and missing ones as they are."""
    unsigned = text.lstrip("0.,")
    return text if text.startswith(("-", "\u2013")) or not unsigned else "+" + text


def options(comparison: Comparison, decision: Decision, lang: str) -> list[dict[str, Any]]:
    """Per option its name, scenario texts as written, and its costs against the baseline."""
    costs = decision.costs.set_index("option")
    rows = []
    for name in comparison.options:
        row = costs.loc[name]
        rows.append(
            {
                "name": name,
                "is_baseline": name == comparison.baseline,
                "scenario": comparison.scenarios[name].name,
                "description": comparison.scenarios[name].description.strip(),
                "one_off": count(row.one_off),
                "yearly": count(row.yearly),
                "annualised": count(row.annualised),
                "staff": _signed(count(row.staff)),
                "staff_interval": _pair(Words(lang), row.staff_low, row.staff_high),
                "cost": count(row.cost),
            }
        )
    return rows


def mids(comparison: Comparison, decision: Decision, lang: str) -> list[dict[str, str]]:
    """The minimal important difference of every KPI the comparison measures."""
    t, settings = Words(lang), decision.settings
    rows = []
    for kpi in comparison.kpi_names:
        spec = settings.mid.get(kpi)
        if not spec:
            continue
        rows.append(
            {
                "kpi": kpi,
                "label": kpi_label(kpi, lang, currency=decision.currency),
                "mid": _mid_words(kpi, spec, t),
                "source": t(f"source.{settings.source(f'mid.{kpi}')}"),
            }
        )
    return rows


def _mid_words(kpi: str, spec: Mapping[str, float], t: Words) -> str:
    share = kpi in KPIS and KPIS[kpi].unit == "share"
    parts = []
    if "abs" in spec:
        amount = format_number(spec["abs"] * kpi_scale(kpi))
        parts.append(t("unit.percentage_points", amount=amount) if share else amount)
    if "rel" in spec:
        parts.append(t("unit.of_mean", amount=f"{spec['rel']:.0%}"))
    return parts[0] if len(parts) == 1 else t("unit.or", a=parts[1], b=parts[0])


def all_kpis(comparison: Comparison, lang: str) -> list[dict[str, Any]]:
    """Every option and KPI of the summary, with the KPI's label beside its identifier."""
    summary = comparison.summary()
    return [
        row | {"label": kpi_label(row["kpi"], lang, unit=True)}
        for row in summary.to_dict("records")
    ]
