"""Executors give identical numbers; a results folder resumes a killed run exactly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES

from wsim import load_scenario
from wsim.cli import main
from wsim.comparison import compare
from wsim.experiment import (
    ExecutorError,
    RunStore,
    SerialExecutor,
    StoreMismatch,
    Task,
    make_executor,
    short_digest,
)
from wsim.experiment.executors import run_task

OPTIONS = [EXAMPLES / "small_hall.yaml", EXAMPLES / "small_hall_more_windows.yaml"]


def test_serial_processes_and_dask_give_identical_tables():
    pytest.importorskip("dask.distributed")
    serial = compare(OPTIONS, replications=4, seed=9)
    processes = compare(OPTIONS, replications=4, seed=9, executor="processes", workers=2)
    dask = compare(OPTIONS, replications=4, seed=9, executor="dask", workers=2)
    for other in (processes, dask):
        pd.testing.assert_frame_equal(serial.kpis, other.kpis)
        pd.testing.assert_frame_equal(serial.summary(), other.summary())
        baseline = serial.baseline
        pd.testing.assert_frame_equal(
            serial.results[baseline].visits, other.results[baseline].visits
        )
    assert dask.info["executor"].startswith("dask (2 workers")


def test_sequential_procedure_is_the_same_on_any_number_of_workers():
    kwargs = {"replications": 3, "seed": 2, "precision": 0.02, "max_replications": 9}
    serial = compare(OPTIONS, **kwargs)
    processes = compare(OPTIONS, executor="processes", workers=2, **kwargs)
    assert serial.replications == processes.replications
    pd.testing.assert_frame_equal(serial.kpis, processes.kpis)


def test_executors_yield_every_task_once_with_its_position():
    scenario_tasks = [Task(load_scenario(OPTIONS[0]), 1, r) for r in (3, 0)]
    with make_executor("processes", workers=2) as executor:
        done = dict(executor.imap_unordered(scenario_tasks))
    assert sorted(done) == [0, 1]
    assert [done[i].replication for i in (0, 1)] == [3, 0]
    again = run_task(scenario_tasks[0])
    pd.testing.assert_series_equal(pd.Series(done[0].kpis), pd.Series(again.kpis))
    kpis_only = run_task(Task(scenario_tasks[0].scenario, 1, 3, tables=False))
    pd.testing.assert_series_equal(pd.Series(kpis_only.kpis), pd.Series(again.kpis))
    assert not kpis_only.visits
    assert len(again.visits["arrival"]) > 0


def test_unknown_executor_is_a_clear_error():
    with pytest.raises(ExecutorError, match="unknown executor 'threads'"):
        make_executor("threads")
    with pytest.raises(ExecutorError, match="only used by the dask executor"):
        make_executor("processes", workers=2, address="tcp://127.0.0.1:8786")
    assert isinstance(make_executor("serial"), SerialExecutor)


def test_store_refuses_another_seed_or_a_changed_scenario(tmp_path):
    first = compare(OPTIONS, replications=2, seed=1, out=tmp_path)
    baseline = first.scenarios[first.baseline]
    files = list((tmp_path / "replications" / short_digest(baseline)).iterdir())
    assert sorted(f.name for f in files) == ["r000000.pkl.gz", "r000001.pkl.gz"]
    with pytest.raises(StoreMismatch, match="seed 1, not 2"):
        compare(OPTIONS, replications=2, seed=2, out=tmp_path)
    changed = {first.baseline: {**baseline.to_dict(), "description": "edited"}}
    with pytest.raises(StoreMismatch, match="different scenario for option 'Small hall'"):
        compare(changed, replications=2, seed=1, out=tmp_path)
    # --fresh starts over; a new option may join a folder
    again = compare(changed, replications=2, seed=1, out=tmp_path, fresh=True)
    assert again.replications == 2
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["options"] == {first.baseline: again.scenarios[first.baseline].digest()}


def test_store_ignores_temporary_files(tmp_path):
    scenario = load_scenario(OPTIONS[0])
    store = RunStore(tmp_path, 1, {"base": scenario})
    folder = tmp_path / "replications" / short_digest(scenario)
    (folder / ".r000000.pkl.gz.123.abcd.tmp").write_bytes(b"half a file")
    assert store.done("base") == {}
    store.save("base", run_task(Task(scenario, 1, 0)))
    assert store.done("base") == {0: True}


def test_compare_command_refuses_a_changed_seed(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["compare", str(OPTIONS[0]), "--reps", "1", "--out", str(out), "--quiet"]
    assert main([*args, "--seed", "1"]) == 0
    capsys.readouterr()
    assert main([*args, "--seed", "2"]) == 2
    error = capsys.readouterr().err
    assert "seed 1, not 2" in error
    assert "Traceback" not in error


def _replication_files(folder: Path) -> list[Path]:
    return sorted((folder / "replications").glob("*/r*.pkl.gz"))


def test_killed_run_resumes_to_exactly_the_uninterrupted_tables(tmp_path):
    # 60 open days make a replication take a quarter of a second or more: slow enough to kill
    # the run between two replications
    long_days = {"base": str(EXAMPLES / "small_hall.yaml"), "changes": {"calendar": {"days": 60}}}
    base, option = tmp_path / "base.yaml", tmp_path / "option.yaml"
    base.write_text(json.dumps({**long_days, "name": "long hall"}))
    lunch = {"windows": [{"name": "comprehensive", "schedule": {"12:00": 2}}]}
    option.write_text(json.dumps({"base": "base.yaml", "name": "lunch", "changes": lunch}))
    arguments = ["compare", str(base), str(option), "--reps", "5", "--seed", "7"]
    arguments += ["--quiet", "--no-report", "--out"]
    command = [sys.executable, "-m", "wsim.cli", *arguments]

    killed = tmp_path / "killed"
    process = subprocess.Popen([*command, str(killed)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_replication_files(killed)) < 3 and process.poll() is None:
        assert time.monotonic() < deadline, "three replications took over 120 s"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = len(_replication_files(killed))
    assert process.returncode == -signal.SIGKILL
    assert 3 <= partial < 10
    assert not (killed / "summary.csv").exists()

    resumed = subprocess.run([*command, str(killed)], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert len(_replication_files(killed)) == 10
    whole = tmp_path / "whole"
    assert main([*arguments, str(whole)]) == 0
    for table in ("summary.csv", "kpis.csv", "costs.csv", "ranking.csv", "changes.csv"):
        assert (killed / table).read_bytes() == (whole / table).read_bytes(), table
