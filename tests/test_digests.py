"""Same scenario, same seed, same numbers: stored digests of the KPI and summary tables.

Every refactoring and speed-up must leave the numbers exactly as they were. For each scenario
file in ``scenarios/`` (the W district baseline and its reforms, the examples and the theory
checks), two replications with seed 1 are saved with :meth:`Results.save` and the SHA-256 of
``kpis.csv`` and ``summary.csv`` is compared with the digest stored in
``tests/data/digests.json``. A change that is meant to change the numbers (a new mechanism, a
corrected model) regenerates the file on purpose and says so in its commit::

    python tests/test_digests.py --update
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import pytest

import wsim

ROOT = Path(__file__).resolve().parents[1]
STORED = Path(__file__).with_name("data") / "digests.json"
SEED = 1
REPLICATIONS = 2
#: The scenario files whose numbers are pinned, relative to the repository.
FILES = sorted(
    str(path.relative_to(ROOT))
    for folder in ("w_district", "w_district/reforms", "examples", "checks")
    for path in (ROOT / "scenarios" / folder).glob("*.yaml")
    if path.name != "levers.yaml"  # a levers file, not a scenario
)


def digests_of(file: str) -> dict[str, str]:
    """SHA-256 of kpis.csv and summary.csv of `file` (2 replications, seed 1)."""
    results = wsim.simulate(ROOT / file, replications=REPLICATIONS, seed=SEED)
    with tempfile.TemporaryDirectory() as folder:
        results.save(folder)
        return {
            name: hashlib.sha256((Path(folder) / name).read_bytes()).hexdigest()
            for name in ("kpis.csv", "summary.csv")
        }


@pytest.mark.parametrize("file", FILES)
def test_numbers_unchanged(file):
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    assert file in stored, f"{file} has no stored digest: run python {__file__} --update"
    assert digests_of(file) == stored[file], (
        f"{file}: the numbers changed; if that is intended, run python tests/test_digests.py "
        "--update and say why in the commit"
    )


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: python {sys.argv[0]} --update")
    table = {file: digests_of(file) for file in FILES}
    STORED.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(table)} digests to {STORED}")
