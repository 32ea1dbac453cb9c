"""Regression ABC with semi-automatic summaries (Fearnhead and Prangle 2012; Beaumont et al. 2002).

The parameters live in the unit cube of their priors' quantiles (u), and are
regressed on the log-odds of u, which is unbounded.  Steps:

1. standardise the moments by their median and MAD over the design runs;
2. summaries: for each parameter, a ridge regression of its log-odds on the
   moments (penalty chosen by leave-one-out error); the fitted values are the
   summary statistics, one per parameter, close to the posterior mean;
3. distance: Euclidean between the run's and the ledger's summaries, each
   scaled by its regression's residual spread (a summary that predicts its
   parameter poorly counts little);
4. accept the nearest runs, weight them with the Epanechnikov kernel;
5. adjust: a weighted local-linear regression of the log-odds on the
   summaries, and the accepted runs moved to the ledger's summaries.

The weighted, adjusted sample is the posterior.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

__all__ = ["AbcFit", "fit_abc", "weighted_quantile"]

RIDGE_PENALTIES: tuple[float, ...] = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)
MIN_ACCEPTED = 40
U_EDGE = 1e-6


@dataclass(frozen=True)
class AbcFit:
    """The posterior as weighted draws in the unit cube of the priors' quantiles.

    `u` holds one row per accepted run (after the regression adjustment), one
    column per parameter; `weights` sum to 1; `accepted` are those runs' indices
    in the design; `kernel` is every design run's weight before normalising
    (zero outside the acceptance region); `summary_r2` is how much of each
    parameter's variation over the design its summary explains.
    """

    u: np.ndarray
    weights: np.ndarray
    accepted: np.ndarray
    kernel: np.ndarray
    summary_r2: np.ndarray

    def quantiles(self, levels: tuple[float, ...]) -> np.ndarray:
        """Return the weighted quantiles of each parameter in u, one row per level."""
        return np.array([[weighted_quantile(col, self.weights, q) for col in self.u.T] for q in levels])

    def correlation(self) -> np.ndarray:
        """Return the weighted correlation matrix of the parameters' log-odds."""
        theta = logit(np.clip(self.u, U_EDGE, 1 - U_EDGE))
        centred = theta - self.weights @ theta
        cov = (centred * self.weights[:, None]).T @ centred
        sd = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
        return cov / np.outer(sd, sd)

    def resample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Return `n` rows of u drawn with the posterior's weights, in random order.

        Systematic resampling (one uniform offset, `n` evenly spaced positions on
        the cumulative weights) keeps every draw's count within one of `n` × its
        weight; the rows are then shuffled, so that any first k of them are a
        fair sample too, not the draws nearest the ledger.
        """
        positions = (rng.random() + np.arange(n)) / n
        index = np.searchsorted(np.cumsum(self.weights), positions, side="left")
        return self.u[rng.permutation(np.minimum(index, len(self.weights) - 1))]


def fit_abc(design_u: np.ndarray, moments: np.ndarray, observed: np.ndarray, accept: float = 0.25) -> AbcFit:
    """Return the regression-ABC posterior of the design `design_u` (runs × parameters) given the moments.

    `moments` holds one row per design run, `observed` the ledger's moments;
    `accept` is the share of runs kept (at least `MIN_ACCEPTED`).
    """
    theta = logit(np.clip(design_u, U_EDGE, 1 - U_EDGE))
    scaled, scaled_obs = _standardise(moments, observed)
    summaries, summary_obs, r2 = _summaries(theta, scaled, scaled_obs)
    spread = (theta - summaries).std(axis=0)  # in units of what the summary leaves unexplained
    spread[spread == 0] = 1.0
    distance = np.sqrt((((summaries - summary_obs) / spread) ** 2).sum(axis=1))
    kept = min(len(distance), max(MIN_ACCEPTED, round(accept * len(distance))))
    accepted = np.argsort(distance, kind="stable")[:kept]
    bandwidth = distance[accepted].max() * (1 + 1e-9) or 1.0
    kernel = np.zeros(len(distance))
    kernel[accepted] = 1.0 - (distance[accepted] / bandwidth) ** 2
    weights = kernel[accepted] / kernel[accepted].sum()
    adjusted = _adjust(theta[accepted], summaries[accepted] - summary_obs, weights)
    return AbcFit(u=expit(adjusted), weights=weights, accepted=accepted, kernel=kernel, summary_r2=r2)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Return the `q` quantile of `values` with `weights` (interpolated on the mid-points of the weights)."""
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cumulative = np.cumsum(weights) - weights / 2
    cumulative /= weights.sum()
    return float(np.interp(q, cumulative, values))


def _standardise(moments: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale each moment by its median and MAD over the design; drop moments that never vary."""
    centre = np.median(moments, axis=0)
    mad = np.median(np.abs(moments - centre), axis=0) * 1.4826
    sd = moments.std(axis=0)
    scale = np.where(mad > 0, mad, sd)
    varies = scale > 0
    return (moments[:, varies] - centre[varies]) / scale[varies], (observed[varies] - centre[varies]) / scale[
        varies
    ]


def _summaries(
    theta: np.ndarray, x: np.ndarray, x_obs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the fitted log-odds (runs × parameters), the ledger's, and each regression's R²."""
    design = np.column_stack([np.ones(len(x)), x])
    design_obs = np.concatenate([[1.0], x_obs])
    fitted = np.empty_like(theta)
    fitted_obs = np.empty(theta.shape[1])
    r2 = np.empty(theta.shape[1])
    for j in range(theta.shape[1]):
        coef = _ridge(design, theta[:, j])
        fitted[:, j] = design @ coef
        fitted_obs[j] = design_obs @ coef
        total = ((theta[:, j] - theta[:, j].mean()) ** 2).sum()
        r2[j] = 1.0 - ((theta[:, j] - fitted[:, j]) ** 2).sum() / total if total > 0 else 0.0
    return fitted, fitted_obs, r2


def _ridge(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return ridge coefficients (intercept not penalised), the penalty chosen by leave-one-out error."""
    u, s, vt = np.linalg.svd(design[:, 1:] - design[:, 1:].mean(axis=0), full_matrices=False)
    y_centred = y - y.mean()
    best: tuple[float, np.ndarray] | None = None
    for penalty in RIDGE_PENALTIES:
        shrink = s / (s**2 + penalty * len(y))
        beta = vt.T @ (shrink * (u.T @ y_centred))
        hat = (u**2 * (s**2 / (s**2 + penalty * len(y)))).sum(axis=1) + 1.0 / len(y)
        residual = y_centred - (design[:, 1:] - design[:, 1:].mean(axis=0)) @ beta
        loo = np.mean((residual / np.clip(1 - hat, 1e-9, None)) ** 2)
        if best is None or loo < best[0]:
            best = (loo, beta)
    assert best is not None
    beta = best[1]
    intercept = y.mean() - design[:, 1:].mean(axis=0) @ beta
    return np.concatenate([[intercept], beta])


def _adjust(theta: np.ndarray, offset: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return `theta` moved along a weighted local-linear regression on `offset` to offset zero."""
    design = np.column_stack([np.ones(len(offset)), offset])
    root = np.sqrt(weights)[:, None]
    coef, *_ = np.linalg.lstsq(design * root, theta * root, rcond=None)
    return theta - offset @ coef[1:]
