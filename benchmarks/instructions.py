"""Instructions one replication executes, counted by valgrind: a figure the machine's other load cannot move.

Wall times on a shared machine vary by a third from minute to minute; the
number of machine instructions a replication executes does not (the same
to a few parts in ten thousand from run to run with a fixed hash seed).  Use
it to compare two versions of the code: a change that saves 3% of the
instructions saves about 3% of the time, where timing alone could not tell.

It counts the code of the tree it is in, whichever copy is installed: run
`python OTHER_TREE/benchmarks/instructions.py` for the other version.

Runs one replication (scenario construction and run, no result tables)
under `valgrind --tool=callgrind`, counting only while the run is on the
stack (it is called through `functools.reduce`, which the model never
calls), and prints one JSON object.  Needs valgrind (Debian: `apt install
valgrind`); takes about a minute for 2,000 households x 90 days.  Run from
the project root:

    python benchmarks/instructions.py [--scenario FILE] [--households 2000] [--days 90] [--seed 0] [--scaled]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bench_scale import add_run_arguments, size_overrides  # beside this script

ROOT = Path(__file__).resolve().parent.parent
MARK = "functools_reduce"  # the C function the run is called through: counting is on inside it


def run_inside(args: argparse.Namespace) -> int:
    """Run one replication, called through functools.reduce; return its event count."""
    sys.path.insert(0, str(ROOT))  # the code of this tree, whichever is installed: to compare two trees
    from sim.campaign import Campaign
    from sim.rng import as_seed_sequence
    from sim.scenario.load import load_scenario

    overrides = size_overrides(args.scenario, args.households, args.days, args.scaled)
    scenario = load_scenario(args.scenario, overrides)
    campaign = functools.reduce(lambda _, s: Campaign(scenario, as_seed_sequence(s)).run(), [args.seed], None)
    return campaign.env.processed


def count(args: argparse.Namespace) -> dict:
    """Run this script under callgrind for one replication and return its figures."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--collect-atstart=no",
        f"--toggle-collect={MARK}",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--inside",
        f"--scenario={args.scenario}",
        f"--households={args.households}",
        f"--days={args.days}",
        f"--seed={args.seed}",
        *(["--scaled"] if args.scaled else []),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # fixed string hashes: the same dictionary probes each run
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    collected = re.search(r"Collected : (\d+)", done.stderr)
    events = re.search(r"^events (\d+)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or collected is None or events is None:
        raise SystemExit(f"valgrind run failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return {
        "scenario": Path(args.scenario).stem,
        "households": args.households,
        "days": args.days,
        "seed": args.seed,
        "scaled": args.scaled,
        "events": int(events.group(1)),
        "instructions": int(collected.group(1)),
        "instructions_per_event": round(int(collected.group(1)) / int(events.group(1))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)  # internal: the counted run
    args = parser.parse_args()
    if args.inside:
        print(f"events {run_inside(args)}")
        return
    if shutil.which("valgrind") is None:
        print("instructions.py needs valgrind on the PATH (Debian: apt install valgrind).", file=sys.stderr)
        raise SystemExit(2)
    print(json.dumps(count(args)))


if __name__ == "__main__":
    main()
