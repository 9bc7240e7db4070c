"""Patience per demand stream (``demand[i].patience``), checked against the streams' truth.

With exponential patience independent of the queue, the censored maximum-likelihood estimate
of a stream's mean patience is its total waiting time (abandoned and served tickets alike)
over its number of abandonments, whatever the queue does; its standard error is about
mean / sqrt(abandonments). Each stream's estimate must be within four standard errors of the
patience the stream was given (a chance failure of a correct simulator is then well under 1
in 10,000 per stream, and the fixed seed makes the test deterministic).
"""

from __future__ import annotations

import math

import numpy as np

import wsim

TRUTH = {"quick": 2.0, "patient": 20.0, "default": 8.0}


def scenario() -> dict:
    """Three streams of one service; two have patience of their own, one the citizens'."""
    return {
        "name": "patience per stream",
        "calendar": {"days": 4, "open": "08:00", "close": "16:00"},
        "services": {"s": {"window_time": {"dist": "exponential", "mean": 5}}},
        "demand": [
            {
                "service": "s",
                "name": "quick",
                "per_hour": 20,
                "patience": {"dist": "exponential", "mean": TRUTH["quick"]},
            },
            {
                "service": "s",
                "name": "patient",
                "per_hour": 20,
                "patience": {"dist": "exponential", "mean": TRUTH["patient"]},
            },
            {"service": "s", "name": "default", "per_hour": 20},
        ],
        "windows": [{"name": "w", "count": 4, "serves": ["s"]}],
        "citizens": {"patience": {"dist": "exponential", "mean": TRUTH["default"]}},
    }


def assert_patience(visits, truth: dict[str, float]) -> None:
    """Each stream's censored estimate of mean patience is within 4 standard errors of truth."""
    for stream, mean in truth.items():
        mine = visits[visits["stream"] == stream]
        waited = np.where(mine["outcome"] == "served", mine["start"], mine["end"]) - mine["arrival"]
        events = int((mine["outcome"] == "abandoned").sum())
        assert events > 100, (stream, events)  # enough abandonments for a sharp estimate
        estimate = float(waited.sum()) / events
        assert abs(estimate - mean) < 4 * mean / math.sqrt(events), (stream, estimate, mean)


def test_each_stream_abandons_with_its_own_patience():
    assert_patience(wsim.simulate(scenario(), replications=4, seed=3).visits, TRUTH)


def test_a_stream_without_patience_of_its_own_has_the_citizens_patience():
    plain = scenario()
    for entry in plain["demand"]:
        entry.pop("patience", None)
    visits = wsim.simulate(plain, replications=4, seed=3).visits
    assert_patience(visits, dict.fromkeys(TRUTH, TRUTH["default"]))
