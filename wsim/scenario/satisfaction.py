"""Citizen satisfaction: a good or bad rating of every completed case, by a logistic model.

The chance that a completed case is rated bad is

    P(bad) = logistic(b0 + b_wait * W + b_trips * (T - 1) + b_lead * L),
    logistic(x) = 1 / (1 + exp(-x)),

with W the hours the citizen waited in hall queues over all the case's visits (served
tickets to their call, abandoned tickets to leaving), T the case's hall trips (T - 1 is at
least -1: a case done without a trip counts one trip fewer than a one-trip case) and L its
lead time in days (first contact to result). A case with no wait, one trip and a same-moment
result is rated bad with probability logistic(b0); each coefficient is the change of the log
odds of a bad rating per unit.

The defaults are **assumptions**: no public source gives these coefficients. Public surveys
give only satisfaction levels (86.9% satisfied in Zhejiang in August 2017, 95.7-96.2% in its
2017 report: ``scenarios/w_district/SOURCES.md`` rows 39-40), so b0 = -3 (4.7% bad for an
ideal case) sits at the better of them; an hour of waiting doubles the odds of a bad rating
(b_wait = ln 2 ~ 0.7), each extra trip doubles them again (b_trips = 0.7), and each day of lead
time adds 5% to them (b_lead = 0.05). Replace them with a fit of the center's own ratings
(好差评) on these three measures.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from wsim.scenario.base import FrozenModel, at_least, at_most

#: Largest |coefficient|: a log-odds change of 50 per unit already decides every rating.
MAX_COEFFICIENT = 50.0
_REASON = "a log-odds change of 50 already makes the rating certain"
Coefficient = Annotated[
    float, at_least(-MAX_COEFFICIENT, _REASON), at_most(MAX_COEFFICIENT, _REASON)
]


class Satisfaction(FrozenModel):
    """The logistic rating model of completed cases (see the module docstring for the form)."""

    b0: Coefficient = Field(
        -3.0, description="Log odds of a bad rating for no wait, one trip, no lead time."
    )
    b_wait: Coefficient = Field(
        0.7, description="Change of the log odds per hour waited in hall queues."
    )
    b_trips: Coefficient = Field(0.7, description="Change of the log odds per trip beyond one.")
    b_lead: Coefficient = Field(0.05, description="Change of the log odds per day of lead time.")
