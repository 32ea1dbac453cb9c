"""Idle collectors (`sim.idle`) and the work lists they plan from (`sim.workqueue`)."""

from __future__ import annotations

import math

from sim.engine import Engine
from sim.idle import IdleCollectors
from sim.workqueue import WorkQueue


class Desk:
    """A toy team: `jobs` pieces of work ready from hour `ready`; a woken collector takes one."""

    def __init__(self, sleepers: int, jobs: int, ready: float, shift_end: float = 100.0) -> None:
        self.env = Engine()
        self.jobs, self.ready, self.shift_end = 0, ready, shift_end
        self.pending_jobs = jobs
        self.idle = IdleCollectors(self.env, self.plan)
        self.woke: list[tuple[int, float]] = []  # (collector, hour) of each job taken
        self.stirred: list[tuple[int, float]] = []  # (collector, hour) of every wake-up
        for k in range(sleepers):
            self.env.process(self.collector(k))

    def plan(self, now: float) -> float:
        if self.jobs > 0:
            return max(now, self.ready)
        return self.shift_end

    def collector(self, k: int):
        env = self.env
        while env.now < self.shift_end:
            if self.jobs > 0 and env.now >= self.ready:
                self.jobs -= 1
                self.woke.append((k, env.now))
                yield env.timeout(50.0)  # busy well past the test
                return
            yield self.idle.sleep()
            self.stirred.append((k, env.now))

    def arrive(self, at: float):
        yield self.env.timeout(at)
        self.jobs = self.pending_jobs
        self.idle.work_arrived(self.ready)


def test_new_work_wakes_only_as_many_collectors_as_there_is_work() -> None:
    desk = Desk(sleepers=200, jobs=3, ready=20.0)
    desk.env.process(desk.arrive(10.0))
    desk.env.run_until(99.0)
    # the three who fell asleep first take the three jobs when they are ready; nobody else stirs
    assert desk.woke == [(0, 20.0), (1, 20.0), (2, 20.0)]
    assert desk.stirred == desk.woke
    # 201 process starts, then a handful of events for the work (replan, alarm, three wake-ups and
    # turns), not one wake-up per sleeper (waking all 200 to find three jobs would take 400+ events)
    assert desk.env.processed < 201 + 20


def test_sleepers_wake_at_their_plan_when_no_work_arrives() -> None:
    desk = Desk(sleepers=5, jobs=0, ready=20.0, shift_end=30.0)
    desk.env.run_until(40.0)
    assert desk.stirred == [(k, 30.0) for k in range(5)]  # each once, at the shift's end, in order
    assert desk.idle.latest == -math.inf  # and then left


def test_work_ready_later_than_every_sleeper_wakes_nobody_early() -> None:
    desk = Desk(sleepers=4, jobs=1, ready=200.0)
    desk.env.process(desk.arrive(10.0))
    desk.env.run_until(99.0)
    assert desk.stirred == []
    # no plan is made again either: 5 process starts, the arrival's timeout and its end, nothing else
    assert desk.env.processed == 7


def test_owners_left_ready_when_a_window_closed_still_count_as_ready() -> None:
    queue = WorkQueue(("fresh", "follow_up"), size=3)
    queue.schedule(0, 1.0, "fresh")
    queue.schedule(1, 2.0, "fresh")
    queue.schedule(2, 30.0, "fresh")
    assert queue.pop(5.0) == 0  # owner 1 is ready too and waits among the ready ones
    assert queue.next_ready() <= 5.0
    assert queue.pop(6.0) == 1
    assert queue.next_ready() == 30.0
    queue.drop(2)
    assert queue.next_ready() == math.inf


def test_sleepers_with_the_same_plan_share_one_alarm_and_wake_in_order() -> None:
    # five collectors fall asleep at hours 0-4 with the same plan: two jobs ready at 30.  Sharing
    # one alarm, the first two wake and take the jobs, then the other three sleep on together to
    # the shift's end at 60 (one more alarm), instead of each ringing its own alarm at 30 and at 60.
    env = Engine()
    jobs = [2]
    idle = IdleCollectors(env, lambda now: 30.0 if jobs[0] > 0 else 60.0)
    took: list[tuple[int, float]] = []
    ended: list[tuple[int, float]] = []

    def collector(k: int):
        yield env.timeout(float(k))
        while env.now < 60.0:
            if jobs[0] > 0 and env.now >= 30.0:
                jobs[0] -= 1
                took.append((k, env.now))
                return
            yield idle.sleep()
        ended.append((k, env.now))

    for k in range(5):
        env.process(collector(k))
    env.run_until(70.0)
    assert took == [(0, 30.0), (1, 30.0)] and ended == [(2, 60.0), (3, 60.0), (4, 60.0)]
    # 5 starts and 5 timeouts; at 30 one alarm, two wake-ups and the two turns after them; at 60
    # one alarm, three wake-ups and two turns; 5 ends.  With an alarm per sleeper: 31 events.
    assert env.processed == 5 + 5 + (1 + 2 + 2) + (1 + 3 + 2) + 5
