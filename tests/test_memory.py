"""A comparison's peak memory does not grow with its replication count.

Each measurement runs in its own Python process (a fresh peak: ``ru_maxrss`` of that process
only) and compares a small scenario with one option, serially, then computes everything its
report shows (summary, hourly profile, lead times, trips). A comparison keeps only the KPIs of
every replication and the small per-replication extracts its report needs; the visit, window
and case tables go to its store and are read back only when asked for.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: small_hall over 40 days: about 10,000 tickets a replication, well under a second each.
CHILD = """
import json, resource, sys
import yaml
import wsim
from wsim.comparison.plots import lead_time_axis_end
with open(sys.argv[1], encoding="utf-8") as file:
    base = yaml.safe_load(file)
base["calendar"]["days"] = 40
more = {**base, "name": "more", "windows": [dict(w) for w in base["windows"]]}
more["windows"][0]["count"] += 1
comparison = wsim.compare({"base": base, "more": more}, replications=int(sys.argv[2]), seed=3,
                          progress=False)
comparison.summary(); comparison.hourly_summary(); lead_time_axis_end(comparison)
comparison.has_cases()
from wsim.experiment.replication import replicate
one = replicate(wsim.load_scenario(base), 3, 0)
tables = sum(a.nbytes for t in (one.visits, one.windows, one.cases) for a in t.values())
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "tables_mb": tables / 2**20}))
"""


def _measure(replications: int) -> dict[str, float]:
    scenario = ROOT / "scenarios" / "examples" / "small_hall.yaml"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(scenario), str(replications)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_comparison_peak_does_not_grow_with_replications():
    """16 replications peak within a quarter of the extra replications' tables of 4.

    Kept in memory, the 2 x 12 extra replications' tables would add 24 x `tables_mb` (their
    arrays alone, before the DataFrames copy them); the KPIs and the report's extracts are
    a few percent of that. Allowing a quarter of it (plus 8 MB of allocator noise between two
    processes) fails a comparison that keeps the tables and passes one that streams them.
    """
    few, many = _measure(4), _measure(16)
    kept_tables = 2 * 12 * many["tables_mb"]
    growth = many["peak_mb"] - few["peak_mb"]
    assert growth < kept_tables / 4 + 8, (few, many, kept_tables)
