"""Handoffs per department pair and rework from stale data, each in isolation.

Exact checks read the event log of handoffs (``CaseLog.handovers``: case, from, to, began,
arrived); the staleness checks use fixed step times and working hours, so that every case's
data has the same, known age, and compare the rework rate with ``1 - exp(-r * age)`` within a
99.9% binomial interval.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ALL_WEEK, all_day_department, round_the_clock

import wsim
from wsim.model.replication import build_world
from wsim.scenario import ScenarioError, load_scenario

EXP = {"dist": "exponential", "mean": 30}


def line(**handoffs) -> dict:
    """Services s and t, both a -> b -> c (exponential steps), 24 h departments."""
    workflow = [{"department": d, "time": EXP} for d in "abc"]
    return round_the_clock(
        10,
        services={
            name: {"window_time": 0, "department": "a", "workflow": workflow, "result": "online"}
            for name in ("s", "t")
        },
        demand=[{"service": "s", "per_hour": 2}, {"service": "t", "per_hour": 2}],
        windows=[{"name": "w", "count": 5, "serves": ["s", "t"]}],
        departments={d: all_day_department() for d in "abc"},
        handoffs=handoffs,
    )


def handovers(scenario: dict) -> pd.DataFrame:
    """One replication's handoffs with the case's service, as a frame."""
    loaded = load_scenario(scenario)
    hall, journeys = build_world(loaded, seed=7, replication=0)
    hall.run()
    log = journeys.log((0.0, journeys.end)).handovers
    frame = pd.DataFrame(log, columns=["case", "source", "target", "began", "arrived"])
    names = list(loaded.departments)
    frame["pair"] = [
        f"{names[int(a)]}>{names[int(b)]}" for a, b in zip(frame.source, frame.target, strict=True)
    ]
    streams = np.array(journeys.c_stream)[frame.case.astype(int)]
    frame["service"] = [loaded.demand[k].service for k in streams]
    return frame


def test_each_pair_waits_by_its_own_rule():
    """Default: hourly sync; b -> c real time after 7 min; b -> c of service t by paper, 30 min.

    Exact, handoff by handoff: a sync at the next full hour, or the pair's fixed delay (the
    most specific rule wins for t).
    """
    frame = handovers(
        line(
            every="1h",
            pairs=[
                {"from": "b", "to": "c", "delay": 7},
                {"from": "b", "to": "c", "service": "t", "mode": "paper", "delay": 30},
            ],
        )
    )
    wait = frame.arrived - frame.began
    synced = frame.pair == "a>b"
    assert synced.sum() > 300
    assert (frame.pair == "b>c").sum() > 300
    assert set(frame.pair) == {"a>b", "b>c"}
    np.testing.assert_array_equal(frame.arrived[synced], np.ceil(frame.began[synced] / 60) * 60)
    fast = (frame.pair == "b>c") & (frame.service == "s")
    paper = (frame.pair == "b>c") & (frame.service == "t")
    np.testing.assert_allclose(wait[fast], 7.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(wait[paper], 30.0, rtol=0, atol=1e-9)


def two_services(**handoffs) -> dict:
    """Service s goes a -> b, service t a -> c; one clerk at a (a queue both share)."""
    return round_the_clock(
        20,
        services={
            "s": {"window_time": 0, "department": "a", "result": "online", "workflow": [
                {"department": "a", "time": EXP}, {"department": "b", "time": EXP}]},
            "t": {"window_time": 0, "department": "a", "result": "online", "workflow": [
                {"department": "a", "time": EXP}, {"department": "c", "time": EXP}]},
        },
        demand=[{"service": "s", "per_hour": 0.5}, {"service": "t", "per_hour": 0.5}],
        windows=[{"name": "w", "count": 5, "serves": ["s", "t"]}],
        departments={"a": all_day_department(1), "b": all_day_department(1),
                     "c": all_day_department(1)},
        handoffs=handoffs,
    )  # fmt: skip


def lead_times(scenario: dict, service: str) -> np.ndarray:
    cases = wsim.simulate(scenario, replications=2, seed=11).cases
    mine = cases[cases.service == service]
    return (mine.end - mine.start).to_numpy()


def test_overriding_one_pair_leaves_the_others_alone():
    """Real-time a -> b changes s only; t (a -> c) keeps its lead times exactly (same seeds).

    s gains the nightly sync's wait: its mean lead time falls by hours.
    """
    nightly = {"at": "02:00", "rework": 0.1, "delay": {"dist": "uniform", "min": 0, "max": 9}}
    base = two_services(**nightly)
    paired = two_services(**nightly, pairs=[{"from": "a", "to": "b", "delay": 5}])
    np.testing.assert_array_equal(lead_times(base, "t"), lead_times(paired, "t"))
    assert np.nanmean(lead_times(paired, "s")) < np.nanmean(lead_times(base, "s")) - 5 * 60


def test_a_pair_that_only_repeats_the_rework_changes_nothing():
    """A pair that gives the default's rework again keeps every draw: identical cases."""
    nightly = {"at": "02:00", "rework": 0.1, "delay": {"dist": "uniform", "min": 0, "max": 9}}
    base = wsim.simulate(two_services(**nightly), replications=1, seed=3).cases
    same = two_services(**nightly, pairs=[{"from": "a", "to": "b", "rework": 0.1}])
    pd.testing.assert_frame_equal(base, wsim.simulate(same, replications=1, seed=3).cases)


DAYS = 40


def stale_line(**handoffs) -> dict:
    """Every case's data leaves a at 17:00 and reaches b's staff at a known time.

    Citizens come 08:00-12:00; a works 16:00-17:00 (a 60 min step, enough staff: all end at
    17:00); b works 18:00-24:00 (10 min steps). Rework repeats go back through the rule.
    """
    return {
        "name": "stale data",
        "calendar": {"days": DAYS, "open": "08:00", "close": "12:00", "weekdays": ALL_WEEK},
        "services": {
            "s": {
                "window_time": 0,
                "department": "a",
                "result": "online",
                "workflow": [{"department": "a", "time": 60}, {"department": "b", "time": 10}],
            }
        },
        "demand": [{"service": "s", "per_day": 80}],
        "windows": [{"name": "w", "count": 5, "serves": ["s"]}],
        "departments": {
            "a": {"staff": 400, "open": "16:00", "close": "17:00"},
            "b": {"staff": 400, "open": "18:00", "close": "24:00"},
        },
        "handoffs": handoffs,
    }


def first_attempts(scenario: dict) -> pd.DataFrame:
    """Cases accepted early enough that b's first step is done within the run."""
    cases = wsim.simulate(scenario, replications=1, seed=5).cases
    return cases[cases.accepted < (DAYS - 3) * 1440]


def assert_binomial(hits: pd.Series, p: float, what: str) -> None:
    """`p` within the 99.9% normal interval of the share of `hits` (z = 3.29)."""
    n = len(hits)
    half = 3.29 * math.sqrt(p * (1 - p) / n)
    assert abs(hits.mean() - p) <= half, f"{what}: {hits.mean():.4f} vs {p:.4f} +- {half:.4f}"


RATE = 0.2  # stale per hour of age


def test_staleness_follows_the_age_of_the_data():
    """Nightly sync at 20:00: age 3 h (17:00 -> 20:00), so rework 1 - e^-0.6 = 0.451.

    A repeat's data waits for the next day's sync (20:10 -> 20:00, 23 h 50 min), above the
    cap: its chance is max = 0.5. ~2,900 cases: the 99.9% interval is +-0.03; counting the
    age in b's working minutes (2 h, 0.330) or from the sync (0) is off by 0.12 or more.
    """
    staleness = {"per_hour": RATE, "max": 0.5}
    cases = first_attempts(stale_line(at="20:00", staleness=staleness))
    assert len(cases) > 2500
    assert_binomial(cases.reworks > 0, 1 - math.exp(-RATE * 3), "rework after a 20:00 sync")
    again = cases[cases.reworks > 0]
    assert_binomial(again.reworks > 1, 0.5, "rework of a repeat (capped)")


def test_real_time_sharing_lowers_rework_by_the_mechanism():
    """The same with a real-time pair a -> b: age 1 h (17:00 -> b's 18:00), 1 - e^-0.2.

    The pair gives only its transport, so it keeps the default's staleness. A repeat starts
    at once (age 0): no case is reworked twice, exactly.
    """
    staleness = {"per_hour": RATE, "max": 0.5}
    pairs = [{"from": "a", "to": "b", "delay": 0}]
    cases = first_attempts(stale_line(at="20:00", staleness=staleness, pairs=pairs))
    assert_binomial(cases.reworks > 0, 1 - math.exp(-RATE * 1), "rework in real time")
    assert cases.reworks.max() == 1


def test_fixed_rework_and_staleness_are_independent_causes():
    """Rework 0.3 plus staleness at age 3 h: 1 - 0.7 * e^-0.6 = 0.616 (alone: 0.3, 0.451)."""
    cases = first_attempts(
        stale_line(at="20:00", rework=0.3, staleness={"per_hour": RATE, "max": 0.5})
    )
    assert_binomial(cases.reworks > 0, 1 - 0.7 * math.exp(-RATE * 3), "both causes")


@pytest.mark.parametrize(
    ("pairs", "field", "message"),
    [
        ([{"from": "a", "to": "bb", "delay": 0}], "handoffs.pairs[0].to", "did you mean 'b'"),
        ([{"from": "a", "to": "b", "service": "ss", "delay": 0}], "pairs[0].service", "'s'"),
        ([{"from": "a", "to": "b", "delay": 0}] * 2, "handoffs.pairs[1]", "same pair as pairs[0]"),
        ([{"from": "a", "to": "b"}], "handoffs.pairs[0]", "gives no rule field"),
        ([{"to": "b", "delay": 0}], "handoffs.pairs[0].from", "missing"),
        ([{"from": "a", "to": "b", "evry": 5}], "pairs[0].evry", "did you mean 'every'"),
        ([{"from": "a", "to": "b", "every": 5, "at": 1}], "pairs[0].at", "either every or at"),
    ],
)
def test_bad_pairs_are_named(pairs, field, message):
    scenario = stale_line(at="20:00", pairs=pairs)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    text = str(caught.value)
    assert field in text, text
    assert message in text, text


def test_pairs_round_trip_as_written():
    """to_dict writes a pair's own fields only, so reloading keeps what it inherits."""
    pairs = [{"from": "a", "to": "b", "service": "s", "staleness": {"per_hour": 1}}]
    scenario = load_scenario(stale_line(at="20:00", rework=0.1, pairs=pairs))
    dumped = scenario.to_dict()["handoffs"]["pairs"]
    assert dumped == [{"from": "a", "to": "b", "service": "s", **dumped[0]}]
    assert set(dumped[0]) == {"from", "to", "service", "staleness"}
    again = load_scenario(scenario.to_dict())
    assert again.digest() == scenario.digest()
    rule = again.handoffs.rule_for("a", "b", "s")
    assert (rule.at, rule.rework, rule.staleness.per_hour) == (20 * 60, 0.0, 1.0)


def test_an_overlay_changes_one_pair(tmp_path):
    """handoffs.pairs merge by (from, to, service): one pair changes, the other stays."""
    pairs = [{"from": "a", "to": "b", "delay": 5}, {"from": "b", "to": "c", "delay": 9}]
    base = line(at="02:00", pairs=pairs)
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    overlay = {
        "base": "base.yaml",
        "changes": {"handoffs": {"pairs": [{"from": "b", "to": "c", "delay": 1}]}},
    }
    (tmp_path / "o.yaml").write_text(yaml.safe_dump(overlay), encoding="utf-8")
    handoffs = load_scenario(tmp_path / "o.yaml").handoffs
    assert [p.delay.expected() for p in handoffs.pairs] == [5.0, 1.0]
