"""Promises to pay (T5a, V2): a due time and a keep probability.

A promise made at a call is due after a delay drawn uniformly from
`strategy.promises.delay_days`.  Its keep probability is the segment's
`promise_keep` times exp(-decay * delay): far-off promises are kept less.
At the due time the owner pays (through their channel) with that
probability; otherwise the promise is broken and the owner goes back into
the work queue as a `broken_promise`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy

from sim.calendar import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim.campaign import Campaign


class Promises:
    """Makes promises and settles them when they fall due."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.strategy.promises
        segments = campaign.scenario.owners.segments
        self.keep_base = [segments.get(name).promise_keep for name in ("ordinary", "undecided", "hard")]
        self.made = self.kept = self.broken = 0

    def keep_probability(self, segment: int, delay_days: float) -> float:
        """Return the chance that a promise due in `delay_days` is kept."""
        return self.keep_base[segment] * math.exp(-self.config.keep_decay_per_day * delay_days)

    def make(self, owner: int, t: float, collector: int) -> None:
        """Record a promise made at a call ending at `t`, and schedule its due time."""
        campaign = self.campaign
        delay = campaign.draws.between(owner, self.config.delay_days.min, self.config.delay_days.max)
        keep = self.keep_probability(int(campaign.population.segment[owner]), delay)
        due = t + delay * HOURS_PER_DAY
        self.made += 1
        campaign.queue.drop(owner)
        campaign.recorder.log(t, "promise", owner, collector, "made", due)
        if due < campaign.horizon:
            event = campaign.env.timeout(due - t, (owner, keep))
            event.callbacks.append(self._fall_due)

    def _fall_due(self, event: simpy.Event) -> None:
        owner, keep = event.value
        campaign = self.campaign
        now = campaign.env.now
        if not math.isnan(campaign.decided_at[owner]):
            self.kept += 1
            campaign.recorder.log(now, "promise_due", owner, outcome="already_paid")
            return
        if campaign.draws.uniform(owner) < keep:
            self.kept += 1
            campaign.recorder.log(now, "promise_due", owner, outcome="kept")
            campaign.decide(owner, now, "promise")
            return
        self.broken += 1
        campaign.recorder.log(now, "promise_due", owner, outcome="broken")
        campaign.plan_call(owner, now, "broken_promise", "broken_promise")
