"""The run-size estimate against hand calculations, the refusal of huge runs, and the guard.

The estimate is the expected size of one replication; each case below is worked out by hand
from the scenario (open days per weekday, rates, visits per case, outage cycles). A run over a
limit is refused before anything runs, naming the field; a larger limit allows it; an
estimator registered by another mechanism counts; and a replication that grows past the
running guard stops with a message while the replications finished before it stay on disk.
"""

from __future__ import annotations

import copy

import pytest

import wsim
from wsim.experiment import RunStore
from wsim.scenario import RunLimits, RunTooLarge, check_run_size, estimate, load_scenario
from wsim.scenario.size import (
    _ESTIMATORS,
    Contribution,
    arrival_span,
    register_estimator,
    weekday_counts,
)

HALL = {
    "name": "size",
    "calendar": {"days": 2, "open": "09:00", "close": "17:00"},
    "services": {"a": {"window_time": 5}},
    "demand": [{"service": "a", "per_hour": 10}],
    "windows": [
        {"name": "w", "count": 2, "serves": ["a"]},
        {"name": "v", "count": 0, "serves": ["a"]},
    ],
}


def scenario(**changes):
    data = copy.deepcopy(HALL)
    for key, value in changes.items():
        data[key] = value
    return load_scenario(data)


def test_tickets_of_a_constant_rate():
    # 10 an hour over 8 hours on 2 days
    assert estimate(scenario()).total("tickets") == 160


def test_open_days_per_weekday_and_weekday_factors():
    calendar = {"days": 7, "start": "wed", "open": "09:00", "close": "17:00"}
    # 7 open days from a Wednesday, Monday to Friday: wed thu fri mon tue wed thu
    counts = weekday_counts(scenario(calendar=calendar).calendar)
    assert counts == {"wed": 2, "thu": 2, "fri": 1, "mon": 1, "tue": 1}
    assert arrival_span(scenario(calendar=calendar).calendar) == 9  # Wednesday to Thursday
    demand = [{"service": "a", "per_day": 100, "weekday_factors": {"wed": 2.0}}]
    # 100 x (2 Wednesdays x 2 + 5 other days)
    assert estimate(scenario(calendar=calendar, demand=demand)).total("tickets") == 900


def test_clerks_days_and_staffing_slots():
    size = estimate(scenario())
    assert size.total("clerks") == 3  # 2, and one spare clerk of the empty group
    assert size.total("days") == 2  # Monday and Tuesday
    staffing = {
        "slot": "15min",
        "groups": [{"name": "w", "max_open": 4}],
        "shifts": [{"name": "day", "start": "09:00", "end": "17:00"}],
        "target": "hall_service_level >= 0.8",
    }
    assert estimate(scenario(staffing=staffing)).total("slots") == 32  # 8 h in 15 min


def test_journey_visits_outages_and_back_office_steps():
    data = dict(
        services={
            "a": {
                "window_time": 5,
                "department": "d",
                "incomplete": 0.5,  # 1 / (1 - 0.5) = 2 intake visits
                "workflow": [{"department": "d", "time": 10}, {"department": "e", "time": 10}],
                "result": "pickup",  # and 1 pickup
            }
        },
        departments={"d": {"staff": 1}, "e": {"staff": 1}},
        handoffs={"rework": 0.2},  # each step 1 / (1 - 0.2) = 1.25 times
        systems={"s": {"between": 100, "repair": 20}},  # an outage every 120 min
        calendar={"days": 5, "open": "09:00", "close": "17:00", "drain": "2d"},
    )
    size = estimate(scenario(**data))
    arrivals = 10 * 8 * 5
    assert size.total("tickets") == pytest.approx(arrivals * 3)
    assert size.total("steps") == pytest.approx(arrivals * 2 * 1.25)
    simulated = (5 + 2) * 1440  # a Monday-to-Friday week, then 2 days of drain
    assert size.total("outages") == pytest.approx(simulated / 120)


def test_a_huge_run_is_refused_naming_the_field():
    big = scenario(demand=[{"service": "a", "per_hour": 1e6}])
    with pytest.raises(RunTooLarge) as caught:
        check_run_size(big)
    [(field, message)] = caught.value.problems
    assert field == "demand[0].per_hour"
    assert "16,000,000 hall tickets" in message  # 1e6 an hour x 8 h x 2 days
    assert "--max-tickets" in message
    assert "RunLimits(max_tickets=N)" in message
    assert check_run_size(big, RunLimits(max_tickets=2e7)).total("tickets") == 1.6e7


def test_simulate_refuses_before_running_and_allows_on_purpose(monkeypatch):
    busy = {**HALL, "demand": [{"service": "a", "per_hour": 100}]}  # 1,600 tickets
    with pytest.raises(RunTooLarge, match=r"demand\[0\]\.per_hour"):
        wsim.simulate(busy, replications=1, max_tickets=1000)
    assert len(wsim.simulate(busy, replications=1, max_tickets=2000).kpis) == 1
    monkeypatch.setenv("WSIM_MAX_TICKETS", "1000")
    with pytest.raises(RunTooLarge):
        wsim.compare([busy], replications=1)
    assert len(wsim.compare([busy], replications=1, max_tickets=5000).kpis) == 1


def test_a_registered_estimator_counts():
    def appointments(scenario):
        yield Contribution("tickets", 5000.0, "services.a.appointments", "booked visits")

    register_estimator(appointments)
    try:
        with pytest.raises(RunTooLarge) as caught:
            check_run_size(scenario(), RunLimits(max_tickets=3000))
        assert caught.value.problems[0][0] == "services.a.appointments"
    finally:
        _ESTIMATORS.remove(appointments)
    assert check_run_size(scenario(), RunLimits(max_tickets=3000)).total("tickets") == 160


def test_a_replication_that_grows_stops_and_the_finished_ones_are_kept(tmp_path):
    data = {**HALL, "calendar": {"days": 1, "open": "09:00", "close": "17:00"}}  # 80 expected
    tickets = {}
    for seed in range(20):
        results = wsim.simulate(data, replications=2, seed=seed)
        tickets[seed] = results.visits.groupby("replication").size().tolist()
    # a seed whose replication 0 has at least the 80 expected tickets and replication 1 more:
    # with the limit at replication 0's count, the estimate passes, 0 finishes and 1 stops
    seed = next(s for s, (first, second) in tickets.items() if 80 <= first < second)
    limit = tickets[seed][0]
    limits = RunLimits(max_tickets=limit, running_factor=1.0)
    with pytest.raises(RunTooLarge) as caught:
        wsim.simulate(data, replications=3, seed=seed, limits=limits, out=tmp_path)
    message = str(caught.value)
    assert f"replication 1 stopped after {limit:,} hall tickets" in message
    assert "finished before it are kept" in message
    stored = RunStore(tmp_path, seed, {"run": load_scenario(data)}).done("run")
    assert set(stored) == {0}
