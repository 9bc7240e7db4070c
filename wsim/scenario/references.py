"""Checks of a whole scenario: that its parts refer to each other correctly.

A demand stream names a service and a profile, a window group the services it serves, a
service its department and workflow, a channel its system, the staffing section window groups
and shifts. Each check returns ``(field path, message)`` problems, so that the scenario's
validation reports every problem of a file at once. The checks read the scenario's parts
through :class:`ScenarioParts`, so this module does not depend on the scenario model itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from wsim.scenario.calendar import Calendar
from wsim.scenario.errors import Problem, join_path, unknown_name_message
from wsim.scenario.hall import Demand, Profile, Service, WindowGroup
from wsim.scenario.journeys import Channel, Department, Outage, RemoteChannelName
from wsim.scenario.staffing import GRID_TOLERANCE, Staffing, clock_range, planning_hours
from wsim.scenario.units import format_clock


class ScenarioParts(Protocol):
    """The parts of a scenario that the checks read (a :class:`Scenario` has them all).

    Read-only (properties), as the frozen scenario's fields are.
    """

    @property
    def calendar(self) -> Calendar:
        """The calendar."""

    @property
    def services(self) -> Mapping[str, Service]:
        """The services by name."""

    @property
    def profiles(self) -> Mapping[str, Profile]:
        """The demand profiles by name."""

    @property
    def demand(self) -> tuple[Demand, ...]:
        """The demand streams."""

    @property
    def windows(self) -> tuple[WindowGroup, ...]:
        """The window groups."""

    @property
    def channels(self) -> Mapping[RemoteChannelName, Channel]:
        """The remote channels' settings."""

    @property
    def departments(self) -> Mapping[str, Department]:
        """The back-office departments by name."""

    @property
    def systems(self) -> Mapping[str, Outage]:
        """The systems that fail, by name."""

    @property
    def staffing(self) -> Staffing | None:
        """The staffing section, if any."""

    def uses_journeys(self) -> bool:
        """True when a case can be more than one hall visit (the journey model is needed)."""


def problems(scenario: ScenarioParts) -> list[Problem]:
    """Every reference problem of `scenario`, as ``(field path, message)`` pairs."""
    return (
        demand_problems(scenario)
        + window_problems(scenario)
        + unserved_problems(scenario)
        + label_problems(scenario)
        + journey_problems(scenario)
        + staffing_problems(scenario)
    )


def demand_problems(scenario: ScenarioParts) -> list[Problem]:
    """Demand streams naming an unknown service or profile, or a profile closed when open.

    A profile is closed when it has no weight during the opening hours (days mode): its stream
    would never bring anyone.
    """
    problems = []
    for i, demand in enumerate(scenario.demand):
        if demand.service not in scenario.services:
            message = unknown_name_message("service", demand.service, scenario.services)
            problems.append((f"demand[{i}].service", message))
        if demand.profile is None:
            continue
        profile = scenario.profiles.get(demand.profile)
        if profile is None:
            message = unknown_name_message("profile", demand.profile, scenario.profiles)
            problems.append((f"demand[{i}].profile", message))
        elif _profile_is_closed(scenario, profile):
            problems.append((f"demand[{i}].profile", _closed_profile_message(scenario, demand)))
    return problems


def _profile_is_closed(scenario: ScenarioParts, profile: Profile) -> bool:
    calendar = scenario.calendar
    if calendar.mode != "days":
        return False
    return profile.weight_between(calendar.open, calendar.close) == 0


def _closed_profile_message(scenario: ScenarioParts, demand: Demand) -> str:
    hours = f"{format_clock(scenario.calendar.open)}-{format_clock(scenario.calendar.close)}"
    return f"profile {demand.profile!r} has no weight during the opening hours {hours}"


def window_problems(scenario: ScenarioParts) -> list[Problem]:
    """Window groups serving an unknown service, and window group names used twice."""
    problems = []
    for i, group in enumerate(scenario.windows):
        problems += [
            (f"windows[{i}].serves[{j}]", unknown_name_message("service", name, scenario.services))
            for j, name in enumerate(group.serves)
            if name not in scenario.services
        ]
        earlier = [other.name for other in scenario.windows[:i]]
        if group.name in earlier:
            first = earlier.index(group.name)
            message = f"duplicate window group name {group.name!r} (also windows[{first}])"
            problems.append((f"windows[{i}].name", message))
    return problems


def unserved_problems(scenario: ScenarioParts) -> list[Problem]:
    """Demand streams of a known service that no window group serves.

    Their tickets could never be called.
    """
    served = {service for group in scenario.windows for service in group.serves}
    return [
        (
            f"demand[{i}].service",
            f"no window group serves {demand.service!r}; add it to the serves of a group "
            f"({', '.join(group.name for group in scenario.windows)})",
        )
        for i, demand in enumerate(scenario.demand)
        if demand.service in scenario.services and demand.service not in served
    ]


def label_problems(scenario: ScenarioParts) -> list[Problem]:
    """Demand streams sharing a label (their name in results), which could not be told apart."""
    problems = []
    labels = [demand.label for demand in scenario.demand]
    for i, label in enumerate(labels):
        if label in labels[:i]:
            message = (
                f"duplicate demand label {label!r} (also demand[{labels.index(label)}]); "
                "give one of them a distinct name"
            )
            problems.append((f"demand[{i}]", message))
    return problems


def staffing_problems(scenario: ScenarioParts) -> list[Problem]:
    """The staffing section's references to window groups, services and opening hours."""
    if scenario.staffing is None:
        return []
    return [
        (join_path("staffing", path), message)
        for path, message in _staffing_section_problems(scenario.staffing, scenario)
    ]


def journey_problems(scenario: ScenarioParts) -> list[Problem]:
    """References between services, departments, channels, segments and systems."""
    problems = []
    for name, service in scenario.services.items():
        owners = [service.department] if service.department else []
        for j, dept in enumerate(owners + service.departments()):
            if dept not in scenario.departments:
                field = "department" if j < len(owners) else "workflow"
                message = unknown_name_message("department", dept, scenario.departments)
                problems.append((f"services.{name}.{field}", message))
    for i, demand in enumerate(scenario.demand):
        demanded = scenario.services.get(demand.service)
        if demanded and demand.channel not in ("any", *demanded.channels):
            message = (
                f"service {demand.service!r} cannot start in channel {demand.channel!r}; "
                f"allowed: {', '.join(demanded.channels)} (or any)"
            )
            problems.append((f"demand[{i}].channel", message))
    systems = [("channels." + n, c.system) for n, c in scenario.channels.items()]
    systems += [("departments." + n, d.system) for n, d in scenario.departments.items()]
    problems += [
        (f"{where}.system", unknown_name_message("system", system, scenario.systems))
        for where, system in systems
        if system is not None and system not in scenario.systems
    ]
    if scenario.calendar.mode == "continuous" and scenario.uses_journeys():
        message = (
            "journeys (channels, departments, segments, workflows, returns) "
            "need working days: use mode days"
        )
        problems.append(("calendar.mode", message))
    return problems


def _staffing_section_problems(staffing: Staffing, scenario: ScenarioParts) -> list[Problem]:
    """Problems with the rest of the scenario, as (path below ``staffing``, message)."""
    return _staffed_group_problems(staffing, scenario) + _slot_grid_problems(
        staffing, scenario.calendar
    )


def _staffed_group_problems(staffing: Staffing, scenario: ScenarioParts) -> list[Problem]:
    windows = [group.name for group in scenario.windows]
    problems: list[Problem] = []
    for i, group in enumerate(staffing.groups):
        if group.serves is None:
            if group.name not in windows:
                message = unknown_name_message("window group", group.name, windows)
                problems.append(
                    (f"groups[{i}].name", f"{message} (or declare a new group with serves)")
                )
            continue
        if group.name in windows:
            message = (
                f"{group.name!r} is already windows[{windows.index(group.name)}]; leave out "
                "serves to staff it, or give the new group another name"
            )
            problems.append((f"groups[{i}].serves", message))
        services = scenario.services
        problems += [
            (f"groups[{i}].serves[{j}]", unknown_name_message("service", name, services))
            for j, name in enumerate(group.serves)
            if name not in services
        ]
    return problems


def _slot_grid_problems(staffing: Staffing, calendar: Calendar) -> list[Problem]:
    begin, finish = planning_hours(calendar)
    count = (finish - begin) / staffing.slot
    hours = clock_range(begin, finish) if calendar.mode == "days" else "the whole day (24 h)"
    if abs(count - round(count)) > GRID_TOLERANCE or round(count) < 1:
        return [
            (
                "slot",
                f"must divide the planning hours {hours} ({finish - begin:g} min) "
                f"into whole slots, found {staffing.slot:g} min",
            )
        ]
    starts = staffing.slot_starts(calendar)
    return [
        (
            f"shifts[{i}]",
            f"{shift.name!r} ({clock_range(shift.start, shift.end)}) is at the window "
            f"for no whole slot of {staffing.slot:g} min in {hours}",
        )
        for i, shift in enumerate(staffing.shifts)
        if not any(shift.on_duty(start, start + staffing.slot) for start in starts)
    ]
