"""The event loop (`sim.engine`): lanes and the day calendar keep the order of one queue; the event count."""

from __future__ import annotations

import contextlib
import math

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import Engine

# (time to set the timer at, lane 0 (fixed delay), lane 1 (any delay: out of order too) or None, a delay)
DELAYS = st.floats(0, 60)
Timers = st.lists(
    st.tuples(st.sampled_from([0.0, 0.5, 2.0, 23.5, 24.0, 47.0]), st.sampled_from([None, 0, 1]), DELAYS),
    min_size=1,
    max_size=40,
)


def lane_delay(lane: int, delay: float) -> float:
    return 23.75 if lane == 0 else delay


def fire_order(timers: list[tuple[float, int | None, float]], mode: str) -> list[tuple[float, int]]:
    """Set the timers and return (the clock, the timer) in the order they fire.

    mode: "lanes" (an Engine, lane timers in lanes), "plain" (an Engine, every
    timer with `call_later`) or "simpy" (SimPy's own Environment: the reference).
    """
    engine = simpy.Environment() if mode == "simpy" else Engine()
    lanes = [engine.lane(), engine.lane()] if mode == "lanes" else []
    fired: list[int] = []

    def later(delay: float, callback, value=None) -> None:
        if mode == "simpy":
            engine.timeout(delay, value).callbacks.append(callback)
        else:
            engine.call_later(delay, callback, value)

    def setter(index: int, lane: int | None, delay: float):
        def set_timer(_):
            def record(event) -> None:
                fired.append((engine.now, event.value))

            if lane is None:
                later(delay, record, index)
            elif lanes:
                lanes[lane].call_later(lane_delay(lane, delay), record, index)
            else:
                later(lane_delay(lane, delay), record, index)

        return set_timer

    for index, (at, lane, delay) in enumerate(timers):
        later(at, setter(index, lane, delay))
    if mode == "simpy":
        engine.run(until=200.0)
    else:
        engine.run_until(200.0)
    return fired


@settings(max_examples=300, deadline=None)
@given(Timers)
def test_lanes_and_slots_fire_in_the_order_of_one_simpy_queue(timers) -> None:
    reference = fire_order(timers, "simpy")
    assert fire_order(timers, "plain") == reference
    assert fire_order(timers, "lanes") == reference


def test_event_count_includes_timers_waiting_in_a_lane() -> None:
    engine = Engine()
    lane = engine.lane()
    for _ in range(5):
        lane.call_later(2.0, lambda event: None)
    engine.run_until(1.0)
    assert engine.processed == 0
    engine.run_until(3.0)
    assert engine.processed == 5


def test_events_due_at_the_end_are_left_for_later() -> None:
    engine = Engine()
    fired: list[float] = []
    engine.call_later(1.0, lambda event: fired.append(engine.now))
    engine.call_later(2.0, lambda event: fired.append(engine.now))
    engine.run_until(2.0)
    assert fired == [1.0] and engine.now == 2.0


def test_events_slots_apart_run_in_order_and_run_works_too() -> None:
    for runner in ("run_until", "run"):
        engine = Engine()
        fired: list[float] = []

        def record(event, engine=engine, fired=fired) -> None:
            fired.append(engine.now)

        for at in (100.0, 30.0, 23.999, 24.0, 0.5, 250.0, 30.0, 0.999999, 1.0, 1.5):
            engine.call_later(at, record)
        if runner == "run":
            engine.run(until=1000.0)
        else:
            engine.run_until(1000.0)
        assert fired == sorted(fired) and len(fired) == 10
        assert engine.processed == 10 + (runner == "run")  # run's stop event is an event too
        assert engine.now == 1000.0


def test_the_clock_is_right_whatever_runs_the_events() -> None:
    """`Engine.now` is a plain attribute: it must be right inside callbacks under step, run and run_until."""
    engine = Engine()
    seen: list[float] = []

    def process():
        yield engine.timeout(1.5)
        seen.append(engine.now)
        engine.call_later(2.0, lambda timer: seen.append(engine.now))
        yield engine.timeout(30.0)
        seen.append(engine.now)

    engine.process(process())
    engine.step()  # the process starts
    engine.step()
    engine.run_until(10.0)
    assert engine.now == 10.0
    engine.run(until=40.0)
    assert seen == [1.5, 3.5, 31.5]
    assert engine.now == 40.0
    assert "_now" not in vars(engine)  # SimPy's clock is only an alias: one clock, never two


def test_a_lane_drops_void_timers_and_keeps_the_order_of_the_rest() -> None:
    """Timers whose value has become void are dropped unfired; the others fire in order, at their times."""
    engine = Engine()
    dead: set[int] = set()
    lane = engine.lane(void=lambda value: value in dead)
    fired: list[tuple[float, int]] = []

    def record(timer) -> None:
        fired.append((engine.now, timer.value))

    for k in range(6):
        engine.call_later(k * 0.5, lambda timer, k=k: lane.call_later(10.0, record, k))
    engine.call_later(1.2, lambda timer: dead.update({1, 4}))  # 1 and 4 become void before they are due
    engine.run_until(100.0)
    assert fired == [(10.0, 0), (11.0, 2), (11.5, 3), (12.5, 5)]
    assert engine.processed == 6 + 1 + 6  # the setters, the killer, the lane's timers (dropped ones too)


def test_setting_simpys_clock_alias_changes_only_the_clock() -> None:
    """SimPy's `_now` is an alias of `Engine.now`: setting it must leave lanes and waiting slots alone."""
    engine = Engine()
    fired: list[float] = []
    engine.call_later(80.0, lambda timer: fired.append(engine.now))  # waits in a later slot's list
    engine.lane().call_later(90.0, lambda timer: fired.append(engine.now))
    engine._now = 5.0
    assert engine.now == 5.0 and simpy.Environment.now.fget(engine) == 5.0
    engine.run_until(200.0)
    assert fired == [80.0, 90.0]  # due times stay as set


def test_events_at_infinity_come_after_every_finite_time() -> None:
    """Whatever its slot, a finite time comes before infinity (as in SimPy's own queue)."""
    engine, reference = Engine(), simpy.Environment()
    fired: dict[str, list[int]] = {"engine": [], "simpy": []}
    for index, delay in enumerate((math.inf, 1e19, 5.0, 2.0**70)):
        engine.call_later(delay, lambda timer, i=index: fired["engine"].append(i))
        reference.timeout(delay).callbacks.append(lambda event, i=index: fired["simpy"].append(i))
    for env in (engine, reference):
        with contextlib.suppress(simpy.core.EmptySchedule):
            while True:
                env.step()
    assert fired["engine"] == fired["simpy"] == [2, 1, 3, 0]
