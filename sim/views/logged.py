"""Replicate a scenario with the event log on, keeping what the views need and dropping the records.

`replicate_logged` gives the same replications as `sim.api.replicate` (same child seeds, same
numbers: logging draws no random numbers) and, on the side, small tables for the report: the
weekday x hour activity, the contact funnel and the tickets summed over all replications, one row
of key figures per replication, and the full event log of replication 0 only.  Each run's records
are reduced as soon as it ends, so memory does not grow with the number of replications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.rng import Streams, replication_seeds

if TYPE_CHECKING:
    import pandas as pd

    from sim.results import Replications, RunResult
    from sim.scenario.schema import Scenario

__all__ = ["LoggedRuns", "ViewTables", "replicate_logged"]


@dataclass(frozen=True)
class ViewTables:
    """What the report reads besides the daily curves and the summary (one scenario)."""

    events: pd.DataFrame
    """Every event record of replication 0, with day, weekday, hour and unit id."""
    activity: pd.DataFrame
    """Weekday x hour: fee-contact attempts, reached contacts, payments, summed over replications."""
    funnel: pd.DataFrame
    """Fee-contact kind x funnel stage, summed over replications."""
    tickets: pd.DataFrame
    """One row per fee ticket of every replication."""
    replications: pd.DataFrame
    """One row of key figures per replication (with staff cost and cost per 10,000 CNY)."""


@dataclass
class _Tally:
    """Running sums of the view tables over replications."""

    scenario: Scenario
    activity: np.ndarray | None = None
    funnel: np.ndarray | None = None
    tickets: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    events: pd.DataFrame | None = None

    def add(self, rep: int, result: RunResult, seed: np.random.SeedSequence) -> None:
        """Reduce one run's records into the sums (and keep replication 0's log whole)."""
        from sim.population import draw_population
        from sim.views.effort import replication_row
        from sim.views.eventlog import records_frame
        from sim.views.funnel import funnel_counts
        from sim.views.heatmap import weekday_hour_counts
        from sim.views.tickets import ticket_rows

        records, start = result.records or (), self.scenario.start_date
        activity, funnel = weekday_hour_counts(records, start), funnel_counts(records)
        self.activity = activity if self.activity is None else self.activity + activity
        self.funnel = funnel if self.funnel is None else self.funnel + funnel
        self.tickets += [{"rep": rep, **row} for row in ticket_rows(records)]
        self.rows.append({"rep": rep, **replication_row(result.kpis, self.scenario.team.staff_cost_per_hour)})
        if rep == 0:
            self.events = records_frame(records, start, draw_population(self.scenario, Streams(seed)))

    def tables(self) -> ViewTables:
        """Return the finished tables."""
        import pandas as pd

        from sim.views.funnel import funnel_table
        from sim.views.heatmap import activity_table

        columns = ["rep", "owner", "grievance", "opened_h", "fixed_h", "outcome", "escalated", "withdrew"]
        assert self.activity is not None and self.funnel is not None and self.events is not None
        return ViewTables(
            events=self.events,
            activity=activity_table(self.activity),
            funnel=funnel_table(self.funnel),
            tickets=pd.DataFrame(self.tickets, columns=columns),
            replications=pd.DataFrame(self.rows),
        )


class LoggedRuns:
    """Runs replications one at a time with the event log on, reducing each log into the view tables."""

    def __init__(self) -> None:
        self._tallies: dict[str, _Tally] = {}

    def run(self, name: str, scenario: Scenario, rep: int, child: np.random.SeedSequence) -> RunResult:
        """Run replication `rep` of variant `name`; keep its reduced log; return it without records."""
        from sim.api import simulate

        result = simulate(scenario, child, log_events=True)
        self._tallies.setdefault(name, _Tally(scenario)).add(rep, result, child)
        return replace(result, records=None)

    def tables(self) -> dict[str, ViewTables]:
        """Return the view tables of every variant run so far."""
        return {name: tally.tables() for name, tally in self._tallies.items()}


def replicate_logged(
    scenario: Scenario, reps: int, seed: int = 0, progress: Callable[[int], None] | None = None
) -> tuple[Replications, ViewTables]:
    """Run `reps` replications like `sim.api.replicate`; also return the view tables of their event logs."""
    from sim.results import Replications

    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    logged, results = LoggedRuns(), []
    for k, child in enumerate(replication_seeds(seed, reps)):
        results.append(logged.run(scenario.name, scenario, k, child))
        if progress is not None:
            progress(k + 1)
    return Replications(scenario.name, seed, tuple(results)), logged.tables()[scenario.name]
