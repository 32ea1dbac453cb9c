"""Metamorphic relations on common random numbers, and conservation of money."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.compare import paired_difference
from tests.paths import SCENARIOS

SMALL = {"community.households": 400, "community.buildings": 4, "horizon_days": 120}


def test_longer_horizon_extends_the_same_run() -> None:
    # Nothing before day 90 depends on where the horizon is: on one seed the
    # 120-day run repeats the 90-day run day for day, then can only add payments.
    for name in ("baseline.yaml", "playbook.yaml"):
        short = sim.load_scenario(SCENARIOS / name, {**SMALL, "horizon_days": 90})
        long = sim.load_scenario(SCENARIOS / name, SMALL)
        for seed in range(3):
            a, b = sim.simulate(short, seed), sim.simulate(long, seed)
            pd.testing.assert_frame_equal(a.daily, b.daily.iloc[:91])
            assert b.kpis["final_paid_share"] >= a.kpis["final_paid_share"]


@pytest.mark.parametrize("scenario", ["baseline.yaml", "playbook.yaml"])
def test_a_second_collector_collects_more(scenario: str) -> None:
    # Collectors spend most of their time on other duties (docs/model.md section 13), so the
    # campaign's pace depends on the team: on common random numbers, 2 collectors instead of 1
    # raise the paid share on day 60 (paired 95% interval above 0; 10 pairs, seed 12).  A pilot
    # on seed 0 gave +3.8 (baseline) and +4.8 points (playbook) with spreads of the pairs of 1.8
    # and 2.4: 10 pairs have 80% power down to gains of 1.6 and 2.1 points ((2.80 sd)^2 / n).
    day = 60
    shares = {}
    for collectors in (1, 2):
        s = sim.load_scenario(SCENARIOS / scenario, {**SMALL, "team.collectors": collectors})
        shares[collectors] = sim.replicate(s, 10, seed=12).curve("paid_share")[:, day].tolist()
    difference = paired_difference(shares[2], shares[1])
    assert difference["ci_low"] > 0, difference


@pytest.mark.parametrize("scenario", ["baseline.yaml", "staged.yaml", "playbook.yaml"])
def test_money_is_conserved(scenario: str) -> None:
    s = sim.load_scenario(SCENARIOS / scenario, SMALL)
    result = sim.simulate(s, seed=4, log_events=True)
    payments = [r for r in result.records if r.kind == "payment"]
    billed = {r.owner: r.time for r in result.records if r.kind == "bill"}
    payers = [r.owner for r in payments]
    assert len(payers) == len(set(payers)), "somebody paid twice"
    assert all(r.time >= billed[r.owner] for r in payments), "somebody paid before being billed"
    assert math.isclose(sum(r.value for r in payments), result.kpis["money_collected"], rel_tol=1e-12)
    fees = result.owners.set_index("owner")["fee"]
    assert math.isclose(fees[payers].sum(), result.kpis["money_collected"], rel_tol=1e-12)
    final_money = result.daily["money_share"].iloc[-1]
    assert math.isclose(final_money, result.kpis["money_collected"] / result.kpis["money_billed"])
    assert np.all(np.diff(result.daily["paid_share"]) >= 0)
