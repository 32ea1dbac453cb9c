"""The Python entry points: simulate one run, replicate a scenario."""

from __future__ import annotations

from collections.abc import Callable

from sim.campaign import Campaign
from sim.metrics import daily_curves, key_figures, owner_table
from sim.results import Replications, RunResult
from sim.rng import SeedLike, as_seed_sequence, replication_seeds
from sim.scenario.schema import Scenario


def simulate(scenario: Scenario, seed: SeedLike = 0, log_events: bool = False) -> RunResult:
    """Run one campaign of `scenario` with `seed`; keep the event log if asked."""
    seed_sequence = as_seed_sequence(seed)
    campaign = Campaign(scenario, seed_sequence, log_events).run()
    return RunResult(
        scenario=scenario.name,
        seed=(int(seed_sequence.entropy), *seed_sequence.spawn_key),
        daily=daily_curves(campaign),
        kpis=key_figures(campaign),
        owners=owner_table(campaign),
        records=tuple(campaign.recorder.records) if log_events else None,
    )


def replicate(
    scenario: Scenario,
    reps: int,
    seed: int = 0,
    log_events: bool = False,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> Replications:
    """Run `reps` replications of `scenario`; replication r uses the r-th child of `seed`.

    `progress`, if given, is called with the number of finished replications.
    With `workers` above 1 the replications run on that many worker processes:
    the same results, since each runs on its own child seed wherever it runs.
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    from sim.workers import local_backend, outputs_in_order

    jobs = [(scenario, child, log_events) for child in replication_seeds(seed, reps)]
    results: list[RunResult] = []
    with local_backend(workers, _simulate_job) as backend:
        for result in outputs_in_order(backend, jobs):
            results.append(result)
            if progress is not None:
                progress(len(results))
    return Replications(scenario.name, seed, tuple(results))


def _simulate_job(job: tuple[Scenario, SeedLike, bool]) -> RunResult:
    """Run one replication given as (scenario, seed, log_events): a task for worker processes."""
    return simulate(*job)
