"""A pool of identical servers with a queue: the service crew, the supervisors.

The discipline of SimPy's `PriorityResource` (and, with one priority, of its
`Resource`): a job starts at once if a server is free; otherwise it waits,
the lowest priority number first, then the earliest request (the order of
requests: time never goes back); a started job is never interrupted.  Jobs
are callbacks, not processes: a job's start is called when it gets a server
and the job gives the server back with `release`, so a queued job costs no
event until it starts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

Start = Callable[[Any], None]


class Servers:
    """`capacity` servers and the jobs waiting for one."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"a pool needs at least one server, got capacity {capacity}")
        self.capacity = capacity
        self.free = capacity
        self._waiting: list[tuple[int, int, Start, Any]] = []  # (priority, order of the request, ...)
        self._order = itertools.count()

    def request(self, priority: int, start: Start, job: Any) -> None:
        """Call `start(job)` now if a server is free, else when one is free and `job` is first in line."""
        if self.free > 0:
            self.free -= 1
            start(job)
        else:
            heappush(self._waiting, (priority, next(self._order), start, job))

    def release(self) -> None:
        """Give a server back: the first job in line starts on it now."""
        if self._waiting:
            _, _, start, job = heappop(self._waiting)
            start(job)
        elif self.free < self.capacity:
            self.free += 1
        else:
            raise RuntimeError("released a server that no job held")
