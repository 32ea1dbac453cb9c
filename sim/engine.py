"""The event loop: SimPy's environment with a lean path for the model's timers.

Most of the model's events are timers with one callback (a pulse ending, a
notice due, an owner's decision).  `call_later` schedules one as a SimPy
`Timeout` built in place, and `run_until` processes events in a loop of its
own instead of one method call per event: the same events in the same order
as `Environment.run`, for less interpreter work per event.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Timeout

Callback = Callable[[simpy.Event], None]


class Engine(simpy.Environment):
    """A SimPy environment that counts its events and runs timers cheaply."""

    @property
    def processed(self) -> int:
        """Return the number of events processed so far.

        SimPy numbers every scheduled event (`_eid`) and keeps the pending ones
        in its queue, so processed = scheduled - pending: nothing is counted per
        event.
        """
        scheduled = next(self._eid)  # the id the next event would get
        self._eid = itertools.count(scheduled)  # give that id back
        return scheduled - len(self._queue)

    def timeout(self, delay: float = 0.0, value: Any = None) -> Timeout:  # type: ignore[override]
        """Return a SimPy `Timeout` of `delay` hours (as `Environment.timeout`)."""
        return Timeout(self, delay, value)

    def call_later(self, delay: float, callback: Callback, value: Any = None) -> Timeout:
        """Call `callback(event)` in `delay` hours; the event carries `value`."""
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        event = Timeout.__new__(Timeout)
        event.env = self
        event.callbacks = [callback]
        event._value = value
        event._delay = delay
        event._ok = True
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), event))
        return event

    def run_until(self, until: float) -> None:
        """Process every event due before hour `until`, then stand at `until`.

        Like `Environment.run(until=...)`, events due exactly at `until` are
        left unprocessed (SimPy's stop event would come first).
        """
        queue = self._queue
        while queue and queue[0][0] < until:
            self._now, _, _, event = heappop(queue)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                raise event._value
        self._now = until
