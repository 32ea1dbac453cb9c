"""Promises to pay (T5a, V2): a due time, a keep probability and the follow-up.

A promise made at a contact is due after a delay D drawn uniformly from
`strategy.promises.delay_days`, at a waking hour (`availability.waking_hours`):
the promised day is the day t + D days falls on, and the fraction of that day
is laid over the waking hours, so a later draw gives a later time and nobody
promises to pay at 4 in the morning.  The reminder goes out
`follow_up.remind_hours_before` the due time, or, if that is in the night,
at the end of the waking hours before it (the evening before).
Its keep probability is

    keep = min(1, promise_keep[segment] * exp(-decay * delay) * f_time)

where f_time = `follow_up.concrete_time_keep` when the collector asked for a
concrete time (V2).  When the previous promise was broken and the owner then
got the "I have been waiting" call (V2), embarrassment closes the share
`follow_up.embarrassment` of the gap to a certain keep: keep += (1 - keep) x e.
A reminder that reaches the owner before the due time (T5a; by phone, so not
an owner without a valid number) multiplies the keep probability by
`follow_up.reminder_keep` (at most 1).  A promise is a decision to pay like
any other: while the owner's grievance is still open at the due time, its
keep probability is multiplied by `service.grievance_block` (a promise "once
you have fixed it").  At the due time the owner pays (through
their channel) with that probability; otherwise the promise is broken and
the owner goes back on the follow-up list (`waiting` with the waiting call,
`broken_promise` without).  A promise counts as kept when the owner has
decided to pay by its due time, whatever the route.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY
from sim.engine import Timer
from sim.scenario.schema import SEGMENTS

if TYPE_CHECKING:
    from sim.campaign import Campaign


def waking_due_time(t: float, delay_days: float, wake: float, sleep: float) -> float:
    """Return the due time of a promise made at `t` for `delay_days` later, inside the waking hours.

    The day is the one t + 24 x delay_days falls on; the fraction of that day maps onto
    [wake, sleep).  A time not after `t` (a delay under a day) moves to the next day.
    """
    moment = t / HOURS_PER_DAY + delay_days
    day = math.floor(moment)
    due = day * HOURS_PER_DAY + wake + (moment - day) * (sleep - wake)
    return due if due > t else due + HOURS_PER_DAY


def waking_at_or_before(t: float, wake: float, sleep: float) -> float:
    """Return `t` if it is in the waking hours [wake, sleep], else the last waking moment before it."""
    day = math.floor(t / HOURS_PER_DAY)
    hour = t - day * HOURS_PER_DAY
    if hour < wake:
        return (day - 1) * HOURS_PER_DAY + sleep
    return min(t, day * HOURS_PER_DAY + sleep)


class Promises:
    """Makes promises, reminds, and settles them when they fall due."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.strategy.promises
        self.follow_up = campaign.scenario.strategy.follow_up
        segments = campaign.scenario.owners.segments
        self.keep_base = [segments.get(name).promise_keep for name in SEGMENTS]
        self.keep = [0.0] * campaign.population.size
        self.version = [0] * campaign.population.size
        self.made = self.kept = self.broken = 0
        self.grievance_block = campaign.scenario.service.grievance_block
        waking = campaign.scenario.availability.waking_hours
        self.wake, self.sleep = float(waking.start), float(waking.end)

    def keep_probability(self, segment: int, delay_days: float, embarrassed: bool = False) -> float:
        """Return the chance that a promise due in `delay_days` is kept (before any reminder)."""
        keep = self.keep_base[segment] * math.exp(-self.config.keep_decay_per_day * delay_days)
        if self.follow_up.ask_time:
            keep *= self.follow_up.concrete_time_keep
        keep = min(1.0, keep)
        if embarrassed and self.follow_up.waiting_call:
            keep += (1.0 - keep) * self.follow_up.embarrassment
        return keep

    def make(self, owner: int, t: float, collector: int) -> None:
        """Record a promise made at a contact ending at `t`, and schedule its due time."""
        campaign = self.campaign
        delay = campaign.draws.between(owner, self.config.delay_days.min, self.config.delay_days.max)
        embarrassed = campaign.embarrassed[owner]
        campaign.embarrassed[owner] = False
        self.keep[owner] = self.keep_probability(campaign.traits.segment[owner], delay, embarrassed)
        self.version[owner] += 1
        due = waking_due_time(t, delay, self.wake, self.sleep)
        self.made += 1
        for queue in (campaign.calls, campaign.followups):
            queue.drop(owner)
        how = "concrete time" if self.follow_up.ask_time else "made"
        campaign.recorder.log(t, "promise", owner, collector, how, due)
        if due >= campaign.horizon:
            return
        self._at(due - t, owner, self._fall_due)
        remind_at = waking_at_or_before(due - self.follow_up.remind_hours_before, self.wake, self.sleep)
        if self.follow_up.remind and remind_at > t:
            self._at(remind_at - t, owner, self._remind)

    def _at(self, delay: float, owner: int, callback) -> None:
        self.campaign.env.call_later(delay, callback, (owner, self.version[owner]))

    def _remind(self, event: Timer) -> None:
        owner, version = event.value
        campaign = self.campaign
        if version != self.version[owner] or not campaign.is_open(owner):
            return
        campaign.extra_staff_hours += campaign.scenario.strategy.notices.staff_minutes / 60.0
        if not campaign.has_phone[owner]:  # a promise made face to face: the message cannot reach them (T7)
            campaign.record_contact(campaign.env.now, "reminder", owner, -1, "undelivered")
            return
        self.keep[owner] = min(1.0, self.keep[owner] * self.follow_up.reminder_keep)
        campaign.record_contact(campaign.env.now, "reminder", owner, -1, "sent")

    def _fall_due(self, event: Timer) -> None:
        owner, version = event.value
        if version != self.version[owner]:
            return
        campaign = self.campaign
        now = campaign.env.now
        if not campaign.is_open(owner):
            self.kept += 1
            campaign.recorder.log(now, "promise_due", owner, outcome="already_paid")
            return
        keep = self.keep[owner]
        if campaign.grievance_open[owner]:  # "when you have fixed it": the grievance still blocks payment
            keep *= self.grievance_block
        if campaign.draws.uniform(owner) < keep:
            self.kept += 1
            campaign.recorder.log(now, "promise_due", owner, outcome="kept")
            campaign.decide(owner, now, "promise")
            return
        self.broken += 1
        campaign.recorder.log(now, "promise_due", owner, outcome="broken")
        campaign.plan_call(
            owner, now, "broken_promise", "waiting" if self.follow_up.waiting_call else "broken_promise"
        )
