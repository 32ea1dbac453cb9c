"""`sim.servers`: the discipline of SimPy's PriorityResource, without processes.

Random jobs (arrival, priority, duration) on a pool of servers must start at
the same times, in the same order, as SimPy's own `PriorityResource` serves
them (the reference), for any capacity.
"""

from __future__ import annotations

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import Engine
from sim.servers import Servers

ARRIVALS = st.sampled_from([0.0, 1.0, 1.5, 4.0, 9.0])  # few values: many ties
HOURS = st.sampled_from([0.5, 2.0, 3.0, 7.5])
Jobs = st.lists(
    st.tuples(ARRIVALS, st.integers(0, 2), HOURS),
    min_size=1,
    max_size=30,
)


def simpy_starts(jobs: list[tuple[float, int, float]], capacity: int) -> list[tuple[float, int]]:
    env = simpy.Environment()
    crew = simpy.PriorityResource(env, capacity=capacity)
    started: list[tuple[float, int]] = []

    def job(index: int, arrival: float, priority: int, hours: float):
        yield env.timeout(arrival)
        with crew.request(priority=priority) as request:
            yield request
            started.append((env.now, index))
            yield env.timeout(hours)

    for index, (arrival, priority, hours) in enumerate(jobs):
        env.process(job(index, arrival, priority, hours))
    env.run()
    return started


def pool_starts(jobs: list[tuple[float, int, float]], capacity: int) -> list[tuple[float, int]]:
    engine = Engine()
    pool = Servers(capacity)
    started: list[tuple[float, int]] = []

    def start(job: tuple[int, float]) -> None:
        index, hours = job
        started.append((engine.now, index))
        engine.call_later(hours, lambda timer: pool.release())

    for index, (arrival, priority, hours) in enumerate(jobs):
        engine.call_later(arrival, lambda timer, i=index, p=priority, h=hours: pool.request(p, start, (i, h)))
    engine.run_until(1e9)
    return started


@settings(max_examples=300, deadline=None)
@given(Jobs, st.integers(1, 3))
def test_jobs_start_as_simpys_priority_resource_starts_them(jobs, capacity) -> None:
    assert pool_starts(jobs, capacity) == simpy_starts(jobs, capacity)


def test_a_busy_pool_serves_the_lowest_priority_number_first_and_never_interrupts() -> None:
    # one server busy 0-10 with a low-priority job; at 1 and 2 two jobs queue, the urgent one last
    jobs = [(0.0, 1, 10.0), (1.0, 1, 1.0), (2.0, 0, 1.0)]
    assert pool_starts(jobs, 1) == [(0.0, 0), (10.0, 2), (11.0, 1)]


def test_a_pool_refuses_no_servers_and_a_release_nobody_held() -> None:
    import pytest

    with pytest.raises(ValueError, match="at least one server"):
        Servers(0)
    pool = Servers(2)
    pool.request(0, lambda job: None, "a")
    pool.release()
    with pytest.raises(RuntimeError, match="no job held"):
        pool.release()
