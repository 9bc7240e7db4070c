"""Channel choice that reacts: the posted hall wait sends citizens to the portal, and balkers too.

The posted wait of a service is the citizens waiting for it times its mean window time over its
open windows. The checks re-derive, case by case from the visit log alone, the queue and the
open windows a citizen found on arrival, and so whether they had to switch.
"""

from __future__ import annotations

import numpy as np
import pytest

from wsim.experiment.replication import replicate
from wsim.model.replication import run_replication
from wsim.model.states import Switch, TicketState
from wsim.scenario import load_scenario

MEAN_WORK = 10.0
THRESHOLD = 25.0


def hall(**citizens) -> dict:
    """One service, hall or online; its windows change over the day; an overloaded hall."""
    return {
        "name": "switching",
        "calendar": {"days": 5, "open": "09:00", "close": "17:00"},
        "services": {
            "s": {
                "window_time": {"dist": "exponential", "mean": MEAN_WORK},
                "channels": {"hall": "full", "online": "full"},
                "result": "online",
            }
        },
        "demand": [{"service": "s", "channel": "any", "per_hour": 20}],
        "windows": [
            {"name": "w", "serves": ["s"], "schedule": {"09:00": 2, "12:00": 1, "13:00": 3}}
        ],
        "segments": [
            {"name": "fluent", "share": 0.5, "channels": {"hall": 1}, "switch_at": THRESHOLD},
            {"name": "other", "share": 0.5, "channels": {"hall": 1}},
        ],
        "citizens": citizens,
    }


def _found_on_arrival(log, t: float) -> tuple[int, int]:
    """Citizens waiting for the service and windows open just before time `t` (from the log)."""
    present = log.outcome != TicketState.BALKED
    left = np.where(np.isnan(log.start), log.end, log.start)
    waiting = int((present & (log.arrival < t) & (left > t)).sum())
    windows = int(((log.shift_from <= t) & (log.shift_to > t)).sum())
    return waiting, windows


def test_switch_exactly_when_the_posted_wait_is_above_the_threshold():
    log = run_replication(load_scenario(hall()), seed=2, replication=0)
    cases = log.cases
    fluent = cases.segment == "fluent"
    assert (cases.switched[~fluent] == Switch.NONE).all()
    switched = 0
    for c in np.flatnonzero(fluent):
        waiting, windows = _found_on_arrival(log, cases.start[c])
        posted = waiting * MEAN_WORK / windows if windows else np.inf
        expected = posted > THRESHOLD
        assert (cases.switched[c] == Switch.POSTED_WAIT) == expected, c
        assert (cases.channel[c] == "online") == expected
        switched += expected
    assert 20 < switched < fluent.sum() - 20  # both outcomes occur many times
    rate = replicate(load_scenario(hall()), seed=2, replication=0).kpis["online_switch_rate"]
    assert rate == pytest.approx(switched / cases.start.size)


def test_balkers_go_to_the_portal():
    spec = hall(balk_at=4, balk_to="online")
    log = run_replication(load_scenario(spec), seed=3, replication=0)
    cases = log.cases
    balked = log.case[log.outcome == TicketState.BALKED]
    by_balking = np.flatnonzero(cases.switched == Switch.BALKED)
    assert len(balked) > 20
    assert sorted(balked) == sorted(by_balking)  # each balker's case, and only those
    assert (cases.channel[by_balking] == "online").all()
    assert (cases.trips[by_balking] == 1).all()  # the trip on which they balked
    assert (cases.state[by_balking] == 1).all()  # completed online (no review, no visit)


def test_without_balk_to_a_balker_leaves():
    log = run_replication(load_scenario(hall(balk_at=4)), seed=3, replication=0)
    assert (log.cases.switched != Switch.BALKED).all()
    assert (log.outcome == TicketState.BALKED).sum() > 20
