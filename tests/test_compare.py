"""Comparing reform options: paired intervals, common random numbers, sequential runs, grids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, one_service_hall
from scipy import stats

import wsim
from wsim.comparison import CompareError, compare, grid
from wsim.experiment import paired_interval, t_interval, welch_interval
from wsim.scenario import PathError, parse_path, set_path


def test_paired_interval_is_the_t_interval_of_the_differences():
    rng = np.random.default_rng(1)
    base = rng.normal(10, 3, 12)
    option = base - 1 + rng.normal(0, 0.5, 12)
    option[3] = np.nan  # a missing value drops its pair
    diff, low, high, n = paired_interval(option, base, 0.95)
    d = np.delete(option - base, 3)
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    assert n == 11
    assert diff == pytest.approx(d.mean())
    assert (low, high) == pytest.approx((d.mean() - half, d.mean() + half))
    welch = stats.ttest_ind(option[~np.isnan(option)], base, equal_var=False)
    w_diff, w_low, w_high = welch_interval(option, base, 0.95)
    ci = welch.confidence_interval(0.95)
    # the difference of the two means, each over its own non-missing values
    assert w_diff == pytest.approx(np.nanmean(option) - base.mean())
    assert (w_low, w_high) == pytest.approx((ci.low, ci.high))


def test_known_better_option_is_found_better():
    # a third window for a load of 1.6 windows cuts the wait by far more than noise can hide
    comparison = compare(
        {"two": one_service_hall(2, days=2), "three": one_service_hall(3, days=2)},
        replications=5,
        seed=11,
    )
    row = comparison.summary().set_index(["option", "kpi"]).loc[("three", "hall_wait_mean")]
    assert row["diff"] < 0
    assert row.diff_high < 0
    assert row.better is True
    assert row.significant
    ranking = comparison.ranking()
    assert list(ranking.option) == ["three", "two"]
    assert "hall_wait_mean" in ranking.better_on.iloc[0]


def test_paired_interval_is_narrower_than_unpaired_with_common_random_numbers():
    # one more comprehensive window at lunch: a small effect on the same citizens; pairing
    # removes the day-to-day variation both options share, so its interval is far narrower
    options = [EXAMPLES / "small_hall.yaml", EXAMPLES / "small_hall_more_windows.yaml"]
    comparison = compare(options, replications=8, seed=4)
    paired = comparison.differences(paired=True).set_index("kpi").loc["hall_wait_mean"]
    unpaired = comparison.differences(paired=False).set_index("kpi").loc["hall_wait_mean"]
    assert paired["diff"] == pytest.approx(unpaired["diff"])
    paired_width = paired.diff_high - paired.diff_low
    assert paired_width < 0.5 * (unpaired.diff_high - unpaired.diff_low)


def test_summary_is_tidy_and_kpis_hold_every_replication():
    comparison = compare(
        {"base": one_service_hall(2, days=2), "more": one_service_hall(3, days=2)},
        replications=4,
        seed=2,
    )
    summary = comparison.summary()
    for column in ("option", "kpi", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high"):
        assert column in summary.columns
    assert "rel_change" in summary.columns
    assert set(summary.option) == {"base", "more"}
    assert len(comparison.kpis) == 2 * 4
    assert list(comparison.kpis.columns[:2]) == ["option", "replication"]
    base_rows = summary[summary.option == "base"]
    assert base_rows["diff"].isna().all()  # the baseline is not compared with itself
    wait = summary.set_index(["option", "kpi"]).loc[("more", "hall_wait_mean")]
    base_wait = summary.set_index(["option", "kpi"]).loc[("base", "hall_wait_mean")]
    assert wait.rel_change == pytest.approx(wait["diff"] / base_wait["mean"])
    assert comparison.results["more"].kpis.equals(
        wsim.simulate(one_service_hall(3, days=2), replications=4, seed=2).kpis
    )


def test_identical_options_differ_by_exactly_zero():
    # common random numbers: the same scenario under another name draws the same numbers
    comparison = compare(
        {"a": one_service_hall(2, days=2), "b": one_service_hall(2, days=2)}, replications=3, seed=5
    )
    diffs = comparison.differences()
    assert (diffs["diff"].dropna() == 0).all()
    assert not diffs.significant.any()


def test_costs_and_changes_of_an_overlay():
    options = [EXAMPLES / "small_hall.yaml", EXAMPLES / "small_hall_more_windows.yaml"]
    comparison = compare(options, replications=2, seed=0)
    costs = comparison.costs().set_index("option")
    option = comparison.options[1]
    assert costs.loc[option, "one_off"] == 5000
    assert costs.loc[option, "yearly"] == 45000
    changes = comparison.changes()
    assert changes.to_dict("records") == [
        {
            "option": option,
            "path": "windows[comprehensive].schedule['12:00']",
            "baseline": 1,
            "value": 2,
        }
    ]


def test_sequential_procedure_stops_at_the_precision_or_the_cap():
    options = {"two": one_service_hall(2, days=2), "three": one_service_hall(3, days=2)}
    kpi = ["hall_wait_mean"]
    first = compare(options, replications=5, seed=1)
    relative = []
    for option in options:
        mean, low, high, _ = t_interval(first.values(option, "hall_wait_mean"))
        relative.append((high - low) / 2 / mean)
    # a target just looser than the first batch's widest interval is met by the first batch
    bound = max(relative) * 1.01
    loose = compare(
        options, replications=5, seed=1, precision=bound / (1 - bound), precision_kpis=kpi
    )
    assert loose.replications == 5
    assert loose.info["precision"]["reached"]
    # ... and one just tighter is not
    bound = max(relative) * 0.99
    assert (
        compare(
            options, replications=5, seed=1, precision=bound / (1 - bound), precision_kpis=kpi
        ).replications
        > 5
    )
    tight = compare(options, replications=5, seed=1, precision=0.3, precision_kpis=kpi)
    report = tight.info["precision"]
    assert report["reached"]
    assert tight.replications > 5
    bound = 0.3 / 1.3
    for option in options:
        mean, low, high, _ = t_interval(tight.values(option, "hall_wait_mean"))
        assert (high - low) / 2 <= bound * abs(mean)
    capped = compare(options, replications=5, seed=1, precision=0.001, max_replications=8)
    assert capped.replications == 8
    assert not capped.info["precision"]["reached"]


def test_grid_runs_every_combination_against_the_base():
    result = grid(one_service_hall(2), {"windows[w].count": [2, 3, 4]}, replications=3, seed=3)
    table = result.table(["hall_wait_mean"]).set_index("windows[w].count")
    assert list(table.index) == [2, 3, 4]
    waits = table["mean"].to_numpy()
    assert waits[0] > waits[1] > waits[2]  # more windows, shorter waits (same citizens)
    assert table.loc[2, "diff"] == 0  # the point equal to the base draws the same numbers
    two_way = grid(
        one_service_hall(2),
        {"windows[0].count": [2, 3], "demand[0].per_hour": [10, 12]},
        replications=2,
        seed=3,
    )
    assert len(two_way.points) == 4


def test_paths_in_scenario_notation():
    assert parse_path("windows[comprehensive].schedule['12:00']") == [
        ("key", "windows"),
        ("item", "comprehensive"),
        ("key", "schedule"),
        ("key", "12:00"),
    ]
    raw = {"windows": [{"name": "w", "schedule": {"08:30": 1}}]}
    changed = set_path(raw, "windows[w].schedule['12:00']", 2)
    assert changed["windows"][0]["schedule"] == {"08:30": 1, "12:00": 2}
    assert raw["windows"][0]["schedule"] == {"08:30": 1}  # the input is not modified
    with pytest.raises(PathError, match=r"no item named 'x'.*names: w"):
        set_path(raw, "windows[x].count", 1)
    with pytest.raises(PathError, match="has no field 'window'"):
        set_path(raw, "window[w].count", 1)


def test_grid_point_that_is_not_a_valid_scenario_names_the_field():
    with pytest.raises(wsim.ScenarioError, match=r"grid point.*windows\[0\]\.count"):
        grid(one_service_hall(2), {"windows[w].count": [-1]}, replications=1)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(CompareError, match="baseline 'nope' is not an option"):
        compare({"a": one_service_hall(2, days=2)}, replications=1, baseline="nope")
    with pytest.raises(CompareError, match="unknown KPI nope"):
        compare(
            {"a": one_service_hall(2, days=2)},
            replications=2,
            precision=0.1,
            precision_kpis=["nope"],
        )
    with pytest.raises(CompareError, match="at least 1"):
        compare({"a": one_service_hall(2, days=2)}, replications=0)


def test_results_keep_tables_of_the_first_replications_only():
    comparison = compare({"a": one_service_hall(2)}, replications=4, seed=0, keep_tables=2)
    results = comparison.results["a"]
    assert sorted(results.visits.replication.unique()) == [0, 1]
    assert len(results.kpis) == 4
    full = compare({"a": one_service_hall(2)}, replications=4, seed=0, keep_tables=None)
    pd.testing.assert_frame_equal(comparison.kpis, full.kpis)


def test_ranking_by_another_kpi():
    options = {"two": one_service_hall(2, days=2), "three": one_service_hall(3, days=2)}
    ranked = compare(options, replications=3, seed=1, rank_by="hall_service_level").ranking()
    assert list(ranked.kpi.unique()) == ["hall_service_level"]
    assert list(ranked.option) == ["three", "two"]
    with pytest.raises(CompareError, match="better direction is unknown"):
        compare(options, replications=1, rank_by="window_utilization")
