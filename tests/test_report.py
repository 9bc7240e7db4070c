"""The HTML report, the plots and the `wsim demo` and `wsim grid` commands."""

from __future__ import annotations

import base64
import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import one_service_hall
from markupsafe import escape
from matplotlib.figure import Figure

from wsim.cli import main
from wsim.comparison import compare
from wsim.metrics.hourly import HOURLY_MEASURES
from wsim.report import render_report, write_report

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
PNG = b"\x89PNG\r\n\x1a\n"


class StrictPage(HTMLParser):
    """Parses a page and records what a browser would trip over or fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter[str] = Counter()
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Count the tag, open it unless void, and record the URLs it would fetch."""
        self.tags[tag] += 1
        if tag not in VOID:
            self.open.append(tag)
        self.urls += [value or "" for key, value in attrs if key in ("src", "href", "srcset")]

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open tag, or record an error if `tag` is not that one."""
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        """Keep the page's text."""
        self.text.append(data)


def parse(page: str) -> StrictPage:
    parser = StrictPage()
    parser.feed(page)
    parser.close()
    assert not parser.errors, parser.errors[:5]
    assert not parser.open, f"unclosed: {parser.open}"
    return parser


NASTY = 'One more window <script>alert("x")</script> & $5 {{ 7*7 }}'


@pytest.fixture(scope="module")
def comparison():
    options = {
        "baseline <b>": one_service_hall(2, name="two windows"),
        NASTY: one_service_hall(3, name=NASTY, cost={"one_off": 1000, "yearly": 50000}),
    }
    return compare(options, replications=3, seed=1)


def test_report_is_one_self_contained_page_with_every_option(comparison, tmp_path):
    path = write_report(comparison, tmp_path / "report.html")
    page = path.read_text(encoding="utf-8")
    parsed = parse(page)
    text = " ".join(parsed.text)
    for option in comparison.options:
        assert option in text  # shown as text ...
        assert str(escape(option)) in page  # ... because it is escaped in the markup
    assert parsed.tags["script"] == 0
    sections = ("Recommended", "Cost-effectiveness", "What changes for citizens and staff")
    sections += ("Options and their costs", "Technical appendix", "Reproducibility")
    for section in sections:
        assert section in text
    assert "What each option changes" in text
    assert "windows[w].count" in text
    for scenario in comparison.scenarios.values():
        assert scenario.digest() in text
    # no network: every image is embedded, and nothing is fetched
    assert all(url.startswith("data:image/png;base64,") for url in parsed.urls)
    # the plane, the acceptability curve, the effects, three hourly plots, and the lead-time
    # and trips plots when cases are recorded; each in a wide (img) and a narrow (source) form
    figures = 8 if comparison.has_cases() else 6
    assert parsed.tags["img"] == figures
    assert parsed.tags["source"] == figures
    for url in parsed.urls:
        assert base64.b64decode(url.split(",", 1)[1]).startswith(PNG)
    if comparison.has_cases():
        assert 'alt="Plot: Lead-time distribution"' in page
        assert 'alt="Plot: Trips per case"' in page


def test_report_without_tables_says_what_it_leaves_out():
    options = {"two": one_service_hall(2, name="two"), "three": one_service_hall(3, name="three")}
    comparison = compare(options, replications=2, seed=1, keep_tables=0)
    text = " ".join(parse(render_report(comparison)).text)
    assert "record no cases" in text  # the lead-time and trips plots are skipped
    assert "use the first 0 of 2 replications" in text


def test_plots_are_figures_for_notebooks(comparison):
    figures = [comparison.plot_effects(), comparison.plot_cost_effect()]
    figures += [comparison.plot_hourly(measure) for measure in HOURLY_MEASURES]
    assert all(isinstance(figure, Figure) for figure in figures)
    hourly = comparison.hourly_summary()
    assert set(hourly.measure) == set(HOURLY_MEASURES)
    utilization = hourly[(hourly.measure == "utilization") & hourly["mean"].notna()]
    # busy over scheduled window-minutes: the 3-window option is less busy in every hour
    by_option = utilization.pivot(index="hour", columns="option", values="mean")
    assert (by_option[NASTY] < by_option["baseline <b>"]).all()


def write_study(folder: Path) -> None:
    """A tiny study folder like scenarios/w_district: baseline.yaml and reforms/*.yaml."""
    (folder / "reforms").mkdir(parents=True)
    (folder / "baseline.yaml").write_text(json.dumps(one_service_hall(2, name="tiny baseline")))
    for windows in (3, 4):
        overlay = {
            "base": "../baseline.yaml",
            "name": f"{windows} windows",
            "cost": {"yearly": 40000 * (windows - 2)},
            "changes": {"windows": [{"name": "w", "count": windows}]},
        }
        (folder / "reforms" / f"w{windows}.yaml").write_text(json.dumps(overlay))


def test_demo_compares_the_study_and_writes_the_report(tmp_path, capsys):
    study, out = tmp_path / "study", tmp_path / "out"
    write_study(study)
    args = ["demo", "--scenarios", str(study), "--out", str(out), "--reps", "2", "--quiet"]
    assert main([*args, "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert f"report: {(out / 'report.html').resolve()}" in printed
    # the decision summary: no budget stated, so the option with the highest net benefit
    assert "No budget was stated" in printed
    assert "Recommended: " in printed
    assert "What citizens gain each year:" in printed
    assert "hours of waiting saved" in printed
    assert "Runner-up: " in printed
    assert "net benefit" in printed
    assert "hall_wait_mean" not in printed  # labels, not raw identifiers
    text = " ".join(parse((out / "report.html").read_text(encoding="utf-8")).text)
    assert "3 windows" in text
    assert "4 windows" in text
    tables = ("summary.csv", "kpis.csv", "costs.csv", "changes.csv", "ranking.csv")
    tables += ("decision.csv", "frontier.csv", "frontier_all.csv", "acceptability.csv")
    for table in (*tables, "verdicts.csv"):
        assert (out / table).is_file()
    # the study changed since: the demo replaces its old results instead of mixing them
    (study / "baseline.yaml").write_text(
        json.dumps(one_service_hall(2, name="tiny baseline", description="new"))
    )
    assert main([*args, "--workers", "1"]) == 0
    assert "starting over" in capsys.readouterr().err


def test_demo_without_a_study_says_where_it_looked(tmp_path, capsys):
    assert main(["demo", "--scenarios", str(tmp_path), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert str(tmp_path) in error
    assert "baseline.yaml" in error
    assert "Traceback" not in error


def test_grid_command_writes_the_curves(tmp_path, capsys):
    base = tmp_path / "hall.yaml"
    base.write_text(json.dumps(one_service_hall(2, name="hall")))
    out = tmp_path / "grid"
    args = ["grid", str(base), "--vary", "windows[w].count=2..3", "--reps", "2", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    assert "hall_wait_mean" in capsys.readouterr().out
    assert (out / "grid.csv").is_file()
    assert (out / "grid_hall_wait_mean.png").is_file()
    assert main(["grid", str(base), "--vary", "windows[x].count=2", "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "no item named 'x'" in error
    assert "Traceback" not in error
