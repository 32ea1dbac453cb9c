"""Collectors' other duties: the non-fee work of housekeepers, which comes before chasing fees.

Collectors are housekeepers: besides the fee campaign they answer owners'
requests, inspect, show contractors round.  That work arrives as a Poisson
stream during the team's working hours, at a rate that keeps the share
`team.other_duties.share` of every collector's working time busy on average
(collectors x share / mean duration per working hour), each task taking a
lognormal `team.other_duties.minutes`.  The tasks wait in one list for the
team; a collector takes the oldest before any fee work.  So the campaign
gets the time left over, and a smaller team has less of it.

Arrival times and durations come from streams of their own, so the same
seed gives the same duties whatever the fee strategy (with the same shifts).
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from sim.engine import Timer
from sim.service import work_finish

if TYPE_CHECKING:
    from sim.campaign import Campaign

MINUTES_PER_HOUR = 60.0


class OtherDuties:
    """The team's list of non-fee tasks and the stream that fills it."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        config = campaign.scenario.team.other_duties
        self.config = config
        self.rng = campaign.streams.generator("team.duties")
        self.durations = campaign.streams.generator("team.duties.minutes")
        minutes = config.minutes
        self.sigma2 = math.log1p(minutes.cv**2)
        self.waiting: deque[float] = deque()  # minutes of each task waiting, oldest first
        self.arrived = 0
        self.hours = 0.0  # collectors' time spent on the tasks taken

    def start(self) -> None:
        """Start the stream of tasks (a chain of timers, one per task) if collectors have other duties."""
        config, collectors = self.config, self.campaign.scenario.team.collectors
        if config.enabled and config.share > 0.0 and collectors > 0:
            self.mean_gap = config.minutes.mean / MINUTES_PER_HOUR / (collectors * config.share)
            self.campaign.env.call_now(self._plan_next)

    def _plan_next(self, _: object = None) -> None:
        campaign = self.campaign
        now = campaign.env.now
        at = work_finish(campaign.work_shifts, now, float(self.rng.exponential(self.mean_gap)))
        if at < campaign.horizon:
            campaign.env.call_later(at - now, self._arrives)

    def _arrives(self, _: Timer) -> None:
        self.arrived += 1
        self.waiting.append(self._duration())
        self.campaign.idle.work_arrived(self.campaign.env.now)
        self._plan_next()

    def _duration(self) -> float:
        minutes = self.config.minutes
        if minutes.cv == 0:
            return minutes.mean
        mu = math.log(minutes.mean) - self.sigma2 / 2
        return float(self.durations.lognormal(mu, math.sqrt(self.sigma2)))

    def take(self) -> float | None:
        """Return the minutes of the oldest waiting task, taken off the list, or None."""
        if not self.waiting:
            return None
        minutes = self.waiting.popleft()
        self.hours += minutes / MINUTES_PER_HOUR
        return minutes
