"""Queueing formulas as the surrogate of extra clerks: used where accurate, and only there.

A stationary hall of two independent M/M/n+M groups passes the accuracy gate, and each extra
clerk's formula effect lies in the paired interval of its simulated effect; a hall whose window
times are far from exponential fails the gate; a days-mode center is not a stationary queue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import LEVEL

from wsim.experiment import t_interval
from wsim.optimize.levers import load_levers
from wsim.optimize.levers.effects import LeverEffects
from wsim.optimize.levers.formulas import SOURCE, gate, hall_kpis, hall_problem
from wsim.optimize.levers.simulate import SetRunner
from wsim.optimize.levers.values import YearlyValues
from wsim.queueing import erlang_a
from wsim.scenario import load_scenario

REPS = 5


def hall(window_time_b: dict, patience: bool = True) -> dict:
    return {
        "name": "Stationary hall",
        "calendar": {"mode": "continuous", "horizon": 12000, "warmup": 1000},
        "services": {
            "a": {"window_time": {"dist": "exponential", "mean": 6}},
            "b": {"window_time": window_time_b},
        },
        "demand": [
            {"service": "a", "channel": "hall", "per_hour": 25},
            {"service": "b", "channel": "hall", "per_hour": 14},
        ],
        "windows": [
            {"name": "ga", "count": 3, "serves": ["a"], "hourly_cost": 50},
            {"name": "gb", "count": 3, "serves": ["b"], "hourly_cost": 50},
        ],
        "citizens": {"patience": {"dist": "exponential", "mean": 20}} if patience else {},
    }


LEVERS = {
    "baseline": "base.yaml",
    "economics": {
        "discount_rate": 0.03,
        "horizon_years": 5,
        "days_per_year": 250,
        "value_of_time": {"wait_hour": 30, "lead_hour": 2, "trip": 20},
    },
    "staff": [
        {"group": "ga", "steps": 2, "cost": {"one_off": 2000}},
        {"group": "gb", "steps": 1, "cost": {"one_off": 2000}},
    ],
    "levers": [
        {
            "name": "faster_a",
            "cost": {"one_off": 5000},
            "changes": {"services": {"a": {"window_time": {"dist": "exponential", "mean": 5}}}},
        }
    ],
}


def write(folder, base: dict):
    (folder / "base.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    (folder / "levers.yaml").write_text(yaml.safe_dump(LEVERS), encoding="utf-8")
    return load_levers(folder / "levers.yaml")


def estimate(levers):
    runner = SetRunner(levers, REPS, 3, progress=False)
    effects = LeverEffects(levers, runner, YearlyValues.of(levers.economics, levers.baseline))
    effects.estimate_main()
    return effects, runner


def test_hall_kpis_are_erlang_a_per_group(tmp_path):
    levers = write(tmp_path, hall({"dist": "exponential", "mean": 10}))
    kpis = hall_kpis(levers.baseline)
    a = erlang_a(3, 25 / 60, 6, 20)
    b = erlang_a(3, 14 / 60, 10, 20)
    served = (25 * (1 - a.p_abandon), 14 * (1 - b.p_abandon))
    expected = (served[0] * a.wait_mean_served + served[1] * b.wait_mean_served) / sum(served)
    assert kpis["hall_wait_mean"] == pytest.approx(expected, rel=1e-12)
    assert kpis["staff_cost"] == pytest.approx(50 * 6 * 11000 / 60)


def test_extra_clerks_take_the_formula_where_it_matches_the_simulation(tmp_path):
    levers = write(tmp_path, hall({"dist": "exponential", "mean": 10}))
    effects, runner = estimate(levers)
    assert effects.gate.accurate, effects.gate.reason
    sources = {name: effect.source for name, effect in effects.main.items()}
    assert sources == {
        "clerks:ga:1": SOURCE,
        "clerks:ga:2": SOURCE,
        "clerks:gb:1": SOURCE,
        "faster_a": "simulation",
    }
    assert set(runner.sets) == {frozenset(), frozenset({"faster_a"})}  # no clerk simulated
    column = effects.kpis.index("hall_wait_mean")
    for name in ("clerks:ga:1", "clerks:ga:2", "clerks:gb:1"):
        effect = effects.main[name]
        runner.run([effect.simulated, effect.against])
        paired = effects.matrix(effect.simulated) - effects.matrix(effect.against)
        _, low, high, _ = t_interval(paired[:, column], LEVEL)
        # the formula is exact for M/M/n+M: it must lie in the 99.9% paired interval
        assert low <= effect.mean()[column] <= high, (name, effect.mean()[column], low, high)
        assert np.ptp(effect.deltas[:, column]) == 0  # the same in every replication
    runner.close()


def test_window_times_far_from_exponential_fail_the_gate(tmp_path):
    """Lognormal window times (sd 3x the mean) and patient citizens: Erlang C misstates the wait.

    (With patience the abandonments hide most of the difference, and the gate rightly passes:
    Erlang A's waits are close to the simulated ones there.)
    """
    levers = write(tmp_path, hall({"dist": "lognormal", "mean": 10, "sd": 30}, patience=False))
    effects, runner = estimate(levers)
    assert not effects.gate.accurate
    assert effects.gate.reason.startswith("the formulas miss the simulated baseline")
    assert all(effect.source == "simulation" for effect in effects.main.values())
    runner.close()


def test_a_days_mode_center_is_not_a_stationary_queue():
    w = load_scenario("scenarios/w_district/baseline.yaml")
    assert hall_problem(w).startswith("days mode")
    simulated = {"hall_wait_mean": [12.0, 13.0]}
    assert not gate(w, pd.DataFrame(simulated)).accurate
