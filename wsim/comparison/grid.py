"""Scenario grids: one or two scenario parameters varied over values, for what-if curves."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from wsim.comparison import plots
from wsim.comparison.comparison import Comparison
from wsim.comparison.errors import CompareError
from wsim.comparison.options import Source, raw_mapping
from wsim.comparison.runner import compare
from wsim.files import write_table_atomic
from wsim.scenario import PathError, ScenarioError, load_scenario, parse_path, set_path
from wsim.scenario.overlays import format_value


class GridError(CompareError):
    """A grid parameter path or value does not fit the base scenario."""


class Grid:
    """A scenario grid: the base scenario and one option per combination of parameter values.

    Attributes: ``comparison`` (every point against the base, common random numbers),
    ``parameters`` (the varied field paths), ``points`` (option name and one column per
    parameter).
    """

    def __init__(self, comparison: Comparison, parameters: list[str], points: pd.DataFrame):
        self.comparison = comparison
        self.parameters = parameters
        self.points = points

    def __repr__(self) -> str:
        return (
            f"Grid(parameters={self.parameters!r}, points={len(self.points)}, "
            f"replications={self.comparison.replications})"
        )

    def table(self, kpis: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per grid point and KPI: the parameter values, then the summary columns."""
        summary = self.comparison.summary()
        if kpis is not None:
            summary = summary[summary.kpi.isin(list(kpis))]
        table = self.points.merge(summary, on="option", how="left")
        return table.reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """One row per grid point and KPI (the same as :meth:`table` of every KPI)."""
        return self.table()

    def plot_curves(self, kpi: str) -> Figure:
        """What-if curves: `kpi` against the first parameter, a line per second parameter."""
        return plots.grid_curves(self, kpi)

    def save(self, folder: str | os.PathLike) -> list[Path]:
        """Write grid.csv (every point and KPI) and kpis.csv (every replication) to `folder`."""
        out = Path(folder)
        return [
            write_table_atomic(self.table(), out / "grid.csv"),
            write_table_atomic(self.comparison.kpis, out / "kpis.csv"),
        ]


def grid(
    base: Source,
    vary: Mapping[str, Sequence[Any]],
    replications: int = 10,
    seed: int = 0,
    **options: Any,
) -> Grid:
    """Run `base` at every combination of the parameter values in `vary`, for what-if curves.

    `vary` maps field paths (as in the scenario file: ``windows[comprehensive].count``,
    ``demand[0].per_day``, ``windows[desk].schedule['12:00']``) to lists of values. Every
    point is an option compared with the unchanged base (``"baseline"``) with common random
    numbers. Other keyword arguments go to :func:`compare` (executor, workers, out, ...).
    """
    if not vary:
        raise GridError("vary at least one parameter")
    parameters = list(vary)
    for parameter in parameters:
        _checked(parse_path, parameter)
        if isinstance(vary[parameter], (str, bytes)) or not list(vary[parameter]):
            raise GridError(f"{parameter}: give a list of values")
    base_scenario = load_scenario(base)
    raw = raw_mapping(base, base_scenario) or base_scenario.to_dict()
    scenarios: dict[str, Source] = {"baseline": base}
    points = []
    for values in itertools.product(*(list(vary[p]) for p in parameters)):
        label = ", ".join(f"{p}={format_value(v)}" for p, v in zip(parameters, values, strict=True))
        mapping = raw
        for parameter, value in zip(parameters, values, strict=True):
            mapping = _checked(set_path, mapping, parameter, value)
        try:
            load_scenario(mapping)
        except ScenarioError as error:
            file = error.file or (str(base) if isinstance(base, (str, os.PathLike)) else None)
            raise ScenarioError(error.problems, file, f"(grid point {label})") from None
        scenarios[label] = mapping
        points.append({"option": label, **dict(zip(parameters, values, strict=True))})
    comparison = compare(scenarios, replications, seed, baseline="baseline", **options)
    return Grid(comparison, parameters, pd.DataFrame(points))


def _checked(function: Any, *arguments: Any) -> Any:
    """Call a path function; a path that does not fit is a :class:`GridError`."""
    try:
        return function(*arguments)
    except PathError as error:
        raise GridError(str(error)) from None
