"""Invariants of every run, checked on the event log of small campaigns."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

import sim
from sim.calendar import Calendar
from sim.scenario.schema import WEEKDAYS
from tests.paths import SCENARIOS

SMALL = {"community.households": 400, "community.buildings": 8, "horizon_days": 60}


@pytest.fixture(scope="module", params=["baseline.yaml", "staged.yaml"])
def run(request: pytest.FixtureRequest) -> tuple[sim.Scenario, sim.RunResult]:
    scenario = sim.load_scenario(SCENARIOS / request.param, SMALL)
    return scenario, sim.simulate(scenario, seed=3, log_events=True)


def of_kind(result: sim.RunResult, kind: str) -> list[sim.EventRecord]:
    return [r for r in result.records if r.kind == kind]


def in_windows(t: float, windows, calendar: Calendar) -> bool:
    day, hour = int(t // 24), t % 24
    name = WEEKDAYS[calendar.weekday(day)]
    return any(name in w.days and w.start <= hour <= w.end for w in windows)


def test_payments_follow_bills_and_happen_once(run) -> None:
    _, result = run
    billed = {r.owner: r.time for r in of_kind(result, "bill")}
    payments = of_kind(result, "payment")
    payers = [r.owner for r in payments]
    assert len(payers) == len(set(payers))
    assert all(r.time >= billed[r.owner] for r in payments)
    fees = result.owners.set_index("owner")["fee"]
    assert math.isclose(sum(r.value for r in payments), result.kpis["money_collected"], rel_tol=1e-12)
    assert math.isclose(sum(fees[o] for o in payers), result.kpis["money_collected"], rel_tol=1e-12)
    assert len(payments) == int(result.owners["paid_at"].notna().sum())


def test_decisions_precede_payments(run) -> None:
    _, result = run
    decided = {r.owner: r.time for r in of_kind(result, "decision")}
    assert all(decided[r.owner] <= r.time for r in of_kind(result, "payment"))


def test_calls_only_in_call_windows_on_working_days(run) -> None:
    scenario, result = run
    calendar = Calendar.from_scenario(scenario)
    calls = of_kind(result, "call")
    assert calls
    windows = scenario.strategy.calls.windows
    for call in calls:
        assert in_windows(call.time, windows, calendar)
        assert in_windows(call.time, scenario.team.shift_windows(), calendar)
        assert not calendar.is_holiday(int(call.time // 24))


def test_service_centre_payments_inside_opening_hours(run) -> None:
    scenario, result = run
    calendar = Calendar.from_scenario(scenario)
    centre = scenario.owners.channels.service_centre.windows
    at_centre = [r for r in of_kind(result, "payment") if r.outcome == "service_centre"]
    assert at_centre
    assert all(in_windows(r.time, centre, calendar) for r in at_centre)
    assert all(not calendar.is_holiday(int(r.time // 24)) for r in at_centre)


def test_staged_billing_waits_for_the_trigger(run) -> None:
    scenario, result = run
    if scenario.strategy.billing.mode != "staged":
        pytest.skip("bulk billing has one stage")
    owners = result.owners
    trigger = scenario.strategy.billing.next_stage
    first = owners[owners.segment == "ordinary"]
    second_billed = owners.loc[owners.segment == "undecided", "billed_at"].min()
    paid_before = (first.paid_at <= second_billed).mean()
    opened = scenario.strategy.billing.start_day * 24  # the first stage is released then
    assert paid_before >= trigger.paid_share or second_billed >= opened + 24 * trigger.max_days
    assert owners.loc[owners.segment == "hard", "billed_at"].min() > second_billed


def test_no_calls_on_a_holiday() -> None:
    # 2026-05-01..05 is Labour Day: a campaign starting then makes no call before 6 May.
    scenario = sim.load_scenario(
        SCENARIOS / "baseline.yaml",
        {**SMALL, "start_date": "2026-04-24", "strategy.calls.first_call_after_days": 0},
    )
    result = sim.simulate(scenario, seed=1, log_events=True)
    days = {int(r.time // 24) for r in of_kind(result, "call")}
    holiday = {(dt.date(2026, 5, d) - dt.date(2026, 4, 24)).days for d in range(1, 6)}
    assert days and not days & holiday


def test_daily_curves_are_monotone_and_start_at_zero(run) -> None:
    scenario, result = run
    daily = result.daily
    assert len(daily) == scenario.horizon_days + 1
    assert daily["day"].tolist() == list(range(scenario.horizon_days + 1))
    for column in ("paid_share", "money_share", "billed_share", "calls", "reached"):
        assert daily[column].iloc[0] == 0
        assert np.all(np.diff(daily[column]) >= 0)
    assert daily["paid_share"].iloc[-1] == result.kpis["final_paid_share"]


def test_event_count_is_reported(run) -> None:
    _, result = run
    assert result.kpis["events"] > len(result.records) / 4 > 0


CYCLE_CASES = [
    "baseline.yaml",
    "playbook.yaml",
    "validation/bass.yaml",
    "validation/mmc.yaml",
    "tactics/home_visits.yaml",
]


@pytest.mark.parametrize("path", CYCLE_CASES)
def test_a_run_leaves_no_reference_cycles(path: str) -> None:
    """The cycle collector is paused while a campaign runs (`sim.engine.cyclic_gc_paused`).

    That is sound only if the run makes no cyclic garbage: with the collector
    off, a collection right after the run (the campaign still alive) must find
    nothing unreachable.
    """
    import gc

    from sim.campaign import Campaign
    from sim.rng import as_seed_sequence

    scenario = sim.load_scenario(SCENARIOS / path, SMALL)
    campaign = Campaign(scenario, as_seed_sequence(5), log_events=True)
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        campaign.run()
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_the_cycle_collector_is_paused_during_a_run_and_back_after() -> None:
    import gc

    from sim.engine import cyclic_gc_paused

    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():  # nested (or another thread's) run
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer run is still going
    assert gc.isenabled()
    sim.simulate(sim.load_scenario(SCENARIOS / "baseline.yaml", SMALL), seed=1)
    assert gc.isenabled()
