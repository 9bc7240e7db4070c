"""The levers file: the W district example, broken variants, levers composing into one scenario.

Levers are applied to the baseline, and written as an overlay that loads.

Fast: nothing here simulates. Sharing levers write per-pair handoffs (``handoffs.pairs``),
checked both at the mapping level and as the scenarios they load to.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
import yaml

from wsim.optimize.levers import (
    Lever,
    apply_levers,
    changes_between,
    load_levers,
    portfolio_overlay,
    write_overlay,
)
from wsim.optimize.levers.catalog import Catalog, reform_levers
from wsim.optimize.levers.operations import MergeFragment, SetHandoffPair
from wsim.scenario import ScenarioError, load_scenario, resolve_mapping
from wsim.scenario.overlays import merge
from wsim.scenario.schema import Scenario

W = Path(__file__).resolve().parent.parent / "scenarios" / "w_district"
LEVERS = W / "levers.yaml"


@pytest.fixture(scope="module")
def levers():
    return load_levers(LEVERS)


def loadable(levers) -> list[str]:
    """Every lever but one_window, which conflicts with many levers."""
    return [n for n in levers.names if n != "reform:one_window"]


def same_scenario(a: Scenario, b: Scenario) -> bool:
    """Equal as scenarios (the digest of the resolved data; the source file may differ)."""
    return a.digest() == b.digest()


# --- the W district example --------------------------------------------------------------


def test_w_district_levers_load(levers):
    """Counts by kind and costs worked out by hand from the file and the baseline."""
    kinds = [lever.kind for lever in levers.levers]
    counts = {kind: kinds.count(kind) for kind in dict.fromkeys(kinds)}
    assert counts == {
        "integrate": 8,  # 2 tax + 3 medical + 3 permit services
        "online": 10,
        "sharing": 6,  # market-tax, hrss-tax, hrss-police, realestate-tax, hpf-realestate,
        "clerks": 6,  # construction-planning (the workflows' pairs)
        "staff": 3,
        "reform": 5,  # every single reform of reforms/
        "lever": 2,
    }
    tax = levers.select(["integrate:tax_filing"])[0]
    assert (tax.one_off, tax.yearly) == (20000 + 3000 * 6, 5000)  # 6 market clerks trained
    permit = levers.select(["integrate:planning_permit"])[0]
    assert permit.one_off == 20000 + 4000 * 10  # 10 real-estate clerks
    security = levers.select(["reform:security"])[0]
    assert (security.one_off, security.yearly) == (1200000, 400000)  # the reform's cost block
    assert levers.annuity == pytest.approx(0.03 / (1 - 1.03**-10))
    assert {t.kpi: (t.sense, t.value) for t in levers.targets} == {
        "hall_wait_mean": ("<=", 10.0),
        "case_on_time_rate": (">=", 0.99),
    }
    assert (levers.budget.one_off, levers.budget.yearly) == (3000000, 800000)


def test_generated_rules(levers):
    """Steps need the previous step; conflicts become pairwise rules.

    Online company registration needs the sharing levers of its workflow market -> tax ->
    hrss -> police.
    """
    described = {rule.describe() for rule in levers.rules}
    assert "clerks:market:2 needs clerks:market:1 (staff[0].steps)" in described
    assert (
        "online:company_registration needs sharing:market-tax, sharing:hrss-tax, "
        "sharing:hrss-police (online[1].requires_sharing)"
    ) in described
    assert "at most one of integrate:tax_filing, reform:one_window (rules[0])" in described
    assert not levers.allows({"clerks:market:2"})
    assert levers.allows({"clerks:market:1", "clerks:market:2", "reform:security"})
    assert not levers.allows({"reform:one_window", "lunch_cover"})


def test_resources(levers):
    """What levers touch, and the interacting candidates (sharing a resource, allowed together)."""
    tax = levers.resources["integrate:tax_filing"]
    assert tax.groups == {"market", "tax"}  # the group it joins and the one serving it
    assert tax.services == {"tax_filing"}
    assert tax.departments == {"tax"}
    assert tax.describe() == "groups market, tax; departments tax; services tax_filing"
    sharing = levers.resources["sharing:market-tax"]
    assert sharing.pairs == {("market", "tax")}
    assert sharing.departments == {"market", "tax"}
    staff = levers.resources["staff:realestate:1"]
    assert staff.departments == {"realestate"}
    assert not staff.groups
    pairs = {(a, b) for a, b, _ in levers.interaction_candidates()}
    assert ("integrate:tax_filing", "clerks:market:1") in pairs  # same group
    assert ("integrate:tax_filing", "reform:one_window") not in pairs  # never together
    assert ("staff:realestate:1", "staff:market:1") not in pairs  # nothing in common


# --- broken variants: one clear message each, naming the field ---------------------------


def _w_levers(reforms: bool) -> dict:
    """The W district levers file, with absolute paths.

    Without its reforms (and the rules naming them) unless ``reforms``: each reform costs a
    parse of the baseline.
    """
    data = yaml.safe_load(LEVERS.read_text(encoding="utf-8"))
    data["baseline"] = str(W / "baseline.yaml")
    data["reforms"] = [str(W / ref) for ref in data["reforms"]]
    if not reforms:
        del data["reforms"]
        data["rules"] = [r for r in data["rules"] if "reform:" not in str(r)]
    return data


NEEDS_REFORMS = ("reform on another base", "fragments that do not compose", "reform in another")


BROKEN = {
    "unknown group": (
        lambda d: d["integrate"][0].update(group="markt"),
        "integrate[0].group",
        "unknown window group 'markt'; did you mean 'market'?",
    ),
    "unknown service": (
        lambda d: d["online"][0]["services"].__setitem__(1, "socal_insurance"),
        "online[0].services[1]",
        "did you mean 'social_insurance'?",
    ),
    "unknown department": (
        lambda d: d["sharing"].append({"pairs": [["planning", "taxx"]], "delay": 5}),
        "sharing[1].pairs[0][1]",
        "unknown department 'taxx'; did you mean 'tax'?",
    ),
    "pair no workflow uses": (
        lambda d: d["sharing"].append({"pairs": [["civil", "tax"]], "delay": 5}),
        "sharing[1].pairs[0]",
        "no workflow of the baseline hands a case between civil and tax",
    ),
    "rule naming no lever": (
        lambda d: d["rules"].append({"exclusive": ["lunch_cover", "online:tax_filling"]}),
        "rules[1].exclusive[1]",
        "unknown lever 'online:tax_filling'",
    ),
    "pattern matching nothing": (
        lambda d: d["rules"].append({"at_most": 1, "of": "kiosk:*"}),
        "rules[1].of[0]",
        "the pattern 'kiosk:*' matches no lever",
    ),
    "requires cycle": (
        lambda d: d["rules"].extend(
            [
                {"requires": "online_pre_review", "needs": ["lunch_cover"]},
                {"requires": "lunch_cover", "needs": "online_pre_review"},
            ]
        ),
        "rules[2]",
        "requires cycle: online_pre_review -> lunch_cover -> online_pre_review",
    ),
    "duplicate name": (
        lambda d: d["levers"][1].update(name="lunch_cover"),
        "levers[1].name",
        "lever lunch_cover is already declared at levers[0]",
    ),
    "service integrated twice": (
        lambda d: d["integrate"][1]["services"].append("tax_filing"),
        "integrate[1].services[3]",
        "lever integrate:tax_filing is already declared at integrate[0].services[1]",
    ),
    "negative cost": (
        lambda d: d["integrate"][0]["cost"].update(one_off=-5),
        "integrate[0].cost.one_off",
        "must be at least 0, found -5",
    ),
    "too many steps": (
        lambda d: d["staff"][0].update(steps=50),
        "staff[0].steps",
        "must be at most 20, found 50",
    ),
    "unknown KPI": (
        lambda d: d["targets"].update(hall_wait_man="<= 3"),
        "targets.hall_wait_man",
        "did you mean 'hall_wait_mean'?",
    ),
    "bad target": (
        lambda d: d["targets"].update(hall_wait_mean="< 10"),
        "targets.hall_wait_mean",
        "expected '<= number' or '>= number'",
    ),
    "reform on another base": (
        lambda d: d["reforms"].append(str(W.parent / "examples" / "small_hall_more_windows.yaml")),
        "reforms[5]",
        "small_hall.yaml, not the baseline",
    ),
    "fragments that do not compose": (
        lambda d: d["rules"].pop(0),
        "rules",
        "reform:one_window does not compose with integrate:tax_invoice",
    ),
    "missing sharing lever": (
        lambda d: d["sharing"][0].update(
            pairs=[["market", "tax"], ["hrss", "tax"], ["hrss", "police"]]
        ),
        "online[1].requires_sharing",
        "online:construction_permit needs sharing between construction and planning",
    ),
    "lever that changes nothing": (
        lambda d: d["levers"].append(
            {"name": "same", "changes": {"windows": [{"name": "market", "count": None}]}}
        ),
        "levers[2].changes",
        "lever same changes nothing in the baseline",
    ),
    "lever that breaks the scenario": (
        lambda d: d["levers"].append(
            {"name": "bad", "changes": {"windows": [{"name": "market", "speed": {"x": 0.9}}]}}
        ),
        "levers[2].changes",
        "lever bad makes the baseline invalid at windows[0].speed.x",
    ),
    "lever the rules never allow": (
        lambda d: d["rules"].append(
            {"exclusive": ["online:company_registration", "sharing:market-tax"]}
        ),
        "rules[1]",
        "online:company_registration can never be chosen",
    ),
    "missing value of time": (
        lambda d: d["economics"]["value_of_time"].pop("trip"),
        "economics.value_of_time.trip",
        "required field is missing",
    ),
    "misspelt section": (
        lambda d: d.update(lever=d.pop("levers")),
        "lever",
        "did you mean 'levers'?",
    ),
    "rule of two kinds": (
        lambda d: d["rules"].append({"exclusive": ["lunch_cover", "online_pre_review"], "of": "x"}),
        "rules[1].of",
        "only used with at_most",
    ),
    "service already at the group": (
        lambda d: d["integrate"][0]["services"].append("company_change"),
        "integrate[0].services[2]",
        "window group market already serves it",
    ),
    "misspelt distribution": (
        lambda d: d["sharing"][0].update(delay={"dist": "unifrom", "min": 5, "max": 60}),
        "sharing[0].delay.dist",
        "did you mean 'uniform'?",
    ),
    "reform in another currency": (
        lambda d: d["economics"].update(currency="EUR"),
        "reforms[0]",
        "its cost is in CNY, the levers file's economics in EUR",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_variants(case, tmp_path):
    """One problem per broken variant: the file, the field path and what is wrong.

    The currency case gives one per reform, and no echo in the rules that name them.
    """
    change, path, text = BROKEN[case]
    data = _w_levers(reforms=case.startswith(NEEDS_REFORMS))
    change(data)
    file = tmp_path / "levers.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_levers(file)
    error = caught.value
    expected = 5 if case == "reform in another currency" else 1  # one per reform
    assert len(error.problems) == expected, str(error)
    where, message = error.problems[0]
    assert where == path, str(error)
    assert text in message, str(error)
    assert str(file) in str(error)


def test_yaml_errors_name_the_file(tmp_path):
    file = tmp_path / "levers.yaml"
    file.write_text("baseline: a.yaml\nbaseline: b.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="duplicate key 'baseline'"):
        load_levers(file)
    data = _w_levers(reforms=False)
    data["baseline"] = "nope.yaml"
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match="baseline: baseline scenario file not found"):
        load_levers(file)


# --- composition -----------------------------------------------------------------------------


def test_levers_compose_where_a_merge_would_not(levers):
    """Two services joining one group both end up in its serves; steps add up on lunch cover.

    A deep merge of two fragments would keep only the last list.
    """
    names = [
        "integrate:tax_invoice",
        "integrate:tax_filing",
        "clerks:market:1",
        "clerks:market:2",
        "lunch_cover",
    ]
    market = next(g for g in levers.apply(names)["windows"] if g["name"] == "market")
    assert market["serves"][-2:] == ["tax_filing", "tax_invoice"]
    assert market["speed"] == {"tax_filing": 0.9, "tax_invoice": 0.9}
    # baseline 6 / 2 / 6; lunch cover 6 / 6 / 6; two more clerks whenever open
    assert market["schedule"] == {"09:00": 8, "12:00": 8, "13:00": 8}


def test_order_does_not_matter(levers):
    """Any order of the same levers gives the same mapping."""
    names = loadable(levers)
    expected = levers.apply(names)
    rng = random.Random(3)
    for _ in range(5):
        shuffled = names[:]
        rng.shuffle(shuffled)
        assert levers.apply(shuffled) == expected


def test_portfolio_overlay_loads_as_the_applied_scenario(levers, tmp_path):
    """Written as one overlay, any lever set loads to the scenario apply_levers gives.

    The levers' costs are summed; checked on random subsets and on everything loadable.
    """
    rng = random.Random(5)
    names = loadable(levers)
    subsets = [names] + [rng.sample(names, rng.randint(1, len(names))) for _ in range(6)]
    subsets.append(["reform:one_window", "online:company_change", "staff:market:1"])
    for index, subset in enumerate(subsets):
        overlay = levers.overlay(subset, f"portfolio {index}", folder=tmp_path)
        path = write_overlay(tmp_path / f"portfolio_{index}.yaml", overlay)
        loaded = load_scenario(path)
        applied = levers.apply(subset)
        applied.update(name=overlay["name"], description=overlay["description"])
        applied["cost"] = overlay["cost"]
        assert same_scenario(loaded, Scenario.model_validate(applied))
        chosen = levers.select(subset)
        assert overlay["cost"]["one_off"] == pytest.approx(sum(x.one_off for x in chosen))
        assert overlay["cost"]["yearly"] == pytest.approx(sum(x.yearly for x in chosen))


def test_reform_lever_is_the_reform(levers):
    """A reform as a lever gives the reform's own scenario."""
    for name in ("reform:security", "reform:one_window", "reform:parallel_approval"):
        applied = levers.apply([name])
        reform = load_scenario(W / "reforms" / f"{name.removeprefix('reform:')}.yaml")
        applied.update(name=reform.name, description=reform.description)
        applied["cost"] = reform.cost.model_dump()
        assert same_scenario(Scenario.model_validate(applied), reform)


def test_five_reforms_compose_into_the_combined_package(levers):
    """The five reform overlays as levers, applied together, give reforms/combined.yaml.

    A composition of fragments that touch the same services.
    """
    catalog = Catalog()
    five = ["one_window", "online_services", "data_sharing", "parallel_approval", "security"]
    refs = [f"reforms/{name}.yaml" for name in five]
    reform_levers(refs, W, W / "baseline.yaml", levers.baseline_raw, "CNY", catalog)
    assert not catalog.problems
    assert len(catalog.levers) == 5
    applied = apply_levers(levers.baseline_raw, catalog.levers)
    combined = load_scenario(W / "reforms" / "combined.yaml")
    applied.update(name=combined.name, description=combined.description)
    applied["cost"] = combined.cost.model_dump()
    assert same_scenario(Scenario.model_validate(applied), combined)
    assert sum(x.one_off for x in catalog.levers) == combined.cost.one_off


def test_sharing_levers_at_the_mapping_level(levers):
    """Sharing writes handoffs.pairs transports both ways and leaves the top-level rule.

    The rules carry the delay (and the baseline's staleness by inheritance, so they write no
    rework); as an overlay its changes reproduce the
    mapping by merge.
    """
    names = ["sharing:market-tax", "sharing:hpf-realestate", "reform:parallel_approval"]
    applied = levers.apply(names)
    handoffs = applied["handoffs"]
    assert {k: handoffs[k] for k in ("mode", "at", "staleness")} == {
        "mode": "platform",
        "at": "02:00",
        "staleness": {"per_hour": 0.003},
    }
    delay = {"dist": "uniform", "min": 5.0, "max": 60.0}
    rule = {"mode": "platform", "delay": delay}
    assert handoffs["pairs"] == [
        {"from": "hpf", "to": "realestate", **rule},
        {"from": "realestate", "to": "hpf", **rule},
        {"from": "market", "to": "tax", **rule},
        {"from": "tax", "to": "market", **rule},
    ]
    overlay = levers.overlay(names, "sharing")
    base_raw, _ = resolve_mapping(W / "baseline.yaml")
    merged = merge(base_raw, overlay["changes"])
    assert {k: v for k, v in merged.items() if k not in ("name", "description", "cost")} == {
        k: v for k, v in applied.items() if k not in ("name", "description", "cost")
    }


def test_sharing_keeps_the_stale_data_rule_it_finds():
    """A sharing rule without its own rework keeps the scenario's stale-data rule.

    The schema resolves it (the pair gives only its transport): the baseline's rule, or the
    rule a later overlay leaves (a fragment with its own rework and staleness rate, as a
    reform could set them); the transport is real time either way.
    """
    base_raw, _ = resolve_mapping(W / "baseline.yaml")
    rule = {"mode": "platform", "delay": 5}
    pair = Lever("sharing:a-b", "sharing", "", 0, 0, (SetHandoffPair("market", "tax", rule),))
    alone = Scenario.model_validate(apply_levers(base_raw, [pair])).handoffs
    resolved = alone.rule_for("market", "tax", "company_registration")
    baseline = load_scenario(W / "baseline.yaml").handoffs
    assert (resolved.rework, resolved.staleness) == (baseline.rework, baseline.staleness)
    assert (resolved.at, resolved.delay.expected()) == (None, 5.0)
    assert alone.rule_for("tax", "market", "company_registration") is alone  # one way only
    stale = {"rework": 0.01, "staleness": {"per_hour": 2 * baseline.staleness.per_hour}}
    later = Lever("later", "lever", "", 0, 0, (MergeFragment({"handoffs": stale}),))
    after = Scenario.model_validate(apply_levers(base_raw, [pair, later])).handoffs
    resolved = after.rule_for("market", "tax", "company_registration")
    assert (resolved.rework, resolved.staleness) == (after.rework, after.staleness)
    assert (resolved.rework, resolved.staleness.per_hour) == (0.01, stale["staleness"]["per_hour"])
    assert (resolved.at, resolved.delay.expected()) == (None, 5.0)


def test_conflicting_levers_fail_clearly(levers):
    """Levers the rules keep apart do not apply together: a message names both."""
    with pytest.raises(ScenarioError, match="integrate:tax_filing cannot be applied after"):
        levers.apply(["reform:one_window", "integrate:tax_filing"])


def test_changes_between_reproduce_the_target():
    """merge(base, changes_between(base, target)) == target, also for a reordered named list.

    A deleted key cannot be expressed.
    """
    base = {
        "windows": [{"name": "a", "count": 1}, {"name": "b", "count": 2}],
        "services": {"s": {"window_time": 5}},
    }
    targets = [
        {"windows": [{"name": "a", "count": 3}], "services": {"s": {"window_time": 5}}},
        {"windows": [{"name": "b", "count": 2}, {"name": "a", "count": 1}], "services": {}},
        {
            "windows": [*base["windows"], {"name": "c", "count": 1}],
            "services": {"s": {"window_time": 5, "x": 1}},
        },
    ]
    for target in targets[:1] + targets[2:]:
        assert merge(base, changes_between(base, target)) == target
    reordered = copy.deepcopy(targets[1])
    reordered["services"] = {"s": {"window_time": 5}}
    assert merge(base, changes_between(base, reordered)) == reordered
    with pytest.raises(ValueError, match="cannot delete"):
        changes_between(base, targets[1])


def test_portfolio_overlay_of_no_lever_is_the_baseline(tmp_path):
    overlay = portfolio_overlay(W / "baseline.yaml", [], "nothing")
    assert overlay["changes"] == {}
    assert overlay["cost"]["one_off"] == 0
    loaded = load_scenario(write_overlay(tmp_path / "nothing.yaml", overlay))
    assert loaded.windows == load_scenario(W / "baseline.yaml").windows


def test_reform_on_a_reform_is_a_lever(tmp_path):
    """A reform based on the baseline through another reform applies the whole chain's changes."""
    chained = {
        "base": str(W / "reforms" / "security.yaml"),
        "name": "security and parallel windows",
        "cost": {"one_off": 10, "yearly": 1},
        "changes": {"windows": [{"name": "tax", "schedule": {"12:00": 5}}]},
    }
    reform = tmp_path / "chained.yaml"
    reform.write_text(yaml.safe_dump(chained), encoding="utf-8")
    data = _w_levers(reforms=False)
    data["reforms"] = [str(reform)]
    file = tmp_path / "levers.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    levers = load_levers(file)
    lever = levers.select(["reform:chained"])[0]
    assert (lever.one_off, lever.yearly) == (10, 1)
    applied = levers.apply(["reform:chained"])
    expected = load_scenario(reform)
    applied.update(name=expected.name, description=expected.description)
    applied["cost"] = expected.cost.model_dump()
    assert same_scenario(Scenario.model_validate(applied), expected)
    assert levers.resources["reform:chained"].groups == {"tax"}
