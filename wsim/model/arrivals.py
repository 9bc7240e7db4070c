"""Arrival processes: piecewise-constant rates over the calendar, sampled by thinning.

A demand stream's rate is constant (``per_hour``) or a day's volume (``per_day``) spread over
the day by a profile of relative weights, scaled by a weekday factor and a day-type factor.
Each open day has its own hours and profile (by its day type); a remote channel with its own
``hours``/``days`` spreads its streams' volume over those hours instead, on its own days.
Arrivals are an exact non-homogeneous Poisson process: candidates come at the day's maximum
rate and each is kept with probability rate(t) / max rate (Lewis and Shedler's thinning).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

from wsim.model.calendar import Day, calendar_days, open_days
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

    @functools.cached_property
    def rate_max(self) -> float:
        """The highest rate of the period (arrivals per minute): thinning's candidate rate.

        Worked out once: the streams of a rate description share their periods, and each
        stream's clock reads it at every period it enters.
        """
        return max(self.rates)

    @functools.cached_property
    def constant(self) -> bool:
        """Whether the rate is the same over the whole period (no thinning draws needed)."""
        return min(self.rates) == self.rate_max

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


def rate_key(demand: Demand) -> tuple:
    """What :func:`periods` reads of a demand stream, as a key: equal keys, equal periods.

    A center of a thousand matters has a thousand streams but a few rate descriptions; the
    hall computes the periods once per key (the periods are immutable, so streams share them).
    Any field :func:`periods` or :func:`_arrival_days` reads must be part of this key.
    """
    return (
        demand.per_hour,
        demand.per_day,
        demand.profile,
        tuple(demand.weekday_factors.items()),
        tuple(demand.day_factors.items()),
        tuple(demand.day_profiles.items()),
        demand.channel,
    )


def periods(demand: Demand, scenario: Scenario, opened: list[Day] | None = None) -> list[Period]:
    """The arrival periods of one demand stream over the scenario's calendar.

    `opened` is the calendar's :func:`~wsim.model.calendar.open_days`, when the caller has it
    already (a center of a thousand streams then does not rebuild it a thousand times).
    """
    calendar = scenario.calendar
    opened = open_days(calendar) if opened is None else opened
    days: list[tuple[Day, float, float, str | None]]
    if calendar.mode == "continuous":
        days = [(day, 0.0, MINUTES_PER_DAY, None) for day in opened]
    else:
        days = _arrival_days(demand, scenario, opened)
    result = []
    spread: dict[tuple[str | None, float, float], tuple[list, float]] = {}
    for day, lo, hi, day_type in days:
        factor = demand.weekday_factors.get(day.weekday, 1.0)
        if day_type is not None:
            factor *= demand.day_factors.get(day_type, 1.0)
        name = demand.profile if day_type is None else demand.profile_on(day_type)
        # A constant rate (per_hour) has no profile; a day's volume is spread by one (or flat).
        key = (name, lo, hi)
        if key not in spread:
            pieces = _profile_pieces(scenario.profiles[name] if name else None, lo, hi)
            edges = [t for t, _ in pieces] + [hi]
            weight = sum(w * (edges[i + 1] - edges[i]) for i, (_, w) in enumerate(pieces))
            spread[key] = (pieces, weight)
        pieces, total_weight = spread[key]
        if demand.per_hour is not None:
            rates = [demand.per_hour / 60.0 * factor] * len(pieces)
        elif factor == 0:
            rates = [0.0] * len(pieces)
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


def _arrival_days(
    demand: Demand, scenario: Scenario, opened: list[Day]
) -> list[tuple[Day, float, float, str | None]]:
    """The days a stream arrives on (days mode): (day, from, to minutes of day, day type).

    Hall streams arrive in the hall's hours of each open day. A remote channel with its own
    hours uses them; with ``days: all`` it submits on every calendar day up to the last open
    day, a closed day having no day type (None) and the open-day index of the last open day
    before it (0 before the first).
    """
    calendar = scenario.calendar
    channel = next((c for n, c in scenario.channels.items() if n == demand.channel), None)
    if channel is None or not channel.own_hours:
        return [(day, day.open, day.close, day.day_type) for day in opened]
    days: list[tuple[Day, str | None]]
    if channel.days == "open":
        days = [(day, day.day_type) for day in opened]
    else:
        last = opened[-1].calendar_day
        days, index = [], 0
        for c, weekday, day in calendar_days(calendar, last):
            if day is not None:
                index = day.index
                days.append((day, day.day_type))
            else:
                closed = Day(
                    index, c * MINUTES_PER_DAY, weekday, open=calendar.open, close=calendar.close
                )
                days.append((closed, None))
    return [(day, *(channel.hours or (day.open, day.close)), day_type) for day, day_type in days]


class ArrivalClock:
    """Successive arrival times of one demand stream, by thinning.

    `gap` draws Exp(1) variates and `accept` U(0,1) variates, each from its own named stream so
    that the arrival times of a stream depend only on its own random numbers. `accept` is called
    only in periods whose rate varies; when no period does (a constant ``per_hour``), it may be
    None (see :func:`needs_thinning`), which spares building its stream. The clock keeps each
    period's end, highest rate and constancy in slots of its own, so that a center of a
    thousand streams does not look them up in a thousand scattered objects at every arrival.
    """

    __slots__ = ("_accept", "_constant", "_end", "_gap", "_i", "_periods", "_rate_max", "_t")

    def __init__(self, periods: list[Period], gap: Draw, accept: Draw | None):
        self._periods = [p for p in periods if p.rate_max > 0 and p.end > p.start]
        self._gap = gap
        self._accept = accept
        self._i = -1
        self._t = 0.0
        self._end = 0.0
        self._rate_max = 1.0
        self._constant = True
        self._enter(0)

    def _enter(self, i: int) -> None:
        """Start period `i` (past the last one: the calendar is over)."""
        self._i = i
        if i < len(self._periods):
            period = self._periods[i]
            self._t = period.start
            self._end = period.end
            self._rate_max = period.rate_max
            self._constant = period.constant

    def next(self) -> tuple[float, int] | None:
        """The next arrival as (clock time, day), or None when the calendar is over."""
        while self._i < len(self._periods):
            rate_max, end = self._rate_max, self._end
            t = self._t
            while True:
                t += self._gap() / rate_max
                if t >= end:
                    break
                if self._constant:
                    self._t = t
                    return t, self._periods[self._i].day
                period = self._periods[self._i]
                if self._accept() * rate_max < period.rate_at(t):  # type: ignore[misc]
                    self._t = t
                    return t, period.day
            self._enter(self._i + 1)
        return None


def needs_thinning(periods: list[Period]) -> bool:
    """Whether any of `periods` has a rate that varies within it (thinning draws are needed)."""
    return any(not p.constant for p in periods if p.rate_max > 0 and p.end > p.start)
