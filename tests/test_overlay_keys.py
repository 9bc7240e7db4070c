"""The overlay merge rules on the W district baseline: no overlay changes a scenario silently.

An overlay that gives one demand stream changes that stream and keeps the other 25; an item it
cannot find, a misspelled new name, or a new service that nothing refers to is an error with a
way out (its key, ``add: true``, ``{replace: [...]}``); every problem of a file is reported at
once. The list-key registry is tested with ``demand`` and with ``handoffs.pairs`` (a field
whose model another part adds: the registry must already merge it by from, to and service).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from wsim.optimize.levers.compose import changes_between
from wsim.scenario import ScenarioError, load_scenario, resolve_mapping
from wsim.scenario.errors import FieldProblems
from wsim.scenario.overlays import LIST_KEYS, diff_mappings, merge, merge_changes

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "w_district" / "baseline.yaml"


@pytest.fixture(scope="module")
def baseline_raw() -> dict:
    return yaml.safe_load(BASELINE.read_text(encoding="utf-8"))


def write_overlay(tmp_path: Path, changes: dict, **top: object) -> Path:
    path = tmp_path / "option.yaml"
    path.write_text(
        yaml.safe_dump({"base": str(BASELINE), "changes": changes, **top}), encoding="utf-8"
    )
    return path


def problems_of(path: Path) -> dict[str, str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return dict(caught.value.problems)


def test_one_demand_stream_changes_one_stream(tmp_path, baseline_raw):
    changes = {"demand": [{"service": "pension_claim", "channel": "any", "per_day": 20}]}
    merged, _ = resolve_mapping(write_overlay(tmp_path, changes))
    assert len(merged["demand"]) == len(baseline_raw["demand"])
    for before, after in zip(baseline_raw["demand"], merged["demand"], strict=True):
        if before["service"] == "pension_claim":
            assert after == {**before, "per_day": 20}
        else:
            assert after == before
    scenario = load_scenario(write_overlay(tmp_path, changes))
    assert [d.per_day for d in scenario.demand if d.service == "pension_claim"] == [20]


def test_a_demand_item_without_its_key_cannot_be_matched(tmp_path):
    found = problems_of(write_overlay(tmp_path, {"demand": [{"per_day": 50}]}))
    assert list(found) == ["changes.demand[0]"]
    assert "give its name, or service" in found["changes.demand[0]"]
    assert "demand: {replace: [...]}" in found["changes.demand[0]"]


def test_a_demand_stream_under_another_channel_is_not_added_silently(tmp_path):
    changes = {"demand": [{"service": "pension_claim", "per_day": 20}]}
    message = problems_of(write_overlay(tmp_path, changes))["changes.demand[0]"]
    assert "channel 'hall'" in message
    assert "the base has a demand stream with service 'pension_claim', channel 'any'" in message
    assert "add: true" in message


def test_a_second_stream_of_a_service_on_purpose(tmp_path, baseline_raw):
    extra = {"service": "pension_claim", "per_day": 5, "name": "appointments", "add": True}
    scenario = load_scenario(write_overlay(tmp_path, {"demand": [extra]}))
    assert len(scenario.demand) == len(baseline_raw["demand"]) + 1
    assert scenario.demand[-1].label == "appointments"


def test_a_whole_new_demand_list_on_purpose(tmp_path):
    new = [{"service": s, "channel": "any", "per_day": 10} for s in ("pension_claim", "tax_filing")]
    scenario = load_scenario(write_overlay(tmp_path, {"demand": {"replace": new}}))
    assert [d.service for d in scenario.demand] == ["pension_claim", "tax_filing"]


def test_a_misspelled_service_is_not_added(tmp_path):
    found = problems_of(
        write_overlay(tmp_path, {"services": {"pensoin_claim": {"incomplete": 0.1}}})
    )
    message = found["changes.services.pensoin_claim"]
    assert "did you mean 'pension_claim'?" in message
    assert "add: true" in message


def test_a_new_service_that_nothing_refers_to(tmp_path):
    found = problems_of(write_overlay(tmp_path, {"services": {"express": {"window_time": 5}}}))
    assert "nothing refers to" in found["changes.services.express"]
    on_purpose = {"services": {"express": {"window_time": 5, "add": True}}}
    assert "express" in load_scenario(write_overlay(tmp_path, on_purpose)).services


def test_a_new_service_with_its_demand_and_windows(tmp_path):
    changes = {
        "services": {"express": {"window_time": 5}},
        "demand": [{"service": "express", "per_day": 10}],
        "windows": [{"name": "express_desk", "count": 1, "serves": ["express"]}],
    }
    scenario = load_scenario(write_overlay(tmp_path, changes))
    assert scenario.demand[-1].label == "express@hall"
    assert scenario.windows[-1].name == "express_desk"


def test_a_misspelled_window_group_is_not_a_new_group(tmp_path):
    changes = {"windows": [{"name": "hrs", "serves": ["pension_claim"], "count": 3}]}
    message = problems_of(write_overlay(tmp_path, changes))["changes.windows[0]"]
    assert "did you mean 'hrss'?" in message


def test_a_renamed_window_group_after_removing_the_old_one(tmp_path):
    changes = {
        "windows": [
            {"name": "hrss", "remove": True},
            {"name": "hrss2", "serves": ["social_insurance"], "count": 4},
        ]
    }
    # hrss2 is close to hrss, but hrss is removed in the same list: a replacement, not a typo;
    # the services only hrss served are now unserved, which the scenario's checks report
    found = problems_of(write_overlay(tmp_path, changes))
    assert not any(path.startswith("changes.windows") for path in found)
    assert any("no window group serves" in message for message in found.values())


def test_every_problem_of_an_overlay_at_once(tmp_path):
    changes = {
        "calendar": {"days": -3},
        "windows": [{"name": "tax", "serves": ["tax_filling"]}],
        "services": {"pensoin_claim": {"incomplete": 0.1}},
    }
    found = problems_of(write_overlay(tmp_path, changes))
    assert "calendar.days" in found  # a schema problem
    assert "changes.services.pensoin_claim" in found  # an overlay problem
    reference = [p for p in found if p.startswith("windows[") and ".serves[" in p]
    assert reference  # a reference problem, not hidden by the schema problem
    assert "did you mean 'tax_filing'?" in found[reference[0]]


def test_a_workflow_is_a_sequence_replaced_whole(tmp_path, baseline_raw):
    step = {"department": "market", "time": 30}
    changes = {"services": {"company_registration": {"workflow": [step]}}}
    scenario = load_scenario(write_overlay(tmp_path, changes))
    workflow = scenario.services["company_registration"].workflow
    assert len(workflow) == 1
    assert len(baseline_raw["services"]["company_registration"]["workflow"]) > 1


def test_the_registry_merges_demand_by_name_before_service():
    base = {"demand": [{"service": "a", "per_day": 1}, {"service": "a", "name": "x", "per_day": 2}]}
    merged = merge(base, {"demand": [{"name": "x", "per_day": 9}]})
    assert merged["demand"] == [
        {"service": "a", "per_day": 1},
        {"service": "a", "name": "x", "per_day": 9},
    ]
    merged = merge(base, {"demand": [{"service": "a", "per_day": 7}]})
    assert merged["demand"][0] == {"service": "a", "per_day": 7}
    assert LIST_KEYS["demand"].fields == ("service", "channel", "priority")


def test_the_registry_merges_handoff_pairs_by_from_to_and_service():
    pairs = [
        {"from": "market", "to": "tax", "mode": "platform"},
        {"from": "market", "to": "tax", "service": "company_registration", "mode": "citizen"},
    ]
    base = {"handoffs": {"mode": "platform", "pairs": pairs}}
    change = {"handoffs": {"pairs": [{"from": "market", "to": "tax", "mode": "paper"}]}}
    merged = merge(base, change)["handoffs"]["pairs"]
    assert merged == [{**pairs[0], "mode": "paper"}, pairs[1]]
    removed = merge(base, {"handoffs": {"pairs": [{**pairs[1], "remove": True}]}})
    assert removed["handoffs"]["pairs"] == [pairs[0]]
    new = {"handoffs": {"pairs": [{"from": "tax", "to": "hrss", "mode": "paper"}]}}
    assert len(merge(base, new)["handoffs"]["pairs"]) == 3  # a new pair of departments
    with pytest.raises(FieldProblems, match="give from and to"):
        merge(base, {"handoffs": {"pairs": [{"mode": "paper"}]}})


def test_add_is_accepted_in_a_list_the_base_does_not_have():
    """Every item of a list the base lacks is new: ``add: true`` is allowed and taken out."""
    base = {"handoffs": {"mode": "platform", "at": "02:00"}}
    pair = {"from": "market", "to": "tax", "every": 60}
    merged = merge(base, {"handoffs": {"pairs": [{**pair, "add": True}]}})
    assert merged["handoffs"] == {"mode": "platform", "at": "02:00", "pairs": [pair]}
    assert merge(base, {"handoffs": {"pairs": [pair]}}) == merged
    with pytest.raises(FieldProblems, match="expected true or false"):
        merge(base, {"handoffs": {"pairs": [{**pair, "add": "yes"}]}})
    with pytest.raises(FieldProblems, match="remove only works"):
        merge(base, {"handoffs": {"pairs": [{**pair, "remove": True}]}})


def test_a_list_of_unnamed_items_no_rule_knows_must_be_given_whole():
    base = {"future": [{"x": 1}, {"x": 2}]}
    result = merge_changes(base, {"future": [{"x": 3}]}, "changes")
    assert result.problems == [
        (
            "changes.future",
            "a list of items without names cannot be merged item by item; give the whole new "
            "list as future: {replace: [...]}",
        )
    ]
    assert merge(base, {"future": {"replace": [{"x": 3}]}}) == {"future": [{"x": 3}]}


def test_lever_overlays_still_give_their_target(baseline_raw):
    target = copy.deepcopy(baseline_raw)
    target["demand"][3]["per_day"] = 99
    del target["demand"][5]
    target["windows"].append({"name": "market2", "count": 1, "serves": ["tax_filing"]})
    changes = changes_between(baseline_raw, target)
    assert merge(baseline_raw, changes) == target


def test_what_an_overlay_changes_is_shown_per_item(baseline_raw):
    target = copy.deepcopy(baseline_raw)
    target["demand"][8]["per_day"] = 99  # pension_claim
    assert diff_mappings(baseline_raw, target) == [("demand[pension_claim@any].per_day", 15, 99)]


def test_schema_and_reference_problems_of_a_file_in_one_message():
    data = {
        "name": "x",
        "calendar": {"days": "many"},
        "services": {"a": {"window_time": 5}, "b": {"window_time": "bad"}},
        "demand": [{"service": "b", "per_hour": -1}, {"service": "c", "per_hour": 1}],
        "windows": [{"name": "w", "count": 1, "serves": ["a", "b", "zz"]}],
    }
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data)
    assert [path for path, _ in caught.value.problems] == [
        "calendar.days",
        "services.b.window_time",
        "demand[0].per_hour",
        "demand[1].service",  # a reference problem, found although the file has schema errors
        "windows[0].serves[2]",
    ]  # b is invalid but declared: the references to it are not reported as unknown


def test_no_reference_problems_when_a_whole_collection_is_unreadable():
    data = {
        "name": "x",
        "calendar": {"days": 1},
        "services": "oops",
        "demand": [{"service": "a", "per_hour": 1}],
        "windows": [{"name": "w", "count": 1, "serves": ["a"]}],
    }
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data)
    assert caught.value.problems == [("services", "expected a mapping, found 'oops'")]
