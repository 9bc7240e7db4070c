"""Reform levers and the portfolio MILP: which candidate changes to choose under a budget.

A levers file beside a baseline declares the candidates (services joining a window group or
going fully online, real-time sharing between department pairs, extra clerks and staff in
steps, whole reform overlays, explicit overlay fragments), their costs, the economics that
price citizens' time, a budget, service targets and rules between levers::

    from wsim.optimize.levers import load_levers, solve_portfolio, Surrogate
    levers = load_levers("scenarios/w_district/levers.yaml")
    levers.names                                  # integrate:..., online:..., sharing:..., ...
    levers.scenario(["integrate:tax_filing", "clerks:market:1"])   # any set is one scenario
    levers.overlay(["reform:security", "online:company_change"], "my portfolio")  # as an overlay
    surrogate = Surrogate(...)                    # costs and predicted KPI effects per lever
    solution = solve_portfolio(surrogate, levers.rules, levers.file_budget(), levers.targets)
    result = portfolio(levers, budget=3e6, replications=10)   # the whole loop, simulated

No module here is called ``portfolio``: :func:`portfolio` (``wsim.optimize.portfolio``, in
:mod:`.run`) runs the whole loop: effects by simulation (:mod:`.effects`, :mod:`.simulate`,
:mod:`.values`), the MILP, verification (:mod:`.verify`) and the frontier (:mod:`.frontier`),
giving a :class:`PortfolioResult` (:mod:`.result`).
"""

from wsim.optimize.levers.brute import enumerate_portfolios
from wsim.optimize.levers.compose import (
    apply_levers,
    changes_between,
    portfolio_overlay,
    write_overlay,
)
from wsim.optimize.levers.lever import Lever, Resources
from wsim.optimize.levers.leverset import LeverSet, load_levers
from wsim.optimize.levers.milp import (
    PortfolioInfeasible,
    PortfolioSolution,
    solve_portfolio,
)
from wsim.optimize.levers.result import PortfolioResult
from wsim.optimize.levers.rules import AtMost, Exclusive, Requires, Rule, without_levers
from wsim.optimize.levers.run import portfolio
from wsim.optimize.levers.surrogate import (
    Budget,
    PortfolioError,
    Surrogate,
    Target,
    annuity_factor,
)

__all__ = [
    "AtMost",
    "Budget",
    "Exclusive",
    "Lever",
    "LeverSet",
    "PortfolioError",
    "PortfolioInfeasible",
    "PortfolioResult",
    "PortfolioSolution",
    "Requires",
    "Resources",
    "Rule",
    "Surrogate",
    "Target",
    "annuity_factor",
    "apply_levers",
    "changes_between",
    "enumerate_portfolios",
    "load_levers",
    "portfolio",
    "portfolio_overlay",
    "solve_portfolio",
    "without_levers",
    "write_overlay",
]
