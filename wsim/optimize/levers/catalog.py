"""Levers generated from a levers file's compact declarations, checked against the baseline.

Each function turns one section of the file into levers (and the rules they imply) and
returns the problems it finds, with paths as the planner wrote them (``online[0].services[2]``),
so that the loader can report every problem of a file at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from wsim.optimize.levers.compose import OVERLAY_OWN, changes_between
from wsim.optimize.levers.lever import Lever
from wsim.optimize.levers.operations import (
    AddLearning,
    AddServed,
    AddStaff,
    AddWindows,
    MergeFragment,
    ReplacePickup,
    SetChannel,
    SetHandoffPair,
    SetServiceField,
    SetSpeed,
)
from wsim.optimize.levers.resources import handoff_pairs, unordered, workflow_pairs
from wsim.optimize.levers.rules import Requires, Rule
from wsim.optimize.levers.spec import (
    ExplicitLever,
    IntegrateSpec,
    OnlineSpec,
    SharingSpec,
    StaffSpec,
)
from wsim.scenario.distributions import Distribution
from wsim.scenario.errors import (
    Problem,
    ScenarioError,
    from_validation_error,
    unknown_name_message,
)
from wsim.scenario.hall import Cost
from wsim.scenario.loader import _read_yaml, resolve_mapping
from wsim.scenario.schema import Scenario

_DISTRIBUTION: TypeAdapter[Distribution] = TypeAdapter(Distribution)


@dataclass
class Catalog:
    """Levers, the rules they imply, name aliases and problems, collected section by section."""

    levers: list[Lever] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # names of levers declared with a problem

    def add(self, lever: Lever, path: str) -> bool:
        """Add a lever unless its name is taken (then a problem at ``path``)."""
        earlier = next((other for other in self.levers if other.name == lever.name), None)
        if earlier is not None:
            where = earlier.source.removesuffix(".changes")
            message = f"lever {lever.name} is already declared at {where}"
            self.problems.append((path, message))
            return False
        self.levers.append(lever)
        return True

    def names(self) -> list[str]:
        """The names of the levers collected so far, in order."""
        return [lever.name for lever in self.levers]


def _group_names(scenario: Scenario) -> list[str]:
    return [group.name for group in scenario.windows]


def integrate_levers(specs: Sequence[IntegrateSpec], scenario: Scenario, catalog: Catalog) -> None:
    """One lever per service of each ``integrate`` entry: the group also serves it."""
    groups = {group.name: group for group in scenario.windows}
    for i, spec in enumerate(specs):
        path = f"integrate[{i}]"
        group = groups.get(spec.group)
        if group is None:
            message = unknown_name_message("window group", spec.group, groups)
            catalog.problems.append((f"{path}.group", message))
            continue
        clerks = group.max_count
        training = spec.cross_training
        for j, service in enumerate(spec.services):
            where = f"{path}.services[{j}]"
            if service not in scenario.services:
                message = unknown_name_message("service", service, scenario.services)
                catalog.problems.append((where, message))
                continue
            if service in group.serves:
                catalog.problems.append((where, f"window group {group.name} already serves it"))
                catalog.failed.add(f"integrate:{service}")
                continue
            operations: list[Any] = [AddServed(group.name, service)]
            if training.speed != 1:
                operations.append(SetSpeed(group.name, service, training.speed))
            speed = f", speed {training.speed:g}" if training.speed != 1 else ""
            if training.learning is not None:
                curve = training.learning.model_dump(mode="json", exclude={"services"})
                operations.append(AddLearning(group.name, service, tuple(curve.items())))
                learning = training.learning
                speed += f", beginners x{learning.start:g} for {learning.after:g} {learning.unit}"
            lever = Lever(
                name=f"integrate:{service}",
                kind="integrate",
                description=(
                    f"{service} also served at window group {group.name} "
                    f"({clerks} clerks cross-trained{speed})"
                ),
                one_off=spec.cost.one_off + training.per_clerk * clerks,
                yearly=spec.cost.yearly,
                operations=tuple(operations),
                source=where,
            )
            catalog.add(lever, where)


def _online_reachable(scenario: Scenario, service: str) -> bool:
    """True when some demand for ``service`` can use the online channel."""
    streams = [d for d in scenario.demand if d.service == service]
    if any(d.channel == "online" for d in streams):
        return True
    uses_online = any(segment.channels.get("online", 0) > 0 for segment in scenario.segments)
    return uses_online and any(d.channel == "any" for d in streams)


def online_levers(specs: Sequence[OnlineSpec], scenario: Scenario, catalog: Catalog) -> None:
    """One lever per service of each ``online`` entry: the service becomes fully online.

    Run after :func:`sharing_levers`: ``requires_sharing`` needs the sharing levers' names.
    """
    for i, spec in enumerate(specs):
        path = f"online[{i}]"
        for j, service in enumerate(spec.services):
            where = f"{path}.services[{j}]"
            if service not in scenario.services:
                message = unknown_name_message("service", service, scenario.services)
                catalog.problems.append((where, message))
                continue
            if not _online_reachable(scenario, service):
                message = (
                    f"no demand for {service} can choose the online channel (it needs a demand "
                    "stream with channel: any and a segment that uses online, or channel: "
                    "online), so the lever would change nothing"
                )
                catalog.problems.append((where, message))
                catalog.failed.add(f"online:{service}")
                continue
            operations: list[Any] = [SetChannel(service, "online", "full")]
            words = [f"{service} fully online"]
            if spec.verification is not None:
                operations.append(SetServiceField(service, "verification", spec.verification))
                words.append(f"verification visits {spec.verification:g}")
            if spec.result != "keep" and scenario.services[service].result == "pickup":
                operations.append(ReplacePickup(service, spec.result))
                how = "online" if spec.result == "online" else f"by {spec.result}"
                words.append(f"results {how} instead of a pickup")
            lever = Lever(
                name=f"online:{service}",
                kind="online",
                description=", ".join(words),
                one_off=spec.cost.one_off,
                yearly=spec.cost.yearly,
                operations=tuple(operations),
                source=where,
            )
            if catalog.add(lever, where) and spec.requires_sharing:
                _require_sharing(lever, scenario, f"{path}.requires_sharing", catalog)


def _require_sharing(lever: Lever, scenario: Scenario, path: str, catalog: Catalog) -> None:
    """The rule that an online lever needs the sharing levers of its workflow's pairs."""
    service = lever.name.removeprefix("online:")
    pairs = [unordered(pair) for pair in handoff_pairs(scenario.services[service].model_dump())]
    needs, names = [], catalog.names()
    for a, b in dict.fromkeys(pairs):
        name = f"sharing:{a}-{b}"
        if name in names:
            needs.append(name)
        else:
            message = (
                f"{lever.name} needs sharing between {a} and {b}, but no sharing lever covers "
                "that pair: add it to sharing, or set requires_sharing: false"
            )
            catalog.problems.append((path, message))
    if needs:
        catalog.rules.append(Requires(lever.name, tuple(needs), path))


def sharing_levers(specs: Sequence[SharingSpec], scenario: Scenario, catalog: Catalog) -> None:
    """One lever per department pair of each ``sharing`` entry: real-time handoffs both ways."""
    services = {name: service.model_dump() for name, service in scenario.services.items()}
    found = workflow_pairs(services)
    for i, spec in enumerate(specs):
        path = f"sharing[{i}]"
        if spec.pairs == "all":
            if not found:
                message = "no workflow of the baseline hands a case between two departments"
                catalog.problems.append((f"{path}.pairs", message))
            pairs = [(pair, f"{path}.pairs") for pair in found]
        else:
            pairs = _declared_pairs(spec.pairs, f"{path}.pairs", scenario, found, catalog)
        rule: dict[str, Any] = {
            "mode": "platform",
            "delay": _DISTRIBUTION.dump_python(spec.delay, mode="json"),
        }
        if spec.rework is not None:
            rule["rework"] = spec.rework
        for (a, b), where in pairs:
            name = f"sharing:{a}-{b}"
            lever = Lever(
                name=name,
                kind="sharing",
                description=f"real-time data sharing between {a} and {b}",
                one_off=spec.cost.one_off,
                yearly=spec.cost.yearly,
                operations=(SetHandoffPair(a, b, rule), SetHandoffPair(b, a, rule)),
                source=where,
            )
            if catalog.add(lever, where):
                catalog.aliases[f"sharing:{b}-{a}"] = name


def _declared_pairs(
    declared: Sequence[tuple[str, str]],
    path: str,
    scenario: Scenario,
    found: Sequence[tuple[str, str]],
    catalog: Catalog,
) -> list[tuple[tuple[str, str], str]]:
    """The explicitly listed pairs that exist, each with its path; problems for the others."""
    pairs = []
    for k, (a, b) in enumerate(declared):
        where = f"{path}[{k}]"
        unknown = [
            (f"{where}[{n}]", unknown_name_message("department", d, scenario.departments))
            for n, d in enumerate((a, b))
            if d not in scenario.departments
        ]
        if unknown:
            catalog.problems += unknown
        elif a == b:
            catalog.problems.append((where, f"a pair needs two different departments, found {a}"))
        elif unordered((a, b)) not in found:
            message = f"no workflow of the baseline hands a case between {a} and {b}"
            catalog.problems.append((where, message))
        else:
            pairs.append((unordered((a, b)), where))
    return pairs


def staff_levers(specs: Sequence[StaffSpec], scenario: Scenario, catalog: Catalog) -> None:
    """One lever per step of each ``staff`` entry; step k needs step k-1."""
    groups = {group.name: group for group in scenario.windows}
    for i, spec in enumerate(specs):
        path = f"staff[{i}]"
        if spec.group is not None:
            if spec.group not in groups:
                message = unknown_name_message("window group", spec.group, groups)
                catalog.problems.append((f"{path}.group", message))
                continue
            kind, target, hourly = "clerks", spec.group, groups[spec.group].hourly_cost
            what = f"one more clerk at window group {target} whenever it is open"
            operation: Any = AddWindows(target)
        else:
            department = scenario.departments.get(spec.department or "")
            if department is None:
                message = unknown_name_message("department", spec.department, scenario.departments)
                catalog.problems.append((f"{path}.department", message))
                continue
            kind, target, hourly = "staff", spec.department, department.hourly_cost
            what = f"one more staff member in department {target}"
            operation = AddStaff(target)
        if hourly == 0 and spec.cost.one_off == 0 and spec.cost.yearly == 0:
            message = (
                f"{target} has no hourly_cost in the baseline, so its extra staff would cost "
                "nothing: set hourly_cost there, or a cost per step here"
            )
            catalog.problems.append((f"{path}.cost", message))
            continue
        for step in range(1, spec.steps + 1):
            lever = Lever(
                name=f"{kind}:{target}:{step}",
                kind=kind,
                description=f"{what} (step {step} of {spec.steps})",
                one_off=spec.cost.one_off,
                yearly=spec.cost.yearly,
                operations=(operation,),
                source=path,
            )
            if not catalog.add(lever, f"{path}.{'group' if kind == 'clerks' else 'department'}"):
                break
            if step > 1:
                previous = f"{kind}:{target}:{step - 1}"
                catalog.rules.append(Requires(lever.name, (previous,), f"{path}.steps"))


def explicit_levers(specs: Sequence[ExplicitLever], catalog: Catalog) -> None:
    """The ``levers`` section: each an overlay fragment with its cost."""
    for i, spec in enumerate(specs):
        lever = Lever(
            name=spec.name,
            kind="lever",
            description=spec.description or spec.name,
            one_off=spec.cost.one_off,
            yearly=spec.cost.yearly,
            operations=(MergeFragment(spec.changes),),
            source=f"levers[{i}].changes",
        )
        catalog.add(lever, f"levers[{i}].name")


def reform_levers(
    paths: Sequence[str],
    folder: Path,
    baseline: Path,
    baseline_raw: Mapping[str, Any],
    currency: str,
    catalog: Catalog,
) -> None:
    """The ``reforms`` section: one lever per overlay on the baseline.

    Its resolved changes are one fragment, and its ``cost`` block is the lever's cost.
    """
    for i, ref in enumerate(paths):
        where = f"reforms[{i}]"
        file = folder / ref
        try:
            resolved, _ = resolve_mapping(file)
            Scenario.model_validate(resolved)
        except ScenarioError as exc:
            problem = f"the reform does not load: {exc}"
        except ValidationError as exc:
            problem = f"the reform does not load: {from_validation_error(exc, Scenario, str(file))}"
        else:
            problem = _reform_problem(file, baseline, currency)
        if problem:
            catalog.problems.append((where, problem))
            catalog.failed.add(f"reform:{file.stem}")
            continue
        cost = Cost.model_validate(_read_yaml(file)["cost"])  # valid: the scenario checked it
        changes = changes_between(
            {k: v for k, v in baseline_raw.items() if k not in OVERLAY_OWN},
            {k: v for k, v in resolved.items() if k not in OVERLAY_OWN},
        )
        lever = Lever(
            name=f"reform:{file.stem}",
            kind="reform",
            description=str(resolved.get("name") or file.stem),
            one_off=cost.one_off,
            yearly=cost.yearly,
            operations=(MergeFragment(changes),),
            source=where,
        )
        catalog.add(lever, where)


def _reform_problem(file: Path, baseline: Path, currency: str) -> str | None:
    """Why a (loadable) reform file cannot be a lever of this baseline, or ``None``."""
    own = _read_yaml(file)
    if "base" not in own:
        return f"{file} is not an overlay (it has no base:), so it is no change of the baseline"
    data, current = own, file
    while "base" in data and current.resolve() != baseline.resolve():
        current = current.parent / data["base"]
        if current.resolve() != baseline.resolve():
            data = _read_yaml(current)
    if current.resolve() != baseline.resolve():
        return f"its base is {current}, not the baseline {baseline} of this levers file"
    if "cost" not in own:
        return "the reform has no cost block (cost: {one_off: ..., yearly: ...}), its lever cost"
    cost = Cost.model_validate(own["cost"])
    if cost.one_off < 0 or cost.yearly < 0:
        found = f"one-off {cost.one_off:g}, yearly {cost.yearly:g}"
        return f"its costs must not be negative, found {found}"
    if cost.currency != currency:
        return f"its cost is in {cost.currency}, the levers file's economics in {currency}"
    return None
