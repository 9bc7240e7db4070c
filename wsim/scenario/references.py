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

from wsim.scenario.calendar import DEFAULT_DAY_TYPE, Calendar
from wsim.scenario.errors import Problem, join_path, key_path, short_repr, unknown_name_message
from wsim.scenario.hall import Demand, Profile, Service, WindowGroup
from wsim.scenario.journeys import Channel, Department, Handoffs, Outage, RemoteChannelName
from wsim.scenario.limits import MAX_SLOTS_PER_DAY
from wsim.scenario.staffing import GRID_TOLERANCE, Staffing, clock_range, planning_hours


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
    def handoffs(self) -> Handoffs:
        """The handoff rules."""

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
        + handoff_problems(scenario)
        + day_type_problems(scenario)
        + appointment_problems(scenario)
        + staffing_problems(scenario)
    )


def demand_problems(scenario: ScenarioParts) -> list[Problem]:
    """Demand streams naming an unknown service or profile, or a profile closed when open.

    A profile is closed when it has no weight during the hours its stream arrives in (days mode:
    the hall's hours of a day type, or a remote channel's own hours): its stream would never
    bring anyone on such a day.
    """
    problems = []
    weights: dict[tuple[str, float, float], float] = {}  # shared by the streams (see _closed)
    for i, demand in enumerate(scenario.demand):
        if demand.service not in scenario.services:
            message = unknown_name_message("service", demand.service, scenario.services)
            problems.append((f"demand[{i}].service", message))
        named = [("profile", demand.profile)] if demand.profile is not None else []
        named += [
            (join_path("day_profiles", key_path(t)), p) for t, p in demand.day_profiles.items()
        ]
        for field, name in named:
            if name not in scenario.profiles:
                message = unknown_name_message("profile", name, scenario.profiles)
                problems.append((f"demand[{i}].{field}", message))
        if scenario.calendar.mode == "days" and all(n in scenario.profiles for _, n in named):
            closed = _closed(scenario, demand, weights)
            problems += [(f"demand[{i}].{field}", m) for field, m in closed]
    return problems


def _closed(
    scenario: ScenarioParts, demand: Demand, weights: dict[tuple[str, float, float], float]
) -> list[Problem]:
    """Day types on which the stream's profile has no weight in its hours (field, message).

    `weights` keeps each profile's weight over each span of hours, ``(profile, open, close)
    -> weight``, computed once for all the streams: a thousand streams share a few profiles.
    """
    calendar = scenario.calendar
    channel = next((c for n, c in scenario.channels.items() if n == demand.channel), None)
    own_hours = channel.hours if channel is not None else None
    problems = []
    for day_type in calendar.day_type_names:
        name = demand.profile_on(day_type)
        if name is None or demand.day_factors.get(day_type, 1.0) == 0:
            continue
        lo, hi = own_hours if own_hours is not None else calendar.hours(day_type)
        key = (name, lo, hi)
        if key not in weights:
            weights[key] = scenario.profiles[name].weight_between(lo, hi)
        if weights[key] > 0:
            continue
        field = "profile" if name == demand.profile else f"day_profiles.{day_type}"
        where = "the channel's hours" if own_hours is not None else "the opening hours"
        if day_type != DEFAULT_DAY_TYPE and own_hours is None:
            where += f" of {day_type} days"
        message = f"profile {short_repr(name)} has no weight during {where} {clock_range(lo, hi)}"
        if day_type != DEFAULT_DAY_TYPE:
            message += f" (give day_factors: {{{day_type}: 0}} for no demand then)"
        problems.append((field, message))
    return problems


def day_type_problems(scenario: ScenarioParts) -> list[Problem]:
    """Day types named by demand, windows and departments that the calendar does not have."""
    names = scenario.calendar.day_type_names
    named: list[tuple[str, str]] = []  # (field path, day type)
    for i, demand in enumerate(scenario.demand):
        for field in ("day_factors", "day_profiles"):
            named += [(f"demand[{i}].{field}.{key_path(t)}", t) for t in getattr(demand, field)]
    for i, group in enumerate(scenario.windows):
        named += [(f"windows[{i}].day_schedules.{key_path(t)}", t) for t in group.day_schedules]
    for name, dept in scenario.departments.items():
        where = f"departments.{name}"
        named += [(f"{where}.day_types[{j}]", t) for j, t in enumerate(dept.day_types or ())]
        named += [(f"{where}.day_hours.{key_path(t)}", t) for t in dept.day_hours]
    problems = [
        (path, unknown_name_message("day type", t, names) + " (see calendar.day_types)")
        for path, t in named
        if t not in names
    ]
    for name, dept in scenario.departments.items():
        worked = dept.day_types if dept.day_types is not None else names
        for t, hours in dept.day_hours.items():
            if t not in names:
                continue
            hall_open, hall_close = scenario.calendar.hours(t)
            lo = hours.open if hours.open is not None else hall_open
            hi = hours.close if hours.close is not None else hall_close
            path = f"departments.{name}.day_hours.{t}"
            if lo >= hi:
                problems.append(
                    (path, f"close must be later than open, found {clock_range(lo, hi)}")
                )
            if t not in worked:
                problems.append((path, f"the department does not work {t} days (see day_types)"))
    return problems


def appointment_problems(scenario: ScenarioParts) -> list[Problem]:
    """Appointment groups that are not window groups serving the service; hall-less services."""
    problems = []
    serving: dict[str, list[str]] | None = None  # built once, at the first booked service
    for name, service in scenario.services.items():
        if service.appointments is None:
            continue
        where = f"services.{name}.appointments"
        if "hall" not in service.channels:
            problems.append((where, "the service cannot start at the hall, so nobody books"))
        if serving is None:
            serving = _serving_groups(scenario.windows)
        groups = serving.get(name, [])
        for j, group in enumerate(service.appointments.groups or ()):
            if group not in groups:
                message = unknown_name_message("window group serving " + repr(name), group, groups)
                problems.append((f"{where}.groups[{j}]", message))
    return problems


def _serving_groups(windows: tuple[WindowGroup, ...]) -> dict[str, list[str]]:
    """The names of the window groups serving each service, in the order of `windows`.

    One pass over every group's services, instead of a scan of every group per service.
    """
    serving: dict[str, list[str]] = {}
    for group in windows:
        for service in group.serves:
            serving.setdefault(service, []).append(group.name)
    return serving


def window_problems(scenario: ScenarioParts) -> list[Problem]:
    """Window groups serving an unknown service, and window group names used twice."""
    problems = []
    first_index: dict[str, int] = {}  # group name -> its first index (not a scan of the earlier)
    for i, group in enumerate(scenario.windows):
        problems += [
            (f"windows[{i}].serves[{j}]", unknown_name_message("service", name, scenario.services))
            for j, name in enumerate(group.serves)
            if name not in scenario.services
        ]
        first = first_index.setdefault(group.name, i)
        if first != i:
            message = (
                f"duplicate window group name {short_repr(group.name)} (also windows[{first}])"
            )
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
            f"no window group serves {short_repr(demand.service)}; add it to the serves of a group "
            f"({', '.join(group.name for group in scenario.windows)})",
        )
        for i, demand in enumerate(scenario.demand)
        if demand.service in scenario.services and demand.service not in served
    ]


def label_problems(scenario: ScenarioParts) -> list[Problem]:
    """Demand streams sharing a label (their name in results), which could not be told apart."""
    problems = []
    first_index: dict[str, int] = {}  # label -> its first stream (not a scan of the earlier)
    for i, demand in enumerate(scenario.demand):
        first = first_index.setdefault(demand.label, i)
        if first != i:
            label = demand.label
            message = (
                f"duplicate demand label {short_repr(label)} (also demand[{first}]); "
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
                f"service {short_repr(demand.service)} cannot start in channel "
                f"{short_repr(demand.channel)}; "
                f"allowed: {', '.join(demanded.channels)} (or any)"
            )
            problems.append((f"demand[{i}].channel", message))
    problems += [
        (
            f"channels.{n}.review.department",
            unknown_name_message("department", c.review.department, scenario.departments),
        )
        for n, c in scenario.channels.items()
        if c.review is not None and c.review.department not in scenario.departments
    ]
    systems = [("channels." + n, c.system) for n, c in scenario.channels.items()]
    systems += [("departments." + n, d.system) for n, d in scenario.departments.items()]
    problems += [
        (f"{where}.system", unknown_name_message("system", system, scenario.systems))
        for where, system in systems
        if system is not None and system not in scenario.systems
    ]
    problems += department_hours_problems(scenario)
    if scenario.calendar.mode == "continuous" and scenario.uses_journeys():
        message = (
            "journeys (channels, departments, segments, workflows, returns) "
            "need working days: use mode days"
        )
        problems.append(("calendar.mode", message))
    return problems


def handoff_problems(scenario: ScenarioParts) -> list[Problem]:
    """Handoff pairs naming a department or service the scenario does not have."""
    problems = []
    for i, pair in enumerate(scenario.handoffs.pairs):
        where = f"handoffs.pairs[{i}]"
        for field, name in (("from", pair.from_), ("to", pair.to)):
            if name not in scenario.departments:
                message = unknown_name_message("department", name, scenario.departments)
                problems.append((f"{where}.{field}", message))
        if pair.service is not None and pair.service not in scenario.services:
            message = unknown_name_message("service", pair.service, scenario.services)
            problems.append((f"{where}.service", message))
    return problems


def department_hours_problems(scenario: ScenarioParts) -> list[Problem]:
    """Departments whose working hours (their own, or the hall's) close before they open.

    Such a department would never work, and every case sent to it would wait forever.
    """
    calendar = scenario.calendar
    problems = []
    for name, department in scenario.departments.items():
        open_ = department.open if department.open is not None else calendar.open
        close = department.close if department.close is not None else calendar.close
        if open_ < close:
            continue
        field = "close" if department.close is not None else "open"
        message = (
            f"the department's hours {clock_range(open_, close)} end before they begin "
            "(hours end on the day they begin; a department closed all day never works)"
        )
        problems.append((f"departments.{key_path(name)}.{field}", message))
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
                f"{short_repr(group.name)} is already windows[{windows.index(group.name)}]; "
                "leave out "
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
    if count > MAX_SLOTS_PER_DAY:  # checked before any slot is made: no grid of microseconds
        return [
            (
                "slot",
                f"makes {count:,.0f} slots of the planning hours {hours}; at most "
                f"{MAX_SLOTS_PER_DAY} (one a minute), found {staffing.slot:g} min",
            )
        ]
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
            f"{short_repr(shift.name)} ({clock_range(shift.start, shift.end)}) is at the window "
            f"for no whole slot of {staffing.slot:g} min in {hours}",
        )
        for i, shift in enumerate(staffing.shifts)
        if not any(shift.on_duty(start, start + staffing.slot) for start in starts)
    ]
