"""Probability distributions of times (window times, patience) as scenario files state them.

These models only describe and validate a distribution and give its moments; drawing random
numbers is the job of ``wsim.streams``. The moments feed the queueing formulas and the sanity
checks (utilisation), so they are exact, not estimated.

In YAML a distribution is a mapping with a ``dist`` tag, e.g.
``{dist: lognormal, mean: 12min, sd: 6min}``. A bare number or duration (``8``, ``"90s"``)
means a fixed time. Time-valued parameters accept durations and are stored in minutes;
``cv`` and ``k`` are plain numbers.
"""

from __future__ import annotations

import math
import statistics
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError, model_validator

from wsim.scenario.base import FrozenModel, Minutes, Unit, at_least, at_most
from wsim.scenario.errors import FieldProblems, from_validation_error, short_repr
from wsim.scenario.limits import CV_REASON, MAX_CV, MAX_ERLANG_K, MIN_CV
from wsim.scenario.units import parse_duration


class _Dist(FrozenModel):
    """Common moments interface of all distributions."""

    def expected(self) -> float:
        """The mean of the variable."""
        raise NotImplementedError

    def variance(self) -> float:
        """The variance of the variable."""
        raise NotImplementedError

    def scv(self) -> float:
        """Squared coefficient of variation, variance / mean^2 (0 for a variable fixed at 0)."""
        mean = self.expected()
        return self.variance() / mean**2 if mean > 0 else 0.0


class Exponential(_Dist):
    """Exponential with the given mean (minutes)."""

    dist: Literal["exponential"] = "exponential"
    mean: Annotated[Minutes, Field(gt=0)]

    def expected(self) -> float:
        """The mean as given (minutes)."""
        return self.mean

    def variance(self) -> float:
        """The variance, mean^2 (minutes^2): an exponential's sd equals its mean."""
        return self.mean**2


class Fixed(_Dist):
    """Always the same value (minutes)."""

    dist: Literal["fixed"] = "fixed"
    value: Minutes

    def expected(self) -> float:
        """The value itself (minutes)."""
        return self.value

    def variance(self) -> float:
        """Zero: the time never varies."""
        return 0.0


class Uniform(_Dist):
    """Uniform between min and max (minutes)."""

    dist: Literal["uniform"] = "uniform"
    min: Minutes
    max: Minutes

    @model_validator(mode="after")
    def _check_order(self) -> Uniform:
        if self.min > self.max:
            raise FieldProblems([("max", f"must be >= min ({self.min:g}), found {self.max:g}")])
        return self

    def expected(self) -> float:
        """The midpoint (min + max) / 2 (minutes)."""
        return (self.min + self.max) / 2

    def variance(self) -> float:
        """The variance, (max - min)^2 / 12 (minutes^2)."""
        return (self.max - self.min) ** 2 / 12


class Triangular(_Dist):
    """Triangular with lower limit min, most likely value mode and upper limit max."""

    dist: Literal["triangular"] = "triangular"
    min: Minutes
    mode: Minutes
    max: Minutes

    @model_validator(mode="after")
    def _check_order(self) -> Triangular:
        if self.min > self.max:
            raise FieldProblems([("max", f"must be >= min ({self.min:g}), found {self.max:g}")])
        if not self.min <= self.mode <= self.max:
            message = f"must be between min ({self.min:g}) and max ({self.max:g})"
            raise FieldProblems([("mode", f"{message}, found {self.mode:g}")])
        return self

    def expected(self) -> float:
        """The mean, (min + mode + max) / 3 (minutes)."""
        return (self.min + self.mode + self.max) / 3

    def variance(self) -> float:
        """The variance, (a^2 + b^2 + c^2 - ab - ac - bc) / 18 (minutes^2).

        Here a = min, b = max and c = mode.
        """
        a, c, b = self.min, self.mode, self.max
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18


class Normal(_Dist):
    """Normal(mean, sd) truncated at 0: the normal conditioned on being >= 0.

    Negative draws are impossible. ``expected()`` and ``variance()`` are those of the truncated
    variable, which differ from mean and sd when sd is large relative to mean.
    """

    dist: Literal["normal"] = "normal"
    mean: Annotated[Minutes, Field(gt=0)]
    sd: Minutes

    def _truncation(self) -> tuple[float, float]:
        """``alpha`` (the cut in sd units) and the inverse Mills ratio ``lambda``."""
        alpha = -self.mean / self.sd
        kept = 0.5 * math.erfc(alpha / math.sqrt(2))
        density = math.exp(-alpha * alpha / 2) / math.sqrt(2 * math.pi)
        return alpha, density / kept

    def expected(self) -> float:
        """The truncated normal's mean, mean + sd lambda (minutes); ``mean`` when sd is 0."""
        if self.sd == 0:
            return self.mean
        return self.mean + self.sd * self._truncation()[1]

    def variance(self) -> float:
        """The truncated normal's variance (minutes^2); 0 when sd is 0.

        sd^2 (1 + alpha lambda - lambda^2), with alpha and lambda from :meth:`_truncation`.
        """
        if self.sd == 0:
            return 0.0
        alpha, lam = self._truncation()
        return self.sd**2 * (1 + alpha * lam - lam * lam)


class Lognormal(_Dist):
    """Lognormal given by the mean and sd of the variable itself (not of its logarithm)."""

    dist: Literal["lognormal"] = "lognormal"
    mean: Annotated[Minutes, Field(gt=0)]
    sd: Minutes

    @model_validator(mode="after")
    def _check_spread(self) -> Lognormal:
        if self.sd > MAX_CV * self.mean:
            message = (
                f"must be at most {MAX_CV:g} times the mean ({CV_REASON}), found "
                f"{short_repr(self.sd)} with mean {short_repr(self.mean)}"
            )
            raise FieldProblems([("sd", message)])
        return self

    def log_params(self) -> tuple[float, float]:
        """``(mu, sigma)`` of the underlying normal, which samplers need.

        sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2.
        """
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def expected(self) -> float:
        """The mean as given (minutes): the lognormal is parametrised by its own moments."""
        return self.mean

    def variance(self) -> float:
        """The variance, sd^2 as given (minutes^2)."""
        return self.sd**2


class Gamma(_Dist):
    """Gamma given by its mean (minutes) and coefficient of variation cv = sd/mean.

    Shape 1/cv^2, scale mean*cv^2.
    """

    dist: Literal["gamma"] = "gamma"
    mean: Annotated[Minutes, Field(gt=0)]
    cv: Annotated[
        float,
        Field(gt=0, strict=True),
        at_least(MIN_CV, CV_REASON),
        at_most(MAX_CV, CV_REASON),
        Unit("sd / mean"),
    ]

    def expected(self) -> float:
        """The mean as given (minutes)."""
        return self.mean

    def variance(self) -> float:
        """The variance, (mean cv)^2 (minutes^2), since cv = sd / mean."""
        return (self.mean * self.cv) ** 2


class Erlang(_Dist):
    """Erlang: the sum of k exponential phases, with total mean ``mean`` (minutes)."""

    dist: Literal["erlang"] = "erlang"
    mean: Annotated[Minutes, Field(gt=0)]
    k: Annotated[
        int,
        Field(ge=1, strict=True),
        at_most(MAX_ERLANG_K, "a larger k is a fixed time"),
        Unit("phases"),
    ]

    def expected(self) -> float:
        """The total mean as given (minutes)."""
        return self.mean

    def variance(self) -> float:
        """The variance, mean^2 / k (minutes^2): k independent phases, each of mean mean / k."""
        return self.mean**2 / self.k


class Empirical(_Dist):
    """One of the observed values, each equally likely (e.g. times measured in the hall)."""

    dist: Literal["empirical"] = "empirical"
    values: Annotated[tuple[Minutes, ...], Field(min_length=1)]

    def expected(self) -> float:
        """The mean of the observed values (minutes)."""
        return statistics.fmean(self.values)

    def variance(self) -> float:
        """The population variance of the values (minutes^2): each value is equally likely."""
        return statistics.pvariance(self.values)


def _bare_value_is_fixed(value: object) -> object:
    """A bare number or duration string stands for a fixed time.

    The duration is parsed here so that an error points at the field the planner wrote,
    not at the ``value`` of a Fixed they never spelled out.
    """
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": parse_duration(value)}
    return value


Distribution = Annotated[
    Exponential | Fixed | Uniform | Triangular | Normal | Lognormal | Gamma | Erlang | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_bare_value_is_fixed),
]
"""Any distribution, told apart by its ``dist`` tag; a bare number or duration is Fixed."""

_ADAPTER: TypeAdapter[Distribution] = TypeAdapter(Distribution)


def parse_distribution(obj: object) -> Distribution:
    """Validate one distribution outside a scenario, e.g. ``{"dist": "gamma", ...}`` or ``"90s"``.

    Raises :class:`~wsim.scenario.errors.ScenarioError` with the same messages as the loader.
    """
    try:
        return _ADAPTER.validate_python(obj)
    except ValidationError as exc:
        raise from_validation_error(exc, Distribution) from None
