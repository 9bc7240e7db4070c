"""The scenario as the page's first section shows it: services, windows, channels, back office.

Values are written as the planner wrote them in the file (:func:`format_value` of the raw
mapping), so a schedule reads ``{"09:00": 6, "12:00": 2}`` and a time ``12min``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wsim.scenario import Scenario
from wsim.scenario.overlays import format_value


def overview(raw: Mapping[str, Any], scenario: Scenario) -> dict[str, Any]:
    """Plain rows per part of the scenario, for the page's template."""
    services = raw.get("services") or {}
    per_day: dict[str, float] = {}
    for stream in scenario.demand:
        if stream.per_day is not None:
            per_day[stream.service] = per_day.get(stream.service, 0.0) + stream.per_day
    calendar = scenario.calendar
    return {
        "name": scenario.name,
        "description": scenario.description.strip(),
        "calendar": format_value(raw.get("calendar", {})),
        "days": calendar.days if calendar.mode == "days" else None,
        "services": [
            {
                "name": name,
                "description": str((services.get(name) or {}).get("description", "")),
                "department": service.department or "",
                "window_time": f"{service.window_time.expected():.1f}",
                "channels": ", ".join(f"{c} ({how})" for c, how in service.channels.items()),
                "per_day": f"{per_day[name]:g}" if name in per_day else "",
            }
            for name, service in scenario.services.items()
        ],
        "windows": [
            {
                "name": str(group.get("name")),
                "open": format_value(group.get("schedule", group.get("count"))),
                "serves": ", ".join(str(s) for s in group.get("serves") or ()),
            }
            for group in raw.get("windows") or ()
            if isinstance(group, Mapping)
        ],
        "channels": [
            {"name": name, "settings": format_value(settings)}
            for name, settings in (raw.get("channels") or {}).items()
        ],
        "departments": [
            {
                "name": name,
                "staff": department.staff,
                "hours": f"{format_value(raw['departments'][name].get('open', 'hall hours'))}"
                f"-{format_value(raw['departments'][name].get('close', ''))}".rstrip("-"),
            }
            for name, department in scenario.departments.items()
        ],
        "handoffs": format_value(raw.get("handoffs", {"mode": "platform"})),
        "systems": [
            {"name": name, "settings": format_value(settings)}
            for name, settings in (raw.get("systems") or {}).items()
        ],
    }
