"""The generated scenario reference, its JSON Schema and the KPI page: fresh, and right.

- The committed files (``docs/reference/scenario.md``, ``wsim/scenario/scenario.schema.json``,
  ``docs/kpis.md``) equal what ``wsim schema`` writes now: a change of the schema or the KPI
  catalog without regenerating them fails here, with the command that regenerates them.
- The JSON Schema is a valid draft-07 schema, accepts every scenario file shipped in
  ``scenarios/`` as its YAML reads (overlays included), and splits the hostile corpus
  (``tests/hostile/``) honestly: every file wsim accepts is accepted, every schema error (a
  wrong type, an unknown key, a value out of range) is rejected, and the classes out of a
  JSON Schema's reach (YAML that is not a document, references and rules between fields,
  run size, overlay merges, values JSON has no spelling for) are listed and accepted, so that
  the list stays true: a schema that learns to catch one of them moves it to the rejected.
- Every field parsed by its model's own code has its surface syntax stated in the schema.
"""

from __future__ import annotations

import csv
import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from jsonschema import Draft7Validator

from wsim.metrics.reference import kpi_markdown
from wsim.scenario import reference, yamlfile
from wsim.scenario.errors import ScenarioError

HOSTILE = ROOT / "tests" / "hostile"
REGENERATE = (
    "regenerate with: wsim schema --markdown --out docs/reference/scenario.md && "
    "wsim schema --json --out wsim/scenario/scenario.schema.json && "
    "wsim schema --kpis --out docs/kpis.md"
)
#: Files of scenarios/ that are not scenarios, and why.
NOT_SCENARIOS = {
    "w_district/levers.yaml": "the candidate levers of the portfolio optimizer "
    "(wsim.optimize.levers reads it), not a scenario: it names its baseline with baseline:",
    "examples/levers/small_hall.yaml": "the levers of the small hall (the tour's portfolio)",
}

# The hostile files whose problem a JSON Schema cannot see, by reason. Every other file of
# the corpus that wsim refuses (status 2 in expected.csv) is a schema error the JSON Schema
# must reject; the files wsim accepts must be accepted.
OUT_OF_REACH = {
    "not a YAML document (read before any schema)": {
        "alias_bomb.yaml",
        "alias_bomb_in_a_field.yaml",
        "alias_recursive.yaml",
        "clock_400_digits.yaml",
        "duration_400_digits.yaml",
        "duration_5000_digits.yaml",
        "staff_10_320.yaml",
        "deep_nesting.yaml",
        "deep_mapping_nesting.yaml",
        "duplicate_keys.yaml",
        "python_tag.yaml",
        "two_documents.yaml",
        "tabs_and_junk.yaml",
    },
    "a rule between fields or a distribution's moments": {
        "lognormal_wide.yaml",  # sd at most 100 times the mean
        "outage_between_zero.yaml",  # the mean up time of a distribution above 0
        "outage_between_and_repair_zero.yaml",
        "department_closes_before_it_opens.yaml",  # close later than open
        "department_opens_after_the_hall_closes.yaml",  # against the calendar's hours
        "commitment_over_deadline.yaml",  # commitment_days at most deadline_days
    },
    "references between fields": {"unknown_service_everywhere.yaml"},
    "the size of a run (a limit that can be raised, not a bound)": {
        "per_hour_1e9.yaml",
        "per_day_huge.yaml",
        "days_too_many_to_simulate.yaml",
        "too_many_clerks.yaml",
        "outage_every_microsecond.yaml",
        "staffing_slot_microseconds.yaml",
        "staffing_slot_exponent.yaml",
    },
    "the merge of an overlay into its base, or the base file itself": {
        "overlay_one_demand_item_without_key.yaml",
        "overlay_demand_wrong_channel.yaml",
        "overlay_misspelled_service.yaml",
        "overlay_misspelled_window.yaml",
        "overlay_orphan_service.yaml",
        "overlay_remove_unknown_window.yaml",
        "overlay_unkeyed_list_elsewhere.yaml",
        "overlay_base_dev_zero.yaml",
        "overlay_base_folder.yaml",
        "overlay_base_missing.yaml",
        "overlay_base_csv.yaml",
        "overlay_base_not_a_scenario.yaml",
        "overlay_cycle_a.yaml",
        "overlay_cycle_b.yaml",
    },
    "a value JSON cannot spell (NaN)": {"duration_nan.yaml"},
    "the command line (the file is valid, the --seed is not)": {
        "seed_negative.yaml",
        "seed_huge.yaml",
    },
}


def as_json(value: Any) -> Any:
    """A YAML value as an editor's YAML 1.2 reader gives it: string keys, dates as text."""
    if isinstance(value, dict):
        return {_key(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _key(key: Any) -> str:
    return key.isoformat() if isinstance(key, datetime.date) else str(key)


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    assert reference.schema_path() == ROOT / "wsim" / "scenario" / reference.SCHEMA_FILE
    schema = json.loads(reference.schema_path().read_text("utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def _errors(validator: Draft7Validator, path: Path) -> list[str]:
    data = yamlfile.parse(yamlfile.read_text(path), str(path))
    return [error.message for error in validator.iter_errors(as_json(data))]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("docs/reference/scenario.md", reference.markdown),
        ("wsim/scenario/scenario.schema.json", reference.json_text),
        ("docs/kpis.md", kpi_markdown),
    ],
)
def test_the_committed_reference_is_fresh(path, text):
    committed = (ROOT / path).read_text("utf-8")
    assert committed == text(), f"{path} is stale; {REGENERATE}"


def test_the_command_writes_the_reference(tmp_path):
    out = tmp_path / "schema.json"
    result = subprocess.run(
        [sys.executable, "-m", "wsim.cli", "schema", "--json", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text("utf-8"))["$schema"] == reference.SCHEMA_DIALECT


def test_every_custom_parser_has_its_surface_stated():
    assert reference.custom_parsers() == reference.covered_parsers()


def test_the_reference_lists_every_key_with_its_unit():
    rows = {row.path: row for row in reference.keys()}  # noqa: SIM118 (a function)
    assert rows["services.<service>.window_time"].type == "distribution"
    assert rows["calendar.open"].unit == "HH:MM"
    assert rows["calendar.open"].default == "08:30"
    assert rows["windows[].hourly_cost"].unit == "currency per window hour"
    assert rows["demand[].per_hour"].unit == "citizens per hour"
    assert rows["targets.hall_wait"].default == "15 min"
    assert "100 years" in rows["calendar.days"].allowed  # a bound of limits.py, with its reason
    assert rows["calendar.workdays[].as"].default == "default"  # the key as files write it
    assert all(row.description for row in rows.values()), [
        path for path, row in rows.items() if not row.description
    ]


def _scenario_files() -> list[Path]:
    files = sorted((ROOT / "scenarios").rglob("*.yaml"))
    return [f for f in files if f.relative_to(ROOT / "scenarios").as_posix() not in NOT_SCENARIOS]


@pytest.mark.parametrize("path", _scenario_files(), ids=lambda p: p.name)
def test_the_schema_accepts_every_shipped_scenario(validator, path):
    assert _errors(validator, path) == []


def test_the_excluded_files_are_not_scenarios(validator):
    for name in NOT_SCENARIOS:
        assert "base" not in yamlfile.parse(yamlfile.read_text(ROOT / "scenarios" / name), name)
        assert _errors(validator, ROOT / "scenarios" / name)  # so it must be excluded


def _expected() -> dict[str, int]:
    with (HOSTILE / "expected.csv").open(encoding="utf-8", newline="") as file:
        return {row["file"]: int(row["status"]) for row in csv.DictReader(file)}


def _out_of_reach() -> set[str]:
    return set().union(*OUT_OF_REACH.values())


@pytest.mark.parametrize("name", sorted(_expected()))
def test_the_schema_splits_the_hostile_corpus(validator, name):
    path = HOSTILE / name
    if name in OUT_OF_REACH["not a YAML document (read before any schema)"]:
        with pytest.raises(ScenarioError):
            yamlfile.parse(yamlfile.read_text(path), name)
        return
    errors = _errors(validator, path)
    if _expected()[name] == 0 or name in _out_of_reach():
        assert errors == [], f"{name}: accepted by wsim or out of reach, yet {errors[:2]}"
    else:
        assert errors, f"{name} is a schema error the JSON Schema lets through"


def test_the_out_of_reach_list_names_refused_files():
    expected = _expected()
    assert _out_of_reach() <= set(expected)
    assert all(expected[name] == 2 for name in _out_of_reach())
    schema_errors = {n for n, s in expected.items() if s == 2} - _out_of_reach()
    assert len(schema_errors) >= 25  # the schema errors the JSON Schema must reject


def test_surface_syntax_is_accepted_and_typos_refused(validator):
    good = {
        "name": "x",
        "calendar": {"open": "8:30", "close": 1020, "drain": "2h"},
        "services": {
            "a": {"window_time": "90s", "rekey_time": {"dist": "gamma", "mean": "2min", "cv": 0.5}}
        },
        "profiles": {"p": {"08:30": 1, "510": 2}},
        "demand": [{"service": "a", "per_day": 10, "profile": "p"}],
        "windows": [{"name": "w", "serves": ["a"], "schedule": {"08:30": 2, "12:00": 1}}],
        "channels": {"online": {"hours": "00:00-24:00", "days": "all"}},
    }
    assert list(validator.iter_errors(good)) == []
    for path, bad in [
        (("calendar", "open"), "25:00"),
        (("calendar", "drain"), "2m"),  # m is not a unit (minutes or months?)
        (("services", "a", "window_time"), {"dist": "gama", "mean": 5}),
        (("windows", 0, "schedule"), {"noon": 2}),
        (("channels", "online", "hours"), "9-17"),
    ]:
        data = json.loads(json.dumps(good))
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = bad
        assert list(validator.iter_errors(data)), (path, bad)
    overlay = {
        "base": "x.yaml",
        "changes": {
            "windows": [{"name": "w", "remove": True}],
            "demand": {"replace": good["demand"]},
        },
    }
    assert list(validator.iter_errors(overlay)) == []
    assert list(validator.iter_errors({**overlay, "windows": []}))  # fields go under changes
