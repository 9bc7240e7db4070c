"""Optimization: shift plans and reform portfolios, both verified by simulation.

::

    from wsim.optimize import cover, staffing, portfolio
    cover([17, 13, 15, 19, 14, 16, 11], patterns)        # minimum-cost shift counts
    plan = staffing("scenario.yaml", method="simulation")  # requirements -> shifts -> verified
    plan.apply()                                           # the staffed Scenario
    result = portfolio("levers.yaml", budget=3e6, frontier=[0, 1e6, 2e6], replications=10)
    result.summary(); result.save("runs/portfolio"); result.plot_frontier()

The models live in subpackages named for their problem (:mod:`.shifts`, :mod:`.levers`), so
that no module is shadowed by the function of the same name exported here.
"""

from wsim.optimize.levers import (
    LeverSet,
    PortfolioError,
    PortfolioInfeasible,
    PortfolioResult,
    load_levers,
    portfolio,
)
from wsim.optimize.shifts.covering import CountLimit, CoverError, CoverPlan, cover
from wsim.optimize.shifts.methods import METHODS, staffing
from wsim.optimize.shifts.plan import StaffingPlan
from wsim.optimize.shifts.problem import StaffingError, StaffingInfeasible, StaffingProblem

__all__ = [
    "METHODS",
    "CountLimit",
    "CoverError",
    "CoverPlan",
    "LeverSet",
    "PortfolioError",
    "PortfolioInfeasible",
    "PortfolioResult",
    "StaffingError",
    "StaffingInfeasible",
    "StaffingPlan",
    "StaffingProblem",
    "cover",
    "load_levers",
    "portfolio",
    "staffing",
]
