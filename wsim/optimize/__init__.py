"""Optimization: shift plans verified by simulation, and the shift-covering model itself.

::

    from wsim.optimize import cover, staffing
    cover([17, 13, 15, 19, 14, 16, 11], patterns)        # minimum-cost shift counts
    plan = staffing("scenario.yaml", method="simulation")  # requirements -> shifts -> verified
    plan.apply()                                           # the staffed Scenario

The models live in subpackages named for their problem (:mod:`.shifts`), so that no module is
shadowed by the function of the same name exported here.
"""

from wsim.optimize.shifts.covering import CountLimit, CoverError, CoverPlan, cover
from wsim.optimize.shifts.methods import METHODS, staffing
from wsim.optimize.shifts.plan import StaffingPlan
from wsim.optimize.shifts.problem import StaffingError, StaffingInfeasible, StaffingProblem

__all__ = [
    "METHODS",
    "CountLimit",
    "CoverError",
    "CoverPlan",
    "StaffingError",
    "StaffingInfeasible",
    "StaffingPlan",
    "StaffingProblem",
    "cover",
    "staffing",
]
