"""Loading a levers file into a :class:`LeverSet`, with every problem reported at once.

``load_levers(path)`` reads the YAML with the scenarios' strict loader, validates its shape,
loads the baseline it names, generates the levers and checks them against the baseline:
unknown groups, services, departments and pairs (with "did you mean"), duplicate levers,
levers that change nothing or break the scenario, rules that name no lever, patterns that
match nothing, requires cycles, levers the rules never allow, and overlay fragments that do
not compose with levers they may be chosen with. Any problem raises one
:class:`~wsim.scenario.errors.ScenarioError` that lists them all, each with its field path.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wsim.optimize.levers.catalog import (
    Catalog,
    explicit_levers,
    integrate_levers,
    online_levers,
    reform_levers,
    sharing_levers,
    staff_levers,
)
from wsim.optimize.levers.compose import (
    applied_sharing,
    apply_levers,
    ordered,
    portfolio_overlay,
)
from wsim.optimize.levers.lever import Lever, Resources
from wsim.optimize.levers.resources import touched
from wsim.optimize.levers.rules import (
    Rule,
    check_rules,
    required_closure,
    resolve_rules,
    without_levers,
)
from wsim.optimize.levers.spec import BudgetLimits, Economics, LeversFile
from wsim.optimize.levers.surrogate import Budget, Target, annuity_factor
from wsim.scenario.errors import (
    Problem,
    ScenarioError,
    from_validation_error,
    join_path,
    unknown_name_message,
)
from wsim.scenario.loader import _read_yaml, load_scenario, resolve_mapping
from wsim.scenario.schema import Scenario

#: The order of the generated sections in a LeverSet (the file's order).
_SECTIONS = ("integrate", "online", "sharing", "clerks", "staff", "reform", "lever")


@dataclass(frozen=True)
class LeverSet:
    """The candidate levers of a baseline, with the economics, budget, targets and rules.

    Attributes
    ----------
    file, baseline_file : the levers file and the baseline scenario file it names.
    baseline : the validated baseline; ``baseline_raw`` its raw mapping (overlays resolved),
        which levers change.
    economics, budget : as in the file (``budget`` may be overridden by the caller).
    targets : service targets on predicted KPIs.
    levers : every candidate, in the file's order.
    rules : the file's rules and the generated ones (staff steps, ``requires_sharing``).
    resources : per lever, what it touches (see :mod:`wsim.optimize.levers.resources`).
    description : the file's description.
    """

    file: Path
    baseline_file: Path
    baseline: Scenario
    baseline_raw: dict[str, Any]
    economics: Economics
    budget: BudgetLimits
    targets: tuple[Target, ...]
    levers: tuple[Lever, ...]
    rules: tuple[Rule, ...]
    resources: Mapping[str, Resources]
    description: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The lever names, in the file's order."""
        return tuple(lever.name for lever in self.levers)

    @property
    def annuity(self) -> float:
        """Money per year per unit of one-off cost (from the economics)."""
        return annuity_factor(self.economics.discount_rate, self.economics.horizon_years)

    def file_budget(self) -> Budget:
        """The file's budget as the optimizer takes it."""
        return Budget(one_off=self.budget.one_off, yearly=self.budget.yearly)

    def select(self, names: Iterable[str]) -> list[Lever]:
        """The levers of these names; a ScenarioError names an unknown one."""
        table = {lever.name: lever for lever in self.levers}
        chosen = []
        for name in names:
            if name not in table:
                message = unknown_name_message("lever", name, table)
                raise ScenarioError([("", message)], str(self.file))
            chosen.append(table[name])
        return chosen

    def allows(self, names: Collection[str]) -> bool:
        """True when the rules allow choosing exactly these levers together."""
        return all(rule.allows(names) for rule in self.rules)

    def apply(self, names: Iterable[str]) -> dict[str, Any]:
        """The baseline's raw mapping with these levers applied."""
        return apply_levers(self.baseline_raw, self.select(names), str(self.file))

    def scenario(self, names: Iterable[str]) -> Scenario:
        """The validated scenario of the baseline with these levers."""
        return load_scenario(self.apply(names))

    def overlay(
        self, names: Iterable[str], name: str, folder: str | os.PathLike | None = None
    ) -> dict[str, Any]:
        """These levers as one overlay on the baseline file (see ``portfolio_overlay``)."""
        return portfolio_overlay(
            self.baseline_file,
            self.select(names),
            name,
            currency=self.economics.currency,
            folder=folder,
        )

    def without(self, patterns: Iterable[str]) -> LeverSet:
        """The levers without those named (names or glob patterns such as ``sharing:*``).

        A lever that requires a removed lever goes too (it could never be chosen); the rules
        lose the removed levers (:func:`~wsim.optimize.levers.rules.without_levers`). A name
        or pattern that matches no lever is a ScenarioError.
        """
        removed: set[str] = set()
        problems: list[Problem] = []
        for index, pattern in enumerate(patterns):
            matched = {name for name in self.names if fnmatch.fnmatchcase(name, pattern)}
            if not matched:
                message = unknown_name_message("lever or pattern", pattern, self.names)
                problems.append((f"without[{index}]", message))
            removed |= matched
        if problems:
            raise ScenarioError(problems, str(self.file))
        removed |= {
            name for name in self.names if set(required_closure(name, self.rules)) & removed
        }
        return dataclasses.replace(
            self,
            levers=tuple(lever for lever in self.levers if lever.name not in removed),
            rules=without_levers(self.rules, removed),
            resources={k: v for k, v in self.resources.items() if k not in removed},
        )

    def interaction_candidates(self) -> list[tuple[str, str, Resources]]:
        """Pairs of levers that share a resource and may be chosen together, with what they share.

        "May be chosen together": the rules allow the two with every lever they need.
        """
        found = []
        for i, a in enumerate(self.levers):
            for b in self.levers[i + 1 :]:
                shared = self.resources[a.name].shared(self.resources[b.name])
                if shared and self.allows(_together(a.name, b.name, self.rules)):
                    found.append((a.name, b.name, shared))
        return found


def _together(a: str, b: str, rules: Sequence[Rule]) -> tuple[str, ...]:
    """Two levers with every lever either needs."""
    return tuple(dict.fromkeys(required_closure(a, rules) + required_closure(b, rules)))


def load_levers(path: str | os.PathLike) -> LeverSet:
    """Load and check a levers file against its baseline (see the module docstring).

    Raises :class:`~wsim.scenario.errors.ScenarioError` listing every problem, each with the
    file and the field path.
    """
    path = Path(path)
    file = str(path)
    data = _read_yaml(path)
    try:
        spec = LeversFile.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, LeversFile, file) from None
    baseline_file = path.parent / spec.baseline
    if not baseline_file.is_file():
        message = f"baseline scenario file not found: {baseline_file}"
        raise ScenarioError([("baseline", message)], file)
    try:
        baseline_raw, baseline = validated_mapping(baseline_file)
    except ScenarioError as exc:
        raise ScenarioError([("baseline", f"the baseline does not load: {exc}")], file) from None
    catalog = _catalog(spec, path.parent, baseline_file, baseline, baseline_raw)
    problems = list(catalog.problems)
    levers = tuple(sorted(catalog.levers, key=lambda lever: _SECTIONS.index(lever.kind)))
    names = [lever.name for lever in levers]
    resources: dict[str, Resources] = {}
    baseline_data = baseline.to_dict()
    for lever in levers:
        applied, lever_problems = _alone(lever, baseline_raw, baseline_data)
        problems += lever_problems
        if applied is not None and not lever_problems:
            resources[lever.name] = touched(baseline_raw, applied)
    rules, rule_problems = resolve_rules(spec.rules, names, catalog.aliases, catalog.failed)
    rules = (*catalog.rules, *rules)
    problems += rule_problems
    if not rule_problems:
        problems += check_rules(rules, names)
    if not problems:
        problems += _composition_problems(levers, rules, resources, baseline_raw)
    if problems:
        raise ScenarioError(problems, file)
    return LeverSet(
        file=path,
        baseline_file=baseline_file,
        baseline=baseline,
        baseline_raw=baseline_raw,
        economics=spec.economics,
        budget=spec.budget,
        targets=tuple(Target(kpi, t.sense, t.value) for kpi, t in spec.targets.items()),
        levers=levers,
        rules=rules,
        resources=resources,
        description=spec.description,
    )


def validated_mapping(file: Path) -> tuple[dict[str, Any], Scenario]:
    """A scenario file's raw mapping (overlays resolved) and the validated Scenario.

    The file is read once; a ScenarioError names the file.
    """
    raw, _ = resolve_mapping(file)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, Scenario, str(file)) from None
    return raw, scenario


def _catalog(
    spec: LeversFile,
    folder: Path,
    baseline_file: Path,
    baseline: Scenario,
    baseline_raw: dict[str, Any],
) -> Catalog:
    """Every lever the file declares, the rules they imply and the problems found."""
    catalog = Catalog()
    integrate_levers(spec.integrate, baseline, catalog)
    sharing_levers(spec.sharing, baseline, catalog)
    online_levers(spec.online, baseline, catalog)
    staff_levers(spec.staff, baseline, catalog)
    currency = spec.economics.currency
    reform_levers(spec.reforms, folder, baseline_file, baseline_raw, currency, catalog)
    explicit_levers(spec.levers, catalog)
    return catalog


def _scenario_problems(mapping: dict[str, Any]) -> list[Problem]:
    """What is wrong with a lever-changed mapping as a scenario (empty when it is valid)."""
    try:
        Scenario.model_validate(mapping)
    except ValidationError as exc:
        return from_validation_error(exc, Scenario).problems
    return []


def _alone(
    lever: Lever, baseline_raw: dict[str, Any], baseline: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The mapping one lever gives on its own, and its problems.

    A lever alone must apply, change something and leave a valid scenario. The mapping is
    ``None`` when it does not apply (it shares parts with the baseline); ``baseline`` is the
    validated baseline's ``to_dict()``.
    """
    try:
        applied = applied_sharing(baseline_raw, [lever])
    except ScenarioError as exc:
        return None, exc.problems
    try:
        scenario = Scenario.model_validate(applied)
    except ValidationError as exc:
        return applied, [
            (lever.source, f"lever {lever.name} makes the baseline invalid at {where}: {what}")
            for where, what in from_validation_error(exc, Scenario).problems
        ]
    same = scenario.to_dict() == baseline
    if applied == baseline_raw or same:
        return applied, [(lever.source, f"lever {lever.name} changes nothing in the baseline")]
    return applied, []


def _composition_problems(
    levers: Sequence[Lever],
    rules: Sequence[Rule],
    resources: Mapping[str, Resources],
    baseline_raw: dict[str, Any],
) -> list[Problem]:
    """Overlay fragments that do not compose with a lever they share a resource with.

    Each fragment (reform, explicit lever) is checked against every lever it shares a
    resource with and may be chosen with: the pair (with what it needs) must apply and give a
    valid scenario, and two fragments must not depend on their order. Generated levers
    compose by construction, and levers that touch nothing in common change disjoint parts.
    """
    by_name = {lever.name: lever for lever in levers}
    problems: list[Problem] = []
    for i, fragment in enumerate(levers):
        if fragment.kind not in ("reform", "lever"):
            continue
        failures: list[tuple[str, str]] = []
        for other in levers:
            if other is fragment or (other.kind in ("reform", "lever") and levers.index(other) < i):
                continue
            if not resources[fragment.name].shared(resources[other.name]):
                continue
            names = _together(fragment.name, other.name, rules)
            if not all(rule.allows(names) for rule in rules):
                continue
            reason = _pair_failure(fragment, other, [by_name[n] for n in names], baseline_raw)
            if reason:
                failures.append((other.name, reason))
        if failures:
            others = [name for name, _ in failures]
            message = (
                f"{fragment.name} does not compose with {', '.join(others)} "
                f"({failures[0][1]}); make them exclusive: "
                f"{{conflicts: {fragment.name}, with: [{', '.join(others)}]}}"
            )
            problems.append(("rules", message))
    return problems


def _pair_failure(
    fragment: Lever, other: Lever, together: list[Lever], baseline_raw: dict[str, Any]
) -> str | None:
    """Why two levers (with what they need) do not compose, or ``None``."""
    try:
        applied = applied_sharing(baseline_raw, ordered(together))
    except ScenarioError as exc:
        return exc.problems[0][1]
    invalid = _scenario_problems(applied)
    if invalid:
        where, what = invalid[0]
        return f"together they make the baseline invalid at {where}: {what}"
    if other.kind in ("reform", "lever"):
        one = applied_sharing(baseline_raw, [fragment, other])
        two = applied_sharing(baseline_raw, [other, fragment])
        if one != two:
            where = _first_difference(one, two)
            return f"both change {where}, so the result depends on their order"
    return None


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    """The field path of the first place where two mappings differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), join_path(path, str(key)))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                label = x.get("name", index) if isinstance(x, dict) else index
                return _first_difference(x, y, join_path(path, f"[{label}]"))
    return path or "the scenario"
