"""Appointments: slots, no-shows, punctuality and the calling rule, checked by their definitions.

The case: one service, 120 citizens a day, half of whom book 30-minute slots of 2 citizens
(1 bookable with fill 0.5 in one test) on the next 3 open days; every booked citizen who comes
arrives exactly 5 minutes early (fixed punctuality), so each booked ticket's arrival is known.
The calling rule is re-derived call by call from the visit log: a window of the appointment
group calls a booked citizen whose slot has come and whose grace time (10 min) is not over,
earliest slot first; otherwise the longest-waiting ticket. No booked citizen is called before a
walk-in who arrived earlier unless inside its grace interval.
"""

from __future__ import annotations

import numpy as np
import pytest

from wsim.experiment.replication import replicate
from wsim.model.replication import run_replication
from wsim.model.states import CaseState, TicketState
from wsim.scenario import ScenarioError, load_scenario

SLOT, CAPACITY, GRACE, EARLY = 30.0, 2, 10.0, 5.0
DAYS = 10
SLOTS_PER_DAY = 16  # 09:00-17:00 in 30-minute slots


def booked_hall(**appointments) -> dict:
    """Two window groups serve the service; only `front` calls booked citizens first."""
    spec = {
        "share": 0.5,
        "slot": SLOT,
        "capacity": CAPACITY,
        "groups": ["front"],
        "book_ahead_days": 3,
        "no_show": 0.15,
        "punctuality": {"early": EARLY},
        "grace": GRACE,
        **appointments,
    }
    return {
        "name": "appointments",
        "calendar": {"days": DAYS, "open": "09:00", "close": "17:00"},
        "services": {
            "a": {"window_time": {"dist": "exponential", "mean": 9}, "appointments": spec}
        },
        "demand": [{"service": "a", "per_day": 120}],
        "windows": [
            {"name": "front", "serves": ["a"], "count": 1},
            {"name": "back", "serves": ["a"], "count": 1},
        ],
        "citizens": {"patience": {"dist": "exponential", "mean": 90}},
    }


@pytest.fixture(scope="module")
def run():
    scenario = load_scenario(booked_hall())
    return scenario, run_replication(scenario, seed=7, replication=0)


def test_booked_citizens_arrive_by_their_punctuality(run):
    _, log = run
    booked = np.isfinite(log.slot)
    opening = (log.slot[booked] // 1440) * 1440 + 540
    assert np.array_equal(log.arrival[booked], np.maximum(log.slot[booked] - EARLY, opening))
    # a ticket taken at the opening instant belongs to that day, not to the day before
    assert np.array_equal(log.day_start[log.day[booked]], (log.slot[booked] // 1440) * 1440)
    assert (log.outcome[booked] != TicketState.BALKED).all()
    bookings = log.cases.bookings
    came = bookings[:, 2] == 0
    assert booked.sum() == came.sum()  # a ticket for every booking whose citizen came
    assert sorted(log.slot[booked]) == sorted(bookings[came, 1])


def test_no_show_rate_and_no_show_cases(run):
    scenario, log = run
    kpis = replicate(scenario, seed=7, replication=0).kpis
    bookings = log.cases.bookings
    assert bookings.shape[0] > 300
    assert kpis["appointment_no_show_rate"] == pytest.approx(bookings[:, 2].mean())
    assert abs(bookings[:, 2].mean() - 0.15) < 4 * np.sqrt(0.15 * 0.85 / len(bookings))
    no_show_cases = log.cases.state[log.cases.trips == 0]
    assert (no_show_cases == CaseState.ABANDONED).all()
    assert no_show_cases.size == int(bookings[:, 2].sum())


def test_slot_utilisation_and_unmet_demand(run):
    scenario, log = run
    kpis = replicate(scenario, seed=7, replication=0).kpis
    bookings = log.cases.bookings
    on_arrival_days = bookings[:, 3] == 1
    assert (bookings[on_arrival_days, 1] < DAYS * 1440 + 2 * 2 * 1440).all()
    came = (bookings[:, 2] == 0) & on_arrival_days
    capacity = CAPACITY * SLOTS_PER_DAY * DAYS  # 10 Mon-Fri days with a weekend: 14 calendar days
    assert log.cases.slot_capacity == capacity
    assert kpis["slot_utilisation"] == pytest.approx(came.sum() / capacity)
    unmet = log.cases.unbooked
    assert kpis["appointment_unmet_share"] == pytest.approx(
        unmet.size / (unmet.size + len(bookings))
    )
    # 60 want a slot a day and 32 fit: slots run out, and no slot ever takes more than capacity
    assert unmet.size > 100
    _, per_slot = np.unique(bookings[:, 1], return_counts=True)
    assert per_slot.max() == CAPACITY


def test_unmet_only_when_every_bookable_slot_is_full():
    scenario = load_scenario(booked_hall(fill=0.5))
    log = run_replication(scenario, seed=8, replication=0)
    bookings, unbooked = log.cases.bookings, log.cases.unbooked
    assert unbooked.size > 100
    day_starts = log.day_start
    for t in unbooked:
        today = np.searchsorted(day_starts, t, side="right") - 1
        days = day_starts[today + 1 : today + 4]
        earlier = bookings[bookings[:, 0] < t, 1]
        for start in days:
            slots = start + 540 + SLOT * np.arange(SLOTS_PER_DAY)
            taken = np.isin(slots, earlier)
            assert taken.all(), f"a free slot on day {start / 1440:g} when {t} found none"
    _, per_slot = np.unique(bookings[:, 1], return_counts=True)
    assert per_slot.max() == 1  # floor(2 x 0.5)


def test_wait_from_slot_and_walk_in_wait_follow_their_definitions(run):
    scenario, log = run
    kpis = replicate(scenario, seed=7, replication=0).kpis
    served = (log.outcome == TicketState.SERVED) & (log.arrival < log.window[1])  # counted
    booked = served & np.isfinite(log.slot)
    walk_in = served & ~np.isfinite(log.slot)
    from_slot = log.start[booked] - np.maximum(log.slot[booked], log.arrival[booked])
    assert kpis["appointment_wait_mean"] == pytest.approx(np.clip(from_slot, 0, None).mean())
    assert kpis["walk_in_wait_mean"] == pytest.approx(
        (log.start[walk_in] - log.arrival[walk_in]).mean()
    )
    assert kpis["appointment_wait_mean"] < kpis["walk_in_wait_mean"]


def test_calling_rule_call_by_call(run):
    scenario, log = run
    front = scenario.windows.index(next(g for g in scenario.windows if g.name == "front"))
    left = np.where(np.isnan(log.start), log.end, log.start)
    queued = log.outcome != TicketState.BALKED
    booked = np.isfinite(log.slot)
    number = np.arange(log.arrival.size)
    checked = jumped = 0
    for x in np.flatnonzero(~np.isnan(log.start)):
        t = log.start[x]
        # in the hall at the call: came before it (at the same instant, with a smaller number)
        came = (log.arrival < t) | ((log.arrival == t) & (number < x))
        others = queued & came & (left > t)
        others[x] = False
        if log.start[x] == log.arrival[x]:
            assert not others.any(), f"ticket {x} jumped the line at a free window"
            continue
        checked += 1
        group = log.clerk_group[log.clerk[x]]
        in_grace = booked & (log.slot <= t) & (t <= log.slot + GRACE) & others
        x_in_grace = booked[x] and log.slot[x] <= t <= log.slot[x] + GRACE
        if group == front and (in_grace.any() or x_in_grace):
            # the earliest slot, then the earliest ticket, among booked tickets in grace
            assert x_in_grace, f"ticket {x}: a booked citizen in grace was waiting"
            rivals = np.flatnonzero(in_grace)
            assert all((log.slot[x], x) < (log.slot[r], r) for r in rivals)
        else:
            rivals = np.flatnonzero(others)
            assert (x < rivals).all(), f"ticket {x} called before {rivals[rivals < x]}"
        earlier_walk_ins = others & ~booked & (log.arrival < log.arrival[x])
        if earlier_walk_ins.any():
            jumped += 1
            assert group == front, f"ticket {x} jumped walk-ins at a window without appointments"
            assert x_in_grace, f"ticket {x} jumped walk-ins outside its grace interval"
    assert checked > 400
    assert jumped > 30  # the rule had to act many times


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"groups": ["side"]}, "services.a.appointments.groups[0]"),
        ({"fill": 0.3, "capacity": 2}, "services.a.appointments.fill"),
        ({"hours": "12:00-09:00"}, "services.a.appointments.hours"),
        ({"punctuality": {"early": -5}}, "services.a.appointments.punctuality.early"),
    ],
)
def test_appointment_mistakes_are_named(change, field):
    with pytest.raises(ScenarioError) as error:
        load_scenario(booked_hall(**change))
    assert field in str(error.value)
