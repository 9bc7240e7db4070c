"""The decision report of a portfolio run: the recommended portfolio among the other options.

``write_portfolio_report(result, "runs/portfolio")`` simulates the baseline, the recommended
portfolio (its overlay, ``portfolio.yaml``) and the other options of the run (the
``against`` scenarios, such as single reform overlays) with the run's seed and replications in
a comparison, and writes the decision report of :mod:`wsim.report.comparison` with the
portfolio as its :class:`~wsim.comparison.decision_settings.PortfolioChoice`: the report
recommends among all options and says whether the portfolio wins, and if not which option
beats it and why. The decision's assumptions are the levers file's economics and the run's
budget, so that the report values citizens' time as the optimizer did.

The comparison keeps its replications in ``<folder>/report/`` (with the tables the report's
plots need), so that writing the report again resumes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wsim.comparison import Comparison, compare
from wsim.comparison.decision_settings import PortfolioChoice
from wsim.comparison.options import Source
from wsim.optimize.levers import PortfolioResult, write_overlay
from wsim.report.comparison import write_report

#: The comparison's name of the recommended portfolio.
PORTFOLIO = "recommended portfolio"


def portfolio_choice(result: PortfolioResult) -> PortfolioChoice:
    """The recommended portfolio as the decision report takes it (option ``PORTFOLIO``)."""
    check = result.recommended
    chosen = tuple(name for name in result.levers.names if name in check.chosen)
    descriptions = {lever.name: lever.description for lever in result.levers.select(chosen)}
    solution = result.main.solution
    status = result.main.status
    if solution is not None:
        status += f"; MILP {solution.status}, gap {solution.gap:.2%}"
    budget = result.main.budget
    return PortfolioChoice(
        option=PORTFOLIO,
        levers=chosen,
        descriptions=descriptions,
        status=status,
        optimal=None if solution is None else solution.optimal,
        budget={
            key: value
            for key, value in (("one_off", budget.one_off), ("yearly", budget.yearly))
            if value is not None
        },
    )


def decision_settings(result: PortfolioResult) -> dict[str, Any]:
    """The levers file's economics in the shape of a scenario's ``decision`` block."""
    economics = result.levers.economics
    value = economics.value_of_time
    return {
        "discount_rate": economics.discount_rate,
        "horizon_years": economics.horizon_years,
        "days_per_year": economics.days_per_year,
        "value_of_time": {
            "wait_hour": value.wait_hour,
            "lead_hour": value.lead_hour,
            "trip": value.trip,
        },
    }


def portfolio_comparison(
    result: PortfolioResult,
    folder: str | os.PathLike,
    options: Mapping[str, Source] | Sequence[Source] = (),
    *,
    workers: int = 1,
    progress: bool | None = None,
) -> Comparison:
    """The baseline, the recommended portfolio and ``options``, on the run's seeds.

    Writes ``portfolio.yaml`` in ``folder`` (if it is not there) and stores the comparison's
    replications in ``folder/report``.
    """
    out = Path(folder)
    overlay = out / "portfolio.yaml"
    if not overlay.is_file():
        out.mkdir(parents=True, exist_ok=True)
        write_overlay(overlay, result.overlay(folder=out))
    named: dict[str, Source] = {"baseline": result.levers.baseline_file, PORTFOLIO: overlay}
    if isinstance(options, Mapping):
        named.update(options)
    else:
        baseline = result.levers.baseline_file.resolve()
        for source in options:
            if not (isinstance(source, (str, os.PathLike)) and Path(source).resolve() == baseline):
                named.setdefault(
                    Path(source).stem
                    if isinstance(source, (str, os.PathLike))
                    else str(len(named)),
                    source,
                )
    return compare(
        named,
        replications=int(result.info.get("replications_per_set", 10)),
        seed=int(result.info.get("seed", 0)),
        workers=workers,
        out=out / "report",
        progress=progress,
    )


def write_portfolio_report(
    result: PortfolioResult,
    folder: str | os.PathLike,
    options: Mapping[str, Source] | Sequence[Source] = (),
    *,
    lang: str = "en",
    workers: int = 1,
    progress: bool | None = None,
) -> Path:
    """Simulate the portfolio with ``options`` and write ``folder/report/report.html``."""
    comparison = portfolio_comparison(result, folder, options, workers=workers, progress=progress)
    return write_report(
        comparison,
        Path(folder) / "report" / "report.html",
        lang=lang,
        decision=decision_settings(result),
        portfolio=portfolio_choice(result),
    )
