"""Hostile and careless scenario files end in a clean run or one clear message, never worse.

Every file of ``tests/hostile/`` (listed with its expectation in ``expected.csv``) and a few
made here (a FIFO, a link to ``/dev/zero``, a folder, a file over the size limit, an overlay
chain 1,200 files deep, 20,000 unknown fields, a run that grows past its guard) is given to
``wsim validate`` or ``wsim run`` in a subprocess limited in CPU time and memory
(``resource.setrlimit``), so that a hang or a memory explosion fails the test instead of the
machine. Each case asserts the exit status, that no traceback is printed, that the message
names the field (``fields``, ``;``-separated) and says what the case expects (``words``), and
that the message is short. Valid-but-awkward files must run (status 0).

The subprocesses run two at a time (the machine has 2 cores), all before the first check.
"""

from __future__ import annotations

import csv
import os
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).with_name("hostile")
#: CPU seconds and bytes of address space one case may use: a validation takes under a
#: second and 200 MB, a one-replication run a few seconds; numpy and pandas reserve about
#: 1 GB of address space on import.
CPU_SECONDS = 60
MEMORY_BYTES = 2 << 30
#: Wall-clock seconds before a case counts as hung.
WALL_SECONDS = 180
#: Longest message a case may print: a message is for reading.
MAX_STDERR = 6000


@dataclass(frozen=True)
class Case:
    """One hostile input and what must happen to it."""

    name: str
    command: str
    args: tuple[str, ...]
    status: int
    fields: tuple[str, ...]
    words: str
    folder: Path = CORPUS


def _limits() -> None:  # runs in the child, before wsim starts
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _corpus_cases() -> list[Case]:
    with (CORPUS / "expected.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    return [
        Case(
            row["file"],
            row["command"],
            tuple(row["args"].split()),
            int(row["status"]),
            tuple(f for f in row["fields"].split(";") if f),
            row["words"],
        )
        for row in rows
    ]


def _made_cases(folder: Path) -> list[Case]:
    """Cases that cannot live in the repository: special files, huge or deep sets of files."""
    base = (CORPUS / "journey_drain_0.yaml").read_text(encoding="utf-8")
    cases = []
    fifo = folder / "fifo.yaml"
    os.mkfifo(fifo)
    cases.append(Case("fifo.yaml", "validate", (), 2, (), "not a regular file", folder))
    (folder / "zero.yaml").symlink_to("/dev/zero")
    cases.append(Case("zero.yaml", "validate", (), 2, (), "not a regular file", folder))
    (folder / "folder.yaml").mkdir()
    cases.append(Case("folder.yaml", "validate", (), 2, (), "is a folder", folder))
    (folder / "big.yaml").write_text(base + "#" + "x" * (1 << 20) + "\n", encoding="utf-8")
    cases.append(Case("big.yaml", "validate", (), 2, (), "at most 1,048,576 bytes", folder))
    (folder / "link_to_fifo.yaml").symlink_to(fifo)
    (folder / "overlay_on_fifo.yaml").write_text("base: link_to_fifo.yaml\n", encoding="utf-8")
    cases.append(
        Case("overlay_on_fifo.yaml", "validate", (), 2, ("base",), "not a regular file", folder)
    )
    (folder / "chain_0.yaml").write_text(base, encoding="utf-8")
    for i in range(1, 1201):
        (folder / f"chain_{i}.yaml").write_text(f"base: chain_{i - 1}.yaml\n", encoding="utf-8")
    cases.append(Case("chain_1200.yaml", "validate", (), 2, ("base",), "overlays on", folder))
    fields = "".join(f"f{i}: 1\n" for i in range(20000))
    (folder / "many_unknown.yaml").write_text(base + fields, encoding="utf-8")
    cases.append(Case("many_unknown.yaml", "validate", (), 2, ("f0",), "more problems", folder))
    (folder / "grows.yaml").write_text(_GROWS, encoding="utf-8")
    grows = ("--max-tickets", "2000")
    cases.append(Case("grows.yaml", "run", grows, 2, (), "stopped after", folder))
    return cases


#: A pickup that can never be served (no window after 10:00, no patience, no return delay):
#: the citizen comes back at the same instant, again and again. The estimate (2 visits a
#: case) is small; the running guard must stop it.
_GROWS = """\
name: comes back forever
calendar: {days: 1, open: "09:00", close: "17:00", drain: 0}
services:
  permit:
    department: office
    window_time: 2
    workflow: [{department: office, time: 120}]
    result: pickup
    pickup_delay: 0
    return_delay: 0
profiles: {morning: {"09:00": 1, "09:30": 0}}
demand: [{service: permit, per_day: 5, profile: morning}]
windows: [{name: w, schedule: {"09:00": 1, "10:00": 0}, serves: [permit]}]
departments: {office: {staff: 1}}
citizens: {patience: 0}
"""


def _run(case: Case) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "wsim.cli", case.command, case.name, *case.args]
    if case.command == "run":
        command += ["--reps", "1", "--quiet"]
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("WSIM_MAX_TICKETS", None)
    return subprocess.run(
        command,
        cwd=case.folder,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=WALL_SECONDS,
        preexec_fn=_limits,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, object]]:
    cases = _corpus_cases() + _made_cases(tmp_path_factory.mktemp("made"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(_run, cases))
    return {case.name: (case, result) for case, result in zip(cases, done, strict=True)}


CORPUS_NAMES = [case.name for case in _corpus_cases()]
MADE_NAMES = [
    "fifo.yaml",
    "zero.yaml",
    "folder.yaml",
    "big.yaml",
    "overlay_on_fifo.yaml",
    "chain_1200.yaml",
    "many_unknown.yaml",
    "grows.yaml",
]


def test_the_corpus_is_large_enough():
    assert len(CORPUS_NAMES) >= 60
    assert len({name for name in CORPUS_NAMES}) == len(CORPUS_NAMES)
    assert sorted(CORPUS_NAMES) == sorted(p.name for p in CORPUS.glob("*.yaml"))


@pytest.mark.parametrize("name", CORPUS_NAMES + MADE_NAMES)
def test_hostile_input_ends_cleanly(outcomes, name):
    case, result = outcomes[name]
    stderr = result.stderr
    assert "Traceback" not in stderr, stderr[-3000:]
    assert result.returncode == case.status, (result.returncode, stderr[-2000:])
    assert len(stderr) <= MAX_STDERR, f"{len(stderr)} characters of message"
    for field in case.fields:
        assert field in stderr, (field, stderr[:2000])
    assert case.words in stderr, (case.words, stderr[:2000])
    if case.status != 0 and case.command == "validate":
        assert case.name in stderr  # the message names the file


def test_control_characters_never_reach_the_terminal(outcomes):
    _, result = outcomes["control_chars_in_name.yaml"]
    assert result.returncode == 0
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "\\x1b[2J" in result.stdout  # shown escaped


def test_a_file_that_is_not_a_scenario_is_not_echoed(outcomes):
    _, result = outcomes["overlay_base_not_a_scenario.yaml"]
    assert "hunter2" not in result.stderr
    assert "swordfish" not in result.stderr
    _, result = outcomes["overlay_base_csv.yaml"]
    assert "journey_drain_0" not in result.stderr  # a line of expected.csv


def test_twenty_thousand_problems_give_a_short_message(outcomes):
    _, result = outcomes["many_unknown.yaml"]
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 30
    assert "20000 problems" in lines[0]
    assert "and 19975 more problems" in lines[-1]
