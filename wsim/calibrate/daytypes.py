"""Day types: which weekdays of a log share one schedule, one opening window and one profile.

A log mixes full days, short days and days the centre barely opens. Each weekday's dates are
described by their mean ticket volume and their opening window (the slots with tickets on at
least half of that weekday's dates, :func:`wsim.calibrate.selection.opening_hours`). The
grouping rule, stated so that it can be checked and overridden:

- weekdays are taken by mean volume, busiest first; a weekday joins the first day type whose
  first (busiest) weekday opens and closes within ``HOURS_TOLERANCE`` minutes of it and has at
  most ``VOLUME_RATIO`` times its mean volume; otherwise it starts a new day type;
- the day type with the most dates is ``default`` (the calendar's default day type); the
  others are named by their weekdays (``friday``, ``friday_saturday``).

``--day-types "default=sun,mon,tue,wed,thu;short=fri"`` (or a mapping) gives the grouping
instead; its first group is the default day type. The fitted scenario writes the day types in
the calendar format of the scenario spec (``calendar.day_types``, ``windows[i].day_schedules``,
``demand[i].day_factors`` and ``day_profiles``); :func:`single_day_type` turns such a mapping
into the scenario of one day type, which is how each day type is simulated.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from wsim.calibrate.layout import LogError
from wsim.calibrate.selection import Selection, opening_hours, parse_days, select
from wsim.scenario.calendar import WEEKDAYS
from wsim.scenario.units import format_clock

#: Two weekdays are one day type only if they open and close within this many minutes.
HOURS_TOLERANCE = 60.0
#: ... and the busier one's mean volume is at most this many times the other's.
VOLUME_RATIO = 1.5
#: The name of the calendar's default day type.
DEFAULT = "default"
_FULL_NAMES = {
    day: f"{name}day"
    for day, name in zip(
        WEEKDAYS, ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun"), strict=True
    )
}


@dataclass(frozen=True)
class DayType:
    """A day type: its ``name`` and the :class:`Selection` (dates, hours) it describes."""

    name: str
    selection: Selection

    @property
    def weekdays(self) -> tuple[str, ...]:
        """The weekdays of this day type (in the order they follow its first date)."""
        return self.selection.weekdays


def parse_day_types(given: str | Mapping[str, Sequence[str] | str]) -> dict[str, tuple]:
    """``"default=sun,mon;short=fri"`` or a mapping -> ``{name: weekdays}`` (first is default).

    Raises :class:`LogError` for a malformed item, a bad name or a weekday in two day types.
    """
    if isinstance(given, str):
        items = {}
        for part in given.split(";"):
            if not part.strip():
                continue
            name, sep, days = part.partition("=")
            if not sep or not name.strip() or not days.strip():
                raise LogError(
                    f"day types: expected NAME=WEEKDAYS items separated by ';', found "
                    f"{part!r} (e.g. default=mon,tue,wed,thu;friday=fri)"
                )
            items[name.strip()] = days
        given = items
    groups: dict[str, tuple] = {}
    seen: dict[str, str] = {}
    for name, days in given.items():
        if not name.replace("_", "").isalnum():
            raise LogError(f"day types: name {name!r} must be letters, digits and '_'")
        weekdays = parse_days(days)
        for day in weekdays:
            if day in seen:
                raise LogError(f"day types: {day} is in both {seen[day]!r} and {name!r}")
            seen[day] = name
        groups[name] = weekdays
    if not groups:
        raise LogError("day types: give at least one NAME=WEEKDAYS group")
    return groups


def weekday_profile(tickets: pd.DataFrame, slot: float) -> pd.DataFrame:
    """Per weekday of the log: dates, mean tickets per date, opening window (week order)."""
    rows = []
    for day in WEEKDAYS:
        mine = tickets[tickets["weekday"] == day]
        if mine.empty:
            continue
        n_dates = mine["date"].nunique()
        lo, hi = opening_hours(mine["clock"], mine["date"], n_dates, slot)
        rows.append(
            {
                "weekday": day,
                "dates": n_dates,
                "tickets_per_date": len(mine) / n_dates,
                "open": lo,
                "close": hi,
                "hours": f"{format_clock(lo)}-{format_clock(hi)}",
            }
        )
    return pd.DataFrame(rows)


def group_weekdays(tickets: pd.DataFrame, slot: float) -> dict[str, tuple]:
    """The weekdays of the log grouped into day types by the rule of the module notes."""
    table = weekday_profile(tickets, slot).sort_values("tickets_per_date", ascending=False)
    groups: list[list[dict]] = []
    for row in table.to_dict("records"):
        for group in groups:
            head = group[0]
            if (
                abs(row["open"] - head["open"]) <= HOURS_TOLERANCE
                and abs(row["close"] - head["close"]) <= HOURS_TOLERANCE
                and head["tickets_per_date"] <= VOLUME_RATIO * row["tickets_per_date"]
            ):
                group.append(row)
                break
        else:
            groups.append([row])
    groups.sort(key=lambda group: -sum(row["dates"] for row in group))
    named: dict[str, tuple] = {}
    for index, group in enumerate(groups):
        days = tuple(sorted((row["weekday"] for row in group), key=WEEKDAYS.index))
        name = DEFAULT if index == 0 else "_".join(_FULL_NAMES[d] for d in days)
        named[name] = days
    return named


def day_types(
    tickets: pd.DataFrame,
    groups: Mapping[str, Sequence[str]],
    slot: float,
    dates: Sequence[pd.Timestamp] | None = None,
    hours: tuple[float, float] | None = None,
    reason: str = "",
) -> list[DayType]:
    """One :class:`DayType` per group with dates in the log (within ``dates`` if given).

    The first group is the default day type and is named ``default``; ``hours`` (open,
    close) applies to the default day type only.
    """
    pool = set(tickets["date"].unique() if dates is None else [pd.Timestamp(d) for d in dates])
    found = []
    for index, (name, weekdays) in enumerate(groups.items()):
        mine = tickets[tickets["weekday"].isin(weekdays) & tickets["date"].isin(pool)]
        if mine.empty:
            if index == 0:
                raise LogError(
                    f"day types: the default day type ({', '.join(weekdays)}) has no tickets "
                    "among the dates to fit"
                )
            continue
        selection = select(
            tickets,
            slot=slot,
            hours=hours if index == 0 else None,
            dates=sorted(mine["date"].unique()),
            reason=f"day type {DEFAULT if index == 0 else name}: {', '.join(weekdays)}"
            + (f" ({reason})" if reason else ""),
        )
        found.append(DayType(DEFAULT if index == 0 else name, selection))
    return found


def _schedule_of(group: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A window group's schedule (or count) on day type `name`, as a group mapping."""
    chosen = group.get("day_schedules", {}).get(name) if name != DEFAULT else None
    if chosen is None:
        return {"schedule": group["schedule"]} if "schedule" in group else {"count": group["count"]}
    return {"count": chosen} if isinstance(chosen, int) else {"schedule": dict(chosen)}


def single_day_type(
    mapping: Mapping[str, Any], name: str, weekdays: Sequence[str] | None = None, days: int = 1
) -> dict[str, Any]:
    """The scenario of day type `name` alone, from a mapping with ``calendar.day_types``.

    Its calendar opens on `weekdays` (default: the day type's own) with the day type's hours
    for `days` open days; demand streams take the day type's ``day_factors`` (times their
    ``per_day``) and ``day_profiles``, window groups the day type's ``day_schedules``. The
    result has no day-type fields, so the scenario schema of today loads it.
    """
    calendar = dict(mapping["calendar"])
    types = calendar.pop("day_types", {}) or {}
    if name != DEFAULT and name not in types:
        raise LogError(f"day type {name!r} is not in the scenario; it has {DEFAULT}, {list(types)}")
    own = types.get(name, {})
    default_days = [d for d in calendar.get("weekdays", []) if not _in_types(d, types)]
    chosen = list(weekdays or (own.get("weekdays") if name != DEFAULT else default_days))
    calendar.update(
        days=days,
        weekdays=chosen,
        start=chosen[0],
        open=own.get("open", calendar["open"]),
        close=own.get("close", calendar["close"]),
    )
    for key in ("holidays", "workdays", "start_date"):
        calendar.pop(key, None)
    single = copy.deepcopy({k: v for k, v in mapping.items() if k != "calendar"})
    single["calendar"] = calendar
    for entry in single.get("demand", []):
        factor = entry.pop("day_factors", {}).get(name, 1.0)
        profiles = entry.pop("day_profiles", {})
        if name != DEFAULT and name in profiles:
            entry["profile"] = profiles[name]
        if "per_day" in entry:
            entry["per_day"] = float(f"{entry['per_day'] * factor:.6g}")
    single["demand"] = [e for e in single.get("demand", []) if e.get("per_day", 1) > 0]
    for group in single.get("windows", []):
        chosen_schedule = _schedule_of(group, name)
        for key in ("schedule", "count", "day_schedules"):
            group.pop(key, None)
        group.update(chosen_schedule)
    used = {e.get("profile") for e in single["demand"]}
    if "profiles" in single:
        single["profiles"] = {k: v for k, v in single["profiles"].items() if k in used}
    return single


def _in_types(day: str, types: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(day in spec.get("weekdays", ()) for spec in types.values())
