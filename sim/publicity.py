"""Negative talk and publicity (T11).

Vocal hard owners spread negative talk in the community chat: while unpaid
and billed, they lower every owner's perceived share by the factor (1 - d),

    d = min(cap, strength * V / B),

V the unpaid billed vocal owners and B the billed households, each counted
with its weight (an opinion leader who is vocal talks `social.leader_weight`
times as loud).  Publicity
answers it: with online guidance the talk keeps only `guidance_factor` of
its force, and notice boards post the community's true paid share every
`notice_every_days` days (in the learning perception, a look for everyone).
d is re-applied when it has moved by at least `sentiment.step`, so that a
change costs O(neighbourhoods) and happens a bounded number of times.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from sim.calendar import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim.campaign import Campaign


class NegativeTalk:
    """The discount of perceived shares by vocal owners' talk."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = config = campaign.scenario.sentiment
        self.enabled, self.cap, self.strength = config.enabled, config.cap, config.strength  # read per bill
        self.step = config.step
        publicity = campaign.scenario.strategy.publicity
        self.factor = publicity.guidance_factor if publicity.enabled and publicity.guidance else 1.0
        self.vocal_unpaid = 0.0
        self.billed = 0.0
        self.weight = campaign.neighbourhoods.weight

    def level(self) -> float:
        """Return the discount d the talk would impose now."""
        if not self.enabled or self.billed == 0:
            return 0.0
        return min(self.cap, self.strength * self.vocal_unpaid / self.billed) * self.factor

    def billed_owner(self, owner: int, t: float) -> None:
        """Count a new bill (and a new talker if the owner is vocal)."""
        self.billed += self.weight[owner]
        if self.campaign.traits.vocal[owner]:
            self.vocal_unpaid += self.weight[owner]
        self._apply(t)

    def paid_owner(self, owner: int, t: float) -> None:
        """Count a payment (one talker fewer if the owner was vocal)."""
        if self.campaign.traits.vocal[owner]:
            self.vocal_unpaid -= self.weight[owner]
            self._apply(t)

    def _apply(self, t: float) -> None:
        level, hazard = self.level(), self.campaign.hazard
        if abs(level - hazard.discount) >= self.step or (level == 0.0 and hazard.discount != 0.0):
            hazard.set_discount(level, t)


class NoticeBoard:
    """Posts the community's true paid share at regular intervals (T11)."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.strategy.publicity
        self.posted = 0

    def start(self) -> None:
        """Start posting if publicity is on."""
        if self.config.enabled:
            self.campaign.env.process(self._post())

    def _post(self) -> Generator[simpy.Event, None, None]:
        campaign = self.campaign
        first = campaign.scenario.strategy.billing.start_day * HOURS_PER_DAY + self.config.notice_hour
        at = first + self.config.notice_every_days * HOURS_PER_DAY
        while at < campaign.horizon:
            yield campaign.env.timeout(at - campaign.env.now)
            share = campaign.neighbourhoods.community_share()
            self.posted += 1
            campaign.recorder.log(at, "notice_board", outcome="posted", value=share)
            campaign.hazard.post_notice(share, at)
            at += self.config.notice_every_days * HOURS_PER_DAY
