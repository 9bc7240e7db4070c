"""A SimPy process without the process event: for generators nobody waits for.

``env.process(generator)`` makes the process an event of its own, scheduled once more when
the generator ends so that others may wait for it. A citizen's case is a generator that no
one waits for, one per case, so that last event is pure cost. :func:`start` runs a generator
exactly as SimPy does (started by an urgent event at the current time, resumed by the events
it yields, in the same order), and only leaves out the event at its end. The order of all
other events is unchanged: SimPy orders events by time, priority and the order they were
scheduled, and an event never scheduled takes no place in that order.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy
from simpy.core import URGENT

from wsim.model.simpy_private import defuse, ok_of, succeeded, value_of


class _Runner:
    """Resumes one generator with the values of the events it yields (see :func:`start`)."""

    __slots__ = ("generator", "resume")

    def __init__(self, generator: Generator[simpy.Event, Any, Any]):
        self.generator = generator
        self.resume = self._resume  # one bound method, appended to every event waited for

    def _resume(self, event: simpy.Event) -> None:
        generator = self.generator
        while True:
            try:
                if ok_of(event):
                    event = generator.send(value_of(event))
                else:  # a failed event: the generator handles it or raises
                    defuse(event)
                    event = generator.throw(value_of(event))
            except StopIteration:
                return
            callbacks = event.callbacks
            if callbacks is not None:  # not processed yet: wait for it
                callbacks.append(self.resume)
                return


def start(env: simpy.Environment, generator: Generator[simpy.Event, Any, Any]) -> None:
    """Run `generator` as a SimPy process from now on, without a process event at its end.

    Started, like ``env.process``, by an urgent event at the current time. An exception the
    generator raises propagates out of ``env.run`` at once (SimPy would raise it when it
    processes the failed process event, a moment later at the same time).
    """
    begin = succeeded(env)
    begin.callbacks = [_Runner(generator).resume]
    env.schedule(begin, URGENT)
