"""Committed limits, EDF by the commitment, and the supervisor's overdue alert.

Each check recomputes what the model should have done from the case table alone (acceptance
and decision times) and the calendar, so that a deadline counted from the wrong day, an EDF
key taken from the statutory limit, or an alert at the wrong time shows up as a mismatch.
The scenarios are small and their back office overloaded on purpose, so that deadlines bind.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import round_the_clock

import wsim
from wsim.model.replication import build_world

DAY = 1440.0
STEP = 114.0  # minutes of work per case: 12 cases a day of 24 h load one clerk to 0.95


def overloaded(discipline: str = "fifo", alert: dict | None = None, **services) -> dict:
    """Round-the-clock hall and a one-clerk department working 24 h a day, 7 days a week.

    Every day is a working day, so a deadline of d working days from a case accepted on day i
    is the end of day i + d: ``(floor(accepted / DAY) + d + 1) * DAY``. One step of `STEP`
    fixed minutes in the accepting department (no handoff), so the step starts at its
    decision time minus `STEP`.
    """
    department = {"staff": 1, "open": "00:00", "close": "24:00", "discipline": discipline}
    if alert is not None:
        department["alert"] = alert
    specs = {
        name: {
            "window_time": 0,
            "department": "a",
            "workflow": [{"department": "a", "time": STEP}],
            "result": "online",
            **spec,
        }
        for name, spec in services.items()
    }
    per_hour = 12 / 24 / len(specs)
    return round_the_clock(
        40,
        services=specs,
        demand=[{"service": name, "per_hour": per_hour} for name in specs],
        departments={"a": department},
        windows=[{"name": "w", "count": 5, "serves": list(specs)}],
    )


def due_at(accepted: pd.Series, days: pd.Series) -> np.ndarray:
    """The end of the `days`-th working day after acceptance (every day works here)."""
    return ((accepted // DAY) + days + 1).to_numpy() * DAY


def counted_cases(results: wsim.Results) -> pd.DataFrame:
    cases = results.cases
    return cases[cases.counted].copy()


def test_on_time_against_commitment_and_statute_match_their_definitions():
    scenario = overloaded(s={"deadline_days": 1, "commitment_days": 0})
    results = wsim.simulate(scenario, replications=2, seed=11)
    for r, cases in counted_cases(results).groupby("replication"):
        kpis = results.kpis[results.kpis.replication == r].iloc[0]
        decided = cases.decided.notna()
        statutory = due_at(cases.accepted, pd.Series(1, index=cases.index))
        committed = due_at(cases.accepted, pd.Series(0, index=cases.index))
        on_statute = cases.decided.to_numpy() <= statutory
        on_commitment = cases.decided.to_numpy() <= committed
        # the deadlines bind: both rates strictly inside (0, 1), and different
        assert 0 < on_commitment[decided].mean() < on_statute[decided].mean() < 1
        assert kpis.case_on_time_rate == pytest.approx(on_statute[decided].mean())
        assert kpis.case_committed_rate == pytest.approx(on_commitment[decided].mean())
        undecided = int((~decided).sum())
        late_statute = int((decided & ~on_statute).sum())
        late_commitment = int((decided & ~on_commitment).sum())
        assert kpis.cases_overdue == late_statute + undecided
        assert kpis.cases_over_commitment == late_commitment + undecided
        np.testing.assert_array_equal(cases.on_commitment[decided], on_commitment[decided])


def test_edf_orders_by_the_commitment_when_given():
    """Service ``promised`` (statute 10, commitment 1) goes before ``statutory`` (statute 4).

    Ordered by the statutory limit, a ``statutory`` case accepted on the same day as a waiting
    ``promised`` case would go first; by the commitment it goes after it.
    """
    scenario = overloaded(
        "edf",
        promised={"deadline_days": 10, "commitment_days": 1},
        statutory={"deadline_days": 4},
    )
    cases = wsim.simulate(scenario, replications=1, seed=5).cases
    cases = cases[cases.decided.notna()]
    days = np.where(cases.service == "promised", 1, 4)
    due = due_at(cases.accepted, pd.Series(days, index=cases.index))
    start = cases.decided.to_numpy() - STEP
    accepted = cases.accepted.to_numpy()
    # whenever case i starts while case j waits (accepted before, started later), i is due no
    # later than j: the EDF rule, checked for every pair
    waiting = (accepted[None, :] <= start[:, None]) & (start[None, :] > start[:, None])
    assert (due[:, None] <= due[None, :])[waiting].all()
    # and the pairs on which the statutory order would have chosen the other case exist
    statutory = np.where(cases.service == "promised", 10, 4)
    by_statute = due_at(cases.accepted, pd.Series(statutory, index=cases.index))
    assert (by_statute[:, None] > by_statute[None, :])[waiting].sum() > 20


def _order(within_days: int | None) -> list[str]:
    """The order in which one clerk takes three queued cases on Tuesday morning.

    Monday 09:00 a case of a whole working day (480 min) occupies the clerk; then come
    ``A`` (Monday 10:00, no deadline), ``C`` (10:30, due in 2 working days: end of
    Wednesday) and ``B`` (11:00, due in 1: end of Tuesday), 60 minutes each. At Tuesday
    09:00, with an alert ``within_days`` = 1, only B is alerted (from the end of Monday);
    with 2, B and C (C from the end of Monday, B from before the run); with 0, nobody.
    """
    department: dict = {"staff": 1, "open": "09:00", "close": "17:00"}
    if within_days is not None:
        department["alert"] = {"within_days": within_days}
    scenario = {
        "name": "alert",
        "calendar": {"days": 5, "open": "09:00", "close": "17:00"},
        "services": {"s": {"window_time": 1, "department": "a"}},
        "demand": [{"service": "s", "per_day": 1}],
        "windows": [{"name": "w", "count": 1, "serves": ["s"]}],
        "departments": {"a": department},
    }
    hall, journeys = build_world(wsim.load_scenario(scenario), seed=1, replication=0)
    assert journeys is not None
    env, clerk = hall.env, journeys.departments["a"]
    started: dict[str, float] = {}

    def case(name: str, at: float, work: float, days: int | None):
        yield env.timeout(at - env.now)
        due = journeys._deadline(env.now, days)
        started[name] = yield clerk.request(0, work, due)

    monday = 0.0
    for name, at, work, days in [
        ("X", monday + 540, 480.0, None),
        ("A", monday + 600, 60.0, None),
        ("C", monday + 630, 60.0, 2),
        ("B", monday + 660, 60.0, 1),
    ]:
        env.process(case(name, at, work, days))
    env.run(until=3 * DAY)
    assert started["X"] == monday + 540
    assert journeys._deadline(660.0, 1) == 2 * DAY  # B: the end of Tuesday
    return sorted("ABC", key=started.__getitem__)


@pytest.mark.parametrize(
    ("within_days", "order"),
    [
        (None, ["A", "C", "B"]),  # FIFO
        (0, ["A", "C", "B"]),  # nobody is overdue at Tuesday 09:00
        (1, ["B", "A", "C"]),  # B alerted: it passes A, who came earlier
        (2, ["B", "C", "A"]),  # both alerted: earliest due first, though C came before B
    ],
)
def test_alert_moves_near_deadline_cases_to_the_head(within_days, order):
    assert _order(within_days) == order


def test_alert_rule_holds_ticket_by_ticket():
    """Under load, each case taken is the right one, given the alert times at that moment.

    Service ``fast`` has 1 working day, ``slow`` 4; alerted cases (due within 1: from the end
    of the day before the due day) first, earliest due first; otherwise the earliest accepted
    (FIFO). An alerted ``fast`` case thus passes ``slow`` cases that came before it.
    """
    alert = {"within_days": 1}
    scenario = overloaded("fifo", alert, fast={"deadline_days": 1}, slow={"deadline_days": 4})
    cases = wsim.simulate(scenario, replications=1, seed=2).cases
    cases = cases[cases.decided.notna()]
    days = np.where(cases.service == "fast", 1, 4)
    due = due_at(cases.accepted, pd.Series(days, index=cases.index))
    alert_at = due - DAY
    start = cases.decided.to_numpy() - STEP
    accepted = cases.accepted.to_numpy()
    waiting = (accepted[None, :] <= start[:, None]) & (start[None, :] > start[:, None])
    alerted = alert_at[None, :] <= start[:, None]  # [i, j]: j alerted when i starts
    taken_alerted = np.diag(alerted)
    # an alerted case waits only while another alerted case, due no later, is taken
    passed_over = waiting & alerted
    assert (taken_alerted[:, None] & (due[:, None] <= due[None, :]))[passed_over].all()
    # a case that is not alerted is taken before every waiting case that is not alerted either
    plain = waiting & ~alerted & ~taken_alerted[:, None]
    assert (accepted[:, None] <= accepted[None, :])[plain].all()
    # the rule was exercised: alerted cases passed earlier ones that were not alerted
    overtaken = (
        waiting & ~alerted & taken_alerted[:, None] & (accepted[None, :] < accepted[:, None])
    )
    assert overtaken.sum() > 20


def test_without_the_new_fields_fifo_and_edf_are_as_before():
    """Alert with no deadline anywhere, commitment equal to the statute: nothing changes."""
    base = overloaded("edf", s={"deadline_days": 3})
    same = overloaded("edf", {"within_days": 0}, s={"deadline_days": 3, "commitment_days": 3})
    a = wsim.simulate(base, replications=1, seed=3).cases
    b = wsim.simulate(same, replications=1, seed=3).cases
    # alerted only once overdue, and an overdue case is the earliest due anyway under EDF
    pd.testing.assert_series_equal(a.decided, b.decided)


def test_commitment_longer_than_the_statute_is_refused():
    scenario = overloaded(s={"deadline_days": 3, "commitment_days": 5})
    with pytest.raises(wsim.ScenarioError) as error:
        wsim.load_scenario(scenario)
    message = str(error.value)
    assert "services.s.commitment_days" in message
    assert "at most deadline_days (3)" in message


def test_department_without_staff_free_keeps_its_alerts_for_later():
    """A request while the clerk is busy is queued; the alert is applied when she is free."""
    scenario = overloaded("fifo", {"within_days": 5}, s={"deadline_days": 3})
    hall, journeys = build_world(wsim.load_scenario(scenario), seed=1, replication=0)
    assert journeys is not None
    env, clerk = hall.env, journeys.departments["a"]
    events = [clerk.request(i, 10.0, due) for i, due in enumerate([np.inf, np.inf, DAY])]
    assert clerk.backlog == 2
    env.run(until=100)
    assert [e.value for e in events] == [0.0, 20.0, 10.0]
    assert clerk.backlog == 0
