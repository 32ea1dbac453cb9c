"""Collectors: SimPy processes on shifts that hand out bills and make calls (V1, V2, T5).

A collector on shift first hands out any bills waiting; inside a call window
they call the best ready owner of the work queue; otherwise they wait until
the next window, the next ready owner or new work, whichever comes first.
An answered fee call ends in one outcome of the logit in `sim.choice`.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.choice import HOSTILE, PAYS_NOW, PROMISES, REFUSES, STALLS
from sim.population import GRIEVANCE_KINDS
from sim.scenario.schema import OUTCOMES, Minutes

if TYPE_CHECKING:
    from sim.campaign import Campaign

MINUTES_PER_HOUR = 60.0
RETRY_KEY = {STALLS: "stalls", REFUSES: "refuses", HOSTILE: "hostile"}


def lognormal_minutes(rng: np.random.Generator, minutes: Minutes) -> float:
    """Draw a duration in minutes, lognormal with the given mean and coefficient of variation."""
    if minutes.cv == 0:
        return minutes.mean
    sigma2 = math.log1p(minutes.cv**2)
    return float(rng.lognormal(math.log(minutes.mean) - sigma2 / 2, math.sqrt(sigma2)))


class Collector:
    """One collector's working life as a SimPy process."""

    def __init__(self, campaign: Campaign, index: int) -> None:
        self.campaign = campaign
        self.index = index
        self.rng = campaign.streams.generator("collector", index)
        self.team = campaign.scenario.team

    def run(self) -> Generator[simpy.Event, None, None]:
        """Work shift after shift until the horizon (a SimPy process)."""
        campaign, env = self.campaign, self.campaign.env
        while env.now < campaign.horizon:
            shift = campaign.shifts.current_or_next(env.now)
            if shift is None:
                return
            if env.now < shift[0]:
                yield env.timeout(shift[0] - env.now)
                continue
            owner = campaign.billing.take()
            if owner is not None:
                yield from self._deliver(owner)
                continue
            owner = self._next_call()
            if owner is not None:
                yield from self._call(owner)
                continue
            yield from self._idle(shift)

    def _next_call(self) -> int | None:
        campaign = self.campaign
        window = campaign.call_windows.current_or_next(campaign.env.now)
        if window is None or window[0] > campaign.env.now:
            return None
        return campaign.queue.pop(campaign.env.now)

    def _idle(self, shift: tuple[float, float]) -> Generator[simpy.Event, None, None]:
        campaign, now = self.campaign, self.campaign.env.now
        wake = shift[1]
        window = campaign.call_windows.current_or_next(now)
        if window is not None and window[0] <= now:
            wake = min(wake, window[1], campaign.queue.next_ready())
        elif window is not None:
            wake = min(wake, window[0])
        yield from campaign.wait_for_work(self.index, min(wake, campaign.horizon))

    def _deliver(self, owner: int) -> Generator[simpy.Event, None, None]:
        minutes = lognormal_minutes(self.rng, self.team.delivery_minutes)
        yield self.campaign.env.timeout(minutes / MINUTES_PER_HOUR)
        self.campaign.busy_hours += minutes / MINUTES_PER_HOUR
        self.campaign.billing.deliver(owner, self.campaign.env.now, self.index)

    def _call(self, owner: int) -> Generator[simpy.Event, None, None]:
        campaign = self.campaign
        start = campaign.env.now
        reached = campaign.draws.uniform(owner) < campaign.reach_probability(owner, start)
        minutes = lognormal_minutes(self.rng, self.team.call_minutes if reached else self.team.ring_minutes)
        yield campaign.env.timeout(minutes / MINUTES_PER_HOUR)
        campaign.busy_hours += minutes / MINUTES_PER_HOUR
        campaign.count_call(owner, start)
        if not math.isnan(campaign.decided_at[owner]):
            return
        if not campaign.population.has_phone[owner]:
            campaign.record_call(start, owner, self.index, "invalid_number", reached=False)
            campaign.unreachable[owner] = True
            return
        if not reached:
            campaign.record_call(start, owner, self.index, "no_answer", reached=False)
            campaign.plan_call(owner, campaign.env.now, "no_answer", "follow_up")
            return
        self._conversation(owner, start)

    def _conversation(self, owner: int, start: float) -> None:
        campaign = self.campaign
        now = campaign.env.now
        pop, hazard = campaign.population, campaign.hazard
        probabilities = campaign.outcomes.probabilities(
            int(pop.segment[owner]),
            hazard.mood(owner, start),
            hazard.perceived_share(owner),
            campaign.chased[owner],
            bool(pop.grievance[owner]),
        )
        outcome = campaign.outcomes.draw(campaign.draws.uniform(owner), probabilities)
        campaign.chased[owner] += 1
        campaign.record_call(start, owner, self.index, OUTCOMES[outcome], reached=True)
        if outcome == PAYS_NOW:
            campaign.decide(owner, now, "call")
        elif outcome == PROMISES:
            campaign.promises.make(owner, now, self.index)
        else:
            if outcome == REFUSES:
                reason = GRIEVANCE_KINDS[int(pop.grievance[owner])].replace("none", "unwilling")
                campaign.recorder.log(now, "refusal", owner, self.index, reason)
            campaign.plan_call(owner, now, RETRY_KEY[outcome], "follow_up")

