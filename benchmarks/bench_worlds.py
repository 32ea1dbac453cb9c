"""Worlds throughput: the wall time of ``feesim compare baseline playbook --worlds N --reps R``.

Runs the command as a user would (a fresh process: sampling the worlds, validating each
variant in each world, the runs on ``--workers`` processes, streaming, the robust answers
and the output files) at ``--households`` and ``--days``, and prints one JSON object: the
command, ``runs`` (worlds x variants x replications), the wall ``seconds``,
``runs_per_second`` and ``seconds_per_run`` (per worker: wall x workers / runs), and the
machine's load average before and after (other work on the machine skews the figures).
On a busy machine the wall time says little about a free one, so the script also times
one replication of each variant in this process (CPU seconds, ``cpu_seconds_per_run``)
and gives ``runs_seconds_on_free_cores``: the runs' CPU time spread over the workers, an
estimate of the wall time on free cores without the fixed costs (start, pool, files).
The issue's case, within 5 minutes on 2 cores, is the default; on a busy machine time a
smaller one (``--worlds 4``) and scale ``seconds`` by the runs.  Run from the project root:

    python benchmarks/bench_worlds.py [--worlds 32] [--reps 8] [--households 2000] [--days 365]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("baseline", "playbook")


def command(args: argparse.Namespace, out: Path) -> list[str]:
    """Return the ``feesim compare`` command the benchmark times."""
    files = [str(ROOT / "scenarios" / f"{name}.yaml") for name in VARIANTS]
    sizes = [f"community.households={args.households}", f"horizon_days={args.days}"]
    return [
        *("compare", *files, "--worlds", str(args.worlds), "--reps", str(args.reps)),
        *(part for size in sizes for part in ("--set", size)),
        *("--workers", str(args.workers), "--seed", str(args.seed), "--out", str(out), "--json"),
    ]


def cpu_seconds_per_run(args: argparse.Namespace) -> float:
    """Return the mean CPU seconds of one replication of each variant at the benchmark's size."""
    from sim.api import simulate
    from sim.scenario import load_scenario

    sizes = {"community.households": args.households, "horizon_days": args.days}
    seconds = []
    for name in VARIANTS:
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", sizes)
        start = time.process_time()
        simulate(scenario, args.seed)
        seconds.append(time.process_time() - start)
    return sum(seconds) / len(seconds)


def main() -> None:
    """Time one run of the command and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=32)
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    runs = args.worlds * len(VARIANTS) * args.reps
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        argv = command(args, Path(tmp) / "out")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "sim", *argv], cwd=tmp, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed ({done.returncode}): {done.stderr}")
    cpu = cpu_seconds_per_run(args)
    figures = {
        "command": "feesim " + " ".join(argv[:1] + list(VARIANTS) + argv[3:-3]),
        "runs": runs,
        "seconds": round(seconds, 2),
        "runs_per_second": round(runs / seconds, 3),
        "seconds_per_run": round(seconds * args.workers / runs, 3),
        "cpu_seconds_per_run": round(cpu, 3),
        "runs_seconds_on_free_cores": round(runs * cpu / args.workers, 1),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
