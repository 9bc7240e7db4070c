"""Optimization: shift covering, and staffing plans verified by simulation.

from wsim.optimize import cover, staffing
cover([17, 13, 15, 19, 14, 16, 11], patterns)        # minimum-cost shift counts
plan = staffing("scenario.yaml", method="simulation")  # requirements -> shifts -> verified
plan.apply()                                           # the staffed Scenario
"""

from wsim.optimize.cover import CountLimit, CoverError, CoverPlan, cover
from wsim.optimize.plan import StaffingPlan
from wsim.optimize.problem import StaffingError, StaffingInfeasible, StaffingProblem
from wsim.optimize.staffing import METHODS, staffing

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
