"""Turn an experiment into its points, deterministically (same experiment, same points).

Levers with ``values`` are always crossed (a Cartesian product, first lever slowest).
The other factors depend on the design type:

- ``grid``: range levers are crossed too (``design.levels`` evenly spaced values, or every
  whole number of an integer range); uncertainties, if any, are ``design.points`` Latin
  hypercube samples (``scipy.stats.qmc.LatinHypercube``) crossed with the lever grid;
- ``lhs``: range levers and uncertainties together are ``design.points`` Latin hypercube samples;
- ``sobol``: they are SALib's Saltelli sample (``SALib.sample.sobol.sample``, first and total
  order only: ``n * (D + 2)`` rows for D sampled factors);
- ``morris``: they are SALib's Morris trajectories (``n * (D + 1)`` rows on ``design.levels``
  levels, 4 by default).

Each sampler draws unit coordinates seeded by ``design.seed``; each factor maps them to
values through its inverse distribution function.  A point is then ``group`` (the index of
its crossed combination) and ``sample`` (its row in the sampler's output, 0 when nothing is
sampled); ``point = group * samples + sample``.  For a sensitivity analysis, take one group's
rows in ``sample`` order: they are in the order SALib's ``analyze`` expects.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.experiments.schema import Continuous, Experiment, RangeLever, ValuesLever

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["DesignPoints", "Point", "make_design", "unit_sample"]

MORRIS_LEVELS = 4
"""Grid levels of a Morris design when the experiment does not set ``design.levels``."""


@dataclass(frozen=True)
class Point:
    """One point of a design: the scenario values it sets and how they show in the tables."""

    index: int
    id: str
    group: int
    sample: int
    overrides: dict[str, Any]
    columns: dict[str, Any]


@dataclass(frozen=True)
class DesignPoints:
    """The points of an experiment's design, and which factors its sampler covered."""

    kind: str
    factors: tuple[str, ...]
    sampled: tuple[str, ...]
    points: tuple[Point, ...]
    bounds: tuple[tuple[float, float], ...]
    levels: int | None

    def __len__(self) -> int:
        return len(self.points)

    def table(self) -> pd.DataFrame:
        """Return one row per point: point, id, group, sample and one column per factor."""
        import pandas as pd

        rows = [
            {"point": p.index, "id": p.id, "group": p.group, "sample": p.sample, **p.columns}
            for p in self.points
        ]
        return pd.DataFrame(rows, columns=["point", "id", "group", "sample", *self.factors])

    def describe(self) -> dict[str, Any]:
        """Return the design as a mapping: type, counts and the SALib problem of the sampled factors."""
        groups = 1 + max(p.group for p in self.points)
        return {
            "type": self.kind,
            "points": len(self.points),
            "groups": groups,
            "samples_per_group": len(self.points) // groups,
            "factors": list(self.factors),
            "problem": {"num_vars": len(self.sampled), "names": list(self.sampled), "bounds": self.bounds},
            "levels": self.levels,
            "calc_second_order": False,
        }


def make_design(experiment: Experiment) -> DesignPoints:
    """Return the points of `experiment`'s design."""
    design = experiment.design
    factors = experiment.factors
    on_grid = design.type == "grid"
    crossed = [
        k for k, f in factors.items() if isinstance(f, ValuesLever) or (on_grid and isinstance(f, RangeLever))
    ]
    sampled = [k for k, f in factors.items() if k not in crossed and isinstance(f, Continuous)]
    combos = list(itertools.product(*(_crossed_values(factors[k], design.levels) for k in crossed)))
    samples = _samples(experiment, sampled)
    columns = {key: _table_values([c[i][0] for c in combos]) for i, key in enumerate(crossed)}
    points = []
    for group, combo in enumerate(combos):
        for index, sample in enumerate(samples):
            overrides = {**{k: value for k, (_label, value) in zip(crossed, combo, strict=True)}, **sample}
            shown = {**{k: columns[k][group] for k in crossed}, **sample}
            point = len(points)
            points.append(
                Point(point, _point_id(overrides), group, index, overrides, _ordered(shown, factors))
            )
    bounds = tuple(factors[k].support() for k in sampled)  # type: ignore[union-attr]
    levels = (design.levels or MORRIS_LEVELS) if design.type == "morris" else design.levels
    return DesignPoints(design.type, tuple(factors), tuple(sampled), tuple(points), bounds, levels)


def _crossed_values(factor: Any, levels: int | None) -> list[tuple[Any, Any]]:
    """Return the (label, value) pairs a crossed factor takes."""
    if isinstance(factor, ValuesLever):
        return factor.labelled()
    return [(v, v) for v in factor.grid(levels)]


def _samples(experiment: Experiment, sampled: Sequence[str]) -> list[dict[str, Any]]:
    """Return the sampled factors' values, one mapping per sample (one empty mapping if none)."""
    if not sampled:
        return [{}]
    unit = unit_sample(experiment, len(sampled))
    factors = experiment.factors
    values = {key: factors[key].from_unit(unit[:, j]) for j, key in enumerate(sampled)}  # type: ignore[union-attr]
    return [{key: values[key][i] for key in sampled} for i in range(unit.shape[0])]


def unit_sample(experiment: Experiment, dims: int) -> np.ndarray:
    """Return the design's sample of the unit cube [0, 1]^dims, one row per sample."""
    import numpy as np

    design = experiment.design
    if design.type in ("grid", "lhs"):
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=dims, rng=np.random.default_rng(design.seed)).random(design.points or 1)
    problem = {"num_vars": dims, "names": [f"x{j}" for j in range(dims)], "bounds": [[0.0, 1.0]] * dims}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's advice on sample sizes; the experiment chose n
        if design.type == "sobol":
            from SALib.sample import sobol

            return sobol.sample(problem, design.n, calc_second_order=False, seed=design.seed)
        from SALib.sample import morris

        return morris.sample(problem, design.n, num_levels=design.levels or MORRIS_LEVELS, seed=design.seed)


def _table_values(labels: list[Any]) -> list[Any]:
    """Return labels as one column can hold them: all bools, all numbers or all texts (else JSON texts)."""
    if all(isinstance(v, bool) for v in labels) or all(isinstance(v, str) for v in labels):
        return labels
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in labels):
        return labels
    return [v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str) for v in labels]


def _ordered(columns: dict[str, Any], factors: dict[str, Any]) -> dict[str, Any]:
    """Return `columns` in the experiment's factor order."""
    return {key: columns[key] for key in factors}


def _point_id(overrides: dict[str, Any]) -> str:
    """Return a short, stable content hash of a point's scenario values."""
    text = json.dumps(overrides, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
