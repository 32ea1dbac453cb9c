"""The service crew is a queue: with Poisson tickets and exponential fixes it is M/M/c.

`scenarios/validation/mmc.yaml`: c = 3 crew on duty around the clock,
lambda = 12 tickets a day, fixes of mean 4 h (mu = 0.25 per hour), no
fee-blocking tickets.  Erlang C gives the mean wait for a crew member,
W_q = C(c, a) / (c mu - lambda) with a = lambda / mu.  The check: the mean
over replications of each run's mean wait lies within 4 standard errors of
W_q, the standard error taken from the spread over the replications (a run
starts empty, which biases its mean wait down by O(1/horizon); with a
365-day horizon that bias is far inside the tolerance).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from tests.paths import SCENARIOS

MMC = SCENARIOS / "validation" / "mmc.yaml"


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


@pytest.mark.parametrize(("crew", "per_day", "hours"), [(3, 12.0, 4.0), (2, 10.0, 3.0)])
def test_crew_mean_wait_matches_erlang_c(crew: int, per_day: float, hours: float) -> None:
    scenario = sim.load_scenario(
        MMC,
        {
            "service.crew": crew,
            "service.maintenance_tickets_per_day": per_day,
            "service.fix_hours.mean": hours,
        },
    )
    reps = sim.replicate(scenario, 12, seed=31)
    waits = np.array([r.kpis["tickets"]["maintenance_mean_wait_hours"] for r in reps])
    expected = erlang_c_wait(crew, per_day / 24.0, 1.0 / hours)
    standard_error = waits.std(ddof=1) / math.sqrt(len(waits))
    assert abs(waits.mean() - expected) < 4 * standard_error + 0.02 * expected, (waits.mean(), expected)
    # The check has power: the M/M/c wait of a crew one member larger is far outside it.
    larger = erlang_c_wait(crew + 1, per_day / 24.0, 1.0 / hours)
    assert abs(waits.mean() - larger) > 4 * standard_error + 0.02 * expected


def test_direct_lane_serves_fee_tickets_first() -> None:
    # With a loaded crew, fee-blocking tickets wait less with the direct lane
    # (priority over maintenance) than without it, on the same seeds.
    base = {
        "community.households": 600,
        "community.buildings": 6,
        "horizon_days": 120,
        "service.crew": 1,
        "service.maintenance_tickets_per_day": 2.2,
    }
    waits = {}
    for lane in (False, True):
        scenario = sim.load_scenario(SCENARIOS / "baseline.yaml", {**base, "service.direct_lane": lane})
        reps = sim.replicate(scenario, 6, seed=5)
        waits[lane] = np.mean([r.kpis["tickets"]["mean_wait_hours"] for r in reps])
    assert waits[True] < 0.5 * waits[False]
