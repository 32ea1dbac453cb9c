"""The event loop (`sim.engine`): lanes keep the order of one event queue, and the event count."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import Engine

# (time to set the timer at, lane 0 (fixed delay), lane 1 (any delay: out of order too) or None, a delay)
Timers = st.lists(
    st.tuples(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25]), st.sampled_from([None, 0, 1]), st.floats(0, 4)),
    min_size=1,
    max_size=40,
)


def lane_delay(lane: int, delay: float) -> float:
    return 1.0 if lane == 0 else delay


def fire_order(timers: list[tuple[float, int | None, float]], use_lanes: bool) -> tuple[list[int], int]:
    """Set the timers on an engine and return the order they fire in and the events counted."""
    engine = Engine()
    lanes = [engine.lane(), engine.lane()]
    fired: list[int] = []

    def setter(index: int, lane: int | None, delay: float):
        def set_timer(_):
            def record(event) -> None:
                fired.append(event.value)

            if lane is None:
                engine.call_later(delay, record, index)
            elif use_lanes:
                lanes[lane].call_later(lane_delay(lane, delay), record, index)
            else:
                engine.call_later(lane_delay(lane, delay), record, index)

        return set_timer

    for index, (at, lane, delay) in enumerate(timers):
        engine.call_later(at, setter(index, lane, delay))
    engine.run_until(100.0)
    return fired, engine.processed


@settings(max_examples=200, deadline=None)
@given(Timers)
def test_lanes_fire_in_the_order_of_one_queue(timers) -> None:
    assert fire_order(timers, use_lanes=True) == fire_order(timers, use_lanes=False)


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
