"""What an option costs per year: one-off costs annualised, yearly costs, staff cost change.

See section 1 of ``docs/decision_rules.md`` for the formulas and their source.
"""

from __future__ import annotations

import math

import numpy as np

from wsim.comparison.economics.checks import (
    ArrayLike,
    as_array,
    as_number,
    as_positive,
)


def annuity_factor(rate: float, years: float) -> float:
    """Share of a one-off cost to charge each year so that the charges repay it, with interest.

    ``rate / (1 - (1 + rate) ** -years)`` (payments at the end of each year); ``1 / years`` at
    a rate of 0. A one-off cost times this factor is its equivalent annual cost: the present
    value of that amount paid every year for `years` years, discounted at `rate`, equals the
    one-off cost.

    Parameters
    ----------
    rate : float
        Discount rate per year (0.03 = 3%); greater than -1.
    years : float
        Horizon in years over which the one-off cost is spread; greater than 0.

    Returns
    -------
    float
        The factor, per year (0.1172... for 3% over 10 years).
    """
    r = as_number("discount rate", rate)
    n = as_positive("horizon (years)", years)
    if r <= -1:
        raise ValueError(f"discount rate must be greater than -1, got {r:g}")
    if r == 0:
        return 1.0 / n
    # 1 - (1 + r)^-n computed without cancellation for small r
    return r / -math.expm1(-n * math.log1p(r))


def cost_per_year(
    one_off: float,
    yearly: float,
    *,
    rate: float,
    years: float,
    staff_cost_change: ArrayLike | None = None,
    simulated_days: float | None = None,
    days_per_year: float | None = None,
) -> float | np.ndarray:
    """What an option costs per year: annualised one-off cost, yearly cost, staff cost change.

    ``one_off * annuity_factor(rate, years) + yearly
    + staff_cost_change / simulated_days * days_per_year``.

    Parameters
    ----------
    one_off : float
        One-off cost of the option (currency, e.g. CNY); negative for a one-off saving.
    yearly : float
        Yearly cost of the option (currency per year); negative for a saving.
    rate, years : float
        Discount rate per year and horizon in years (see :func:`annuity_factor`).
    staff_cost_change : float or array, optional
        Change in staff cost against the baseline over the simulated days (currency), one
        value or one per paired replication (the ``staff_cost`` KPI of the option minus that of
        the baseline).
    simulated_days : float, optional
        Open days the simulation covered; required with `staff_cost_change`.
    days_per_year : float, optional
        Open days per year of the center, to scale the simulated days to a year; required with
        `staff_cost_change`. (China: 250 working days under the 2008 holiday rules,
        365 - 104 weekend days - 11 holidays; 248 from 2025, with 13 holidays.)

    Returns
    -------
    float or numpy.ndarray
        Cost per year (currency per year): a float, or one value per replication when
        `staff_cost_change` is an array.
    """
    base = as_number("one-off cost", one_off) * annuity_factor(rate, years)
    base += as_number("yearly cost", yearly)
    if staff_cost_change is None:
        return base
    if simulated_days is None or days_per_year is None:
        raise ValueError("a staff cost change needs simulated_days and days_per_year")
    days = as_positive("simulated days", simulated_days)
    per_year = as_positive("days per year", days_per_year)
    change = as_array("staff cost change", staff_cost_change, finite=True)
    total = base + change / days * per_year
    return float(total[0]) if np.ndim(staff_cost_change) == 0 else total
