"""The two SimPy internals the hot path reads, in one place.

``env.now`` and ``event.value`` are properties: each read is a Python-level call that checks
the event's state. The kernel's callbacks run hundreds of thousands of times per replication
and always read an event that has just been processed, so they read the attributes behind the
properties (``Environment._now``, ``Event._value``) directly, through these two getters. If a
SimPy release renames them, this module is the only place to change (SimPy 4.1 is required).
"""

from __future__ import annotations

from operator import attrgetter

now_of = attrgetter("_now")
"""``now_of(env)`` is ``env.now`` (minutes), without the property call."""

value_of = attrgetter("_value")
"""``value_of(event)`` is ``event.value`` of a processed event, without the property call."""
