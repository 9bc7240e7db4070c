"""Cross-training levers with a learning curve: the clerks are beginners at the new service.

An ``integrate`` entry's ``cross_training.learning`` adds each lever's service to the group's
learning curve, so the lever's effect by simulation includes the slower first weeks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import wsim
from wsim.experiment import t_interval
from wsim.optimize.levers import apply_levers, load_levers
from wsim.scenario import ScenarioError

EXAMPLES = Path(__file__).resolve().parent.parent / "scenarios" / "examples"
CURVE = {"start": 3.0, "after": 4, "unit": "weeks"}


def levers_file(tmp_path: Path, training: dict, name: str = "levers.yaml") -> Path:
    """The small hall's levers file with the civil affairs clerks trained as `training`."""
    data = yaml.safe_load((EXAMPLES / "levers" / "small_hall.yaml").read_text())
    data["baseline"] = str(EXAMPLES / "small_hall.yaml")
    data["reforms"] = [str(EXAMPLES / "small_hall_more_windows.yaml")]
    data["integrate"][0]["cross_training"] = training
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def group(mapping: dict, name: str) -> dict:
    return next(g for g in mapping["windows"] if g["name"] == name)


def test_each_lever_adds_its_service_to_one_curve(tmp_path):
    levers = load_levers(levers_file(tmp_path, {"per_clerk": 2000, "learning": CURVE}))
    chosen = levers.select(["integrate:pension", "integrate:medical_insurance"])
    for order in (chosen, chosen[::-1]):
        learning = group(apply_levers(levers.baseline_raw, order), "civil_affairs")["learning"]
        assert sorted(learning.pop("services")) == ["medical_insurance", "pension"]
        assert learning == {
            "start": 3.0,
            "after": 4.0,
            "form": "exponential",
            "unit": "weeks",
            "experience": 0.0,
        }
    assert "beginners x3 for 4 weeks" in chosen[0].description


def test_the_curve_slows_the_lever_in_simulation(tmp_path):
    """Same lever with and without the curve, same seeds: the curve lengthens the waits.

    A beginner takes 3x as long on pensions (95% of the way to full speed after 4 weeks), so
    the civil affairs windows, which also serve their own citizens, are busier; 6 paired
    replications give an interval that excludes 0 by a wide margin at this size of effect.
    """
    learning = load_levers(levers_file(tmp_path, {"learning": CURVE}, "a.yaml"))
    plain = load_levers(levers_file(tmp_path, {}, "b.yaml"))
    runs = [
        wsim.simulate(lv.apply(["integrate:pension"]), 6, seed=3).kpis["hall_wait_mean"].to_numpy()
        for lv in (learning, plain)
    ]
    mean, low, _high, _ = t_interval(runs[0] - runs[1])
    assert low > 0, (mean, low)
    assert np.all(np.isfinite(runs[0]))


def test_a_group_with_another_curve_is_a_clear_conflict(tmp_path):
    levers = load_levers(levers_file(tmp_path, {"learning": CURVE}))
    raw = levers.baseline_raw
    group(raw, "civil_affairs")["learning"] = {"start": 1.2, "after": 10}
    with pytest.raises(ScenarioError, match="already has another learning curve"):
        apply_levers(raw, levers.select(["integrate:pension"]))


def test_the_lever_sets_the_services_itself(tmp_path):
    path = levers_file(tmp_path, {"learning": {**CURVE, "services": ["pension"]}})
    with pytest.raises(ScenarioError) as error:
        load_levers(path)
    message = str(error.value)
    assert "levers.yaml" in message
    assert "cross_training.learning" in message
    assert "each lever adds its service" in message
