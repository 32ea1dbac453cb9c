"""Replicate until an answer is precise enough: batches of replications, a target CI half-width.

Replication r always runs on the r-th child of the master seed, so adding a
batch keeps the replications already run, and a precise run equals a plain
run with the same final number of replications.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sim.api import simulate
from sim.languages import _
from sim.results import Replications, RunResult, ci_half_width
from sim.rng import replication_seeds
from sim.scenario.schema import Scenario

Progress = Callable[[int], None]
Job = tuple[str, Scenario, int, object]
"""(variant name, scenario, replication, seed): one replication to run."""
RunMany = Callable[[list[Job]], Iterable[RunResult]]
"""Run a batch of jobs (perhaps in parallel); give their results in the order of the jobs."""


@dataclass(frozen=True)
class Target:
    """Add replications in batches until the 95% CI half-width of `outcome` is at most `half_width`."""

    half_width: float
    outcome: str = "final_paid_share"
    batch: int = 10
    max_reps: int = 200

    def __post_init__(self) -> None:
        if not self.half_width > 0:
            reason = _("the precision (a CI half-width) must be positive, got {value}")
            raise ValueError(reason.format(value=self.half_width))
        if self.batch < 2 or self.max_reps < 2:
            raise ValueError(_("precision needs batches and a maximum of at least 2 replications"))


def half_width(results: Sequence[RunResult], outcome: str) -> float:
    """Return the 95% CI half-width of an outcome over replications (inf with fewer than 2 values)."""
    return ci_half_width([r.kpis[outcome] for r in results if r.kpis.get(outcome) is not None])


def replicate_until(
    scenario: Scenario, seed: int, target: Target, progress: Progress | None = None
) -> Replications:
    """Replicate `scenario` in batches until `target` holds or `target.max_reps` replications have run."""
    runs = replicate_variants_until({scenario.name: scenario}, seed, target, progress)
    return runs[scenario.name]


def replicate_variants_until(
    scenarios: Mapping[str, Scenario],
    seed: int,
    target: Target,
    progress: Progress | None = None,
    run_many: RunMany | None = None,
) -> dict[str, Replications]:
    """Replicate every variant on the same seeds, in batches, until each meets `target` (or the maximum).

    Each batch's replications run through `run_many` if given (say, on worker
    processes, keeping their event logs), else one by one with `sim.simulate`.
    """
    run_batch = run_many or (lambda jobs: (simulate(scenario, child) for _n, scenario, _r, child in jobs))
    results: dict[str, list[RunResult]] = {name: [] for name in scenarios}
    wanted, done = min(target.batch, target.max_reps), 0
    while True:
        seeds = replication_seeds(seed, wanted)
        jobs: list[Job] = [
            (name, scenario, rep, seeds[rep])
            for name, scenario in scenarios.items()
            for rep in range(len(results[name]), wanted)
        ]
        for (name, *_job), result in zip(jobs, run_batch(jobs), strict=True):
            results[name].append(result)
            done += 1
            if progress is not None:
                progress(done)
        precise = all(half_width(r, target.outcome) <= target.half_width for r in results.values())
        if precise or wanted >= target.max_reps:
            break
        wanted = min(wanted + target.batch, target.max_reps)
    return {name: Replications(scenarios[name].name, seed, tuple(runs)) for name, runs in results.items()}
