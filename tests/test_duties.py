"""Collectors' other duties: the share of their time, common random numbers, and a team size that matters."""

from __future__ import annotations

import pytest

import sim
from sim.campaign import Campaign
from sim.compare import paired_difference
from tests.paths import SCENARIOS


def test_other_duties_take_their_share_of_the_working_time() -> None:
    # With no fee work at all (calls off, bills e-mailed), collectors do only their other duties:
    # on average `share` of their working hours.  Poisson arrivals over ~1,800 working hours per
    # collector (mean 20-min tasks, cv 1): about 19,000 tasks in all, so the realised share is
    # within a few percent of its mean; the tolerance 0.03 is over 4 standard errors.
    quiet = {
        "strategy.calls.enabled": False,
        "strategy.billing.delivery": "instant",
        "community.households": 100,
        "community.buildings": 1,
    }
    for share in (0.3, 0.7):
        scenario = sim.load_scenario(SCENARIOS / "baseline.yaml", {**quiet, "team.other_duties.share": share})
        campaign = Campaign(scenario, 3).run()
        worked = campaign.work_shifts.total_hours(campaign.horizon) * scenario.team.collectors
        assert campaign.duties.hours / worked == pytest.approx(share, abs=0.03)


def test_the_same_seed_gives_the_same_duties_whatever_the_fee_strategy() -> None:
    small = {"community.households": 300, "community.buildings": 3, "horizon_days": 60}
    arrivals = []
    for path in ("baseline.yaml", "staged.yaml", "tactics/sms_notices.yaml", "tactics/direct_lane.yaml"):
        campaign = Campaign(sim.load_scenario(SCENARIOS / path, small), 5).run()
        arrivals.append((campaign.duties.arrived, round(campaign.duties.hours, 9)))
    assert len(set(arrivals)) == 1, arrivals


def test_without_other_duties_collectors_are_free_for_fee_work() -> None:
    small = {"community.households": 300, "community.buildings": 3, "horizon_days": 60}
    off = Campaign(
        sim.load_scenario(SCENARIOS / "baseline.yaml", {**small, "team.other_duties.enabled": False}), 5
    )
    assert off.run().duties.hours == 0.0


@pytest.mark.slow
def test_halving_the_team_lowers_collection() -> None:
    """The default community: 2 collectors instead of 4 collect less by day 60 (paired 95% interval below 0).

    A pilot (seed 100, 6 pairs) gave -12 pp with a spread of the paired differences of about 1-3 pp,
    so 6 pairs give an interval of about +-3 pp: power near 1 for any effect beyond 5 pp.
    """
    reps, day = 6, 60
    shares = {}
    for collectors in (2, 4):
        scenario = sim.load_scenario(SCENARIOS / "baseline.yaml", {"team.collectors": collectors})
        shares[collectors] = sim.replicate(scenario, reps, seed=0).curve("paid_share")[:, day]
    difference = paired_difference(shares[2].tolist(), shares[4].tolist())
    assert difference["ci_high"] < 0, difference
