"""Staff atmosphere (T2): guards, cleaners and technicians remind unpaid owners they meet.

Non-collecting staff meet owners at random: encounters arrive as a Poisson
process at `staff x encounters_per_staff_per_day` per day, spread over the
open hours of `atmosphere.hours` on its days, each with an owner drawn uniformly.  Meeting a
billed, unpaid owner adds pressure (a decaying pulse).  The staff are on
duty anyway: encounters cost no extra staff time.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from sim.calendar import Timetable
from sim.service import work_finish

if TYPE_CHECKING:
    from sim.campaign import Campaign


class Atmosphere:
    """The random encounters of non-collecting staff with owners."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.strategy.atmosphere
        self.rng = campaign.streams.generator("atmosphere")
        self.open = Timetable(campaign.calendar.intervals([self.config.hours], skip_holidays=False))

    def start(self) -> None:
        """Start the encounters if the tactic is on."""
        config = self.config
        if config.enabled and config.staff > 0 and config.encounters_per_staff_per_day > 0:
            self.campaign.env.process(self._encounters())

    def _encounters(self) -> Generator[simpy.Event, None, None]:
        campaign, config = self.campaign, self.config
        open_hours_per_day = config.hours.end - config.hours.start
        mean_gap = open_hours_per_day / (config.staff * config.encounters_per_staff_per_day)
        size = campaign.population.size
        while True:
            at = work_finish(self.open, campaign.env.now, float(self.rng.exponential(mean_gap)))
            if at >= campaign.horizon:
                return
            yield campaign.env.timeout(at - campaign.env.now)
            owner = int(self.rng.integers(size))
            if campaign.is_open(owner):
                campaign.record_contact(at, "staff_encounter", owner, -1, "reminded")
                campaign.effects.press(owner, config.pressure, at)
