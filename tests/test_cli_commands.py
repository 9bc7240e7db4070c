"""Every `wsim` command answers --help and turns bad input into one message, exit status 2.

The commands are found by walking the real parser, so a new command without a case below
fails :func:`test_every_command_has_a_bad_input_case`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from wsim.cli import _parser, main
from wsim.cli.common import EXIT_BAD_INPUT


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple]:
    """Every command path of `parser`: groups (``optimize``) and their leaves."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((*prefix, name))
                found += _commands(sub, (*prefix, name))
    return found


def _leaves(parser: argparse.ArgumentParser) -> list[tuple]:
    commands = _commands(parser)
    return [c for c in commands if not any(o[: len(c)] == c and o != c for o in commands)]


COMMANDS = _commands(_parser())
LEAVES = _leaves(_parser())


def bad_input(command: tuple, missing: str, folder: str) -> list[str]:
    """Arguments that give `command` a file or folder that does not exist (`missing`).

    ``schema`` reads no file: its bad input is an ``--out`` that is a folder, made here.
    """
    if command == ("schema",):
        Path(missing).mkdir(parents=True, exist_ok=True)
        return ["--json", "--out", missing]
    return {
        ("compare",): [missing, missing + "2"],
        ("grid",): [missing, "--vary", "windows[w].count=2,3"],
        ("demo",): ["--scenarios", missing, "--out", folder],
        ("fit",): [missing, "--preset", "anonymous-bank", "--out", f"{folder}/fitted.yaml"],
        ("validate-log",): [missing, missing + ".csv", "--preset", "anonymous-bank"],
        ("optimize", "staffing"): [missing],
        ("optimize", "portfolio"): [missing, missing + "2"],
        ("validate",): [missing],
        ("run",): [missing],
        ("serve",): [missing],
    }[command]


def test_the_walk_finds_the_commands():
    assert {("run",), ("compare",), ("optimize",), ("optimize", "staffing")} <= set(COMMANDS)
    assert ("optimize",) not in LEAVES


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        if len(command) == 1:
            assert command[0] in out


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_answers_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: wsim {' '.join(command)}")
    assert "--help" in out


def test_every_command_has_a_bad_input_case(tmp_path):
    for command in LEAVES:
        bad_input(command, str(tmp_path / "nope.yaml"), str(tmp_path))  # KeyError if none


@pytest.mark.parametrize("command", LEAVES, ids=" ".join)
def test_every_command_turns_a_missing_file_into_one_message(command, tmp_path, capsys):
    missing = str(tmp_path / "nope.yaml")
    status = main([*command, *bad_input(command, missing, str(tmp_path / "out"))])
    err = capsys.readouterr().err
    assert status == EXIT_BAD_INPUT
    assert "nope.yaml" in err, err  # names what is wrong
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 3, err  # one message, not a dump
