"""Experiments: sweeps of a scenario's levers and uncertainties, streamed to tidy Parquet tables.

An experiment file (`sim.experiments.schema`) names a base scenario, its levers and
uncertainties, a design (`sim.experiments.design`), replications and outcomes.
`run_sweep` (`sim.experiments.runner`) runs every (point, replication) on the same
replication seeds (common random numbers), in this process, on a local process pool or
on a Dask cluster, and writes into its output folder ``OUT``:

``results.parquet`` -- one row per run and outcome, sorted by (point, replication, outcome
    in the experiment's order):

    ==============  =======  ===============================================================
    experiment      str      the experiment's name
    point           int64    the point's index (its row in points.parquet)
    <key.path>      any      one column per lever then per uncertainty, in the file's order:
                             the value the point gives it (a labelled value's label; values
                             that are not numbers, booleans or texts as JSON text)
    replication     int64    0, 1, ...: the same seeds at every point
    seed            str      the replication's seed, ``entropy:r`` (``SeedSequence(entropy,
                             spawn_key=(r,))``), the same whatever executor ran it
    outcome         str      an outcome name (`sim.experiments.outcomes`)
    value           float64  its value (NaN for a target never reached)
    ==============  =======  ===============================================================

``daily.parquet`` -- one row per run and day, sorted by (point, replication, day):
    experiment, point, replication, then the run's daily curves: day, paid_share,
    money_share, paid_share_<segment>, billed_share, calls, reached, morale.

``points.parquet`` -- one row per point: point, id (a hash of its scenario values), group
    (its combination of crossed levers), sample (its row in the sampler's output) and the
    factor columns as in results.parquet.

``design.json`` -- design type, counts and the SALib problem (``names``, ``bounds``) of the
    sampled factors: for a Sobol or Morris analysis take one group's points in sample order.

``experiment.yaml`` (the resolved experiment, loadable again), ``scenario.yaml`` (the base
scenario with the experiment's overrides), ``sweep.json`` (manifest: status, fingerprint,
sizes), ``failures.json`` (runs that failed twice, if any), and the streamed parts
``runs/``, ``daily/``, ``ledger/`` (`sim.experiments.store`).

Read the tables with ``pandas.read_parquet``; for example the mean final paid share per
point is ``r[r.outcome == "final_paid_share"].groupby("point").value.mean()``, and the paired
difference of two points is taken replication by replication (same seeds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.experiments.design import DesignPoints, make_design
    from sim.experiments.load import ResolvedExperiment, load_experiment
    from sim.experiments.runner import SweepInterrupted, SweepReport, run_sweep
    from sim.experiments.schema import Experiment

__all__ = [
    "DesignPoints",
    "Experiment",
    "ResolvedExperiment",
    "SweepInterrupted",
    "SweepReport",
    "load_experiment",
    "make_design",
    "run_sweep",
]

_HOMES = {
    "DesignPoints": "sim.experiments.design",
    "make_design": "sim.experiments.design",
    "ResolvedExperiment": "sim.experiments.load",
    "load_experiment": "sim.experiments.load",
    "SweepInterrupted": "sim.experiments.runner",
    "SweepReport": "sim.experiments.runner",
    "run_sweep": "sim.experiments.runner",
    "Experiment": "sim.experiments.schema",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    import importlib

    if name not in _HOMES:
        raise AttributeError(f"module 'sim.experiments' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
