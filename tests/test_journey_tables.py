"""The tables the journey layer builds once at set-up, and the paused cycle collector.

Speed changes of issue 15 must keep every number: the stored digests check that for the
shipped scenarios; these tests check the pieces on their own, against independent
calculations.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

import wsim
from wsim.model import journey, replication
from wsim.model.replication import run_replication


@pytest.mark.parametrize(
    "weights", [[0.45, 0.30, 0.25], [0.6, 0.1, 0.3], [1.0], [3.0, 0.0, 1.0], [1e-9, 1.0]]
)
def test_a_pick_over_thresholds_is_the_proportional_choice(weights):
    """Uniforms pick each index in proportion to its weight (checked against searchsorted).

    The thresholds are the running sums of the normalised weights, the same float operations
    as the choice always made, so the index is exactly numpy's searchsorted on that cumsum
    except where rounding leaves u above the last sum (then the last index).
    """
    thresholds = journey._thresholds(weights)
    u = np.random.default_rng(7).random(20_000)
    picked = np.array([journey._pick(x, thresholds) for x in u])
    expected = np.minimum(np.searchsorted(np.array(thresholds), u, side="right"), len(weights) - 1)
    assert np.array_equal(picked, expected)
    shares = np.bincount(picked, minlength=len(weights)) / u.size
    # 20,000 uniforms: a share's standard error is at most 0.0036; 0.02 is over 5 of them
    assert np.allclose(shares, np.array(weights) / sum(weights), atol=0.02)


def _segmented(channels_of_service: dict) -> wsim.Scenario:
    return wsim.load_scenario(
        {
            "name": "segments",
            "calendar": {"mode": "days", "days": 2, "open": "09:00", "close": "17:00"},
            "services": {
                "s": {"window_time": {"dist": "fixed", "value": 5}, **channels_of_service}
            },
            "segments": [
                {"name": "a", "share": 0.7, "channels": {"online": 1.0}},
                {"name": "b", "share": 0.3, "channels": {"hall": 0.5, "online": 0.5}},
            ],
            "demand": [{"service": "s", "channel": "any", "per_hour": 30}],
            "windows": [{"name": "w", "count": 2, "serves": ["s"]}],
        }
    )


def test_a_segment_without_a_channel_of_its_service_falls_back_to_the_hall():
    """Segment a only uses online, which the service does not offer: its cases go to the hall."""
    scenario = _segmented({"channels": {"hall": "full"}})
    log = run_replication(scenario, 0, 0)
    cases = log.cases
    assert cases is not None
    assert cases.start.size > 400
    assert set(cases.channel) == {"hall"}
    # shares 0.7 / 0.3 over more than 400 cases: standard error below 0.023 (0.07: 3 of them)
    assert abs(np.mean(cases.segment == "a") - 0.7) < 0.07


def test_the_cycle_collector_is_paused_during_a_replication_and_restored_after():
    seen = []

    original = replication.build_world

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    scenario = _segmented({"channels": {"hall": "full", "online": "full"}})
    replication.build_world = spy
    try:
        assert gc.isenabled()
        run_replication(scenario, 0, 0)
        assert gc.isenabled()
        gc.disable()
        run_replication(scenario, 0, 0)
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
        replication.build_world = original
    assert seen == [False, False]
