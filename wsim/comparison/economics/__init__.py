"""Decision economics for reform options: what they cost a year, what citizens gain, which to pick.

Leadership chooses one reform option (an overlay scenario with a one-off and a yearly cost) from
paired replications (common random numbers). This package turns those replications into the
quantities health economists use for the same kind of choice (see ``docs/decision_rules.md``
for the formulas and their sources), one module per step:

- :mod:`.costs`: :func:`annuity_factor` and :func:`cost_per_year`: one-off costs spread over a
  horizon at a discount rate, plus yearly costs, plus the change in staff cost scaled to a year;
- :mod:`.effects`: :func:`yearly_total` and its named forms (:func:`waiting_hours_saved`,
  :func:`trips_avoided`, :func:`lead_time_days_saved`, :func:`on_time_cases_gained`):
  per-citizen KPI changes as yearly totals, replication by replication;
- :mod:`.outcomes`: :class:`OptionOutcome` (cost and effect per replication), :func:`estimate`
  (mean and t-interval), :func:`net_benefit` and :func:`net_benefit_table`;
- :mod:`.frontier`: :func:`cost_effectiveness_frontier`: dominance, extended dominance, ICERs;
- :mod:`.acceptability`: :func:`acceptability_curve` and :func:`acceptability_frontier`: the
  probability that each option has the highest net benefit over a range of values;
- :mod:`.significance`: :func:`material_verdict` and :func:`material_verdicts`: better / worse
  only for a change that is both statistically clear and larger than the KPI's minimal
  important difference;
- :mod:`.recommendation`: :func:`recommend`: the option to pick within a :class:`Budget`, the
  runner-up and why it lost.

Everything works on plain numbers, numpy arrays and pandas DataFrames (one value per paired
replication), not on a comparison object. Money is in the currency of the options' costs (CNY
in wsim's scenarios); "per year" means per calendar year of operation.
"""

from wsim.comparison.economics.acceptability import acceptability_curve, acceptability_frontier
from wsim.comparison.economics.checks import ArrayLike
from wsim.comparison.economics.costs import annuity_factor, cost_per_year
from wsim.comparison.economics.effects import (
    lead_time_days_saved,
    on_time_cases_gained,
    trips_avoided,
    waiting_hours_saved,
    yearly_total,
)
from wsim.comparison.economics.frontier import STATUSES, cost_effectiveness_frontier
from wsim.comparison.economics.outcomes import (
    Estimate,
    OptionOutcome,
    estimate,
    net_benefit,
    net_benefit_table,
)
from wsim.comparison.economics.recommendation import (
    REASON_CODES,
    Budget,
    Recommendation,
    recommend,
)
from wsim.comparison.economics.significance import (
    MID_KEYS,
    VERDICTS,
    material_verdict,
    material_verdicts,
    minimal_important_difference,
)

__all__ = [
    "MID_KEYS",
    "REASON_CODES",
    "STATUSES",
    "VERDICTS",
    "ArrayLike",
    "Budget",
    "Estimate",
    "OptionOutcome",
    "Recommendation",
    "acceptability_curve",
    "acceptability_frontier",
    "annuity_factor",
    "cost_effectiveness_frontier",
    "cost_per_year",
    "estimate",
    "lead_time_days_saved",
    "material_verdict",
    "material_verdicts",
    "minimal_important_difference",
    "net_benefit",
    "net_benefit_table",
    "on_time_cases_gained",
    "recommend",
    "trips_avoided",
    "waiting_hours_saved",
    "yearly_total",
]
