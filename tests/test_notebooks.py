"""Notebooks run top to bottom (researchers reproduce studies with them)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
    # Notebooks with a small mode run it here (WSIM_NOTEBOOK_SMALL=1) unless told otherwise.
    monkeypatch.setenv("WSIM_NOTEBOOK_SMALL", os.environ.get("WSIM_NOTEBOOK_SMALL", "1"))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors


def test_the_study_notebook_is_there():
    assert "w_district_study.ipynb" in [path.name for path in NOTEBOOKS]
