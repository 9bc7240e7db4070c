"""The SimPy internals the hot path uses, in one place.

``env.now`` and ``event.value`` are properties: each read is a Python-level call that checks
the event's state. The kernel's callbacks run hundreds of thousands of times per replication
and always read an event that has just been processed, so they read the attributes behind the
properties (``Environment._now``, ``Event._value``) directly, through these getters. The
merged arrivals (:mod:`wsim.model.arrival_days`) and the case processes
(:mod:`wsim.model.coroutines`) also schedule events with a given event id, move the clock
between arrivals and resume generators as SimPy's ``Process`` does. If a SimPy release
renames any of these, this module is the only place to change (SimPy 4.1 is required).
"""

from __future__ import annotations

from heapq import heappush
from operator import attrgetter

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


def set_now(env: simpy.Environment, t: float) -> None:
    """Move the clock to `t` (minutes) between two events that happen without an event."""
    env._now = t


def succeeded(env: simpy.Environment) -> simpy.Event:
    """An event that has succeeded with the value None and is not scheduled yet."""
    event = simpy.Event(env)
    event._ok = True
    event._value = None
    return event


def schedule_with_id(env: simpy.Environment, event: simpy.Event, t: float, eid: int) -> None:
    """Put `event` into the queue at time `t` with a reserved event id (normal priority)."""
    heappush(env._queue, (t, NORMAL, eid, event))


def defuse(event: simpy.Event) -> None:
    """Mark a failed event as handled (its generator is given the exception)."""
    event._defused = True
