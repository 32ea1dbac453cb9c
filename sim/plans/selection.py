"""Selecting the best of k plans: the fully sequential procedure KN of Kim and Nelson (2001).

Every plan is run on the same replications (common random numbers), so the
procedure works on the paired differences between plans, whose variance is
what common random numbers shrink.  After `n0` replications of every plan it
estimates the variance S²_il of each difference, then adds one replication at
a time to the plans still in contention and drops plan i as soon as some plan
l is ahead of it by more than a triangular continuation region allows:

    W_il(r) = max(0, δ / (2 c r) · (h² S²_il / δ² − r)),   c = 1,
    h² = 2 η (n0 − 1),   η = ½ [(2α / (k − 1))^(−2 / (n0 − 1)) − 1].

Guarantee (Kim and Nelson 2001, Theorem 1): with normal outcomes, whatever
their variances and correlations, the plan kept is the true best with
probability at least 1 − α whenever the best is at least δ (the indifference
zone) better than every other.  The process stops by itself after at most
⌊h² S²_il / δ²⌋ + 1 replications; `max_replications` caps it earlier for a
budget of runs, and then the plan with the best mean among those left is kept
(`capped` says so: the guarantee no longer holds).

Replications can be computed in batches (for a pool of workers): the
elimination still happens replication by replication, on exactly the data a
one-at-a-time run would have seen, so batching never changes the plan chosen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Selection", "kn_constants", "kn_select"]

Sampler = Callable[[Sequence[int], int, int], np.ndarray]
"""sample(plans, first, last): replications first..last-1 of `plans`, shape (len(plans), last - first)."""


@dataclass(frozen=True)
class Selection:
    """What the procedure did: the plan kept, each plan's replications and when it was dropped."""

    best: int
    replications: np.ndarray
    """Replications each plan received (the kept plans: all of them)."""
    dropped_at: np.ndarray
    """The replication count at which each plan was eliminated (-1 for the plan kept)."""
    outcomes: list[np.ndarray]
    """Each plan's outcomes, one per replication it received, in replication order."""
    eta: float
    h2: float
    capped: bool
    """True when `max_replications` stopped the procedure before one plan was left."""

    @property
    def runs(self) -> int:
        """Return the total number of replications the procedure used."""
        return int(self.replications.sum())


def kn_constants(plans: int, n0: int, confidence: float) -> tuple[float, float]:
    """Return (η, h²) of KN for `plans` plans, `n0` first-stage replications, 1 − α = `confidence`."""
    if plans < 2:
        return 0.0, 0.0
    alpha = 1.0 - confidence
    eta = 0.5 * ((2.0 * alpha / (plans - 1)) ** (-2.0 / (n0 - 1)) - 1.0)
    return eta, 2.0 * eta * (n0 - 1)


def kn_select(
    sample: Sampler,
    plans: int,
    *,
    delta: float,
    confidence: float = 0.95,
    n0: int = 10,
    max_replications: int = 1000,
    batch: int = 1,
    maximise: bool = True,
    guarded: int | None = None,
) -> Selection:
    """Run procedure KN on `plans` plans whose replications `sample` provides; return the plan kept.

    `guarded` (at least `plans`) sizes h² for that many plans: the survivors of a
    screening that used the same first stage keep the guarantee of KN over every
    plan screened (`sim.plans.search` explains why).
    """
    if n0 < 2 or delta <= 0 or not 0 < confidence < 1 or batch < 1:
        raise ValueError("KN needs n0 >= 2, delta > 0, 0 < confidence < 1 and batch >= 1")
    if guarded is not None and guarded < plans:
        raise ValueError(f"KN guards at least the {plans} plans it selects among, not {guarded}")
    sign = 1.0 if maximise else -1.0
    eta, h2 = kn_constants(plans if guarded is None else guarded, n0, confidence)
    data = np.full((plans, max(n0, max_replications)), np.nan)
    data[:, :n0] = sign * _checked(sample(range(plans), 0, n0), plans, n0)
    alive = np.ones(plans, dtype=bool)
    dropped = np.full(plans, -1)
    given = np.full(plans, n0)
    s2 = _difference_variances(data[:, :n0])
    r = n0
    while True:
        _eliminate(data, alive, dropped, s2, h2, delta, r)
        if alive.sum() == 1 or r >= max_replications:
            break
        last = min(r + batch, max_replications)
        ids = np.flatnonzero(alive)
        data[ids, r:last] = sign * _checked(sample(list(ids), r, last), len(ids), last - r)
        given[ids] = last
        for step in range(r + 1, last):  # eliminate on exactly the data a one-at-a-time run would see
            _eliminate(data, alive, dropped, s2, h2, delta, step)
            if alive.sum() == 1:
                break
        r = last
    ids = np.flatnonzero(alive)
    best = int(ids[np.argmax(np.nanmean(data[ids, :r], axis=1))])
    return Selection(
        best=best,
        replications=given,
        dropped_at=dropped,
        outcomes=[sign * data[i, : given[i]] for i in range(plans)],
        eta=eta,
        h2=h2,
        capped=len(ids) > 1,
    )


def _checked(values: np.ndarray, rows: int, columns: int) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.shape != (rows, columns) or not np.all(np.isfinite(values)):
        expected = (rows, columns)
        raise ValueError(f"the sampler gave shape {values.shape} (expected {expected}) or non-finite values")
    return values


def _difference_variances(first: np.ndarray) -> np.ndarray:
    """Return S²_il: the sample variance of plan i's outcomes minus plan l's over the first stage."""
    differences = first[:, None, :] - first[None, :, :]
    return differences.var(axis=2, ddof=1)


def _eliminate(
    data: np.ndarray, alive: np.ndarray, dropped: np.ndarray, s2: np.ndarray, h2: float, delta: float, r: int
) -> None:
    """Drop every plan that another plan in contention leads by more than W_il(r) after r replications."""
    ids = np.flatnonzero(alive)
    means = data[ids, :r].mean(axis=1)
    width = np.maximum(0.0, delta / (2.0 * r) * (h2 * s2[np.ix_(ids, ids)] / delta**2 - r))
    behind = means[:, None] < means[None, :] - width
    np.fill_diagonal(behind, False)
    out = ids[behind.any(axis=1)]
    alive[out] = False
    dropped[out] = r
