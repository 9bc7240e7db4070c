"""Tests of the data shipped in wsim.datasets.

The data must be present, intact, documented, installed, and reachable from the command line, with
one clear message for a bad name.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

import wsim
import wsim.datasets
from wsim.calibrate import make_layout, read_log
from wsim.cli import main
from wsim.datasets import DATASETS, DatasetError

ROOT = Path(__file__).resolve().parents[1]
#: SHA-256 of the uncompressed week as it came from the SEE Center's data (also in its notes).
BANK_SHA256 = "85ca0e5a4492052fc45bf6edde64b0145940dc2d1df6e70e3011464f06e00d3e"


def test_the_bank_week_is_the_original_file():
    path = wsim.datasets.anonymous_bank_week()
    assert path.name.endswith(".csv.gz")
    assert path.is_file()
    data = gzip.decompress(path.read_bytes())
    assert hashlib.sha256(data).hexdigest() == BANK_SHA256
    assert BANK_SHA256 in wsim.datasets.describe("anonymous-bank")
    assert data.count(b"\n") == 11_715 + 1  # header and one line per call


def test_the_frame_is_the_file_and_reads_as_the_same_tickets():
    frame = wsim.datasets.anonymous_bank_week(as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (11_715, 17)
    # Per-day counts as the notes give them (Sunday 1 to Saturday 7 August 1999).
    per_day = frame["date"].value_counts().sort_index().tolist()
    assert per_day == [2375, 2363, 2345, 1858, 1913, 710, 151]
    layout = make_layout(preset="anonymous-bank")
    from_frame = read_log(frame, layout)
    from_file = read_log(wsim.datasets.anonymous_bank_week(), layout)
    pd.testing.assert_frame_equal(from_frame.tickets, from_file.tickets)
    pd.testing.assert_frame_equal(from_frame.issues, from_file.issues)


def test_the_notes_give_source_licence_and_every_column():
    notes = wsim.datasets.describe("anonymous-bank")
    assert "Technion SEE Center" in notes
    assert "acknowledge" in notes
    assert "1999" in notes
    table_rows = re.findall(r"^\| ([^|]+?) \| [^|]+ \|$", notes, flags=re.MULTILINE)
    documented = {name.strip() for row in table_rows[2:] for name in row.split(",")}  # no head
    columns = set(wsim.datasets.anonymous_bank_week(as_frame=True).columns)
    assert documented == columns


def test_every_dataset_file_is_package_data():
    # `pip install .` (not only -e) must carry the files: each one matches a package-data
    # glob of pyproject.toml, and the preset it names exists.
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    from wsim.calibrate import PRESETS

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["wsim"]
    for shipped in DATASETS.values():
        for file in (shipped.file, shipped.notes):
            package = Path(wsim.__file__).parent
            relative = (wsim.datasets.DATA / file).relative_to(package).as_posix()
            assert any(fnmatch.fnmatch(relative, glob) for glob in globs), relative
            assert (wsim.datasets.DATA / file).is_file()
        assert shipped.preset in PRESETS


def test_an_unknown_name_says_which_exist():
    with pytest.raises(DatasetError, match="unknown dataset 'anonymus-bank'; did you mean"):
        wsim.datasets.describe("anonymus-bank")


def test_a_missing_file_is_a_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setattr(wsim.datasets, "DATA", tmp_path)
    with pytest.raises(DatasetError, match="missing from this installation"):
        wsim.datasets.anonymous_bank_week()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "anonymus-bank"], "unknown dataset 'anonymus-bank'; did you mean"),
        ([], "give a LOG file or --dataset NAME"),
        (["log.csv", "--dataset", "anonymous-bank"], "not both ('log.csv', 'anonymous-bank')"),
    ],
)
@pytest.mark.parametrize("command", ["fit", "validate-log"])
def test_cli_bad_dataset_arguments_are_one_line_and_exit_2(
    command, args, message, tmp_path, capsys
):
    out = tmp_path / "out"
    before = ["validate-log", str(tmp_path / "s.yaml")] if command == "validate-log" else ["fit"]
    assert main([*before, *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_fit_on_the_dataset_writes_the_committed_scenario(tmp_path, capsys):
    # The command of docs/calibration.md (without the report): it gives the committed file,
    # whose header names the log by its file name, not by a folder of this machine.
    out = tmp_path / "fitted.yaml"
    options = ["--target-wait", "1min", "--workers", "2"]
    name = ["--name", "Anonymous Bank call center, one week (fitted)"]
    assert main(["fit", "--dataset", "anonymous-bank", *options, *name, "--out", str(out)]) == 0
    assert "10966 usable tickets" in capsys.readouterr().out
    committed = ROOT / "scenarios" / "fitted" / "anonymous_bank_week.yaml"
    assert out.read_text() == committed.read_text(), (
        "scenarios/fitted/anonymous_bank_week.yaml is not what the fit gives now; refit it "
        "with the command in docs/calibration.md"
    )
    header = out.read_text().splitlines()[0]
    assert header.startswith("# Fitted by wsim fit from anonymous_bank_1999-08_week1.csv.gz (")
    assert "/" not in header
    assert "\\" not in header
