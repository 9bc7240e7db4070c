"""Building blocks shared by the scenario models: the frozen base and time-valued fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from typing_extensions import Self

from wsim.scenario.errors import short_repr
from wsim.scenario.units import parse_clock, parse_duration


class FrozenModel(BaseModel):
    """Base of every scenario model: immutable, unknown fields rejected, no NaN or infinity.

    Immutability lets a loaded Scenario be shared by replications, processes and reports
    without anyone changing it underneath them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with `update`, the values cached from the old fields are dropped.

        Models cache what they derive from their fields (``functools.cached_property``, e.g.
        :attr:`Demand.label`), which a changed copy must compute anew.
        """
        copy = super().model_copy(update=update, deep=deep)
        if update:
            for cls in type(self).__mro__:
                for name, attribute in vars(cls).items():
                    if isinstance(attribute, cached_property):
                        copy.__dict__.pop(name, None)
        return copy


Minutes = Annotated[float, BeforeValidator(parse_duration)]
"""A duration in minutes; the YAML may say ``10``, ``"90s"``, ``"2h"``, ``"3d"``."""

Clock = Annotated[float, BeforeValidator(parse_clock)]
"""A time of day in minutes after midnight; the YAML may say ``"08:30"`` or ``510``."""


@dataclass(frozen=True)
class Bound:
    """A bound checked after validation, with the reason it is there (see :func:`at_most`).

    Its `limit`, `upper` and `reason` are read by the scenario reference
    (:mod:`wsim.scenario.reference`), which states every bound a field has.
    """

    limit: float
    reason: str
    upper: bool

    def __call__(self, value: float) -> float:
        """`value` unchanged, or ``ValueError`` naming the limit and its reason."""
        if self.upper and value > self.limit:
            raise ValueError(
                f"must be at most {self.limit:,g} ({self.reason}), found {short_repr(value)}"
            )
        if not self.upper and value < self.limit:
            raise ValueError(
                f"must be at least {self.limit:g} ({self.reason}), found {short_repr(value)}"
            )
        return value


def at_most(limit: float, reason: str) -> AfterValidator:
    """A bound for ``Annotated`` fields: values above `limit` are refused, giving the reason.

    pydantic's own ``le`` would say only "at most N"; a planner who typed 10**30 needs to know
    why the bound is there.
    """
    return AfterValidator(Bound(limit, reason, upper=True))


def at_least(limit: float, reason: str) -> AfterValidator:
    """Like :func:`at_most`, for a lower bound."""
    return AfterValidator(Bound(limit, reason, upper=False))


@dataclass(frozen=True)
class Unit:
    """The unit of a number field, for the scenario reference (``Annotated`` metadata).

    pydantic ignores it; :mod:`wsim.scenario.reference` shows it. ``currency`` stands for the
    scenario's ``cost.currency`` (CNY by default).
    """

    text: str


#: Window speeds: a window at most 100 times faster or slower than a standard one.
SPEED_RANGE = (0.01, 100.0)
_SPEED_REASON = "100 times slower or faster than a standard window"
Speed = Annotated[
    float,
    at_least(SPEED_RANGE[0], _SPEED_REASON),
    at_most(SPEED_RANGE[1], _SPEED_REASON),
    Unit("times a standard window"),
]
"""A window's speed factor: its window times are divided by it."""
