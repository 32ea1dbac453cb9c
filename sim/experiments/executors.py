"""Where a sweep's runs execute: this process, a local process pool, or a Dask cluster.

The backends live one floor down, in `sim.workers` (``feesim run --workers``,
`sim.api.replicate` and runs in worlds use them too); here they run a sweep's task,
`sim.experiments.task.run_task`.
"""

from __future__ import annotations

from sim.experiments.task import run_task
from sim.workers import (
    Backend,
    DaskBackend,
    InlineBackend,
    PoolBackend,
    is_broken_pool,
    local_backend,
    outputs_in_order,
)
from sim.workers import make_backend as workers_backend

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


def make_backend(workers: int, scheduler: str | None) -> Backend:
    """Return the backend that runs a sweep's tasks for ``--workers`` and ``--scheduler`` (Dask wins)."""
    return workers_backend(workers, run_task, scheduler, label="sweep")
