"""The fit report: what was fitted, from which rows, how well, and what the model misses.

A folder with ``report.html`` (self-contained: plots embedded as base64 PNG), every table as
CSV, the plots as PNG files and the fitted ``scenario.yaml``. Each file is written to a
temporary name and renamed, so an interrupted run never leaves a half-written file under a
final name.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from wsim.calibrate import FitResult, Validation
from wsim.calibrate.arrivals import MIN_PER_SLOT
from wsim.calibrate.holdout import Holdout
from wsim.figures import png_bytes
from wsim.files import write_bytes_atomic, write_table_atomic, write_text_atomic


def _html_table(table: pd.DataFrame, digits: int = 4) -> Markup:
    formatted = table.to_html(
        index=False,
        escape=True,
        border=0,
        na_rep="",
        float_format=lambda x: f"{x:,.0f}" if abs(x) >= 10**digits else f"{x:.{digits}g}",
        classes="table",
    )
    return Markup(formatted)


def _tables(
    result: FitResult, validation: Validation | None, holdout: Holdout | None
) -> dict[str, pd.DataFrame]:
    tables = result.tables()
    if validation is not None:
        tables |= validation.tables()
    if holdout is not None:
        tables |= holdout.tables()
    return tables


def _figures(
    result: FitResult, validation: Validation | None, holdout: Holdout | None
) -> dict[str, Figure]:
    figures = {
        "arrivals": result.plot_arrivals(),
        "service_times": result.plot_service_times(),
        "servers": result.plot_servers(),
    }
    if result.patience is not None:
        figures["patience"] = result.plot_patience()
    if validation is not None:
        figures["validation"] = validation.plot_hourly()
    if holdout is not None:
        figures["holdout"] = holdout.plot_hourly()
    return figures


def missing_notes(result: FitResult) -> list[str]:
    """What the fitted scenario cannot say, in words (shown in the report)."""
    default = result.servers["default"]
    notes = [
        "Staffing differs from date to date within a day type; the scenario has one schedule "
        "per day type (the ready servers averaged over its dates, times its capacity scale), "
        "so a day staffed unlike the average is predicted as the average.",
        "One window group serving every service: servers who only serve some services "
        "(skills) are not modelled; the window counts are totals.",
        f"Windows per slot are estimated ({default.estimator}); the log does not say when "
        "servers were at their windows, only when they served. After-call work and other "
        "duties done while nobody waited are counted as ready; the capacity scale corrects "
        "the level of each day type, not the hour-by-hour shape.",
        "Patience classes with fewer abandonments than the minimum take the pooled fit "
        "(the patience_classes table).",
    ]
    if result.log.layout.priority is None:
        notes.append(
            "No priority: the column mapping names no priority column, so all tickets of a "
            "service share one first-come-first-served queue."
        )
    return notes


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Fit report: {{ name }}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table.table { border-collapse: collapse; font-size: 12px; margin: 0.5em 0 1.5em; }
table.table td, table.table th { padding: 2px 8px; border-bottom: 1px solid #ddd; }
img { max-width: 100%; } code { background: #f4f4f4; padding: 0 3px; }
</style></head><body>
<h1>Fit report: {{ name }}</h1>
<p>Log <code>{{ source }}</code>: {{ rows_read }} rows read, {{ usable }} usable tickets,
{{ fitted }} fitted. Column mapping: <code>{{ mapping }}</code>. Time resolution of the log:
{{ resolution }}.</p>
<p><b>Day types</b> ({{ grouping }}); each day type is fitted on its own dates and hours
(figures below: the default day type; every day type is in the CSV tables).</p>
{{ tables.day_types }}
<h2>Rows not used as they were</h2>
<p>Every row that was dropped, repaired or only partly used, with the reason.</p>
{{ tables.cleaning }}
<h2>Arrivals</h2>
<p>Per service: tickets fitted, mean per day, the profile used (a service with fewer than
{{ min_per_slot }} tickets per slot takes the profile of all services) and the Poisson dispersion
of the counts per date and slot under "day volume x profile" (about 1 when the days differ only
by chance; above 1 when their shapes differ).</p>
{{ tables.arrivals_quality }}
<img src="{{ images.arrivals }}" alt="arrivals">
<h2>Window times</h2>
<p>Candidates fitted by maximum likelihood (the log's time resolution taken into account),
ranked by AIC; the first of each service is chosen. KS is the Kolmogorov-Smirnov distance
(descriptive).</p>
{{ tables.service_candidates }}
<img src="{{ images.service_times }}" alt="window times">
<p>Window speed by band of the day (fitted mean window times over logged ones, 95% interval);
with more than one band each band has its own window group at that speed. The bands are
chosen from the data unless given (splits tried below).</p>
{{ tables.speed_bands }}
{% if 'speed_band_search' in tables %}{{ tables.speed_band_search }}{% endif %}
<p>Window speed per day type: a day type's own factor on the bands' speeds (fitted means over
logged window times, 95% interval) is kept when twice its quasi-likelihood gain exceeds the
penalty (AIC, one parameter); otherwise it has the pooled speeds (factor 1). A day type with
its own factor is staffed in window groups of its own at the bands' speeds times the factor.</p>
{{ tables.day_type_speeds }}
{% if images.patience %}
<h2>Patience</h2>
<p>Waits of citizens who abandoned are events, waits of those served are censored
(patience was longer). Kaplan-Meier (with Greenwood 95% band) and parametric fits by maximum
likelihood over both; per class (service, priority) the fit with the lowest AIC is that
class's patience, and classes with too few abandonments take the pooled ("all") fit.</p>
{{ tables.patience_classes }}
{{ tables.patience_candidates }}
<img src="{{ images.patience }}" alt="patience">
{% endif %}
<h2>Windows per slot</h2>
<p>Estimator: {{ estimator }}. Means over the fitted dates (fractional: the schedule keeps
the average by splitting each slot between the two nearest whole counts); the scheduled
windows are the estimate times the day type's capacity scale, at least one in an open slot.</p>
{% if 'capacity_scale' in tables %}<p>Capacity scale per day type: the factor at which the
simulated windows serve as many tickets a day as the log (every trial shown).</p>
{{ tables.capacity_scale }}{% endif %}
<img src="{{ images.servers }}" alt="servers">
{{ tables.servers_by_slot }}
<p>Tickets served per server and service (a server who serves only some services is a
specialist; the scenario's one window group serves every service).</p>
{{ tables.served_by_server }}
{% if validation %}
<h2>Validation: simulated against the log</h2>
<p>{{ validation_text }}</p>
{{ tables.validation_overall }}
<p>Hourly curves: correlation of simulated and observed, mean absolute difference, share of
hours whose intervals overlap.</p>
{{ tables.validation_shape }}
<img src="{{ images.validation }}" alt="validation">
<p>By service (overall):</p>
{{ tables.validation_by_service }}
{% endif %}
{% if holdout %}
<h2>Holdout: days not used in the fit</h2>
<p>{{ holdout_text }}</p>
{{ tables.holdout }}
<p>Held-out dates one by one (simulated: mean over replications):</p>
{{ tables.holdout_by_date }}
<p>Folds (each fits on its fitting dates only):</p>
{{ tables.holdout_folds }}
{% if holdout_unpredicted %}<p>Held-out dates that could not be predicted (no fitting date of
their day type in their fold):</p>{{ tables.holdout_unpredicted }}{% endif %}
<p>Hourly curves of the held-out days:</p>
{{ tables.held_out_validation_shape }}
<img src="{{ images.holdout }}" alt="holdout">
{% endif %}
<h2>What the model does not capture</h2>
<ul>{% for note in notes %}<li>{{ note }}</li>{% endfor %}</ul>
<p>Tables are in this folder as CSV files; the scenario is <code>scenario.yaml</code>.</p>
</body></html>
"""


def write_fit_report(
    result: FitResult,
    folder: str | os.PathLike,
    validation: Validation | None = None,
    holdout: Holdout | None = None,
) -> Path:
    """Write report.html, the CSV tables, the PNG plots and scenario.yaml into ``folder``.

    ``validation`` (the fit on its own dates) and ``holdout`` (fits on some dates, validated on
    the others) add their sections: the split, the errors on held-out and fitted days.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    tables = _tables(result, validation, holdout)
    for name, table in tables.items():
        write_table_atomic(table, out / f"{name}.csv")
    images = {}
    for name, figure in _figures(result, validation, holdout).items():
        data = png_bytes(figure, dpi=100)
        write_bytes_atomic(out / f"{name}.png", data)
        images[name] = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    result.to_yaml(out / "scenario.yaml")
    shown = {
        name: table
        for name, table in tables.items()
        if name not in ("patience_km", "arrivals_by_slot", "weekdays", "validation_hourly")
        and not name.endswith(("_validation_hourly", "_validation_overall"))
    }
    validation_text = ""
    if validation is not None:
        validation_text = (
            f"{validation.replications} replications (seed {validation.seed}) against "
            f"{len(validation.dates)} {validation.label} days, each simulated as its day "
            f"type; target wait {validation.target_wait:g} min. "
            "Intervals are 95%: simulated over replications, observed over the logged days. "
            "error = simulated / observed - 1."
        )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.from_string(_TEMPLATE).render(
        name=result.name,
        source=result.log.source,
        rows_read=result.log.rows_read,
        usable=len(result.log.tickets),
        fitted=len(result.tickets),
        mapping=result.log.layout.describe(),
        resolution=_resolution_text(result.log.resolution),
        grouping=result.grouping,
        tables={name: _html_table(table) for name, table in shown.items()},
        images={**{"patience": ""}, **images},
        min_per_slot=MIN_PER_SLOT,
        estimator=result.servers["default"].estimator,
        validation=validation is not None,
        validation_text=validation_text,
        holdout=holdout is not None,
        holdout_text=_holdout_text(holdout),
        holdout_unpredicted=holdout is not None and not holdout.unpredicted.empty,
        notes=missing_notes(result),
    )
    write_text_atomic(out / "report.html", html)
    return out / "report.html"


def _holdout_text(holdout: Holdout | None) -> str:
    if holdout is None:
        return ""
    held = holdout.held_out
    return (
        f"Split: {holdout.scheme} ({len(holdout.folds)} folds; leave-one-day-out holds each "
        "date out in turn). Each fold's scenario is fitted on its fitting dates only and "
        f"predicts its held-out dates; {held.replications} replications (seed {held.seed}), "
        f"target wait {held.target_wait:g} min. Rows 'held-out': the predictions of dates the fit "
        "did not see; rows 'fitted': the same fits on their own dates (the overfitting guard). "
        "error = simulated / observed - 1."
    )


def _resolution_text(resolution: float) -> str:
    if resolution >= 1:
        return "whole minutes"
    if resolution > 0:
        return "whole seconds"
    return "exact (fractions of a second)"
