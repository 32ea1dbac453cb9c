"""Promises fall due, and reminders go out, in waking hours (issue 14, point 8).

Before, a promise was due at t + 24 D exactly: a call at 19:00 with D = 2.37
days made a promise due at 03:52, reminded at 00:52.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.calendar import HOURS_PER_DAY
from sim.promises import waking_at_or_before, waking_due_time
from sim.scenario import load_scenario
from tests.paths import SCENARIOS

WAKE, SLEEP = 8.0, 22.0  # availability.waking_hours of the baseline


def hour(t: float) -> float:
    return t % HOURS_PER_DAY


def test_the_example_of_the_issue_falls_in_the_morning() -> None:
    due = waking_due_time(19.0, 2.37, WAKE, SLEEP)  # day 0, 19:00, + 2.37 days: day 3 at 03:52 before
    assert int(due // HOURS_PER_DAY) == 3
    assert hour(due) == pytest.approx(WAKE + (19.0 / 24 + 2.37 - 3) * (SLEEP - WAKE))


@given(
    t=st.floats(0.0, 24.0 * 300),
    delay=st.floats(0.0, 30.0),
    wake=st.integers(0, 12),
    length=st.integers(1, 12),
)
def test_due_times_are_waking_hours_after_the_promise(t: float, delay: float, wake: int, length: int) -> None:
    sleep = wake + length
    due = waking_due_time(t, delay, wake, sleep)
    assert due > t
    assert wake - 1e-9 <= hour(due) < sleep + 1e-9
    assert abs(due - (t + delay * HOURS_PER_DAY)) < 2 * HOURS_PER_DAY


@given(t=st.floats(0.0, 24.0 * 300), d1=st.floats(1.0, 7.0), d2=st.floats(1.0, 7.0))
def test_a_longer_delay_is_never_an_earlier_due_time(t: float, d1: float, d2: float) -> None:
    low, high = sorted((d1, d2))
    assert waking_due_time(t, low, WAKE, SLEEP) <= waking_due_time(t, high, WAKE, SLEEP)


@pytest.mark.parametrize(
    ("t", "expected"),
    [(48 + 10.0, 48 + 10.0), (48 + 5.5, 24 + SLEEP), (48 + 23.0, 48 + SLEEP), (48 + SLEEP, 48 + SLEEP)],
)
def test_a_night_reminder_moves_to_the_evening_before(t: float, expected: float) -> None:
    assert waking_at_or_before(t, WAKE, SLEEP) == expected


@pytest.fixture(scope="module")
def playbook_log() -> list[sim.EventRecord]:
    overrides = {"community.households": 500, "community.buildings": 5, "horizon_days": 90}
    scenario = load_scenario(SCENARIOS / "playbook.yaml", overrides)
    assert scenario.strategy.follow_up.remind
    return sim.simulate(scenario, seed=2, log_events=True).records


def test_every_due_time_and_reminder_of_a_run_is_in_waking_hours(playbook_log) -> None:
    promised = [r.value for r in playbook_log if r.kind == "promise"]
    fell_due = [r.time for r in playbook_log if r.kind == "promise_due"]
    reminders = [r.time for r in playbook_log if r.kind == "reminder"]
    assert len(promised) > 50 and len(fell_due) > 50 and len(reminders) > 50
    for t in [*promised, *fell_due, *reminders]:
        assert WAKE <= hour(t) <= SLEEP, f"{hour(t):.2f} h"


def test_a_reminder_comes_before_its_due_time(playbook_log) -> None:
    due: dict[int, float] = {}
    for record in playbook_log:
        if record.kind == "promise":
            due[record.owner] = record.value
        elif record.kind == "reminder":
            assert record.time < due[record.owner]
