"""Property tests: randomly broken scenarios end in a run or in wsim's own error, nothing else.

Valid, schema-shaped scenarios (a hall, and journeys with departments, channels and outages)
are mutated at random: keys deleted or added, values replaced by zero, negative, huge, tiny,
NaN, infinite, wrong-typed or random text. Each result is loaded; when it is valid it is
simulated for one replication under small run-size limits (a short horizon: 2 days, and a
refusal instead of a long run). The only exception allowed is :class:`wsim.WsimError` (a
:class:`ScenarioError` for the file, :class:`RunTooLarge` for the size). The same holds for
random YAML text and random overlay changes on the W district baseline.

The profile (``tests/conftest.py``) sets the number of examples: ``ci`` for the suite,
``thorough`` for a few thousand locally.
"""

from __future__ import annotations

import contextlib
import copy
import math
from pathlib import Path
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

import wsim
from wsim.errors import WsimError
from wsim.scenario import RunLimits, load_scenario
from wsim.scenario.yamlfile import parse

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "w_district" / "baseline.yaml"
#: A short horizon's limits: a mutated scenario that would run long is refused instead.
SMALL = RunLimits(max_tickets=3000, max_days=40, max_clerks=200, max_outages=2000)

HALL: dict[str, Any] = {
    "name": "hall",
    "calendar": {"days": 2, "open": "09:00", "close": "17:00", "start": "mon"},
    "services": {
        "a": {"window_time": {"dist": "lognormal", "mean": 8, "sd": 4}},
        "b": {"window_time": {"dist": "gamma", "mean": "5min", "cv": 0.5}},
    },
    "profiles": {"p": {"09:00": 1.0, "12:00": 0.5, "13:00": 1.2}},
    "demand": [
        {"service": "a", "per_day": 60, "profile": "p", "weekday_factors": {"mon": 1.2}},
        {"service": "b", "per_hour": 5, "priority": 1},
    ],
    "windows": [
        {"name": "w", "count": 2, "serves": ["a", "b"], "speed": {"a": 0.9}},
        {"name": "v", "schedule": {"09:00": 1, "12:00": 0, "13:00": 1}, "serves": ["b"]},
    ],
    "citizens": {"patience": {"dist": "exponential", "mean": 30}, "balk_at": 20},
    "targets": {"hall_wait": "10min"},
}

JOURNEYS: dict[str, Any] = {
    "name": "journeys",
    "calendar": {"days": 2, "open": "09:00", "close": "17:00", "drain": "1d"},
    "services": {
        "biz": {
            "department": "market",
            "window_time": {"dist": "uniform", "min": 5, "max": 15},
            "channels": {"hall": "full", "online": "pre"},
            "incomplete": 0.2,
            "return_delay": "1d",
            "verification": 0.3,
            "workflow": [
                {"department": "market", "time": {"dist": "exponential", "mean": 30}},
                {
                    "parallel": [
                        {"department": "tax", "time": 20},
                        {"department": "market", "time": {"dist": "erlang", "mean": 10, "k": 2}},
                    ]
                },
            ],
            "result": "pickup",
            "deadline_days": 3,
        },
        "id": {"window_time": {"dist": "triangular", "min": 2, "mode": 4, "max": 9}},
    },
    "demand": [
        {"service": "biz", "channel": "any", "per_day": 20},
        {"service": "id", "per_day": 30},
    ],
    "windows": [{"name": "w", "count": 2, "serves": ["biz", "id"]}],
    "segments": [
        {"name": "digital", "share": 0.6, "channels": {"online": 0.8, "hall": 0.2}},
        {"name": "elderly", "share": 0.4, "channels": {"hall": 1}, "needs_help": 0.3},
    ],
    "channels": {"online": {"system": "portal", "on_outage": "hall", "pre_review": "2h"}},
    "systems": {"portal": {"between": {"dist": "exponential", "mean": "2d"}, "repair": "3h"}},
    "departments": {"market": {"staff": 2}, "tax": {"staff": 1, "discipline": "edf"}},
    "handoffs": {"mode": "platform", "every": "6h", "rework": 0.1},
}

ODD_VALUES = [
    None,
    True,
    0,
    -1,
    1,
    0.5,
    -0.0,
    1e-300,
    1e-12,
    1e308,
    10**30,
    10**400,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "1e3",
    "5e-1",
    "-5min",
    "90s",
    "3d",
    "25:00",
    "24:00",
    "08:30",
    "mon",
    "any",
    "online",
    "a",
    "w",
    "market",
    [],
    {},
    [1, 2],
    {"dist": "fixed", "value": 0},
    {"dist": "exponential", "mean": 1e-9},
    {"dist": "nope"},
]

values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)


def _nodes(data: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a nested mapping/list (keys and indices), the root included."""
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _nodes(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _nodes(value, (*path, index))
    return found


def _mutate(data: dict, choice: int, kind: str, value: Any, key: str) -> None:
    value = copy.deepcopy(value)  # never share a value between places or examples
    nodes = _nodes(data)[1:]
    path = nodes[choice % len(nodes)]
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if kind == "delete":
        del parent[last]
    elif kind == "replace":
        parent[last] = value
    elif isinstance(parent[last], dict):  # add a key to a mapping
        parent[last][key] = value
    elif isinstance(parent[last], list):  # append an item to a list
        parent[last].append(value)
    else:
        parent[last] = value


mutations = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),
        st.sampled_from(["delete", "replace", "replace", "add"]),
        values,
        st.sampled_from(["name", "count", "extra", "mean", "per_day", "09:00", "add", "remove"]),
    ),
    min_size=1,
    max_size=4,
)


def _load_and_run(data: dict) -> None:
    try:
        scenario = load_scenario(data)
    except WsimError:
        event("refused when loaded")
        return
    try:
        wsim.simulate(scenario, replications=1, seed=0, limits=SMALL)
    except WsimError:
        event("valid, refused by the run-size limits")
        return
    event("valid and simulated")


@given(template=st.sampled_from([HALL, JOURNEYS]), changes=mutations)
def test_mutated_scenarios_run_or_give_a_scenario_error(template, changes):
    data = copy.deepcopy(template)
    for change in changes:
        _mutate(data, *change)
    _load_and_run(data)


EDGE_NUMBERS = [0, 1e-300, 1e-12, 1e-3, 0.5, 0.99, 1, 2, 7, 60, 1e3, 1e5, 1e9, 1e12]


def _numeric_leaves(data: Any) -> list[tuple]:
    leaves = []
    for path in _nodes(data)[1:]:
        value = data
        for step in path:
            value = value[step]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            leaves.append(path)
    return leaves


@given(
    template=st.sampled_from([HALL, JOURNEYS]),
    changes=st.lists(
        st.tuples(st.integers(min_value=0, max_value=1000), st.sampled_from(EDGE_NUMBERS)),
        min_size=1,
        max_size=3,
    ),
)
def test_numbers_at_their_edges_run_or_give_a_scenario_error(template, changes):
    """Numbers replaced by numbers (tiny, huge, 0, 1): more of these stay valid and run."""
    data = copy.deepcopy(template)
    for choice, number in changes:
        leaves = _numeric_leaves(data)
        *parents, last = leaves[choice % len(leaves)]
        parent = data
        for step in parents:
            parent = parent[step]
        parent[last] = int(number) if isinstance(parent[last], int) and number >= 1 else number
    _load_and_run(data)


@given(template=st.sampled_from([HALL, JOURNEYS]), changes=mutations)
def test_mutated_scenarios_load_or_give_a_scenario_error(template, changes):
    data = copy.deepcopy(template)
    for change in changes:
        _mutate(data, *change)
    message = None
    try:
        load_scenario(data)
    except WsimError as error:
        message = str(error)
    assert message is None or 0 < len(message) < 20_000  # a message, of bounded length


@given(text=st.text(alphabet=st.sampled_from(list("ab: -[]{}&*!|>'\"\n\t#%@`,?1e.0")), max_size=80))
def test_random_yaml_text_parses_or_gives_a_scenario_error(text):
    with contextlib.suppress(WsimError):
        parse(text, "random.yaml")


@given(
    changes=st.dictionaries(
        st.sampled_from(["demand", "windows", "services", "segments", "calendar", "handoffs"]),
        st.one_of(
            values,
            st.lists(
                st.dictionaries(
                    st.sampled_from(["name", "service", "channel", "per_day", "remove", "add"]),
                    values,
                    max_size=3,
                ),
                max_size=3,
            ),
        ),
        max_size=3,
    )
)
def test_random_overlays_on_the_baseline_load_or_give_a_scenario_error(changes):
    with contextlib.suppress(WsimError):
        load_scenario({"base": str(BASELINE), "changes": changes})
