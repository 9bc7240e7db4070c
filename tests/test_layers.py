"""Imports only point down the data flow: the import contracts in pyproject.toml hold.

The contracts (``[tool.importlinter]``) list wsim's stages from the command line down to the
error base; import-linter fails when a module imports from a stage above its own, wherever the
import is written (module level, inside a function, under ``TYPE_CHECKING``), or when a module
below the command line takes a name from the ``wsim`` facade. The second test shows that the
same contracts do fail, on a copy of the layout with one upward import planted in it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from importlinter.cli import EXIT_STATUS_ERROR, EXIT_STATUS_SUCCESS, lint_imports

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def _contracts() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_wsim_keeps_its_import_contracts():
    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_SUCCESS, "an import breaks a contract: see the report above"


def _layer_names(contract: dict) -> list[str]:
    """The module names of the layers, optional ones (in parentheses) left out."""
    names = []
    for layer in contract["layers"]:
        names += [name.strip() for name in layer.split("|") if "(" not in name]
    return names


#: Upward imports planted in the bottom stage of a copy of the layout, one per way of writing
#: them: the contract must catch each.
PLANTED = {
    "module level": "from fake import report\n",
    "inside a function": "def f():\n    from fake.comparison import thing\n",
    "under TYPE_CHECKING": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fake.cli import main\n"
    ),
    "through the facade": "from fake import simulate\n",
}


def _fake_layout(folder: Path, planted: str) -> Path:
    """A package ``fake`` with wsim's layers as empty modules and `planted` in ``scenario``.

    Its ``__init__`` is a lazy facade like wsim's, and its command line imports it.
    """
    config = _contracts()
    layers = next(c for c in config["contracts"] if c["type"] == "layers")
    package = folder / "fake"
    package.mkdir()
    (package / "__init__.py").write_text(
        "def __getattr__(name):\n    from fake.experiment import simulate\n    return simulate\n",
        encoding="utf-8",
    )
    for name in _layer_names(layers):
        (package / f"{name}.py").write_text("", encoding="utf-8")
    (package / "experiment.py").write_text("simulate = None\n", encoding="utf-8")
    (package / "cli.py").unlink()  # the command line, a package that uses the facade
    (package / "cli").mkdir()
    (package / "cli" / "__init__.py").write_text("", encoding="utf-8")
    (package / "cli" / "commands.py").write_text("import fake\n", encoding="utf-8")
    (package / "scenario.py").write_text(planted, encoding="utf-8")
    text = PYPROJECT.read_text(encoding="utf-8")
    start = text.index("[tool.importlinter]")
    end = text.find("\n[tool.", start + 1)
    section = text[start:] if end < 0 else text[start:end]
    section = re.sub(r"\bwsim\b", "fake", section)
    config_file = folder / "contracts.toml"
    config_file.write_text(section, encoding="utf-8")
    return config_file


@pytest.mark.parametrize("how", PLANTED)
def test_the_contracts_catch_an_upward_import(how, tmp_path, monkeypatch):
    config_file = _fake_layout(tmp_path, PLANTED[how])
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    status = lint_imports(config_filename=str(config_file), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_ERROR, f"an upward import {how} was not caught"


def test_a_clean_copy_of_the_layout_passes(tmp_path, monkeypatch):
    # The planted-import test above must fail for the planted import, not for the copy.
    config_file = _fake_layout(tmp_path, "")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    status = lint_imports(config_filename=str(config_file), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_SUCCESS
