"""The run queue: replications wait their turn on one pool of worker processes, shared by every request.

Each request gets a ticket; its position is the number of tickets ahead of it that have
not finished, which the page shows while it waits.  A replication is known by its
scenario (as YAML), master seed and replication number, so identical plans, or a plan
run again, are computed once: the second request waits for, or reuses, the first's result.

Two priorities: a page's run (someone is watching it) goes before the evaluation of
challenge plans (read when the trainer reveals the leaderboard).  The queue keeps
its replications and hands the pool only one more than it has workers, so that a
run sent behind a classroom's twenty plans waits for a replication or two, not for
all of theirs.  Within a priority, first come first served.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import itertools
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sim.playground.requests import RunRequest
from sim.playground.runs import Replication, answer, run_replication
from sim.rng import replication_seed
from sim.workers import PoolBackend

__all__ = ["EVALUATION", "INTERACTIVE", "RunQueue", "Ticket"]

INTERACTIVE = 0
"""The priority of a page's run."""
EVALUATION = 1
"""The priority of a challenge plan's evaluation."""

KEPT_REPLICATIONS = 2000
"""Finished replications kept for reuse (a few MB of curves; assumption: a classroom's session)."""


@dataclass
class Ticket:
    """One request's place in the queue."""

    name: str
    number: int
    replications: int
    priority: int = INTERACTIVE
    done: int = 0
    finished: bool = False
    reused: int = 0

    def before(self, other: Ticket) -> bool:
        """Tell whether this ticket's replications go before `other`'s."""
        return (self.priority, self.number) < (other.priority, other.number)


@dataclass
class _Job:
    """A replication waiting for the pool: its scenario and seed, and the future its askers await."""

    scenario: Any
    seed: int
    future: asyncio.Future[Replication]
    sent: bool = False

    @property
    def lost(self) -> bool:
        """Tell whether it was cancelled or failed: ask the pool again rather than reuse it."""
        return self.future.done() and (self.future.cancelled() or self.future.exception() is not None)


@dataclass
class RunQueue:
    """Runs requests' replications on `workers` processes, page runs first, then first come first served."""

    workers: int
    _backend: PoolBackend | None = None
    _jobs: OrderedDict[tuple[str, int, int], _Job] = field(default_factory=OrderedDict)
    _tickets: OrderedDict[str, Ticket] = field(default_factory=OrderedDict)
    _numbers: itertools.count = field(default_factory=itertools.count)
    _waiting: list[tuple[int, int, int, _Job]] = field(default_factory=list)
    _order: itertools.count = field(default_factory=itertools.count)
    _running: int = 0
    generation: int = 0
    """How many times the pool was replaced (after a worker died)."""

    def start(self) -> None:
        """Start the worker processes."""
        self._backend = PoolBackend(self.workers, run_replication)

    def restart(self, generation: int | None = None) -> None:
        """Replace a pool that lost a worker; forget the replications it was running (not those waiting).

        With `generation` (the pool's `generation` when the caller's replications were
        sent), a pool already replaced since then is left alone: many requests see one
        worker die, and the pool is replaced once.
        """
        if generation is not None and generation != self.generation:
            return
        self.generation += 1
        if self._backend is not None:
            self._backend.restart()
        for key, job in list(self._jobs.items()):
            if job.sent and not job.future.done():  # on the lost pool: it will fail, ask again
                del self._jobs[key]
        self._dispatch()

    def close(self) -> None:
        """Stop the worker processes, cancelling what is still queued."""
        for *_place, job in self._waiting:
            job.future.cancel()
        self._waiting.clear()
        if self._backend is not None:
            self._backend.close([job.future for job in self._jobs.values() if not job.future.done()])
            self._backend = None

    def position(self, name: str) -> dict[str, Any] | None:
        """Return where ticket `name` stands: tickets ahead of it, its replications done and reused."""
        ticket = self._tickets.get(name)
        if ticket is None:
            return None
        ahead = sum(1 for t in self._tickets.values() if t.before(ticket) and not t.finished)
        return {
            "ahead": ahead,
            "done": ticket.done,
            "replications": ticket.replications,
            "finished": ticket.finished,
            "reused": ticket.reused,
        }

    def reserve(self, name: str, replications: int, priority: int = INTERACTIVE) -> Ticket:
        """Give ticket `name` its place in the queue now, before its replications are sent."""
        entry = self._tickets[name] = Ticket(name, next(self._numbers), replications, priority)
        return entry

    def finish(self, name: str) -> None:
        """Mark ticket `name` finished, whatever became of it (it no longer holds anyone back)."""
        if name in self._tickets:
            self._tickets[name].finished = True

    async def run(self, request: RunRequest, ticket: str | None = None) -> dict[str, Any]:
        """Run `request` (reusing any replication already run or running); return the answer."""
        started = time.perf_counter()
        replications = await self.replications(request, ticket)
        return answer(request.scenario.name, request.seed, replications, time.perf_counter() - started)

    async def replications(
        self, request: RunRequest, ticket: str | None = None, priority: int = INTERACTIVE
    ) -> list[Replication]:
        """Return the replications of `request`, in order, each run once whoever asked first."""
        name = ticket or f"run-{next(self._numbers)}"
        entry = self._tickets.get(name)
        if entry is None or entry.finished:
            entry = self.reserve(name, request.reps, priority)
        digest = hashlib.sha256(request.yaml.encode()).hexdigest()
        futures = [self._replication(request, digest, r, entry) for r in range(request.reps)]
        try:
            results = []
            for future in futures:
                results.append(await asyncio.shield(future))
                entry.done += 1
            return results
        finally:
            entry.finished = True
            self._forget_tickets()

    def _replication(
        self, request: RunRequest, digest: str, replication: int, ticket: Ticket
    ) -> asyncio.Future[Replication]:
        """Return the future of one replication: the known one, or a new one queued for the pool."""
        key = (digest, request.seed, replication)
        job = self._jobs.get(key)
        if job is not None and not job.lost:
            self._jobs.move_to_end(key)
            ticket.reused += 1
            if not job.sent:  # wanted sooner now: queue it again at this ticket's place
                heapq.heappush(self._waiting, (ticket.priority, ticket.number, next(self._order), job))
            return job.future
        if self._backend is None:
            raise RuntimeError("the run queue is not started")
        future: asyncio.Future[Replication] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_seen)
        job = self._jobs[key] = _Job(request.scenario, replication_seed(request.seed, replication), future)
        while len(self._jobs) > KEPT_REPLICATIONS and next(iter(self._jobs.values())).future.done():
            self._jobs.popitem(last=False)
        heapq.heappush(self._waiting, (ticket.priority, ticket.number, next(self._order), job))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        """Send waiting replications, most urgent first, while the pool has fewer than workers + 1."""
        while self._waiting and self._running <= self.workers and self._backend is not None:
            *_place, job = heapq.heappop(self._waiting)
            if job.sent or job.future.done():
                continue  # sent from an earlier place in the queue, or cancelled
            job.sent = True
            self._running += 1
            sent = asyncio.wrap_future(self._backend.submit((job.scenario, job.seed)))
            sent.add_done_callback(lambda outcome, job=job: self._returned(job, outcome))

    def _returned(self, job: _Job, outcome: asyncio.Future[Replication]) -> None:
        """Pass a replication's result (or failure) to its askers; send the next one."""
        self._running -= 1
        if not job.future.done():
            if outcome.cancelled():
                job.future.cancel()
            elif outcome.exception() is not None:
                job.future.set_exception(outcome.exception())
            else:
                job.future.set_result(outcome.result())
        self._dispatch()

    def _forget_tickets(self) -> None:
        """Drop finished tickets beyond the last few hundred (the page stops asking once its run is back)."""
        while len(self._tickets) > 500 and next(iter(self._tickets.values())).finished:
            self._tickets.popitem(last=False)


def _seen(future: asyncio.Future[Replication]) -> None:
    """Mark a replication's failure as seen: the request that awaits it reports it, others need not."""
    if not future.cancelled():
        future.exception()
