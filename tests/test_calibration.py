"""Calibration against published collection rates, and where staged billing's advantage comes from.

Slow: full-size runs (2,000 households, 365 days).  Sizes come from pilots on
seed 100 (16 pairs each) through `tests/stats.py`.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import sim
from tests.paths import SCENARIOS
from tests.stats import above_zero, equivalent, pairs_for_equivalence, pairs_for_power

pytestmark = pytest.mark.slow

REPS = 8
# The three mechanisms the source document's V4 argument rests on: what owners
# perceive of their neighbours (the herd), negative talk, collectors' morale.
V4_MECHANISMS_OFF = {"herd.enabled": False, "sentiment.enabled": False, "team.morale.enabled": False}
# Staged billing also spreads the complaints a campaign surfaces over time, so a
# small crew keeps up with them (a fourth channel, see docs/model.md); an ample
# crew closes it for the ablation.
AMPLE_CREW = {"service.crew": 40}
# Pilot, ample crew: +0.30 point, spread of the pairs 0.39 -> claim 0.2 point.
AMPLE_PAIRS = pairs_for_power(0.002, 0.0039)
# Pilot, ample crew and the three mechanisms off: -0.10 point, spread 0.18.  Claimed null
# within 0.25 point (half the advantage on the defaults), 95% power at the pilot's -0.10.
ABLATION_MARGIN = 0.0025
ABLATED_PAIRS = pairs_for_equivalence(ABLATION_MARGIN, 0.0018, estimate=-0.0010)


@cache
def finals(name: str, reps: int = REPS, overrides: tuple[tuple[str, object], ...] = ()) -> list[float]:
    scenario = sim.load_scenario(SCENARIOS / name, dict(overrides))
    return sim.replicate(scenario, reps, seed=0, workers=2).kpi("final_paid_share")


def test_baseline_ends_near_the_national_average() -> None:
    # China's residential collection rates: 75-80% (evidence.md); the issue asks 0.72-0.82.
    summary = finals("baseline.yaml")
    mean = sum(summary) / len(summary)
    assert 0.72 <= mean <= 0.82, summary


def test_the_playbook_ends_where_well_run_companies_do() -> None:
    # Well-run companies collect about 90-95% of a year's fees within the year (an industry
    # benchmark without a primary source: docs/model.md section 30); the test allows 0.88-0.96.
    playbook = finals("playbook.yaml")
    assert 0.88 <= float(np.mean(playbook)) <= 0.96, playbook
    difference = above_zero(playbook, finals("baseline.yaml"))
    assert difference["ci_low"] > 0.1, difference


def test_staged_advantage_comes_from_perception_talk_and_morale() -> None:
    with_them = tuple(AMPLE_CREW.items())
    without = tuple({**AMPLE_CREW, **V4_MECHANISMS_OFF}.items())
    present = above_zero(
        finals("staged.yaml", AMPLE_PAIRS, with_them), finals("baseline.yaml", AMPLE_PAIRS, with_them)
    )
    assert present["ok"], present
    ablated = equivalent(
        finals("staged.yaml", ABLATED_PAIRS, without),
        finals("baseline.yaml", ABLATED_PAIRS, without),
        margin=ABLATION_MARGIN,
    )
    assert ablated["ok"], ablated
