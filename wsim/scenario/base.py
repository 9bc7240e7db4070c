"""Building blocks shared by the scenario models: the frozen base and time-valued fields."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from typing_extensions import Self

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
