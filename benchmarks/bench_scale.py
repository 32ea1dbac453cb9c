"""Growth with the size of the community: time and memory per household.

Runs one replication of a scenario at several community sizes, scaling the
collectors, buildings, service crew and maintenance load with the households
(so every size is the same campaign, larger), each in a fresh process after a
tiny warm-up run (imports and first-call costs are not the model's), and
prints one JSON object: per size the wall seconds (median of --repeat
fresh-process runs, sizes interleaved) and the process's CPU seconds (less
moved by other work on the machine), events, peak resident memory and bytes
per household, and the ratios of each size's times to the smallest's.  Run
from the project root:

    python benchmarks/bench_scale.py [--scenario FILE] [--sizes 2000 16000] [--days 90] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = 2000  # households of the shipped scenarios, for which their team and crew are sized


def scaled_overrides(scenario_path: str, households: int, days: int) -> dict:
    """Return the overrides that make a scenario's campaign `households` large, all else in proportion."""
    import sim

    scenario = sim.load_scenario(scenario_path)
    scale = households / BASE
    return {
        "community.households": households,
        "community.buildings": max(1, round(scenario.community.buildings * scale)),
        "team.collectors": max(1, round(scenario.team.collectors * scale)),
        "service.crew": max(1, round(scenario.service.crew * scale)),
        "service.maintenance_tickets_per_day": scenario.service.maintenance_tickets_per_day * scale,
        "horizon_days": days,
    }


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options that say which run to measure: --scenario, --households, --days, --seed, --scaled."""
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "playbook.yaml"))
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="collectors, buildings and service crew in proportion to the households (as bench_scale.py)",
    )


def size_overrides(scenario_path: str, households: int, days: int, scaled: bool) -> dict:
    """Return the overrides of a run of `households` x `days`: team and crew in proportion if `scaled`."""
    if scaled:
        return scaled_overrides(scenario_path, households, days)
    return {"community.households": households, "horizon_days": days}


def warm_up(scenario_path: str, seed: int) -> None:
    """Run a tiny campaign of the scenario: imports and first-call costs are not the model's."""
    import sim

    tiny = {"community.households": 60, "community.buildings": 2, "horizon_days": 5}
    sim.simulate(sim.load_scenario(scenario_path, tiny), seed=seed)


def measure_one(scenario_path: str, households: int, days: int, seed: int) -> dict:
    """Run one replication in this process and return its figures."""
    import sim

    overrides = scaled_overrides(scenario_path, households, days)
    warm_up(scenario_path, seed)
    scenario = sim.load_scenario(scenario_path, overrides)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu_start = time.perf_counter(), time.process_time()
    result = sim.simulate(scenario, seed=seed)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "households": households,
        "days": days,
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "events": result.kpis["events"],
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "bytes_per_household": round((peak_kib - before) * 1024 / households),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "playbook.yaml"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 16000])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process runs per size (median)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size here
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure_one(args.scenario, args.one, args.days, args.seed)))
        return
    trials: dict[int, list[dict]] = {size: [] for size in args.sizes}
    for _ in range(args.repeat):  # sizes interleaved, so a slow spell of the machine hits them all
        for size in args.sizes:
            command = [sys.executable, __file__, "--scenario", args.scenario, "--days", str(args.days),
                       "--seed", str(args.seed), "--one", str(size)]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            trials[size].append(json.loads(done.stdout))
    runs = []
    for size in args.sizes:
        walls = [trial["wall_seconds"] for trial in trials[size]]
        cpus = [trial["cpu_seconds"] for trial in trials[size]]
        run = max(trials[size], key=lambda trial: trial["peak_rss_mib"])
        run = {**run, "wall_seconds": round(statistics.median(walls), 3), "wall_seconds_all": walls}
        runs.append({**run, "cpu_seconds": round(statistics.median(cpus), 3), "cpu_seconds_all": cpus})
    smallest = runs[0]
    for run in runs:
        run["time_ratio_to_smallest"] = round(run["wall_seconds"] / smallest["wall_seconds"], 2)
        run["cpu_ratio_to_smallest"] = round(run["cpu_seconds"] / smallest["cpu_seconds"], 2)
        run["size_ratio_to_smallest"] = round(run["households"] / smallest["households"], 2)
    print(json.dumps({"scenario": Path(args.scenario).stem, "runs": runs}))


if __name__ == "__main__":
    main()
