"""A SimPy process without the process event and without the start event, for case processes.

``env.process(generator)`` makes the process an event of its own: started by an urgent event
at the current time, and scheduled once more when the generator ends so that others may wait
for it. A citizen's case is a generator that no one waits for, one per case, and it starts in
the hall's arrivals' callback, right before that callback ends or only does what the start
event would precede anyway, so both events are pure cost. :func:`start_now` runs a generator
exactly as SimPy does (resumed by the events it yields, in the same order) and leaves out
both. The order of all other events is unchanged: SimPy orders events by time, priority and
the order they were scheduled, and an event never scheduled takes no place in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from wsim.model.simpy_private import Occurrence, defuse, ok_of, value_of


class _Runner:
    """Resumes one generator with the values of the events it yields (see :func:`start_now`)."""

    __slots__ = ("generator", "resume")

    def __init__(self, generator: Generator[simpy.Event | Occurrence, Any, Any]):
        self.generator = generator
        # One bound method, appended to every event waited for. It refers back to the runner
        # (a reference cycle), so it is dropped when the generator ends: the runner is then
        # freed by reference counting, not left for the cycle collector (which replications
        # pause; a year leaves some 190,000 finished cases).
        self.resume: Callable[[simpy.Event | Occurrence], None] = self._resume

    def _resume(self, event: simpy.Event | Occurrence) -> None:
        generator = self.generator
        while True:
            try:
                if ok_of(event):
                    event = generator.send(value_of(event))
                else:  # a failed event: the generator handles it or raises
                    defuse(event)  # type: ignore[arg-type]  # occurrences never fail
                    event = generator.throw(value_of(event))
            except StopIteration:
                del self.resume
                return
            callbacks = event.callbacks
            if callbacks is not None:  # not processed yet: wait for it
                callbacks.append(self.resume)
                return


#: What a generator's first step is resumed with: a success with the value None.
_BEGIN = Occurrence([])


def start_now(generator: Generator[simpy.Event | Occurrence, Any, Any]) -> None:
    """Run `generator` as a SimPy process, up to its first wait now, inside the caller.

    The same as ``env.process(generator)`` (less its events) when nothing would happen between
    the end of the running callback and SimPy's urgent start event: the caller ends its own
    work right after this call, or only does work that the start event would precede anyway.
    The merged arrivals (:meth:`wsim.model.hall.Hall._on_arrivals`) are such a caller: after
    an arrival with a new case they end (the next arrival is left to
    :func:`~wsim.model.simpy_private.run_all`). Events the generator schedules get their
    ids in the same relative order as under ``env.process``, so SimPy's order is unchanged. An
    exception the generator raises propagates to the caller at once (SimPy would raise it out
    of ``env.run`` when it processes the failed process event, a moment later).
    """
    _Runner(generator).resume(_BEGIN)
