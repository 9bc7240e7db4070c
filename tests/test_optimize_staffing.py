"""Tests of staffing plans, from the scenario section to the CLI.

They cover the scenario section, requirements by formula and by simulation, plans as overlays, the
sipp-versus-simulation comparison, infeasible requests and the CLI.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CHECKS, EXAMPLES, W_DISTRICT

from wsim.cli import main
from wsim.optimize import StaffingError, StaffingInfeasible, StaffingProblem, staffing
from wsim.optimize.shifts.kpis import headroom, slot_kpis
from wsim.optimize.shifts.load import demand_curves, modified_offered_load
from wsim.optimize.shifts.presence import attributed_groups, presence_counts
from wsim.optimize.shifts.requirements import (
    lag_requirements,
    servers_needed,
    sipp_requirements,
)
from wsim.queueing import erlang_a_staffing, erlang_c_staffing, mmc_wait_mean
from wsim.scenario import ScenarioError, StaffingTarget, load_scenario, resolve_mapping

PEAK = EXAMPLES / "staffing_peak.yaml"
W_BASELINE = W_DISTRICT / "baseline.yaml"


def request(**changes) -> dict:
    """A two-group hall, 08:30-12:30, with a staffing section (a plain dict to vary)."""
    data = {
        "name": "staffing request",
        "calendar": {"days": 1, "open": "08:30", "close": "12:30"},
        "services": {
            "a": {"window_time": {"dist": "exponential", "mean": 10}},
            "b": {"window_time": {"dist": "exponential", "mean": 6}},
        },
        "demand": [{"service": "a", "per_hour": 18}, {"service": "b", "per_hour": 20}],
        "windows": [
            {"name": "desk_a", "count": 2, "serves": ["a"]},
            {"name": "desk_b", "schedule": {"08:30": 1, "12:15": 2}, "serves": ["b"]},
        ],
        "staffing": {
            "slot": "30min",
            "groups": [{"name": "desk_a", "max_open": 10}, {"name": "desk_b", "max_open": 10}],
            "shifts": [
                {"name": "full", "start": "08:30", "end": "12:30"},
                {"name": "early", "start": "08:30", "end": "10:30", "family": "part"},
                {"name": "late", "start": "10:30", "end": "12:30", "family": "part"},
            ],
            "families": {"part": {"max": 20}},
            "target": "hall_service_level >= 0.8",
        },
    }
    for key, value in changes.items():
        if key == "staffing":
            data["staffing"] = {**data["staffing"], **value}
        else:
            data[key] = value
    return data


# --- the staffing section of a scenario ---------------------------------------------------


def test_staffing_section_loads_and_normalizes():
    scenario = load_scenario(
        request(
            staffing={
                "shifts": [
                    {"name": "full", "start": "08:30", "end": "12:30", "breaks": ["10:00-10:30"]},
                    {"name": "half", "start": "08:30", "end": "10:30", "cost": 1.5, "max": 3},
                ],
                "families": {},
                "target": {"metric": "hall_wait_mean", "bound": "<=", "value": "90s"},
            }
        )
    )
    staffing_ = scenario.staffing
    assert staffing_.slot == 30
    assert staffing_.target == StaffingTarget(metric="hall_wait_mean", bound="<=", value=1.5)
    full, half = staffing_.shifts
    assert full.breaks == ((600.0, 630.0),)
    assert full.paid_minutes == 210
    assert full.shift_cost == 3.5
    assert half.shift_cost == 1.5
    assert full.on_duty(570, 600)
    assert not full.on_duty(600, 630)
    assert staffing_.slot_starts(scenario.calendar) == (510, 540, 570, 600, 630, 660, 690, 720)
    assert load_scenario(scenario.to_dict()) == scenario  # round trip


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"groups": [{"name": "desk_c"}]}, "staffing.groups[0].name", "unknown window group"),
        (
            {"groups": [{"name": "desk_a", "serves": ["a"]}]},
            "staffing.groups[0].serves",
            "already windows[0]",
        ),
        (
            {"groups": [{"name": "new", "serves": ["zz"]}]},
            "staffing.groups[0].serves[0]",
            "unknown service",
        ),
        ({"target": "hall_service_level <= 0.8"}, "staffing.target.bound", "use >="),
        ({"target": "hall_abandon_rate <= 2"}, "staffing.target.value", "between 0 and 1"),
        ({"target": "shortest_queue >= 1"}, "staffing.target.metric", "allowed"),
        ({"slot": "25min"}, "staffing.slot", "whole slots"),
        (
            {"shifts": [{"name": "x", "start": "08:30", "end": "12:30", "family": "nope"}]},
            "staffing.shifts[0].family",
            "unknown shift family",
        ),
        (
            {
                "shifts": [
                    {"name": "x", "start": "08:30", "end": "09:00", "breaks": ["08:40-08:50"]}
                ]
            },
            "staffing.shifts[0]",
            "no whole slot",
        ),
        (
            {
                "shifts": [
                    {"name": "x", "start": "08:30", "end": "12:30", "breaks": ["13:00-13:30"]}
                ]
            },
            "staffing.shifts[0].breaks[0]",
            "inside the shift",
        ),
        (
            {"shifts": [{"name": "x", "start": "12:00", "end": "09:00"}]},
            "staffing.shifts[0].end",
            "later than start",
        ),
        (
            {"shifts": [{"name": "x", "start": "08:30", "end": "12:30", "groups": ["desk_z"]}]},
            "staffing.shifts[0].groups[0]",
            "unknown group",
        ),
    ],
)
def test_bad_staffing_sections_name_the_field(change, path, words):
    with pytest.raises(ScenarioError) as error:
        load_scenario(request(staffing=change))
    message = str(error.value)
    assert path in message
    assert words in message


# --- plans as scenario overlays -------------------------------------------------------------


def test_plan_schedule_replaces_count_and_schedule_whole():
    problem = StaffingProblem(load_scenario(request()))
    scheduled = np.array([[2, 2, 3, 3, 4, 4, 2, 2], [1, 1, 1, 2, 2, 2, 2, 1]])
    from wsim.optimize.shifts.schedule import apply_schedule

    staffed = apply_schedule(problem, scheduled)
    desk_a, desk_b = staffed.windows
    assert desk_a.count is None
    assert desk_b.count is None
    # desk_b's base schedule had a 12:15 entry off the grid: the plan replaced it whole.
    assert desk_a.schedule == ((510, 2), (570, 3), (630, 4), (690, 2))
    assert desk_b.schedule == ((510, 1), (600, 2), (720, 1))
    assert staffed.staffing is None
    for t, start in enumerate(problem.slots):
        assert [w.count_at(start) for w in staffed.windows] == scheduled[:, t].tolist()


def test_declared_group_is_added_by_the_plan():
    data = request(
        staffing={
            "groups": [
                {"name": "desk_a"},
                {"name": "both", "serves": ["a", "b"], "speed": {"a": 0.8}},
            ]
        }
    )
    problem = StaffingProblem(load_scenario(data))
    from wsim.optimize.shifts.schedule import apply_schedule

    staffed = apply_schedule(problem, np.ones(problem.shape, dtype=int))
    assert [w.name for w in staffed.windows] == ["desk_a", "desk_b", "both"]
    assert staffed.windows[2].serves == ("a", "b")
    assert staffed.windows[2].speed == {"a": 0.8}
    assert staffed.windows[1].count is None
    assert staffed.windows[1].schedule


# --- requirements by formula ------------------------------------------------------------------


def test_sipp_matches_the_published_erlang_c_example():
    # The classic call-centre example: 100 calls per half hour, 3 minutes each, 80% answered
    # within 20 s; Erlang C needs 14 agents (13 give 79.6%, 14 give 88.8%).
    data = request(
        services={"call": {"window_time": {"dist": "exponential", "mean": 3}}},
        demand=[{"service": "call", "per_hour": 200}],
        windows=[{"name": "agents", "count": 1, "serves": ["call"]}],
        targets={"hall_wait": "20s"},
        staffing={
            "groups": [{"name": "agents"}],
            "shifts": [{"name": "full", "start": "08:30", "end": "12:30"}],
            "families": {},
        },
    )
    problem = StaffingProblem(load_scenario(data))
    curves = demand_curves(problem)
    assert sipp_requirements(problem, curves).tolist() == [[14] * 8]
    # The lag method sees the load build up over the first minutes (a 3-minute window time):
    # at 08:30 nobody is at a window yet; from the second slot on it is the full 10 Erlangs.
    _, offered = modified_offered_load(problem, curves)
    assert offered[0, 0, 0] == 0
    assert offered[0, 1:].min() == pytest.approx(10, rel=0.01)
    assert lag_requirements(problem, curves)[0, 1:].tolist() == [14] * 7


def test_continuous_mode_plans_the_whole_day():
    # Around the clock, hourly slots: a constant M/M/c+M load needs the Erlang A staffing in
    # all 24 slots (the erlang_a check scenario: 110/h, 5 min, patience 10 min).
    data = load_scenario(CHECKS / "erlang_a.yaml").to_dict()
    data["staffing"] = {
        "slot": "1h",
        "groups": [{"name": "w"}],
        "shifts": [{"name": f"from_{h}", "start": h * 60, "end": h * 60 + 480} for h in range(17)],
        "target": "hall_service_level >= 0.8",
    }
    problem = StaffingProblem(load_scenario(data))
    assert problem.labels[0] == "00:00"
    assert len(problem.labels) == 24
    expected = erlang_a_staffing(110 / 60, 5.0, 10.0, 15.0, 0.8)
    assert sipp_requirements(problem, demand_curves(problem)).tolist() == [[expected] * 24]
    # the periodic curve carries yesterday's late arrivals into 00:00: the load never dips
    _, offered = modified_offered_load(problem, demand_curves(problem))
    assert offered.min() == pytest.approx(110 / 60 * 5, rel=0.01)


@pytest.mark.parametrize(
    ("rate", "mean", "patience", "target", "expected"),
    [
        # Erlang C, service level: the queueing module's staffing function
        (110 / 60, 5.0, None, "hall_service_level >= 0.9", erlang_c_staffing(110 / 60, 5, 10, 0.9)),
        # Erlang A, service level counted over all arrivals (abandonment is a failure)
        (
            110 / 60,
            5.0,
            10.0,
            "hall_service_level >= 0.8",
            erlang_a_staffing(110 / 60, 5, 10, 10, 0.8),
        ),
        # Erlang A, abandonment only
        (
            110 / 60,
            5.0,
            10.0,
            "hall_abandon_rate <= 0.02",
            erlang_a_staffing(110 / 60, 5, 10, 10, 0.0, max_abandon=0.02),
        ),
    ],
)
def test_servers_needed_agrees_with_the_queueing_module(rate, mean, patience, target, expected):
    goal = StaffingTarget.model_validate(target)
    assert servers_needed(rate, mean, goal, 10.0, patience) == expected


def test_servers_needed_for_a_mean_wait():
    goal = StaffingTarget.model_validate("hall_wait_mean <= 1min")
    n = servers_needed(2.0, 4.0, goal, 15.0)
    assert mmc_wait_mean(2.0, 4.0, n) <= 1.0 < mmc_wait_mean(2.0, 4.0, n - 1)
    assert servers_needed(0.0, 4.0, goal, 15.0) == 0


# --- simulated KPIs and presence, checked on hand-made visit tables ------------------------


def visits_table(rows: list[tuple]) -> pd.DataFrame:
    columns = ["replication", "service", "day", "arrival", "start", "end", "window", "outcome"]
    table = pd.DataFrame(rows, columns=columns)
    table["counted"] = True
    return table


def test_slot_kpis_by_hand():
    problem = StaffingProblem(load_scenario(request()))
    nan = float("nan")
    visits = visits_table(
        [
            # replication 0, slot 08:30: one served at once, one after 20 min, one abandoned
            (0, "a", 0, 515.0, 515.0, 525.0, "desk_a", "served"),
            (0, "a", 0, 520.0, 540.0, 550.0, "desk_a", "served"),
            (0, "b", 0, 530.0, nan, 560.0, "", "abandoned"),
            # replication 1, slot 08:30: both served within 15 minutes
            (1, "a", 0, 512.0, 520.0, 530.0, "desk_a", "served"),
            (1, "b", 0, 535.0, 535.0, 540.0, "desk_b", "served"),
        ]
    )
    kpis = slot_kpis(problem, visits, replications=2)
    hall = kpis[(kpis.group == "hall") & (kpis.slot == 0)].iloc[0]
    # service level per replication: 1/3 and 2/2; mean 2/3 with a t-interval over the two
    assert hall.service_level == pytest.approx((1 / 3 + 1) / 2)
    half = 12.706 * np.std([1 / 3, 1.0], ddof=1) / math.sqrt(2)  # t(0.975, 1) = 12.706
    assert hall.service_level_ci_high - hall.service_level == pytest.approx(half, rel=1e-3)
    assert hall.wait_mean == pytest.approx(((0 + 20) / 2 + (8 + 0) / 2) / 2)
    assert hall.abandon_rate == pytest.approx((1 / 3 + 0) / 2)
    assert hall.arrivals == 2.5
    assert hall.n == 2
    assert not hall.meets  # 0.667 < 0.8
    # the abandoned ticket (service b) belongs to desk_b, the group serving b
    desk_b = kpis[(kpis.group == "desk_b") & (kpis.slot == 0)].iloc[0]
    assert desk_b.abandon_rate == pytest.approx(0.5)
    empty = kpis[(kpis.group == "hall") & (kpis.slot == 5)].iloc[0]
    assert empty.n == 0
    assert empty.meets


def test_a_slot_where_everyone_left_misses_a_mean_wait_target():
    # The mean wait is over served citizens: where all of a slot's citizens abandoned or
    # balked it is undefined (NaN), and such a slot must miss the target (not count as met,
    # as an empty slot does), with the worst headroom, so the optimizer never removes windows
    # there.
    target = {"metric": "hall_wait_mean", "bound": "<=", "value": 10}
    problem = StaffingProblem(load_scenario(request(staffing={"target": target})))
    nan = float("nan")
    visits = visits_table(
        [
            # slot 08:30 (0): replication 0 served at once, replication 1 everyone abandoned
            (0, "a", 0, 515.0, 515.0, 525.0, "desk_a", "served"),
            (1, "a", 0, 516.0, nan, 530.0, "", "abandoned"),
            # slot 09:00 (1): everyone left in both replications
            (0, "a", 0, 545.0, nan, 560.0, "", "abandoned"),
            (1, "a", 0, 550.0, nan, 550.0, "", "balked"),
        ]
    )
    kpis = slot_kpis(problem, visits, replications=2)
    hall = kpis[kpis.group == "hall"].set_index("slot")
    assert hall.loc[0, "wait_mean"] == 0.0  # the served replication alone would meet it
    assert list(hall.loc[[0, 1, 2], "unmeasured"]) == [1, 2, 0]
    assert not hall.loc[0, "meets"]
    assert not hall.loc[0, "meets_surely"]
    assert np.isnan(hall.loc[1, "wait_mean"])
    assert not hall.loc[1, "meets"]
    assert hall.loc[2, "meets"]  # slot 09:30 has no citizens: nothing to meet
    room = headroom(kpis, problem.target, surely=True)[kpis.group == "hall"].to_numpy()
    assert room[0] == room[1] == -np.inf
    assert room[2] == 1.0
    assert not StaffingTarget(**target).met(nan)


def test_presence_counts_by_hand():
    problem = StaffingProblem(load_scenario(request()))
    visits = visits_table(
        [
            (0, "a", 0, 515.0, 515.0, 545.0, "desk_a", "served"),  # 08:35-09:05
            (0, "a", 0, 520.0, 530.0, 532.0, "desk_a", "served"),  # 08:40-08:52
            (0, "b", 0, 530.0, float("nan"), 531.0, "", "balked"),  # never present
        ]
    )
    points, counts = presence_counts(problem, visits, replications=1)
    assert points[0].tolist() == [510, 515, 520, 525, 530, 535, 540]
    assert counts[0, 0, 0].tolist() == [0, 1, 2, 2, 2, 1, 1]  # desk_a, slot 08:30
    assert counts[1].sum() == 0  # desk_b: the balked citizen never waited


def test_isa_level_by_hand():
    from wsim.optimize.shifts.requirements import _smallest_safe_level

    # Ten samples 0..9 at one point: with 8 windows 2 of 10 samples (8 and 9) would find all
    # windows busy (20% <= alpha), with 7 windows 3 of 10 would.
    samples = np.arange(10)[:, None]
    assert _smallest_safe_level(samples, 0.2) == 8
    assert _smallest_safe_level(samples, 0.0) == 10
    # The slot needs what its busiest point needs; nobody present needs no window.
    two_points = np.column_stack([np.arange(10), np.arange(10) + 3])
    assert _smallest_safe_level(two_points, 0.2) == 11
    assert _smallest_safe_level(np.zeros((10, 2), dtype=int), 0.2) == 0


def test_unserved_tickets_go_to_the_group_that_served_their_service_most():
    data = request(
        windows=[
            {"name": "desk_a", "count": 1, "serves": ["a"]},
            {"name": "desk_b", "count": 1, "serves": ["b"]},
            {"name": "any", "count": 1, "serves": ["a", "b"]},
        ]
    )
    problem = StaffingProblem(load_scenario(data))
    visits = visits_table(
        [
            (0, "a", 0, 515.0, 515.0, 525.0, "any", "served"),
            (0, "a", 0, 516.0, 516.0, 526.0, "any", "served"),
            (0, "a", 0, 517.0, 517.0, 527.0, "desk_a", "served"),
            (0, "a", 0, 518.0, float("nan"), 560.0, "", "abandoned"),
            (0, "b", 0, 519.0, float("nan"), 560.0, "", "abandoned"),
        ]
    )
    assert attributed_groups(problem, visits).tolist() == ["any", "any", "desk_a", "any", "desk_b"]


# --- whole runs -------------------------------------------------------------------------------


def test_sipp_misses_after_the_peak_where_simulation_meets_the_target():
    # The peak day (scenarios/examples/staffing_peak.yaml): window times of 20-25 minutes and
    # a strong late-morning peak. SIPP takes windows away as soon as arrivals fall, while the
    # peak's citizens are still there; with 100 replications its 12:30 and 13:00 slots sit
    # near 0.76 and 0.78 +- 0.05 (400 replications: 0.763 and 0.779 +- 0.027), so the
    # verification shows misses. The simulation method's plan is checked in-sample with the
    # whole 95% interval above the target, so a fresh verification meets the target in
    # nearly every slot; the issue asks for at least 90% of the slots.
    sipp = staffing(PEAK, method="sipp", seed=0, verify_replications=100)
    simulated = staffing(
        PEAK, method="simulation", replications=30, seed=0, verify_replications=100
    )
    assert sipp.seed == simulated.seed  # same verification random numbers
    assert len(sipp.missed_slots) >= 1
    assert simulated.met_share >= 0.9
    for plan in (sipp, simulated):
        assert plan.status == "optimal"
        assert plan.cost == pytest.approx(float(plan.shifts_table().cost.sum()))
        assert (plan.scheduled >= plan.requirements).all()
        assert plan.covering.lp_value <= plan.cost + 1e-9
    phases = simulated.history.phase.tolist()
    assert phases[0] == "start (lag)"
    assert "isa" in phases
    assert "cover+simulate" in phases
    assert phases[-1] == "verify"


def sharp_peak_day(volume: float, part_time: bool) -> dict:
    """The peak day with a sharper, one-hour peak and ``volume`` times its citizens.

    With the 2-hour flexible shifts (and, with ``part_time``, the 4-hour part-timers) the
    shifts can follow the peak closely, which is where the simulation method's correction
    loop used to end above the lag method's plan (76 against 64 on the first case below).
    """
    raw, _ = resolve_mapping(PEAK)
    data = copy.deepcopy(raw)
    data["profiles"]["midday_peak"] = {
        "08:30": 0.3,
        "10:00": 0.6,
        "11:00": 3.5,
        "12:00": 0.6,
        "13:30": 0.5,
        "16:30": 0,
    }
    for stream in data["demand"]:
        stream["per_day"] = round(stream["per_day"] * volume)
    if not part_time:
        shifts = data["staffing"]["shifts"]
        data["staffing"]["shifts"] = [s for s in shifts if s.get("family") != "part_time"]
    return data


@pytest.mark.parametrize(("volume", "part_time", "seed"), [(0.5, True, 0), (0.5, False, 0)])
def test_simulation_is_never_costlier_than_a_formula_plan_that_meets_the_target(
    volume, part_time, seed
):
    # The same replications and seeds for every method, so all three plans are verified on
    # the same random numbers (seed + 1): among the plans that meet the target there, the
    # simulation method's must be the cheapest.
    data = sharp_peak_day(volume, part_time)
    plans = {
        method: staffing(data, method=method, replications=10, seed=seed)
        for method in ("sipp", "lag", "simulation")
    }
    assert len({plan.seed for plan in plans.values()}) == 1
    simulated = plans["simulation"]
    meeting = [plan.cost for plan in plans.values() if not plan.missed_slots]
    assert meeting, "no method met the target: the case shows nothing"
    assert not simulated.missed_slots
    assert simulated.cost <= min(meeting) + 1e-9
    # the descent ran, and the chosen plan's verification is the one reported
    phases = simulated.history.phase.tolist()
    assert any(phase.startswith("descent") for phase in phases)
    assert phases[-1] == "verify"
    assert simulated.history.iloc[-1]["cost"] == simulated.cost


def test_plan_files_and_overlay_round_trip(tmp_path):
    plan = staffing(PEAK, method="lag", replications=5, seed=3)
    written = {path.name for path in plan.save(tmp_path)}
    expected = {"plan.yaml", "overlay.yaml", "requirements.csv", "shifts.csv", "slot_kpis.csv"}
    assert expected | {"history.csv"} == written
    overlay = load_scenario(tmp_path / "overlay.yaml").to_dict()
    applied = plan.apply().to_dict()
    assert overlay["name"] == "Peak day (staffed by lag)"
    assert {**overlay, "name": "", "description": ""} == {**applied, "name": "", "description": ""}
    summary = yaml.safe_load((tmp_path / "plan.yaml").read_text())
    assert summary["method"] == "lag"
    assert summary["cost"] == plan.cost
    requirements = pd.read_csv(tmp_path / "requirements.csv")
    assert (requirements.scheduled >= requirements.required).all()


def test_unreachable_target_names_slots_and_max_open():
    data = request(staffing={"groups": [{"name": "desk_a", "max_open": 2}, {"name": "desk_b"}]})
    with pytest.raises(StaffingInfeasible) as error:
        staffing(data, method="sipp")
    message = str(error.value)
    # 3 Erlangs need 5 windows in every slot
    assert (
        "'desk_a' needs more windows than staffing.groups[0].max_open = 2 at 08:30, 09:00"
        in message
    )


def test_family_limit_that_blocks_is_named():
    data = request(
        staffing={
            "shifts": [
                {"name": "early", "start": "08:30", "end": "10:30", "family": "part"},
                {"name": "late", "start": "10:30", "end": "12:30", "family": "part"},
            ],
            "families": {"part": {"max": 6}},
        }
    )
    with pytest.raises(StaffingInfeasible) as error:
        staffing(data, method="sipp")
    assert "staffing.families.part (at most 6)" in str(error.value)


def test_slots_no_shift_covers():
    data = request(staffing={"shifts": [{"name": "late", "start": "10:30", "end": "12:30"}]})
    with pytest.raises(StaffingInfeasible, match="08:30, 09:00, 09:30, 10:00"):
        staffing(data, method="sipp")


def test_no_staffing_section():
    data = request()
    del data["staffing"]
    with pytest.raises(StaffingError, match="no staffing section"):
        staffing(data, method="sipp")


def test_time_limit_stops_the_iterations():
    plan = staffing(request(), method="simulation", replications=5, time_limit=0.01)
    assert plan.status == "time limit"
    assert any("time limit" in note for note in plan.notes)
    assert plan.history.phase.tolist()[-1] == "verify"


def test_formula_methods_say_what_they_assume():
    data = request(
        staffing={"groups": [{"name": "desk_a"}, {"name": "both", "serves": ["a", "b"]}]}
    )
    plan = staffing(data, method="lag", replications=3)
    assert any("split their demand evenly" in note for note in plan.notes)


# --- the command --------------------------------------------------------------------------------


def test_cli_writes_the_plan(tmp_path, capsys):
    status = main(
        [
            "optimize",
            "staffing",
            str(PEAK),
            "--method",
            "lag",
            "--reps",
            "4",
            "--out",
            str(tmp_path),
        ]
    )
    assert status == 0
    out = capsys.readouterr()
    assert "lag plan" in out.out
    assert "service_level" in out.out
    assert "verify" in out.err  # progress lines
    for name in ("plan.yaml", "overlay.yaml", "slot_kpis.csv", "history.csv", "staffing.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_cli_infeasible_request_is_one_message(tmp_path, capsys):
    data = request(staffing={"groups": [{"name": "desk_a", "max_open": 2}, {"name": "desk_b"}]})
    path = tmp_path / "tight.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["optimize", "staffing", str(path), "--method", "sipp"]) == 2
    err = capsys.readouterr().err
    assert "max_open = 2" in err
    assert "Traceback" not in err


# --- the W district -----------------------------------------------------------------------------

W_DISTRICT_REQUEST = {
    # Used when the baseline has no staffing section of its own: every department's windows,
    # the hall's hours 09:00-12:00 and 13:00-17:00, with lunch duties and part-timers.
    "slot": "30min",
    "shifts": [
        {"name": "full", "start": "09:00", "end": "17:00", "breaks": ["12:00-13:00"]},
        {"name": "duty_early", "start": "09:00", "end": "17:00", "breaks": ["11:00-12:00"]},
        {"name": "duty_late", "start": "09:00", "end": "17:00", "breaks": ["13:00-14:00"]},
        {"name": "morning", "start": "09:00", "end": "12:00", "family": "part_time"},
        {"name": "afternoon", "start": "13:00", "end": "17:00", "family": "part_time"},
    ],
    "families": {"part_time": {"max": 20}},
    "target": "hall_service_level >= 0.8",
}


@pytest.mark.skipif(
    not W_BASELINE.is_file(), reason="scenarios/w_district/baseline.yaml is not written yet"
)
def test_w_district_baseline_plan_meets_its_target():
    raw, _ = resolve_mapping(W_BASELINE)
    raw = copy.deepcopy(raw)
    if "staffing" not in raw:
        groups = [{"name": window["name"], "min_open": 1} for window in raw["windows"]]
        raw["staffing"] = {**W_DISTRICT_REQUEST, "groups": groups}
    raw["calendar"]["days"] = 2  # a plan is for one day type; two days keep the test short
    plan = staffing(raw, method="lag", replications=4, seed=0, workers=2)
    assert plan.met_share >= 0.9, plan.missed_slots
