"""The HTML report of a comparison: one self-contained file for decision makers.

``write_report(comparison, "report.html")`` writes a page that opens in any browser without a
network: plots are PNG images embedded as base64, styles are inline, there is no script. It
shows per option its cost, the headline KPIs with 95% intervals, the change against the
baseline with its paired interval, a ranking, plots (effects with intervals, cost against
effect, waiting, queue length and window utilization by hour, lead-time and trips
distributions when cases are recorded), what each option changes in the scenario, and a
reproducibility block (wsim version, scenario digests, seed, replications, date, run time).

Every text from scenario files goes through Jinja2's autoescaping, so a scenario name such as
``<script>`` is shown as text, never run as markup.
"""

from __future__ import annotations

import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wsim._version import __version__
from wsim.comparison import Comparison, plots
from wsim.figures import png_data_uri
from wsim.files import write_bytes_atomic
from wsim.metrics import KPI_DESCRIPTIONS
from wsim.report.formatting import format_number, format_percent
from wsim.scenario.overlays import format_value

TEMPLATE = "report.html.j2"
TEMPLATES = Path(__file__).parent / "templates"


def write_report(comparison: Comparison, path: str | os.PathLike) -> Path:
    """Render the report of `comparison` and write it to `path` (atomically)."""
    path = Path(path)
    html = render_report(comparison)
    return write_bytes_atomic(path, html.encode("utf-8"))


def render_report(comparison: Comparison) -> str:
    """The report of `comparison` as an HTML string."""
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
    return environment.get_template(TEMPLATE).render(**report_context(comparison))


def report_context(comparison: Comparison) -> dict[str, Any]:
    """Everything the template shows, as plain values (numbers, strings, lists, dicts)."""
    summary = comparison.summary()
    headline = comparison.headline_kpis or comparison.kpi_names
    primary = comparison.primary_kpi
    return {
        "title": f"Reform options for {comparison.scenarios[comparison.baseline].name}",
        "baseline": comparison.baseline,
        "options": _options(comparison),
        "headline": headline,
        "descriptions": _kpi_descriptions(headline),
        "better": {k: comparison.better.get(k) for k in comparison.kpi_names},
        "cells": _cells(summary, headline),
        "verdicts": _verdicts(comparison, summary, headline),
        "primary": primary,
        "ranking": comparison.ranking().to_dict("records") if primary else [],
        "costs": comparison.costs().to_dict("records"),
        "has_staff_cost": "staff_cost" in comparison.kpi_names,
        "changes": _changes(comparison),
        "all_kpis": summary.to_dict("records"),
        "figures": _figures(comparison),
        "cases_note": None
        if comparison.has_cases()
        else "These scenarios record no case table (lead time, trips), so the lead-time and "
        "trips distributions are not shown.",
        "tables_note": _tables_note(comparison),
        "precision": comparison.info.get("precision"),
        "reproducibility": _reproducibility(comparison),
        "confidence": f"{comparison.confidence:.0%}",
    }


def _options(comparison: Comparison) -> list[dict[str, Any]]:
    costs = comparison.costs().set_index("option")
    return [
        {
            "name": name,
            "is_baseline": name == comparison.baseline,
            "scenario": comparison.scenarios[name].name,
            "description": comparison.scenarios[name].description.strip(),
            "cost": costs.loc[name].to_dict(),
        }
        for name in comparison.options
    ]


def _kpi_descriptions(kpis: list[str]) -> dict[str, str]:
    return {k: KPI_DESCRIPTIONS.get(k, "") for k in kpis}


def _cells(summary: pd.DataFrame, kpis: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """Option -> kpi -> the summary row (mean, interval, change, verdict)."""
    cells: dict[str, dict[str, dict[str, Any]]] = {}
    for row in summary[summary.kpi.isin(kpis)].to_dict("records"):
        cells.setdefault(row["option"], {})[row["kpi"]] = row
    return cells


def _verdicts(
    comparison: Comparison, summary: pd.DataFrame, kpis: list[str]
) -> dict[str, list[str]]:
    """Per option, one plain sentence per headline KPI about its change against the baseline."""
    rows = summary.set_index(["option", "kpi"])
    order = comparison.ranking().option if comparison.primary_kpi else comparison.options
    verdicts = {}
    for option in order:
        if option == comparison.baseline:
            continue
        sentences = []
        for kpi in kpis:
            row = rows.loc[(option, kpi)].to_dict()
            if not np.isfinite(row["diff"]):
                continue
            base = format_number(rows.loc[(comparison.baseline, kpi), "mean"])
            mean = format_number(row["mean"])
            change = format_number(row["diff"])
            interval = (
                f"{comparison.confidence:.0%} interval {format_number(row['diff_low'])} "
                f"to {format_number(row['diff_high'])}"
            )
            if not row["significant"]:
                sentences.append(
                    f"{kpi}: no clear change ({base} -> {mean}; change {change}, {interval})"
                )
                continue
            word = {True: "better", False: "worse"}.get(row["better"], "changed")
            relative = format_percent(row["rel_change"])
            sentences.append(
                f"{kpi}: {word}, {base} -> {mean} (change {change}, {relative}; {interval})"
            )
        verdicts[option] = sentences
    return verdicts


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


def _figures(comparison: Comparison) -> list[dict[str, str]]:
    """The report's plots as embedded PNG data URIs, with a title and a caption each."""
    hourly = comparison.hourly_summary()
    compared = [
        (
            "Effects with intervals",
            "Change of each option against the baseline; bars are paired "
            f"{comparison.confidence:.0%} intervals; green: significantly better, red: worse.",
            lambda: plots.forest(comparison),
        ),
        (
            "Cost against effect",
            "Yearly cost of each option against its change of the ranking KPI.",
            lambda: plots.cost_effect(comparison),
        ),
    ]
    specs = compared if len(comparison.options) > 1 else []
    specs += [
        (
            "Waiting by hour of day",
            "Mean wait of served tickets by hour of arrival (band: 95% over replications).",
            lambda: plots.hourly_plot(comparison, "wait_mean", hourly),
        ),
        (
            "Queue length over the day",
            "Time-average number of citizens waiting in the hall, by hour.",
            lambda: plots.hourly_plot(comparison, "queue_mean", hourly),
        ),
        (
            "Window utilization by hour",
            "Busy window-minutes over scheduled window-minutes, by hour; above 1 where "
            "clerks finish their citizens after the schedule closes windows (e.g. at lunch).",
            lambda: plots.hourly_plot(comparison, "utilization", hourly),
        ),
    ]
    if comparison.has_cases():
        specs += [
            (
                "Lead-time distribution",
                "Share of completed cases decided within a given number of days.",
                lambda: plots.lead_time_distribution(comparison),
            ),
            (
                "Trips per case",
                "Share of cases by the number of trips to the hall.",
                lambda: plots.trips_distribution(comparison),
            ),
        ]
    return [
        {"title": title, "caption": caption, "src": png_data_uri(make())}
        for title, caption, make in specs
    ]


def _tables_note(comparison: Comparison) -> str | None:
    keep = comparison.info.get("keep_tables")
    if keep is None or keep >= comparison.replications:
        return None
    return (
        f"Hourly plots and distributions use the first {keep} of {comparison.replications} "
        "replications of each option; KPI tables use all of them."
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
