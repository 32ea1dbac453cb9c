"""The event loop: SimPy's environment with a lean path for the model's timers.

Most of the model's events are timers with one callback (a pulse ending, a
notice due, an owner's decision).  `call_later` schedules one as a `Timer`,
a slotted object with just what the event loop needs; `timeout` builds
SimPy's `Timeout` in place for the processes; and `run_until` processes
events in a loop of its own instead of one method call per event: the same
events in the same order as `Environment.run`, for less interpreter work per
event.

Timers that always wait the same time (a pulse of one kind ending, the next
notice) fall due in the order they were set.  A `Lane` keeps such timers in
a FIFO and only its first one in SimPy's event queue: the queue stays a
third as deep in a large community, and the events still come in exactly the
order of one queue (each timer keeps its own time and sequence number; one
set out of order goes to the queue directly).

`cyclic_gc_paused` switches Python's cycle collector off while a campaign
runs.  The event loop allocates a container (an event, a heap entry) per
event, so the collector would otherwise walk the young objects every few
hundred events and, now and then, every object of the run; yet a run makes
no reference cycles (`tests/test_engine_invariants.py` checks that a
collection after a run finds no garbage), so reference counting alone frees
everything.  A fifth of the run time at 2,000 households.
"""

from __future__ import annotations

import gc
import itertools
import math
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from heapq import heapify, heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL, URGENT, EventPriority, Timeout

Callback = Callable[["Timer"], None]
Entry = tuple[float, int, int, simpy.Event]
SLOT = 1.0  # hours: the width of a slot of the calendar queue (an hour: the fewest instructions, measured)
NEVER = 2**1024  # the slot of events due at infinity: above the slot of any finite time (all below 2**1024)


class Engine(simpy.Environment):
    """A SimPy environment that counts its events and runs timers cheaply."""

    # The current time as a plain attribute: it shadows SimPy's `now` property,
    # whose every read is a function call.  SimPy's own `_now` is an alias of it.
    now: float = 0.0

    def __init__(self) -> None:
        super().__init__()
        self._lanes: list[Lane] = []
        # SimPy's queue holds the events due before `_slot_end`; later ones wait, unsorted, by slot
        # (a calendar queue: the heap stays an hour of events deep, so each pop compares fewer entries)
        self._slot_end = SLOT
        self._later: dict[int, list[Entry]] = {}
        self._later_slots: list[int] = []  # a heap of the slots in `_later`

    @property
    def _now(self) -> float:  # type: ignore[override]
        return self.now

    @_now.setter
    def _now(self, value: float) -> None:
        self.now = value

    def _push(self, entry: Entry) -> None:
        """Queue an event entry (time, priority, sequence number, event)."""
        if entry[0] < self._slot_end:
            heappush(self._queue, entry)
        else:
            self._push_later(entry)

    def _push_later(self, entry: Entry) -> None:
        slot = int(entry[0] // SLOT) if entry[0] < math.inf else NEVER
        later = self._later.get(slot)
        if later is None:
            self._later[slot] = [entry]
            heappush(self._later_slots, slot)
        else:
            later.append(entry)

    def _next_slot(self) -> bool:
        """Move the next slot with events into the (empty) queue; False when there is none."""
        if not self._later_slots:
            return False
        slot = heappop(self._later_slots)
        self._queue.extend(self._later.pop(slot))
        heapify(self._queue)
        self._slot_end = (slot + 1) * SLOT if slot != NEVER else math.inf
        return True

    def schedule(self, event: simpy.Event, priority: EventPriority = NORMAL, delay: float = 0) -> None:
        """Schedule `event` with `priority` after `delay` hours (as `Environment.schedule`)."""
        self._push((self.now + delay, priority, next(self._eid), event))

    def step(self) -> None:
        """Process the next event (as `Environment.step`, so `run` works too)."""
        if not self._queue and not self._next_slot():
            raise EmptySchedule()
        self.now, _, _, event = heappop(self._queue)
        callbacks, event.callbacks = event.callbacks, None
        for callback in callbacks:
            callback(event)
        if not event._ok and not hasattr(event, "_defused"):
            failure = type(event._value)(*event._value.args)
            failure.__cause__ = event._value
            raise failure

    def peek(self) -> float:
        """Return the time of the next event (inf if none)."""
        while not self._queue:
            if not self._next_slot():
                return float("inf")
        return self._queue[0][0]

    @property
    def processed(self) -> int:
        """Return the number of events processed so far.

        SimPy numbers every scheduled event (`_eid`) and keeps the pending ones
        in its queue, so processed = scheduled - pending: nothing is counted per
        event.
        """
        scheduled = next(self._eid)  # the id the next event would get
        self._eid = itertools.count(scheduled)  # give that id back
        pending = len(self._queue) + sum(map(len, self._later.values()))
        return scheduled - pending - sum(len(lane.waiting) for lane in self._lanes)

    def lane(self, void: Callable[[Any], bool] | None = None) -> Lane:
        """Return a new lane for timers that always wait the same time (see `Lane` for `void`)."""
        lane = Lane(self, void)
        self._lanes.append(lane)
        return lane

    def timeout(self, delay: float = 0.0, value: Any = None) -> Timeout:  # type: ignore[override]
        """Return a SimPy `Timeout` of `delay` hours (as `Environment.timeout`, built in place)."""
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        event = Timeout.__new__(Timeout)
        event.env = self
        event.callbacks = []
        event._value = value
        event._delay = delay
        event._ok = True
        self._push((self.now + delay, NORMAL, next(self._eid), event))
        return event

    def call_later(self, delay: float, callback: Callback, value: Any = None) -> None:
        """Call `callback(timer)` in `delay` hours; the timer carries `value`.

        The model's most frequent call: `_push` written out, one call fewer per timer.
        """
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        timer = Timer()
        timer.callbacks, timer.value = (callback,), value
        due = self.now + delay
        entry = (due, NORMAL, next(self._eid), timer)
        if due < self._slot_end:
            heappush(self._queue, entry)
        else:
            self._push_later(entry)

    def call_now(self, callback: Callback, value: Any = None) -> None:
        """Call `callback(timer)` now, before the other events of this instant (as a SimPy process starts)."""
        timer = Timer()
        timer.callbacks, timer.value = (callback,), value
        self.schedule(timer, URGENT)  # type: ignore[arg-type]

    def run_until(self, until: float) -> None:
        """Process every event due before hour `until`, then stand at `until`.

        Like `Environment.run(until=...)`, events due exactly at `until` are
        left unprocessed (SimPy's stop event would come first).
        """
        queue = self._queue
        while (queue or self._next_slot()) and queue[0][0] < until:
            self.now, _, _, event = heappop(queue)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                raise event._value
        self.now = until


class Timer:
    """A timer set by `call_later`: what the run loop needs of an event, and the value it carries.

    Lighter than a SimPy `Timeout` (no dictionary, no property to read the
    value); nothing waits on it, so it is never yielded by a process.  The
    engine fills in both slots: a class without `__init__` is created for a
    fraction of the cost of a call to one.
    """

    __slots__ = ("callbacks", "value")
    _ok = True
    callbacks: tuple[Callback, ...] | None
    value: Any


class Lane:
    """Timers due in the order they are set; only the first waits in the event queue.

    `void`, if given, tells from a timer's value that the timer can no longer
    matter (say, its owner has paid): such a timer is dropped when it would
    join the queue, unfired.  A timer once void must stay void.  One that
    becomes void after joining the queue still fires: its callback checks
    again.  Dropped timers count as processed events (`Engine.processed`), so
    the count does not depend on it.
    """

    __slots__ = ("_head_queued", "_last", "engine", "void", "waiting")

    def __init__(self, engine: Engine, void: Callable[[Any], bool] | None = None) -> None:
        self.engine = engine
        self.void = void
        self.waiting: deque[tuple[float, int, int, Timer]] = deque()  # not yet in the queue
        self._last = -float("inf")  # due time of the latest timer set in this lane
        self._head_queued = False

    def call_later(self, delay: float, callback: Callback, value: Any = None) -> None:
        """Call `callback(timer)` in `delay` hours (as `Engine.call_later`)."""
        engine = self.engine
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        due = engine.now + delay
        timer = Timer()
        timer.value = value
        if due < self._last:  # out of order: straight to the queue
            timer.callbacks = (callback,)
            engine._push((due, NORMAL, next(engine._eid), timer))
            return
        self._last = due
        timer.callbacks = (self._advance, callback)
        entry = (due, NORMAL, next(engine._eid), timer)
        if self._head_queued:
            self.waiting.append(entry)
        else:
            self._head_queued = True
            engine._push(entry)

    def _advance(self, _: Timer) -> None:
        """Queue the next timer of the lane that is not void (its first one is due now)."""
        waiting, void = self.waiting, self.void
        while waiting:
            entry = waiting.popleft()
            if void is None or not void(entry[3].value):
                self.engine._push(entry)
                return
        self._head_queued = False


_gc_lock = threading.Lock()
_gc_pauses = 0  # runs in progress in this process that paused the collector
_gc_was_enabled = False


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Switch the cycle collector off for the block (nested and threaded runs share one pause)."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
