"""Payment times follow the piecewise-constant hazard exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.calendar import Calendar
from sim.campaign import Campaign
from sim.mood import MoodClock, mood_clocks
from tests.paths import SCENARIOS

BASS = SCENARIOS / "validation" / "bass.yaml"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 3.0), min_size=24, max_size=24 * 3),
    st.floats(0.0, 1.0),
)
def test_mood_clock_inverse_undoes_value(hourly: list[float], fraction: float) -> None:
    hourly[0] = max(hourly[0], 0.1)  # at least one hour with positive mood
    clock = MoodClock.build(np.array(hourly))
    x = fraction * clock.cumulative[-1]
    t = clock.inverse(x)
    assert abs(clock.value(t) - x) < 1e-9
    # t is the *first* such time: a moment earlier the clock is below x.
    assert t == 0.0 or clock.value(max(0.0, t - 1e-6)) <= x


def test_spontaneous_payment_times_follow_the_mood_weighted_hazard() -> None:
    # One segment, no herd, mood on, no personal variation: owner i decides by
    # time t with probability 1 - exp(-p M_k(t)), M_k the cumulative mood of
    # its schedule type.  With N = 20,000 owners the empirical share at each day
    # has sd <= 0.5/sqrt(N) = 0.0035; the tolerance 0.015 is over 4 sd.
    p = 0.05
    scenario = sim.load_scenario(
        BASS,
        {
            "owners.segments.ordinary.p": p,
            "herd.enabled": False,
            "mood.enabled": True,
            "community.households": 20_000,
            "horizon_days": 28,
        },
    )
    campaign = Campaign(scenario, seed=4).run()
    paid_at = np.array(campaign.paid_at)
    schedule = campaign.population.schedule
    clocks = mood_clocks(scenario, Calendar.from_scenario(scenario))
    for day in range(1, 29):
        t = day * 24.0
        expected = np.mean([1 - np.exp(-p * clocks[k].value(t)) for k in schedule])
        observed = np.mean(paid_at <= t)
        assert abs(observed - expected) < 0.015, (day, observed, expected)


def test_mood_shifts_payments_toward_good_hours() -> None:
    # With the seed profile, Friday and Saturday afternoons carry more payments
    # per hour than Monday to Thursday afternoons (the mechanism, not a rule).
    scenario = sim.load_scenario(
        BASS,
        {
            "owners.segments.ordinary.p": 0.02,
            "herd.enabled": False,
            "mood.enabled": True,
            "mood.profile": "seed",
            "community.households": 20_000,
            "horizon_days": 28,
        },
    )
    campaign = Campaign(scenario, seed=8).run()
    paid_at = np.array(campaign.paid_at)
    paid_at = paid_at[~np.isnan(paid_at)]
    weekday = ((paid_at // 24) + campaign.calendar.start.weekday()) % 7
    hour = paid_at % 24
    afternoon = (hour >= 15) & (hour < 17)
    fri_sat = np.count_nonzero(afternoon & (weekday >= 4) & (weekday <= 5)) / 2
    mon_thu = np.count_nonzero(afternoon & (weekday <= 3)) / 4
    assert fri_sat > 1.2 * mon_thu


def test_multiplier_changes_keep_the_clock_exact() -> None:
    # Doubling every owner's hazard multiplier from t = 0 turns Bass(p, q) into
    # Bass(2p, 2q); blocking it (multiplier 0) for days 0-5 delays the curve by
    # five days.  Both go through set_multiplier, for the spontaneous clocks and
    # the neighbourhood herd clocks.  Tolerance as in test_theory (20 reps of
    # N = 1000: replication sd <= 0.004).
    p, q, horizon = 0.03, 0.38, 20
    scenario = sim.load_scenario(BASS, {"horizon_days": horizon})
    days = np.arange(horizon + 1, dtype=float)

    def mean_curve(plan) -> np.ndarray:
        curves = []
        for seed in range(20):
            campaign = Campaign(scenario, seed=seed)
            campaign.env.process(plan(campaign))
            campaign.run()
            paid = np.array(campaign.paid_at)
            curves.append([np.mean(paid <= 24 * d) for d in days])
        return np.mean(curves, axis=0)

    def set_all(campaign: Campaign, mult: float) -> None:
        for owner in range(campaign.population.size):
            campaign.hazard.set_multiplier(owner, campaign.env.now, mult)

    def doubled(campaign: Campaign):
        yield campaign.env.timeout(1e-9)
        set_all(campaign, 2.0)

    def blocked(campaign: Campaign):
        yield campaign.env.timeout(1e-9)
        set_all(campaign, 0.0)
        yield campaign.env.timeout(5 * 24.0)
        set_all(campaign, 1.0)

    from tests.test_theory import bass_curve

    np.testing.assert_allclose(mean_curve(doubled), bass_curve(2 * p, 2 * q, days), atol=0.02)
    shifted = np.where(days < 5, 0.0, bass_curve(p, q, np.maximum(days - 5, 0.0)))
    np.testing.assert_allclose(mean_curve(blocked), shifted, atol=0.02)
