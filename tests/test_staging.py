"""Staged billing (V4): the shipped stages open on their trigger, "most of this stage have paid"."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.campaign import Campaign
from sim.scenario.schema import SEGMENTS
from tests.paths import SCENARIOS


@pytest.mark.parametrize("path", ["staged.yaml", "playbook.yaml", "tactics/staged_billing.yaml"])
def test_the_paid_share_not_the_fallback_opens_the_later_stages(path: str) -> None:
    # The default community over the first 70 days (the stages open by then), five seeds: each
    # later stage opens at a daily check where half of the previous stage has paid, before the
    # fallback of `max_days`.
    scenario = sim.load_scenario(SCENARIOS / path, {"horizon_days": 70})
    trigger = scenario.strategy.billing.next_stage
    order = [SEGMENTS.index(name) for name in scenario.strategy.billing.stages]
    for seed in range(5):
        campaign = Campaign(scenario, seed).run()
        opened = campaign.billing.stage_opened
        assert len(opened) == 3, (seed, opened)
        paid_at = np.array(campaign.paid_at)
        for k in (1, 2):
            previous = campaign.population.segment == order[k - 1]
            waited = (opened[k] - opened[k - 1]) / 24
            share = float(np.mean(paid_at[previous] <= opened[k]))
            assert waited < trigger.max_days, (seed, k, waited)
            assert share >= trigger.paid_share, (seed, k, share)
            assert opened[k] % 24 == pytest.approx(trigger.check_hour)


def test_the_fallback_still_opens_a_stage_that_never_pays() -> None:
    scenario = sim.load_scenario(
        SCENARIOS / "staged.yaml",
        {
            "horizon_days": 70,
            "strategy.billing.next_stage.paid_share": 1.0,
            "strategy.billing.next_stage.max_days": 10,
        },
    )
    opened = Campaign(scenario, 0).run().billing.stage_opened
    assert np.allclose(np.diff(opened) / 24, 10.0)
