"""The collecting team: skill and morale (T1), the daily debrief (T3).

A collector's effectiveness is skill x morale.  Morale (at most 1) falls
after hostile encounters and refusals (less with calm listening, P1), rises
after payments, and recovers toward 1 at a rate per day, faster when
colleagues support each other (T1).  The daily debrief (T3) takes the last
minutes of each working day: it closes part of every collector's morale gap
and adds to their skill, up to a cap.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from sim.calendar import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim.campaign import Campaign


class Team:
    """Skill and morale of every collector."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        config = campaign.scenario.team.morale
        self.config = config
        n = campaign.scenario.team.collectors
        rng = campaign.streams.generator("team.skill")
        sd = config.skill_sd if config.enabled else 0.0
        self.skill = [float(math.exp(sd * z - sd * sd / 2)) for z in rng.standard_normal(n)]
        self._morale = [1.0] * n
        self._since = [0.0] * n
        self.debriefs = 0
        self.daily_morale: list[float] = [1.0]
        strategy = campaign.scenario.strategy
        self.recovery = config.support_recovery_per_day if config.support else config.recovery_per_day
        self.calm = strategy.conduct.calm_listening
        self.enabled = config.enabled  # read at every contact: once here (pydantic attributes cost more)

    def morale(self, collector: int, t: float) -> float:
        """Return a collector's morale at time `t` (recovering toward 1 since the last change)."""
        if not self.enabled:
            return 1.0
        gap = 1.0 - self._morale[collector]
        return 1.0 - gap * math.exp(-self.recovery * (t - self._since[collector]) / HOURS_PER_DAY)

    def effectiveness(self, collector: int, t: float) -> float:
        """Return skill x morale of a collector."""
        return self.skill[collector] * self.morale(collector, t)

    def _shift_morale(self, collector: int, t: float, change: float) -> None:
        if not self.enabled:
            return
        level = min(1.0, max(self.config.floor, self.morale(collector, t) + change))
        self._morale[collector], self._since[collector] = level, t

    def after_outcome(self, collector: int, outcome: str, t: float) -> None:
        """Update morale after a contact's outcome."""
        config = self.config
        if outcome == "hostile":
            self._shift_morale(collector, t, -config.hostile_loss * (0.5 if self.calm else 1.0))
        elif outcome == "refuses":
            self._shift_morale(collector, t, -config.refusal_loss * (0.5 if self.calm else 1.0))
        elif outcome == "pays_now":
            self._shift_morale(collector, t, config.payment_gain)

    def mean_morale(self, t: float) -> float:
        """Return the team's mean morale at time `t`."""
        n = len(self._morale)
        return sum(self.morale(c, t) for c in range(n)) / n if n else 1.0

    def morale_sampler(self) -> Generator[simpy.Event, None, None]:
        """Record the team's mean morale at the end of every day (a SimPy process)."""
        env = self.campaign.env
        for day in range(1, self.campaign.scenario.horizon_days + 1):
            yield env.timeout(day * HOURS_PER_DAY - env.now)
            self.daily_morale.append(self.mean_morale(env.now))

    def debrief_times(self) -> list[float]:
        """Return the start of each day's debrief: the last minutes of every working day."""
        debrief = self.campaign.scenario.strategy.debrief
        if not debrief.enabled:
            return []
        minutes = debrief.minutes / 60.0
        by_day: dict[int, float] = {}
        for _, end in self.campaign.shifts.intervals:
            by_day[int(end // HOURS_PER_DAY)] = end
        return [end - minutes for end in sorted(by_day.values())]

    def debrief_process(self) -> Generator[simpy.Event, None, None]:
        """Hold the daily debrief (a SimPy process)."""
        env, debrief = self.campaign.env, self.campaign.scenario.strategy.debrief
        for start in self.debrief_times():
            if start >= self.campaign.horizon:
                return
            yield env.timeout(max(0.0, start - env.now) + debrief.minutes / 60.0)
            self.debriefs += 1
            for c in range(len(self.skill)):
                gap = 1.0 - self.morale(c, env.now)
                self._shift_morale(c, env.now, debrief.morale_restore * gap)
                self.skill[c] = min(debrief.skill_cap, self.skill[c] + debrief.skill_gain)
