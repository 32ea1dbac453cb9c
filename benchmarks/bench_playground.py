"""The playground under a classroom: how long a page waits for a run, alone and with every team at once.

Starts ``feesim playground`` (a subprocess, on a free loopback port) and times,
over HTTP as a browser would:

- ``single_run_seconds``: one page's run (the page's community, 4 replications,
  a seed not run before), median of --repeat;
- ``cached_run_seconds``: the same run again (the queue reuses its replications);
- ``burst``: --teams plans submitted at once (each team a different tactic) and
  as many page runs at once (each a different seed): each run's wait (median,
  90th percentile, maximum) and the seconds until the leaderboard has every
  plan evaluated.

Prints one JSON object.  Run from the project root:

    python benchmarks/bench_playground.py [--workers 2] [--teams 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

PAGE = {"community.households": 300, "horizon_days": 120, "team.collectors": 1}
"""The page's starting community (sim.playground.levers.PAGE_DEFAULTS)."""


def _call(base: str, path: str, body: object = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(workers: int, folder: Path) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    command = [sys.executable, "-m", "sim", "playground", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen([*command, "--out", str(folder)], stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _call(base, "/api/health")
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the playground did not start")


def _timed_run(base: str, seed: int, overrides: dict[str, Any] | None = None) -> float:
    started = time.perf_counter()
    _call(
        base,
        "/api/run",
        {"scenario": "baseline", "overrides": {**PAGE, **(overrides or {})}, "reps": 4, "seed": seed},
    )
    return time.perf_counter() - started


def _burst(base: str, teams: int, tactics: list[dict[str, Any]]) -> dict[str, Any]:
    code = _call(base, "/api/challenges", {"budget": 5000, "reps": 10, "seed": 1})["code"]
    barrier = threading.Barrier(2 * teams)

    def plan(team: int) -> float:
        barrier.wait()
        started = time.perf_counter()
        body = {"team": f"team {team}", "overrides": tactics[team % len(tactics)]}
        _call(base, f"/api/challenges/{code}/plans", body)
        return time.perf_counter() - started

    def run(page: int) -> float:
        barrier.wait()
        return _timed_run(base, 1000 + page)

    started = time.perf_counter()
    with ThreadPoolExecutor(2 * teams) as pool:
        plans = [pool.submit(plan, team) for team in range(teams)]
        runs = [pool.submit(run, page) for page in range(teams)]
        waits = sorted(future.result() for future in runs)
        submissions = [future.result() for future in plans]
    board = _call(base, f"/api/challenges/{code}/leaderboard")
    assert board["evaluating"] == 0 and len(board["rows"]) == teams, board
    return {
        "teams": teams,
        "run_wait_median_seconds": statistics.median(waits),
        "run_wait_p90_seconds": waits[int(0.9 * (len(waits) - 1))],
        "run_wait_max_seconds": waits[-1],
        "plan_submission_max_seconds": max(submissions),
        "leaderboard_ready_seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sim.playground.levers import switches

    tactics = [dict(switch.overrides) for switch in switches()]
    with tempfile.TemporaryDirectory() as folder:
        server, base = _serve(args.workers, Path(folder))
        try:
            _timed_run(base, 0)  # the workers' first replication imports the engine
            single = [_timed_run(base, seed) for seed in range(1, args.repeat + 1)]
            cached = [_timed_run(base, seed) for seed in range(1, args.repeat + 1)]
            burst = _burst(base, args.teams, tactics)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    print(
        json.dumps(
            {
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "workers": args.workers,
                "single_run_seconds": statistics.median(single),
                "cached_run_seconds": statistics.median(cached),
                "burst": burst,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
