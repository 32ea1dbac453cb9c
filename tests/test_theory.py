"""The engine reproduces the theory it must contain as special cases.

Bass (1969): with one segment, no collectors, no mood, instant perception of
the whole community and every bill at t = 0, the expected paid share is the
Bass curve.  The stochastic model with N owners has a mean within O(1/N) of
it and replication noise of sd ~ sqrt(F(1-F)/N)/sqrt(reps) <= 0.5/sqrt(N reps);
with N = 1000 and 30 replications that is 0.003, so the tolerance 0.02 of
the issue is more than 6 standard errors away from a false alarm, while an
engine that got the hazard wrong by even 10% misses it (checked below).

Granovetter (1978): with p = 0 and thresholds from F, the final share is
the smallest fixed point of r = F(r), reached by iterating from F(0).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.population import threshold_cdf
from tests.paths import SCENARIOS

BASS = SCENARIOS / "validation" / "bass.yaml"
THRESHOLD = SCENARIOS / "validation" / "threshold.yaml"


def bass_curve(p: float, q: float, t: np.ndarray) -> np.ndarray:
    decay = np.exp(-(p + q) * t)
    return (1 - decay) / (1 + (q / p) * decay)


def smallest_fixed_point(mean: float, sd: float) -> float:
    r = float(threshold_cdf(0.0, mean, sd))
    for _ in range(10_000):
        nxt = float(threshold_cdf(r, mean, sd))
        if abs(nxt - r) < 1e-12:
            break
        r = nxt
    return r


def test_bass_curve_published_values() -> None:
    # Evidence file: p = 0.03, q = 0.38 gives F(3)=0.151, F(6)=0.439, F(9)=0.741, F(12)=0.909.
    f = bass_curve(0.03, 0.38, np.array([3.0, 6.0, 9.0, 12.0]))
    np.testing.assert_allclose(f, [0.151, 0.439, 0.741, 0.909], atol=6e-4)


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.01, 0.2), (0.1, 0.05)])
def test_bass_mean_curve_matches_closed_form(p: float, q: float) -> None:
    horizon = 25
    scenario = sim.load_scenario(
        BASS,
        {
            "owners.segments.ordinary.p": p,
            "owners.segments.ordinary.q": q,
            "community.households": 1000,
            "horizon_days": horizon,
        },
    )
    reps = sim.replicate(scenario, 30, seed=2024)
    mean = reps.curve("paid_share").mean(axis=0)
    expected = bass_curve(p, q, np.arange(horizon + 1, dtype=float))
    assert np.abs(mean - expected).max() < 0.02
    # The check has power: a hazard 10% too high would fail it somewhere.
    wrong = bass_curve(1.1 * p, 1.1 * q, np.arange(horizon + 1, dtype=float))
    assert np.abs(wrong - expected).max() > 0.02


@pytest.mark.parametrize(
    ("mean", "sd"),
    [
        (0.25, 0.08),  # below the transition: a handful join
        (0.25, 0.20),  # above it: (almost) everyone joins
        (0.45, 0.25),  # below it: F(0) = 0.036, fixed point 0.059
        (0.40, 0.10),  # well below: F(0) ~ 3e-5
    ],
)
def test_threshold_cascade_reaches_smallest_fixed_point(mean: float, sd: float) -> None:
    scenario = sim.load_scenario(
        THRESHOLD,
        {
            "owners.segments.ordinary.threshold.mean": mean,
            "owners.segments.ordinary.threshold.sd": sd,
            "community.households": 1000,
        },
    )
    reps = sim.replicate(scenario, 10, seed=7)
    final = reps.curve("paid_share")[:, -1].mean()
    assert abs(final - smallest_fixed_point(mean, sd)) < 0.03


def test_threshold_granovetter_riot_example() -> None:
    # Thresholds 0, 1, ..., 99 of 100: everyone joins.  Raising the threshold-1
    # person to 2 stops the cascade after one.  Thresholds count *others*; with
    # the paid share over the 100 billed owners, threshold k/100 is reached when
    # k owners have paid.
    # q = 10 per day: each owner, once active, pays within hours, so the chain of
    # 100 sequential activations finishes well inside the 60-day horizon.
    scenario = sim.load_scenario(
        THRESHOLD,
        {"community.households": 100, "community.buildings": 1, "owners.segments.ordinary.q": 10.0},
    )
    from sim.campaign import Campaign

    def final_share(thresholds: np.ndarray) -> float:
        campaign = Campaign(scenario, seed=1)
        object.__setattr__(campaign.population, "threshold", thresholds)
        campaign.hazard.threshold = thresholds.tolist()
        campaign.run()
        return float(np.mean(~np.isnan(np.array(campaign.paid_at))))

    riot = np.arange(100) / 100
    assert final_share(riot) == 1.0
    riot[1] = 2 / 100
    assert final_share(riot) == 0.01
