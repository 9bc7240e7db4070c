"""The options of a comparison: scenarios by name, the baseline, and the files as written.

Options may be given as ``{name: scenario}`` or as a list of scenarios named by their
``name``; each may be a Scenario, a mapping or a YAML path. The raw mapping of each option
(overlays applied, as the planner wrote it) is kept when it still matches the scenario, so
that what an option changes can be shown in the planner's own terms.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wsim.comparison.errors import CompareError
from wsim.scenario import Scenario, ScenarioError, load_scenario, resolve_mapping

Source = Scenario | Mapping | str | os.PathLike
"""A scenario as an option may give it: a Scenario, a mapping or a YAML file path."""


def load_options(
    options: Mapping[str, Source] | Sequence[Source],
) -> tuple[dict[str, Scenario], dict[str, dict[str, Any] | None]]:
    """Scenarios by option name, and each one's raw mapping (for showing changes) if known."""
    if isinstance(options, Mapping):
        named = [(str(name), source) for name, source in options.items()]
    elif isinstance(options, (str, os.PathLike)):
        raise TypeError("options must be a mapping {name: scenario} or a list of scenarios")
    else:
        named = [(None, source) for source in options]
    if not named:
        raise CompareError("compare needs at least one option (the baseline)")
    scenarios: dict[str, Scenario] = {}
    sources: dict[str, dict[str, Any] | None] = {}
    for name, source in named:
        scenario = load_scenario(source)
        if name is None:
            name = unique_name(scenario.name, source, scenarios)
        elif name in scenarios:
            raise CompareError(f"option {name!r} is given twice")
        scenarios[name] = scenario
        sources[name] = raw_mapping(source, scenario)
    return scenarios, sources


def unique_name(name: str, source: Source, taken: Mapping[str, Any]) -> str:
    """An option name not in `taken`: `name` itself if free.

    Otherwise the name is told apart by its file's stem, ``name (stem)``, if `source` is a path,
    then by a counter, ``name (2)``, ``name (3)``, ... until it is free.
    """
    if name not in taken:
        return name
    if isinstance(source, (str, os.PathLike)):
        name = f"{name} ({Path(source).stem})"
    counter = 2
    candidate = name
    while candidate in taken:
        candidate = f"{name} ({counter})"
        counter += 1
    return candidate


def raw_mapping(source: Source, scenario: Scenario) -> dict[str, Any] | None:
    """The scenario as the planner wrote it (overlays applied), if it still matches.

    Used to show changes in the planner's own terms ("12:00" rather than minute 720). A file
    edited since it was loaded no longer matches the scenario's digest and is not used.
    """
    origin = scenario.source if isinstance(source, Scenario) else source
    if origin is None:
        return None
    try:
        raw, _ = resolve_mapping(origin)
        matches = load_scenario(raw).digest() == scenario.digest()
    except ScenarioError:
        return None
    return raw if matches else None


def baseline_name(scenarios: Mapping[str, Scenario], baseline: str | None) -> str:
    """The baseline option: `baseline` if given (it must be an option), else the first option."""
    if baseline is None:
        return next(iter(scenarios))
    if baseline not in scenarios:
        raise CompareError(
            f"baseline {baseline!r} is not an option; options: {', '.join(scenarios)}"
        )
    return baseline
