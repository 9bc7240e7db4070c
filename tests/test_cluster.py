"""A run on an existing Dask cluster (given by its scheduler's address) gives the serial tables.

The cluster is a ``distributed.LocalCluster`` of 4 single-threaded worker processes started by
the test, reached the way a real cluster is: through its scheduler address. Replication r of a
run seeded S draws from (S, r, stream) wherever it runs, so every table must be equal, not
close: any difference is a bug (a worker reading another scenario, lost or doubled tasks).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import EXAMPLES

from wsim.comparison import compare

OPTIONS = [EXAMPLES / "small_hall.yaml", EXAMPLES / "small_hall_more_windows.yaml"]


def test_comparison_on_a_four_worker_cluster_equals_the_serial_one():
    distributed = pytest.importorskip("distributed")
    serial = compare(OPTIONS, replications=4, seed=11, progress=False)
    with distributed.LocalCluster(
        n_workers=4, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = compare(
            OPTIONS, replications=4, seed=11, address=cluster.scheduler_address, progress=False
        )
    assert remote.info["executor"] == f"dask (4 workers), scheduler {cluster.scheduler_address}"
    pd.testing.assert_frame_equal(serial.kpis, remote.kpis)
    pd.testing.assert_frame_equal(serial.summary(), remote.summary())
    pd.testing.assert_frame_equal(serial.hourly_summary(), remote.hourly_summary())
    for option in serial.options:
        for table in ("visits", "windows", "cases"):
            pd.testing.assert_frame_equal(
                getattr(serial.results[option], table), getattr(remote.results[option], table)
            )
