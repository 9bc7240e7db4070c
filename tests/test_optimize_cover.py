"""Shift covering (wsim.optimize.cover) on instances whose optimum is known or checked by hand."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest

from wsim.optimize import CountLimit, CoverError, cover

POST_OFFICE = [17, 13, 15, 19, 14, 16, 11]  # clerks needed Monday..Sunday


def five_on_two_off() -> np.ndarray:
    """Pattern s works the five consecutive days from day s (cyclically)."""
    return np.array([[1 if (day - start) % 7 < 5 else 0 for day in range(7)] for start in range(7)])


def test_post_office_integer_and_lp_optimum():
    # The classic post-office problem (Winston, Operations Research): integer optimum 23
    # clerks, LP optimum 67/3.
    plan = cover(POST_OFFICE, five_on_two_off())
    assert plan.status == "optimal"
    assert plan.cost == 23
    assert plan.bound == pytest.approx(23, abs=1e-6)
    assert plan.gap == pytest.approx(0, abs=1e-9)
    assert plan.counts.dtype.kind == "i"
    assert plan.counts.sum() == 23
    assert (plan.coverage >= POST_OFFICE).all()
    assert plan.lp_value == pytest.approx(float(Fraction(67, 3)), rel=1e-9)

    relaxed = cover(POST_OFFICE, five_on_two_off(), integer=False)
    assert relaxed.status == "optimal"
    assert relaxed.cost == pytest.approx(67 / 3, rel=1e-9)
    assert (relaxed.coverage >= np.array(POST_OFFICE) - 1e-7).all()


# Three periods; morning works periods 0-1, afternoon 1-2, full day all three.
MORNING, AFTERNOON, FULL = [1, 1, 0], [0, 1, 1], [1, 1, 1]
PATTERNS = [MORNING, AFTERNOON, FULL]
COSTS = [1.0, 1.0, 1.5]


def test_hand_checked_cheapest_mix():
    # Need 2, 3, 1. Two mornings and one afternoon cover exactly (cost 3); any full-day
    # clerk costs 1.5 and still needs a half-day partner for period 1, so 3 is optimal.
    plan = cover([2, 3, 1], PATTERNS, COSTS)
    assert plan.status == "optimal"
    assert plan.counts.tolist() == [2, 1, 0]
    assert plan.cost == 3
    assert plan.coverage.tolist() == [2, 3, 1]


def test_hand_checked_limit_forces_a_dearer_pattern():
    # At most one morning clerk: period 0 then needs a full-day clerk, period 1 a third
    # clerk (an afternoon one is cheapest): 1 + 1 + 1.5 = 3.5.
    limit = CountLimit("morning.max", (0,), max=1)
    plan = cover([2, 3, 1], PATTERNS, COSTS, limits=[limit])
    assert plan.counts.tolist() == [1, 1, 1]
    assert plan.cost == 3.5


def test_hand_checked_minimum_count():
    # Two full-day clerks at least (e.g. to keep the office open): they cover period 0 and
    # 2 and two of the three in period 1; one more half-day clerk: 2 * 1.5 + 1 = 4.
    limit = CountLimit("full.min", (2,), min=2)
    plan = cover([2, 3, 1], PATTERNS, COSTS, limits=[limit])
    assert plan.counts[2] == 2
    assert plan.cost == 4


def test_hand_checked_lp_below_integer_optimum():
    # Three periods in a cycle, each pattern works two of them: half a clerk on each
    # pattern covers everything in the LP (1.5), whole clerks need 2.
    cyclic = [[1, 1, 0], [0, 1, 1], [1, 0, 1]]
    plan = cover([1, 1, 1], cyclic)
    assert plan.cost == 2
    assert plan.lp_value == pytest.approx(1.5, rel=1e-9)


def test_capacity_bounds_the_clerks_at_work():
    # Need 2 early and 2 late; two long shifts (cost 1 each) would do, but only one clerk
    # fits in the middle period, so one long and two short shifts: cost 3.
    patterns = [[1, 1, 1], [1, 0, 0], [0, 0, 1]]
    assert cover([2, 0, 2], patterns).cost == 2
    plan = cover([2, 0, 2], patterns, capacity=[5, 1, 5])
    assert plan.cost == 3
    assert plan.coverage.tolist() == [2, 1, 2]


def test_infeasible_names_the_periods_and_the_blocking_limit():
    # Period 1 needs 3 clerks, but all patterns together may have only 2.
    everyone = CountLimit("staff.max", (0, 1, 2), max=2)
    plan = cover([2, 3, 1], PATTERNS, COSTS, limits=[everyone])
    assert plan.status == "infeasible"
    assert plan.counts is None
    assert plan.shortfall.tolist() == [0, 1, 0]
    assert plan.blocking == ("staff.max",)
    assert "periods 1" in plan.message
    assert "staff.max" in plan.message


def test_infeasible_without_a_pattern_for_a_period():
    plan = cover([1, 2, 1], [[1, 0, 0], [0, 0, 1]])
    assert plan.status == "infeasible"
    assert plan.shortfall.tolist() == [0, 2, 0]
    assert "periods 1: no pattern works in them" in plan.message


def test_capacity_below_the_need_blocks():
    plan = cover(POST_OFFICE, five_on_two_off(), capacity=[18] * 7)
    assert plan.status == "infeasible"
    assert plan.blocking == ("capacity",)
    assert plan.shortfall[3] == 1  # Thursday needs 19


def test_contradictory_limits():
    limits = [CountLimit("a.min", (0,), min=3), CountLimit("all.max", (0, 1, 2), max=2)]
    plan = cover([1, 1, 1], PATTERNS, COSTS, limits=limits)
    assert plan.status == "infeasible"
    assert plan.message.startswith("the count limits contradict each other")


def test_time_limit_is_honoured_on_a_hard_instance():
    # A random set-covering instance that HiGHS does not close in a second (its gap after
    # a few seconds is still above 10%). The limit must stop it with a plan and a proven
    # bound below the plan's cost; the status must not claim optimality.
    rng = np.random.default_rng(1)
    patterns = (rng.random((400, 300)) < 0.1).astype(int)
    need = rng.integers(1, 30, 300)
    costs = rng.integers(10, 40, 400)
    started = time.perf_counter()
    plan = cover(need, patterns, costs, time_limit=1.0)
    elapsed = time.perf_counter() - started
    assert plan.status == "time limit"
    assert plan.counts is not None
    assert (plan.coverage >= need).all()
    assert plan.bound < plan.cost
    assert plan.lp_value <= plan.bound + 1e-6
    # Generous: the limit covers the solves; building the Pyomo model adds a little.
    assert elapsed < 15


@pytest.mark.parametrize(
    ("requirements", "patterns", "costs", "message"),
    [
        ([1, 2], [[1, 0, 1]], None, "2 columns"),
        ([1, -2], [[1, 1]], None, ">= 0"),
        ([1, 2], [[1, 2]], None, "only 0 and 1"),
        ([1, 2], [[1, 1]], [1, 2], "one number per pattern"),
        ([1, 2], [[1, 1]], [-1], ">= 0"),
    ],
)
def test_bad_input_is_one_clear_error(requirements, patterns, costs, message):
    with pytest.raises(CoverError, match=message):
        cover(requirements, patterns, costs)


def test_bad_limits_and_time_limit():
    with pytest.raises(CoverError, match="does not exist"):
        cover([1], [[1]], limits=[CountLimit("x", (3,), max=1)])
    with pytest.raises(CoverError, match="time_limit"):
        cover([1], [[1]], time_limit=0)
