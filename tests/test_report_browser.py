"""The decision report in a real browser: Debian's Chromium, driven by Playwright.

The report of a small comparison is opened at 1400 px (desktop) and 400 px (phone) wide, in
English and in Chinese, and printed on A4. Checked: the page does not overflow sideways, every
image has loaded, the console shows no error, and the first screen holds the recommendation
and no raw KPI identifier. Screenshots (and the PDF) are kept in ``$WSIM_TEST_ARTIFACTS``
(default: a folder under pytest's temporary directory, printed at the end).

Without Playwright or ``/usr/bin/chromium`` the tests are skipped, except in CI (``CI`` or
``WSIM_REQUIRE_BROWSER`` set), where that is a failure: ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS, sync_playwright_or_skip
from test_decision import OPTIONS

from wsim.comparison import compare
from wsim.metrics.catalog import KPIS
from wsim.report import write_report

#: Viewports: a desktop screen and a phone held upright (CSS pixels).
SIZES = {"desktop": (1400, 900), "phone": (400, 800)}
#: A4 at 96 CSS pixels an inch: 210 mm.
A4_WIDTH = 794


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = os.environ.get("WSIM_TEST_ARTIFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("browser-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def reports(artifacts) -> dict[str, Path]:
    """The report of a small comparison with a budget, in English and Chinese."""
    comparison = compare(OPTIONS, replications=3, seed=3)
    budget = {"budget": {"one_off": 5e5}}
    return {
        lang: write_report(
            comparison, artifacts / f"report_{lang}.html", lang=lang, decision=budget
        )
        for lang in ("en", "zh")
    }


@pytest.fixture(scope="module")
def browser():
    sync_playwright = sync_playwright_or_skip()
    with sync_playwright() as playwright:
        yield playwright


def _open(playwright, path: Path, width: int, height: int):
    """A fresh Chromium profile with the page loaded; returns (context, page, console errors)."""
    profile = tempfile.mkdtemp(prefix="wsim-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport={"width": width, "height": height},
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    return context, page, errors


FIRST_SCREEN_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) {
      if (rect.bottom > 0 && rect.top < window.innerHeight && rect.width > 0) {
        parts.push(node.textContent.trim());
        break;
      }
    }
  }
  return parts.join(" ");
}"""


@pytest.mark.parametrize(
    ("lang", "size"), [("en", "desktop"), ("en", "phone"), ("zh", "desktop"), ("zh", "phone")]
)
def test_report_reads_in_a_browser(browser, reports, artifacts, lang, size):
    width, height = SIZES[size]
    context, page, errors = _open(browser, reports[lang], width, height)
    try:
        # no sideways overflow: the page is as wide as the window
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow} px wider than the window"
        # every image loaded (the wide or the narrow variant, as the window chose)
        images = page.evaluate(
            "() => Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0,"
            " i.currentSrc.slice(0, 22)])"
        )
        assert images
        assert all(ok for ok, _ in images), images
        assert all(src == "data:image/png;base64," for _, src in images)
        assert not errors, errors
        # the first screen: the recommendation, whole, and no raw KPI identifier
        box = page.locator("#recommendation").bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= height
        first = page.evaluate(FIRST_SCREEN_TEXT)
        word = "建议采用" if lang == "zh" else "Recommended"
        assert word in page.locator("#recommendation").inner_text()
        assert word in first
        raw = [kpi for kpi in KPIS if re.search(rf"\b{kpi}\b", first)]
        assert not raw, f"raw KPI identifiers on the first screen: {raw}"
        page.screenshot(path=str(artifacts / f"first_screen_{lang}_{size}.png"))
        page.screenshot(path=str(artifacts / f"page_{lang}_{size}.png"), full_page=True)
    finally:
        context.close()
    print(f"screenshots in {artifacts}")


def test_report_prints_on_a4(browser, reports, artifacts):
    context, page, errors = _open(browser, reports["en"], A4_WIDTH, 1123)
    try:
        page.emulate_media(media="print")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the printed page is {overflow} px wider than A4"
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        (artifacts / "report_en.pdf").write_bytes(pdf)
        assert not errors, errors
    finally:
        context.close()
