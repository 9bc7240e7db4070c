"""Validating a scenario costs time linear in its number of services (issue 15).

A district center has 600 to 1,500 matters, and validation is part of the set-up cost per
ticket; a check that compares each service with every earlier one (a slice or list scan per
item) makes it quadratic. The test times ``load_scenario`` of the same center at 125 and 2,000
services (16 times as many) in two shapes: one comprehensive group serving every service
(with a speed and an appointment per service, so each service is looked up in the group's
services), and 1,000 groups of 2 (each group's name checked against the others).

The margin: linear work takes at most 16 times as long at 16 times the size (less, as a load
has a fixed part); quadratic work 256 times. The limit is 32 times, twice the linear ratio, so
that noise of a shared machine cannot fail it, while the quadratic checks this test was written
against (on the code before the change, 40 to 60 times) do. CPU time of this process
(``time.process_time``), the best of several runs, with the garbage collector off while timing
(its full collections cost what the whole test process holds, not what the load does).
"""

from __future__ import annotations

import gc
import time
from typing import Any

import pytest

from wsim.scenario import load_scenario

SMALL = 125
LARGE = 2000
#: Most the large center may cost, as a multiple of the small one (see the module note).
MOST = 32.0


def center(services: int, per_group: int | None) -> dict[str, Any]:
    """A days-mode center of `services` booked services, in groups of `per_group` (None: one)."""
    names = [f"s{i:04d}" for i in range(services)]
    size = per_group or services
    groups = [names[start : start + size] for start in range(0, services, size)]
    group_of = {name: f"g{k}" for k, members in enumerate(groups) for name in members}
    return {
        "name": f"{services} services in groups of {per_group}",
        "calendar": {"mode": "days", "days": 5, "open": "09:00", "close": "17:00"},
        "profiles": {"day": {"09:00": 1, "12:00": 0.5}},
        "services": {
            name: {
                "window_time": {"dist": "lognormal", "mean": "5min", "sd": "2min"},
                "appointments": {"slot": "15min", "groups": [group_of[name]]},
            }
            for name in names
        },
        "demand": [{"service": name, "per_day": 2, "profile": "day"} for name in names],
        "windows": [
            {"name": f"g{k}", "count": 1, "serves": members, "speed": dict.fromkeys(members, 1.0)}
            for k, members in enumerate(groups)
        ],
    }


def cpu_seconds(description: dict[str, Any], runs: int) -> float:
    """The least CPU time of `runs` loads of `description`, the garbage collector off."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            load_scenario(description)
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
    return best


@pytest.mark.parametrize("per_group", [None, 2], ids=["one group serving all", "groups of 2"])
def test_validation_time_grows_linearly_with_the_services(per_group):
    small, large = center(SMALL, per_group), center(LARGE, per_group)
    scenario = load_scenario(large)  # warm-up, and the center is what it says
    assert len(scenario.services) == LARGE
    assert len(scenario.windows) == (1 if per_group is None else LARGE // 2)
    ratio = cpu_seconds(large, 3) / cpu_seconds(small, 7)
    assert ratio < MOST, (
        f"validating {LARGE} services costs {ratio:.1f} times {SMALL} (linear: at most "
        f"{LARGE / SMALL:g}); a check compares every item with every other"
    )
