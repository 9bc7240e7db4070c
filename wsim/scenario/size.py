"""How big a run of a scenario is, estimated before it starts, and the refusal of a huge one.

A scenario can be valid and still impossible to simulate on a normal machine: ``per_hour:
1e9``, outages every microsecond, 10,000 calendar days. :func:`estimate` gives the expected
size of one replication as :class:`Contribution` s, each naming the scenario field that
causes it:

- ``tickets``: hall visits (arrivals of each demand stream times the visits a case makes:
  returns for missing materials, pickups, carrying files between departments);
- ``steps``: back-office work items (steps, repeated when data is stale);
- ``days``: calendar days simulated (arrival days, and the drain after them);
- ``clerks``: window clerks the hall simulates (each group's most windows);
- ``outages``: outage events drawn for the systems;
- ``slots``: staffing slots of a day.

:func:`check_run_size` compares the totals with :class:`~wsim.scenario.limits.RunLimits`
and raises :class:`RunTooLarge`, naming the field that contributes most and how to allow the
run. New mechanisms that create events register an estimator with
:func:`register_estimator` (a function ``scenario -> Contribution s``), and new quantities
with :func:`register_quantity`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from wsim.scenario.calendar import WEEKDAYS, Calendar
from wsim.scenario.errors import ScenarioError, key_path
from wsim.scenario.hall import Demand
from wsim.scenario.journeys import ParallelStep
from wsim.scenario.limits import RunLimits, default_limits
from wsim.scenario.schema import Scenario
from wsim.scenario.staffing import planning_hours
from wsim.scenario.units import MINUTES_PER_DAY


@dataclass(frozen=True)
class Contribution:
    """Part of the size of one replication: `amount` of `quantity`, caused by `field`."""

    quantity: str
    amount: float
    field: str
    detail: str = ""


@dataclass(frozen=True)
class Quantity:
    """A measure of run size: the :class:`RunLimits` attribute bounding it, and its words."""

    limit: str
    unit: str
    option: str


#: The quantities estimated, the limit of each, and the option that raises it.
QUANTITIES: dict[str, Quantity] = {
    "tickets": Quantity("max_tickets", "hall tickets", "--max-tickets"),
    "steps": Quantity("max_tickets", "back-office work items", "--max-tickets"),
    "days": Quantity("max_days", "simulated calendar days", "WSIM_MAX_DAYS"),
    "clerks": Quantity("max_clerks", "window clerks", "WSIM_MAX_CLERKS"),
    "outages": Quantity("max_outages", "outage events", "WSIM_MAX_OUTAGES"),
    "slots": Quantity("max_slots", "staffing slots a day", "a longer staffing.slot"),
}

Estimator = Callable[[Scenario], Iterable[Contribution]]
_ESTIMATORS: list[Estimator] = []


def register_estimator(estimator: Estimator) -> Estimator:
    """Add `estimator` to the run-size estimate (usable as a decorator); returns it."""
    if estimator not in _ESTIMATORS:
        _ESTIMATORS.append(estimator)
    return estimator


def register_quantity(name: str, quantity: Quantity) -> None:
    """Add a quantity that estimators may report (its limit must be a RunLimits field)."""
    QUANTITIES[name] = quantity


class RunTooLarge(ScenarioError):
    """A run that would not finish on a normal machine (before it starts, or while running)."""


@dataclass(frozen=True)
class RunSize:
    """The estimated size of one replication: its contributions, by quantity and field."""

    contributions: tuple[Contribution, ...]

    def total(self, quantity: str) -> float:
        """The expected amount of `quantity` in one replication."""
        return math.fsum(c.amount for c in self.contributions if c.quantity == quantity)

    def largest(self, quantity: str) -> Contribution | None:
        """The contribution to `quantity` from the field that adds most."""
        found = [c for c in self.contributions if c.quantity == quantity]
        return max(found, key=lambda c: c.amount) if found else None

    def totals(self) -> dict[str, float]:
        """Every quantity's total."""
        return {
            name: self.total(name) for name in dict.fromkeys(c.quantity for c in self.contributions)
        }


def estimate(scenario: Scenario) -> RunSize:
    """The expected size of one replication of `scenario` (see the module docstring)."""
    found: list[Contribution] = []
    for estimator in _ESTIMATORS:
        found += estimator(scenario)
    return RunSize(tuple(found))


def check_run_size(scenario: Scenario, limits: RunLimits | None = None) -> RunSize:
    """The run size, or :class:`RunTooLarge` when a quantity exceeds its limit.

    The message gives the size, the field that makes it (with what it contributes) and how
    to allow a larger run on purpose.
    """
    limits = default_limits() if limits is None else limits
    size = estimate(scenario)
    problems = []
    for name, total in size.totals().items():
        quantity = QUANTITIES[name]
        limit = getattr(limits, quantity.limit)
        if not total > limit:
            continue
        largest = size.largest(name)
        if largest is None:
            continue
        detail = f" ({largest.detail})" if largest.detail else ""
        message = (
            f"one replication would have about {_number(total)} {quantity.unit}, more than the "
            f"limit of {_number(limit)}; this field adds {_number(largest.amount)}{detail}. "
            f"{_allow(quantity)}"
        )
        problems.append((largest.field, message))
    if problems:
        file = None if scenario.source is None else str(scenario.source)
        raise RunTooLarge(problems, file)
    return size


def _allow(quantity: Quantity) -> str:
    if quantity.option.startswith("--"):
        return (
            f"To run it anyway: {quantity.option} N (wsim run, compare, grid, validate), "
            f"limits=RunLimits({quantity.limit}=N) in Python, or the environment variable "
            f"WSIM_{quantity.limit.upper()}=N"
        )
    if quantity.option.startswith("WSIM_"):
        return (
            f"To run it anyway: limits=RunLimits({quantity.limit}=N) in Python, or the "
            f"environment variable {quantity.option}=N"
        )
    return f"Use {quantity.option}"


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "infinitely many" if value > 0 else str(value)
    return f"{value:,.0f}" if value < 1e15 else f"{value:.3g}"


# --- the estimators of wsim's own mechanisms ------------------------------------------------


def weekday_counts(calendar: Calendar) -> dict[str, float]:
    """How many arrival days fall on each weekday (days mode: exact; continuous: per 24 h)."""
    if calendar.mode == "continuous":
        days = (calendar.horizon or 0.0) / MINUTES_PER_DAY
        return dict.fromkeys(WEEKDAYS, days / 7)
    order = [WEEKDAYS[(WEEKDAYS.index(calendar.start) + i) % 7] for i in range(7)]
    open_order = [day for day in order if day in calendar.weekdays]
    weeks, rest = divmod(calendar.days, len(open_order))
    counts: dict[str, float] = {day: float(weeks) for day in open_order}
    for day in open_order[:rest]:
        counts[day] += 1
    return counts


def arrival_span(calendar: Calendar) -> float:
    """Calendar days from the first day to the end of the last arrival day (or the horizon)."""
    if calendar.mode == "continuous":
        return (calendar.horizon or 0.0) / MINUTES_PER_DAY
    order = [WEEKDAYS[(WEEKDAYS.index(calendar.start) + i) % 7] for i in range(7)]
    positions = [i for i, day in enumerate(order) if day in calendar.weekdays]
    weeks, rest = divmod(calendar.days - 1, len(positions))
    return float(weeks * 7 + positions[rest] + 1)


def simulated_days(scenario: Scenario) -> float:
    """Calendar days a replication simulates: the arrival span and, with journeys, the drain."""
    days = arrival_span(scenario.calendar)
    if scenario.calendar.mode == "days" and scenario.uses_journeys():
        days += scenario.calendar.drain / MINUTES_PER_DAY
    return days


def _arrivals(demand: Demand, scenario: Scenario) -> float:
    """Expected arrivals of one demand stream in one replication."""
    calendar = scenario.calendar
    counts = weekday_counts(calendar)
    factors: dict[str, float] = {str(day): f for day, f in demand.weekday_factors.items()}
    factored = sum(n * factors.get(day, 1.0) for day, n in counts.items())
    if demand.per_day is not None:
        return demand.per_day * factored
    hours = 24.0 if calendar.mode == "continuous" else (calendar.close - calendar.open) / 60
    return (demand.per_hour or 0.0) * hours * factored


def _visits_per_case(scenario: Scenario, demand: Demand) -> float:
    """Hall visits one case makes, roughly: its intake visits, handoff visits and pickup."""
    service = scenario.services.get(demand.service)
    if service is None or not scenario.uses_journeys():
        return 1.0
    visits = 1.0 / (1.0 - service.incomplete)
    steps = _steps(service.workflow)
    if scenario.handoffs.mode == "citizen":
        visits += steps / (1.0 - scenario.handoffs.rework)
    if service.workflow and service.result == "pickup":
        visits += 1.0
    return visits


def _steps(workflow: tuple) -> int:
    return sum(len(step.parallel) if isinstance(step, ParallelStep) else 1 for step in workflow)


@register_estimator
def _hall_tickets(scenario: Scenario) -> Iterator[Contribution]:
    for i, demand in enumerate(scenario.demand):
        rate = "per_day" if demand.per_day is not None else "per_hour"
        arrivals = _arrivals(demand, scenario)
        visits = _visits_per_case(scenario, demand)
        field = f"demand[{i}].{rate}"
        if visits >= 10:  # the repetitions, not the rate, make it big
            field = f"services.{key_path(demand.service)}.incomplete"
        detail = f"about {_number(arrivals)} arrivals of {demand.label}"
        if visits != 1.0:
            detail += f", {visits:.3g} hall visits each"
        yield Contribution("tickets", arrivals * visits, field, detail)


@register_estimator
def _back_office_steps(scenario: Scenario) -> Iterator[Contribution]:
    if not scenario.uses_journeys():
        return
    repeats = 1.0 / (1.0 - scenario.handoffs.rework)
    for i, demand in enumerate(scenario.demand):
        service = scenario.services.get(demand.service)
        steps = _steps(service.workflow) if service is not None else 0
        if steps:
            field = "handoffs.rework" if repeats >= 10 else f"demand[{i}]"
            detail = f"{steps} steps of {demand.label}, {repeats:.3g} times each"
            amount = _arrivals(demand, scenario) * steps * repeats
            yield Contribution("steps", amount, field, detail)


@register_estimator
def _days(scenario: Scenario) -> Iterator[Contribution]:
    calendar = scenario.calendar
    if calendar.mode == "continuous":
        yield Contribution("days", simulated_days(scenario), "calendar.horizon")
        return
    span = arrival_span(calendar)
    yield Contribution("days", span, "calendar.days", f"{calendar.days} open days")
    if scenario.uses_journeys():
        yield Contribution("days", calendar.drain / MINUTES_PER_DAY, "calendar.drain")


@register_estimator
def _clerks(scenario: Scenario) -> Iterator[Contribution]:
    for i, group in enumerate(scenario.windows):
        field = f"windows[{i}].{'count' if group.count is not None else 'schedule'}"
        yield Contribution("clerks", max(group.max_count, 1), field, f"group {group.name}")


@register_estimator
def _outages(scenario: Scenario) -> Iterator[Contribution]:
    if not scenario.uses_journeys():
        return  # systems only stop channels and departments of journeys
    minutes = simulated_days(scenario) * MINUTES_PER_DAY
    for name, outage in scenario.systems.items():
        cycle = outage.between.expected() + outage.repair.expected()
        amount = minutes / cycle if cycle > 0 else math.inf
        detail = f"an outage every {cycle:.3g} min on average"
        yield Contribution("outages", amount, f"systems.{key_path(name)}.between", detail)


@register_estimator
def _slots(scenario: Scenario) -> Iterator[Contribution]:
    if scenario.staffing is None:
        return
    begin, finish = planning_hours(scenario.calendar)
    yield Contribution("slots", (finish - begin) / scenario.staffing.slot, "staffing.slot")
