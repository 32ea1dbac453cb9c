"""Sweep throughput: runs per second with 1 worker (in-process) and 2 worker processes, and the efficiency.

Runs the same small sweep (the baseline, a team-size lever, a few replications) with
``--workers 1`` and ``--workers 2`` (the local process pool) and prints one JSON object:
``runs``, then for each worker count the wall ``seconds`` (median of --repeat sweeps,
including design, streaming and consolidation) and ``runs_per_second``, the ``speedup``
of 2 workers and the ``efficiency`` (speedup / 2).  The pool's one-time start (its server
process imports the engine once) is timed apart as ``pool_start_seconds``; the machine's load
average before and after tells whether other work skewed the figures.  Run from the
project root:

    python benchmarks/bench_sweep.py [--households 1000] [--days 90] [--reps 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console

from sim.experiments import load_experiment, run_sweep

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TEAMS = (2, 3, 4, 6)


def experiment_file(folder: Path, households: int, days: int, reps: int) -> Path:
    """Write the benchmark's experiment file into `folder` and return its path."""
    path = folder / "bench.yaml"
    path.write_text(
        "name: bench_sweep\n"
        f"base: {BASELINE}\n"
        f"overrides: {{community.households: {households}, community.buildings: {max(1, households // 100)},"
        f" horizon_days: {days}}}\n"
        f"levers: {{team.collectors: {{values: {list(TEAMS)}}}}}\n"
        f"replications: {reps}\n",
        encoding="utf-8",
    )
    return path


def time_sweep(path: Path, out: Path, workers: int) -> float:
    """Run the sweep of `path` into `out` with `workers` and return its wall seconds."""
    quiet = Console(stderr=True, quiet=True)
    start = time.perf_counter()
    report = run_sweep(load_experiment(path), out, workers=workers, console=quiet)
    seconds = time.perf_counter() - start
    if report.failures or report.done != report.total:
        raise SystemExit(f"benchmark sweep incomplete: {report}")
    return seconds


def main() -> None:
    """Time the sweep with 1 and 2 workers and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = len(TEAMS) * args.reps
    load_before = os.getloadavg()[0]  # other work on the machine skews the figures: report it
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = experiment_file(folder, args.households, args.days, args.reps)
        (folder / "warm").mkdir()
        warm_up = experiment_file(folder / "warm", 50, 5, 1)
        pool_start = time_sweep(warm_up, folder / "warm" / "out", workers=2)
        figures = {"runs": runs, "households": args.households, "days": args.days}
        walls: dict[int, list[float]] = {1: [], 2: []}
        for k in range(args.repeat):  # interleaved, so a change in the machine's load hits both alike
            for workers, seconds in walls.items():
                seconds.append(time_sweep(path, folder / f"out-{workers}-{k}", workers))
    for workers, seconds in walls.items():
        wall = statistics.median(seconds)
        figures[f"workers_{workers}"] = {"seconds": round(wall, 3), "runs_per_second": round(runs / wall, 3)}
    speedup = figures["workers_1"]["seconds"] / figures["workers_2"]["seconds"]
    figures.update(speedup=round(speedup, 3), efficiency=round(speedup / 2, 3))
    figures["pool_start_seconds"] = round(pool_start, 3)
    figures["load_average_1min"] = {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
