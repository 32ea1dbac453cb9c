"""The collectors' shared work queue: who to call next.

Owners become callable at a ready time, in a class (`fresh`: never called,
`follow_up`, `broken_promise`).  Among the ready owners the strategy's order
of classes decides, then the earliest ready time, then the owner index (a
fixed tie-break, so runs are reproducible).  With `hard_last`, hard owners
come after everyone else.  Entries are versioned: scheduling an owner again
replaces the old entry, which is dropped lazily.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

CLASSES: tuple[str, ...] = ("fresh", "follow_up", "broken_promise")


class WorkQueue:
    """Owners waiting to be called, by ready time and priority."""

    def __init__(self, order: Sequence[str], hard: Sequence[bool], hard_last: bool, size: int) -> None:
        self.rank = {name: order.index(name) for name in CLASSES}
        self.hard = list(hard)
        self.hard_last = hard_last
        self.version = [0] * size
        self.waiting: list[tuple[float, int, int, str]] = []  # (ready, owner, version, class)
        self.ready: list[tuple[bool, int, float, int, int]] = []  # (hard, rank, ready, owner, version)

    def schedule(self, owner: int, ready: float, kind: str) -> None:
        """Make `owner` callable from `ready` on, in class `kind` (replaces any entry)."""
        self.version[owner] += 1
        heapq.heappush(self.waiting, (ready, owner, self.version[owner], kind))

    def drop(self, owner: int) -> None:
        """Remove `owner` from the queue."""
        self.version[owner] += 1

    def pop(self, now: float) -> int | None:
        """Return the best owner ready at `now`, or None."""
        waiting, ready = self.waiting, self.ready
        while waiting and waiting[0][0] <= now:
            at, owner, version, kind = heapq.heappop(waiting)
            if version == self.version[owner]:
                hard = self.hard_last and self.hard[owner]
                heapq.heappush(ready, (hard, self.rank[kind], at, owner, version))
        while ready:
            _, _, _, owner, version = heapq.heappop(ready)
            if version == self.version[owner]:
                self.version[owner] += 1
                return owner
        return None

    def next_ready(self) -> float:
        """Return the earliest ready time among waiting owners (inf if none)."""
        waiting = self.waiting
        while waiting and waiting[0][2] != self.version[waiting[0][1]]:
            heapq.heappop(waiting)
        return waiting[0][0] if waiting else math.inf
