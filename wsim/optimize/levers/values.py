"""What a simulated lever set is worth per year: citizens' time, trips and staff as money.

The portfolio objective is money per year (see :mod:`wsim.optimize.levers.surrogate`). Its
value terms come from four yearly totals that every replication gives, derived from its KPIs
and scaled from the simulated days to a year (``days_per_year / simulated_days``):

==========================  =================================================  ==============
column                      per replication                                    valued at
==========================  =================================================  ==============
``wait_hours_per_year``     ``hall_wait_mean x hall_served / 60``              ``wait_hour``
``lead_hours_per_year``     ``case_lead_time_days_mean x 24 x cases_started``  ``lead_hour``
``trips_per_year``          ``trips_per_case_mean x cases_started``            ``trip``
``staff_cost_per_year``     ``staff_cost``                                     1 (money)
==========================  =================================================  ==============

The waiting total is exact (the mean wait of the served tickets times their number), so a
lever that moves citizens out of the hall saves their whole wait, not only the change of the
mean. Lead times and trips are means over completed cases times the cases started: the annual
volume of the issue's "value of citizens' time times the annual volume" (cases still open when
the run ends are valued at the mean). A hall wait is also part of the lead time, so an hour in
the hall costs ``wait_hour + lead_hour``: the citizen's time and the later result. Staff cost
is that of the simulated arrival days (open windows and back-office staff at their hourly
cost), so its change is the change in staff cost scaled to a year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.comparison.decision import simulated_days
from wsim.optimize.levers.spec import Economics
from wsim.scenario import Scenario

WAIT_HOURS = "wait_hours_per_year"
LEAD_HOURS = "lead_hours_per_year"
TRIPS = "trips_per_year"
STAFF_COST = "staff_cost_per_year"

#: The yearly totals the objective values, with what each measures.
VALUE_KPIS: dict[str, str] = {
    WAIT_HOURS: "citizen-hours waiting in the hall per year (served tickets)",
    LEAD_HOURS: "case-hours from first contact to result per year",
    TRIPS: "hall trips per year",
    STAFF_COST: "cost of open windows and back-office staff per year",
}


@dataclass(frozen=True)
class YearlyValues:
    """How a replication's KPIs become yearly totals and money (see the module docstring).

    Attributes
    ----------
    per_year : ``days_per_year / simulated_days``, the factor from a run to a year.
    scale : money per year per unit of each value KPI (per citizen-hour, case-hour, trip,
        and 1 for staff cost).
    currency : the money's unit.
    """

    per_year: float
    scale: Mapping[str, float]
    currency: str = "CNY"

    @classmethod
    def of(cls, economics: Economics, scenario: Scenario) -> YearlyValues:
        """The values of a levers file's economics for runs of ``scenario``."""
        value = economics.value_of_time
        return cls(
            per_year=economics.days_per_year / simulated_days(scenario),
            scale={
                WAIT_HOURS: value.wait_hour,
                LEAD_HOURS: value.lead_hour,
                TRIPS: value.trip,
                STAFF_COST: 1.0,
            },
            currency=economics.currency,
        )

    def derive(self, kpis: pd.DataFrame) -> pd.DataFrame:
        """The KPI table (one row per replication) with the four yearly totals added."""
        table = kpis.copy()
        served = table["hall_served"].to_numpy(dtype=float)
        wait = np.where(served > 0, table["hall_wait_mean"].to_numpy(dtype=float), 0.0)
        cases = table["cases_started"].to_numpy(dtype=float)
        lead_days = table["case_lead_time_days_mean"].to_numpy(dtype=float)
        trips = table["trips_per_case_mean"].to_numpy(dtype=float)
        table[WAIT_HOURS] = wait * served / 60.0 * self.per_year
        table[LEAD_HOURS] = np.where(cases > 0, lead_days * 24.0 * cases, 0.0) * self.per_year
        table[TRIPS] = np.where(cases > 0, trips * cases, 0.0) * self.per_year
        table[STAFF_COST] = table["staff_cost"].to_numpy(dtype=float) * self.per_year
        return table

    def value(self, table: pd.DataFrame) -> np.ndarray:
        """Money per year of citizens' time, trips and staff, per replication (derived table)."""
        return sum(
            (weight * table[kpi].to_numpy(dtype=float) for kpi, weight in self.scale.items()),
            start=np.zeros(len(table)),
        )

    def citizens(self, table: pd.DataFrame) -> np.ndarray:
        """Money per year of citizens' time and trips only (no staff), per replication."""
        return self.value(table) - self.scale[STAFF_COST] * table[STAFF_COST].to_numpy(float)
