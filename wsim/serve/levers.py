"""The levers of the what-if page: generated from the scenario, and from a levers file.

A :class:`Lever` is one field of the page's form: what it changes (its label, unit, current
value and allowed range) and how a value becomes a fragment of an overlay's ``changes``, in
the same grammar as a reform file (window groups by name, demand streams by their key,
mappings key by key). :func:`scenario_levers` generates them from the scenario's raw mapping:
windows per group and time band, the services each group serves, staff per department, the
online channel of each service, the sync interval of each department pair (and of the
other handoffs), the up time of each system between outages, citizens' patience and the demand
of each service. :func:`file_levers` makes one on/off lever per lever of a levers file
(``wsim.optimize.levers``).

Ranges are the schema's bounds (:mod:`wsim.scenario.limits`); the schema itself checks every
value when the changed scenario is built (:mod:`wsim.serve.overlay`), so the message beside
a field is the one a file with that value would get.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wsim.optimize.levers import LeverSet
from wsim.optimize.levers.resources import workflow_pairs
from wsim.scenario import Scenario
from wsim.scenario.journeys import HandoffRule
from wsim.scenario.limits import MAX_STAFF, MAX_WINDOWS, MIN_SYNC_EVERY, MINUTES_PER_DAY

Kind = Literal["int", "number", "choice", "services", "switch"]

#: Largest factor a demand lever may scale a service's demand by (more is a new center).
MAX_DEMAND_SCALE = 10.0
#: Most levers the page generates for one scenario (each group, service and department has a
#: few; the W district baseline has about 110).
MAX_LEVERS = 2000
#: The range of a sync interval in words (its bound, MIN_SYNC_EVERY, is a second).
SYNC_RANGE = "at least 1 s"


@dataclass(frozen=True)
class Lever:
    """One field of the page's form.

    Attributes
    ----------
    id : the form field's name (generated: ``w3_1``, ``dep_2``; never a scenario text).
    section : the heading it is shown under.
    label : what it changes, for people.
    unit : the unit of the value (``windows``, ``min``, ``days``, ``times``), or ``""``.
    kind : ``int`` and ``number`` (a typed value), ``choice`` (one of `choices`),
        ``services`` (a set of `choices`), ``switch`` (a levers-file lever, on or off).
    current : the baseline's value (a number, a choice, a tuple of services, False).
    low, high : the allowed range of a number (None: unbounded on that side).
    choices : the allowed values of a choice or a set.
    paths : scenario field paths (as in messages, ``windows[2].schedule``) whose problems
        belong beside this field.
    target : what the overlay fragment changes: a kind-specific tuple (see
        :func:`wsim.serve.overlay.changes_of`).
    now : the baseline's value in words, where `current` does not say it (a nightly sync).
    range_text : the allowed range in words, where the bounds as numbers do not read well
        (``at least 1 s`` rather than ``at least 0.0166667`` min).
    """

    id: str
    section: str
    label: str
    unit: str
    kind: Kind
    current: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    target: tuple[Any, ...] = field(default=(), repr=False)
    now: str = ""
    range_text: str = ""

    def describe_range(self) -> str:
        """The allowed values in words (``0 to 10000``, ``pre or full``)."""
        if self.range_text:
            return self.range_text
        if self.kind in ("int", "number"):
            low = "" if self.low is None else f"{self.low:g}"
            high = "" if self.high is None else f"{self.high:g}"
            return f"{low} to {high}" if high else f"at least {low}"
        if self.kind == "switch":
            return "on or off"
        if self.kind == "services":
            return "any of the services shown"
        return " or ".join(self.choices)


def scenario_levers(raw: Mapping[str, Any], scenario: Scenario) -> list[Lever]:
    """Every lever generated from the scenario's raw mapping (overlays resolved).

    `scenario` is the validated scenario of `raw`, for values the raw mapping writes in other
    forms (durations with units, distributions).
    """
    levers = [
        *_window_levers(raw),
        *_department_levers(raw),
        *_online_levers(raw),
        *_sync_levers(raw, scenario),
        *_outage_levers(raw, scenario),
        *_patience_levers(raw, scenario),
        *_demand_levers(raw),
    ]
    return levers[:MAX_LEVERS]


def file_levers(levers: LeverSet) -> list[Lever]:
    """One on/off lever per lever of a levers file, with its costs in its label."""
    currency = levers.economics.currency
    return [
        Lever(
            id=f"lev_{index}",
            section="Levers file",
            label=f"{lever.name}: {lever.description} "
            f"({lever.one_off:,.0f} {currency} one-off, {lever.yearly:,.0f} {currency} a year)",
            unit="",
            kind="switch",
            current=False,
            target=("file", lever.name),
        )
        for index, lever in enumerate(levers.levers)
    ]


def _window_levers(raw: Mapping[str, Any]) -> list[Lever]:
    levers = []
    services = tuple(raw.get("services") or {})
    for g, group in enumerate(raw.get("windows") or ()):
        if not isinstance(group, Mapping):
            continue
        name = str(group.get("name"))
        section = f"Windows: {name}"
        schedule = group.get("schedule")
        if isinstance(schedule, Mapping):
            for b, (time, count) in enumerate(schedule.items()):
                levers.append(
                    Lever(
                        id=f"w{g}_{b}",
                        section=section,
                        label=f"windows open from {_clock(time)}",
                        unit="windows",
                        kind="int",
                        current=count,
                        low=0,
                        high=MAX_WINDOWS,
                        paths=(f"windows[{g}].schedule",),
                        target=("schedule", name, time),
                    )
                )
        elif group.get("count") is not None:
            levers.append(
                Lever(
                    id=f"w{g}",
                    section=section,
                    label="windows open all day",
                    unit="windows",
                    kind="int",
                    current=group["count"],
                    low=0,
                    high=MAX_WINDOWS,
                    paths=(f"windows[{g}].count",),
                    target=("count", name),
                )
            )
        serves = tuple(str(s) for s in group.get("serves") or ())
        levers.append(
            Lever(
                id=f"s{g}",
                section=section,
                label="services served",
                unit="",
                kind="services",
                current=serves,
                choices=services,
                paths=(f"windows[{g}].serves", f"windows[{g}].speed", f"windows[{g}]"),
                target=("serves", name),
            )
        )
    return levers


def _clock(time: object) -> str:
    """A schedule key as a clock time (YAML may have read an unquoted 8:30 as 510)."""
    if isinstance(time, (int, float)) and not isinstance(time, bool):
        minutes = int(time)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(time)


def _department_levers(raw: Mapping[str, Any]) -> list[Lever]:
    return [
        Lever(
            id=f"dep_{d}",
            section="Back office",
            label=f"staff of {name}",
            unit="staff",
            kind="int",
            current=department.get("staff"),
            low=1,
            high=MAX_STAFF,
            paths=(f"departments.{name}.staff",),
            target=("staff", name),
        )
        for d, (name, department) in enumerate((raw.get("departments") or {}).items())
        if isinstance(department, Mapping) and department.get("staff") is not None
    ]


def _online_levers(raw: Mapping[str, Any]) -> list[Lever]:
    """The online channel of each service, where the scenario has an online channel.

    An overlay cannot delete a key, so a service that is online today (fully or by
    pre-application) can change between ``pre`` and ``full`` but not go offline.
    """
    if "online" not in (raw.get("channels") or {}):
        return []
    levers = []
    for s, (name, service) in enumerate((raw.get("services") or {}).items()):
        if not isinstance(service, Mapping):
            continue
        channels = service.get("channels") or {"hall": "full"}
        current = str(channels.get("online", "no"))
        choices = ("pre", "full") if current != "no" else ("no", "pre", "full")
        levers.append(
            Lever(
                id=f"on_{s}",
                section="Online services",
                label=f"{name} online",
                unit="",
                kind="choice",
                current=current,
                choices=choices,
                paths=(f"services.{name}.channels", f"services.{name}"),
                target=("online", name),
            )
        )
    return levers


def _sync_levers(raw: Mapping[str, Any], scenario: Scenario) -> list[Lever]:
    """The sync interval of the sharing platform: of each department pair, and of the rest.

    One lever per department pair the workflows hand cases between (both directions take the
    value, as a sharing lever connects a pair), then one for the default rule (every other
    handoff), when that rule is the platform's.
    """
    if not raw.get("departments"):
        return []
    handoffs = scenario.handoffs
    services = {name: service.model_dump() for name, service in scenario.services.items()}
    levers = []
    for p, (a, b) in enumerate(workflow_pairs(services)):
        there, back = handoffs.rule_for(a, b, ""), handoffs.rule_for(b, a, "")
        levers.append(
            Lever(
                id=f"sync_{p}",
                section="Data sharing",
                label=f"{a} and {b} sync every",
                now=_sync_now(there, back),
                unit="min",
                kind="number",
                current=_pair_every(there, back),
                low=MIN_SYNC_EVERY,
                high=None,
                range_text=SYNC_RANGE,
                paths=("handoffs.pairs", "handoffs"),
                target=("sync_pair", a, b),
            )
        )
    if handoffs.mode == "platform":
        levers.append(
            Lever(
                id="sync",
                section="Data sharing",
                label="every other handoff syncs every" if levers else "handoffs sync every",
                now=_sync_now(handoffs, handoffs),
                unit="min",
                kind="number",
                current=handoffs.every,
                low=MIN_SYNC_EVERY,
                high=None,
                range_text=SYNC_RANGE,
                paths=("handoffs",),
                target=("sync",),
            )
        )
    return levers


def _pair_every(there: HandoffRule, back: HandoffRule) -> float | None:
    """The pair's sync interval (min) when both directions sync at the same interval."""
    return there.every if there.every is not None and there == back else None


def _sync_now(there: HandoffRule, back: HandoffRule) -> str:
    """How the data goes today, in words (one way, or each way when they differ)."""
    if there != back:
        return f"{_transport(there)} one way, {_transport(back)} the other"
    return _transport(there)


def _transport(rule: HandoffRule) -> str:
    if rule.mode == "paper":
        return "on paper (a courier)"
    if rule.mode == "citizen":
        return "carried by the citizen"
    if rule.every is not None:
        return f"every {rule.every:g} min"
    if rule.at is not None:
        return f"once a day at {_clock(rule.at)}"
    return "real time"


def _outage_levers(raw: Mapping[str, Any], scenario: Scenario) -> list[Lever]:
    levers = []
    for i, (name, system) in enumerate(scenario.systems.items()):
        between = (raw.get("systems") or {}).get(name, {}).get("between")
        if not isinstance(between, Mapping) or "mean" not in between:
            continue
        levers.append(
            Lever(
                id=f"out_{i}",
                section="Systems",
                label=f"{name}: mean time between outages",
                unit="days",
                kind="number",
                current=round(system.between.expected() / MINUTES_PER_DAY, 6),
                low=0,
                high=None,
                paths=(f"systems.{name}",),
                target=("outage", name),
            )
        )
    return levers


def _patience_levers(raw: Mapping[str, Any], scenario: Scenario) -> list[Lever]:
    patience = (raw.get("citizens") or {}).get("patience")
    distribution = scenario.citizens.patience
    if distribution is None or not (
        (isinstance(patience, Mapping) and "mean" in patience) or _is_number(patience)
    ):
        return []
    return [
        Lever(
            id="patience",
            section="Citizens",
            label="mean patience in the queue",
            unit="min",
            kind="number",
            current=round(distribution.expected(), 6),
            low=0,
            high=None,
            paths=("citizens.patience",),
            target=("patience", isinstance(patience, Mapping)),
        )
    ]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _demand_levers(raw: Mapping[str, Any]) -> list[Lever]:
    services = list(
        dict.fromkeys(
            item["service"]
            for item in raw.get("demand") or ()
            if isinstance(item, Mapping) and "service" in item
        )
    )
    return [
        Lever(
            id=f"dem_{s}",
            section="Demand",
            label=f"demand for {name} (scale)",
            unit="times",
            kind="number",
            current=1.0,
            low=0,
            high=MAX_DEMAND_SCALE,
            paths=("demand",),
            target=("demand", name),
        )
        for s, name in enumerate(services)
    ]


def sections(levers: Sequence[Lever]) -> dict[str, list[Lever]]:
    """The levers by section, in order of first appearance."""
    grouped: dict[str, list[Lever]] = {}
    for lever in levers:
        grouped.setdefault(lever.section, []).append(lever)
    return grouped
