"""Collectors: SimPy processes on shifts that hand out bills, call, visit and search (V1, T5-T7).

On shift a collector takes, in this order: a bill waiting to be handed out;
inside a visit window, the next team or home visit; inside a fee-call window,
the next promise follow-up or fee call; inside a greeting window (V1: Monday
to Thursday), follow-ups and greetings first and fee calls only second; inside the
workplace-visit window, the next workplace visit (T7); at any time of the
shift, the next contact-discovery effort (T7).  With nothing to do they wait
for the next window, the next ready owner or new work, whichever is first.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.calendar import Timetable
from sim.contacts import converse
from sim.scenario.schema import Minutes
from sim.workqueue import WorkQueue

if TYPE_CHECKING:
    from sim.campaign import Campaign

MINUTES_PER_HOUR = 60.0
Task = Generator[simpy.Event, None, None]


def lognormal_minutes(z: float, minutes: Minutes) -> float:
    """Return the duration in minutes, lognormal with the given mean and CV, at standard normal `z`."""
    if minutes.cv == 0:
        return minutes.mean
    mu, sigma = _log_parameters(minutes.mean, minutes.cv)
    return math.exp(mu + sigma * z)


@functools.cache
def _log_parameters(mean: float, cv: float) -> tuple[float, float]:
    """Return (mu, sigma) of a lognormal by mean and CV: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2/2."""
    sigma2 = math.log1p(cv**2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


class NormalDraws:
    """Standard normal draws of one generator, drawn in blocks (same values as one by one)."""

    BLOCK = 1024

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._block: list[float] = []
        self._next = 0

    def __call__(self) -> float:
        """Return the next standard normal draw."""
        if self._next == len(self._block):
            self._block, self._next = self.rng.standard_normal(self.BLOCK).tolist(), 0
        self._next += 1
        return self._block[self._next - 1]


def work_sources(campaign: Campaign) -> list[tuple[Timetable, tuple[WorkQueue, ...], str]]:
    """Return the collectors' sources of work: (open times, work lists in priority order, action)."""
    c, strategy = campaign, campaign.scenario.strategy
    promises_first = strategy.calls.order.index("broken_promise") == 0
    fee_lists = (c.followups, c.calls) if promises_first else (c.calls, c.followups)
    sources = [
        (c.visit_windows, (c.visits,), "visit"),
        (c.fee_windows, fee_lists, "fee_call"),
        (c.greeting_windows, (c.followups, c.greetings, c.calls), "fee_call"),
        (c.workplace_windows, (c.workplace,), "workplace_visit"),
        (c.work_shifts if strategy.discovery.enabled else Timetable([]), (c.discovery,), "discover"),
    ]
    return [source for source in sources if source[0].intervals]


class WakePlan:
    """When a collector with nothing to do should look for work again (the same for every collector)."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        # a cursor only remembers its last look-up and time never goes back: the whole team shares these
        self.sources = [(t.cursor(), queues, action) for t, queues, action in work_sources(campaign)]
        self.shifts = campaign.work_shifts.cursor()

    def wake_time(self, now: float) -> float:
        """Return the first of: the shift's end, a window's end, the next owner ready in an open window.

        Bills waiting to be handed out are work ready now; off shift, the next shift's start.
        """
        campaign = self.campaign
        shift = self.shifts.at(now)
        if shift is None:
            return campaign.horizon
        if now < shift[0]:
            return min(shift[0], campaign.horizon)
        if campaign.billing.deliveries:
            return now
        wake = shift[1]
        for cursor, queues, _ in self.sources:
            ready = min(queue.next_ready() for queue in queues)
            if ready == math.inf:
                continue
            window = cursor.at(now)
            if window is None:
                continue
            wake = min(wake, window[1], max(ready, window[0]))
        return min(max(wake, now), campaign.horizon)


class Collector:
    """One collector's working life as a SimPy process."""

    def __init__(self, campaign: Campaign, index: int) -> None:
        self.campaign = campaign
        self.index = index
        self.normal = NormalDraws(campaign.streams.generator("collector", index))
        self.team = campaign.scenario.team
        self.strategy = campaign.scenario.strategy
        actions = {
            "visit": self._visit,
            "fee_call": self._fee_call,
            "workplace_visit": self._workplace_visit,
            "discover": self._discover,
        }
        plan = campaign.wake_plan
        self.sources = [(cursor, queues, actions[action]) for cursor, queues, action in plan.sources]
        self.shifts = plan.shifts

    def run(self) -> Task:
        """Work shift after shift until the horizon (a SimPy process)."""
        campaign, env = self.campaign, self.campaign.env
        while env.now < campaign.horizon:
            shift = self.shifts.at(env.now)
            if shift is None:
                return
            if env.now < shift[0]:
                yield env.timeout(shift[0] - env.now)
                continue
            task = self._next_task()
            if task is not None:
                yield from task
            else:
                yield from self._idle()

    def _next_task(self) -> Task | None:
        campaign, now = self.campaign, self.campaign.env.now
        if campaign.billing.deliveries:
            return self._deliver(campaign.billing.deliveries.popleft())
        for cursor, queues, act in self.sources:
            window = cursor.at(now)
            if window is None or window[0] > now:
                continue
            for queue in queues:
                owner = queue.pop(now)
                if owner is not None:
                    return act(owner, queue.taken_kind)
        return None

    def _idle(self) -> Task:
        yield self.campaign.idle.sleep()

    def _spend(self, minutes: float) -> simpy.Event:
        self.campaign.busy_hours += minutes / MINUTES_PER_HOUR
        return self.campaign.env.timeout(minutes / MINUTES_PER_HOUR)

    # -- the tasks ---------------------------------------------------------------

    def _deliver(self, owner: int) -> Task:
        yield self._spend(lognormal_minutes(self.normal(), self.team.delivery_minutes))
        self.campaign.billing.deliver(owner, self.campaign.env.now, self.index)

    def _fee_call(self, owner: int, kind: str) -> Task:
        campaign = self.campaign
        start = campaign.env.now
        reached = campaign.draws.uniform(owner) < campaign.reach_probability(owner, start)
        minutes = self.team.call_minutes if reached else self.team.ring_minutes
        yield self._spend(lognormal_minutes(self.normal(), minutes))
        if not campaign.is_open(owner):
            return
        if kind != "greeting":
            campaign.count_call(owner, start)
        if not campaign.has_phone[owner]:
            self._unreachable(owner, start)
        elif not reached:
            self._no_answer(owner, start, kind)
        elif kind == "greeting":
            self._greet(owner, start)
        else:
            campaign.unanswered[owner] = 0
            if kind == "waiting":
                campaign.embarrassed[owner] = True
            converse(campaign, owner, start, self.index, "call")

    def _unreachable(self, owner: int, start: float) -> None:
        campaign = self.campaign
        campaign.record_contact(start, "call", owner, self.index, "invalid_number")
        campaign.unreachable[owner] = True
        if self.strategy.discovery.enabled:
            campaign.enqueue(campaign.discovery, owner, campaign.env.now, "discover")
        else:
            campaign.plan_visit(owner, campaign.env.now, team=False)

    def _no_answer(self, owner: int, start: float, kind: str) -> None:
        campaign, now = self.campaign, self.campaign.env.now
        campaign.record_contact(start, "greeting_call" if kind == "greeting" else "call", owner, self.index,
                                "no_answer")  # fmt: skip
        if kind == "greeting":
            return
        campaign.unanswered[owner] += 1
        misses = campaign.unanswered[owner]
        workplace = self.strategy.workplace_visits
        if (
            workplace.enabled
            and campaign.workplace_known[owner]
            and misses >= workplace.after_unanswered_calls
        ):
            campaign.enqueue(campaign.workplace, owner, now, "workplace")
        elif self.strategy.visits.enabled and misses >= self.strategy.visits.after_unanswered_calls:
            campaign.plan_visit(owner, now, team=False)
        else:
            campaign.plan_call(owner, now, "no_answer", kind if kind != "fresh" else "follow_up")

    def _greet(self, owner: int, start: float) -> None:
        campaign = self.campaign
        campaign.record_contact(start, "greeting_call", owner, self.index, "greeted")
        campaign.effects.please(owner, self.strategy.goodwill.effect, campaign.env.now)

    def _visit(self, owner: int, kind: str) -> Task:
        campaign = self.campaign
        team = kind == "team"
        config = self.strategy.team_visits if team else self.strategy.visits
        yield self._spend(self.strategy.visits.travel_minutes)
        start = campaign.env.now
        at_home = campaign.draws.uniform(owner) < campaign.home_probability(owner, start)
        minutes = lognormal_minutes(self.normal(), config.minutes) if at_home else 1.0
        yield self._spend(minutes)
        if team:
            campaign.extra_staff_hours += (self.strategy.team_visits.size - 1) * minutes / MINUTES_PER_HOUR
        if not campaign.is_open(owner):
            return
        contact = "team_visit" if team else "home_visit"
        if not at_home:
            campaign.record_contact(start, contact, owner, self.index, "not_home")
            retry = self.strategy.visits.retry_days
            campaign.enqueue(campaign.visits, owner, campaign.env.now + retry * 24.0, kind)
            return
        converse(campaign, owner, start, self.index, contact)

    def _workplace_visit(self, owner: int, kind: str) -> Task:
        campaign = self.campaign
        start = campaign.env.now
        yield self._spend(self.strategy.workplace_visits.hours * MINUTES_PER_HOUR)
        if campaign.is_open(owner):
            converse(campaign, owner, start, self.index, "workplace_visit")

    def _discover(self, owner: int, kind: str) -> Task:
        campaign, config = self.campaign, self.strategy.discovery
        start = campaign.env.now
        yield self._spend(lognormal_minutes(self.normal(), config.minutes))
        if not campaign.is_open(owner):
            return
        campaign.discovery_attempts[owner] += 1
        now = campaign.env.now
        if campaign.draws.uniform(owner) < config.success:
            campaign.record_contact(start, "discovery", owner, self.index, "found")
            campaign.has_phone[owner] = True
            campaign.unreachable[owner] = False
            campaign.back_in_touch(owner, now)
            campaign.workplace_known[owner] = campaign.draws.uniform(owner) < config.workplace_found
            campaign.plan_call(owner, now, "no_answer")
        elif campaign.discovery_attempts[owner] < config.max_attempts:
            campaign.record_contact(start, "discovery", owner, self.index, "not_found")
            campaign.enqueue(campaign.discovery, owner, now + 7 * 24.0, "discover")
        else:
            campaign.record_contact(start, "discovery", owner, self.index, "given_up")
            campaign.plan_visit(owner, now, team=False)
