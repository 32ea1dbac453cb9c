"""Plan search: runs used by `feesim plan` against an equal-replication search with the same guarantee.

Runs a search file (default: the shipped experiments/plan_budget.yaml, 256 plans of
a 2,000-household, 180-day campaign) with ``feesim plan`` and prints one JSON
object: ``candidates``, ``survivors_of_screening``, ``evaluated_runs`` (what
screening and the sequential selection used), ``naive_equal_replication_runs``
(every plan given the replications the noisiest pair of plans needs in a two-stage
procedure with the same confidence and indifference zone, no plan dropped early:
Clark and Yang 1986), their ``ratio``, the ``wall_seconds`` of the whole command and
the recommended plan.  ``--households`` and ``--days`` shrink the community for a
quick look.  Run from the project root:

    python benchmarks/bench_plan.py [--search FILE] [--households N] [--days D] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEARCH = ROOT / "experiments" / "plan_budget.yaml"


def search_file(folder: Path, search: Path, households: int | None, days: int | None) -> Path:
    """Write the search with an absolute base (and a smaller community if asked) into `folder`."""
    data = yaml.safe_load(search.read_text(encoding="utf-8"))
    data["base"] = str((search.parent / data["base"]).resolve())
    overrides = dict(data.get("overrides") or {})
    if households is not None:
        overrides["community.households"] = households
        overrides["community.buildings"] = max(1, households // 100)
    if days is not None:
        overrides["horizon_days"] = days
    data["overrides"] = overrides
    path = folder / search.name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    """Run the search once and print the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", type=Path, default=SEARCH)
    parser.add_argument("--households", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        path = search_file(folder, args.search, args.households, args.days)
        started = time.perf_counter()
        command = [sys.executable, "-m", "sim", "plan", str(path), "--out", str(folder / "out")]
        subprocess.run([*command, "--workers", str(args.workers)], check=True, capture_output=True, cwd=ROOT)
        wall = time.perf_counter() - started
        found = json.loads((folder / "out" / "plan.json").read_text(encoding="utf-8"))
    naive = found["naive_equal_replication_runs"]
    print(
        json.dumps(
            {
                "search": str(args.search),
                "candidates": found["candidates"],
                "survivors_of_screening": found["survivors_of_screening"],
                "evaluated_runs": found["evaluated_runs"],
                "naive_equal_replication_runs": naive,
                "ratio": round(found["evaluated_runs"] / naive, 3),
                "wall_seconds": round(wall, 1),
                "workers": args.workers,
                "recommended": found["recommended"]["labels"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
