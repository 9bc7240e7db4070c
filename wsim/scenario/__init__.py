"""Scenarios: the YAML files planners write, validated into immutable models.

``load_scenario(path_or_mapping)`` reads a file (resolving overlays), validates it and
returns a frozen :class:`Scenario`; any problem raises :class:`ScenarioError` with one clear
message naming the file and the field.
"""

from wsim.scenario.calendar import WEEKDAYS, Calendar
from wsim.scenario.distributions import (
    Distribution,
    Empirical,
    Erlang,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
    parse_distribution,
)
from wsim.scenario.errors import ScenarioError
from wsim.scenario.hall import Citizens, Cost, Demand, Profile, Service, Targets, WindowGroup
from wsim.scenario.journeys import (
    Channel,
    Department,
    Handoffs,
    Journey,
    Outage,
    ParallelStep,
    Segment,
    Step,
)
from wsim.scenario.limits import LimitError, RunLimits
from wsim.scenario.loader import load_scenario, resolve_mapping
from wsim.scenario.paths import PathError, parse_path, set_path
from wsim.scenario.schema import Scenario
from wsim.scenario.size import RunSize, RunTooLarge, check_run_size, estimate, register_estimator
from wsim.scenario.staffing import Shift, Staffing, StaffingTarget
from wsim.scenario.units import parse_clock, parse_duration

__all__ = [
    "WEEKDAYS",
    "Calendar",
    "Channel",
    "Citizens",
    "Cost",
    "Demand",
    "Department",
    "Distribution",
    "Empirical",
    "Erlang",
    "Exponential",
    "Fixed",
    "Gamma",
    "Handoffs",
    "Journey",
    "LimitError",
    "Lognormal",
    "Normal",
    "Outage",
    "ParallelStep",
    "PathError",
    "Profile",
    "RunLimits",
    "RunSize",
    "RunTooLarge",
    "Scenario",
    "ScenarioError",
    "Segment",
    "Service",
    "Shift",
    "Staffing",
    "StaffingTarget",
    "Step",
    "Targets",
    "Triangular",
    "Uniform",
    "WindowGroup",
    "check_run_size",
    "estimate",
    "load_scenario",
    "parse_clock",
    "parse_distribution",
    "parse_duration",
    "parse_path",
    "register_estimator",
    "resolve_mapping",
    "set_path",
]
