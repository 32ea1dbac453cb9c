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
    """One calibration run: a scenario with a point's parameters, on replication `replication` of `seed`.

    With `contacts`, the run logs its events and sends back its contacts, as a contact log would hold them.
    """

    index: int
    scenario: Scenario
    seed: int
    replication: int
    contacts: bool = False


@dataclass(frozen=True)
class RunPayments:
    """What a calibration run sends back: its households' buildings, fees and payment days (compact).

    With contacts, `contact_owner` and `contact_day` hold each contact's household and whole day.
    """

    index: int
    building: np.ndarray
    fee: np.ndarray
    paid_day: np.ndarray
    contact_owner: np.ndarray | None = None
    contact_day: np.ndarray | None = None

    def payments(self, horizon_days: int) -> Payments:
        """Return the run's payments (a payer pays the fee in full)."""
        paid_day = self.paid_day.astype(float)
        fee = self.fee.astype(float)
        amount = np.where(np.isnan(paid_day), 0.0, fee)
        return Payments.of(
            self.building, fee, paid_day, amount, horizon_days, self.contact_owner, self.contact_day
        )


def simulate_payments(spec: RunSpec) -> RunPayments:
    """Run one calibration run (a task for worker processes)."""
    from sim.api import simulate

    horizon = spec.scenario.horizon_days
    result = simulate(spec.scenario, replication_seed(spec.seed, spec.replication), log_events=spec.contacts)
    payments = Payments.from_owner_table(result.owners, horizon)
    owner = day = None
    if spec.contacts:
        from sim.data.export import contact_days

        owner, day = contact_days(result)
        within = day < horizon
        owner, day = owner[within].astype(np.int32), day[within].astype(np.int32)
    return RunPayments(
        index=spec.index,
        building=payments.building.astype(np.int32),
        fee=payments.fee.astype(np.float64),
        paid_day=payments.paid_day.astype(np.float32),
        contact_owner=owner,
        contact_day=day,
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
