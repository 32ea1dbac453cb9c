"""Where a sweep's runs execute: this process, a local process pool, or a Dask cluster.

The local backends live one floor down, in `sim.workers` (``feesim run --workers`` and
`sim.api.replicate` use them too); here they run a sweep's task,
`sim.experiments.task.run_task`, and `DaskBackend` sends it to a Dask cluster through
the same small interface (`sim.workers.Backend`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sim.experiments.task import TaskSpec, run_task
from sim.workers import Backend, InlineBackend, PoolBackend, is_broken_pool, local_backend, outputs_in_order

__all__ = [
    "Backend",
    "DaskBackend",
    "InlineBackend",
    "PoolBackend",
    "is_broken_pool",
    "local_backend",
    "make_backend",
    "outputs_in_order",
]


class DaskBackend(Backend):
    """Run tasks on a Dask distributed cluster through its scheduler."""

    def __init__(self, address: str) -> None:
        from distributed import Client

        try:
            self.client = Client(address, timeout="15s")
        except Exception as exc:
            raise OSError(0, f"cannot connect to the Dask scheduler at {address}: {exc}") from None
        threads = sum(self.client.nthreads().values())
        self.window = max(8, 4 * threads)
        self.name = f"Dask cluster at {address} ({threads} threads)"

    def submit(self, spec: TaskSpec) -> Any:
        """Submit `spec` to the cluster under a readable, unique key."""
        key = f"feesim-{spec.experiment}-p{spec.point}-r{spec.replication}-{uuid.uuid4().hex[:8]}"
        return self.client.submit(run_task, spec, key=key, pure=False)

    def wait(self, futures: Collection[Any], timeout: float) -> set[Any]:
        """Wait for the first of `futures` to finish, at most `timeout` seconds."""
        from distributed import wait

        try:
            done, _ = wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return {future for future in futures if future.done()}
        return set(done)

    def close(self, pending: Collection[Any]) -> None:
        """Cancel `pending` futures and disconnect (the cluster keeps running)."""
        if pending:
            self.client.cancel(list(pending))
        self.client.close()


def make_backend(workers: int, scheduler: str | None) -> Backend:
    """Return the backend that runs a sweep's tasks for ``--workers`` and ``--scheduler`` (Dask wins)."""
    if scheduler:
        return DaskBackend(scheduler)
    if workers <= 1:
        return InlineBackend(run_task)
    return PoolBackend(workers, run_task)
