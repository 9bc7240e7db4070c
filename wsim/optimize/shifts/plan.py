"""A staffing plan: requirements, shifts, the schedule they give, and how it did in simulation."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from wsim.files import write_table_atomic, write_text_atomic
from wsim.optimize.shifts.covering import CoverPlan
from wsim.optimize.shifts.kpis import HALL, METRIC_COLUMNS, missed
from wsim.optimize.shifts.plot import plan_figure
from wsim.optimize.shifts.problem import StaffingError, StaffingProblem
from wsim.optimize.shifts.schedule import apply_schedule, overlay_changes, schedule_pairs
from wsim.scenario.schema import Scenario


@dataclass(frozen=True)
class StaffingPlan:
    """The answer of :func:`wsim.optimize.staffing`.

    Attributes
    ----------
    method : "sipp", "lag" or "simulation".
    problem : the request (scenario, slots, groups, shifts, target).
    requirements : (groups, slots) windows the method asked for.
    counts : clerks per covering column (``problem.columns``: a shift in a group).
    scheduled : (groups, slots) windows the shifts open (at least the requirement).
    covering : the covering solve's result (status, cost, bound, LP value).
    slot_kpis : the verification's KPIs per group and slot (see :func:`slot_kpis`).
    history : one row per iteration (simulate, requirements, cover) and the verification.
    status : "optimal", or "time limit" when the covering or the iterations were cut short.
    replications, seed : of the verification simulation.
    notes : what the planner should know about how the plan was made.
    """

    method: str
    problem: StaffingProblem
    requirements: np.ndarray
    counts: np.ndarray
    scheduled: np.ndarray
    covering: CoverPlan
    slot_kpis: pd.DataFrame
    history: pd.DataFrame
    status: str
    replications: int
    seed: int
    notes: tuple[str, ...] = field(default=())

    @property
    def cost(self) -> float:
        """Cost of the shifts per day (in the shifts' cost unit)."""
        return float(self.covering.cost)

    @property
    def missed_slots(self) -> list[str]:
        """Start times of the slots where the whole hall misses the target in simulation."""
        labels = self.problem.labels
        return [labels[t] for t in missed(self.slot_kpis, HALL)]

    @property
    def met_share(self) -> float:
        """Share of the slots (with tickets) where the hall meets the target in simulation."""
        met, slots = self.slots_met()
        return met / slots if slots else float("nan")

    def slots_met(self) -> tuple[int, int]:
        """(slots where the hall meets the target, slots with tickets) in the verification."""
        hall = self.slot_kpis[(self.slot_kpis["group"] == HALL) & (self.slot_kpis["n"] > 0)]
        return int(hall["meets"].sum()), len(hall)

    def requirements_table(self) -> pd.DataFrame:
        """Per group and slot: windows required and scheduled."""
        rows = [
            {
                "group": group.name,
                "slot": t,
                "clock": label,
                "required": int(self.requirements[g, t]),
                "scheduled": int(self.scheduled[g, t]),
            }
            for g, group in enumerate(self.problem.groups)
            for t, label in enumerate(self.problem.labels)
        ]
        return pd.DataFrame(rows)

    def shifts_table(self) -> pd.DataFrame:
        """Per shift and group with clerks: the clerks and their cost."""
        rows = [
            {"shift": shift, "group": group, "clerks": n, "cost_each": each, "cost": n * each}
            for shift, group, n, each in self.problem.shift_table(self.counts)
        ]
        return pd.DataFrame(rows, columns=["shift", "group", "clerks", "cost_each", "cost"])

    def overlay(self) -> dict[str, Any]:
        """The scenario ``changes`` that put this plan into the scenario (see ``schedule``)."""
        return overlay_changes(self.problem, self.scheduled)

    def apply(self, scenario: Scenario | None = None) -> Scenario:
        """The scenario with this plan's windows, without its staffing request.

        By default the scenario the plan was made for; another scenario (a variant of it)
        needs a staffing section with the same groups and slots.
        """
        if scenario is None or scenario is self.problem.scenario:
            return apply_schedule(self.problem, self.scheduled)
        other = StaffingProblem(scenario)
        same_groups = [g.name for g in other.groups] == [g.name for g in self.problem.groups]
        if not same_groups or other.labels != self.problem.labels:
            raise StaffingError(
                f"the plan for {self.problem.scenario.name!r} staffs groups "
                f"{[g.name for g in self.problem.groups]} in slots from {self.problem.labels[0]}; "
                f"scenario {scenario.name!r} asks for other groups or slots"
            )
        return apply_schedule(other, self.scheduled)

    def overlay_document(self, folder: str | os.PathLike | None = None) -> dict[str, Any]:
        """A loadable overlay file's content: ``base``, a name, a description and ``changes``.

        ``base`` is relative to ``folder``, where the file will be written.

        Without a source file for the scenario there is no base to point to; then the content
        is the whole staffed scenario.
        """
        scenario = self.problem.scenario
        name = f"{scenario.name} (staffed by {self.method})"
        description = (
            f"Staffing plan by the {self.method} method: cost {self.cost:g} per day, target "
            f"{self.problem.target} met in {self.met_share:.0%} of slots in simulation "
            f"({self.replications} replications, seed {self.seed})."
        )
        if scenario.source is None:
            staffed = self.apply().to_dict()
            return {**staffed, "name": name, "description": description}
        base = Path(os.path.relpath(Path(scenario.source).resolve(), Path(folder or ".").resolve()))
        return {
            "base": base.as_posix(),
            "name": name,
            "description": description,
            "changes": self.overlay(),
        }

    def summary(self) -> pd.DataFrame:
        """The requirements table, per window group and slot.

        Windows required, scheduled, and whether the slot meets the target in the verification.
        """
        return self.requirements_table()

    def plot_windows(self) -> Figure:
        """Windows required and scheduled by slot, and the simulated target metric by slot."""
        return plan_figure(self)

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain data (what plan.yaml holds)."""
        metric = METRIC_COLUMNS[self.problem.target.metric]
        hall = self.slot_kpis[self.slot_kpis["group"] == HALL]
        return {
            "scenario": self.problem.scenario.name,
            "method": self.method,
            "status": self.status,
            "target": str(self.problem.target),
            "cost": round(self.cost, 6),
            "lp_bound": round(float(self.covering.lp_value), 6),
            "covering": {
                "status": self.covering.status,
                "bound": round(float(self.covering.bound), 6),
                "seconds": round(self.covering.seconds, 3),
            },
            "verification": {
                "replications": self.replications,
                "seed": self.seed,
                "slots_meeting_target": "{} of {} with tickets".format(*self.slots_met()),
                "missed_slots": self.missed_slots,
                f"worst_slot_{metric}": _worst(hall, metric, self.problem.target.bound),
            },
            "shifts": self.shifts_table().to_dict(orient="records"),
            "schedule": {
                group.name: dict(schedule_pairs(self.problem, self.scheduled[g]))
                for g, group in enumerate(self.problem.groups)
            },
            "notes": list(self.notes),
        }

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write the plan's tables and overlay into ``folder`` (each atomically); returns the paths.

        The files are plan.yaml, overlay.yaml, requirements.csv, shifts.csv, slot_kpis.csv and
        history.csv.
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = [
            _write_yaml(self.to_dict(), out / "plan.yaml", "Staffing plan (wsim optimize)"),
            _write_yaml(
                self.overlay_document(out),
                out / "overlay.yaml",
                "Scenario overlay with the staffing plan: wsim run overlay.yaml",
            ),
        ]
        tables = {
            "requirements.csv": self.requirements_table(),
            "shifts.csv": self.shifts_table(),
            "slot_kpis.csv": self.slot_kpis,
            "history.csv": self.history,
        }
        written += [write_table_atomic(table, out / name) for name, table in tables.items()]
        return written


def _worst(hall: pd.DataFrame, column: str, bound: str) -> float | None:
    values = hall[column].dropna()
    if values.empty:
        return None
    return round(float(values.min() if bound == ">=" else values.max()), 4)


def _to_plain(value: Any) -> Any:
    """Numpy scalars and containers as plain Python values, for YAML."""
    if isinstance(value, dict):
        return {str(k): _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _write_yaml(data: dict[str, Any], path: Path, title: str) -> Path:
    """Write ``data`` as YAML with a comment line, through a temporary file."""
    text = f"# {title}\n" + yaml.safe_dump(
        _to_plain(data), sort_keys=False, allow_unicode=True, default_flow_style=None, width=100
    )
    return write_text_atomic(path, text)
