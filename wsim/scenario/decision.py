"""The ``decision`` block of a scenario: the assumptions of the decision report.

A comparison of reform options turns costs and simulated effects into a recommendation (see
``docs/decision_rules.md``). The figures that takes besides the simulation are the planner's
assumptions, and belong in the baseline scenario file beside the center they describe::

    decision:
      discount_rate: 0.03        # per year: one-off costs are spread over horizon_years
      horizon_years: 10
      days_per_year: 250         # open days per year: simulated days scaled to a year
      value_of_time:             # currency (the options' cost currency, e.g. CNY)
        wait_hour: 30            # per citizen-hour of waiting in the hall
        lead_hour: 2             # per case-hour from first contact to result
        trip: 40                 # per hall trip avoided
      budget: {one_off: 3000000, yearly: 800000}   # none when left out
      mid:                       # minimal important differences, by KPI
        hall_wait_mean: {abs: 1.0}                  # minutes
        case_lead_time_days_mean: {rel: 0.05}       # 5% of the baseline mean

Every field is optional: a field left out takes wsim's default (``wsim.comparison.decision``
states them; the MIDs are in ``wsim.metrics.catalog``). The block changes no simulated number,
so it is not part of the scenario's digest: changing an assumption keeps stored replications.
The decision uses the block of the baseline option; ``compare(decision={...})`` overrides it
field by field. KPI names under ``mid`` are checked when the decision is made (the list of
KPIs belongs to a later stage than scenarios).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from wsim.scenario.base import FrozenModel, Unit

Amount = Annotated[float, Field(ge=0), Unit("currency")]


class ValueOfTime(FrozenModel):
    """What citizens' time is worth (currency): an hour of waiting, of lead time, a trip."""

    wait_hour: Annotated[float, Field(gt=0), Unit("currency per citizen-hour waiting")] | None = (
        Field(None, description="The value of an hour of waiting in the hall.")
    )
    lead_hour: Annotated[Amount, Unit("currency per case-hour of lead time")] | None = Field(
        None, description="The value of an hour of a case's lead time."
    )
    trip: Annotated[Amount, Unit("currency per hall trip")] | None = Field(
        None, description="The value of a hall trip avoided."
    )


class DecisionBudget(FrozenModel):
    """What the decision maker can spend: a one-off and a yearly amount (currency)."""

    one_off: Amount | None = Field(None, description="One-off budget (default: none).")
    yearly: Annotated[Amount, Unit("currency per year")] | None = Field(
        None, description="Yearly budget (default: none)."
    )


class MinimalDifference(FrozenModel):
    """A minimal important difference: ``abs`` in the KPI's unit and/or ``rel`` of the mean."""

    abs: Annotated[float, Field(ge=0), Unit("the KPI's unit")] | None = None
    rel: Annotated[float, Field(ge=0), Unit("fraction of the baseline mean")] | None = None

    @model_validator(mode="after")
    def _one_given(self) -> MinimalDifference:
        if self.abs is None and self.rel is None:
            raise ValueError("give abs (in the KPI's unit) and/or rel (a fraction of the mean)")
        return self

    def spec(self) -> dict[str, float]:
        """The keys given, as the economics functions take them (``{"abs": 1.0}``)."""
        return {
            key: value for key, value in (("abs", self.abs), ("rel", self.rel)) if value is not None
        }


class Decision(FrozenModel):
    """The assumptions of the decision report (all optional; see the module docstring)."""

    discount_rate: Annotated[float, Field(gt=-1, lt=1), Unit("per year")] | None = Field(
        None, description="Discount rate of future costs and benefits."
    )
    horizon_years: Annotated[float, Field(gt=0, le=100), Unit("years")] | None = Field(
        None, description="Years over which one-off costs are spread."
    )
    days_per_year: Annotated[float, Field(gt=0, le=366), Unit("open days per year")] | None = Field(
        None, description="Open days per year: simulated days are scaled to a year."
    )
    value_of_time: ValueOfTime = ValueOfTime()
    budget: DecisionBudget = DecisionBudget()
    mid: dict[str, MinimalDifference] = {}
