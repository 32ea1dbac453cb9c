"""Collectors on shifts who hand out bills, call, visit and search (V1, T5-T7).

On shift a collector takes, in this order: a task of their other duties
(`sim.duties`); a bill waiting to be handed out;
inside a visit window, the next team or home visit; inside a fee-call window,
the next promise follow-up or fee call; inside a greeting window (V1: Monday
to Thursday), follow-ups and greetings first and fee calls only second; inside the
workplace-visit window, the next workplace visit (T7); at any time of the
shift, the next contact-discovery effort (T7).  With nothing to do they wait
for the next window, the next ready owner or new work, whichever is first.

A collector is a chain of timers rather than a SimPy process: each step of
a task is a callback that schedules the next (the same events in the same
order as a process, less its "process ended" event, without a generator to
resume at every step).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import HOURS_PER_DAY, Timetable
from sim.contacts import converse
from sim.engine import Timer
from sim.scenario.schema import Minutes
from sim.workqueue import WorkQueue

if TYPE_CHECKING:
    from sim.campaign import Campaign

MINUTES_PER_HOUR = 60.0


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

    def next(self) -> float:
        """Return the next standard normal draw."""
        k = self._next
        if k == len(self._block):
            self._block, k = self.rng.standard_normal(self.BLOCK).tolist(), 0
        self._next = k + 1
        return self._block[k]


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
        sources = work_sources(campaign)
        # a cursor only remembers its last look-up and time never goes back: the whole team shares these
        self.sources = [(t.cursor(), queues, action) for t, queues, action in sources]
        self.timetables = [t for t, _, _ in sources]
        self.shifts = campaign.work_shifts.cursor()

    def wake_time(self, now: float) -> float:
        """Return the first of: the shift's end, the first moment an owner on a list is ready in a window.

        Bills waiting to be handed out and other duties are work ready now;
        off shift, the next shift's start.  Only owners ready before the
        horizon count, so that nothing after the horizon changes the run
        before it.
        """
        campaign = self.campaign
        shift = self.shifts.at(now)
        if shift is None:
            return campaign.horizon
        if now < shift[0]:
            return min(shift[0], campaign.horizon)
        if campaign.billing.deliveries or campaign.duties.waiting:
            return now
        wake = shift[1]
        for (cursor, queues, _), timetable in zip(self.sources, self.timetables, strict=True):
            ready = min(queue.next_ready() for queue in queues)
            if ready >= wake:
                continue
            window = cursor.at(now)
            if window is not None and ready >= window[1]:  # not in this window: the first one it is ready in
                window = timetable.current_or_next(ready)
            if window is not None:
                wake = min(wake, max(ready, window[0]))
        return min(max(wake, now), campaign.horizon)


class Duration:
    """Lognormal durations in minutes with a given mean and CV, from standard normal draws."""

    __slots__ = ("fixed", "mean", "mu", "sigma")

    def __init__(self, minutes: Minutes) -> None:
        self.mean = minutes.mean
        self.fixed = minutes.cv == 0
        self.mu, self.sigma = (0.0, 0.0) if self.fixed else _log_parameters(minutes.mean, minutes.cv)

    def minutes(self, z: float) -> float:
        """Return the duration at standard normal `z`: the mean when the CV is 0."""
        return self.mean if self.fixed else math.exp(self.mu + self.sigma * z)


class Collector:
    """One collector's working life: from task to task, each step a timer.

    A step looks for the next task and starts it; a task's steps end in
    another look.  Off shift the collector waits for the next shift; with
    nothing to do, it sleeps among the idle collectors.
    """

    def __init__(self, campaign: Campaign, index: int) -> None:
        self.campaign = campaign
        self.env = campaign.env
        self.index = index
        self.normal = NormalDraws(campaign.streams.generator("collector", index))
        team = campaign.scenario.team
        self.strategy = strategy = campaign.scenario.strategy
        self.delivery_time = Duration(team.delivery_minutes)
        self.call_time, self.ring_time = Duration(team.call_minutes), Duration(team.ring_minutes)
        self.visit_time, self.team_visit_time = (
            Duration(strategy.visits.minutes),
            Duration(strategy.team_visits.minutes),
        )
        self.discovery_time = Duration(strategy.discovery.minutes)
        # what the tasks read at every step, read once (a pydantic attribute costs three plain ones)
        workplace, visits = strategy.workplace_visits, strategy.visits
        self.workplace_after = workplace.after_unanswered_calls if workplace.enabled else math.inf
        self.visit_after = visits.after_unanswered_calls if visits.enabled else math.inf
        self.travel_minutes = visits.travel_minutes
        self.not_home_minutes = visits.not_home_minutes
        self.visit_retry_hours = visits.retry_days * HOURS_PER_DAY
        self.discovery_retry_hours = strategy.discovery.retry_days * HOURS_PER_DAY
        actions = {
            "visit": self._visit,
            "fee_call": self._fee_call,
            "workplace_visit": self._workplace_visit,
            "discover": self._discover,
        }
        plan = campaign.wake_plan
        self.sources = [(cursor, queues, actions[action]) for cursor, queues, action in plan.sources]
        self.shifts = plan.shifts

    def start(self) -> None:
        """Start work at once, before the other events of the instant (as a SimPy process starts)."""
        self.env.call_now(self._work)

    def _work(self, _: object = None) -> None:
        """Take the next task; else wait for the shift, or sleep until work is due."""
        env, campaign = self.env, self.campaign
        now = env.now
        if now >= campaign.horizon:
            return
        shift = self.shifts.at(now)
        if shift is None:
            return
        if now < shift[0]:
            env.call_later(shift[0] - now, self._work)
        elif not self._start_next_task(now):
            campaign.idle.sleep().callbacks.append(self._work)

    def _start_next_task(self, now: float) -> bool:
        campaign = self.campaign
        duty = campaign.duties.take()
        if duty is not None:  # other duties first: the campaign gets the time left over
            self.env.call_later(duty / MINUTES_PER_HOUR, self._work)
            return True
        if campaign.billing.deliveries:
            self._deliver(campaign.billing.deliveries.popleft())
            return True
        for cursor, queues, act in self.sources:
            window = cursor.at(now)
            if window is None or window[0] > now:
                continue
            for queue in queues:
                owner = queue.pop(now)
                if owner is not None:
                    act(owner, queue.taken_kind)
                    return True
        return False

    def _spend(self, minutes: float, then: Callable[[Timer], None], value: object = None) -> None:
        """Spend `minutes` of work time, then go on with `then`."""
        hours = minutes / MINUTES_PER_HOUR
        self.campaign.busy_hours += hours
        self.env.call_later(hours, then, value)

    # -- the tasks ---------------------------------------------------------------

    def _deliver(self, owner: int) -> None:
        self._spend(self.delivery_time.minutes(self.normal.next()), self._delivered, owner)

    def _delivered(self, timer: Timer) -> None:
        self.campaign.billing.deliver(timer.value, self.env.now, self.index)
        self._work()

    def _fee_call(self, owner: int, kind: str) -> None:
        campaign = self.campaign
        start = self.env.now
        reached = campaign.draws.uniform(owner) < campaign.reach_probability(owner, start)
        minutes = (self.call_time if reached else self.ring_time).minutes(self.normal.next())
        self._spend(minutes, self._call_ended, (owner, kind, start, reached))

    def _call_ended(self, timer: Timer) -> None:
        owner, kind, start, reached = timer.value
        campaign = self.campaign
        if campaign.open[owner]:
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
        self._work()

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
        if misses >= self.workplace_after and campaign.workplace_known[owner]:
            campaign.enqueue(campaign.workplace, owner, now, "workplace")
        else:
            if misses >= self.visit_after:
                campaign.plan_visit(
                    owner, now, team=False, sooner=True
                )  # a visit as well: calls go on meanwhile
            campaign.plan_call(owner, now, "no_answer", kind if kind != "fresh" else "follow_up")

    def _greet(self, owner: int, start: float) -> None:
        campaign = self.campaign
        campaign.record_contact(start, "greeting_call", owner, self.index, "greeted")
        if self.strategy.calls.greeting_goodwill:
            campaign.effects.please(owner, self.strategy.goodwill.effect, campaign.env.now)

    def _visit(self, owner: int, kind: str) -> None:
        self.campaign.visits_made[owner][kind == "team"] += 1
        self._spend(self.travel_minutes, self._arrived, (owner, kind))

    def _arrived(self, timer: Timer) -> None:
        owner, kind = timer.value
        campaign, start = self.campaign, self.env.now
        at_home = campaign.draws.uniform(owner) < campaign.home_probability(owner, start)
        duration = self.team_visit_time if kind == "team" else self.visit_time
        minutes = duration.minutes(self.normal.next()) if at_home else self.not_home_minutes
        self._spend(minutes, self._visit_ended, (owner, kind, start, at_home, minutes))

    def _visit_ended(self, timer: Timer) -> None:
        owner, kind, start, at_home, minutes = timer.value
        campaign, team = self.campaign, kind == "team"
        if team:
            campaign.extra_staff_hours += (self.strategy.team_visits.size - 1) * minutes / MINUTES_PER_HOUR
        if campaign.is_open(owner):
            contact = "team_visit" if team else "home_visit"
            if not at_home:
                campaign.record_contact(start, contact, owner, self.index, "not_home")
                self._visit_again(owner, kind)
            else:
                converse(campaign, owner, start, self.index, contact)
        self._work()

    def _visit_again(self, owner: int, kind: str) -> None:
        """Try an owner who was not at home again `visits.retry_days` later, within the cap on visits."""
        campaign, now = self.campaign, self.env.now
        cap = (
            self.strategy.team_visits.max_per_owner if kind == "team" else self.strategy.visits.max_per_owner
        )
        if campaign.visits_made[owner][kind == "team"] < cap:
            campaign.enqueue(campaign.visits, owner, now + self.visit_retry_hours, kind)

    def _workplace_visit(self, owner: int, kind: str) -> None:
        hours = self.strategy.workplace_visits.hours
        self._spend(hours * MINUTES_PER_HOUR, self._workplace_visit_ended, (owner, self.env.now))

    def _workplace_visit_ended(self, timer: Timer) -> None:
        owner, start = timer.value
        if self.campaign.is_open(owner):
            converse(self.campaign, owner, start, self.index, "workplace_visit")
        self._work()

    def _discover(self, owner: int, kind: str) -> None:
        minutes = self.discovery_time.minutes(self.normal.next())
        self._spend(minutes, self._discovery_ended, (owner, self.env.now))

    def _discovery_ended(self, timer: Timer) -> None:
        owner, start = timer.value
        if self.campaign.is_open(owner):
            self._discovered(owner, start)
        self._work()

    def _discovered(self, owner: int, start: float) -> None:
        campaign, config = self.campaign, self.strategy.discovery
        campaign.discovery_attempts[owner] += 1
        now = self.env.now
        if campaign.draws.uniform(owner) < config.success:
            campaign.record_contact(start, "discovery", owner, self.index, "found")
            campaign.has_phone[owner] = True
            campaign.unreachable[owner] = False
            campaign.back_in_touch(owner, now)
            campaign.workplace_known[owner] = campaign.draws.uniform(owner) < config.workplace_found
            campaign.plan_call(owner, now, "no_answer")
        elif campaign.discovery_attempts[owner] < config.max_attempts:
            campaign.record_contact(start, "discovery", owner, self.index, "not_found")
            campaign.enqueue(campaign.discovery, owner, now + self.discovery_retry_hours, "discover")
        else:
            campaign.record_contact(start, "discovery", owner, self.index, "given_up")
            campaign.plan_visit(owner, now, team=False)
