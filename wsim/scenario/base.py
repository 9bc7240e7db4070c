"""Building blocks shared by the scenario models: the frozen base and time-valued fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

from wsim.scenario.units import parse_clock, parse_duration


class FrozenModel(BaseModel):
    """Base of every scenario model: immutable, unknown fields rejected, no NaN or infinity.

    Immutability lets a loaded Scenario be shared by replications, processes and reports
    without anyone changing it underneath them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


Minutes = Annotated[float, BeforeValidator(parse_duration)]
"""A duration in minutes; the YAML may say ``10``, ``"90s"``, ``"2h"``, ``"3d"``."""

Clock = Annotated[float, BeforeValidator(parse_clock)]
"""A time of day in minutes after midnight; the YAML may say ``"08:30"`` or ``510``."""
