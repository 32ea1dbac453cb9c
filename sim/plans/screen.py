"""The first stage of a search: every candidate on a few replications; the clearly worse and over budget go.

Screening to the best (Nelson, Swann, Goldsman and Song 2001, with common
random numbers): after n replications plan i stays unless some plan l beats it
by more than the noise allows,

    keep i  iff  X̄_i ≥ X̄_l − (W_il − δ)⁺  for every l,   W_il = t S_il / √n,

where S²_il is the variance of the paired differences and t the 1 − α/(k − 1)
quantile of Student's t with n − 1 degrees of freedom (Bonferroni over the
k − 1 comparisons, valid whatever the correlation between plans).  The best
plan is kept with probability at least 1 − α when it is δ better than the rest.

A budget holds when the mean over replications is within it; a plan is
dropped as over budget only when it is clearly over: its one-sided lower
confidence bound (level 1 − α) is above the limit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import stats

__all__ = ["clearly_over_budget", "screen_to_best"]


def screen_to_best(outcomes: np.ndarray, delta: float, alpha: float, maximise: bool = True) -> np.ndarray:
    """Return which plans survive screening (a boolean per row of `outcomes`, shape plans × replications)."""
    plans, n = outcomes.shape
    if plans < 2:
        return np.ones(plans, dtype=bool)
    values = outcomes if maximise else -outcomes
    means = values.mean(axis=1)
    differences = values[:, None, :] - values[None, :, :]
    spread = differences.std(axis=2, ddof=1)
    t = stats.t.ppf(1.0 - alpha / (plans - 1), n - 1)
    allowance = np.maximum(t * spread / np.sqrt(n) - delta, 0.0)
    beaten = means[:, None] < means[None, :] - allowance
    np.fill_diagonal(beaten, False)
    return ~beaten.any(axis=1)


def clearly_over_budget(
    measures: Mapping[str, np.ndarray], limits: Mapping[str, float], alpha: float, plans: int
) -> np.ndarray:
    """Return which plans are over a limit beyond doubt: the lower (1 − α) bound of the mean above it."""
    over = np.zeros(plans, dtype=bool)
    for name, limit in limits.items():
        values = measures[name]
        n = values.shape[1]
        mean = values.mean(axis=1)
        error = values.std(axis=1, ddof=1) / np.sqrt(n) if n > 1 else np.zeros(len(values))
        over |= mean - stats.t.ppf(1.0 - alpha, max(n - 1, 1)) * error > limit
    return over
