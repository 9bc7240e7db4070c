"""The HTML decision report of a comparison: one self-contained file for leadership.

``write_report(comparison, "report.html")`` writes a page that opens in any browser without a
network: plots are PNG images embedded as base64 (each in a wide and a phone-width variant),
styles are inline, there is no script. The first screen is the decision: for the stated budget
(or none) the recommended option (or the optimizer's portfolio), its cost per year, what
citizens gain per year with intervals, the net benefit, and the runner-up with why it lost.
Then cost-effectiveness (options by cost, dominance, ICERs, the cost-effectiveness plane, the
acceptability curve, the assumptions), the changes per measure under the
minimal-important-difference rule, the options and their costs, the day in the hall, and a
technical appendix (what each option changes in the scenario, every KPI by its identifier, the
MIDs, reproducibility). ``lang="zh"`` writes it in Chinese (scenario texts as written).

Every text from scenario files goes through Jinja2's autoescaping, so a scenario name such as
``<script>`` is shown as text, never run as markup.

The portfolio optimizer's entry point is ``portfolio=``: a
:class:`~wsim.comparison.decision_settings.PortfolioChoice` naming the option of the
comparison that is its simulated portfolio, with the chosen levers.
"""

from __future__ import annotations

import math
import os
import platform
import sys
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wsim._version import __version__
from wsim.comparison import Comparison, decision_plots, plot_style, plots
from wsim.comparison.decision import Decision
from wsim.comparison.decision_settings import PortfolioChoice
from wsim.figures import plot_language, png_data_uri
from wsim.files import write_bytes_atomic
from wsim.metrics.catalog import HEADLINE_KPIS, KPIS, kpi_label, kpi_scale
from wsim.report.decision_text import (
    column_titles,
    count,
    decision_rows,
    shown_columns,
    summarize,
)
from wsim.report.formatting import format_number, format_percent
from wsim.scenario.overlays import format_value
from wsim.texts import Words, money

TEMPLATE = "report.html.j2"
TEMPLATES = Path(__file__).parent / "templates"
#: Viewport width (CSS pixels) below which the report shows the narrow variant of each plot.
NARROW_BELOW = 700


def write_report(
    comparison: Comparison,
    path: str | os.PathLike,
    *,
    lang: str = "en",
    decision: Decision | Mapping[str, Any] | None = None,
    portfolio: PortfolioChoice | None = None,
) -> Path:
    """Render the report of `comparison` and write it to `path` (atomically).

    Parameters
    ----------
    comparison : Comparison
        The options, run with common random numbers.
    path : path
        Where to write the HTML file.
    lang : {"en", "zh"}
        Language of every label and heading (scenario texts are shown as written).
    decision : Decision or mapping, optional
        The decision already made (:meth:`Comparison.decision`), or overrides of its
        assumptions in the shape of the scenario's ``decision`` block (a budget, values).
    portfolio : PortfolioChoice, optional
        The portfolio optimizer's result: its ``option`` is the comparison's option that is
        the simulated portfolio; the report recommends it when it wins and says why when not.
    """
    html = render_report(comparison, lang=lang, decision=decision, portfolio=portfolio)
    return write_bytes_atomic(Path(path), html.encode("utf-8"))


def render_report(
    comparison: Comparison,
    *,
    lang: str = "en",
    decision: Decision | Mapping[str, Any] | None = None,
    portfolio: PortfolioChoice | None = None,
) -> str:
    """The report of `comparison` as an HTML string (parameters as :func:`write_report`)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["num"] = format_number
    environment.filters["pct"] = format_percent
    context = report_context(comparison, lang=lang, decision=decision, portfolio=portfolio)
    return environment.get_template(TEMPLATE).render(**context)


def make_decision(
    comparison: Comparison,
    decision: Decision | Mapping[str, Any] | None = None,
    portfolio: PortfolioChoice | None = None,
) -> Decision:
    """`decision` if it is one, else the comparison's decision with those overrides."""
    if isinstance(decision, Decision):
        if portfolio is not None and decision.portfolio is not portfolio:
            raise ValueError("give the portfolio to Comparison.decision(), not beside a decision")
        return decision
    return comparison.decision(portfolio=portfolio, decision=decision)


def report_context(
    comparison: Comparison,
    *,
    lang: str = "en",
    decision: Decision | Mapping[str, Any] | None = None,
    portfolio: PortfolioChoice | None = None,
) -> dict[str, Any]:
    """Everything the template shows, as plain values (numbers, strings, lists, dicts)."""
    t = Words(lang)
    made = make_decision(comparison, decision, portfolio)
    base = comparison.scenarios[comparison.baseline]
    confidence = f"{comparison.confidence:.0%}"
    currency = "元" if lang == "zh" and made.currency == "CNY" else made.currency
    return {
        "t": t,
        "lang": lang,
        "title": t("report.title", center=base.name),
        "subtitle": t(
            "report.subtitle",
            reforms=len(comparison.options) - 1,
            baseline=comparison.baseline,
            reps=comparison.replications,
            days=f"{made.simulated_days:g}",
        ),
        "summary": summarize(made, lang),
        "columns": column_titles(made, lang),
        "shown": shown_columns(made)[2:],
        "rows": decision_rows(made, lang),
        "confidence": confidence,
        "currency": currency,
        "ce": _cost_effectiveness(made, lang),
        "settings": _settings(made, lang),
        "effects": _effects(comparison, made, lang),
        "options": _options(comparison, made, lang),
        "figures": _figures(comparison, made, lang),
        "plots_in_english": lang == "zh" and plot_language(lang) == "en",
        "cases_note": None if comparison.has_cases() else t("plots.no_cases"),
        "tables_note": _tables_note(comparison, t),
        "changes": _changes(comparison),
        "mids": _mids(comparison, made, lang),
        "all_kpis": _all_kpis(comparison, lang),
        "precision": _precision(comparison, t),
        "reproducibility": _reproducibility(comparison),
        "narrow_below": NARROW_BELOW,
    }


def _cost_effectiveness(decision: Decision, lang: str) -> dict[str, Any]:
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


def _settings(decision: Decision, lang: str) -> list[dict[str, str]]:
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


def _effects(comparison: Comparison, decision: Decision, lang: str) -> dict[str, Any]:
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


def _options(comparison: Comparison, decision: Decision, lang: str) -> list[dict[str, Any]]:
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


def _figures(comparison: Comparison, decision: Decision, lang: str) -> dict[str, list]:
    """The report's plots by section, each a wide and a narrow embedded PNG with its words."""
    t = Words(lang)
    confidence = f"{comparison.confidence:.0%}"
    value = money(decision.value, decision.currency, lang)
    hourly = comparison.hourly_summary()
    several = len(comparison.options) > 1
    sections: dict[str, list[tuple[str, str, Callable[..., Any]]]] = {"ce": [], "effects": []}
    if several:
        sections["ce"] = [
            (
                "figure.plane",
                t("figure.plane_caption", value=value),
                lambda **kw: decision_plots.ce_plane(decision, **kw),
            ),
            (
                "figure.acceptability",
                t("figure.acceptability_caption"),
                lambda **kw: decision_plots.acceptability_plot(decision, **kw),
            ),
        ]
        if not decision.verdicts.empty:
            sections["effects"] = [
                (
                    "figure.effects",
                    t("figure.effects_caption", confidence=confidence),
                    lambda **kw: plots.forest(comparison, verdicts=decision.verdicts, **kw),
                )
            ]
    sections["day"] = [
        (
            f"figure.{name}",
            t(f"figure.{name}_caption"),
            lambda measure=measure, **kw: plots.hourly_plot(comparison, measure, hourly, **kw),
        )
        for name, measure in (
            ("wait", "wait_mean"),
            ("queue", "queue_mean"),
            ("utilization", "utilization"),
        )
    ]
    if comparison.has_cases():
        end = plots.lead_time_axis_end(comparison)
        sections["day"] += [
            (
                "figure.lead",
                t("figure.lead_caption", days=format_number(end)),
                lambda **kw: plots.lead_time_distribution(comparison, **kw),
            ),
            (
                "figure.trips",
                t("figure.trips_caption"),
                lambda **kw: plots.trips_distribution(comparison, **kw),
            ),
        ]
    return {
        section: [
            {
                "title": t(key),
                "caption": caption,
                "alt": t("figure.alt", title=t(key)),
                "wide": png_data_uri(make(lang=lang, narrow=False)),
                "narrow": png_data_uri(make(lang=lang, narrow=True), plot_style.NARROW_DPI),
            }
            for key, caption, make in specs
        ]
        for section, specs in sections.items()
    }


def _tables_note(comparison: Comparison, t: Words) -> str | None:
    keep = comparison.info.get("keep_tables")
    if keep is None or keep >= comparison.replications:
        return None
    return t("plots.tables_note", keep=keep, reps=comparison.replications)


def _changes(comparison: Comparison) -> dict[str, list[dict[str, str]]]:
    table = comparison.changes()
    found: dict[str, list[dict[str, str]]] = {o: [] for o in comparison.options}
    for row in table.to_dict("records"):
        found[row["option"]].append(
            {
                "path": row["path"],
                "old": format_value(row["baseline"]),
                "new": format_value(row["value"]),
            }
        )
    return found


def _mids(comparison: Comparison, decision: Decision, lang: str) -> list[dict[str, str]]:
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


def _all_kpis(comparison: Comparison, lang: str) -> list[dict[str, Any]]:
    summary = comparison.summary()
    return [
        row | {"label": kpi_label(row["kpi"], lang, unit=True)}
        for row in summary.to_dict("records")
    ]


def _precision(comparison: Comparison, t: Words) -> str | None:
    precision = comparison.info.get("precision")
    if not precision:
        return None
    key = "appendix.precision_reached" if precision["reached"] else "appendix.precision_missed"
    return t(
        key,
        confidence=f"{comparison.confidence:.0%}",
        precision=f"{precision['precision']:.1%}",
        reps=comparison.replications,
    )


def _reproducibility(comparison: Comparison) -> dict[str, Any]:
    import matplotlib
    import simpy

    info = comparison.info
    run_time = info.get("run_time_s")
    return {
        "wsim_version": __version__,
        "python": f"{platform.python_version()} ({sys.platform})",
        "libraries": f"numpy {np.__version__}, pandas {pd.__version__}, simpy "
        f"{simpy.__version__}, matplotlib {matplotlib.__version__}",
        "seed": comparison.seed,
        "replications": comparison.replications,
        "started": info.get("started", ""),
        "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "run_time": "" if run_time is None else f"{run_time:,.1f} s",
        "executor": info.get("executor", ""),
        "out": info.get("out"),
        "command": info.get("command"),
        "scenarios": [
            {
                "option": name,
                "name": scenario.name,
                "digest": scenario.digest(),
                "source": "" if scenario.source is None else str(scenario.source),
            }
            for name, scenario in comparison.scenarios.items()
        ],
    }
