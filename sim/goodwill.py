"""Goodwill touches (V3): a message on holidays, a call on the owner's birthday.

On the first day of each public-holiday block (at `hour`, 10:00 by default)
every billed, unpaid owner gets a message; on their birthday (at the same
hour) a call.  Each touch adds goodwill (a decaying pulse) and costs
`staff_minutes`; both go by phone, so they do not reach an owner without a
valid number (T7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.calendar import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim.campaign import Campaign


class Goodwill:
    """Holiday messages and birthday calls."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.strategy.goodwill
        self.hour = self.config.hour

    def start(self) -> None:
        """Start the goodwill process if the tactic is on."""
        if self.config.enabled:
            self.campaign.env.process(self._touches())

    def schedule(self) -> list[tuple[float, int, str]]:
        """Return every touch of the horizon as (hour, owner or -1 for everyone, kind), sorted."""
        calendar, config = self.campaign.calendar, self.config
        touches: list[tuple[float, int, str]] = []
        if config.holidays:
            for day in range(calendar.days):
                if calendar.is_holiday(day) and (day == 0 or not calendar.is_holiday(day - 1)):
                    touches.append((day * HOURS_PER_DAY + self.hour, -1, "holiday_message"))
        if config.birthdays:
            touches += self._birthdays()
        return sorted(touches)

    def _birthdays(self) -> list[tuple[float, int, str]]:
        """Return each owner's birthdays within the horizon (day of year k: January 1st plus k days)."""
        calendar, birthday = self.campaign.calendar, self.campaign.population.birthday
        first = calendar.start
        found = []
        for year in (first.year, first.year + 1, first.year + 2):
            offset = (dt.date(year, 1, 1) - first).days + birthday  # days from the start, per owner
            (owners,) = np.nonzero((offset >= 0) & (offset < calendar.days))
            hours = (offset[owners] * HOURS_PER_DAY + self.hour).tolist()
            found += [(at, owner, "birthday_call") for at, owner in zip(hours, owners.tolist(), strict=True)]
        return found

    def _touches(self) -> Generator[simpy.Event, None, None]:
        campaign = self.campaign
        for at, owner, kind in self.schedule():
            if at >= campaign.horizon:
                return
            yield campaign.env.timeout(at - campaign.env.now)
            owners = range(campaign.population.size) if owner < 0 else (owner,)
            is_open = campaign.open
            for target in owners:
                if is_open[target]:
                    self._touch(target, kind)

    def _touch(self, owner: int, kind: str) -> None:
        campaign = self.campaign
        now = campaign.env.now
        campaign.extra_staff_hours += self.config.staff_minutes / 60.0
        if not campaign.has_phone[owner]:  # message and call go by phone: they do not reach the owner (T7)
            campaign.record_contact(now, kind, owner, -1, "undelivered")
            return
        campaign.record_contact(now, kind, owner, -1, "sent")
        campaign.effects.please(owner, self.config.effect, now)
