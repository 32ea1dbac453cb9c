"""Replicating to a precision target: batches until the CI half-width is small enough."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.precision import Target, half_width, replicate_until, replicate_variants_until
from tests.paths import SCENARIOS

SMALL = {"community.households": 150, "community.buildings": 3, "horizon_days": 30}


def test_stops_once_precise_and_equals_a_plain_run() -> None:
    scenario = sim.load_scenario(SCENARIOS / "baseline.yaml", SMALL)
    target = Target(half_width=0.02, batch=4, max_reps=40)
    reps = replicate_until(scenario, 3, target)
    assert len(reps) % 4 == 0 and len(reps) <= 40
    assert half_width(reps.results, "final_paid_share") <= 0.02 or len(reps) == 40
    # one batch fewer was not precise enough
    if len(reps) > 4:
        assert half_width(reps.results[: len(reps) - 4], "final_paid_share") > 0.02
    plain = sim.replicate(scenario, len(reps), seed=3)
    for a, b in zip(reps, plain, strict=True):
        pd.testing.assert_frame_equal(a.daily, b.daily)


def test_gives_up_at_the_maximum() -> None:
    scenario = sim.load_scenario(SCENARIOS / "baseline.yaml", SMALL)
    reps = replicate_until(scenario, 0, Target(half_width=1e-9, batch=2, max_reps=6))
    assert len(reps) == 6


def test_variants_share_seeds_and_count() -> None:
    names = ("baseline.yaml", "staged.yaml")
    scenarios = {n: sim.load_scenario(SCENARIOS / n, SMALL) for n in names}
    runs = replicate_variants_until(scenarios, 1, Target(half_width=0.03, batch=3, max_reps=12))
    assert len({len(r) for r in runs.values()}) == 1
    assert (
        all(half_width(r.results, "final_paid_share") <= 0.03 for r in runs.values())
        or len(runs[names[0]]) == 12
    )


@pytest.mark.parametrize("bad", [{"half_width": 0.0}, {"half_width": 0.01, "batch": 1}])
def test_rejects_bad_targets(bad: dict) -> None:
    with pytest.raises(ValueError):
        Target(**bad)
