"""The calibration's runs: one replication per parameter point, on a pool of processes or a Dask cluster.

Design point j runs on replication j of the calibration's seed: every point
has its own random numbers.  Shared streams (common random numbers across the
design) were tried and rejected: with a few seeds shared by hundreds of points,
the regression learns those seeds' quirks and the posterior is too narrow
(docs/model.md §36).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.calibration.payments import Payments
from sim.rng import replication_seed
from sim.scenario.schema import Scenario

__all__ = ["SEEDS", "RunSpec", "run_payments", "simulate_payments"]

SEEDS = 100_000
"""Replications of the design (one per point: the design never has this many); check run i uses SEEDS + i."""


@dataclass(frozen=True)
class RunSpec:
    """One calibration run: a scenario with a point's parameters, on replication `replication` of `seed`."""

    index: int
    scenario: Scenario
    seed: int
    replication: int


@dataclass(frozen=True)
class RunPayments:
    """What a calibration run sends back: its households' buildings, fees and payment days (compact)."""

    index: int
    building: np.ndarray
    fee: np.ndarray
    paid_day: np.ndarray

    def payments(self, horizon_days: int) -> Payments:
        """Return the run's payments (a payer pays the fee in full)."""
        paid_day = self.paid_day.astype(float)
        fee = self.fee.astype(float)
        return Payments.of(self.building, fee, paid_day, np.where(np.isnan(paid_day), 0.0, fee), horizon_days)


def simulate_payments(spec: RunSpec) -> RunPayments:
    """Run one calibration run (a task for worker processes)."""
    from sim.api import simulate

    result = simulate(spec.scenario, replication_seed(spec.seed, spec.replication))
    payments = Payments.from_owner_table(result.owners, spec.scenario.horizon_days)
    return RunPayments(
        index=spec.index,
        building=payments.building.astype(np.int32),
        fee=payments.fee.astype(np.float64),
        paid_day=payments.paid_day.astype(np.float32),
    )


def run_payments(
    specs: Sequence[RunSpec],
    workers: int,
    scheduler: str | None,
    advance: Callable[[], None] | None = None,
) -> list[RunPayments]:
    """Run `specs` (in process, on `workers` processes, or on the Dask cluster at `scheduler`), in order."""
    from sim.workers import local_backend, outputs_in_order

    out: list[RunPayments] = []
    with local_backend(workers, simulate_payments, scheduler, label="calibration run") as backend:
        for output in outputs_in_order(backend, specs):
            out.append(output)
            if advance is not None:
                advance()
    return out
