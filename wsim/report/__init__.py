"""Reports people open in a browser: the comparison report for decision makers, the fit report.

Each is one self-contained HTML file (images embedded, styles inline, no script), written
atomically. :mod:`.comparison` renders a :class:`~wsim.comparison.Comparison`; :mod:`.portfolio`
renders a portfolio run's recommendation among the other options; :mod:`.fit`
renders a fitted scenario with its validation; :mod:`.formatting` writes numbers for people.
"""

from wsim.report.comparison import render_report, report_context, write_report
from wsim.report.fit import write_fit_report
from wsim.report.formatting import format_number, format_percent
from wsim.report.portfolio import write_portfolio_report

__all__ = [
    "format_number",
    "format_percent",
    "render_report",
    "report_context",
    "write_fit_report",
    "write_portfolio_report",
    "write_report",
]
