"""Where one replication spends its time: cProfile's top entries and the time by kind of event.

Runs one replication of a scenario twice after a warm-up: once under cProfile
(top functions by their own time) and once with a clock around every event's
callbacks (wall time and count by kind of event: which callback, or which
process resumed).  Prints one JSON object.  Run from the project root:

    python benchmarks/profile_run.py [--scenario FILE] [--households 2000] [--days 90] [--top 15] [--scaled]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import time
from collections import Counter
from pathlib import Path

from bench_scale import add_run_arguments, size_overrides, warm_up  # beside this script

import sim
from sim.campaign import Campaign
from sim.rng import as_seed_sequence

ROOT = Path(__file__).resolve().parent.parent


def top_functions(scenario: sim.Scenario, seed: int, top: int) -> dict:
    """Return cProfile's `top` functions by own time for one replication."""
    profiler = cProfile.Profile()
    profiler.enable()
    sim.simulate(scenario, seed=seed)
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return {
        "total_seconds": round(stats.total_tt, 3),
        "top": [
            {
                "function": f"{Path(file).name}:{line}({name})",
                "calls": calls,
                "own_seconds": round(own, 4),
                "cumulative_seconds": round(cumulative, 4),
            }
            for (file, line, name), (_, calls, own, cumulative, _) in rows
        ],
    }


def event_kind(callbacks: list) -> str:
    """Name an event by its first callback (the generator's name for a resumed process)."""
    # a lane's own step comes first in its timers: name them by the callback after it
    callbacks = [c for c in callbacks if getattr(c, "__qualname__", "") != "Lane._advance"]
    if not callbacks:
        return "no callback"
    first = callbacks[0]
    owner = getattr(first, "__self__", None)
    generator = getattr(owner, "_generator", None)
    if generator is not None:
        return f"resume {generator.__qualname__}"
    return getattr(first, "__qualname__", type(first).__name__)


def time_by_event_kind(scenario: sim.Scenario, seed: int) -> dict:
    """Run one replication with a clock around each event and return the time by kind."""
    campaign = Campaign(scenario, as_seed_sequence(seed))
    engine = campaign.env
    seconds: Counter[str] = Counter()
    counts: Counter[str] = Counter()

    run_to_end = engine.run_until

    def run_until(until: float) -> None:  # the engine's own steps, with a clock around each
        queue = engine._queue
        while engine.peek() < until:
            kind = event_kind(queue[0][3].callbacks)
            start = time.perf_counter()
            engine.step()
            seconds[kind] += time.perf_counter() - start
            counts[kind] += 1
        run_to_end(until)  # nothing left before `until`: stands the clock there

    engine.run_until = run_until  # type: ignore[method-assign]
    start = time.perf_counter()
    campaign.run()
    wall = time.perf_counter() - start
    return {
        "wall_seconds": round(wall, 3),
        "events": sum(counts.values()),
        "kinds": [
            {
                "kind": kind,
                "events": counts[kind],
                "seconds": round(spent, 4),
                "share": round(spent / wall, 3),
                "microseconds_per_event": round(spent / counts[kind] * 1e6, 1),
            }
            for kind, spent in seconds.most_common()
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser)
    parser.add_argument("--top", type=int, default=15, help="cProfile's top functions (0: no cProfile run)")
    args = parser.parse_args()
    scenario = sim.load_scenario(
        args.scenario, size_overrides(args.scenario, args.households, args.days, args.scaled)
    )
    warm_up(args.scenario, args.seed)
    report = {"scenario": scenario.name, "households": args.households, "days": args.days}
    if args.top > 0:
        report["profile"] = top_functions(scenario, args.seed, args.top)
    report["by_event_kind"] = time_by_event_kind(scenario, args.seed)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
