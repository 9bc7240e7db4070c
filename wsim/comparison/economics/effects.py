"""What citizens gain per year: per-citizen KPI changes as yearly totals, per replication.

Each total is a paired difference (option against baseline, replication by replication) times
a volume per open day and the open days of a year, so that its mean and t-interval over the
replications (:func:`~wsim.comparison.economics.estimate`) are the paired interval, scaled.
See section 2 of ``docs/decision_rules.md``.
"""

from __future__ import annotations

import numpy as np

from wsim.comparison.economics.checks import ArrayLike, as_array, as_positive, paired_length


def yearly_total(change: ArrayLike, per_day: ArrayLike, *, days_per_year: float) -> np.ndarray:
    """A change per citizen (or per case) as a total per year: change x per day x days.

    Parameters
    ----------
    change : float or array
        Change per unit (per ticket, per case), one value or one per paired replication; NaN
        (a replication without the KPI) stays NaN and is left out by :func:`estimate`.
    per_day : float or array
        Units per open day (tickets, cases), one value or one per replication; at least 0.
    days_per_year : float
        Open days per year.

    Returns
    -------
    numpy.ndarray
        The yearly totals, one per replication, in the change's unit.
    """
    delta = as_array("change", change)
    volume = as_array("units per day", per_day, finite=True)
    if (volume < 0).any():
        raise ValueError("units per day must be at least 0")
    paired_length(change=delta, per_day=volume)
    return delta * volume * as_positive("days per year", days_per_year)


def _gain(option: ArrayLike, baseline: ArrayLike, lower_is_better: bool) -> np.ndarray:
    a, b = as_array("option values", option), as_array("baseline values", baseline)
    paired_length(option=a, baseline=b)
    return b - a if lower_is_better else a - b


def waiting_hours_saved(
    option_wait_min: ArrayLike,
    baseline_wait_min: ArrayLike,
    tickets_per_day: ArrayLike,
    *,
    days_per_year: float,
) -> np.ndarray:
    """Citizen-hours of hall waiting saved per year (positive when the option waits less).

    ``(baseline mean wait - option mean wait) [min] x tickets per day x days per year / 60``,
    replication by replication. Pass the tickets of the citizens who come in either case (the
    baseline's, or the option's when it moves citizens away from the hall: then the waiting of
    those who no longer come is not counted as saved, a conservative choice).

    Parameters
    ----------
    option_wait_min, baseline_wait_min : float or array
        Mean wait in the hall (minutes), paired replications.
    tickets_per_day : float or array
        Hall tickets per open day.
    days_per_year : float
        Open days per year.

    Returns
    -------
    numpy.ndarray
        Citizen-hours saved per year, one value per replication.
    """
    change = _gain(option_wait_min, baseline_wait_min, lower_is_better=True)
    return yearly_total(change, tickets_per_day, days_per_year=days_per_year) / 60.0


def trips_avoided(
    option_trips_per_case: ArrayLike,
    baseline_trips_per_case: ArrayLike,
    cases_per_day: ArrayLike,
    *,
    days_per_year: float,
) -> np.ndarray:
    """Hall trips citizens no longer make per year (positive when cases need fewer trips).

    ``(baseline trips per case - option trips per case) x cases per day x days per year``.

    Returns
    -------
    numpy.ndarray
        Trips avoided per year, one value per replication.
    """
    change = _gain(option_trips_per_case, baseline_trips_per_case, lower_is_better=True)
    return yearly_total(change, cases_per_day, days_per_year=days_per_year)


def lead_time_days_saved(
    option_lead_days: ArrayLike,
    baseline_lead_days: ArrayLike,
    cases_per_day: ArrayLike,
    *,
    days_per_year: float,
) -> np.ndarray:
    """Case-days of waiting for a result saved per year (positive when cases finish sooner).

    ``(baseline mean lead time - option mean lead time) [days] x cases per day x days per
    year``; the change per case is the paired difference of the mean lead times itself.

    Returns
    -------
    numpy.ndarray
        Case-days saved per year, one value per replication.
    """
    change = _gain(option_lead_days, baseline_lead_days, lower_is_better=True)
    return yearly_total(change, cases_per_day, days_per_year=days_per_year)


def on_time_cases_gained(
    option_on_time_rate: ArrayLike,
    baseline_on_time_rate: ArrayLike,
    cases_per_day: ArrayLike,
    *,
    days_per_year: float,
) -> np.ndarray:
    """Additional cases decided within their deadline per year (negative when fewer are).

    ``(option on-time rate - baseline on-time rate) x cases per day x days per year``.

    Returns
    -------
    numpy.ndarray
        Cases per year, one value per replication.
    """
    change = _gain(option_on_time_rate, baseline_on_time_rate, lower_is_better=False)
    return yearly_total(change, cases_per_day, days_per_year=days_per_year)
