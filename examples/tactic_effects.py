"""Each tactic alone against the baseline, on common random numbers: effect, staff hours, power.

For every tactic file in `scenarios/tactics/` (and the playbook and staged
billing), runs the tactic and the baseline on the same replication seeds and
prints, per tactic: the paired difference of the year-end household paid
share (mean and 95% interval, percentage points), the difference in staff
hours (the tactic's own paid hours: shifts, companions, clerks), the effect
per 1,000 extra staff hours when it costs any, and the spread of the paired
differences with the number of pairs a test needs for 95% power at the
measured effect (two-sided 5%: n = ((1.96 + 1.64) sd / effect)^2, the normal
approximation; `tests/stats.py` sizes the tests from the t distribution).

    python examples/tactic_effects.py --reps 24 --workers 2            # the default community
    python examples/tactic_effects.py --reps 4 --households 200 --days 60
    python examples/tactic_effects.py --reps 16 --set community.households=1000 --set team.collectors=2
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import yaml

import sim
from sim.compare import paired_difference
from sim.scenario.catalogue import TACTICS

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
Z_POWER = 1.959964 + 1.644854  # two-sided 5% test, 95% power


def finals(
    path: Path, overrides: dict, reps: int, seed: int, workers: int
) -> tuple[list[float], list[float]]:
    """Return the year-end paid share and staff hours of every replication."""
    runs = sim.replicate(sim.load_scenario(path, overrides), reps, seed=seed, workers=workers)
    return [float(v) for v in runs.curve("paid_share")[:, -1]], [float(v) for v in runs.kpi("staff_hours")]


def pairs_for_power(effect: float, sd: float) -> int | None:
    """Return the pairs a two-sided 5% paired test needs for 95% power at `effect` (None for no effect)."""
    return None if effect == 0 else max(2, math.ceil((Z_POWER * sd / abs(effect)) ** 2))


def row(name: str, tactic: tuple[list[float], list[float]], base: tuple[list[float], list[float]]) -> str:
    """Return one table row: effect, interval, staff hours, effect per 1,000 hours, sd, pairs for power."""
    diff = paired_difference(tactic[0], base[0])
    sd = float(np.std(np.subtract(tactic[0], base[0]), ddof=1))
    hours = float(np.mean(tactic[1]) - np.mean(base[1]))
    per_hours = f"{diff['mean'] * 100 / hours * 1000:+.2f}" if hours > 1.0 else "-"
    need = pairs_for_power(diff["mean"], sd)
    return (
        f"| {name} | {diff['mean'] * 100:+.2f} | [{diff['ci_low'] * 100:+.2f}, {diff['ci_high'] * 100:+.2f}] "
        f"| {hours:+,.0f} | {per_hours} | {sd * 100:.2f} | {need if need is not None else '-'} |"
    )


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--households", type=int, default=None)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a scenario key"
    )
    args = parser.parse_args()
    overrides: dict = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.set)}
    if args.households:
        overrides.update(
            {"community.households": args.households, "community.buildings": max(1, args.households // 100)}
        )
    if args.days:
        overrides["horizon_days"] = args.days
    base = finals(SCENARIOS / "baseline.yaml", overrides, args.reps, args.seed, args.workers)
    share, hours = np.mean(base[0]), np.mean(base[1])
    print(f"baseline: year-end paid share {share:.4f}, staff hours {hours:,.0f}, {args.reps} reps")
    print(
        "| tactic | effect (pp) | 95% interval | staff hours | pp per 1,000 h | sd (pp) | pairs for power |"
    )
    print("|---|---|---|---|---|---|---|")
    files = [(t.name, SCENARIOS / "tactics" / f"{t.name}.yaml") for t in TACTICS]
    files += [("staged (file)", SCENARIOS / "staged.yaml"), ("playbook", SCENARIOS / "playbook.yaml")]
    for name, path in files:
        print(row(name, finals(path, overrides, args.reps, args.seed, args.workers), base), flush=True)


if __name__ == "__main__":
    main()
