"""Engine throughput: one scenario replication against a bare SimPy loop, in one process.

Prints one JSON object: households, days, events, wall seconds (median of
--repeat runs), events per second, bare SimPy timeout events per second and
the ratio of the two.  Run from the project root:

    python benchmarks/bench_engine.py [--scenario scenarios/baseline.yaml] [--days 90]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scenario = sim.load_scenario(
        args.scenario, {"community.households": args.households, "horizon_days": args.days}
    )
    walls, events = [], 0
    for k in range(args.repeat):
        start = time.perf_counter()
        result = sim.simulate(scenario, seed=args.seed + k)
        walls.append(time.perf_counter() - start)
        events = result.kpis["events"]
    wall = statistics.median(walls)
    bare = statistics.median(bare_simpy_events_per_second() for _ in range(3))
    model = events / wall
    print(
        json.dumps(
            {
                "scenario": scenario.name,
                "households": args.households,
                "days": args.days,
                "events": events,
                "wall_seconds": round(wall, 4),
                "events_per_second": round(model),
                "bare_simpy_events_per_second": round(bare),
                "ratio": round(model / bare, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
