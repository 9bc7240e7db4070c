"""Reading and writing files safely, and messages that stay short whatever the input.

YAML: ``1e3`` is a number, aliases are counted as what they expand to, a value that contains
itself and nesting too deep are refused with the field, huge integers never reach ``int()``.
Files: only regular files of limited size are read; writes never follow a link at the file
and name the final path when they fail. Messages: a value is rendered only as far as shown,
problems beyond a few dozen are counted, control characters are escaped.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from wsim.errors import printable
from wsim.files import OutputError, write_text_atomic
from wsim.scenario.errors import ScenarioError, short_repr, unknown_name_message
from wsim.scenario.limits import MAX_FILE_BYTES, MAX_PROBLEMS_SHOWN
from wsim.scenario.loader import read_yaml_mapping
from wsim.scenario.yamlfile import parse, read_text


def problem_of(text: str) -> tuple[str, str]:
    with pytest.raises(ScenarioError) as caught:
        parse(text, "f.yaml")
    [problem] = caught.value.problems
    return problem


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e3", 1000.0),
        ("5e-1", 0.5),
        ("-2E+2", -200.0),
        ("1.5e3", 1500.0),
        ("1.0e-12", 1e-12),
        ("'1e3'", "1e3"),  # quoted: a string
        ("08:30", "08:30"),  # a clock time stays text
        ("8:30", 510),  # YAML 1.1 base 60, as before
        ("1e", "1e"),
        ("e3", "e3"),
    ],
)
def test_numbers_with_an_exponent_are_numbers(text, value):
    assert parse(f"x: {text}\n", None) == {"x": value}


def test_an_alias_counts_as_everything_it_repeats():
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)
    )
    started = time.perf_counter()
    path, message = problem_of(bomb)
    assert time.perf_counter() - started < 2
    assert "expands to more than 200,000 values" in message
    assert path.startswith("f")  # where the limit is crossed: the key f (10**6 values)
    assert parse("a: &a [1, 2]\nb: [*a, *a]\n", None) == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


def test_a_value_that_contains_itself_is_refused():
    path, message = problem_of("services: &s {a: [*s]}\n")
    assert path == "services.a"
    assert "inside the value &s it repeats" in message


def test_nesting_too_deep_names_the_field():
    path, message = problem_of("a:\n  b: " + "[" * 60 + "]" * 60 + "\n")
    assert path.startswith("a.b[0][0]")
    assert "nested more than 50 levels" in message
    # libyaml stops at its own limit first for very deep flow lists: still the same message
    path, message = problem_of("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert path.startswith("a[0]")
    assert "nested more than 50 levels" in message


def test_huge_integers_are_refused_before_they_are_read():
    path, message = problem_of("a:\n  b: " + "9" * 5000 + "\n")
    assert path == "a.b"
    assert "a number of 5,000 digits" in message
    assert parse("a: " + "9" * 100 + "\n", None) == {"a": int("9" * 100)}


def test_duplicate_keys_and_tags_are_refused():
    assert "duplicate key 'a'" in problem_of("a: 1\na: 2\n")[1]
    assert "invalid YAML" in problem_of("a: !!python/object/apply:os.system [ls]\n")[1]


def test_only_regular_files_of_limited_size_are_read(tmp_path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b"#" * MAX_FILE_BYTES)
    expected = {
        folder: "is a folder",
        fifo: "not a regular file",
        zero: "not a regular file",
        big: f"at most {MAX_FILE_BYTES:,} bytes",
        tmp_path / "gone.yaml": "file not found",
    }
    for path, words in expected.items():
        with pytest.raises(ScenarioError, match=words):
            read_text(path)
    small = tmp_path / "small.yaml"
    small.write_text("name: x\n", encoding="utf-8")
    assert read_yaml_mapping(small) == {"name": "x"}


def test_a_file_that_is_not_a_mapping_is_not_quoted(tmp_path):
    path = tmp_path / "notes.yaml"
    path.write_text("the secret is hunter2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_yaml_mapping(path)
    assert "hunter2" not in str(caught.value)
    assert "a text of 21 characters" in str(caught.value)


def test_a_write_replaces_a_link_and_leaves_its_target_alone(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    write_text_atomic(link, "new")
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "precious.txt"]


def test_a_folder_at_the_final_name_is_an_error_naming_it(tmp_path):
    folder = tmp_path / "fitted.yaml"
    folder.mkdir()
    with pytest.raises(OutputError) as caught:
        write_text_atomic(folder, "x")
    assert str(caught.value) == f"{folder}: is a folder; give the path of a file to write"
    assert list(tmp_path.iterdir()) == [folder]  # no temporary file left behind


def test_a_write_that_fails_names_the_final_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_text_atomic(blocker / "sub" / "out.csv", "x")  # a file where a folder should be
    assert str(blocker / "sub" / "out.csv") in str(caught.value)
    assert ".tmp" not in str(caught.value)


def test_short_repr_renders_only_what_it_shows():
    row = [0] * 1000
    huge = [row] * 1000  # a million values through shared rows, like an expanded alias
    deep = current = []
    for _ in range(10_000):
        current.append([])
        current = current[0]
    started = time.perf_counter()
    assert short_repr(huge) == "[[" + ", ".join(["0"] * 19) + "..."  # 60 characters
    assert len(short_repr(deep)) <= 60
    assert short_repr(10**400) == "<a number of about 401 digits>"
    assert short_repr("x" * 10**6) == "'" + "x" * 56 + "..."
    assert time.perf_counter() - started < 0.1


def test_many_problems_are_counted_not_listed():
    problems = [(f"f{i}", "unknown field") for i in range(20_000)]
    lines = str(ScenarioError(problems, "a.yaml")).splitlines()
    assert len(lines) == MAX_PROBLEMS_SHOWN + 2
    assert lines[0] == "a.yaml: 20000 problems"
    assert lines[-1] == f"  ... and {20_000 - MAX_PROBLEMS_SHOWN} more problems (fix these first)"


def test_long_lists_of_allowed_names_are_counted():
    names = [f"service_{i}" for i in range(5000)]
    message = unknown_name_message("service", "x", names)
    assert message.endswith("service_29, ... (4970 more)")
    assert len(message) < 600


def test_control_characters_are_escaped():
    assert printable("evil \x1b[2J name\x07") == "evil \\x1b[2J name\\x07"
    assert printable("two\nlines") == "two\nlines"
    assert printable("办事大厅") == "办事大厅"
    error = ScenarioError([("name", "bad \x1b[31m")], "f\x1b.yaml")
    assert "\x1b" not in str(error)


def test_a_path_of_a_folder_named_yaml_in_an_overlay(tmp_path):
    (tmp_path / "base.yaml").mkdir()
    overlay = tmp_path / "option.yaml"
    overlay.write_text("base: base.yaml\n", encoding="utf-8")
    from wsim.scenario import load_scenario

    with pytest.raises(ScenarioError) as caught:
        load_scenario(overlay)
    assert caught.value.file == str(overlay)
    assert caught.value.problems == [("base", "'base.yaml': is a folder, expected a YAML file")]
    assert Path(caught.value.file).name == "option.yaml"
