"""Replicate a scenario with the event log on, keeping what the views need and dropping the records.

`replicate_logged` gives the same replications as `sim.api.replicate` (same child seeds, same
numbers: logging draws no random numbers) and, on the side, small tables for the report: the
weekday x hour activity, the contact funnel and the tickets summed over all replications, one row
of key figures per replication, and the full event log of replication 0 only.  Each run's records
are reduced as soon as it ends, so memory does not grow with the number of replications.  On
worker processes (``--workers``) each replication is run and reduced there (`run_logged`) and the
reduced logs are added here in the order of the replications (`LoggedRuns.results`): the same tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.rng import Streams, replication_seeds

if TYPE_CHECKING:
    import pandas as pd

    from sim.results import Replications, RunResult
    from sim.scenario.schema import Scenario
    from sim.workers import Backend

__all__ = [
    "LoggedJob",
    "LoggedRuns",
    "ReducedLog",
    "ViewTables",
    "reduce_log",
    "replicate_logged",
    "run_logged",
]


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


@dataclass(frozen=True)
class ReducedLog:
    """What the view tables keep of one replication's event log: small enough to pass between processes."""

    activity: np.ndarray
    funnel: np.ndarray
    tickets: list[dict[str, Any]]
    row: dict[str, Any]
    events: pd.DataFrame | None
    """The whole log, kept for replication 0 only."""


def reduce_log(scenario: Scenario, rep: int, result: RunResult, seed: np.random.SeedSequence) -> ReducedLog:
    """Reduce replication `rep`'s records (run on `seed`) to what the view tables need."""
    from sim.population import draw_population
    from sim.views.effort import replication_row
    from sim.views.eventlog import records_frame
    from sim.views.funnel import funnel_counts
    from sim.views.heatmap import weekday_hour_counts
    from sim.views.tickets import ticket_rows

    records, start = result.records or (), scenario.start_date
    return ReducedLog(
        activity=weekday_hour_counts(records, start),
        funnel=funnel_counts(records),
        tickets=[{"rep": rep, **row} for row in ticket_rows(records)],
        row={"rep": rep, **replication_row(result.kpis, scenario.team.staff_cost_per_hour)},
        events=records_frame(records, start, draw_population(scenario, Streams(seed))) if rep == 0 else None,
    )


@dataclass(frozen=True)
class LoggedJob:
    """One replication to run with the event log on: variant `name`, replication `rep` on `seed`."""

    name: str
    scenario: Scenario
    rep: int
    seed: np.random.SeedSequence


def run_logged(job: LoggedJob) -> tuple[RunResult, ReducedLog]:
    """Run one replication with the event log on; return it without its records, and the reduced log."""
    from sim.api import simulate

    result = simulate(job.scenario, job.seed, log_events=True)
    return replace(result, records=None), reduce_log(job.scenario, job.rep, result, job.seed)


@dataclass
class _Tally:
    """Running sums of the view tables over replications."""

    scenario: Scenario
    activity: np.ndarray | None = None
    funnel: np.ndarray | None = None
    tickets: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    events: pd.DataFrame | None = None

    def add(self, reduced: ReducedLog) -> None:
        """Add one replication's reduced log (replications in order: tickets and rows keep it)."""
        self.activity = reduced.activity if self.activity is None else self.activity + reduced.activity
        self.funnel = reduced.funnel if self.funnel is None else self.funnel + reduced.funnel
        self.tickets += reduced.tickets
        self.rows.append(reduced.row)
        if reduced.events is not None:
            self.events = reduced.events

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
    """Runs replications with the event log on, adding each reduced log to the view tables in order."""

    def __init__(self) -> None:
        self._tallies: dict[str, _Tally] = {}

    def results(self, backend: Backend, jobs: Iterable[LoggedJob]) -> Iterator[RunResult]:
        """Run `jobs` with `run_logged` on `backend`; keep each reduced log; yield the results, in order."""
        from sim.workers import outputs_in_order

        jobs = list(jobs)
        for job, (result, reduced) in zip(jobs, outputs_in_order(backend, jobs), strict=True):
            self._tallies.setdefault(job.name, _Tally(job.scenario)).add(reduced)
            yield result

    def tables(self) -> dict[str, ViewTables]:
        """Return the view tables of every variant run so far."""
        return {name: tally.tables() for name, tally in self._tallies.items()}


def replicate_logged(
    scenario: Scenario, reps: int, seed: int = 0, progress: Callable[[int], None] | None = None
) -> tuple[Replications, ViewTables]:
    """Run `reps` replications like `sim.api.replicate`; also return the view tables of their event logs."""
    from sim.results import Replications
    from sim.workers import InlineBackend

    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    jobs = [
        LoggedJob(scenario.name, scenario, rep, child)
        for rep, child in enumerate(replication_seeds(seed, reps))
    ]
    logged, results = LoggedRuns(), []
    for result in logged.results(InlineBackend(run_logged), jobs):
        results.append(result)
        if progress is not None:
            progress(len(results))
    return Replications(scenario.name, seed, tuple(results)), logged.tables()[scenario.name]
