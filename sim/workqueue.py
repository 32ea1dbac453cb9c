"""A work list of the collectors: who to contact next.

Owners become ready at a time, in a class (for calls: `fresh`, never
called, and `follow_up`; for visits: `team`, `home`; ...).  Among the ready
owners, key owners come first when the strategy says so (T10), hard owners
last when it says so, then the strategy's order of classes, then the earliest
ready time, then the owner index (a fixed tie-break, so runs are
reproducible).  Entries are versioned: scheduling an owner again replaces the
old entry, which is dropped lazily.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence


class WorkQueue:
    """Owners waiting to be contacted, by ready time and priority."""

    def __init__(
        self,
        order: Sequence[str],
        size: int,
        hard_last: Sequence[bool] | None = None,
        first: Sequence[bool] | None = None,
        fee: bool = False,
    ) -> None:
        self.fee = fee  # a list of fee contacts (calls, visits): complaints about being chased hold them off
        self.rank = {name: k for k, name in enumerate(order)}
        last = list(hard_last) if hard_last is not None else [False] * size
        key_owner = list(first) if first is not None else [False] * size
        # (not a key owner, hard and last, class) ranked as one integer: the owner's part here
        classes = len(order)
        self.lead = [((not k) * 2 + h) * classes for k, h in zip(key_owner, last, strict=True)]
        self.version = [0] * size
        self._listed = [-1] * size  # the version of each owner's live entry (-1: none yet)
        self._ready_at = [math.inf] * size  # and its ready time
        self.waiting: list[tuple[float, int, int, str]] = []  # (ready, owner, version, class)
        self.ready: list[tuple[int, float, int, int, str]] = []  # (priority, ready, owner, version, class)
        self.taken_kind = ""

    def schedule(self, owner: int, ready: float, kind: str) -> None:
        """Make `owner` ready from `ready` on, in class `kind` (replaces any entry)."""
        self.version[owner] += 1
        self._listed[owner], self._ready_at[owner] = self.version[owner], ready
        heapq.heappush(self.waiting, (ready, owner, self.version[owner], kind))

    def ready_at(self, owner: int) -> float:
        """Return when `owner`'s entry on the list is ready (inf if the owner is not on the list)."""
        return self._ready_at[owner] if self._listed[owner] == self.version[owner] else math.inf

    def drop(self, owner: int) -> None:
        """Remove `owner` from the list."""
        self.version[owner] += 1

    def pop(self, now: float) -> int | None:
        """Return the best owner ready at `now` (its class in `taken_kind`), or None."""
        waiting, ready = self.waiting, self.ready
        while waiting and waiting[0][0] <= now:
            at, owner, version, kind = heapq.heappop(waiting)
            if version == self.version[owner]:
                heapq.heappush(ready, (self.lead[owner] + self.rank[kind], at, owner, version, kind))
        while ready:
            _, _, owner, version, kind = heapq.heappop(ready)
            if version == self.version[owner]:
                self.version[owner] += 1
                self.taken_kind = kind
                return owner
        return None

    def next_ready(self) -> float:
        """Return when the list next has an owner ready: inf if never, a past time if one is ready now.

        Owners found ready by an earlier `pop` (and left there when the window
        closed) are ready already.
        """
        ready = self.ready
        while ready and ready[0][-2] != self.version[ready[0][-3]]:
            heapq.heappop(ready)
        if ready:
            return ready[0][1]
        waiting = self.waiting
        while waiting and waiting[0][2] != self.version[waiting[0][1]]:
            heapq.heappop(waiting)
        return waiting[0][0] if waiting else math.inf
