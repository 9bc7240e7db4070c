"""Calibration on a real log: the Anonymous Bank week of wsim.datasets (docs/calibration.md).

The fit and the holdout run exactly as the commands in docs/calibration.md (default options,
target 1 min, 20 replications, seed 0), so the figures asserted here are the ones reported
there; each bound is the reported figure rounded outwards to the next 0.5 percentage point (or
the correlation down to two decimals): a change in the simulator or the fit that makes the
model worse than reported fails this test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wsim.calibrate import fit, make_layout, read_log
from wsim.calibrate.holdout import holdout
from wsim.datasets import anonymous_bank_week

FITTED = Path(__file__).resolve().parents[1] / "scenarios" / "fitted" / "anonymous_bank_week.yaml"
NAME = "Anonymous Bank call center, one week (fitted)"

#: Held-out days (leave one day out), all Sunday-Thursday dates: (wait, abandonment) error
#: bounds and hourly correlation floors, as reported (+2.8%, -2.5%; 0.865, 0.894).
HELD_OUT = {"wait_mean": (-0.005, 0.03), "abandon_rate": (-0.025, 0.0)}
HELD_OUT_SHAPE = {"wait_mean": 0.86, "abandon_rate": 0.89}
#: The same fits on their own Sunday-Thursday fitting days (the overfitting guard): +5.8%, -0.4%.
FITTED_DAYS = {"wait_mean": (0.0, 0.06), "abandon_rate": (-0.005, 0.0)}
#: Friday and Saturday (one date each, so only their fitted days can be checked), each fold's
#: fit on its own date: Friday -8.4%, -1.6%; Saturday +7.8%, -3.2%.
SHORT_DAYS = {
    "friday": {"wait_mean": (-0.085, -0.08), "abandon_rate": (-0.02, -0.015)},
    "saturday": {"wait_mean": (0.075, 0.08), "abandon_rate": (-0.035, -0.03)},
}


@pytest.fixture(scope="module")
def bank_log():
    return read_log(anonymous_bank_week(), make_layout(preset="anonymous-bank"))


@pytest.fixture(scope="module")
def bank_fit(bank_log):
    return fit(bank_log, target_wait=1.0, name=NAME, workers=2)


@pytest.fixture(scope="module")
def bank_holdout(bank_log):
    return holdout(bank_log, scheme="day", replications=20, seed=0, workers=2, target_wait=1.0)


def test_the_week_is_read_with_every_dropped_row_counted(bank_log):
    issues = bank_log.issues.set_index("issue")
    assert issues.loc["ignored outcome", "rows"] == 100  # PHANTOM calls
    assert issues.loc["no arrival time", "rows"] == 637  # VRU-only calls are not tickets
    assert issues.loc["crosses midnight", "action"] == "repaired"
    dropped = bank_log.issues.loc[bank_log.issues["action"] == "dropped", "rows"].sum()
    assert bank_log.rows_read - dropped == len(bank_log.tickets)


def test_the_week_has_three_day_types(bank_fit):
    types = {t.name: t.weekdays for t in bank_fit.day_types}
    assert types == {
        "default": ("sun", "mon", "tue", "wed", "thu"),
        "friday": ("fri",),
        "saturday": ("sat",),
    }
    for scenario in bank_fit.scenarios.values():  # each day type is a scenario wsim runs
        assert scenario.calendar.mode == "days"


def test_the_committed_scenario_is_this_fit(bank_fit):
    committed = yaml.safe_load(FITTED.read_text(encoding="utf-8"))
    assert committed == yaml.safe_load(bank_fit.yaml_text()), (
        "scenarios/fitted/anonymous_bank_week.yaml is not what the fit gives now; "
        "refit it with the command in docs/calibration.md"
    )


def test_held_out_days_are_predicted_as_reported(bank_holdout):
    errors = bank_holdout.held_out.errors("default")
    for measure, (low, high) in HELD_OUT.items():
        assert low <= errors[measure] <= high, (measure, errors[measure])
    shape = bank_holdout.held_out.correlations("default")
    for measure, floor in HELD_OUT_SHAPE.items():
        assert shape[measure] >= floor, (measure, shape[measure])
    # The issue's goal on days not used in the fit: within 10%, hourly wait correlation 0.85.
    assert abs(errors["wait_mean"]) < 0.10
    assert abs(errors["abandon_rate"]) < 0.10
    assert shape["wait_mean"] >= 0.85
    # Friday and Saturday are the only dates of their day types: they cannot be held out.
    assert sorted(bank_holdout.unpredicted["day_type"]) == ["friday", "saturday"]


def test_fitted_days_are_no_better_than_held_out_ones_by_much(bank_holdout):
    errors = bank_holdout.fitted.errors("default")
    for measure, (low, high) in FITTED_DAYS.items():
        assert low <= errors[measure] <= high, (measure, errors[measure])
    # Over all fitted days (Friday and Saturday included): within the goal's 10%.
    for measure, error in bank_holdout.fitted.errors("all").items():
        if measure in FITTED_DAYS:
            assert abs(error) < 0.10, (measure, error)


@pytest.mark.parametrize("day_type", sorted(SHORT_DAYS))
def test_short_day_types_meet_the_goal_on_their_fitted_days(bank_holdout, day_type):
    errors = bank_holdout.fitted.errors(day_type)
    for measure, (low, high) in SHORT_DAYS[day_type].items():
        assert low <= errors[measure] <= high, (measure, errors[measure])
        # The issue's goal, checked where it can be: within 10% on both figures.
        assert abs(errors[measure]) < 0.10, (measure, errors[measure])
