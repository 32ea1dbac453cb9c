"""Engine throughput: scenario replications against a bare SimPy loop, in one process.

Prints one JSON object.  Its top-level keys describe the first case (by
default the baseline): households, days, events, wall seconds (median of
--repeat runs), events per second, bare SimPy timeout events per second and
the ratio of the two; `cases` holds the same figures for every case (by
default the baseline and the playbook).  Run from the project root:

    python benchmarks/bench_engine.py [--scenario FILE ...] [--households 2000] [--days 90]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import simpy

import sim

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = [str(ROOT / "scenarios" / "baseline.yaml"), str(ROOT / "scenarios" / "playbook.yaml")]


def bare_simpy_events_per_second(events: int = 300_000) -> float:
    """Return how many bare timeout events per second SimPy processes here."""

    def ticker(env: simpy.Environment, n: int):
        for _ in range(n):
            yield env.timeout(1.0)

    env = simpy.Environment()
    env.process(ticker(env, events))
    start = time.perf_counter()
    env.run()
    return events / (time.perf_counter() - start)


def measure(path: str, households: int, days: int, repeat: int, seed: int, bare: float) -> dict:
    """Time `repeat` replications of one scenario and return its figures."""
    scenario = sim.load_scenario(path, {"community.households": households, "horizon_days": days})
    walls, events = [], 0
    for k in range(repeat):
        start = time.perf_counter()
        result = sim.simulate(scenario, seed=seed + k)
        walls.append(time.perf_counter() - start)
        events = result.kpis["events"]
    wall = statistics.median(walls)
    return {
        "scenario": scenario.name,
        "households": households,
        "days": days,
        "events": events,
        "wall_seconds": round(wall, 4),
        "events_per_second": round(events / wall),
        "bare_simpy_events_per_second": round(bare),
        "ratio": round(events / wall / bare, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", nargs="+", default=DEFAULT_CASES)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bare = statistics.median(bare_simpy_events_per_second() for _ in range(3))
    cases = [measure(p, args.households, args.days, args.repeat, args.seed, bare) for p in args.scenario]
    print(json.dumps({**cases[0], "cases": {case["scenario"]: case for case in cases}}))


if __name__ == "__main__":
    main()
