"""Arrival processes: piecewise-constant rates over the calendar, sampled by thinning.

A demand stream's rate is constant (``per_hour``) or a day's volume (``per_day``) spread over
the day by a profile of relative weights, scaled by a weekday factor. Arrivals are an exact
non-homogeneous Poisson process: candidates come at the day's maximum rate and each is kept
with probability rate(t) / max rate (Lewis and Shedler's thinning).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from wsim.model.calendar import open_days
from wsim.scenario.hall import Demand, Profile
from wsim.scenario.schema import Scenario
from wsim.scenario.units import MINUTES_PER_DAY
from wsim.streams import Draw


@dataclass(frozen=True)
class Period:
    """A stretch of clock time with a piecewise-constant arrival rate.

    `breaks[i]` is where rate `rates[i]` (arrivals per minute) starts; the last piece runs to
    `end`. `day` is the open-day index (days mode) or the calendar day (continuous mode).
    """

    day: int
    start: float
    end: float
    breaks: tuple[float, ...]
    rates: tuple[float, ...]

    @property
    def rate_max(self) -> float:
        """The highest rate of the period (arrivals per minute): thinning's candidate rate."""
        return max(self.rates)

    def rate_at(self, t: float) -> float:
        """Arrivals per minute at clock time `t` (start <= t < end)."""
        return self.rates[bisect.bisect_right(self.breaks, t) - 1]

    def expected(self) -> float:
        """Expected number of arrivals in the period."""
        edges = (*self.breaks, self.end)
        return sum(r * (edges[i + 1] - edges[i]) for i, r in enumerate(self.rates))


def _profile_pieces(profile: Profile | None, lo: float, hi: float) -> list[tuple[float, float]]:
    """(start, weight) pieces of a profile clipped to [lo, hi) minutes after midnight."""
    if profile is None:
        return [(lo, 1.0)]
    pieces = [(lo, profile.weight_at(lo))]
    pieces += [(t, w) for t, w in profile.points if lo < t < hi]
    return pieces


def periods(demand: Demand, scenario: Scenario) -> list[Period]:
    """The arrival periods of one demand stream over the scenario's calendar."""
    calendar = scenario.calendar
    profile = scenario.profiles[demand.profile] if demand.profile else None
    # A constant rate (per_hour) has no profile; a day's volume is spread by one (or flat).
    if calendar.mode == "continuous":
        lo, hi = 0.0, MINUTES_PER_DAY
    else:
        lo, hi = calendar.open, calendar.close
    pieces = _profile_pieces(profile, lo, hi)
    edges = [t for t, _ in pieces] + [hi]
    total_weight = sum(w * (edges[i + 1] - edges[i]) for i, (_, w) in enumerate(pieces))
    result = []
    for day in open_days(calendar):
        factor = demand.weekday_factors.get(day.weekday, 1.0)
        if demand.per_hour is not None:
            rates = [demand.per_hour / 60.0 * factor] * len(pieces)
        else:
            assert demand.per_day is not None  # exactly one of per_hour, per_day (validated)
            rates = [demand.per_day * factor * w / total_weight for _, w in pieces]
        start, end = day.start + lo, day.start + hi
        if calendar.mode == "continuous":
            assert calendar.horizon is not None  # required in continuous mode (validated)
            end = min(end, calendar.horizon)
        breaks = tuple(day.start + t for t, _ in pieces)
        result.append(Period(day.index, start, end, breaks, tuple(rates)))
    return result


class ArrivalClock:
    """Successive arrival times of one demand stream, by thinning.

    `gap` draws Exp(1) variates and `accept` U(0,1) variates, each from its own named stream so
    that the arrival times of a stream depend only on its own random numbers.
    """

    def __init__(self, periods: list[Period], gap: Draw, accept: Draw):
        self._periods = [p for p in periods if p.rate_max > 0 and p.end > p.start]
        self._gap = gap
        self._accept = accept
        self._i = 0
        self._t = self._periods[0].start if self._periods else 0.0

    def next(self) -> tuple[float, int] | None:
        """The next arrival as (clock time, day), or None when the calendar is over."""
        while self._i < len(self._periods):
            period = self._periods[self._i]
            rate_max = period.rate_max
            constant = min(period.rates) == rate_max
            t = self._t
            while True:
                t += self._gap() / rate_max
                if t >= period.end:
                    break
                if constant or self._accept() * rate_max < period.rate_at(t):
                    self._t = t
                    return t, period.day
            self._i += 1
            if self._i < len(self._periods):
                self._t = self._periods[self._i].start
        return None
