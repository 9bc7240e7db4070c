"""Maximum-likelihood fits of time distributions to logged durations, censored or not.

Queue logs record times to a resolution (whole seconds, whole minutes), so a logged duration
``x`` stands for a true value somewhere in ``[x - h, x + h]`` with ``h`` half the resolution.
An *observed* value therefore contributes ``log(F(x + h) - F(x - h))`` to the log-likelihood
(``log f(x)`` when the log is exact, ``h = 0``); this also gives a logged 0 its proper weight
instead of the ``-inf`` a density would give it. A *right-censored* value ``c`` (we only know
the variable exceeds it: a served citizen's wait is a lower bound of their patience)
contributes ``log S(c)``.

Every candidate is one of wsim's distributions (`wsim/scenario/distributions.py`), so the
chosen fit can be written into a scenario as it is: exponential (mean), gamma (mean, cv),
lognormal (mean and sd of the variable), Erlang (mean, whole k) and normal truncated at 0
(mean, sd of the untruncated normal). The likelihood is maximised numerically over
unconstrained parameters (logs of means and spreads) with scipy.optimize; the candidates are
compared by AIC = 2 p - 2 log L (BIC = p ln n - 2 log L is reported beside it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import optimize, special, stats

#: Candidate families, in the order they are reported.
FAMILIES: tuple[str, ...] = ("exponential", "gamma", "lognormal", "erlang", "normal")


@dataclass(frozen=True, eq=False)
class Durations:
    """The data of one fit (minutes): observed values, right-censored values, half-resolution.

    ``observed`` are values of the variable itself (service times, waits of citizens who
    abandoned); ``censored`` are values the variable is known to exceed (waits of citizens who
    were served before their patience ran out); ``half_step`` is half the log's time
    resolution in minutes (0 for exact times).
    """

    observed: np.ndarray
    censored: np.ndarray = field(default_factory=lambda: np.empty(0))
    half_step: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "observed", np.asarray(self.observed, dtype=float))
        object.__setattr__(self, "censored", np.asarray(self.censored, dtype=float))

    @property
    def size(self) -> int:
        """Number of observations (observed and censored)."""
        return int(self.observed.size + self.censored.size)

    @cached_property
    def observed_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct observed values and how often each occurs (logged times repeat a lot)."""
        return np.unique(self.observed, return_counts=True)

    @cached_property
    def censored_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct censored values and how often each occurs."""
        return np.unique(self.censored, return_counts=True)


@dataclass(frozen=True)
class Fit:
    """One fitted candidate: its wsim parameters, log-likelihood and criteria.

    ``params`` is the wsim distribution mapping (``{"dist": "gamma", "mean": .., "cv": ..}``,
    times in minutes); ``frozen`` the equivalent scipy distribution (for densities and CDFs).
    """

    family: str
    params: dict[str, float | int | str]
    loglik: float
    n_params: int
    n: int
    theta: np.ndarray = field(repr=False, compare=False)
    family_model: _Family = field(repr=False, compare=False)

    @property
    def frozen(self) -> stats.rv_continuous:
        """The fitted distribution as a frozen scipy distribution (densities, CDF, moments)."""
        return self.family_model.frozen(self.theta)

    @property
    def aic(self) -> float:
        """Akaike's information criterion, 2 p - 2 log L (lower is better)."""
        return 2 * self.n_params - 2 * self.loglik

    @property
    def bic(self) -> float:
        """Bayesian information criterion, p ln n - 2 log L (lower is better)."""
        return self.n_params * math.log(max(self.n, 1)) - 2 * self.loglik

    def mean(self) -> float:
        """The mean of the fitted distribution (minutes)."""
        return float(self.frozen.mean())

    def sd(self) -> float:
        """The standard deviation of the fitted distribution (minutes)."""
        return float(self.frozen.std())


# --- the candidate families -----------------------------------------------------------------


@dataclass(frozen=True)
class _Family:
    """A family over unconstrained parameters ``theta`` (logs of means and spreads).

    ``cdf_sf(x, theta)`` gives both tails (the upper one keeps its precision far out),
    ``logpdf`` and ``logsf`` the log density and log survival; they are closed forms from
    scipy.special, so a likelihood over thousands of values costs microseconds.
    """

    name: str
    n_params: int
    cdf_sf: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    logpdf: Callable[[np.ndarray, np.ndarray], np.ndarray]
    logsf: Callable[[np.ndarray, np.ndarray], np.ndarray]
    params: Callable[[np.ndarray], dict[str, float | int | str]]
    frozen: Callable[[np.ndarray], stats.rv_continuous]
    start: Callable[[Durations], np.ndarray]


def _moments(data: Durations) -> tuple[float, float]:
    """Start values: the mean and cv of the observed values (censoring ignored), kept sane."""
    values = data.observed[data.observed > 0]
    if values.size == 0:
        values = np.array([max(float(data.observed.max(initial=0.0)), 1e-3)])
    mean = float(values.mean())
    cv = float(values.std() / mean) if values.size > 1 else 1.0
    return max(mean, 1e-6), min(max(cv, 0.05), 20.0)


def _exposure_mean(data: Durations) -> float:
    """The exponential MLE with censoring: total time observed over the number of events."""
    events = max(data.observed.size, 1)
    return max(float(data.observed.sum() + data.censored.sum()) / events, 1e-6)


def _exponential() -> _Family:
    def cdf_sf(x, t):
        scaled = x / math.exp(t[0])
        return -np.expm1(-scaled), np.exp(-scaled)

    return _Family(
        "exponential",
        1,
        cdf_sf,
        lambda x, t: -t[0] - x / math.exp(t[0]),
        lambda x, t: -x / math.exp(t[0]),
        lambda t: {"dist": "exponential", "mean": math.exp(t[0])},
        lambda t: stats.expon(scale=math.exp(t[0])),
        lambda d: np.array([math.log(_exposure_mean(d))]),
    )


def _gamma_family(
    name: str,
    shape_of: Callable[[np.ndarray], float],
    n_params: int,
    params: Callable[[np.ndarray], dict],
    start: Callable[[Durations], np.ndarray],
) -> _Family:
    """Gamma-type family: mean ``exp(theta[0])`` and a shape given by ``shape_of(theta)``."""

    def shape_scale(t):
        shape = shape_of(t)
        return shape, math.exp(t[0]) / shape

    def cdf_sf(x, t):
        shape, scale = shape_scale(t)
        cdf = special.gammainc(shape, x / scale)
        sf = 1.0 - cdf
        upper = cdf > 0.5  # there 1 - cdf loses digits: compute the upper tail itself
        sf[upper] = special.gammaincc(shape, x[upper] / scale)
        return cdf, sf

    def logpdf(x, t):
        shape, scale = shape_scale(t)
        with np.errstate(divide="ignore"):
            return (
                (shape - 1) * np.log(x)
                - x / scale
                - special.gammaln(shape)
                - shape * math.log(scale)
            )

    def logsf(x, t):
        shape, scale = shape_scale(t)
        with np.errstate(divide="ignore"):
            return np.log(special.gammaincc(shape, x / scale))

    def frozen(t):
        shape, scale = shape_scale(t)
        return stats.gamma(shape, scale=scale)

    return _Family(name, n_params, cdf_sf, logpdf, logsf, params, frozen, start)


def _gamma() -> _Family:
    return _gamma_family(
        "gamma",
        lambda t: math.exp(-2 * t[1]),
        2,
        lambda t: {"dist": "gamma", "mean": math.exp(t[0]), "cv": math.exp(t[1])},
        lambda d: np.log(np.array(_moments(d))),
    )


def _erlang(k: int) -> _Family:
    """Erlang with k phases; k itself is chosen over the whole numbers (counted as a parameter)."""
    return _gamma_family(
        "erlang",
        lambda t: float(k),
        2,
        lambda t: {"dist": "erlang", "mean": math.exp(t[0]), "k": k},
        lambda d: np.array([math.log(_moments(d)[0])]),
    )


def _lognormal() -> _Family:
    def z(x, t):
        with np.errstate(divide="ignore"):
            return (np.log(x) - t[0]) / math.exp(t[1])

    def cdf_sf(x, t):
        zx = z(x, t)
        return special.ndtr(zx), special.ndtr(-zx)

    def logpdf(x, t):
        with np.errstate(divide="ignore"):
            return -np.log(x) - t[1] - 0.5 * math.log(2 * math.pi) - 0.5 * z(x, t) ** 2

    def params(t):
        mu, sigma = t[0], math.exp(t[1])
        mean = math.exp(mu + sigma**2 / 2)
        return {"dist": "lognormal", "mean": mean, "sd": mean * math.sqrt(math.expm1(sigma**2))}

    def start(d):
        mean, cv = _moments(d)
        sigma2 = math.log1p(cv**2)
        return np.array([math.log(mean) - sigma2 / 2, 0.5 * math.log(sigma2)])

    return _Family(
        "lognormal",
        2,
        cdf_sf,
        logpdf,
        lambda x, t: special.log_ndtr(-z(x, t)),
        params,
        lambda t: stats.lognorm(math.exp(t[1]), scale=math.exp(t[0])),
        start,
    )


def _normal() -> _Family:
    """Normal(mu, sd) conditioned on being >= 0, as wsim draws it."""

    def cdf_sf(x, t):
        mu, sd = t[0], math.exp(t[1])
        kept = special.ndtr(mu / sd)
        return (special.ndtr((x - mu) / sd) - special.ndtr(-mu / sd)) / kept, special.ndtr(
            (mu - x) / sd
        ) / kept

    def logpdf(x, t):
        mu, sd = t[0], math.exp(t[1])
        return (
            -0.5 * ((x - mu) / sd) ** 2
            - math.log(sd)
            - 0.5 * math.log(2 * math.pi)
            - special.log_ndtr(mu / sd)
        )

    def logsf(x, t):
        mu, sd = t[0], math.exp(t[1])
        return special.log_ndtr((mu - x) / sd) - special.log_ndtr(mu / sd)

    def start(d):
        mean, cv = _moments(d)
        return np.array([mean, math.log(mean * cv)])

    return _Family(
        "normal",
        2,
        cdf_sf,
        logpdf,
        logsf,
        lambda t: {"dist": "normal", "mean": float(t[0]), "sd": math.exp(t[1])},
        lambda t: stats.truncnorm(-t[0] / math.exp(t[1]), np.inf, loc=t[0], scale=math.exp(t[1])),
        start,
    )


# --- the log-likelihood ---------------------------------------------------------------------


def _loglik(family: _Family, theta: np.ndarray, data: Durations) -> float:
    """Log-likelihood of ``data`` under ``family`` at ``theta`` (see the module notes)."""
    total = 0.0
    (x, weight), h = data.observed_counts, data.half_step
    if x.size:
        if h > 0:
            lo_cdf, lo_sf = family.cdf_sf(np.maximum(x - h, 0.0), theta)
            hi_cdf, hi_sf = family.cdf_sf(x + h, theta)
            # Differences of CDFs lose precision in the upper tail; take the smaller tail.
            mass = np.where(lo_sf < 0.5, lo_sf - hi_sf, hi_cdf - lo_cdf)
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.log(mass)
            lost = ~np.isfinite(terms)
            if lost.any():  # mass below float precision: density times the interval width
                terms[lost] = family.logpdf(x[lost], theta) + math.log(2 * h)
        else:
            terms = family.logpdf(x, theta)
        total += float(np.dot(weight, terms))
    if data.censored.size:
        values, weight = data.censored_counts
        total += float(np.dot(weight, family.logsf(values, theta)))
    return total if math.isfinite(total) else -math.inf


#: Nelder-Mead stops when the parameters (logs of means and spreads) move less than 1e-6 and
#: the log-likelihood less than 1e-6: far below the sampling error of any fit here.
_NM_OPTIONS = {"xatol": 1e-6, "fatol": 1e-6, "maxiter": 2000, "maxfev": 2000}


def _fit_family(family: _Family, data: Durations) -> Fit | None:
    """Maximise the likelihood over ``theta`` by Nelder-Mead; ``None`` if it has no finite maximum.

    The search is restarted once at the optimum, which guards against stopping on a flat stretch.
    """

    def objective(theta: np.ndarray) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            value = _loglik(family, theta, data)
        return -value if math.isfinite(value) else 1e300

    theta = family.start(data)
    for _ in range(2):
        result = optimize.minimize(objective, theta, method="Nelder-Mead", options=_NM_OPTIONS)
        theta = result.x
    value = -float(result.fun)
    if not math.isfinite(value) or value <= -1e299:
        return None
    return Fit(
        family=family.name,
        params=family.params(theta),
        loglik=value,
        n_params=family.n_params,
        n=data.size,
        theta=np.asarray(theta),
        family_model=family,
    )


def _fit_erlang(data: Durations, gamma_fit: Fit | None) -> Fit | None:
    """Erlang: a gamma with whole shape k >= 2.

    k is the better of the whole numbers around the gamma's fitted shape: the gamma likelihood is
    unimodal in the shape, so the best whole shape is one of these two.
    """
    if gamma_fit is None:
        return None
    shape = 1 / float(gamma_fit.params["cv"]) ** 2
    fits = [
        _fit_family(_erlang(k), data)
        for k in sorted({max(2, math.floor(shape)), max(2, math.ceil(shape))})
    ]
    fits = [fit for fit in fits if fit is not None]
    return max(fits, key=lambda fit: fit.loglik) if fits else None


_BUILDERS = {
    "exponential": _exponential,
    "gamma": _gamma,
    "lognormal": _lognormal,
    "normal": _normal,
}


def fit_candidates(data: Durations, families: tuple[str, ...] = FAMILIES) -> list[Fit]:
    """Fit each family in ``families`` to ``data`` by maximum likelihood; sorted by AIC.

    A family that cannot be fitted (no finite likelihood) or that has no valid wsim form (a
    normal whose fitted mean is not positive) is left out.
    """
    if data.observed.size == 0:
        raise ValueError("no observed values to fit (only censored ones)")
    unknown = [name for name in families if name not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown families {unknown}; allowed: {', '.join(FAMILIES)}")
    fits: dict[str, Fit | None] = {}
    for name in families:
        if name != "erlang":
            fits[name] = _fit_family(_BUILDERS[name](), data)
    if "erlang" in families:
        gamma_fit = fits.get("gamma") or _fit_family(_gamma(), data)
        fits["erlang"] = _fit_erlang(data, gamma_fit)
    normal = fits.get("normal")
    if normal is not None and float(normal.params["mean"]) <= 0:
        fits["normal"] = None
    usable = [fit for fit in fits.values() if fit is not None]
    return sorted(usable, key=lambda fit: fit.aic)


def ks_distance(fit: Fit, values: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between the values' empirical CDF and the fitted CDF.

    Descriptive only: with parameters estimated from the same values the usual KS p-value
    does not apply.
    """
    x = np.sort(np.asarray(values, dtype=float))
    if x.size == 0:
        return float("nan")
    cdf = fit.frozen.cdf(x)
    n = x.size
    above = np.arange(1, n + 1) / n - cdf
    below = cdf - np.arange(0, n) / n
    return float(max(above.max(), below.max()))


def rounded_params(params: dict[str, float | int | str], digits: int = 4) -> dict:
    """The wsim parameters with floats rounded to ``digits`` significant digits (for YAML)."""
    out: dict[str, float | int | str] = {}
    for key, value in params.items():
        if isinstance(value, float):
            out[key] = float(f"{value:.{digits}g}")
        else:
            out[key] = value
    return out
