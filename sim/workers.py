"""Where runs execute: in this process, on a local pool of worker processes, or on a Dask cluster.

A backend runs one task function through one small interface: ``submit`` a task,
``wait`` for some futures to finish, ``restart`` after the pool broke (a dead worker),
``close``.  `local_backend` and `outputs_in_order` run a list of tasks and hand their
outputs back in the order of the list (``feesim run --workers``, `sim.api.replicate`,
runs in worlds); `DaskBackend` sends them to a Dask cluster (``--scheduler``) through
the same interface.  A task's output depends only on the task, so every backend gives
the same outputs, bit for bit.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import multiprocessing
import os
import signal
import threading
import uuid
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from sim.languages import _

__all__ = [
    "Backend",
    "DaskBackend",
    "InlineBackend",
    "PoolBackend",
    "Task",
    "is_broken_pool",
    "local_backend",
    "outputs_in_order",
]

Task = Callable[[Any], Any]
MANAGER_EXIT_SECONDS = 10.0  # at most this long for a stopped pool's manager thread to end


class Backend:
    """Run tasks somewhere; a subclass says where."""

    name = "backend"
    window = 1
    """How many tasks to keep submitted at once (bounds memory and what an interrupt cancels)."""

    def submit(self, spec: Any) -> Any:
        """Start running `spec`; return its future."""
        raise NotImplementedError

    def wait(self, futures: Collection[Any], timeout: float) -> set[Any]:
        """Wait up to `timeout` seconds for at least one of `futures` to finish; return the finished ones."""
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return done

    def restart(self) -> None:
        """Replace broken workers (after a worker died)."""

    def close(self, pending: Collection[Any]) -> None:
        """Release the workers; cancel `pending` futures (after an interrupt) first."""


class InlineBackend(Backend):
    """Run each task in this process as it is submitted (``--workers 1``)."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.name = _("in-process")

    def submit(self, spec: Any) -> cf.Future[Any]:
        """Run `spec` now; return a finished future holding its output or its error."""
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(self.task(spec))
        except Exception as exc:
            future.set_exception(exc)
        return future


class PoolBackend(Backend):
    """Run tasks on a local pool of worker processes (forked from a preloaded server)."""

    def __init__(self, workers: int, task: Task) -> None:
        self.workers = workers
        self.task = task
        self.window = 4 * workers
        self.name = _("{workers} local worker processes").format(workers=workers)
        self._context = _context()
        # Workers hold the read end; only this process holds the write end, which the system
        # closes when this process ends in any way, so orphaned workers exit at once.
        self._lifeline, self._lifeline_end = self._context.Pipe(duplex=False)
        _start_fork_server(self._context)
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        """Return a new pool whose workers ignore Ctrl-C and exit when the sweep process dies."""
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=_init_worker,
            initargs=(self._lifeline,),
        )

    def submit(self, spec: Any) -> cf.Future[Any]:
        """Queue `spec` on the pool; if a worker has died meanwhile, return the pool's failure as the run's.

        A pool that lost a worker refuses new work at once, possibly before any
        of its futures has reported the loss; the runner then sees the broken
        pool through this future and restarts the pool.
        """
        try:
            with _ctrl_c_after():
                return self._pool.submit(self.task, spec)
        except BrokenProcessPool as exc:
            future: cf.Future[Any] = cf.Future()
            future.set_exception(exc)
            return future

    def restart(self) -> None:
        """Drop the broken pool and start a new one."""
        self._stop(self._pool)
        self._pool = self._new_pool()

    def close(self, pending: Collection[Any]) -> None:
        """Shut the pool down: wait for it if nothing is pending, else stop its workers at once."""
        if pending:
            self._stop(self._pool)
        else:
            self._pool.shutdown(wait=True)
        self._lifeline_end.close()
        self._lifeline.close()

    @staticmethod
    def _stop(pool: cf.ProcessPoolExecutor) -> None:
        """Cancel queued tasks, terminate the pool's worker processes and wait for its manager thread.

        Waiting for the manager thread lets it close its wake-up pipe before
        the interpreter exits: else Python 3.11's exit hook may write to the
        pipe while the thread closes it ("Exception ignored ... Bad file
        descriptor" after a worker died).
        """
        processes = list(getattr(pool, "_processes", {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        if manager is not None:
            manager.join(timeout=MANAGER_EXIT_SECONDS)


class DaskBackend(Backend):
    """Run tasks on a Dask distributed cluster through its scheduler (the cluster keeps running after)."""

    def __init__(self, address: str, task: Task, label: str = "run") -> None:
        from distributed import Client

        try:
            self.client = Client(address, timeout="15s")
        except Exception as exc:
            reason = _("cannot connect to the Dask scheduler at {address}: {problem}")
            raise OSError(0, reason.format(address=address, problem=exc)) from None
        self.task = task
        self.label = label
        threads = sum(self.client.nthreads().values())
        self.window = max(8, 4 * threads)
        name = _("Dask cluster at {address} ({threads} threads)")
        self.name = name.format(address=address, threads=threads)

    def submit(self, spec: Any) -> Any:
        """Submit `spec` to the cluster under a readable, unique key (with its point and replication)."""
        point, replication = getattr(spec, "key", ("", ""))
        key = f"feesim-{self.label}-p{point}-r{replication}-{uuid.uuid4().hex[:8]}"
        return self.client.submit(self.task, spec, key=key, pure=False)

    def wait(self, futures: Collection[Any], timeout: float) -> set[Any]:
        """Wait for the first of `futures` to finish, at most `timeout` seconds."""
        from distributed import wait

        try:
            done, _ = wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return {future for future in futures if future.done()}
        return set(done)

    def close(self, pending: Collection[Any]) -> None:
        """Cancel `pending` futures and disconnect."""
        if pending:
            self.client.cancel([future for future in pending if hasattr(future, "key")])
        self.client.close()


def make_backend(workers: int, task: Task, scheduler: str | None = None, label: str = "run") -> Backend:
    """Return the backend for ``--workers`` and ``--scheduler`` (a Dask scheduler address wins)."""
    if scheduler:
        return DaskBackend(scheduler, task, label)
    return InlineBackend(task) if workers <= 1 else PoolBackend(workers, task)


@contextmanager
def local_backend(
    workers: int, task: Task, scheduler: str | None = None, label: str = "run"
) -> Iterator[Backend]:
    """Run `task` here (`workers` 1), on a pool of `workers` processes or on a Dask cluster, for the block.

    If the block fails or is interrupted, the pool's workers are stopped at once (a
    cluster's pending tasks are cancelled).
    """
    backend = make_backend(workers, task, scheduler, label)
    finished = False
    try:
        yield backend
        finished = True
    finally:
        backend.close(() if finished else ("unfinished",))  # anything pending: stop the workers


def outputs_in_order(backend: Backend, specs: Iterable[Any]) -> Iterator[Any]:
    """Run `specs` on `backend`, at most `backend.window` at a time; yield the outputs in the order given.

    An output is handed back before the next task is submitted, so in this
    process (where submitting runs the task) each task runs only once the one
    before has been dealt with.  A task's error is raised here, in its turn.
    """
    todo = iter(specs)
    pending: deque[Any] = deque(backend.submit(spec) for spec in itertools.islice(todo, backend.window))
    while pending:
        yield pending.popleft().result()
        for spec in itertools.islice(todo, 1):
            pending.append(backend.submit(spec))


def is_broken_pool(error: BaseException) -> bool:
    """Tell whether `error` says a worker process died and took the pool with it."""
    return isinstance(error, BrokenProcessPool)


def _context() -> Any:
    """Return the start method of pool workers: forked from a server that has already imported the engine."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.experiments.task", "sim.api", "sim.views.logged"])
    return context


@contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends: a pool starting a worker is not left with it half-started.

    Else the worker, forked after the pool was stopped, fails to start and prints a traceback.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and previous is not signal.SIG_IGN:
        raise KeyboardInterrupt


def _start_fork_server(context: Any) -> None:
    """Start the fork server now, deaf to Ctrl-C, so that Ctrl-C while it imports prints no traceback.

    A process started with Ctrl-C ignored keeps ignoring it; the parent reports the interrupt.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def _init_worker(lifeline: Connection) -> None:
    """Ignore Ctrl-C (the sweep handles it); exit as soon as the sweep process is gone (even SIGKILLed)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_closed, args=(lifeline,), daemon=True).start()


def _exit_when_closed(lifeline: Connection) -> None:
    """Block on the lifeline pipe; its other end closes when the sweep process ends, then exit."""
    try:
        while True:
            lifeline.recv_bytes()
    except (EOFError, OSError):
        os._exit(1)
