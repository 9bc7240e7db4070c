"""Labels, words and plots of the decision report: every label in Chinese, plots that read.

Covers the one table of KPI labels (wsim.metrics.catalog), the words of the report, terminal
and plots (wsim.texts), the plots' baseline, axes and narrow variant, the report in Chinese
and the command line's --lang and --budget.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_decision import OPTIONS

from wsim.cli import main
from wsim.comparison import compare, decision_plots, plots
from wsim.comparison.plot_style import NARROW_WIDTH, WIDE_WIDTH, short_names
from wsim.metrics.catalog import (
    HOURLY_LABELS,
    KPI_BETTER,
    KPI_DESCRIPTIONS,
    KPI_MIDS,
    KPIS,
    UNITS,
    kpi_label,
)
from wsim.report import render_report
from wsim.texts import LANGUAGES, TEXTS, display_width, money, placeholders, wrap

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def comparison():
    return compare(OPTIONS, replications=3, seed=3)


def test_every_text_has_every_language_with_the_same_placeholders():
    for key, versions in TEXTS.items():
        assert set(versions) == set(LANGUAGES), key
        assert placeholders(versions["en"]) == placeholders(versions["zh"]), key
        if key != "plots.english" and not key.startswith("short_unit.") and key != "scale.e0":
            assert versions["zh"].strip(), key
            assert versions["en"].strip(), key


def test_chinese_labels_cover_every_label():
    for kpi in KPIS.values():
        assert set(kpi.label) == set(LANGUAGES), kpi.name
        assert CJK.search(kpi.label["zh"]), kpi.name  # a translation, not a copy
        assert kpi.label["en"] != kpi.label["zh"]
        assert kpi.unit in UNITS
    for unit, words in UNITS.items():
        assert set(words) == set(LANGUAGES), unit
    for measure, (label, unit) in HOURLY_LABELS.items():
        assert CJK.search(label["zh"]), measure
        assert unit in UNITS
    chinese = [key for key, versions in TEXTS.items() if CJK.search(versions["zh"])]
    # every text with words has Chinese words (the others are numbers, units or placeholders)
    wordy = [k for k, v in TEXTS.items() if re.search(r"[a-z]{3}", re.sub(r"\{\w+\}", "", v["en"]))]
    assert set(wordy) - {"repro.python", "plots.english"} <= set(chinese)


def test_the_catalog_is_the_one_table(comparison):
    # every KPI a simulation produces is in the catalog, with a description and a MID
    assert set(comparison.kpi_names) <= set(KPIS)
    assert set(KPI_DESCRIPTIONS) == set(KPIS) == set(KPI_MIDS)
    assert all(KPI_MIDS[k] for k in KPIS)
    assert set(KPI_BETTER) <= set(KPIS)
    assert kpi_label("hall_wait_mean") == "mean wait in the hall (min)"
    assert kpi_label("hall_wait_mean", "zh") == "大厅平均等候时间（分钟）"
    assert kpi_label("staff_cost", currency="CNY") == "staff cost over the simulated days (CNY)"
    assert kpi_label("not_a_kpi") == "not_a_kpi"


def test_money_and_wrapping():
    assert money(85680.7) == "85,681 CNY"
    assert money(1112761.8) == "1.11 M CNY"
    assert money(18866690.5) == "18.9 M CNY"
    assert money(1112761.8, lang="zh") == "111.3万元"
    assert money(3.2e8, lang="zh") == "3.20亿元"
    assert money(float("nan")) == "\u2013"
    assert display_width("ab中文") == 6
    lines = wrap("每年节省群众时间每年节省群众时间（万小时）", 20)
    assert all(display_width(line) <= 22 for line in lines)  # a closing bracket may stay
    assert not lines[-1].startswith("）")
    assert wrap("W district, combined package", 12) == ["W district,", "combined", "package"]


def test_short_names_drop_the_common_phrase_only():
    names = ["W district baseline", "W district, one window", "W district, security"]
    prefix, short = short_names(names)
    assert prefix == "W district"
    assert list(short.values()) == ["baseline", "one window", "security"]
    assert short_names(["a x", "b y"]) == ("", {"a x": "a x", "b y": "b y"})
    # no shortening that would make two names equal or one empty
    assert short_names(["W district", "W district, x"])[0] == ""


def test_plots_draw_the_baseline_on_top_and_cut_the_lead_time_axis(comparison):
    figure = plots.hourly_plot(comparison, "wait_mean")
    ax = figure.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    baseline = lines["baseline"]
    others = [line for name, line in lines.items() if name != "baseline"]
    assert baseline.get_zorder() > max(line.get_zorder() for line in others)
    assert baseline.get_linewidth() > max(line.get_linewidth() for line in others)
    assert ax.get_legend_handles_labels()[1][0] == "baseline"  # first in the legend

    figure = plots.lead_time_distribution(comparison)
    leads = np.concatenate(
        [r.cases[r.cases.counted].lead_time_days.dropna() for r in comparison.results.values()]
    )
    assert figure.axes[0].get_xlim()[1] == pytest.approx(np.quantile(leads, 0.99), rel=1e-12)
    assert figure.axes[0].get_xlim()[1] < leads.max()  # the long tail is cut


def test_plots_leave_out_kpis_without_variation_and_have_a_narrow_variant(comparison):
    decision = comparison.decision()
    figure = plots.forest(comparison, verdicts=decision.verdicts)
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    for kpi in decision.constant_kpis:
        assert not any(title.startswith(kpi_label(kpi, unit=False)) for title in titles)
    assert len(titles) == len(
        [k for k in comparison.headline_kpis if k in set(decision.verdicts.kpi)]
    )
    for make in (decision_plots.ce_plane, decision_plots.acceptability_plot):
        wide, narrow = make(decision), make(decision, narrow=True)
        assert wide.get_size_inches()[0] == WIDE_WIDTH
        assert narrow.get_size_inches()[0] == NARROW_WIDTH
        assert narrow.legends  # the legend under the axes, not beside them
    assert decision_plots.acceptability_plot(decision).axes[0].get_xscale() == "log"


def test_report_in_chinese(comparison):
    page = render_report(comparison, lang="zh")
    assert '<html lang="zh-CN">' in page
    for heading in ("成本效果分析", "对群众和工作人员的影响", "技术附录", "群众每年获益"):
        assert heading in page
    for english in ("Cost-effectiveness", "Technical appendix", "What citizens gain"):
        assert english not in page
    for name in comparison.options:  # scenario texts as written
        assert name in page


def test_command_line_language_and_budget(tmp_path, capsys):
    import json

    files = []
    for name, mapping in OPTIONS.items():
        path = tmp_path / f"{name.replace(' ', '_')}.json"
        path.write_text(json.dumps(mapping))
        files.append(str(path))
    out = tmp_path / "out"
    args = ["compare", *files, "--reps", "2", "--seed", "3", "--quiet", "--out", str(out)]
    assert main([*args, "--lang", "zh", "--budget", "5e5"]) == 0
    printed = capsys.readouterr().out
    assert "预算：一次性投入50.0万元。" in printed
    assert "建议采用" in printed
    assert "超出预算" in printed  # the big package
    decision = (out / "decision.csv").read_text()
    assert "recommended" in decision
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "--budget 500000" in page  # the command, to run it again
    with pytest.raises(SystemExit) as bad:  # argparse's exit for a bad option value
        main([*args[:-2], "--budget=-1"])
    assert bad.value.code == 2
    assert "at least 0" in capsys.readouterr().err
