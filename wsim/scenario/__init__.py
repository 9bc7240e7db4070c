"""Scenarios: the YAML files planners write, validated into immutable models.

``load_scenario(path_or_mapping)`` reads a file (resolving overlays), validates it and
returns a frozen :class:`Scenario`; any problem raises :class:`ScenarioError` with one clear
message naming the file and the field.
"""

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
from wsim.scenario.loader import load_scenario, resolve_mapping
from wsim.scenario.schema import (
    WEEKDAYS,
    Calendar,
    Citizens,
    Cost,
    Demand,
    Profile,
    Scenario,
    Service,
    Targets,
    WindowGroup,
)
from wsim.scenario.staffing import Staffing
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
    "Lognormal",
    "Normal",
    "Outage",
    "ParallelStep",
    "Profile",
    "Scenario",
    "ScenarioError",
    "Segment",
    "Service",
    "Staffing",
    "Step",
    "Targets",
    "Triangular",
    "Uniform",
    "WindowGroup",
    "load_scenario",
    "parse_clock",
    "parse_distribution",
    "parse_duration",
    "resolve_mapping",
]
