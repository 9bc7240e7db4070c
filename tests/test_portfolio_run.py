"""`wsim optimize portfolio` and `wsim.optimize.portfolio` on a small simulated center.

The synthetic center of tests/portfolio_fakes.py (two window groups, eight levers) is
simulated for real: common random numbers against `wsim.compare`, the files the command
writes, resuming from the store, comparison with other options, and bad requests ending with
one message and exit status 2.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from matplotlib.figure import Figure
from portfolio_fakes import write_center

from wsim.cli import main
from wsim.comparison import compare
from wsim.optimize import PortfolioResult, load_levers, portfolio
from wsim.optimize.levers.result import FILES
from wsim.scenario import load_scenario

REPS = 3


@pytest.fixture(scope="module")
def center(tmp_path_factory):
    folder = tmp_path_factory.mktemp("center")
    return write_center(folder, 2, budget=30000)


@pytest.fixture(scope="module")
def result(center, tmp_path_factory) -> PortfolioResult:
    out = tmp_path_factory.mktemp("run")
    return portfolio(center, replications=REPS, seed=4, frontier=[0, 10000, 60000], out=out)


def test_main_effects_are_the_paired_differences_of_a_comparison(center, result):
    """Same seed, same replications: each lever's effect is exactly what wsim.compare pairs."""
    levers = result.levers
    name = "fast_1"
    comparison = compare(
        {"baseline": levers.baseline_file, name: levers.scenario([name])},
        replications=REPS,
        seed=4,
    )
    for kpi in ("hall_wait_mean", "case_lead_time_days_mean", "staff_cost"):
        paired = comparison.values(name, kpi) - comparison.values("baseline", kpi)
        column = result.effects.kpis.index(kpi) if kpi in result.effects.kpis else None
        if column is None:  # staff cost is valued as its yearly total
            column = result.effects.kpis.index("staff_cost_per_year")
            paired = paired * result.effects.values.per_year
        np.testing.assert_allclose(result.effects.main[name].deltas[:, column], paired, rtol=1e-12)


def test_the_result_summarises_saves_and_plots(result, tmp_path):
    summary = result.summary()
    assert list(summary.budget_one_off) == [0, 10000, 30000, 60000]
    assert summary.requested.tolist() == [False, False, True, False]
    assert (summary.one_off <= summary.budget_one_off).all()
    assert isinstance(result.plot_frontier(), Figure)
    written = {p.relative_to(tmp_path).parts[0] for p in result.save(tmp_path)}
    assert written == {name.rstrip("/") for name in FILES if name != "against.csv"}
    assert "recommended:" in result.describe()


def test_the_overlay_is_the_recommended_scenario(result, tmp_path):
    """portfolio.yaml loads (as wsim compare loads it) to the recommended lever set."""
    result.save(tmp_path)
    overlay = load_scenario(tmp_path / "portfolio.yaml")
    chosen = sorted(result.recommended.chosen)
    expected = result.levers.scenario(chosen).to_dict()
    loaded = overlay.to_dict()
    for own in ("name", "description", "cost"):  # the overlay's own, not the lever set's
        expected.pop(own, None)
        loaded.pop(own, None)
    assert loaded == expected
    assert chosen  # a portfolio of some levers: the check compares changed scenarios
    cost = yaml.safe_load((tmp_path / "portfolio.yaml").read_text())["cost"]
    assert cost["one_off"] == pytest.approx(result.recommended.one_off)


def test_against_options_on_the_same_seeds(center, result, tmp_path):
    """The recommended portfolio's own overlay as an option differs from it by exactly 0."""
    result.save(tmp_path)
    again = portfolio(
        center,
        replications=REPS,
        seed=4,
        against={"itself": tmp_path / "portfolio.yaml", "nothing": center.parent / "base.yaml"},
    )
    table = again.against.set_index("option")
    assert table.loc["itself", "diff"] == 0
    assert table.loc["itself", "verdict"] == "equal within the interval"
    objective = again.recommended.objective_simulated
    base_check = again.effects.value_of(again.effects.matrix(frozenset())).mean()
    assert table.loc["nothing", "diff"] == pytest.approx(objective - base_check)


def test_the_command_writes_its_files_and_resumes(center, tmp_path, capsys):
    out = tmp_path / "out"
    args = [
        "optimize", "portfolio", str(center.parent / "base.yaml"), str(center),
        "--reps", str(REPS), "--seed", "4", "--frontier", "0,60000", "--out", str(out), "--quiet",
    ]  # fmt: skip
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "recommended:" in first
    assert (out / "portfolio.yaml").is_file()
    assert (out / "frontier.png").is_file()
    assert main(args) == 0
    second = capsys.readouterr().out
    assert "(0 run, " in second  # every lever set read from the store
    recommended = [text.split("recommended:")[1].split("\n")[0] for text in (first, second)]
    assert recommended[0] == recommended[1]


def test_an_infeasible_request_ends_with_the_binding_constraint(tmp_path, capsys):
    levers = write_center(tmp_path, 2, budget=0, targets={"hall_wait_mean": "<= 0.5"})
    code = main(
        [
            "optimize",
            "portfolio",
            str(tmp_path / "base.yaml"),
            str(levers),
            "--reps",
            "2",
            "--quiet",
        ]
    )
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith(f"{levers}: no lever set meets all constraints")
    assert "target hall_wait_mean <= 0.5" in error
    assert "Traceback" not in error


def test_a_levers_file_for_another_baseline_is_refused(center, tmp_path, capsys):
    other = write_center(tmp_path, 3)
    code = main(["optimize", "portfolio", str(other.parent / "base.yaml"), str(center)])
    assert code == 2
    assert "is written for the baseline" in capsys.readouterr().err


def test_left_out_levers_take_what_needs_them(center):
    levers = load_levers(center).without(["clerks:g0:1"])
    assert "clerks:g0:2" not in levers.names  # it needs the first step
    assert "clerks:g1:1" in levers.names


def test_the_decision_report_shows_the_portfolio(result, tmp_path):
    """The report recommends among the baseline and the portfolio, and names its levers."""
    from wsim.report import write_portfolio_report

    path = write_portfolio_report(result, tmp_path, [result.levers.baseline_file])
    page = path.read_text(encoding="utf-8")
    assert path == tmp_path / "report" / "report.html"
    chosen = sorted(result.recommended.chosen)
    assert chosen
    assert all(name in page for name in chosen)
    # valued as the optimizer values it, the portfolio beats doing nothing in the report too
    assert "Recommended: the portfolio" in page
