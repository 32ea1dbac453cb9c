"""The runs of a plan search: asked for by the procedure, run on any backend, streamed to disk, resumable.

Replication r of every plan runs on seed r of the search (common random numbers),
in every world when the search has worlds; its run number is ``r * worlds + w``,
so asking for more replications never renumbers the runs already made.  Finished
runs are committed to the folder in parts (`sim.experiments.store.SweepStore`), so
a killed search loses at most one part, and a resumed one reads them back instead
of running them again: since each run depends only on its plan, world and seed,
the procedure makes the same decisions on them and ends where it would have.

An observation of a plan is one replication: its objective's statistic across
worlds (the mean, or a low quantile: `robustness`), its staff hours and staff
cost (means across worlds).  A target never reached (``days_to_80`` of a campaign
that stops short) counts as the horizon plus one day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.experiments.task import TaskOutput, TaskSpec
from sim.plans.candidates import Plan, value_at
from sim.plans.load import ResolvedSearch
from sim.plans.schema import Quantile

if TYPE_CHECKING:
    from sim.experiments.store import SweepStore
    from sim.workers import Backend

__all__ = ["Observations", "PlanRuns"]

STAFF_HOURS = "staff_hours"
COST_PER_HOUR = "team.staff_cost_per_hour"


@dataclass(frozen=True)
class Observations:
    """Replications first..last-1 of some plans: arrays of shape (plans, replications)."""

    objective: np.ndarray
    staff_hours: np.ndarray
    staff_cost: np.ndarray
    by_world: np.ndarray
    """The objective in each world: shape (plans, replications, worlds)."""

    def measure(self, name: str) -> np.ndarray:
        """Return a budget measure by name (staff_hours, staff_cost)."""
        return {"staff_hours": self.staff_hours, "staff_cost": self.staff_cost}[name]


class PlanRuns:
    """Every run a search has made, and the means to make more on a backend."""

    def __init__(
        self,
        search: ResolvedSearch,
        plans: Sequence[Plan],
        store: SweepStore,
        backend: Backend,
        part_runs: int = 50,
        advance: Callable[[int], None] | None = None,
    ) -> None:
        self.search = search
        self.plans = {plan.index: plan for plan in plans}
        self.store = store
        self.backend = backend
        self.part_runs = part_runs
        self.advance = advance
        self.values: dict[tuple[int, int], dict[str, float]] = {}
        self.worlds = self._world_values()

    def add(self, plan: Plan) -> None:
        """Register a plan (one the optimiser proposed, or the current plan) so that it can be run."""
        self.plans[plan.index] = plan

    @property
    def runs(self) -> int:
        """Return how many runs the search holds."""
        return len(self.values)

    def load(self) -> int:
        """Read the runs committed in the folder (a resumed search); return how many."""
        import pandas as pd

        folder = self.store.folder / "runs"
        for name in self.store.ledger():
            frame = pd.read_parquet(
                folder / f"{name}.parquet", columns=["point", "replication", "outcome", "value"]
            )
            for point, run, outcome, value in frame.itertuples(index=False):
                self.values.setdefault((int(point), int(run)), {})[str(outcome)] = float(value)
        return self.runs

    def observe(self, plans: Sequence[int], first: int, last: int) -> Observations:
        """Return replications first..last-1 of `plans`, running those the search lacks."""
        self._ensure(plans, first, last)
        worlds = len(self.worlds)
        objective = self.search.search.objective.outcome
        shape = (len(plans), last - first, worlds)
        by_world, hours = np.empty(shape), np.empty(shape)
        for i, plan in enumerate(plans):
            for j, rep in enumerate(range(first, last)):
                for w in range(worlds):
                    row = self.values[plan, rep * worlds + w]
                    by_world[i, j, w] = self._finite(plan, row[objective])
                    hours[i, j, w] = row[STAFF_HOURS]
        cost = np.array([self._cost_per_hour(plan) for plan in plans])[:, None]
        return Observations(
            objective=self._across_worlds(by_world),
            staff_hours=hours.mean(axis=2),
            staff_cost=hours.mean(axis=2) * cost,
            by_world=by_world,
        )

    # -- running ----------------------------------------------------------------------------------------

    def _ensure(self, plans: Sequence[int], first: int, last: int) -> None:
        """Run every (plan, replication, world) of the request that the search lacks, and commit them."""
        from sim.workers import outputs_in_order

        worlds = len(self.worlds)
        missing = [
            (plan, rep * worlds + w)
            for rep in range(first, last)
            for plan in plans
            for w in range(worlds)
            if (plan, rep * worlds + w) not in self.values
        ]
        batch: list[TaskOutput] = []
        for output in outputs_in_order(self.backend, (self._spec(plan, run) for plan, run in missing)):
            batch.append(output)
            if len(batch) >= self.part_runs:
                self._commit(batch)
        if batch:
            self._commit(batch)

    def _commit(self, batch: list[TaskOutput]) -> None:
        self.store.commit(batch)
        for output in batch:
            row = dict(zip(output.runs["outcome"], output.runs["value"].astype(float), strict=True))
            self.values[output.point, output.replication] = row
        if self.advance is not None:
            self.advance(len(batch))
        batch.clear()

    def _spec(self, plan: int, run: int) -> TaskSpec:
        worlds = len(self.worlds)
        world, values = self.worlds[run % worlds]
        return TaskSpec(
            experiment=self.search.name,
            point=plan,
            replication=run,
            seed=self.search.search.seed,
            scenario=self.search.scenario,
            overrides=self.plans[plan].values,
            outcomes=self.search.outcomes,
            world=world,
            world_values=values,
            seed_replication=run // worlds,
        )

    # -- reading ----------------------------------------------------------------------------------------

    def _world_values(self) -> list[tuple[int | None, dict[str, Any]]]:
        """Return (world number, values) of every world; one world without values when there are none."""
        table = self.search.worlds
        if table is None:
            return [(None, {})]
        return [(int(w), {str(k): v for k, v in row.items()}) for w, row in table.iterrows()]

    def _across_worlds(self, by_world: np.ndarray) -> np.ndarray:
        """Return the objective's statistic across worlds, replication by replication."""
        robustness = self.search.search.robustness
        if isinstance(robustness, Quantile):
            return np.quantile(by_world, robustness.quantile, axis=2)
        return by_world.mean(axis=2)

    def _finite(self, plan: int, value: float) -> float:
        """Return `value`, or the horizon plus one day for a target never reached (NaN)."""
        if np.isfinite(value):
            return value
        return float(self._setting(plan, "horizon_days")) + 1.0

    def _cost_per_hour(self, plan: int) -> float:
        return float(self._setting(plan, COST_PER_HOUR))

    def _setting(self, plan: int, key: str) -> Any:
        """Return a plan's value of a scenario key (its lever, else the base scenario's)."""
        values = self.plans[plan].values
        return values[key] if key in values else value_at(self.search.settings, key)
