"""The what-if page without a browser: levers, overlays, validation messages, runs, sessions.

On the small hall (scenarios/examples) with 3 replications, through Starlette's TestClient.
The changed scenario of a form is checked against the shipped overlay that makes the same
change (an independent route to the same scenario), and a run's paired change against
:func:`wsim.comparison.compare` on the same overlay and seed.
"""

from __future__ import annotations

import math
import socket
import time
from pathlib import Path

import pytest
import yaml

from wsim.cli import main
from wsim.comparison import compare
from wsim.scenario import ScenarioError, load_scenario
from wsim.scenario.loader import resolve_mapping
from wsim.serve import ServeError, WhatIf, create_app
from wsim.serve.app import MAX_BODY_BYTES
from wsim.serve.levers import scenario_levers
from wsim.serve.overlay import build
from wsim.serve.runs import Runner
from wsim.serve.server import bind, exposure_warning, is_loopback

EXAMPLES = Path(__file__).parent.parent / "scenarios" / "examples"
SMALL = EXAMPLES / "small_hall.yaml"
LUNCH = EXAMPLES / "small_hall_more_windows.yaml"
REPS, SEED = 3, 5
FORM = {"content-type": "application/x-www-form-urlencoded"}
#: Starlette asks for httpx2 in its TestClient; httpx works the same here.
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`")


@pytest.fixture(scope="module")
def whatif():
    page = WhatIf(SMALL, replications=REPS, seed=SEED, runner=Runner(workers=1))
    yield page
    page.runner.close()


@pytest.fixture(scope="module")
def client(whatif):
    from starlette.testclient import TestClient

    return TestClient(create_app(whatif))


def _ids(whatif) -> dict[tuple, str]:
    return {lever.target: lever.id for lever in whatif.levers}


def _wait(client, job: str, timeout: float = 60) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status = client.get(f"/jobs/{job}").json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not finish in {timeout} s")


def _form(**values) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


def test_levers_are_generated_from_the_scenario():
    raw, _ = resolve_mapping(SMALL)
    levers = {lever.target: lever for lever in scenario_levers(raw, load_scenario(SMALL))}
    # the comprehensive group's schedule, band by band, as the file writes it
    bands = {
        t[2]: lever.current for t, lever in levers.items() if t[:2] == ("schedule", "comprehensive")
    }
    assert bands == {"08:30": 2, "12:00": 1, "13:30": 2}
    assert levers[("count", "social_security")].current == 2
    assert levers[("serves", "civil_affairs")].current == (
        "residence_permit",
        "marriage_registration",
    )
    # one demand scale per service, patience as the mean of its distribution (40 min)
    assert sorted(t[1] for t in levers if t[0] == "demand") == sorted(raw["services"])
    assert levers[("patience", True)].current == pytest.approx(40.0)
    assert levers[("patience", True)].unit == "min"
    # no departments or online channel in this scenario: no such levers
    assert not [t for t in levers if t[0] in ("staff", "online", "sync", "outage")]


def test_a_form_change_builds_the_scenario_of_the_equivalent_overlay_file(whatif):
    lunch = _ids(whatif)[("schedule", "comprehensive", "12:00")]
    built = build(whatif.levers, [(lunch, "2")], whatif.raw)
    assert built.ok, built.problems
    assert built.changes == {"windows": [{"name": "comprehensive", "schedule": {"12:00": 2}}]}
    shipped = load_scenario(LUNCH)
    keep = {"name", "description", "cost"}
    assert built.scenario.model_dump(exclude=keep) == shipped.model_dump(exclude=keep)


def test_demand_scale_multiplies_every_stream_of_the_service(whatif):
    pension = _ids(whatif)[("demand", "pension")]
    built = build(whatif.levers, [(pension, "2")], whatif.raw)
    assert built.ok, built.problems
    rates = [d.per_day for d in built.scenario.demand if d.service == "pension"]
    base = [d.per_day for d in whatif.scenario.demand if d.service == "pension"]
    assert rates == [2 * r for r in base] == [110, 30]
    others = [d.per_day for d in built.scenario.demand if d.service != "pension"]
    assert others == [d.per_day for d in whatif.scenario.demand if d.service != "pension"]


def test_an_invalid_value_gets_the_message_a_file_gets(whatif, tmp_path):
    lunch = _ids(whatif)[("schedule", "comprehensive", "12:00")]
    built = build(whatif.levers, [(lunch, "-1")], whatif.raw)
    assert not built.ok
    overlay = tmp_path / "bad.yaml"
    overlay.write_text(
        yaml.safe_dump(
            {
                "base": str(SMALL),
                "changes": {"windows": [{"name": "comprehensive", "schedule": {"12:00": -1}}]},
            }
        )
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(overlay)
    [(_, message)] = error.value.problems
    assert built.problems == {lunch: message}
    assert "whole number of windows >= 0" in message


def test_text_and_empty_sets_are_refused_beside_their_field(whatif):
    ids = _ids(whatif)
    built = build(whatif.levers, [(ids[("demand", "pension")], "lots")], whatif.raw)
    assert built.problems == {ids[("demand", "pension")]: "expected a number, found 'lots'"}
    serves = ids[("serves", "civil_affairs")]
    built = build(whatif.levers, [(serves, "")], whatif.raw)  # every box unticked
    assert list(built.problems) == [serves]
    assert "empty" in built.problems[serves]


def test_a_run_matches_compare_on_the_same_overlay_and_seed(client, whatif, tmp_path):
    morning = _ids(whatif)[("schedule", "comprehensive", "08:30")]
    answer = client.post("/run", content=_form(**{morning: 4, "cost_yearly": 90000}), headers=FORM)
    assert answer.status_code == 202, answer.text
    job = answer.json()["job"]
    assert _wait(client, job)["state"] == "done"
    panel = client.get(f"/jobs/{job}/result").text
    shown = float(panel.split('data-kpi="hall_wait_mean" data-diff="')[1].split('"')[0])
    overlay = tmp_path / "option.yaml"
    overlay.write_text(client.get(f"/jobs/{job}/overlay.yaml").text)
    assert main(["validate", str(overlay)]) == 0
    reference = compare({"baseline": SMALL, "option": overlay}, replications=REPS, seed=SEED)
    expected = reference.differences().set_index("kpi").loc["hall_wait_mean", "diff"]
    assert shown == pytest.approx(expected, rel=1e-12)
    assert shown < 0  # two more windows all morning: shorter waits
    assert load_scenario(overlay).cost.yearly == 90000
    # the same question again is answered from the cache
    again = client.post("/run", content=_form(**{morning: 4}), headers=FORM).json()["job"]
    assert _wait(client, again)["cached"] is True


def test_sessions_do_not_see_each_others_runs(client, whatif):
    from starlette.testclient import TestClient

    job = client.post("/run", content=_form(replications=1), headers=FORM).json()["job"]
    _wait(client, job)
    stranger = TestClient(create_app(whatif))
    assert stranger.get(f"/jobs/{job}").status_code == 404
    assert stranger.get(f"/jobs/{job}/overlay.yaml").status_code == 404
    assert client.get(f"/jobs/{job}").status_code == 200


def test_bodies_and_run_settings_are_bounded(client):
    big = "name=" + "x" * (MAX_BODY_BYTES + 1)
    assert client.post("/run", content=big, headers=FORM).status_code == 413
    answer = client.post("/run", content=_form(replications=10**6, seed=-1), headers=FORM)
    assert answer.status_code == 422
    assert set(answer.json()["problems"]) == {"replications", "seed"}


def test_the_run_size_guard_refuses_a_huge_run(whatif):
    pension = _ids(whatif)[("demand", "pension")]
    from wsim.scenario.limits import RunLimits

    built = build(whatif.levers, [(pension, "10")], whatif.raw, limits=RunLimits(max_tickets=500))
    assert not built.ok
    # the guard's message names the stream that grew: it is shown beside that lever
    assert "tickets" in built.problems[pension]


def test_a_run_can_be_cancelled(whatif):
    runner = Runner(workers=1)
    try:
        job = runner.submit(whatif.scenario, whatif.scenario, "long", seed=1, replications=100)
        while job.done == 0:
            time.sleep(0.01)
        job.cancel()
        end = time.monotonic() + 30
        while job.state in ("queued", "running") and time.monotonic() < end:
            time.sleep(0.02)
        assert job.state == "cancelled"
        assert job.done < job.total
    finally:
        runner.close()


def test_a_used_port_is_refused_with_exit_2(capsys):
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen(1)
    port = held.getsockname()[1]
    try:
        with pytest.raises(ServeError, match="in use"):
            bind("127.0.0.1", port)
        assert main(["serve", str(SMALL), "--port", str(port)]) == 2
        assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err
    finally:
        held.close()


def test_loopback_addresses():
    assert all(map(is_loopback, ("127.0.0.1", "127.3.2.1", "::1", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "192.0.2.1", "example.org")))


def test_a_foreign_address_is_warned_about():
    assert exposure_warning("127.0.0.1") is None
    assert "reachable from other machines" in (exposure_warning("0.0.0.0") or "")


def _children(pid: int) -> set[int]:
    tasks = Path(f"/proc/{pid}/task")
    return {int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_the_command_serves_loopback_and_sigterm_frees_the_workers():
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    command = [sys.executable, "-m", "wsim.cli", "serve", str(SMALL), "--port", "0", "--quiet"]
    command += ["--reps", "2", "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    workers: set[int] = set()
    try:
        assert server.stdout is not None
        line = server.stdout.readline().decode()
        url = line.split(" is at ")[1].strip()
        assert url.startswith("http://127.0.0.1:")  # the default address is the loopback one
        end = time.monotonic() + 60
        while b"baseline-kpis" not in urllib.request.urlopen(url + "baseline").read():
            assert time.monotonic() < end, "the baseline did not finish in 60 s"
            time.sleep(0.1)
        workers = _children(server.pid)
        assert len(workers) >= 2  # the replications ran in worker processes
        server.send_signal(signal.SIGTERM)
        assert server.wait(30) == 0
        assert b"warning" not in server.stderr.read()  # type: ignore[union-attr]
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in workers:  # a failed check leaves no process behind
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)


def test_no_path_from_the_browser_reaches_the_file_system(client, whatif):
    # the static files are the page's own: a way out of their folder is not found
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert "WhatIf" not in answer.text
    # a run's name that looks like a path only names the downloaded file, made safe
    name = '../etc/passwd"; x'
    answer = client.post("/run", content=_form(name=name), headers=FORM)
    assert answer.status_code == 202
    job = answer.json()["job"]
    disposition = client.get(f"/jobs/{job}/overlay.yaml").headers["content-disposition"]
    assert disposition == 'attachment; filename="etc_passwd_x.yaml"'
    assert client.get("/jobs/..%2f..%2fetc%2fpasswd").status_code == 404
    client.post(f"/jobs/{job}/cancel")


JOURNEYS = EXAMPLES / "small_journeys.yaml"


def _journey_levers(raw: dict) -> dict[tuple, object]:
    return {lever.target: lever for lever in scenario_levers(raw, load_scenario(raw))}


def test_each_department_pair_has_a_sync_lever_with_its_rule_today():
    raw, _ = resolve_mapping(JOURNEYS)
    levers = _journey_levers(raw)
    pairs = [t for t in levers if t[0] == "sync_pair"]
    # the workflow hands cases from market to tax and to social (a parallel approval)
    assert pairs == [("sync_pair", "market", "social"), ("sync_pair", "market", "tax")]
    for target in (*pairs, ("sync",)):
        assert levers[target].now == "once a day at 02:00"
        assert levers[target].current is None
    assert levers[("sync",)].label == "every other handoff syncs every"
    # a pair's own rule shows as the pair's value; directions that differ are both shown
    raw["handoffs"]["pairs"] = [
        {"from": "market", "to": "tax", "every": 30},
        {"from": "tax", "to": "market", "every": 30},
        {"from": "market", "to": "social", "mode": "paper", "delay": 60},
    ]
    levers = _journey_levers(raw)
    assert levers[("sync_pair", "market", "tax")].current == 30
    assert levers[("sync_pair", "market", "tax")].now == "every 30 min"
    social = levers[("sync_pair", "market", "social")]
    assert social.current is None
    assert social.now == "on paper (a courier) one way, once a day at 02:00 the other"


def _handovers(scenario) -> list[tuple[str, str, float, float]]:
    """One replication's handoffs: (from, to, began, arrived), by department name."""
    from wsim.model.replication import build_world

    hall, journeys = build_world(scenario, seed=7, replication=0)
    hall.run()
    names = list(scenario.departments)
    return [
        (names[int(a)], names[int(b)], began, arrived)
        for _, a, b, began, arrived in journeys.log((0.0, journeys.end)).handovers
    ]


def test_a_pair_sync_lever_changes_that_pair_only_both_ways(tmp_path):
    """The market-tax lever at 60 min: the overlay a planner would write; simulated.

    Handoff by handoff, exactly: the market -> tax data arrives at the next full hour, and
    the market -> social data still waits for the 02:00 sync, as all data did before.
    """
    raw, _ = resolve_mapping(JOURNEYS)
    scenario = load_scenario(JOURNEYS)
    levers = scenario_levers(raw, scenario)
    lever = next(lever for lever in levers if lever.target == ("sync_pair", "market", "tax"))
    built = build(levers, [(lever.id, "60")], raw)
    assert built.ok, built.problems
    rule = {"mode": "platform", "every": 60, "add": True}
    assert built.changes == {
        "handoffs": {
            "pairs": [
                {"from": "market", "to": "tax", **rule},
                {"from": "tax", "to": "market", **rule},
            ]
        }
    }
    overlay = tmp_path / "hourly.yaml"
    written = {
        "base": str(JOURNEYS),
        "changes": {
            "handoffs": {
                "pairs": [
                    {"from": "market", "to": "tax", "mode": "platform", "every": "1h", "add": True},
                    {"from": "tax", "to": "market", "mode": "platform", "every": "1h", "add": True},
                ]
            }
        },
    }
    overlay.write_text(yaml.safe_dump(written))
    keep = {"name", "description", "cost"}
    assert built.scenario.model_dump(exclude=keep) == load_scenario(overlay).model_dump(
        exclude=keep
    )

    after = _handovers(built.scenario)
    taxed = [(b, a) for s, t, b, a in after if (s, t) == ("market", "tax")]
    social = [(b, a) for s, t, b, a in after if (s, t) == ("market", "social")]
    assert min(len(taxed), len(social)) > 100
    assert all(arrived == math.ceil(began / 60) * 60 for began, arrived in taxed)
    assert all(arrived == _nightly(began) for began, arrived in social)
    before = _handovers(scenario)
    assert all(arrived == _nightly(began) for _, _, began, arrived in before)


def _nightly(began: float) -> float:
    """The first 02:00 sync at or after `began` (minutes from the first midnight)."""
    return math.ceil((began - 120) / 1440) * 1440 + 120


def test_a_pair_entry_of_the_base_is_changed_not_added():
    """A base entry with a nightly sync of its own: the lever changes it and drops its `at`."""
    raw, _ = resolve_mapping(JOURNEYS)
    raw["handoffs"]["pairs"] = [{"from": "market", "to": "tax", "at": "03:00"}]
    levers = scenario_levers(raw, load_scenario(raw))
    lever = next(lever for lever in levers if lever.target == ("sync_pair", "market", "tax"))
    built = build(levers, [(lever.id, "15")], raw)
    assert built.ok, built.problems
    there, back = built.changes["handoffs"]["pairs"]
    assert there == {"from": "market", "to": "tax", "mode": "platform", "every": 15, "at": None}
    assert back == {"from": "tax", "to": "market", "mode": "platform", "every": 15, "add": True}
    rules = {(p.from_, p.to): p for p in built.scenario.handoffs.pairs}
    assert (rules["market", "tax"].every, rules["market", "tax"].at) == (15, None)
    assert rules["tax", "market"].every == 15
    built = build(levers, [(lever.id, "0")], raw)
    assert not built.ok
    assert lever.id in built.problems


def test_the_sentence_names_a_material_change_and_a_saving():
    """A sync lever moves the lead time, not the hall wait: the sentence names the lead time."""
    from wsim.serve.results import sentence

    def row(kpi, verdict):
        return {
            "kpi": kpi,
            "label": kpi,
            "change": "-1",
            "interval": "-2 to 0",
            "verdict": verdict,
            "words": verdict,
        }

    cost = {"per_year": "-421", "per_year_value": -421.0, "currency": "CNY"}
    rows = [
        row("hall_wait_mean", "no material change"),
        row("handoff_wait_hours_mean", "better"),
        row("case_lead_time_days_mean", "better"),
    ]
    text = sentence(["x every: 60 min"], rows, cost)
    assert text.startswith("With x every: 60 min: the case_lead_time_days_mean changes by -1")
    assert text.endswith("it saves 421 CNY a year.")
    quiet = [row("hall_wait_mean", "no material change"), row("other", "uncertain")]
    text = sentence([], quiet, {**cost, "per_year": "10", "per_year_value": 10.0})
    assert text == (
        "With nothing changed: the hall_wait_mean changes by -1 (-2 to 0): no material change; "
        "it costs 10 CNY a year."
    )
