"""The what-if page in a real browser: Debian's Chromium, driven by Playwright.

The page of the small hall (3 replications) is served on a free loopback port in this
process. Checked as a planner would use it: the baseline's KPIs appear; adding windows and
running gives a shorter mean wait, equal to what :func:`wsim.comparison.compare` gives on the
saved overlay with the same seed; an invalid value shows the schema's message beside the
field; the saved overlay passes ``wsim validate``; a long run can be cancelled.

Skipped without Playwright or ``/usr/bin/chromium``, except in CI (``CI`` or
``WSIM_REQUIRE_BROWSER`` set), where that is a failure (as tests/test_report_browser.py).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS, sync_playwright_or_skip

from wsim.cli import main
from wsim.comparison import compare
from wsim.serve import WhatIf, create_app
from wsim.serve.runs import Runner
from wsim.serve.server import bind

SMALL = Path(__file__).parent.parent / "scenarios" / "examples" / "small_hall.yaml"
REPS, SEED = 3, 11
#: Milliseconds to wait for a result (3 paired replications of the small hall take ~1 s).
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def server():
    """The page of the small hall on a free loopback port, served from a thread."""
    sync_playwright_or_skip()
    import uvicorn

    whatif = WhatIf(SMALL, replications=REPS, seed=SEED, runner=Runner(workers=1))
    sock = bind("127.0.0.1", 0)
    config = uvicorn.Config(create_app(whatif), log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield whatif, f"http://127.0.0.1:{sock.getsockname()[1]}/"
    uv.should_exit = True
    thread.join(10)
    whatif.runner.close()
    sock.close()


@pytest.fixture(scope="module")
def page(server):
    sync_playwright = sync_playwright_or_skip()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="wsim-chromium-"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
            accept_downloads=True,
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server[1], wait_until="load")
        page.wait_for_selector("#baseline-kpis", timeout=WAIT_MS)
        yield page
        assert not errors, errors
        context.close()


def _lever(server, target: tuple) -> str:
    return next(lever.id for lever in server[0].levers if lever.target == target)


def _run_and_wait(page) -> None:
    count = page.locator("#kept li").count()
    page.click("#run")
    page.wait_for_function(
        f"""() => {{
            const items = document.querySelectorAll('#kept li');
            const busy = ['queued', 'running'];
            return items.length > {count} && !busy.includes(items[0].dataset.state);
        }}""",
        timeout=WAIT_MS,
    )


def test_adding_windows_shortens_the_wait_as_compare_says(server, page, tmp_path):
    morning = _lever(server, ("schedule", "comprehensive", "08:30"))
    page.fill(f"input[name={morning}]", "4")
    _run_and_wait(page)
    row = page.wait_for_selector("article.run tr[data-kpi=hall_wait_mean]", timeout=WAIT_MS)
    shown = float(row.get_attribute("data-diff"))
    assert shown < 0  # two more windows all morning: shorter waits
    assert row.query_selector(".change").inner_text().startswith("-")
    assert "windows open from 08:30: 2 → 4" in page.inner_text(".sentence")
    # save as a reform option: the download is an overlay wsim validate and compare accept
    with page.expect_download() as download:
        page.click("article.run a.save")
    overlay = tmp_path / "option.yaml"
    download.value.save_as(overlay)
    assert main(["validate", str(overlay)]) == 0
    reference = compare({"baseline": SMALL, "option": overlay}, replications=REPS, seed=SEED)
    expected = reference.differences().set_index("kpi").loc["hall_wait_mean", "diff"]
    assert shown == pytest.approx(expected, rel=1e-12)
    page.fill(f"input[name={morning}]", "2")


def test_an_invalid_value_shows_the_message_beside_its_field(server, page):
    lunch = _lever(server, ("schedule", "comprehensive", "12:00"))
    page.fill(f"input[name={lunch}]", "-1")
    page.click("#run")
    message = page.wait_for_selector(f".message[data-for={lunch}]:not(:empty)", timeout=WAIT_MS)
    assert "whole number of windows >= 0, found -1" in message.inner_text()
    page.fill(f"input[name={lunch}]", "1")


def test_a_long_run_can_be_cancelled(server, page):
    page.fill("input[name=replications]", "100")
    page.fill(f"input[name={_lever(server, ('demand', 'pension'))}]", "1.5")
    page.click("#run")
    page.wait_for_function("() => document.getElementById('bar').value > 0", timeout=WAIT_MS)
    page.click("#cancel")
    page.wait_for_selector("#run-stopped", timeout=WAIT_MS)
    assert page.inner_text("#run-stopped") == "The run was cancelled."
    assert page.locator("#kept li").first.get_attribute("data-state") == "cancelled"
