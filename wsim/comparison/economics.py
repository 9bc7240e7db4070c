"""Decision economics for reform options: what they cost a year, what citizens gain, which to pick.

Leadership chooses one reform option (an overlay scenario with a one-off and a yearly cost) from
paired replications (common random numbers). This module turns those replications into the
quantities health economists use for the same kind of choice (see ``docs/decision_rules.md``
for the formulas and their sources):

- :func:`annuity_factor` and :func:`cost_per_year`: one-off costs spread over a horizon at a
  discount rate, plus yearly costs, plus the change in staff cost scaled to a year;
- :func:`yearly_total` and its named forms (:func:`waiting_hours_saved`, :func:`trips_avoided`,
  :func:`lead_time_days_saved`, :func:`on_time_cases_gained`): per-citizen KPI changes as yearly
  totals, replication by replication, so that intervals come out (:func:`estimate`);
- :func:`net_benefit` and :func:`net_benefit_table`: value of the effect minus the cost;
- :func:`cost_effectiveness_frontier`: dominance, extended dominance and the ICERs;
- :func:`acceptability_curve` and :func:`acceptability_frontier`: the probability that each option
  has the highest net benefit, over a range of values of citizens' time;
- :func:`material_verdict` and :func:`material_verdicts`: better / worse only for a change that is
  both statistically clear and larger than the KPI's minimal important difference;
- :func:`recommend`: the option to pick within a budget, the runner-up and why it lost.

Everything works on plain numbers, numpy arrays and pandas DataFrames (one value per paired
replication), not on a comparison object. Money is in the currency of the options' costs (CNY
in wsim's scenarios); "per year" means per calendar year of operation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from wsim.errors import unknown_name_message

ArrayLike = float | Sequence[float] | np.ndarray

#: Frontier statuses, in the order health economists list them.
STATUSES: tuple[str, ...] = ("efficient", "extendedly dominated", "dominated")

#: Verdicts of the minimal-important-difference rule (:func:`material_verdict`).
VERDICTS: tuple[str, ...] = ("better", "worse", "uncertain", "no material change", "unknown")

#: Keys of a minimal important difference: absolute (in the KPI's unit) or relative to the
#: baseline mean (a fraction, 0.05 = 5%).
MID_KEYS: tuple[str, ...] = ("abs", "rel")

#: Why a runner-up lost (:attr:`Recommendation.reason_code`).
REASON_CODES: tuple[str, ...] = (
    "over budget",
    "dominated",
    "extendedly dominated",
    "lower net benefit",
    "equal net benefit",
)

# Net benefits within this fraction of the best (or of 1 CNY, whichever is larger) count as a
# tie: real ties (identical options, or two options at a lambda equal to their ICER) differ only
# by floating-point rounding, which is many orders of magnitude smaller.
_TIE_RTOL = 1e-9
# Relative tolerance for "on the line between two frontier points" (collinear points stay
# efficient); again only rounding is meant.
_COLLINEAR_RTOL = 1e-12


# --- checks ------------------------------------------------------------------------------------


def _number(name: str, value: object) -> float:
    """`value` as a finite float, or a ValueError naming `name`."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


def _positive(name: str, value: object) -> float:
    number = _number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be greater than 0, got {number:g}")
    return number


def _non_negative(name: str, value: object) -> float:
    number = _number(name, value)
    if number < 0:
        raise ValueError(f"{name} must be at least 0, got {number:g}")
    return number


def _array(name: str, values: ArrayLike, finite: bool = False) -> np.ndarray:
    """`values` as a 1-d float array (a single number gives one element)."""
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {values!r}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one number or a 1-d sequence, got shape {array.shape}")
    if finite and not np.isfinite(array).all():
        bad = np.flatnonzero(~np.isfinite(array))
        raise ValueError(f"{name} must be finite numbers; not at position(s) {bad.tolist()}")
    return array


def _paired(**arrays: np.ndarray) -> int:
    """The common length of arrays that are one value or one value per replication."""
    lengths = {name: a.size for name, a in arrays.items() if a.size != 1}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name}: {n}" for name, n in lengths.items())
        raise ValueError(f"paired values need one value per replication each, got {listed}")
    return next(iter(lengths.values()), 1)


def _check_confidence(confidence: float) -> float:
    level = _number("confidence", confidence)
    if not 0 < level < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {level:g}")
    return level


# --- intervals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its Student-t confidence interval.

    Attributes
    ----------
    mean, low, high : float
        The mean and the interval bounds, in the unit of the values; the bounds are NaN with
        fewer than two values.
    n : int
        How many finite values went in.
    """

    mean: float
    low: float
    high: float
    n: int


def estimate(values: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Mean and t-interval of the finite `values` (one per replication; NaN ones are left out).

    With paired replications, the values of a difference (option minus baseline, replication by
    replication) give the paired interval.
    """
    level = _check_confidence(confidence)
    x = _array("values", values)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return Estimate(mean, mean - half, mean + half, n)


# --- 1. annualisation --------------------------------------------------------------------------


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
    r = _number("discount rate", rate)
    n = _positive("horizon (years)", years)
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
    base = _number("one-off cost", one_off) * annuity_factor(rate, years)
    base += _number("yearly cost", yearly)
    if staff_cost_change is None:
        return base
    if simulated_days is None or days_per_year is None:
        raise ValueError("a staff cost change needs simulated_days and days_per_year")
    days = _positive("simulated days", simulated_days)
    per_year = _positive("days per year", days_per_year)
    change = _array("staff cost change", staff_cost_change, finite=True)
    total = base + change / days * per_year
    return float(total[0]) if np.ndim(staff_cost_change) == 0 else total


# --- 2. per-citizen effects as yearly totals ---------------------------------------------------


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
    delta = _array("change", change)
    volume = _array("units per day", per_day, finite=True)
    if (volume < 0).any():
        raise ValueError("units per day must be at least 0")
    _paired(change=delta, per_day=volume)
    return delta * volume * _positive("days per year", days_per_year)


def _gain(option: ArrayLike, baseline: ArrayLike, lower_is_better: bool) -> np.ndarray:
    a, b = _array("option values", option), _array("baseline values", baseline)
    _paired(option=a, baseline=b)
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


# --- options and net benefit -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OptionOutcome:
    """One option's cost per year and effect per year, per paired replication.

    Attributes
    ----------
    name : str
        The option's name.
    cost : float or array
        Cost per year against the baseline (currency per year, e.g. from
        :func:`cost_per_year`); it may be a net cost (cost minus monetised other benefits).
    effect : float or array
        Effect per year against the baseline, in one unit for all options (e.g. citizen-hours
        saved per year from :func:`waiting_hours_saved`); larger is better.
    one_off : float
        One-off cost (currency), checked against a one-off budget.
    yearly : float
        Yearly cost (currency per year), checked against a yearly budget: the declared yearly
        cost, plus the change in staff cost per year if the budget pays staff.

    A single number stands for the same value in every replication; arrays of different
    options are paired replication by replication and must have the same length.
    """

    name: str
    cost: ArrayLike
    effect: ArrayLike
    one_off: float = 0.0
    yearly: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"an option needs a name, got {self.name!r}")
        cost = _array(f"cost of option {self.name!r}", self.cost)
        effect = _array(f"effect of option {self.name!r}", self.effect)
        _paired(cost=cost, effect=effect)
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "effect", effect)
        object.__setattr__(self, "one_off", _number(f"one-off cost of {self.name!r}", self.one_off))
        object.__setattr__(self, "yearly", _number(f"yearly cost of {self.name!r}", self.yearly))


def _replications(options: Sequence[OptionOutcome]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Names and (option x replication) cost and effect matrices over complete replications.

    Replications where any option has a non-finite cost or effect are left out, so that every
    option is judged on the same replications.
    """
    options = list(options)
    if not options:
        raise ValueError("no options given")
    names = [option.name for option in options]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"option names must be unique; repeated: {', '.join(repeated)}")
    sizes = {o.name: max(o.cost.size, o.effect.size) for o in options}
    varying = {size for size in sizes.values() if size != 1}
    if len(varying) > 1:
        listed = ", ".join(f"{name!r}: {size}" for name, size in sizes.items())
        raise ValueError(f"options need the same number of paired replications, got {listed}")
    n = varying.pop() if varying else 1
    cost = np.vstack([np.broadcast_to(o.cost, n) for o in options])
    effect = np.vstack([np.broadcast_to(o.effect, n) for o in options])
    complete = np.isfinite(cost).all(axis=0) & np.isfinite(effect).all(axis=0)
    if not complete.any():
        raise ValueError("no replication has a finite cost and effect for every option")
    return names, cost[:, complete], effect[:, complete]


def net_benefit(effect: ArrayLike, cost: ArrayLike, value: float) -> np.ndarray:
    """Net (monetary) benefit ``value x effect - cost``, element by element.

    Parameters
    ----------
    effect : float or array
        Effect per year (e.g. citizen-hours saved per year).
    cost : float or array
        Cost per year (currency per year).
    value : float
        Value of one unit of effect (currency per unit, e.g. CNY per citizen-hour); at least 0.

    Returns
    -------
    numpy.ndarray
        Net benefit, currency per year.
    """
    e, c = _array("effect", effect), _array("cost", cost)
    _paired(effect=e, cost=c)
    return _non_negative("value of the effect", value) * e - c


def net_benefit_table(
    options: Sequence[OptionOutcome], value: float, baseline: str, confidence: float = 0.95
) -> pd.DataFrame:
    """Per option: cost, effect and net benefit with intervals, and the paired gain over baseline.

    Columns: ``option, n`` (replications used), ``cost, cost_low, cost_high`` (currency per
    year), ``effect, effect_low, effect_high`` (effect units per year), ``nb, nb_low, nb_high``
    (net benefit at `value`, currency per year) and ``inb, inb_low, inb_high``: the incremental
    net benefit against `baseline`, replication by replication (the paired interval).
    """
    names, cost, effect = _replications(options)
    if baseline not in names:
        raise ValueError(unknown_name_message("baseline option", baseline, names))
    nb = _non_negative("value of the effect", value) * effect - cost
    base = nb[names.index(baseline)]
    rows = []
    for i, name in enumerate(names):
        row: dict[str, object] = {"option": name, "n": cost.shape[1]}
        for column, values in (("cost", cost[i]), ("effect", effect[i]), ("nb", nb[i])):
            est = estimate(values, confidence)
            row |= {column: est.mean, f"{column}_low": est.low, f"{column}_high": est.high}
        gain = estimate(nb[i] - base, confidence)
        row |= {"inb": gain.mean, "inb_low": gain.low, "inb_high": gain.high}
        rows.append(row)
    return pd.DataFrame(rows)


# --- 4. the cost-effectiveness frontier --------------------------------------------------------


def cost_effectiveness_frontier(
    options: Sequence[str], cost: ArrayLike, effect: ArrayLike
) -> pd.DataFrame:
    """Options ordered by cost, dominated ones marked, and the ICERs along the efficient frontier.

    An option is *dominated* (strongly) when another costs no more and is at least as effective,
    and is better on one of the two; *extendedly dominated* when, after those are set aside, its
    ICER is higher than that of the next more effective option: a mix of its two neighbours on
    the frontier would give more effect for less. The remaining options are *efficient*; the
    ICER of each is its incremental cost per unit of incremental effect against the next cheaper
    efficient option.

    Conventions: options with the same cost and effect are one point (all efficient, or all
    dominated, together); an option on the straight line between two efficient neighbours
    (equal ICERs) is efficient; the cheapest option (the most effective one among equally
    cheap ones) is always efficient and has no ICER.

    Parameters
    ----------
    options : sequence of str
        Option names (unique).
    cost : array
        Expected cost per year of each option (currency per year), e.g. against the baseline.
    effect : array
        Expected effect per year of each option (effect units per year), larger is better.

    Returns
    -------
    pandas.DataFrame
        One row per option, by cost (then effect, most effective first): ``option, cost,
        effect, status`` (one of :data:`STATUSES`), ``dominated_by`` (a tuple: the cheapest
        option that dominates it, or the two efficient options whose mix extendedly dominates
        it; empty for efficient ones), ``icer`` (currency per effect unit; NaN off the frontier
        and for the first efficient option), ``icer_vs`` (the option the ICER is against),
        ``inc_cost`` and ``inc_effect`` (against that option).
    """
    names = [str(name) for name in options]
    c = _array("cost", cost, finite=True)
    e = _array("effect", effect, finite=True)
    if not names:
        raise ValueError("no options given")
    if not (len(names) == c.size == e.size):
        raise ValueError(
            f"need one cost and one effect per option: {len(names)} options, "
            f"{c.size} costs, {e.size} effects"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"option names must be unique; repeated: {', '.join(repeated)}")

    order = [int(i) for i in np.lexsort((np.arange(c.size), -e, c))]  # cost up, effect down
    rank = {i: k for k, i in enumerate(order)}
    status = ["efficient"] * c.size
    dominated_by: list[tuple[str, ...]] = [()] * c.size
    for j in order:
        dominators = [
            i for i in order if c[i] <= c[j] and e[i] >= e[j] and (c[i] < c[j] or e[i] > e[j])
        ]
        if dominators:
            status[j] = "dominated"
            dominated_by[j] = (names[min(dominators, key=rank.__getitem__)],)

    # distinct points of the undominated options, by cost (their effect then rises strictly)
    points: list[list[int]] = []
    for i in order:
        if status[i] != "efficient":
            continue
        if points and c[points[-1][0]] == c[i] and e[points[-1][0]] == e[i]:
            points[-1].append(i)
        else:
            points.append([i])

    # the lower convex hull from the cheapest point: pop a point whose ICER exceeds the next one
    hull: list[list[int]] = []
    for point in points:
        while len(hull) >= 2 and _icer_falls(hull[-2][0], hull[-1][0], point[0], c, e):
            for i in hull.pop():
                status[i] = "extendedly dominated"
        hull.append(point)
    for k in range(1, len(hull)):
        low, high = hull[k - 1][0], hull[k][0]
        for point in points:
            if e[low] < e[point[0]] < e[high] and status[point[0]] == "extendedly dominated":
                for i in point:
                    dominated_by[i] = (names[low], names[high])

    icer = np.full(c.size, np.nan)
    inc_cost = np.full(c.size, np.nan)
    inc_effect = np.full(c.size, np.nan)
    icer_vs: list[str | None] = [None] * c.size
    for k in range(1, len(hull)):
        previous = hull[k - 1][0]
        for i in hull[k]:
            inc_cost[i] = c[i] - c[previous]
            inc_effect[i] = e[i] - e[previous]
            icer[i] = inc_cost[i] / inc_effect[i]
            icer_vs[i] = names[previous]
    return pd.DataFrame(
        {
            "option": [names[i] for i in order],
            "cost": c[order],
            "effect": e[order],
            "status": [status[i] for i in order],
            "dominated_by": [dominated_by[i] for i in order],
            "icer": icer[order],
            "icer_vs": [icer_vs[i] for i in order],
            "inc_cost": inc_cost[order],
            "inc_effect": inc_effect[order],
        }
    )


def _icer_falls(a: int, b: int, p: int, c: np.ndarray, e: np.ndarray) -> bool:
    """Whether ICER(a -> b) is higher than ICER(b -> p) (effects strictly rising a, b, p).

    Compared cross-multiplied (both effect gains are positive), so no division is needed.
    """
    left = (c[b] - c[a]) * (e[p] - e[b])
    right = (c[p] - c[b]) * (e[b] - e[a])
    return bool(left - right > _COLLINEAR_RTOL * max(abs(left), abs(right)))


# --- 5. acceptability --------------------------------------------------------------------------


def _values(values: ArrayLike) -> np.ndarray:
    lam = _array("values of the effect", values, finite=True)
    if lam.size == 0:
        raise ValueError("values of the effect: give at least one value")
    if (lam < 0).any():
        raise ValueError("values of the effect must be at least 0")
    return lam


def _best_shares(nb: np.ndarray) -> np.ndarray:
    """For net benefits (..., option, replication): 1/k for each of the k best options, else 0."""
    best = nb.max(axis=-2, keepdims=True)
    scale = np.maximum(np.abs(nb).max(axis=-2, keepdims=True), 1.0)
    tied = nb >= best - _TIE_RTOL * scale
    return tied / tied.sum(axis=-2, keepdims=True)


def acceptability_curve(options: Sequence[OptionOutcome], values: ArrayLike) -> pd.DataFrame:
    """Probability that each option has the highest net benefit, at each value of the effect.

    For each value lambda (currency per effect unit, e.g. CNY per citizen-hour) and each paired
    replication, the option(s) with the highest net benefit ``lambda x effect - cost`` win
    that replication (k tied options get 1/k each); an option's probability is its share of the
    replications. The probabilities sum to 1 over the options at every lambda.

    Returns
    -------
    pandas.DataFrame
        Columns ``value, option, probability``, by value then option order.
    """
    names, cost, effect = _replications(options)
    lam = _values(values)
    nb = lam[:, None, None] * effect[None] - cost[None]  # (value, option, replication)
    probability = _best_shares(nb).mean(axis=-1)
    return pd.DataFrame(
        {
            "value": np.repeat(lam, len(names)),
            "option": names * lam.size,
            "probability": probability.ravel(),
        }
    )


def acceptability_frontier(options: Sequence[OptionOutcome], values: ArrayLike) -> pd.DataFrame:
    """The option with the highest expected net benefit at each value of the effect.

    The decision rule under uncertainty is to pick the option with the highest *expected* net
    benefit (not the one most often best); this gives it with its probability of being the best
    (the cost-effectiveness acceptability frontier). Equal expected net benefits go to the
    option with the lower expected cost, then to the first given.

    Returns
    -------
    pandas.DataFrame
        Columns ``value, option, expected_nb`` (currency per year), ``probability``.
    """
    names, cost, effect = _replications(options)
    lam = _values(values)
    nb = lam[:, None, None] * effect[None] - cost[None]
    probability = _best_shares(nb).mean(axis=-1)
    expected = nb.mean(axis=-1)  # (value, option)
    mean_cost = cost.mean(axis=-1)
    rows = []
    for k, value in enumerate(lam):
        best = _argbest(expected[k], mean_cost)
        rows.append(
            {
                "value": value,
                "option": names[best],
                "expected_nb": expected[k, best],
                "probability": probability[k, best],
            }
        )
    return pd.DataFrame(rows, columns=["value", "option", "expected_nb", "probability"])


def _argbest(nb: np.ndarray, cost: np.ndarray, among: np.ndarray | None = None) -> int:
    """Index of the highest `nb` (ties within rounding: lower cost, then first) among `among`."""
    candidates = np.arange(nb.size) if among is None else np.flatnonzero(among)
    best = nb[candidates].max()
    scale = max(np.abs(nb[candidates]).max(), 1.0)
    tied = candidates[nb[candidates] >= best - _TIE_RTOL * scale]
    return int(tied[np.argmin(cost[tied])])  # argmin takes the first of equal costs


# --- 6. minimal important differences ----------------------------------------------------------


def minimal_important_difference(spec: Mapping[str, float], baseline_mean: float) -> float:
    """The absolute threshold of a minimal important difference.

    Parameters
    ----------
    spec : mapping
        ``{"abs": a}`` (in the KPI's unit), ``{"rel": r}`` (fraction of the baseline mean) or
        both; with both, a change must exceed each (the threshold is the larger).
    baseline_mean : float
        Mean of the KPI in the baseline, used by ``rel``; NaN makes a ``rel`` threshold NaN.

    Returns
    -------
    float
        ``max(a, r x |baseline mean|)`` over the keys given, in the KPI's unit.
    """
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError(
            f"a minimal important difference is a mapping such as {{'abs': 1.0}} or "
            f"{{'rel': 0.05}}, got {spec!r}"
        )
    thresholds = []
    for key, amount in spec.items():
        if key not in MID_KEYS:
            raise ValueError(
                unknown_name_message("minimal important difference key", key, MID_KEYS)
            )
        size = _non_negative(f"minimal important difference {key!r}", amount)
        thresholds.append(size if key == "abs" else size * abs(float(baseline_mean)))
    return max(thresholds) if not any(math.isnan(t) for t in thresholds) else math.nan


def _direction(direction: object) -> str:
    if direction not in ("lower", "higher"):
        raise ValueError(
            f"direction must be 'lower' or 'higher' (which is better), got {direction!r}"
        )
    return str(direction)


def material_verdict(
    diff: float,
    low: float,
    high: float,
    *,
    direction: str,
    mid: Mapping[str, float],
    baseline_mean: float = math.nan,
) -> str:
    """Whether a change of a KPI is materially better or worse than the baseline.

    With ``m`` the minimal important difference (:func:`minimal_important_difference`):

    - ``"better"`` / ``"worse"``: the paired interval ``[low, high]`` excludes 0 and
      ``|diff| > m``; better when the change goes in the KPI's better `direction`;
    - ``"uncertain"``: ``|diff| > m`` but the interval includes 0 (or is unknown);
    - ``"no material change"``: ``|diff| <= m``, whatever the interval;
    - ``"unknown"``: the change or its threshold is not known (NaN).

    Parameters
    ----------
    diff, low, high : float
        Mean paired change (option - baseline) and its interval, in the KPI's unit.
    direction : {"lower", "higher"}
        Which direction of the KPI is better.
    mid : mapping
        The KPI's minimal important difference, ``{"abs": a}`` and/or ``{"rel": r}``.
    baseline_mean : float
        Baseline mean of the KPI, needed for a relative threshold.
    """
    table = pd.DataFrame(
        {
            "kpi": ["kpi"],
            "diff": [diff],
            "diff_low": [low],
            "diff_high": [high],
            "baseline_mean": [baseline_mean],
            "direction": [direction],
        }
    )
    return str(material_verdicts(table, {"kpi": mid})["verdict"].iloc[0])


def material_verdicts(table: pd.DataFrame, mids: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """The rule of :func:`material_verdict` for every row of a table of changes.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``kpi, diff, diff_low, diff_high, baseline_mean, direction`` (others are kept).
    mids : mapping
        Minimal important difference per KPI, e.g. ``{"hall_wait_mean": {"abs": 1.0},
        "case_lead_time_days_mean": {"rel": 0.05}}``; every KPI of the table needs one.

    Returns
    -------
    pandas.DataFrame
        A copy of `table` with ``mid`` (the absolute threshold used, in the KPI's unit) and
        ``verdict`` (one of :data:`VERDICTS`).
    """
    needed = ["kpi", "diff", "diff_low", "diff_high", "baseline_mean", "direction"]
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise ValueError(f"the table of changes lacks column(s): {', '.join(missing)}")
    for kpi in table["kpi"].unique():
        if kpi not in mids:
            raise ValueError(
                f"no minimal important difference for KPI {kpi!r}; given for: "
                f"{', '.join(map(str, mids)) or '(none)'}"
            )
    lower = np.array([_direction(d) == "lower" for d in table["direction"]], dtype=bool)
    mid = np.array(
        [
            minimal_important_difference(mids[kpi], base)
            for kpi, base in zip(table["kpi"], table["baseline_mean"].astype(float), strict=True)
        ],
        dtype=float,
    )
    diff = table["diff"].to_numpy(dtype=float)
    low = table["diff_low"].to_numpy(dtype=float)
    high = table["diff_high"].to_numpy(dtype=float)
    known = np.isfinite(diff) & ~np.isnan(mid)
    material = known & (np.abs(diff) > mid)
    clear = (low > 0) | (high < 0)  # False for NaN bounds
    improves = (diff < 0) == lower
    verdict = np.select(
        [~known, material & clear & improves, material & clear, material],
        ["unknown", "better", "worse", "uncertain"],
        default="no material change",
    )
    out = table.copy()
    out["mid"] = mid
    out["verdict"] = verdict
    return out


# --- 7. the recommendation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """What the decision maker can spend; ``None`` for no limit.

    Attributes
    ----------
    one_off : float, optional
        One-off budget (currency).
    yearly : float, optional
        Yearly budget (currency per year).
    """

    one_off: float | None = None
    yearly: float | None = None

    def __post_init__(self) -> None:
        for name in ("one_off", "yearly"):
            amount = getattr(self, name)
            if amount is not None:
                object.__setattr__(self, name, _number(f"{name} budget", amount))

    def excess(self, option: OptionOutcome, currency: str = "CNY") -> str:
        """Plain words on how `option` exceeds this budget, or ``""`` when it fits."""
        parts = []
        if self.one_off is not None and option.one_off > self.one_off:
            parts.append(
                f"its one-off cost {_money(option.one_off, currency)} is over the one-off "
                f"budget of {_money(self.one_off, currency)}"
            )
        if self.yearly is not None and option.yearly > self.yearly:
            parts.append(
                f"its yearly cost {_money(option.yearly, currency)}/year is over the yearly "
                f"budget of {_money(self.yearly, currency)}/year"
            )
        return " and ".join(parts)


@dataclass(frozen=True, eq=False)
class Recommendation:
    """The option to pick, the runner-up and why it lost.

    Attributes
    ----------
    option : str
        The recommended option: the highest expected net benefit among those within the budget
        (equal ones: the lower expected cost, then the first given).
    net_benefit : Estimate
        Its net benefit (currency per year) at `value`, with interval.
    runner_up : str or None
        The option with the next highest expected net benefit, within the budget or not
        (``None`` with a single option).
    runner_up_net_benefit : Estimate or None
        The runner-up's net benefit (currency per year).
    advantage : Estimate or None
        Net benefit of the recommended option minus that of the runner-up, replication by
        replication (currency per year): the paired interval.
    reason_code : str or None
        Why the runner-up lost, one of :data:`REASON_CODES`.
    reason : str
        The same in plain words, with the figures.
    value : float
        The value of one effect unit used (currency per effect unit).
    table : pandas.DataFrame
        Per option: :func:`net_benefit_table` columns, ``within_budget``, ``over_budget`` (the
        words, or ``""``) and the frontier ``status`` and ``dominated_by`` over all options.
    """

    option: str
    net_benefit: Estimate
    runner_up: str | None
    runner_up_net_benefit: Estimate | None
    advantage: Estimate | None
    reason_code: str | None
    reason: str
    value: float
    table: pd.DataFrame


def recommend(
    options: Sequence[OptionOutcome],
    value: float,
    *,
    baseline: str,
    budget: Budget | None = None,
    effect_unit: str = "units of effect",
    currency: str = "CNY",
    confidence: float = 0.95,
) -> Recommendation:
    """Pick the option with the highest expected net benefit at `value` within `budget`.

    The runner-up is the option with the next highest expected net benefit (within the budget
    or not). Why it lost, checked in this order: it is over the budget; it costs no less for no
    more effect than another option within the budget (dominated); a mix of two options within
    the budget gives more for less (extendedly dominated); otherwise its net benefit is lower
    (or equal, and it costs more) by the amount given.

    Parameters
    ----------
    options : sequence of OptionOutcome
        The options, the baseline among them (usually with zero cost and effect).
    value : float
        Value of one effect unit (currency per effect unit, e.g. CNY per citizen-hour).
    baseline : str
        Name of the baseline option (doing nothing is always a choice).
    budget : Budget, optional
        One-off and/or yearly budget; options over it are not recommended.
    effect_unit : str
        Plural name of the effect unit for the reason ("citizen-hours").
    currency : str
        Currency for the reason.
    confidence : float
        Level of the intervals.
    """
    options = list(options)
    value = _non_negative("value of the effect", value)
    budget = budget or Budget()
    table = net_benefit_table(options, value, baseline, confidence)
    names, cost, effect = _replications(options)
    nb = value * effect - cost
    mean_nb, mean_cost, mean_effect = nb.mean(axis=1), cost.mean(axis=1), effect.mean(axis=1)
    excess = [budget.excess(option, currency) for option in options]
    within = np.array([not words for words in excess])
    if not within.any():
        raise ValueError("no option is within the budget (not even the baseline)")
    frontier = cost_effectiveness_frontier(names, mean_cost, mean_effect).set_index("option")
    table["within_budget"] = within
    table["over_budget"] = excess
    table["status"] = table["option"].map(frontier["status"])
    table["dominated_by"] = table["option"].map(frontier["dominated_by"])

    best = _argbest(mean_nb, mean_cost, within)
    chosen = Recommendation(
        option=names[best],
        net_benefit=estimate(nb[best], confidence),
        runner_up=None,
        runner_up_net_benefit=None,
        advantage=None,
        reason_code=None,
        reason="",
        value=value,
        table=table,
    )
    others = np.arange(len(names)) != best
    if not others.any():
        return chosen
    second = _argbest(mean_nb, mean_cost, others)
    code, reason = _why_lost(
        second,
        best,
        names,
        mean_cost,
        mean_effect,
        mean_nb,
        within,
        excess,
        value,
        effect_unit,
        currency,
    )
    return Recommendation(
        option=names[best],
        net_benefit=chosen.net_benefit,
        runner_up=names[second],
        runner_up_net_benefit=estimate(nb[second], confidence),
        advantage=estimate(nb[best] - nb[second], confidence),
        reason_code=code,
        reason=reason,
        value=value,
        table=table,
    )


def _why_lost(
    loser: int,
    winner: int,
    names: list[str],
    cost: np.ndarray,
    effect: np.ndarray,
    nb: np.ndarray,
    within: np.ndarray,
    excess: list[str],
    value: float,
    unit: str,
    currency: str,
) -> tuple[str, str]:
    """(reason code, plain words) for why option `loser` is not the recommendation."""
    if not within[loser]:
        return "over budget", f"{names[loser]} is over the budget: {excess[loser]}"
    inside = np.flatnonzero(within)
    frontier = cost_effectiveness_frontier(
        [names[i] for i in inside], cost[inside], effect[inside]
    ).set_index("option")
    status, by = frontier.loc[names[loser], "status"], frontier.loc[names[loser], "dominated_by"]
    if status == "dominated":
        other = names.index(by[0])
        more, less = cost[loser] - cost[other], effect[other] - effect[loser]
        costs = f"{_money(more, currency)}/year more than" if more > 0 else "as much as"
        gives = f"{less:,.0f} fewer {unit} a year" if less > 0 else f"no more {unit}"
        return "dominated", f"{names[loser]} costs more for less: {costs} {by[0]} for {gives}"
    if status == "extendedly dominated":
        return "extendedly dominated", (
            f"{names[loser]} is extendedly dominated: a mix of {by[0]} and {by[1]} would give "
            f"more {unit} a year for less money (each extra unit costs more with "
            f"{names[loser]} than with the more effective {by[1]})"
        )
    gap = nb[winner] - nb[loser]
    valuing = f"valuing {unit} at {_money(value, currency)} each"
    if gap > _TIE_RTOL * max(abs(nb[winner]), 1.0):
        return "lower net benefit", (
            f"{names[loser]} has a lower net benefit, by {_money(gap, currency)}/year, {valuing}"
        )
    extra = cost[loser] - cost[winner]
    costs = f"costs {_money(extra, currency)}/year more" if extra > 0 else "costs the same"
    return "equal net benefit", (
        f"{names[loser]} has the same net benefit, {valuing}, and {costs}"
        + ("" if extra > 0 else f"; {names[winner]} is listed first")
    )


def _money(amount: float, currency: str = "CNY") -> str:
    return f"{amount:,.0f} {currency}" if abs(amount) >= 100 else f"{amount:,.2f} {currency}"
