"""The `wsim` command: exit statuses, messages, files written; and common random numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import wsim
from wsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
MM2 = ROOT / "scenarios" / "checks" / "mm2.yaml"


def wsim_cli(*args: str) -> subprocess.CompletedProcess:
    """Run the real console entry point in a subprocess (what a user's shell does)."""
    return subprocess.run(
        [sys.executable, "-m", "wsim.cli", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_validate_prints_ok_or_the_problem(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nwindows:\n  - {name: w, cout: 2}\n")
    assert main(["validate", str(MM2)]) == 0
    assert capsys.readouterr().out.strip().endswith("mm2.yaml: ok")
    assert main(["validate", str(MM2), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "windows[0].cout: unknown field 'cout'; did you mean 'count'?" in captured.err
    assert "Traceback" not in captured.err


def test_bad_input_never_shows_a_traceback(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    for args in (
        ["run", str(tmp_path / "missing.yaml")],
        ["run", str(broken)],
        ["validate", str(broken)],
        ["run", str(MM2), "--reps", "0"],
    ):
        result = wsim_cli(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr, args
        assert result.stderr.strip(), args


def test_run_writes_tables_and_prints_the_summary(tmp_path, capsys):
    small = tmp_path / "small.yaml"
    small.write_text(
        MM2.read_text()
        .replace("horizon: 200000", "horizon: 5000")
        .replace("warmup: 2000", "warmup: 500")
    )
    out = tmp_path / "out"
    assert main(["run", str(small), "--reps", "3", "--seed", "4", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "hall_wait_mean" in printed
    assert "ci_low" in printed
    kpis = pd.read_csv(out / "kpis.csv")
    assert list(kpis.replication) == [0, 1, 2]
    expected = wsim.simulate(small, replications=3, seed=4).kpis
    np.testing.assert_allclose(kpis.hall_wait_mean, expected.hall_wait_mean)
    for name in ("summary.csv", "windows.csv", "visits.csv.gz", "cases.csv.gz"):
        assert (out / name).stat().st_size > 0
    assert not list(out.glob(".*.tmp"))


def test_scenarios_sharing_a_source_share_its_random_numbers():
    """Common random numbers: with more windows, the same citizens arrive with the same work.

    Arrival times and service times come from streams named after their source.
    """
    base = {
        "name": "crn",
        "calendar": {"days": 2},
        "services": {"s": {"window_time": {"dist": "exponential", "mean": 10}}},
        "demand": [{"service": "s", "per_day": 120}],
        "windows": [{"name": "w", "count": 2, "serves": ["s"]}],
    }
    more = {**base, "windows": [{"name": "w", "count": 3, "serves": ["s"]}]}
    a = wsim.simulate(base, replications=2, seed=9).visits
    b = wsim.simulate(more, replications=2, seed=9).visits
    pd.testing.assert_series_equal(a.arrival, b.arrival)
    pd.testing.assert_series_equal(a.end - a.start, b.end - b.start)
    assert (b.start - b.arrival).mean() < (a.start - a.arrival).mean()


def test_run_keeps_finished_replications_and_resumes(tmp_path, capsys):
    small = tmp_path / "small.yaml"
    small.write_text(MM2.read_text().replace("horizon: 200000", "horizon: 3000"))
    out = tmp_path / "out"
    assert main(["run", str(small), "--reps", "2", "--out", str(out)]) == 0
    kept = sorted((out / "replications").rglob("r*.pkl.gz"))
    assert len(kept) == 2
    assert main(["run", str(small), "--reps", "4", "--out", str(out)]) == 0
    resumed = pd.read_csv(out / "kpis.csv")
    fresh = wsim.simulate(small, replications=4, seed=0).kpis
    np.testing.assert_allclose(resumed.hall_wait_mean, fresh.hall_wait_mean)
    assert main(["run", str(small), "--reps", "4", "--seed", "1", "--out", str(out)]) == 2
    assert "seed 0, not 1" in capsys.readouterr().err
