"""One run with its event log: replication 0 of a master seed, as ``feesim run --seed`` runs it first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from sim.population import Population
    from sim.records import EventRecord
    from sim.results import RunResult
    from sim.scenario.schema import Scenario

__all__ = ["LoggedRun", "logged_run"]


@dataclass(frozen=True)
class LoggedRun:
    """Replication 0 of a seed with its event log and its owners' traits."""

    scenario: Scenario
    seed: int
    result: RunResult
    population: Population

    @property
    def records(self) -> tuple[EventRecord, ...]:
        """Return the event records of the run."""
        return self.result.records or ()

    @property
    def start(self) -> dt.date:
        """Return the start date of the campaign."""
        return self.scenario.start_date

    def owner_records(self, owner: int) -> list[EventRecord]:
        """Return one owner's records in time order."""
        return sorted((r for r in self.records if r.owner == owner), key=lambda r: r.time)


def logged_run(scenario: Scenario, seed: int) -> LoggedRun:
    """Simulate replication 0 of `seed` with the event log on (the same run as replication 0 of `seed`)."""
    from sim.api import simulate
    from sim.population import draw_population
    from sim.rng import Streams, replication_seeds

    child = replication_seeds(seed, 1)[0]
    result = simulate(scenario, child, log_events=True)
    return LoggedRun(scenario, seed, result, draw_population(scenario, Streams(child)))
