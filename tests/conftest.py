"""What test files share: scenario folders, builders, statistical checks, Hypothesis profiles.

The test files import these names (``from conftest import EXAMPLES, one_service_hall``); pytest
puts this folder on the import path. The profile ``ci`` (the default) keeps the property tests
to a few hundred examples in all, so that the suite stays fast; ``thorough`` runs thousands,
for a local search::

    HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_properties.py
    python -m pytest tests/test_properties.py --hypothesis-profile=thorough
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

import wsim
from wsim.experiment import t_interval

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
EXAMPLES = SCENARIOS / "examples"
CHECKS = SCENARIOS / "checks"
W_DISTRICT = SCENARIOS / "w_district"

ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


#: Debian's Chromium, which the browser tests drive with Playwright (no browser is downloaded).
CHROMIUM = Path("/usr/bin/chromium")
#: Its flags for a headless run in a container, without background network traffic.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def sync_playwright_or_skip():
    """Playwright's ``sync_playwright``, or a skip without it or Chromium.

    In CI (``CI`` or ``WSIM_REQUIRE_BROWSER`` set) a missing browser is a failure instead, so
    the browser tests cannot pass by skipping.
    """
    required = bool(os.environ.get("CI") or os.environ.get("WSIM_REQUIRE_BROWSER"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("Playwright is missing: pip install -e '.[test]'")
        pytest.skip("Playwright is not installed")
    if not CHROMIUM.exists():
        if required:
            pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"no {CHROMIUM}")
    return sync_playwright


settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,  # a shared CI machine's timing says nothing; hangs are bounded by limits
    derandomize=True,  # the same examples on every run: never flaky
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Confidence level of the statistical checks: with a fixed seed a check is deterministic, and
#: a correct simulator fails a 99.9% interval for only about 1 seed in 1,000, so a failure
#: points at the model rather than at bad luck.
LEVEL = 0.999


# --- scenario builders (plain dicts, to vary) ---------------------------------------------


def one_service_hall(count: int = 2, days: int = 1, **changes: object) -> dict:
    """A one-service hall, 08:30-17:00: 12 citizens an hour, 8-minute exponential window times.

    `count` windows over `days` terminating days. The offered load is 12 x 8 / 60 = 1.6
    windows, so two windows queue and three rarely do. Top-level fields in `changes` (such as
    ``windows``) replace the defaults.
    """
    scenario = {
        "name": f"{count} windows",
        "calendar": {"days": days, "open": "08:30", "close": "17:00"},
        "services": {"s1": {"window_time": {"dist": "exponential", "mean": 8}}},
        "demand": [{"service": "s1", "per_hour": 12}],
        "windows": [{"name": "w", "count": count, "serves": ["s1"]}],
    }
    scenario.update(changes)
    return scenario


def all_day_department(staff: int = 50) -> dict:
    """A back-office department working 24 hours a day (with `staff` clerks)."""
    return {"staff": staff, "open": "00:00", "close": "24:00"}


def round_the_clock(days: int, **changes: object) -> dict:
    """A hall and back office open 24 h, 7 days a week: arrivals and work spread evenly.

    One service ``s`` (no window time) owned by department ``a`` (50 clerks, so steps rarely
    wait), 2 cases an hour. Top-level fields in `changes` replace the defaults.
    """
    scenario = {
        "name": "journey check",
        "calendar": {"days": days, "open": "00:00", "close": "24:00", "weekdays": ALL_WEEK},
        "services": {"s": {"window_time": 0, "department": "a"}},
        "demand": [{"service": "s", "per_hour": 2}],
        "windows": [{"name": "w", "count": 5, "serves": ["s"]}],
        "departments": {"a": all_day_department()},
    }
    scenario.update(changes)
    return scenario


# --- checks ---------------------------------------------------------------------------------


def assert_in_interval(
    values: object, expected: float, what: str, *, max_half_width: float
) -> None:
    """Assert that `expected` lies in the 99.9% t-interval of the mean of `values`.

    The interval must also be narrow enough to mean something: its half-width at most
    `max_half_width` times ``|expected|``. Each caller states its bound and why, since a wide
    interval (few replications, a short horizon) passes almost any value.
    """
    mean, low, high, n = t_interval(np.asarray(values, dtype=float), LEVEL)
    assert low <= expected <= high, (
        f"{what}: theory {expected:.5g} outside the {LEVEL:.1%} interval "
        f"[{low:.5g}, {high:.5g}] of the simulated mean {mean:.5g} (n={n})"
    )
    half = (high - low) / 2
    assert half <= max_half_width * abs(expected), (
        f"{what}: the {LEVEL:.1%} interval [{low:.5g}, {high:.5g}] (n={n}) is too wide to "
        f"check {expected:.5g}: half-width {half / abs(expected):.1%} of it, allowed "
        f"{max_half_width:.1%}"
    )


def assert_cases_conserved(results: wsim.Results) -> None:
    """Every case ends in one final state, its trips are its visits, its times are ordered.

    - the final states of each replication's cases add up to its ``cases_started`` KPI, and
      every case starts on an arrival day (is counted);
    - every ticket belongs to an existing case of its replication and ends served, abandoned
      or balked;
    - a case's trips are its tickets, plus the kiosk submission (a trip without a ticket),
      which a kiosk case skips when an outage sends it to a window instead (or when it was
      abandoned at a window visit for help that comes first);
    - start <= accepted <= decided <= end along a completed case; an unfinished case has no
      end; an abandoned case ended with a ticket it gave up on (or balked at), or is a no-show
      of an appointment (no ticket, no trip).
    """
    cases, visits = results.cases, results.visits
    states = cases.groupby("replication").state.value_counts().unstack(fill_value=0)
    assert set(states.columns) <= {"completed", "abandoned", "gave_up", "in_progress"}
    started = results.kpis.set_index("replication").cases_started
    pd.testing.assert_series_equal(states.sum(axis=1), started.astype(int), check_names=False)
    assert cases.counted.all()
    keys = ["replication", "case"]
    known = pd.MultiIndex.from_frame(cases[keys])
    assert pd.MultiIndex.from_frame(visits[keys]).isin(known).all()
    assert visits.outcome.isin(["served", "abandoned", "balked"]).all()
    tickets = visits.groupby(keys).size().reindex(known)
    extra = cases.trips.to_numpy() - tickets.fillna(0).to_numpy()
    kiosk = (cases.channel == "kiosk").to_numpy()
    assert (extra[~kiosk] == 0).all()
    assert np.isin(extra[kiosk], [0, 1]).all()
    completed = (cases.state == "completed").to_numpy()
    assert (extra[kiosk & completed & ~cases.hit_by_outage.to_numpy()] == 1).all()
    done = cases[cases.state == "completed"]
    assert (done.accepted >= done.start).all()
    assert (done.decided >= done.accepted).all()
    assert (done.end >= done.decided).all()
    assert cases[cases.state == "in_progress"].end.isna().all()
    last = visits.sort_values("arrival").groupby(keys).last()
    abandoned = cases[cases.state == "abandoned"].set_index(keys).index
    with_ticket = abandoned[abandoned.isin(last.index)]
    assert last.loc[with_ticket].outcome.isin(["abandoned", "balked"]).all()
    # an abandoned case without a ticket is a booked citizen who did not come: no trip
    no_show = cases.set_index(keys).loc[abandoned.difference(with_ticket)]
    assert (no_show.trips == 0).all()
