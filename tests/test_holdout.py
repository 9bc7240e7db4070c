"""Day types, patience by class and holdout splits, on wsim's own output with known truth.

The log is two scenarios simulated and put on one calendar: full days Monday to Thursday
(08:00-17:00, two services with different patience) and short Fridays (08:00-12:00, fewer
windows, less demand). Fitting it must find the two day types by the stated rule and return
the generating parameters within four standard errors; a holdout split must never let a
held-out date into the fit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import wsim
from wsim.calibrate import fit
from wsim.calibrate.holdout import splits

PATIENCE = {"A": 5.0, "B": 20.0}
FULL = {
    "name": "full days",
    "calendar": {
        "days": 12,
        "start": "mon",
        "weekdays": ["mon", "tue", "wed", "thu"],
        "open": "08:00",
        "close": "17:00",
    },
    "services": {
        "A": {"window_time": {"dist": "exponential", "mean": 5}},
        "B": {"window_time": {"dist": "exponential", "mean": 8}},
    },
    "demand": [
        {"service": "A", "per_day": 300, "patience": {"dist": "exponential", "mean": 5.0}},
        {"service": "B", "per_day": 100, "patience": {"dist": "exponential", "mean": 20.0}},
    ],
    "windows": [{"name": "w", "serves": ["A", "B"], "count": 5}],
}
SHORT = {
    **FULL,
    "name": "short Fridays",
    "calendar": {"days": 3, "start": "fri", "weekdays": ["fri"], "open": "08:00", "close": "12:00"},
    "demand": [{**FULL["demand"][0], "per_day": 90}, {**FULL["demand"][1], "per_day": 30}],
    "windows": [{"name": "w", "serves": ["A", "B"], "count": 3}],
}
COLUMNS = {
    "arrival": "issued",
    "start": "called",
    "end": "finished",
    "abandoned": "outcome",
    "service": "service",
    "server": "clerk",
    "abandoned_values": ["abandoned"],
}


def export(scenario: dict, first: str, seed: int) -> pd.DataFrame:
    """One replication as a queue-system export; the clock's 0 is midnight of `first`.

    wsim's clock runs through closed days (calendar day k starts at k x 1440 minutes), so
    clock minutes from the first day's midnight are real dates and times.
    """
    visits = wsim.simulate(wsim.load_scenario(scenario), replications=1, seed=seed).visits
    base = pd.Timestamp(first)

    def stamp(minutes: pd.Series) -> pd.Series:
        times = base + pd.to_timedelta(minutes, unit="min")
        return times.dt.strftime("%Y-%m-%d %H:%M:%S.%f")

    served = visits["outcome"] == "served"
    return pd.DataFrame(
        {
            "service": visits["service"],
            "issued": stamp(visits["arrival"]),
            "called": stamp(visits["start"]).where(served, ""),
            "finished": stamp(visits["end"]),
            "outcome": visits["outcome"],
            "clerk": visits["clerk"].astype(str).where(served, ""),
        }
    )


@pytest.fixture(scope="module")
def two_types_log() -> pd.DataFrame:
    # 2024-01-01 is a Monday, 2024-01-05 a Friday.
    return pd.concat(
        [export(FULL, "2024-01-01", 1), export(SHORT, "2024-01-05", 2)], ignore_index=True
    )


@pytest.fixture(scope="module")
def two_types_fit(two_types_log):
    return fit(two_types_log, COLUMNS, scale_capacity=False, speed_bands=None)


def test_the_rule_finds_the_two_day_types_and_their_hours(two_types_fit):
    types = {t.name: t for t in two_types_fit.day_types}
    assert set(types) == {"default", "friday"}
    assert types["default"].weekdays == ("mon", "tue", "wed", "thu")
    assert (types["default"].selection.open, types["default"].selection.close) == (480, 1020)
    assert (types["friday"].selection.open, types["friday"].selection.close) == (480, 720)
    calendar = two_types_fit.mapping["calendar"]
    assert calendar["day_types"] == {
        "friday": {"weekdays": ["fri"], "open": "08:00", "close": "12:00"}
    }


def test_volumes_and_windows_per_day_type_are_recovered(two_types_fit):
    demand = {d["service"]: d for d in two_types_fit.mapping["demand"]}
    n_full, n_short = 12, 3
    for service, truth in (("A", 300), ("B", 100)):
        # Poisson volume over the dates: standard error sqrt(per_day / dates).
        assert abs(demand[service]["per_day"] - truth) < 4 * math.sqrt(truth / n_full)
        short = demand[service]["per_day"] * demand[service]["day_factors"]["friday"]
        assert abs(short - 0.3 * truth) < 4 * math.sqrt(0.3 * truth / n_short)
    # Ready servers: 5 windows on full days, 3 on Fridays, except the first slot of a day
    # (a clerk is seen from their first call) and rounding of a clerk who ends at closing.
    for name, truth in (("default", 5), ("friday", 3)):
        windows = two_types_fit.servers[name].by_slot["windows"].to_numpy()
        assert np.abs(windows[1:] - truth).max() < 0.3, (name, np.round(windows, 2))


def test_patience_by_class_is_recovered_from_censored_waits(two_types_fit):
    patience = two_types_fit.patience
    classes = patience.classes.set_index("class")
    candidates = patience.candidates.set_index(["group", "family"])
    for service, truth in PATIENCE.items():
        assert classes.loc[service, "source"] == "own"
        events = classes.loc[service, "abandoned"]
        # The exponential MLE's standard error is mean / sqrt(abandonments).
        mean = candidates.loc[(service, "exponential"), "mean"]
        assert abs(mean - truth) < 4 * truth / math.sqrt(events), (service, mean, events)
    # Each stream carries its class's patience into the scenario.
    assert all("patience" in entry for entry in two_types_fit.mapping["demand"])


def test_each_day_type_is_a_scenario_wsim_runs(two_types_fit):
    scenarios = two_types_fit.scenarios
    assert scenarios["friday"].calendar.weekdays == ("fri",)
    assert scenarios["friday"].calendar.close == 720
    results = wsim.simulate(scenarios["friday"], replications=1, seed=0)
    assert len(results.visits) > 0


def test_a_holdout_split_never_lets_a_held_out_date_into_the_fit(two_types_log):
    log_dates = pd.to_datetime(two_types_log["issued"]).dt.normalize().unique()
    folds = splits(log_dates, "day")
    assert len(folds) == len(log_dates)
    for fold in folds:
        assert not set(fold.fitting) & set(fold.held_out)
        assert set(fold.fitting) | set(fold.held_out) == {pd.Timestamp(d) for d in log_dates}
    weeks = splits(log_dates, "week")
    assert len(weeks) == 3  # the log spans three ISO weeks
    fold = folds[2]  # hold out one Wednesday
    result = fit(two_types_log, COLUMNS, dates=fold.fitting, scale_capacity=False, speed_bands=None)
    assert not set(result.dates) & set(fold.held_out)
    assert not set(result.tickets["date"]) & set(fold.held_out)
    assert set(result.dates) <= set(fold.fitting)


def test_the_cli_reports_the_split_and_its_errors(two_types_log, tmp_path, capsys):
    from wsim.cli import main

    log = tmp_path / "log.csv"
    two_types_log.to_csv(log, index=False)
    mapping = ",".join(f"{k}={v}" for k, v in COLUMNS.items() if k != "abandoned_values")
    common = ["--columns", mapping, "--abandoned-value", "abandoned", "--reps", "2"]
    held = ["--holdout", "2024-01-03,2024-01-10"]
    report = tmp_path / "report"
    assert (
        main(
            [
                "fit",
                str(log),
                *common,
                *held,
                "--no-capacity-scale",
                "--out",
                str(tmp_path / "s.yaml"),
                "--report",
                str(report),
            ]
        )
        == 0
    )
    html = (report / "report.html").read_text()
    assert "Holdout: days not used in the fit" in html
    table = pd.read_csv(report / "holdout.csv")
    assert set(table["days"]) == {"held-out", "fitted"}
    assert set(table.loc[table["days"] == "held-out", "group"]) == {"all", "default"}
    capsys.readouterr()
    assert main(["validate-log", str(log), *common, *held, "--out", str(tmp_path / "v")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("holdout (2024-01-03,2024-01-10): 1 folds")
    # A scenario and --holdout together is one clear message.
    assert main(["validate-log", str(tmp_path / "s.yaml"), str(log), *common, *held]) == 2
    assert "--holdout fits its own" in capsys.readouterr().err
