"""Rules between levers, as the optimizer reads them, and their resolution from a levers file.

Three rules say which lever sets are allowed:

- :class:`Exclusive`: at most one of its members;
- :class:`AtMost`: at most ``limit`` of its members;
- :class:`Requires`: ``lever`` only together with every lever of ``needs``.

The file's ``conflicts`` rule becomes one :class:`Exclusive` per pair, and staff steps and
``requires_sharing`` generate :class:`Requires` rules. Every rule keeps ``source``, the place
it comes from (``rules[2]``, ``staff[0].steps``), so that a diagnosis can name it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from wsim.optimize.levers.spec import RuleSpec
from wsim.scenario.errors import Problem, join_path, unknown_name_message

_GLOB = set("*?[")


@dataclass(frozen=True)
class Exclusive:
    """At most one of ``members``."""

    members: tuple[str, ...]
    source: str = ""

    def allows(self, chosen: Collection[str]) -> bool:
        """True when the lever set ``chosen`` keeps the rule."""
        return sum(name in chosen for name in self.members) <= 1

    def describe(self) -> str:
        """The rule in words, with where it comes from."""
        return _with_source(f"at most one of {', '.join(self.members)}", self.source)


@dataclass(frozen=True)
class AtMost:
    """At most ``limit`` of ``members`` (``limit`` 0 forbids them)."""

    limit: int
    members: tuple[str, ...]
    source: str = ""

    def allows(self, chosen: Collection[str]) -> bool:
        """True when the lever set ``chosen`` keeps the rule."""
        return sum(name in chosen for name in self.members) <= self.limit

    def describe(self) -> str:
        """The rule in words, with where it comes from."""
        return _with_source(f"at most {self.limit} of {', '.join(self.members)}", self.source)


@dataclass(frozen=True)
class Requires:
    """``lever`` only together with every lever of ``needs``."""

    lever: str
    needs: tuple[str, ...]
    source: str = ""

    def allows(self, chosen: Collection[str]) -> bool:
        """True when the lever set ``chosen`` keeps the rule."""
        return self.lever not in chosen or all(need in chosen for need in self.needs)

    def describe(self) -> str:
        """The rule in words, with where it comes from."""
        return _with_source(f"{self.lever} needs {', '.join(self.needs)}", self.source)


Rule = Exclusive | AtMost | Requires


def _with_source(text: str, source: str) -> str:
    return f"{text} ({source})" if source else text


def rule_levers(rule: Rule) -> tuple[str, ...]:
    """Every lever a rule names."""
    if isinstance(rule, Requires):
        return (rule.lever, *rule.needs)
    return rule.members


def without_levers(rules: Iterable[Rule], removed: Collection[str]) -> tuple[Rule, ...]:
    """The rules once the levers ``removed`` no longer exist.

    A lever that needs a removed lever can no longer be chosen (it becomes ``AtMost(0, ...)``);
    rules left with nothing to limit are dropped.
    """
    kept: list[Rule] = []
    for rule in rules:
        if isinstance(rule, Requires):
            if rule.lever in removed:
                continue
            if any(need in removed for need in rule.needs):
                kept.append(AtMost(0, (rule.lever,), rule.source))
            else:
                kept.append(rule)
            continue
        members = tuple(name for name in rule.members if name not in removed)
        limit = 1 if isinstance(rule, Exclusive) else rule.limit
        if len(members) <= limit:
            continue
        if isinstance(rule, Exclusive):
            kept.append(Exclusive(members, rule.source))
        else:
            kept.append(AtMost(rule.limit, members, rule.source))
    return tuple(kept)


def required_closure(lever: str, rules: Iterable[Rule]) -> tuple[str, ...]:
    """``lever`` and every lever it needs, directly or through others, in discovery order."""
    needs: dict[str, list[str]] = {}
    for rule in rules:
        if isinstance(rule, Requires):
            needs.setdefault(rule.lever, []).extend(rule.needs)
    found, stack = [lever], [lever]
    while stack:
        for need in needs.get(stack.pop(), []):
            if need not in found:
                found.append(need)
                stack.append(need)
    return tuple(found)


# --- from the file's rules to Rule objects ------------------------------------------------


@dataclass(frozen=True)
class _Names:
    """The lever names a file's rules may refer to, their aliases, and failed levers.

    Aliases are ``sharing:b-a`` for ``sharing:a-b``; ``failed`` are the names of levers whose
    declaration has a problem of its own.
    """

    names: tuple[str, ...]
    aliases: Mapping[str, str]
    failed: Collection[str] = ()

    def resolve(self, ref: str, path: str, problems: list[Problem]) -> tuple[str, ...]:
        """The levers a name or glob pattern means; a problem at ``path`` if none.

        A failed lever means nothing, without a second problem.
        """
        if _GLOB & set(ref):
            matched = tuple(name for name in self.names if fnmatch.fnmatchcase(name, ref))
            if not matched:
                problems.append((path, f"the pattern {ref!r} matches no lever"))
            return matched
        if ref in self.names:
            return (ref,)
        if ref in self.aliases:
            return (self.aliases[ref],)
        if ref in self.failed:
            return ()
        problems.append((path, unknown_name_message("lever", ref, self.names)))
        return ()

    def resolve_all(
        self, refs: Sequence[str], path: str, problems: list[Problem]
    ) -> tuple[str, ...]:
        """The levers of several names or patterns, each once, in order."""
        found: list[str] = []
        for index, ref in enumerate(refs):
            for name in self.resolve(ref, join_path(path, f"[{index}]"), problems):
                if name not in found:
                    found.append(name)
        return tuple(found)


def resolve_rules(
    specs: Sequence[RuleSpec],
    names: Sequence[str],
    aliases: Mapping[str, str],
    failed: Collection[str] = (),
) -> tuple[tuple[Rule, ...], list[Problem]]:
    """The file's ``rules`` as Rule objects, and the problems (paths ``rules[i]...``).

    A rule that names a ``failed`` lever (one declared with a problem) is left out until that
    problem is fixed.
    """
    table = _Names(tuple(names), aliases, frozenset(failed))
    rules: list[Rule] = []
    problems: list[Problem] = []
    for index, spec in enumerate(specs):
        path = f"rules[{index}]"
        rules += _resolve_one(spec, path, table, problems)
    return tuple(rules), problems


def _refs(spec: RuleSpec) -> list[str]:
    """Every name or pattern a file rule gives."""
    single = [ref for ref in (spec.requires, spec.conflicts) if ref is not None]
    lists = (spec.exclusive, spec.needs, spec.of, spec.with_)
    return single + [ref for refs in lists if refs for ref in refs]


def _resolve_one(spec: RuleSpec, path: str, table: _Names, problems: list[Problem]) -> list[Rule]:
    """One file rule as Rule objects (``conflicts`` gives one Exclusive per pair).

    None when it has a problem or names a failed lever.
    """
    mine: list[Problem] = []
    failed = any(ref in table.failed for ref in _refs(spec))
    if spec.kind == "exclusive":
        members = table.resolve_all(spec.exclusive or (), join_path(path, "exclusive"), mine)
        if not (mine or failed) and len(members) < 2:
            mine.append((join_path(path, "exclusive"), f"names one lever only ({members[0]})"))
        rules: list[Rule] = [Exclusive(members, path)]
    elif spec.kind == "at_most":
        members = table.resolve_all(spec.of or (), join_path(path, "of"), mine)
        rules = [AtMost(spec.at_most or 0, members, path)]
    elif spec.kind == "requires":
        levers = table.resolve(spec.requires or "", join_path(path, "requires"), mine)
        needs = table.resolve_all(spec.needs or (), join_path(path, "needs"), mine)
        rules = []
        for lever in levers:
            if lever in needs:
                mine.append((join_path(path, "needs"), f"{lever} cannot need itself"))
            rules.append(Requires(lever, needs, path))
    else:
        levers = table.resolve(spec.conflicts or "", join_path(path, "conflicts"), mine)
        others = table.resolve_all(spec.with_ or (), join_path(path, "with"), mine)
        pairs = {tuple(sorted((a, b))) for a in levers for b in others if a != b}
        if not (mine or failed) and not pairs:
            mine.append((join_path(path, "with"), "names no lever other than the conflicting one"))
        rules = [Exclusive(pair, path) for pair in sorted(pairs)]
    problems += mine
    return [] if mine or failed else rules


def check_rules(rules: Sequence[Rule], names: Sequence[str]) -> list[Problem]:
    """Requires cycles, and levers that the rules never let be chosen.

    A lever can never be chosen when the levers it needs (with it) break an ``exclusive`` or
    ``at_most`` rule; ``at_most: 0`` forbids on purpose and is not reported.
    """
    problems = _cycle_problems(rules)
    if problems:
        return problems
    for lever in names:
        closure = required_closure(lever, rules)
        if len(closure) == 1:
            continue
        for rule in rules:
            if isinstance(rule, Requires) or (isinstance(rule, AtMost) and rule.limit == 0):
                continue
            if not rule.allows(closure):
                message = (
                    f"{lever} can never be chosen: it needs {', '.join(closure[1:])}, "
                    f"and this rule allows {_allowed(rule)} of {', '.join(rule.members)}"
                )
                problems.append((rule.source, message))
    return problems


def _allowed(rule: Exclusive | AtMost) -> str:
    return "one" if isinstance(rule, Exclusive) else f"at most {rule.limit}"


def _cycle_problems(rules: Sequence[Rule]) -> list[Problem]:
    """One problem per requires cycle (``a -> b -> a``), at the rule that closes it."""
    edges: dict[str, list[tuple[str, str]]] = {}
    for rule in rules:
        if isinstance(rule, Requires):
            for need in rule.needs:
                edges.setdefault(rule.lever, []).append((need, rule.source))
    problems: list[Problem] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for need, source in edges.get(node, []):
            if state.get(need) == 1:
                cycle = [*path[path.index(need) :], need]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.append((source, f"requires cycle: {' -> '.join(cycle)}"))
            elif need not in state:
                visit(need, [*path, need])
        state[node] = 2

    for node in list(edges):
        if node not in state:
            visit(node, [node])
    return problems
