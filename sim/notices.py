"""SMS/WeChat fee notices (T5a; evidence: Haynes et al. 2013, Karlan et al. 2016).

Each billed owner gets a notice `first_after_days` after the bill and then
every `every_days` days while unpaid, up to `max_per_owner`.  A notice adds
pressure (a decaying pulse, stronger when signed with the collector's name)
and costs a clerk `staff_minutes`.  A notice to an owner without a valid
phone number bounces: it costs the same and does nothing (T7).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY
from sim.engine import Lane, Timer

if TYPE_CHECKING:
    from sim.campaign import Campaign


class NoticeSender:
    """Schedules and sends the notices of every billed owner."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        config = campaign.scenario.strategy.notices
        # what sending reads, read once (a pydantic attribute costs three plain ones)
        self.first_after = config.first_after_days * HOURS_PER_DAY if config.enabled else math.inf
        self.every = config.every_days * HOURS_PER_DAY
        self.max_per_owner = config.max_per_owner
        self.staff_hours = config.staff_minutes / 60.0
        self.outcome = "personal" if config.personal else "standard"
        self.pressure = config.personal_pressure if config.personal else config.pressure
        self.sent = [0] * campaign.population.size
        # every first notice waits the same time after its bill, every next one the same after the last;
        # a notice `_send` would skip (the owner has decided) is dropped unfired
        self.first = campaign.env.lane(void=self._skipped)
        self.repeat = campaign.env.lane(void=self._skipped)

    def billed(self, owner: int, t: float) -> None:
        """Plan the first notice of a newly billed owner (`t` is now)."""
        if self.first_after < math.inf and self.max_per_owner > 0:
            self._plan(self.first, owner, self.first_after)

    def _plan(self, lane: Lane, owner: int, after: float) -> None:
        campaign = self.campaign
        if campaign.env.now + after < campaign.horizon:
            lane.call_later(after, self._send, owner)

    def _skipped(self, owner: int) -> bool:
        return not self.campaign.open[owner]

    def _send(self, event: Timer) -> None:
        owner, campaign = event.value, self.campaign
        if self._skipped(owner):
            return
        now = campaign.env.now
        self.sent[owner] += 1
        campaign.extra_staff_hours += self.staff_hours
        if campaign.has_phone[owner]:
            campaign.record_contact(now, "notice", owner, -1, self.outcome)
            campaign.effects.press(owner, self.pressure, now)
        else:  # no valid number: the message bounces (T7)
            campaign.record_contact(now, "notice", owner, -1, "undelivered")
        if self.sent[owner] < self.max_per_owner:
            self._plan(self.repeat, owner, self.every)
