"""wsim: simulate and optimize government administrative service centers.

Public API::

    import wsim
    scenario = wsim.load_scenario("scenarios/examples/small_hall.yaml")
    results = wsim.simulate(scenario, replications=10, seed=0)
    results.summary()
    comparison = wsim.compare({"baseline": scenario, "reform": "reform.yaml"}, replications=10)
    comparison.summary()
    plan = wsim.staffing("staffing_peak.yaml", method="simulation")   # a StaffingPlan
    fitted = wsim.fit("tickets.csv", preset="anonymous-bank")          # a FitResult
    check = wsim.validate_against_log(fitted.scenario, fitted.log)     # a Validation

Every result object (:class:`Results`, :class:`Comparison`, :class:`Grid`,
:class:`StaffingPlan`, :class:`FitResult`, :class:`Validation`) has ``summary()`` (a
DataFrame), ``save(folder)`` (its files) and ``plot_*()`` methods returning matplotlib Figures.

The names below are loaded when first used, so that ``import wsim`` (and ``wsim --help``)
stays fast: pandas, SciPy, Pyomo and matplotlib are imported by the parts that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wsim._version import __version__
from wsim.errors import WsimError

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "Comparison": "wsim.comparison",
    "FitResult": "wsim.calibrate",
    "Grid": "wsim.comparison",
    "PortfolioResult": "wsim.optimize",
    "Results": "wsim.experiment",
    "Scenario": "wsim.scenario",
    "ScenarioError": "wsim.scenario",
    "StaffingPlan": "wsim.optimize",
    "Validation": "wsim.calibrate",
    "compare": "wsim.comparison",
    "fit": "wsim.calibrate",
    "grid": "wsim.comparison",
    "load_scenario": "wsim.scenario",
    "simulate": "wsim.experiment",
    "staffing": "wsim.optimize",
    "validate_against_log": "wsim.calibrate",
}

__all__ = [
    "Comparison",
    "FitResult",
    "Grid",
    "PortfolioResult",
    "Results",
    "Scenario",
    "ScenarioError",
    "StaffingPlan",
    "Validation",
    "WsimError",
    "__version__",
    "compare",
    "fit",
    "grid",
    "load_scenario",
    "simulate",
    "staffing",
    "validate_against_log",
]

if TYPE_CHECKING:  # for type checkers and editors: the names as if imported eagerly
    from wsim.calibrate import FitResult, Validation, fit, validate_against_log
    from wsim.comparison import Comparison, Grid, compare, grid
    from wsim.experiment import Results, simulate
    from wsim.optimize import PortfolioResult, StaffingPlan, staffing
    from wsim.scenario import Scenario, ScenarioError, load_scenario


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
