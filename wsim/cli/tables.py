"""The terminal tables of `wsim compare` and `wsim demo`: the decision and the headline KPIs.

Both use the labels of :mod:`wsim.metrics.catalog` and the words of :mod:`wsim.texts`, in
English or Chinese, and align columns by display width (a Chinese character takes two).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsim.comparison import Comparison
    from wsim.comparison.decision import Decision


def format_decision(decision: Decision, lang: str = "en", width: int = 100) -> str:
    """The decision summary for a terminal: the report's first screen, then its table.

    The table has the report's decision columns, with short headings and their units on a
    second line, so that it fits a terminal; the intervals of the recommended option are in
    the sentences above it.
    """
    from wsim.report.decision_text import decision_rows, shown_columns, summarize
    from wsim.texts import text, wrap

    summary = summarize(decision, lang)

    def para(sentence: str, indent: str = "  ") -> list[str]:
        return [indent + line for line in wrap(sentence, width - len(indent))]

    lines = [summary.budget, summary.headline]
    for sentence in summary.detail:
        lines += para(sentence)
    lines += para(summary.gains_title)
    for label, value, interval in summary.gains:
        lines += para(f"{label}: {value}" + (f" ({interval})" if interval else ""), "    ")
    for sentence in summary.closing:
        lines += para(sentence)
    currency = "元" if lang == "zh" and decision.currency == "CNY" else decision.currency
    columns = shown_columns(decision)
    rows = [[text(f"short.{column}", lang) for column in columns]]
    rows.append([text(f"short_unit.{column}", lang, currency=currency) for column in columns])
    for row in decision_rows(decision, lang):
        cells = [str(row["option"]), ", ".join(row["decision"])]
        rows.append(cells + [row[column]["value"] for column in columns[2:]])
    right = set(range(2, len(columns)))
    return "\n".join(lines) + "\n\n" + _aligned(rows, right=right)


def _aligned(rows: list[list[str]], right: set[int]) -> str:
    """Rows of cells as text columns (`right`: the right-aligned column indices).

    Widths are display widths, so columns with Chinese text line up too.
    """
    from wsim.texts import display_width

    widths = [max(display_width(r[i]) for r in rows if i < len(r)) for i in range(len(rows[0]))]
    lines = []
    for cells in rows:
        parts = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - display_width(cell))
            parts.append(pad + cell if i in right else cell + pad)
        lines.append(("  " + "  ".join(parts)).rstrip())
    return "\n".join(lines)


def format_headline(comparison: Comparison, lang: str = "en") -> str:
    """The terminal table: per option its cost, then per headline KPI mean and change."""
    from wsim.metrics.catalog import kpi_label
    from wsim.texts import text

    summary = comparison.headline()
    costs = comparison.costs().set_index("option")
    blocks = []
    for option in comparison.options:
        rows = []
        for row in summary[summary.option == option].itertuples():
            cells = [kpi_label(row.kpi, lang), _num(row.mean)]
            cells.append(f"[{_num(row.ci_low)}, {_num(row.ci_high)}]")
            if option != comparison.baseline and math.isfinite(row.diff):
                cells += [
                    _num(row.diff),
                    f"[{_num(row.diff_low)}, {_num(row.diff_high)}]",
                    _pct(row.rel_change),
                ]
            rows.append(cells)
        tag = f" ({text('role.baseline', lang)})" if option == comparison.baseline else ""
        blocks.append((f"{option}{tag}  --  cost: {_cost_text(costs.loc[option])}", rows))
    words = ["column.kpi", "column.mean", "column.interval", "column.change"]
    header = [text(key, lang) for key in words]
    header += [text("column.paired_interval", lang), text("column.relative", lang)]
    lines = _aligned([header] + [c for _, rows in blocks for c in rows], right={1, 3, 5})
    lines = lines.split("\n")
    out, position = [lines[0]], 1
    for title, rows in blocks:
        out.append(title)
        out += lines[position : position + len(rows)]
        position += len(rows)
    return "\n".join(out)


def _cost_text(cost: Any) -> str:
    if not cost.one_off and not cost.yearly:
        return "none"
    return f"{cost.one_off:,.0f} one-off + {cost.yearly:,.0f} a year ({cost.currency})"


def _num(value: float) -> str:
    from wsim.report import format_number

    return format_number(value)


def _pct(value: float) -> str:
    return f"{value:+.1%}" if math.isfinite(value) else ""
