"""Collector morale (T1, T3, P1): update rules, a loop that cannot run away, a strained but working team."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.choice import Context, OutcomeModel
from sim.scenario.schema import Scenario
from sim.team import morale_loop_gain_bound
from tests.paths import SCENARIOS


def _team(overrides: dict | None = None):
    from sim.campaign import Campaign

    scenario = Scenario.model_validate(
        {"community": {"households": 50, "buildings": 1}, "horizon_days": 10, **(overrides or {})}
    )
    return Campaign(scenario, 0).team


def test_a_rebuff_closes_a_share_of_the_distance_to_the_floor() -> None:
    team = _team({"team": {"morale": {"skill_sd": 0.0}}})
    floor, loss = team.floor, team.refusal_loss
    team.after_outcome(0, "refuses", 0.0)
    assert team.morale(0, 0.0) == pytest.approx(1.0 - loss * (1.0 - floor))
    before = team.morale(0, 0.0)
    team.after_outcome(0, "hostile", 0.0)
    assert team.morale(0, 0.0) == pytest.approx(before - team.hostile_loss * (before - floor))
    before = team.morale(0, 0.0)
    team.after_outcome(0, "pays_now", 0.0)
    assert team.morale(0, 0.0) == pytest.approx(before + team.payment_gain * (1.0 - before))
    # and recovers toward 1 at the recovery rate per day
    gap = 1.0 - team.morale(0, 0.0)
    assert 1.0 - team.morale(0, 48.0) == pytest.approx(gap * math.exp(-2 * team.recovery))


def test_no_run_of_rebuffs_pushes_morale_below_the_floor() -> None:
    team = _team()
    for k in range(10_000):
        team.after_outcome(1, "hostile", k * 1e-6)
    assert team.floor <= team.morale(1, 0.01) < team.floor + 1e-6


def test_calm_listening_scales_the_losses() -> None:
    calm = _team(
        {"strategy": {"conduct": {"calm_listening": True}}, "team": {"morale": {"calm_loss_factor": 0.25}}}
    )
    plain = _team()
    assert calm.hostile_loss == pytest.approx(0.25 * plain.hostile_loss)
    assert calm.refusal_loss == pytest.approx(0.25 * plain.refusal_loss)


def test_the_default_loop_gain_is_below_one() -> None:
    # (1 - f) / (4 f) x (b_max - b_min) = 0.7 / 1.2 x (1.0 - (-0.5)) = 0.875 on the defaults
    assert morale_loop_gain_bound(Scenario()) == pytest.approx(0.875)
    assert morale_loop_gain_bound(Scenario()) < 1.0


def _fixed_point_map(model: OutcomeModel, context: Context, losses: dict, gain: float, floor: float, r: float,
                     n: float, m: float) -> float:  # fmt: skip
    p = model.probabilities(context._replace(effectiveness=m))
    a = r + n * gain * p[0]
    b = n * (losses["refuses"] * p[2] + losses["hostile"] * p[4])
    return floor + (1.0 - floor) * a / (a + b)


@settings(max_examples=200, deadline=None)
@given(
    segment=st.integers(0, 2),
    visit=st.booleans(),
    grievance=st.booleans(),
    share=st.floats(0.0, 1.0),
    chased=st.integers(0, 30),
    contacts_per_day=st.floats(0.01, 200.0),
    recovery=st.floats(0.01, 5.0),
)
def test_the_bound_holds_for_the_mean_field_map(segment, visit, grievance, share, chased, contacts_per_day,
                                                recovery) -> None:  # fmt: skip
    # The slope of the mean-field map m -> T(m) (docs/model.md section 22), worked out numerically
    # for the default logit at any context, contact rate and recovery rate, never exceeds the bound.
    scenario = Scenario()
    config = scenario.team.morale
    model = OutcomeModel(scenario.responses)
    context = Context(segment=segment, mood=1.0, share=share, chased=chased, grievance=grievance, visit=visit)
    losses = {"refuses": config.refusal_loss, "hostile": config.hostile_loss}
    grid = np.linspace(config.floor, 1.0, 60)
    values = [
        _fixed_point_map(
            model, context, losses, config.payment_gain, config.floor, recovery, contacts_per_day, m
        )
        for m in grid
    ]
    slopes = np.diff(values) / np.diff(grid)
    assert slopes.max() <= morale_loop_gain_bound(scenario) + 1e-9


def test_a_low_floor_loses_the_guarantee() -> None:
    # The bound is not a formality: with the old floor of 0.2 it exceeds 1.
    assert morale_loop_gain_bound(Scenario.model_validate({"team": {"morale": {"floor": 0.2}}})) > 1.0


@pytest.mark.slow
def test_a_baseline_team_is_strained_but_functional() -> None:
    """The default community: morale over the campaign at or above 0.5 in every replication.

    8 replications, seed 0.  Also: the busiest month is below 0.95 (the team feels the refusals:
    strained), and no month's mean sits within 0.1 of the floor (functional).
    """
    runs = sim.replicate(sim.load_scenario(SCENARIOS / "baseline.yaml"), 8, seed=0)
    means = runs.kpi("morale_mean")
    assert min(means) >= 0.5, means
    morale = runs.curve("morale")[:, 1:]
    months = [morale[:, k : k + 30].mean() for k in range(0, morale.shape[1] - 29, 30)]
    assert min(months) < 0.95, months
    assert min(months) > Scenario().team.morale.floor + 0.1, months
