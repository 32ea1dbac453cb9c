"""The service crew is a queue: with Poisson tickets and exponential fixes it is M/M/c.

`scenarios/validation/mmc.yaml`: c = 3 crew on duty around the clock,
lambda = 12 tickets a day, fixes of mean 4 h (mu = 0.25 per hour), no
fee-blocking tickets.  Erlang C gives the mean wait for a crew member,
W_q = C(c, a) / (c mu - lambda) with a = lambda / mu.  The check: the mean
over replications of each run's mean wait lies within 4 standard errors of
W_q, the standard error taken from the spread over the replications (a run
starts empty, which biases its mean wait down by O(1/horizon); with a
365-day horizon that bias is far inside the tolerance).  The crew's
utilisation is then rho = lambda / (c mu), checked the same way.

Also: common random numbers (the same maintenance tickets under every
strategy, the same fix hours and escalation outcome for an owner's ticket),
and waits that end when work begins inside the crew's shift.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.campaign import Campaign
from sim.scenario.tactics import FixHours
from sim.service import FEE, MAINTENANCE, hours_quantile
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
    # The crew is busy a share rho = lambda / (c mu) of its hours (all of them shift hours here).
    busy = np.array([r.kpis["service"]["utilisation"] for r in reps])
    rho = per_day / 24.0 * hours / crew
    busy_error = busy.std(ddof=1) / math.sqrt(len(busy))
    assert abs(busy.mean() - rho) < 4 * busy_error + 0.01 * rho, (busy.mean(), rho)
    assert abs(busy.mean() - rho * crew / (crew + 1)) > 4 * busy_error + 0.01 * rho


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


# -- common random numbers: the same maintenance work and the same owners' luck under any strategy -----

SMALL = {"community.households": 400, "community.buildings": 4, "horizon_days": 120}
STRATEGIES = (
    "baseline.yaml",
    "tactics/direct_lane.yaml",
    "tactics/sms_notices.yaml",
    "staged.yaml",
    "playbook.yaml",
)


def crew_run(path: str, seed: int = 3, overrides: dict | None = None) -> Campaign:
    """Run a small campaign of a scenario and return it (its crew's jobs are in `service.jobs`)."""
    scenario = sim.load_scenario(SCENARIOS / path, {**SMALL, **(overrides or {})})
    return Campaign(scenario, seed).run()


@pytest.fixture(scope="module")
def runs() -> dict[str, Campaign]:
    return {path: crew_run(path) for path in STRATEGIES}


def maintenance(campaign: Campaign) -> list[tuple[float, float]]:
    return [(job.queued, job.hours) for job in campaign.service.jobs if job.kind == MAINTENANCE]


def fee_hours(campaign: Campaign) -> dict[int, float]:
    return {job.owner: job.hours for job in campaign.service.jobs if job.kind == FEE}


def test_maintenance_tickets_are_the_same_under_every_strategy(runs: dict[str, Campaign]) -> None:
    baseline = maintenance(runs["baseline.yaml"])
    assert len(baseline) > 500  # 6 a day for 120 days
    for path, campaign in runs.items():
        assert maintenance(campaign) == baseline, path
        assert campaign.service.figures()["maintenance_opened"] == len(baseline)
    # and they are the seed's: another seed gives other tickets
    assert maintenance(crew_run("baseline.yaml", seed=4)) != baseline


def test_an_owners_ticket_takes_the_same_fix_hours_under_every_strategy(runs: dict[str, Campaign]) -> None:
    baseline = fee_hours(runs["baseline.yaml"])
    for path in ("tactics/direct_lane.yaml", "tactics/sms_notices.yaml", "staged.yaml"):
        other = fee_hours(runs[path])
        shared = baseline.keys() & other.keys()
        assert len(shared) > 10, path
        assert all(other[owner] == baseline[owner] for owner in shared), path
    # triage (in the playbook) shortens the same fix by its factor
    playbook = fee_hours(runs["playbook.yaml"])
    shared = baseline.keys() & playbook.keys()
    assert len(shared) > 10
    factor = runs["playbook.yaml"].scenario.service.triage_fix_factor
    assert all(math.isclose(playbook[owner], factor * baseline[owner], rel_tol=1e-12) for owner in shared)


def test_an_escalated_owner_gets_the_same_outcome_under_every_strategy() -> None:
    def outcomes(path: str) -> dict[int, str]:
        scenario = sim.load_scenario(SCENARIOS / path, {**SMALL, "horizon_days": 200})
        records = sim.simulate(scenario, seed=3, log_events=True).records
        ends = ("solved by supervisor", "unresolvable")
        return {r.owner: r.outcome for r in records if r.kind == "ticket" and r.outcome in ends}

    escalation, playbook = outcomes("tactics/escalation.yaml"), outcomes("playbook.yaml")
    shared = escalation.keys() & playbook.keys()
    assert len(shared) > 5
    assert {escalation[owner] for owner in shared} == {"solved by supervisor", "unresolvable"}
    assert all(escalation[owner] == playbook[owner] for owner in shared)


@pytest.mark.parametrize("dist", ["exponential", "lognormal"])
def test_hours_quantile_has_the_configured_mean_and_cv(dist: str) -> None:
    hours = FixHours(dist=dist, mean=3.5, cv=1.0 if dist == "exponential" else 0.5)
    n = 200_000
    values = np.array([hours_quantile(hours, (k + 0.5) / n, factor=2.0) for k in range(n)])
    assert values.mean() == pytest.approx(7.0, rel=2e-3)
    assert values.std() / values.mean() == pytest.approx(hours.cv, rel=1e-2)
    assert np.all(np.diff(values) > 0)  # an inverse CDF: increasing in u


# -- waits: from the queue to the moment work begins inside the crew's shift ---------------------------


@pytest.mark.parametrize("path", ["baseline.yaml", "playbook.yaml"])
def test_crew_work_begins_inside_a_shift(runs: dict[str, Campaign], path: str) -> None:
    campaign = runs[path]
    crew = campaign.service
    intervals = crew.shift.intervals

    def in_shift(t: float) -> bool:
        return any(start <= t < end for start, end in intervals)

    begun = [job for job in crew.jobs if job.begun < campaign.horizon]
    assert len(begun) > 500
    assert all(in_shift(job.begun) and job.begun >= job.queued for job in begun)
    # the case that matters: tickets queued outside the shift wait for it, even with a crew member free
    outside = [job for job in begun if not in_shift(job.queued)]
    assert outside and all(job.begun > job.queued for job in outside)
    figures = crew.figures()
    fee = [job.begun - job.queued for job in begun if job.kind == FEE]
    assert figures["mean_wait_hours"] == pytest.approx(np.mean(fee))
    assert figures["maintenance_tickets"] == len(begun) - len(fee)


def test_crew_utilisation_counts_fee_and_maintenance_work(runs: dict[str, Campaign]) -> None:
    campaign = runs["baseline.yaml"]
    crew = campaign.service
    figures = crew.crew_figures()
    shift_hours = crew.shift.total_hours(campaign.horizon)
    assert figures["crew_hours"] == pytest.approx(campaign.scenario.service.crew * shift_hours)
    horizon = campaign.horizon
    done = sum(job.hours for job in crew.jobs if job.done <= horizon)
    in_progress = [job for job in crew.jobs if job.begun < horizon < job.done]
    assert len(in_progress) <= campaign.scenario.service.crew
    assert done < figures["busy_hours"] <= done + sum(job.hours for job in in_progress)
    assert {job.kind for job in crew.jobs if job.done <= horizon} == {FEE, MAINTENANCE}
    assert 0 < figures["utilisation"] <= 1
    assert figures["utilisation"] == pytest.approx(figures["busy_hours"] / figures["crew_hours"])
