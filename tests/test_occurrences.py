"""Occurrences take the place SimPy's own events would take in its order (simpy_private).

The kernel replaces ``env.timeout(...)`` and ``env.event().succeed(...)`` by lighter
occurrences, and starts case processes inside the arrivals' callback
(:func:`wsim.model.coroutines.start_now`); every number of a replication stays the same only
if each event is processed at the same point of SimPy's order (time, priority, creation).
These tests build the same schedule twice, once with SimPy's own events and processes and
once with occurrences and ``start_now``, with many equal times, and compare the order in which
the callbacks and generators run.
"""

from __future__ import annotations

import random

import pytest
import simpy

from wsim.model import coroutines
from wsim.model.simpy_private import Walk, after, event_ids, pending, run_all, succeed, timeout


def _schedule(light: bool, seed: int) -> list[tuple[float, int]]:
    """Run a random mix of timeouts, succeeded events and waiting generators; their order."""
    rng = random.Random(seed)
    env = simpy.Environment()
    order: list[tuple[float, int]] = []
    waiting: list = []

    def note(label: int):
        return lambda event: order.append((env.now, label))

    def sleeper(label: int, delays: list[float]):
        for delay in delays:
            yield timeout(env, delay) if light else env.timeout(delay)
            order.append((env.now, label))

    def waiter(label: int, event):
        value = yield event
        order.append((env.now, label * 1000 + value))

    def starter(delay: float, generator) -> None:
        """Start `generator` in `delay` minutes, at the end of a callback (as arrivals do)."""

        def begin(event) -> None:
            order.append((env.now, -1))  # the callback's own work, before the start
            if light:
                coroutines.start_now(generator)
            else:
                env.process(generator)

        if light:
            after(env, delay, None, begin)
        else:
            env.timeout(delay).callbacks.append(begin)

    for label in range(300):
        kind = rng.randrange(4)
        delay = float(rng.randrange(5))  # few distinct times: many ties
        if kind == 0:
            if light:
                after(env, delay, label, note(label))
            else:
                env.timeout(delay, label).callbacks.append(note(label))
        elif kind == 1:
            delays = [float(rng.randrange(3)) for _ in range(3)]
            starter(delay, sleeper(label, delays))
        else:
            event = pending() if light else env.event()
            starter(delay, waiter(label, event))
            waiting.append(event)

    def trigger(event):
        for i, waited in enumerate(waiting):
            if light:
                succeed(env, waited, i % 7)
            else:
                waited.succeed(i % 7)

    env.timeout(2.0).callbacks.append(trigger)
    if light:
        run_all(env)
    else:
        env.run()
    return order


@pytest.mark.parametrize("seed", range(5))
def test_occurrences_keep_simpys_order(seed: int) -> None:
    simpy_order = _schedule(light=False, seed=seed)
    assert len(simpy_order) > 300  # every callback and generator step ran
    assert _schedule(light=True, seed=seed) == simpy_order


def _walked(outside: bool, seed: int) -> list[tuple[float, str]]:
    """A chain of events, each scheduled when the previous one happens, among other events.

    The chain is SimPy timeouts, or (`outside`) a :class:`Walk` that reserves each next
    event's id where the timeout would have been created. Every step also schedules another
    event, and processes started along the way add urgent events; few distinct times, so many
    ties. The order in which everything ran.
    """
    rng = random.Random(seed)
    env = simpy.Environment()
    order: list[tuple[float, str]] = []
    times = sorted(float(rng.randrange(40)) for _ in range(120))  # the chain's, with repeats
    extra = [float(rng.randrange(3)) for _ in times]  # delay of the event each step schedules
    position = 0

    def note(label: str):
        return lambda event: order.append((env.now, label))

    def process(label: str):
        order.append((env.now, label + " start"))
        yield env.timeout(float(rng.randrange(2)))
        order.append((env.now, label + " end"))

    def step_work() -> None:
        nonlocal position
        order.append((env.now, f"walk {position}"))
        env.timeout(extra[position]).callbacks.append(note(f"extra {position}"))
        if position % 5 == 0:
            env.process(process(f"process {position}"))
        position += 1

    def timeout_step(event) -> None:
        step_work()
        if position < len(times):
            env.timeout(times[position] - env.now).callbacks.append(timeout_step)

    def walk_step() -> None:
        step_work()
        if position < len(times):
            walk.at, walk.eid = times[position], next(event_ids(env))
        else:
            walk.at = float("inf")

    walk = Walk(walk_step)
    if outside:
        walk.at, walk.eid = times[0], next(event_ids(env))
    else:
        env.timeout(times[0]).callbacks.append(timeout_step)
    for label in range(60):
        env.timeout(float(rng.randrange(40))).callbacks.append(note(f"other {label}"))
    run_all(env, walk if outside else None)
    return order


@pytest.mark.parametrize("seed", range(5))
def test_a_walk_outside_the_queue_keeps_simpys_order(seed: int) -> None:
    """Events merged from outside the queue come where their timeouts would have come."""
    simpy_order = _walked(outside=False, seed=seed)
    assert sum(label.startswith("walk") for _, label in simpy_order) == 120
    assert _walked(outside=True, seed=seed) == simpy_order


def test_run_all_crashes_on_a_failure_no_one_handles_as_simpy_does() -> None:
    """A process that raises stops the run with a copy of its error; a handled failure does not."""

    def failing(env: simpy.Environment):
        yield env.timeout(1.0)
        raise KeyError("lost")

    def handling(env: simpy.Environment, event: simpy.Event):
        try:
            yield event
        except RuntimeError:
            yield env.timeout(1.0)

    env = simpy.Environment()
    env.process(failing(env))
    with pytest.raises(KeyError, match="lost") as crash:
        run_all(env)
    assert isinstance(crash.value.__cause__, KeyError)
    assert env.now == 1.0

    env = simpy.Environment()
    event = env.event()
    env.process(handling(env, event))
    event.fail(RuntimeError("handled"))
    run_all(env)
    assert env.now == 1.0


def test_a_negative_delay_is_refused_as_simpy_does() -> None:
    env = simpy.Environment()
    with pytest.raises(ValueError, match="Negative delay"):
        env.timeout(-1.0)
    with pytest.raises(ValueError, match="negative delay"):
        after(env, -1.0, None, lambda event: None)
    with pytest.raises(ValueError, match="negative delay"):
        timeout(env, -1.0)


def test_finished_cases_leave_nothing_for_the_cycle_collector() -> None:
    """A replication frees what its finished cases used by reference counting alone.

    Replications pause the cycle collector; a case whose runner stayed in a reference cycle
    after its end would pile up until the collector ran again (a year of the W district: some
    190,000 cases, and a collection pass of a fifth of a second per 60 days). Four times the
    days, four times the cases: what is left in cycles must not grow with them.
    """
    import gc
    from pathlib import Path

    import wsim
    from wsim.model.replication import run_replication

    file = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "small_journeys.yaml"
    base = wsim.load_scenario(file)

    def left_in_cycles(days: int) -> tuple[int, int]:
        scenario = base.model_copy(
            update={"calendar": base.calendar.model_copy(update={"days": days})}
        )
        gc.collect()
        log = run_replication(scenario, 1, 0)
        return gc.collect(), len(log.cases.start)

    enabled = gc.isenabled()
    gc.disable()  # no automatic pass may collect the cycles before they are counted
    try:
        short, cases_short = left_in_cycles(5)
        long, cases_long = left_in_cycles(20)
    finally:
        if enabled:
            gc.enable()
    assert cases_long > 3 * cases_short > 300
    assert long <= short + 50  # the unfinished cases at the end and the world's own objects
