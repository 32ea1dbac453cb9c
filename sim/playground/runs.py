"""One replication as the playground runs it, and the answer it builds from a run's replications.

A replication runs with its event log so that the page can say why (the funnel of fee
contacts); the log itself stays in the worker, which returns the day-by-day curves, the
key figures and the funnel counts.  The engine, the scenario and the replication seeds are
those of ``feesim run``, so the same choices and seed give the same curves bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from sim.api import simulate
from sim.results import Replications, RunResult
from sim.scenario import Scenario
from sim.scenario.base import SEGMENTS
from sim.views.eventlog import FEE_CONTACTS
from sim.views.funnel import STAGES, funnel_counts

__all__ = ["Replication", "answer", "run_replication"]


@dataclass(frozen=True)
class Replication:
    """One replication's result without its event log or owner table, and its funnel counts."""

    result: RunResult
    funnel: np.ndarray


def run_replication(job: tuple[Scenario, np.random.SeedSequence]) -> Replication:
    """Run one replication given as (scenario, its seed): a task for the playground's worker processes."""
    scenario, seed = job
    result = simulate(scenario, seed, log_events=True)
    funnel = funnel_counts(result.records or ())
    return Replication(replace(result, records=None, owners=pd.DataFrame()), funnel)


def answer(name: str, seed: int, replications: list[Replication], wall: float) -> dict[str, Any]:
    """Return the ``feesim run --json`` object of `replications`, and what the page shows as "why".

    ``output`` is None: the playground writes no results folder.  ``explain`` holds the mean
    paid share of each owner segment by day and the mean funnel of fee contacts per run.
    """
    runs = Replications(name, seed, tuple(r.result for r in replications))
    funnel = np.mean([r.funnel for r in replications], axis=0)
    explain = {
        "segments": {
            segment: runs.curve(f"paid_share_{segment}").mean(axis=0).tolist() for segment in SEGMENTS
        },
        "funnel": {
            kind: {stage: float(funnel[k, s]) for s, stage in enumerate(STAGES)}
            for k, kind in enumerate(FEE_CONTACTS)
        },
    }
    return {**runs.summary(), "wall_seconds": round(wall, 3), "output": None, "explain": explain}
