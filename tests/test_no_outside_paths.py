r"""No tracked file refers to a folder outside the repository.

A clone must work with nothing beside it (CI, a newcomer's machine): data, figures and their
sources live in the repository. A tracked text file fails this test when it names

- an absolute path under a home or workspace folder (see ``_ABSOLUTE`` for the roots, and
  ``C:\\Users\\...``): another machine's files.
  System paths (``/tmp``, ``/dev/null``, ``/usr/bin/env``) and web addresses are fine;
- a relative path whose ``../`` climb out of the repository from the file's folder (where
  YAML ``base:``, Markdown links and ``Path(__file__)`` resolve) or, in Markdown text other
  than link targets and in ``#`` comments, from the repository root (where the commands they
  show are run, and whose paths ``wsim fit`` headers record);
- ``Path(__file__)`` followed by ``.parents[k]`` or ``.parent`` steps above the repository root.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: This file, whose examples name outside places on purpose.
THIS = PurePosixPath(Path(__file__).resolve().relative_to(ROOT).as_posix())

_ABSOLUTE = re.compile(
    r"(?<![\w.~/:%-])/(?:work|home|Users|root|mnt)/[\w.+-]+"  # POSIX home and workspace roots
    r"|\b[A-Za-z]:[\\/]+(?:Users|Documents and Settings)\b"  # Windows profiles
)
_CLIMB = re.compile(r"(?<![\w.])((?:\.\./)+)")
_LINK_TARGET = re.compile(r"\]\(([^)\s]*)")
_FILE_PARENTS = re.compile(
    r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent\b)+|\.parents\[(\d+)\])"
)


def outside_references(path: PurePosixPath, text: str) -> list[str]:
    """``line: what`` for each reference to a place outside the repository in one file.

    ``path`` is the file's path relative to the repository root.
    """
    folder = path.parent if str(path.parent) != "." else PurePosixPath()
    markdown = path.suffix.lower() == ".md"
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _ABSOLUTE.finditer(line):
            found.append(f"{number}: absolute path {match.group(0)!r}")
        links = {m.start(1) for m in _LINK_TARGET.finditer(line)}
        comment = -1 if markdown else line.find("#")
        for match in _CLIMB.finditer(line):
            from_folder = match.group(1).count("../") > len(folder.parts)
            # prose: Markdown text other than a link target, or a comment (always climbs out
            # from the root, which has no parent in the repository)
            from_root = (markdown and match.start(1) not in links) or 0 <= comment < match.start(1)
            if from_folder or from_root:
                where = "the file's folder" if from_folder else "the repository root"
                found.append(f"{number}: {match.group(0)!r} climbs out from {where}")
        if path.suffix == ".py":
            for match in _FILE_PARENTS.finditer(line):
                # parents[0] and the first .parent are the file's own folder
                steps = match.group(1).count(".parent")
                above = int(match.group(2)) if match.group(2) else steps - 1
                if above > len(folder.parts):
                    found.append(f"{number}: {match.group(0)!r} is above the repository root")
    return found


def _tracked_text_files() -> dict[PurePosixPath, str]:
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: no list of tracked files")
    files = {}
    for name in filter(None, listing.decode("utf-8").split("\0")):
        data = (ROOT / name).read_bytes() if (ROOT / name).is_file() else b""
        if b"\0" in data[:8192]:
            continue  # binary (the compressed data sets)
        try:
            files[PurePosixPath(name)] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return files


def test_no_tracked_file_refers_to_a_folder_outside_the_repository():
    files = _tracked_text_files()
    assert PurePosixPath("README.md") in files
    assert len(files) > 50
    files.pop(THIS, None)
    problems = [
        f"{path}:{finding}"
        for path, text in sorted(files.items())
        for finding in outside_references(path, text)
    ]
    assert not problems, "references outside the repository:\n" + "\n".join(problems)


#: The folder beside the clone that the project must not need; the examples below are built
#: from it so that this file itself names no such folder.
BESIDE = "shared"
#: Folders of a machine (not of a clone) that a URL may also name: a URL is not a path.
MACHINE_FOLDERS = ("work", "home")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("README.md", f"wsim fit ../{BESIDE}/data/log.csv --preset anonymous-bank"),
        ("docs/calibration.md", f"the log in `../{BESIDE}/data/` (see its README)"),
        ("scenarios/w_district/baseline.yaml", f"# from /{'work'}/{BESIDE}/FIGURES.md"),
        ("scenarios/a.yaml", "base: ../../elsewhere.yaml"),
        ("scenarios/fitted/bank.yaml", f"# Fitted by wsim fit from ../{BESIDE}/data/bank.csv (11"),
        ("notes.txt", f"copied from /{MACHINE_FOLDERS[1]}/ann/logs/july.csv"),
        ("notes.txt", r"see C:\Users\ann\logs"),
        ("tests/test_bank.py", f'DATA = Path(__file__).resolve().parents[2] / "{BESIDE}"'),
        ("tests/test_bank.py", f"DATA = Path(__file__).parent.parent.parent / '{BESIDE}'"),
    ],
)
def test_outside_references_are_found(path, text):
    assert len(outside_references(PurePosixPath(path), text)) == 1


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("scenarios/w_district/reforms/one_window.yaml", "base: ../baseline.yaml"),
        ("docs/staffing.md", "see [the README](../README.md)"),
        ("tests/test_cli.py", "ROOT = Path(__file__).resolve().parents[1]"),
        ("tests/test_cli.py", "ROOT = Path(__file__).parent.parent"),
        (".ci/run", "#!/usr/bin/env bash"),
        ("tests/test_cli.py", 'bad = {"base": "/dev/zero", "out": "/tmp/x/y"}'),
        (
            "README.md",
            f"https://example.org/{MACHINE_FOLDERS[0]}/files and http://host/{MACHINE_FOLDERS[1]}/x",
        ),
        ("README.md", "`wsim/datasets/data/` holds its notes"),
    ],
)
def test_inside_and_system_paths_are_not_flagged(path, text):
    assert outside_references(PurePosixPath(path), text) == []
