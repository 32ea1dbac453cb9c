"""One run of a sweep: a pure, picklable task that any executor (this process, a pool, Dask) can run.

A task carries everything it needs (the base scenario as a raw mapping, the point's
values, the world's values in a sweep in worlds, the master seed and the replication),
so its result depends on nothing else: the same task gives the same rows, bit for bit,
wherever it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.rng import replication_seed

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["TaskOutput", "TaskSpec", "replication_seed", "run_task", "seed_label"]

TaskKey = tuple[int, int]
"""(point, replication): what identifies a run within a sweep."""


@dataclass(frozen=True)
class TaskSpec:
    """Everything one run needs: the base scenario, the point's values, the seeds and the outcomes."""

    experiment: str
    point: int
    replication: int
    seed: int
    scenario: Mapping[str, Any]
    overrides: Mapping[str, Any]
    outcomes: tuple[str, ...]
    world: int | None = None
    """The world the run is in (its values in `world_values`), or None for a sweep without worlds."""
    world_values: Mapping[str, Any] = field(default_factory=dict)
    seed_replication: int | None = None
    """The replication whose seed the run uses (in worlds: its replication within the world)."""

    @property
    def key(self) -> TaskKey:
        """Return (point, replication)."""
        return self.point, self.replication

    @property
    def run_seed(self) -> np.random.SeedSequence:
        """Return the run's seed: the master seed's child of `seed_replication` (else of `replication`)."""
        chosen = self.replication if self.seed_replication is None else self.seed_replication
        return replication_seed(self.seed, chosen)

    @property
    def seed_text(self) -> str:
        """Return the run's seed as text (see `seed_label`)."""
        return seed_label(self.run_seed)


@dataclass(frozen=True)
class TaskOutput:
    """A finished run: its tidy outcome rows and its daily curves, both keyed by point and replication."""

    point: int
    replication: int
    runs: pd.DataFrame
    daily: pd.DataFrame

    @property
    def key(self) -> TaskKey:
        """Return (point, replication)."""
        return self.point, self.replication


def seed_label(seed: np.random.SeedSequence) -> str:
    """Return a seed as ``entropy:spawn_key...`` (``7:3`` is ``SeedSequence(7, spawn_key=(3,))``)."""
    return ":".join(str(int(part)) for part in (seed.entropy, *seed.spawn_key))


def run_task(spec: TaskSpec) -> TaskOutput:
    """Run one replication of one point and return its outcome rows and daily curves."""
    import pandas as pd

    from sim.api import simulate
    from sim.experiments.load import verbatim
    from sim.experiments.outcomes import outcome_value
    from sim.scenario import scenario_from_dict

    values = {**spec.world_values, **spec.overrides}
    scenario = scenario_from_dict(spec.scenario, f"point {spec.point}", verbatim(values))
    seed = spec.run_seed
    result = simulate(scenario, seed)
    keys: dict[str, Any] = {
        "experiment": spec.experiment,
        "point": spec.point,
        "replication": spec.replication,
    }
    if spec.world is not None:
        keys["world"] = spec.world
    runs = pd.DataFrame(
        {
            **keys,
            "seed": seed_label(seed),
            "outcome": list(spec.outcomes),
            "value": [outcome_value(name, result.kpis, result.daily) for name in spec.outcomes],
        }
    )
    daily = result.daily.copy()
    for position, (name, value) in enumerate(keys.items()):
        daily.insert(position, name, value)
    return TaskOutput(spec.point, spec.replication, runs, daily)
