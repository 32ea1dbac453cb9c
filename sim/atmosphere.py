"""Staff atmosphere (T2): guards, cleaners and technicians remind unpaid owners they meet.

Non-collecting staff meet owners at random: encounters arrive as a Poisson
process at `staff x encounters_per_staff_per_day` per day, spread over the
open hours of `atmosphere.hours` on its days, each with an owner drawn uniformly.  Meeting a
billed, unpaid owner adds pressure (a decaying pulse).  The staff are on
duty anyway: encounters cost no extra staff time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.calendar import Timetable
from sim.engine import Timer
from sim.rng import IndexDraws
from sim.service import work_finish

if TYPE_CHECKING:
    from sim.campaign import Campaign


class Atmosphere:
    """The random encounters of non-collecting staff with owners."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.strategy.atmosphere
        self.rng = campaign.streams.generator("atmosphere")
        self.owners = IndexDraws(self.rng)  # which owner each encounter meets
        self.open = Timetable(campaign.calendar.intervals([self.config.hours], skip_holidays=False))
        self.mean_gap = 0.0  # open hours between two encounters (set when the tactic starts)

    def start(self) -> None:
        """Start the encounters if the tactic is on (a chain of timers, one per encounter)."""
        config = self.config
        if config.enabled and config.staff > 0 and config.encounters_per_staff_per_day > 0:
            open_hours_per_day = config.hours.end - config.hours.start
            self.mean_gap = open_hours_per_day / (config.staff * config.encounters_per_staff_per_day)
            self.campaign.env.call_now(self._plan_next)

    def _plan_next(self, _: object = None) -> None:
        campaign = self.campaign
        now = campaign.env.now
        at = work_finish(self.open, now, float(self.rng.exponential(self.mean_gap)))
        if at < campaign.horizon:
            campaign.env.call_later(at - now, self._meet, at)

    def _meet(self, timer: Timer) -> None:
        campaign = self.campaign
        owner = self.owners.below(campaign.population.size)
        if campaign.open[owner]:
            at = timer.value  # the planned time (the clock may differ from it in the last bit)
            campaign.record_contact(at, "staff_encounter", owner, -1, "reminded")
            campaign.effects.press(owner, self.config.pressure, at)
        self._plan_next()
