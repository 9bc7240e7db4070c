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
from wsim.report import sections
from wsim.report.decision_text import column_titles, decision_rows, shown_columns, summarize
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
        "ce": sections.cost_effectiveness(made, lang),
        "settings": sections.settings(made, lang),
        "effects": sections.effects(comparison, made, lang),
        "options": sections.options(comparison, made, lang),
        "figures": _figures(comparison, made, lang),
        "plots_in_english": lang == "zh" and plot_language(lang) == "en",
        "cases_note": None if comparison.has_cases() else t("plots.no_cases"),
        "tables_note": _tables_note(comparison, t),
        "changes": _changes(comparison),
        "mids": sections.mids(comparison, made, lang),
        "all_kpis": sections.all_kpis(comparison, lang),
        "precision": _precision(comparison, t),
        "reproducibility": _reproducibility(comparison),
        "narrow_below": NARROW_BELOW,
    }


def _figures(comparison: Comparison, decision: Decision, lang: str) -> dict[str, list]:
    """The report's plots by section, each a wide and a narrow embedded PNG with its words."""
    t = Words(lang)
    confidence = f"{comparison.confidence:.0%}"
    value = money(decision.value, decision.currency, lang)
    hourly = comparison.hourly_summary()
    several = len(comparison.options) > 1
    groups: dict[str, list[tuple[str, str, Callable[..., Any]]]] = {"ce": [], "effects": []}
    if several:
        groups["ce"] = [
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
            groups["effects"] = [
                (
                    "figure.effects",
                    t("figure.effects_caption", confidence=confidence),
                    lambda **kw: plots.forest(comparison, verdicts=decision.verdicts, **kw),
                )
            ]
    groups["day"] = [
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
        groups["day"] += [
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
        for section, specs in groups.items()
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
