"""What is calibrated: the parameters, their priors, and the space-filling design over them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.languages import _
from sim.scenario.errors import Problem, ScenarioError
from sim.worlds.priors import WORLD_COLUMN, Prior, Priors, numeric_keys

__all__ = ["DEFAULT_PARAMETERS", "Design", "choose_parameters", "lhs_design"]

DEFAULT_PARAMETERS: tuple[str, ...] = (
    "owners.segments.ordinary.p",
    "owners.segments.ordinary.q",
    "owners.segments.undecided.p",
    "owners.segments.undecided.q",
    "owners.segments.undecided.threshold.mean",
    "owners.segments.hard.p",
    "herd.learning_rate_per_day",
    "responses.pays_now.ordinary",
)
"""Calibrated unless --param says otherwise: what moves the shape of the payment curve (docs §36)."""

DESIGN_ENTROPY = 0x63616C6962  # "calib" in ASCII: the design's generator, apart from every run's


@dataclass(frozen=True)
class Design:
    """The design runs' parameter values: `u` in the unit cube of the priors' quantiles, `values` as keys."""

    priors: tuple[Prior, ...]
    u: np.ndarray

    @property
    def keys(self) -> list[str]:
        """Return the calibrated key paths."""
        return [prior.key for prior in self.priors]

    def values(self, u: np.ndarray | None = None) -> pd.DataFrame:
        """Return the key values at `u` (the design's by default): one row per world, one column per key."""
        u = self.u if u is None else u
        columns = {prior.key: _typed(prior.key, prior.ppf(u[:, i])) for i, prior in enumerate(self.priors)}
        return pd.DataFrame(columns, index=pd.RangeIndex(len(u), name=WORLD_COLUMN))


def choose_parameters(priors: Priors, keys: Sequence[str] | None) -> tuple[Prior, ...]:
    """Return the priors of `keys` (default: `DEFAULT_PARAMETERS`); a ScenarioError names unknown ones."""
    wanted = list(keys) if keys else list(DEFAULT_PARAMETERS)
    by_key = {prior.key: prior for prior in priors.priors}
    missing = [key for key in wanted if key not in by_key]
    if missing:
        raise ScenarioError(
            priors.source,
            _("cannot calibrate keys that have no prior"),
            [
                Problem(key, _("expected a key path with a prior in this file (its range bounds the fit)"))
                for key in missing
            ],
        )
    if len(set(wanted)) != len(wanted):
        raise ScenarioError("--param", _("each key path may be given once"))
    return tuple(by_key[key] for key in wanted)


def lhs_design(priors: tuple[Prior, ...], runs: int, seed: int) -> Design:
    """Return a Latin hypercube of `runs` points over the priors, seeded from `seed` (reproducible)."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), DESIGN_ENTROPY]))
    u = qmc.LatinHypercube(d=len(priors), rng=rng).random(runs)
    return Design(priors=priors, u=u)


def _typed(key: str, values: np.ndarray) -> np.ndarray:
    if numeric_keys().get(key) is int:
        return np.rint(values).astype(np.int64)
    return values
