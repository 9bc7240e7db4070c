"""The W district's own levers file through the whole portfolio loop (slow: the 4-week baseline).

Three levers (two reform overlays, one of them merging the department windows, and a service
fully online) with two replications: the loop runs on the real file, recommends within the
budgets, meets the file's targets in simulation (a hall wait of at most 10 minutes needs the
one-window reform), and is never worse than any simulated lever set the rules and budgets
allow. The full run, every lever and budget, is in docs/portfolio.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wsim.optimize import load_levers, portfolio
from wsim.optimize.levers.verify import check as check_set

W = Path(__file__).resolve().parents[1] / "scenarios" / "w_district"
KEEP = ("reform:parallel_approval", "online:company_change", "reform:one_window")


@pytest.mark.slow
def test_the_w_district_levers_go_through_the_loop(tmp_path):
    levers = load_levers(W / "levers.yaml")
    levers = levers.without([name for name in levers.names if name not in KEEP])
    assert set(levers.names) == set(KEEP)
    result = portfolio(levers, budget=1e6, replications=2, seed=0, out=tmp_path, progress=False)
    check = result.recommended
    assert check.one_off <= 1e6
    assert check.yearly_use(result.main.budget) <= levers.budget.yearly
    assert all(check.targets_met.values())
    effects, budget = result.effects, result.main.budget
    for chosen in effects.runner.sets:
        other = check_set(effects, chosen, levers.targets)
        if levers.allows(chosen) and other.admissible(budget):
            assert check.objective_simulated <= other.objective_simulated + 1e-6, other.label
