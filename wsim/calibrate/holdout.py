"""Validation on days the fit has not seen: holdout splits of a log's dates.

A split divides the log's dates into *fitting* dates and *held-out* dates. The fit
(:func:`wsim.calibrate.fit`) is given the fitting dates only (``dates=``), so nothing of a
held-out date enters it: not its volume, profile, window times, patience, ready servers or
capacity scale. The fitted scenario then predicts each held-out date (its day type's scenario
on that date's weekday, :func:`wsim.calibrate.validate.simulate_dates`), and the predictions of
all folds are pooled per day type and overall. The same fits also simulate their own fitting
dates, so the errors on fitted days and on held-out days are reported side by side (a model
that is much better on its own days is overfitted).

Schemes:

- ``"day"``: leave one date out (one fold per date). The default for a log of one week.
- ``"week"``: leave one week out (ISO weeks; one fold per week), for logs of several weeks.
- an explicit list of dates: one fold holding those dates out.

The grouping of weekdays into day types is decided once, from the whole log (or given): which
days are short is part of the calendar a planner knows in advance; every number of the
scenario is fitted per fold. A held-out date whose day type has no fitting date in its fold
(the only Friday of a week) cannot be predicted and is listed as such.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from wsim.calibrate.daytypes import group_weekdays, parse_day_types
from wsim.calibrate.fitting import FitResult, fit
from wsim.calibrate.layout import LogError, LogLayout, make_layout
from wsim.calibrate.logs import TicketLog, read_log
from wsim.calibrate.selection import parse_days
from wsim.calibrate.validate import (
    MEASURES,
    Validation,
    compare,
    measures,
    observed_tickets,
    simulate_dates,
)
from wsim.files import write_table_atomic
from wsim.scenario.calendar import WEEKDAYS

SCHEMES = ("day", "week")


@dataclass(frozen=True)
class Split:
    """One fold: the dates it fits on and the dates it holds out."""

    label: str
    fitting: tuple[pd.Timestamp, ...]
    held_out: tuple[pd.Timestamp, ...]


def splits(dates: Sequence[pd.Timestamp], scheme: str | Sequence) -> list[Split]:
    """The folds of `dates` under `scheme` (``"day"``, ``"week"`` or dates to hold out)."""
    dates = tuple(sorted(pd.Timestamp(d) for d in set(dates)))
    if isinstance(scheme, str) and scheme in SCHEMES:
        key = (lambda d: d) if scheme == "day" else (lambda d: tuple(d.isocalendar())[:2])
        groups: dict[Any, list] = {}
        for date in dates:
            groups.setdefault(key(date), []).append(date)
        if len(groups) < 2:
            raise LogError(
                f"holdout {scheme!r}: the log has only one {scheme}; hold out days instead"
            )
        folds = []
        for name, out in groups.items():
            label = out[0].strftime("%Y-%m-%d") if scheme == "day" else f"{name[0]}-W{name[1]:02d}"
            folds.append(Split(label, tuple(d for d in dates if d not in out), tuple(out)))
        return folds
    if isinstance(scheme, str):
        scheme = scheme.split(",")
    try:
        out = tuple(sorted({pd.Timestamp(str(d).strip()) for d in scheme}))
    except ValueError:
        raise LogError(
            f"holdout: expected day, week or dates like 1999-08-03,1999-08-04; found {scheme!r}"
        ) from None
    unknown = [d.strftime("%Y-%m-%d") for d in out if d not in dates]
    if unknown:
        raise LogError(f"holdout: no tickets on {', '.join(unknown)} in the log")
    fitting = tuple(d for d in dates if d not in out)
    if not fitting:
        raise LogError("holdout: every date is held out; nothing is left to fit")
    return [Split("given dates", fitting, out)]


@dataclass
class Holdout:
    """Errors on held-out days and on fitted days, from the folds of a split.

    ``held_out`` and ``fitted``: :class:`Validation` of the pooled predictions (held-out dates
    by the fold that did not see them; fitting dates by every fold that fitted on them).
    ``folds``: per fold, its label and dates. ``unpredicted``: held-out dates whose day type
    had no fitting date in their fold. ``by_date``: per held-out date, observed and simulated
    (mean over replications) of each measure. ``table()`` puts held-out and fitted side by
    side.
    """

    held_out: Validation
    fitted: Validation
    folds: pd.DataFrame
    unpredicted: pd.DataFrame
    by_date: pd.DataFrame
    scheme: str

    def table(self) -> pd.DataFrame:
        """Per group and measure: observed, simulated and error on held-out and fitted days."""
        columns = [
            "group",
            "measure",
            "dates",
            "observed",
            "simulated",
            "sim_low",
            "sim_high",
            "obs_low",
            "obs_high",
            "error",
        ]
        held = self.held_out.overall[columns].assign(days="held-out")
        fitted = self.fitted.overall[columns].assign(days="fitted")
        return pd.concat([held, fitted], ignore_index=True)[["days", *columns]]

    def text(self) -> str:
        """The split, the side-by-side table and the hourly correlations, as text."""
        table = self.table().set_index(["days", "group", "measure"])
        shape = pd.concat(
            [
                self.held_out.shape.assign(days="held-out"),
                self.fitted.shape.assign(days="fitted"),
            ]
        ).set_index(["days", "group", "measure"])[["correlation", "hours"]]
        lines = [
            f"holdout ({self.scheme}): {len(self.folds)} folds; "
            f"{self.held_out.replications} replications (seed {self.held_out.seed}); target "
            f"wait {self.held_out.target_wait:g} min; error = simulated / observed - 1",
            table.to_string(float_format=lambda x: f"{x:,.4g}"),
            "",
            "held-out dates one by one (simulated: mean over replications):",
            self.by_date.pivot(index=["date", "group"], columns="measure")
            .reindex(columns=["observed", "simulated", "error"], level=0)
            .to_string(float_format=lambda x: f"{x:,.3g}"),
            "",
            "hourly correlation (simulated vs observed curves):",
            shape.to_string(float_format=lambda x: f"{x:,.3g}"),
        ]
        if not self.unpredicted.empty:
            lines += [
                "",
                "held-out dates not predicted (no fitting date of their day type):",
                self.unpredicted.to_string(index=False),
            ]
        return "\n".join(lines)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, by name."""
        tables = {
            "holdout": self.table(),
            "holdout_by_date": self.by_date,
            "holdout_folds": self.folds,
            "holdout_unpredicted": self.unpredicted,
        }
        for name, validation in (("held_out", self.held_out), ("fitted", self.fitted)):
            tables |= {f"{name}_{k}": v for k, v in validation.tables().items()}
        return tables

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write the tables (CSV) to `folder`; returns the paths written."""
        out = Path(folder)
        return [write_table_atomic(t, out / f"{n}.csv") for n, t in self.tables().items()]

    def plot_hourly(self, group: str = "all") -> Figure:
        """The held-out hourly curves, observed against predicted."""
        return self.held_out.plot_hourly(group)


def holdout(
    log: str | os.PathLike | pd.DataFrame | TicketLog,
    columns: LogLayout | Mapping[str, Any] | None = None,
    preset: str | None = None,
    *,
    scheme: str | Sequence = "day",
    days: Sequence[str] | str | None = None,
    day_types: str | Mapping[str, Sequence[str] | str] | None = None,
    replications: int = 20,
    seed: int = 0,
    workers: int = 1,
    target_wait: float | None = None,
    known_volume: bool = False,
    **fit_options: Any,
) -> Holdout:
    """Fit on the fitting dates of each fold, predict its held-out dates, pool the errors.

    With ``known_volume`` each held-out date is simulated with its logged number of tickets
    (its demand rescaled to it, the profile and everything else as fitted): a diagnostic that
    separates the error of forecasting a day's volume from the error of the model given the
    volume. Without it (the default) nothing of a held-out date enters its prediction.

    ``fit_options`` go to :func:`wsim.calibrate.fit` (``slot``, ``servers``,
    ``speed_bands``, ``scale_capacity``, ...). ``target_wait`` (minutes) is the service-level
    target of the comparison (default 15 min, as in a scenario).
    """
    layout = make_layout(columns, preset) if not isinstance(log, TicketLog) else log.layout
    ticket_log = read_log(log, layout)
    tickets = ticket_log.tickets
    if days is not None:
        tickets = tickets[tickets["weekday"].isin(parse_days(days))]
    slot = fit_options.get("slot", 30.0)
    groups = group_weekdays(tickets, slot) if day_types is None else parse_day_types(day_types)
    type_of = {day: name for name, weekdays in groups.items() for day in weekdays}
    dates = sorted(tickets.loc[tickets["weekday"].isin(type_of), "date"].unique())
    folds = splits(dates, scheme)
    target = 15.0 if target_wait is None else float(target_wait)
    held_obs, held_sim, fit_obs, fit_sim, rows, missing = [], [], [], [], [], []
    for k, split in enumerate(folds):
        result: FitResult = fit(
            ticket_log,
            dates=split.fitting,
            day_types=groups,
            seed=seed,
            workers=workers,
            target_wait=target,
            **fit_options,
        )
        fitted_types = {t.name for t in result.day_types}
        plan = {}
        for date in split.held_out:
            day_type = type_of[WEEKDAYS[date.day_of_week]]
            if day_type in fitted_types:
                plan[date] = day_type
            else:
                missing.append({"fold": split.label, "date": date, "day_type": day_type})
        fitted_plan = {d: type_of[WEEKDAYS[d.day_of_week]] for d in split.fitting}
        base = seed + 1000 * k  # folds do not share random numbers with each other
        for plan_of, obs, sim, fold_seed in (
            (plan, held_obs, held_sim, base),
            (fitted_plan, fit_obs, fit_sim, base + 500),
        ):
            if not plan_of:
                continue
            observed = observed_tickets(ticket_log.tickets, result.mapping, plan_of)
            # A fitting date is fitted by several folds: each (fold, date) is one day.
            obs.append(observed.assign(unit=split.label + " " + observed["unit"]))
            volumes = None
            if known_volume and plan_of is plan:
                volumes = observed.groupby("date").size().to_dict()
            simulated = simulate_dates(
                result.mapping, plan_of, replications, fold_seed, workers, volumes
            )
            sim.append(simulated)
        rows.append(
            {
                "fold": split.label,
                "fitting": ", ".join(d.strftime("%Y-%m-%d") for d in split.fitting),
                "held_out": ", ".join(d.strftime("%Y-%m-%d") for d in split.held_out),
                "capacity_scale": "; ".join(
                    f"{n} {c.scale:.3f}" for n, c in result.capacity.items() if c is not None
                ),
            }
        )
    if not held_obs:
        raise LogError("holdout: no held-out date could be predicted (each day type has one date)")
    name = f"holdout ({scheme if isinstance(scheme, str) else 'given dates'})"
    if known_volume:
        name += ", each held-out date with its logged volume"
    by_date = _by_date(pd.concat(held_obs), pd.concat(held_sim), target, replications)
    held = compare(
        pd.concat(held_obs), pd.concat(held_sim), target, replications, seed, name, "held-out"
    )
    fitted = compare(
        pd.concat(fit_obs), pd.concat(fit_sim), target, replications, seed, name, "fitted"
    )
    return Holdout(
        held_out=held,
        fitted=fitted,
        folds=pd.DataFrame(rows),
        unpredicted=pd.DataFrame(missing, columns=["fold", "date", "day_type"]),
        by_date=by_date,
        scheme=scheme if isinstance(scheme, str) else "given dates",
    )


def _by_date(
    observed: pd.DataFrame, simulated: pd.DataFrame, target: float, replications: int
) -> pd.DataFrame:
    """Per held-out date: each measure observed, simulated (mean over replications), error."""
    rows = []
    for (date, group), obs in observed.groupby(["date", "group"]):
        sim = simulated[simulated["date"] == date]
        seen = measures(obs, target, 1)
        per_rep = [measures(sim[sim["replication"] == r], target, 1) for r in range(replications)]
        for m in MEASURES:
            value = float(pd.Series([rep[m] for rep in per_rep]).mean())
            rows.append(
                {
                    "date": date.strftime("%Y-%m-%d"),
                    "group": group,
                    "measure": m,
                    "observed": seen[m],
                    "simulated": value,
                    "error": value / seen[m] - 1 if seen[m] else float("nan"),
                }
            )
    return pd.DataFrame(rows)
