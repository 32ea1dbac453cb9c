"""Engine throughput: scenario replications against a bare SimPy loop, in one process.

Prints one JSON object.  Its top-level keys describe the first case (by
default the baseline): households, days, events, wall seconds (median of
--repeat runs), events per second, bare SimPy timeout events per second and
the ratio of the two; `cases` holds the same figures for every case (by
default the baseline and the playbook).  Two bare references: one process
ticking (`bare_simpy_events_per_second`, `ratio`) and a crowd of 2,000
processes waiting at once, a queue as deep as the model's
(`bare_simpy_crowd_events_per_second`, `ratio_to_crowd`).  On a shared
machine whose speed drifts, the `_paired` ratios are steadier: each
replication is set against a short bare run timed just before it, and the
median of those ratios is given.

Where a model event's time goes: `engine_crowd_events_per_second` runs the
same crowd through the model's own event loop (`Engine.call_later` timers
whose callbacks only set the next one, as a campaign runs), so
`event_loop_microseconds` is what scheduling and dispatching cost per event
and `model_microseconds` the rest, the model's own work;
`ratio_to_crowd_if_loop_were_free` is the ratio to the crowd that an event
loop costing nothing would give.  These three come from one replication, the
one with the median wall time (`split_replication`, the lower middle one for
an even --repeat), and the loop and crowd runs timed just before it, so the
two parts add up to its time per event.  Run from the project root:

    python benchmarks/bench_engine.py [--scenario FILE ...] [--households 2000] [--days 90]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import statistics
import time
from pathlib import Path

import simpy

import sim
from sim.engine import Engine, Timer, cyclic_gc_paused

ROOT = Path(__file__).resolve().parent.parent
PAIRED_EVENTS = 100_000  # events of the bare run timed right before each replication
DEFAULT_CASES = [str(ROOT / "scenarios" / "baseline.yaml"), str(ROOT / "scenarios" / "playbook.yaml")]


def bare_simpy_events_per_second(events: int = 300_000) -> float:
    """Return bare timeout events per second SimPy processes here (one process, one pending event)."""

    def ticker(env: simpy.Environment, n: int):
        for _ in range(n):
            yield env.timeout(1.0)

    env = simpy.Environment()
    env.process(ticker(env, events))
    start = time.perf_counter()
    env.run()
    return events / (time.perf_counter() - start)


def bare_simpy_crowd_events_per_second(processes: int = 2000, events: int = 300_000) -> float:
    """Return bare timeout events per second with `processes` processes waiting at once.

    The model keeps thousands of events pending (one clock per owner,
    notices, pulses), so its queue is as deep as this crowd's, not one event
    deep as in the single ticker.
    """
    rng = random.Random(0)

    def waiter(env: simpy.Environment, n: int):
        for _ in range(n):
            yield env.timeout(rng.expovariate(1.0))

    env = simpy.Environment()
    for _ in range(processes):
        env.process(waiter(env, events // processes))
    start = time.perf_counter()
    env.run()
    return processes * (events // processes) / (time.perf_counter() - start)


def engine_crowd_events_per_second(processes: int = 2000, events: int = 300_000) -> float:
    """Return events per second of the model's event loop on the bare crowd's events.

    The same waits as `bare_simpy_crowd_events_per_second`, as timers whose
    callbacks only set the next one, run as a campaign runs (cycle collector
    paused): the cost of the event loop alone, at the model's queue depth.
    """
    rng = random.Random(0)
    env = Engine()
    per_process = events // processes
    left = [per_process] * processes

    def tick(timer: Timer) -> None:
        waiter = timer.value
        left[waiter] -= 1
        if left[waiter]:
            env.call_later(rng.expovariate(1.0), tick, waiter)

    for waiter in range(processes):
        env.call_later(rng.expovariate(1.0), tick, waiter)
    with cyclic_gc_paused():
        start = time.perf_counter()
        env.run_until(math.inf)
        elapsed = time.perf_counter() - start
    return processes * per_process / elapsed


def measure(path: str, households: int, days: int, repeat: int, seed: int, bare: dict[str, float]) -> dict:
    """Time `repeat` replications of one scenario and return its figures."""
    scenario = sim.load_scenario(path, {"community.households": households, "horizon_days": days})
    sim.simulate(scenario, seed=seed + repeat)  # first-call costs are not the model's
    walls, events_all, splits = [], [], []
    paired: dict[str, list[float]] = {"ticker": [], "crowd": []}
    for k in range(repeat):
        # a short bare run right before each replication: the pair sees the same spell of the machine
        just_before = {
            "ticker": bare_simpy_events_per_second(PAIRED_EVENTS),
            "crowd": bare_simpy_crowd_events_per_second(events=PAIRED_EVENTS),
        }
        loop_rate = engine_crowd_events_per_second(events=PAIRED_EVENTS)
        start = time.perf_counter()
        result = sim.simulate(scenario, seed=seed + k)
        walls.append(time.perf_counter() - start)
        events = result.kpis["events"]
        events_all.append(events)
        for reference, bare_rate in just_before.items():
            paired[reference].append(events / walls[-1] / bare_rate)
        splits.append(_split(walls[-1] / events, loop_rate, just_before["crowd"]))
    wall = statistics.median(walls)
    rate = events / wall
    middle = sorted(range(repeat), key=walls.__getitem__)[(repeat - 1) // 2]
    loop, model, bound = splits[middle]
    return {
        "scenario": scenario.name,
        "households": households,
        "days": days,
        "events": events,
        "wall_seconds": round(wall, 4),
        "wall_seconds_all": [round(w, 4) for w in walls],
        "events_per_second": round(rate),
        "bare_simpy_events_per_second": round(bare["ticker"]),
        "ratio": round(rate / bare["ticker"], 3),
        "bare_simpy_crowd_events_per_second": round(bare["crowd"]),
        "ratio_to_crowd": round(rate / bare["crowd"], 3),
        "ratio_paired": round(statistics.median(paired["ticker"]), 3),
        "ratio_to_crowd_paired": round(statistics.median(paired["crowd"]), 3),
        "ratio_to_crowd_paired_all": [round(r, 3) for r in paired["crowd"]],
        "events_all": events_all,
        "engine_crowd_events_per_second": round(bare["loop"]),
        "split_replication": middle,
        "event_loop_microseconds": round(loop, 2),
        "model_microseconds": round(model, 2),
        "ratio_to_crowd_if_loop_were_free": round(bound, 3) if bound is not None else None,
    }


def _split(
    seconds_per_event: float, loop_rate: float, crowd_rate: float
) -> tuple[float, float, float | None]:
    """Split a model event's cost: (event loop µs, model µs, ratio to the crowd if the loop were free).

    The ratio is None if the loop alone took as long as the model's event (a machine too noisy to tell).
    """
    loop = 1e6 / loop_rate
    model = seconds_per_event * 1e6 - loop
    return loop, model, 1e6 / crowd_rate / model if model > 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", nargs="+", default=DEFAULT_CASES)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    bare = {
        "ticker": statistics.median(bare_simpy_events_per_second() for _ in range(3)),
        "crowd": statistics.median(bare_simpy_crowd_events_per_second() for _ in range(3)),
        "loop": statistics.median(engine_crowd_events_per_second() for _ in range(3)),
    }
    cases = [measure(p, args.households, args.days, args.repeat, args.seed, bare) for p in args.scenario]
    machine = {"python": platform.python_version(), "simpy": simpy.__version__, "cpu": platform.processor()}
    print(json.dumps({**cases[0], "cases": {case["scenario"]: case for case in cases}, "machine": machine}))


if __name__ == "__main__":
    main()
