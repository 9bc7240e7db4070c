"""What the page shows of a finished run, in the decision report's words and rules.

The effects use the report's sections (:func:`wsim.report.sections.effects`: the KPI labels
and units, the change with its paired interval, the minimal-important-difference verdict),
the costs per year come from :meth:`wsim.comparison.Comparison.decision`, and the
waiting-by-hour plot is the report's (:func:`wsim.comparison.plots.hourly_plot`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from wsim.comparison import Comparison, plot_style, plots
from wsim.figures import png_data_uri
from wsim.metrics import HEADLINE_KPIS
from wsim.metrics.catalog import kpi_label, kpi_scale
from wsim.report import sections
from wsim.report.decision_text import count
from wsim.report.formatting import MISSING, format_number

#: Verdicts of a change beyond its minimal important difference.
MATERIAL = ("better", "worse")


def baseline_view(comparison: Comparison) -> list[dict[str, Any]]:
    """The baseline's headline KPIs: label, mean and interval, shown as the report shows them."""
    summary = comparison.summary()
    rows = []
    for kpi in comparison.headline_kpis:
        row = summary[(summary.option == comparison.baseline) & (summary.kpi == kpi)].iloc[0]
        rows.append(
            {
                "kpi": kpi,
                "label": kpi_label(kpi),
                "mean": _shown(kpi, row["mean"]),
                "interval": f"{_shown(kpi, row.ci_low)} to {_shown(kpi, row.ci_high)}",
                "value": float(row["mean"]),
            }
        )
    return rows


def _shown(kpi: str, value: float) -> str:
    """A KPI value as the report shows it (shares in percent)."""
    return format_number(value * kpi_scale(kpi)) if np.isfinite(value) else MISSING


def run_view(comparison: Comparison, option: str, phrases: Sequence[str]) -> dict[str, Any]:
    """Everything the result panel of one run shows (plain values for the template)."""
    decision = comparison.decision()
    effects = sections.effects(comparison, decision, "en")
    index = effects["options"].index(option) if option in effects["options"] else None
    labels = {kpi_label(k, currency=decision.currency): k for k in decision.verdicts.kpi}
    summary = comparison.summary().set_index(["option", "kpi"])
    rows = []
    for row in effects["rows"] if index is not None else []:
        kpi = labels.get(row["label"], "")
        cell = row["cells"][index]
        numbers = summary.loc[(option, kpi)] if (option, kpi) in summary.index else None
        rows.append(
            {
                "kpi": kpi,
                "label": row["label"],
                "headline": row["headline"],
                "baseline": row["baseline"],
                "change": cell["change"],
                "interval": cell["interval"],
                "verdict": cell["verdict"],
                "words": cell["words"],
                "diff": None if numbers is None else float(numbers["diff"]),
            }
        )
    costs = decision.costs.set_index("option").loc[option]
    cost = {
        "per_year": count(costs.cost),
        "per_year_value": float(costs.cost),
        "interval": f"{count(costs.cost_low)} to {count(costs.cost_high)}",
        "one_off": count(costs.one_off),
        "yearly": count(costs.yearly),
        "staff": count(costs.staff),
        "currency": decision.currency,
    }
    return {
        "option": option,
        "rows": rows,
        "constant": effects["constant"],
        "cost": cost,
        "sentence": sentence(phrases, rows, cost),
        "plot": _plot(comparison),
        "replications": comparison.replications,
        "seed": comparison.seed,
    }


def sentence(phrases: Sequence[str], rows: Sequence[dict[str, Any]], cost: dict[str, Any]) -> str:
    """One sentence of what changed, what it did to a measure, and its cost per year.

    The measure is the first one whose change is material (better or worse beyond its minimal
    important difference), headline measures before the others, so that a change the
    headline does not see (a sync interval moves lead times, not hall waits) is still named;
    without a material change, the first headline measure. It starts with "With" rather than
    a capitalised first phrase: phrases begin with names from the scenario
    (``social_security``), which keep the case the file gives them.
    """
    what = "; ".join(phrases) if phrases else "nothing changed"
    ordered = sorted(rows, key=lambda row: row["kpi"] not in HEADLINE_KPIS)
    first = next((row for row in ordered if row["verdict"] in MATERIAL), None) or next(
        (row for row in rows if row["kpi"] in HEADLINE_KPIS), None
    )
    effect = (
        f"the {first['label']} changes by {first['change']} ({first['interval']}): {first['words']}"
        if first
        else "no measure varies"
    )
    if cost["per_year_value"] < 0:
        money = f"it saves {count(-cost['per_year_value'])} {cost['currency']} a year"
    else:
        money = f"it costs {cost['per_year']} {cost['currency']} a year"
    return f"With {what}: {effect}; {money}."


def _plot(comparison: Comparison) -> dict[str, str]:
    """The waiting-by-hour plot (baseline and option), wide and narrow, as data URIs."""
    hourly = comparison.hourly_summary()
    return {
        "wide": png_data_uri(plots.hourly_plot(comparison, "wait_mean", hourly)),
        "narrow": png_data_uri(
            plots.hourly_plot(comparison, "wait_mean", hourly, narrow=True),
            plot_style.NARROW_DPI,
        ),
    }
