"""The SimPy internals the hot path uses, in one place.

``env.now`` and ``event.value`` are properties: each read is a Python-level call that checks
the event's state. The kernel's callbacks run hundreds of thousands of times per replication
and always read an event that has just been processed, so they read the attributes behind the
properties (``Environment._now``, ``Event._value``) directly, through these getters. The
merged arrivals (:mod:`wsim.model.arrival_days`) and the case processes
(:mod:`wsim.model.coroutines`) also merge events with a reserved event id into the queue's
order (:class:`Walk`) and resume generators as SimPy's ``Process`` does. If a SimPy release
renames any of these, this module is the only place to change (SimPy 4.1 is required).

Occurrences: most of the kernel's events are timeouts that one callback or one waiting
generator consumes, and events that one case waits for. SimPy's ``Timeout`` and ``Event`` are
general (a reference to the environment, checks, the ``succeed`` protocol, properties);
SimPy's loop itself only reads an event's ``callbacks`` and ``_ok`` (and a generator resumed
by it reads ``_value``). :class:`Occurrence` is just those three slots; :func:`after`,
:func:`timeout` and :func:`succeed` put one into SimPy's queue exactly where a ``Timeout`` or a
succeeded ``Event`` would go (the time, normal priority, the next event id), so the order of
every event, and every number, is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from operator import attrgetter
from typing import Any

import simpy
from simpy.events import NORMAL

now_of = attrgetter("_now")
"""``now_of(env)`` is ``env.now`` (minutes), without the property call."""

value_of = attrgetter("_value")
"""``value_of(event)`` is ``event.value`` of a processed event, without the property call."""

ok_of = attrgetter("_ok")
"""``ok_of(event)`` is ``event.ok`` of a processed event, without the property call."""

queue_of = attrgetter("_queue")
"""``queue_of(env)``: SimPy's event queue, a heap of ``(time, priority, event id, event)``."""

event_ids = attrgetter("_eid")
"""``event_ids(env)``: the counter SimPy takes each scheduled event's id from."""

INF = float("inf")
"""Infinite time (minutes): a :class:`Walk` with nothing next is due then."""


def run_all(env: simpy.Environment, walk: Walk | None = None) -> None:
    """``env.run()``: process every event until none is left, without a method call per event.

    The body of SimPy's ``Environment.step`` in one loop: pop the next event (time, priority,
    id), move the clock, run its callbacks, and crash with a copy of its exception when it
    failed and no one defused it. The order and the outcome of every event are SimPy's;
    ``StopSimulation`` (used by ``run(until=...)`` only) is not handled, since this runs to
    the end.

    `walk`, when given, is a source of events kept outside the queue (the hall's merged
    arrivals): its next one happens where a timeout with its time and reserved event id would
    come in the queue's order, so the order of every event is the same as if it were in it.
    """
    queue: list[Any] = env._queue
    if walk is None:
        walk = Walk(_nothing)  # never anything next
    while True:
        at = walk.at
        if queue:
            head = queue[0]
            if at < head[0] or (at == head[0] and (NORMAL, walk.eid) < (head[1], head[2])):
                env._now = at
                walk.step()
                continue
            env._now, _, _, event = heappop(queue)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                _crash(event)
        elif at < INF:
            env._now = at
            walk.step()
        else:
            return


def _nothing() -> None:
    """The step of a walk that has nothing to walk."""


def _crash(event: Any) -> None:
    """Raise a copy of the exception of `event`, which failed and which no one defused."""
    failure = event._value
    crash = type(failure)(*failure.args)
    crash.__cause__ = failure
    raise crash


class Walk:
    """Events that :func:`run_all` merges into SimPy's order from outside its queue.

    `at` and `eid` are the time (minutes; infinite when none is left) and the reserved event id
    of the next one; `step()` makes it happen, the clock already at `at`, and sets them to the
    next one's. Keeping them out of the queue spares a push and a pop of the heap for each (the
    hall's arrivals: one each, as a timeout they would need both whenever another event comes
    between two of them).
    """

    __slots__ = ("at", "eid", "step")

    def __init__(self, step: Callable[[], None]):
        self.at = INF
        self.eid = 0
        self.step = step


def defuse(event: simpy.Event) -> None:
    """Mark a failed event as handled (its generator is given the exception)."""
    event._defused = True


class Occurrence:
    """A one-shot event for SimPy's loop: callbacks, success, value, and nothing else.

    It stands for a ``Timeout`` or an ``Event`` that succeeds, waited for by callbacks or by
    generators (a SimPy ``Process`` or :mod:`wsim.model.coroutines` resumes on it like on an
    event). It never fails.
    """

    __slots__ = ("_ok", "_value", "callbacks")

    def __init__(self, callbacks: list[Callable[[Any], None]] | None, value: Any = None):
        self.callbacks: list[Callable[[Any], None]] | None = callbacks
        self._ok = True
        self._value = value

    @property
    def value(self) -> Any:
        """The value it was triggered with (``event.value``; for readers outside the hot path)."""
        return self._value


def after(env: simpy.Environment, delay: float, value: Any, callback: Callable) -> None:
    """Call ``callback(occurrence)`` in `delay` minutes; the occurrence's value is `value`.

    The same as ``env.timeout(delay, value).callbacks.append(callback)``, in the same place of
    SimPy's order.
    """
    if delay < 0:
        raise ValueError(f"negative delay {delay}")
    queue: list[Any] = env._queue  # holds occurrences too, not only Events
    heappush(queue, (env._now + delay, NORMAL, next(env._eid), Occurrence([callback], value)))


def timeout(env: simpy.Environment, delay: float) -> Occurrence:
    """An occurrence `delay` minutes from now, for a generator to yield (``env.timeout(delay)``)."""
    if delay < 0:
        raise ValueError(f"negative delay {delay}")
    occurrence = Occurrence([])
    queue: list[Any] = env._queue
    heappush(queue, (env._now + delay, NORMAL, next(env._eid), occurrence))
    return occurrence


def pending() -> Occurrence:
    """An occurrence not scheduled yet (``env.event()``), for :func:`succeed` to trigger."""
    return Occurrence([])


def succeed(env: simpy.Environment, occurrence: Occurrence, value: Any) -> None:
    """Trigger `occurrence` now with `value` (``event.succeed(value)``)."""
    occurrence._value = value
    queue: list[Any] = env._queue
    heappush(queue, (env._now, NORMAL, next(env._eid), occurrence))
