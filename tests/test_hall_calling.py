"""The calling rule of the hall, checked call by call against a brute-force reading of the log.

A free window calls the highest-priority, then longest-waiting ticket among the services it
serves; tickets that arrived at the same instant go in the order of their lines ((priority,
service) in the order the demand lists them). The kernel finds that ticket with heaps; these
tests re-derive every call from the visit log alone by scanning every ticket.
"""

from __future__ import annotations

import numpy as np
import pytest

import wsim
from wsim.model import hall as hall_module
from wsim.model.hall import Hall
from wsim.model.replication import run_replication
from wsim.model.states import TicketState


def overlapping_groups() -> wsim.Scenario:
    """Six services, three groups whose services overlap, two priorities, patience, lunch."""
    services = {f"s{i}": {"window_time": {"dist": "exponential", "mean": 7 + i}} for i in range(6)}
    demand = [{"service": f"s{i}", "per_hour": 5 + i % 3} for i in range(6)]
    demand += [
        {"service": "s1", "per_hour": 2, "priority": 1, "name": "s1 booked"},
        {"service": "s4", "per_hour": 2, "priority": 2, "name": "s4 urgent"},
    ]
    windows = [
        {"name": "all", "serves": [f"s{i}" for i in range(6)], "count": 2},
        {"name": "low", "serves": ["s0", "s1", "s2"], "schedule": {"08:30": 2, "12:00": 1}},
        {"name": "high", "serves": ["s3", "s4", "s5", "s1"], "count": 2},
    ]
    return wsim.load_scenario(
        {
            "name": "overlapping groups",
            "calendar": {"days": 3, "open": "08:30", "close": "17:00"},
            "services": services,
            "demand": demand,
            "windows": windows,
            "citizens": {"patience": {"dist": "exponential", "mean": 25}, "balk_at": 12},
        }
    )


def test_every_call_is_the_best_waiting_ticket_by_brute_force():
    scenario = overlapping_groups()
    log = run_replication(scenario, seed=3, replication=0)
    serves = [[log.service_names.index(s) for s in g.serves] for g in scenario.windows]
    priority = np.array([d.priority for d in scenario.demand])[log.stream]
    line_of = {}
    line = np.array(
        [line_of.setdefault((d.priority, d.service), len(line_of)) for d in scenario.demand]
    )[log.stream]
    left = np.where(np.isnan(log.start), log.end, log.start)  # when a ticket left the line
    queued = log.outcome != TicketState.BALKED
    calls = np.flatnonzero(~np.isnan(log.start))
    waited = 0
    for x in calls:
        t = log.start[x]
        group = log.clerk_group[log.clerk[x]]
        assert log.service[x] in serves[group]
        # Everyone else in a line this window serves at the moment of the call.
        others = queued & (log.arrival <= t) & (left > t) & np.isin(log.service, serves[group])
        others[x] = False
        if log.start[x] == log.arrival[x]:
            assert not others.any(), f"ticket {x} jumped a line at a free window"
            continue
        waited += 1
        rivals = np.flatnonzero(others)
        beaten = (priority[x] > priority[rivals]) | (
            (priority[x] == priority[rivals])
            & (
                (log.arrival[x] < log.arrival[rivals])
                | ((log.arrival[x] == log.arrival[rivals]) & (line[x] < line[rivals]))
            )
        )
        assert beaten.all(), f"ticket {x} called at {t} before {rivals[~beaten]}"
    # The check must have had work to do: many calls from a line, with rivals in it.
    assert waited > 200
    assert (log.outcome == TicketState.ABANDONED).sum() > 10


class Recorder:
    """A listener that starts no cases (arrivals are ignored) and records ticket outcomes."""

    def __init__(self):
        self.done: list[tuple[int, TicketState]] = []

    def arrival(self, stream: int, day: int) -> None:
        """Arrivals are ignored: the test issues the tickets itself."""

    def ticket_done(self, ticket: int, state: TicketState) -> None:
        """Record the outcome."""
        self.done.append((ticket, state))


def one_window_hall(demand_order: list[str]) -> Hall:
    """A hall with one window serving services a, b, c (demand listed in `demand_order`)."""
    scenario = wsim.load_scenario(
        {
            "name": "ties",
            "calendar": {"days": 1, "open": "08:00", "close": "17:00"},
            "services": {s: {"window_time": 5} for s in "abc"},
            "demand": [{"service": s, "per_hour": 0.001} for s in demand_order],
            "windows": [{"name": "w", "count": 1, "serves": list("abc")}],
        }
    )
    hall = Hall(scenario, seed=0, replication=0)
    hall.listener = Recorder()
    return hall


def issue_at(hall: Hall, at: float, streams: list[int]):
    """Process: at clock time `at`, issue one ticket (10 minutes of work) per stream, in order."""
    yield hall.env.timeout(at)
    for k in streams:
        hall.issue_ticket(k, 10.0, case=0)


@pytest.mark.parametrize("clean_ups", [False, True])
@pytest.mark.parametrize("order", [["c", "a", "b"], ["b", "c", "a"]])
def test_tickets_of_one_instant_are_called_in_the_order_of_their_lines(
    order, clean_ups, monkeypatch
):
    """Tickets of one instant go in their lines' order, also with clean-ups in between.

    With a clean-up of the call queues at every ticket queued, the ties noted at issue must
    outlive them.
    """
    if clean_ups:
        monkeypatch.setattr(hall_module, "COMPACT_EVERY", 1)
    hall = one_window_hall(order)
    index = {s: k for k, s in enumerate(order)}
    # 08:10: one ticket takes the window; 08:12: b, a, c arrive together; 08:13: a again.
    hall.env.process(issue_at(hall, 490, [index["a"]]))
    hall.env.process(issue_at(hall, 492, [index[s] for s in "bac"]))
    hall.env.process(issue_at(hall, 493, [index["a"]]))
    log = hall.run()
    called = np.argsort(log.start, kind="stable")
    services = [log.service_names[log.service[t]] for t in called]
    # First the one served at once, then the three tied ones in the demand's order, then 08:13.
    assert services == ["a", *order, "a"]
    assert np.all(np.diff(log.start[called]) == 10.0)


def test_clean_ups_of_the_call_queues_change_nothing(monkeypatch):
    scenario = overlapping_groups()
    reference = run_replication(scenario, seed=4, replication=0)
    clean_ups = []
    compact = Hall._compact

    def checked_compact(hall: Hall) -> None:
        compact(hall)
        for queues in hall.call_queues:
            for queue in queues:
                numbers = list(queue)
                assert all(hall.t_state[tid] == TicketState.WAITING for tid in numbers)
                assert numbers == sorted(set(numbers))  # in number order, each once
        clean_ups.append(len(hall.t_arrival))

    monkeypatch.setattr(hall_module, "COMPACT_EVERY", 8)
    monkeypatch.setattr(Hall, "_compact", checked_compact)
    log = run_replication(scenario, seed=4, replication=0)
    for field in ("arrival", "start", "end", "clerk", "outcome"):
        np.testing.assert_array_equal(getattr(log, field), getattr(reference, field))
    assert len(clean_ups) > 20
