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
) -> Replications:
    """Run `reps` replications of `scenario`; replication r uses the r-th child of `seed`.

    `progress`, if given, is called with the number of finished replications.
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    results = []
    for k, child in enumerate(replication_seeds(seed, reps)):
        results.append(simulate(scenario, child, log_events))
        if progress is not None:
            progress(k + 1)
    return Replications(scenario.name, seed, tuple(results))
