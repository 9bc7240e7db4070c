"""The documentation site builds without a warning: guide pages and the generated reference.

``mkdocs build --strict`` fails on a broken link, a page missing from the navigation or a
docstring mkdocstrings cannot read (a numpy section it does not know, a parameter that is not
in the signature), so the reference stays what the code says.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_mkdocs_builds_strict(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    reference = (tmp_path / "reference" / "experiment" / "index.html").read_text("utf-8")
    assert "hourly_summary" in reference  # the docstrings made it into the reference
    keys = (tmp_path / "reference" / "scenario" / "index.html").read_text("utf-8")
    assert "services.&lt;service&gt;.window_time" in keys  # the generated scenario reference
    for page in ("tour", "concepts", "howto", "assumptions", "optimization", "kpis"):
        assert (tmp_path / page / "index.html").is_file(), page  # the guide is in the site
