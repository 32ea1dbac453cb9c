"""Calibration of the defaults, and where staged billing's advantage comes from.

Slow: full-size runs (2,000 households, 365 days).
"""

from __future__ import annotations

from functools import cache

import pytest

import sim
from sim.compare import paired_difference
from tests.paths import SCENARIOS

pytestmark = pytest.mark.slow

REPS = 8
# The three mechanisms the source document's V4 argument rests on: what owners
# perceive of their neighbours (the herd), negative talk, collectors' morale.
V4_MECHANISMS_OFF = {"herd.enabled": False, "sentiment.enabled": False, "team.morale.enabled": False}
# Staged billing also spreads the complaints a campaign surfaces over time, so a
# small crew keeps up with them (a fourth channel, see docs/model.md); an ample
# crew closes it for the ablation.
AMPLE_CREW = {"service.crew": 40}


@cache
def finals(name: str, overrides: tuple[tuple[str, object], ...] = ()) -> list[float]:
    scenario = sim.load_scenario(SCENARIOS / name, dict(overrides))
    return sim.replicate(scenario, REPS, seed=0).kpi("final_paid_share")


def test_baseline_ends_near_the_national_average() -> None:
    # China's residential collection rates: 75-80% (evidence.md); the issue asks 0.72-0.82.
    summary = finals("baseline.yaml")
    mean = sum(summary) / len(summary)
    assert 0.72 <= mean <= 0.82, summary


def test_playbook_collects_clearly_more() -> None:
    difference = paired_difference(finals("playbook.yaml"), finals("baseline.yaml"))
    assert difference["ci_low"] > 0.1, difference


def test_staged_billing_beats_bulk_on_the_defaults() -> None:
    difference = paired_difference(finals("staged.yaml"), finals("baseline.yaml"))
    assert difference["ci_low"] > 0, difference


def test_staged_advantage_comes_from_perception_talk_and_morale() -> None:
    with_them = tuple(AMPLE_CREW.items())
    without = tuple({**AMPLE_CREW, **V4_MECHANISMS_OFF}.items())
    present = paired_difference(finals("staged.yaml", with_them), finals("baseline.yaml", with_them))
    assert present["ci_low"] > 0, present
    ablated = paired_difference(finals("staged.yaml", without), finals("baseline.yaml", without))
    assert ablated["ci_low"] <= 0 <= ablated["ci_high"], ablated
