"""Owners who complain about being chased: over-contact has a price (bounded persistence).

Every answered fee contact (call or visit) beyond `over_contact.tolerance`
answered contacts in the owner's last `window_days` days gives the owner the
chance `complaint_probability` of complaining about being chased, to the
residents' committee or the 12345 city hotline.  A complaint

* annoys the owner (an annoyance pulse `over_contact.annoyance`: a lower
  hazard and sourer answers, docs/model.md section 20);
* stops fee contacts with that owner for `cooling_off_days` (the company
  must answer the complaint and back off);
* costs `complaint_hours` of a manager's time (extra staff hours).

So chasing harder pays only up to a point: the owners chased most are the
ones most likely to complain, and a complaint puts them out of reach for a
while.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim.campaign import Campaign


class OverContact:
    """Answered fee contacts per owner in a sliding window, and the complaints they provoke."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        config = campaign.scenario.over_contact
        self.config = config
        self.enabled = config.enabled
        self.window = config.window_days * HOURS_PER_DAY
        self.recent: dict[int, deque[float]] = {}  # answered fee contacts in the window, by owner
        self.blocked_until = [0.0] * campaign.population.size
        self.complaints = 0

    def answered(self, owner: int, start: float, t: float) -> None:
        """Count an answered fee contact with `owner` begun at `start`; at its end, `t`, they may complain."""
        if not self.enabled:
            return
        recent = self.recent.get(owner)
        if recent is None:
            recent = self.recent[owner] = deque()
        recent.append(start)
        while recent[0] <= start - self.window:
            recent.popleft()
        chased_too_often = len(recent) > self.config.tolerance and self.campaign.open[owner]
        if chased_too_often and self.campaign.draws.uniform(owner) < self.config.complaint_probability:
            self._complain(owner, t)

    def _complain(self, owner: int, t: float) -> None:
        campaign, config = self.campaign, self.config
        self.complaints += 1
        self.blocked_until[owner] = t + config.cooling_off_days * HOURS_PER_DAY
        campaign.extra_staff_hours += config.complaint_hours
        campaign.recorder.log(t, "complaint", owner, outcome="chased too often")
        campaign.effects.annoy(owner, config.annoyance, t)
        for queue in (campaign.calls, campaign.followups, campaign.visits, campaign.workplace):
            queue.drop(owner)  # what was planned waits too: the contact that follows is planned anew

    def not_before(self, owner: int, ready: float) -> float:
        """Return the earliest time a fee contact with `owner` planned for `ready` may take place."""
        blocked = self.blocked_until[owner]
        return blocked if blocked > ready else ready
