"""``feesim plan`` picks the best plan, or one within the indifference zone, in at least 90% of seeds.

Slowest (about five minutes on 2 cores): run by hand with `pytest -m slowest`.
The space: 1 to 3 collectors, bulk or staged
billing (six plans) for 300 households over 90 days; the objective the final
paid share, δ = 1 pp, confidence 0.95.

The truth is found here by brute force: every plan on the same 120 replications
(seeds 1000 and up, apart from the searches'), its mean final paid share known
to about ±0.3 pp (standard error measured below).  A plan counts as correct
when its true mean is at least the best's minus δ, less two standard errors of
the paired difference (so a plan the brute force cannot tell from the edge of
the zone is not held against the search).

Then 20 searches on independent seeds (0-19).  The procedure promises a correct
choice with probability at least 0.95 when the best is δ better than the rest,
and any plan within δ is acceptable otherwise; the issue asks for 90%.  With 20
seeds, a true rate of 95% gives 18 or more correct with probability 0.92, so
the test asks for 18 (90%).  Measured when this was written: 20 of 20 correct
(3 collectors staged 10 times, 2 staged 9, 3 bulk once; true means 74.2% to
75.9%), 65 to 259 runs a search.  The space is easy: five of its six plans lie
within the zone, so this test catches a broken procedure (one that keeps the
1-collector bulk plan, 1.7 pp behind), not a slightly weak one; the selection's
own rate in the least favourable configuration is tests/test_plan_selection.py's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app
from tests.paths import SCENARIOS

pytestmark = pytest.mark.slowest

DELTA = 0.01
TRUTH_REPS = 120
SEARCHES = 20
SPACE = {
    "base": str(SCENARIOS / "baseline.yaml"),
    "overrides": {"community.households": 300, "community.buildings": 3, "horizon_days": 90},
    "levers": {
        "team.collectors": {"values": [1, 2, 3]},
        "strategy.billing.mode": {"values": ["bulk", "staged"]},
    },
    "objective": {"maximise": "final_paid_share"},
    "indifference_pp": 100 * DELTA,
    "confidence": 0.95,
}


def truth(folder: Path) -> tuple[dict[tuple, float], dict[tuple, float]]:
    """Return each plan's mean paid share (TRUTH_REPS replications) and the s.e. of its gap to the best."""
    experiment = {
        "name": "truth",
        **{k: SPACE[k] for k in ("base", "overrides", "levers")},
        "design": {"type": "grid"},
        "replications": TRUTH_REPS,
        "outcomes": ["final_paid_share"],
        "seed": 1000,
    }
    path = folder / "truth.yaml"
    path.write_text(yaml.safe_dump(experiment), encoding="utf-8")
    done = CliRunner().invoke(app, ["sweep", str(path), "--out", str(folder / "truth"), "--workers", "2"])
    assert done.exit_code == 0, done.output
    import pandas as pd

    runs = pd.read_parquet(folder / "truth" / "results.parquet")
    wide = runs.pivot_table(
        index="replication", columns=["team.collectors", "strategy.billing.mode"], values="value"
    )
    means = wide.mean()
    best = means.idxmax()
    error = (wide.sub(wide[best], axis=0)).std(ddof=1) / np.sqrt(len(wide))
    key = lambda c: (int(c[0]), str(c[1]))  # noqa: E731
    return {key(c): float(v) for c, v in means.items()}, {key(c): float(v) for c, v in error.items()}


def test_the_search_chooses_a_plan_within_the_zone_in_at_least_90_percent_of_seeds(tmp_path: Path) -> None:
    means, errors = truth(tmp_path)
    best = max(means.values())
    correct = {plan for plan, mean in means.items() if mean >= best - DELTA - 2 * errors[plan]}
    assert len(correct) < len(means), ("every plan is within the zone: the test would prove nothing", means)
    chosen = []
    for seed in range(SEARCHES):
        path = tmp_path / f"search{seed}.yaml"
        path.write_text(yaml.safe_dump({"name": f"s{seed}", **SPACE, "seed": seed}), encoding="utf-8")
        out = tmp_path / f"out{seed}"
        done = CliRunner().invoke(app, ["plan", str(path), "--out", str(out), "--workers", "2"])
        assert done.exit_code == 0, done.output
        levers = json.loads((out / "plan.json").read_text(encoding="utf-8"))["recommended"]["levers"]
        chosen.append((int(levers["team.collectors"]), str(levers["strategy.billing.mode"])))
    rate = np.mean([plan in correct for plan in chosen])
    assert rate >= 0.9, (rate, chosen, means, correct)
