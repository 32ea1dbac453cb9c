"""The collecting team: skill and morale (T1), the daily debrief (T3).

A collector's effectiveness is skill x morale.  Morale m lies between a
floor f and 1.  A rebuff (a refusal or a hostile answer) closes the share
`refusal_loss` or `hostile_loss` of the distance to the floor,
m <- m - loss (m - f) (times `calm_loss_factor` with calm listening, P1); a
payment on the spot closes the share `payment_gain` of the distance to 1; in
between, morale recovers toward 1 at a rate per day, faster when colleagues
support each other (T1).  The daily debrief (T3) takes the last minutes of
each working day: it closes part of every collector's morale gap and adds
to their skill, up to a cap.

Because a loss is proportional to what is left above the floor, the loop
"rebuffs lower morale, low morale invites rebuffs" has a gain below 1 for any
contact rate (`morale_loop_gain_bound`, docs/model.md section 22).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy

from sim.calendar import HOURS_PER_DAY

if TYPE_CHECKING:
    from sim.campaign import Campaign
    from sim.scenario.schema import Scenario


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
        # read at every contact: once here (pydantic attributes cost more)
        self.enabled = config.enabled
        calm = config.calm_loss_factor if strategy.conduct.calm_listening else 1.0
        self.hostile_loss, self.refusal_loss = config.hostile_loss * calm, config.refusal_loss * calm
        self.payment_gain, self.floor = config.payment_gain, config.floor

    def morale(self, collector: int, t: float) -> float:
        """Return a collector's morale at time `t` (recovering toward 1 since the last change)."""
        if not self.enabled:
            return 1.0
        gap = 1.0 - self._morale[collector]
        return 1.0 - gap * math.exp(-self.recovery * (t - self._since[collector]) / HOURS_PER_DAY)

    def effectiveness(self, collector: int, t: float) -> float:
        """Return skill x morale of a collector."""
        return self.skill[collector] * self.morale(collector, t)

    def _set_morale(self, collector: int, t: float, level: float) -> None:
        self._morale[collector], self._since[collector] = level, t

    def after_outcome(self, collector: int, outcome: str, t: float) -> None:
        """Update morale after a contact's outcome: rebuffs move it toward the floor, payments toward 1."""
        if not self.enabled:
            return
        if outcome == "hostile":
            loss = self.hostile_loss
        elif outcome == "refuses":
            loss = self.refusal_loss
        elif outcome == "pays_now":
            level = self.morale(collector, t)
            self._set_morale(collector, t, level + self.payment_gain * (1.0 - level))
            return
        else:
            return
        level = self.morale(collector, t)
        self._set_morale(collector, t, level - loss * (level - self.floor))

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
                if self.enabled:
                    level = self.morale(c, env.now)
                    self._set_morale(c, env.now, level + debrief.morale_restore * (1.0 - level))
                self.skill[c] = min(debrief.skill_cap, self.skill[c] + debrief.skill_gain)


def morale_loop_gain_bound(scenario: Scenario) -> float:
    """Return an upper bound on the gain of the morale loop, for any contact rate and mix of owners.

    In the mean field a collector with n answered fee contacts a day settles
    where recovery and payments (pulling toward 1) balance rebuffs (pulling
    toward the floor f):  m = T(m) = f + (1 - f) A / (A + B), with
    A = r + n g P(pay | m) and B = n sum_k loss_k P(k | m).  Morale enters the
    logit as b_k log m, so d log P(k)/d log m = b_k - mean(b), and
    T'(m) = (1 - f) AB/(A + B)^2 (e_A - e_B)/m <= (1 - f)/(4 f) (b_max - b_min),
    b_max and b_min the largest and smallest coefficient of `effectiveness`
    over the outcomes (stalls 0).  Below 1, T is a contraction: one stable
    level, which no run of rebuffs can tip into a collapse.
    """
    responses, floor = scenario.responses, scenario.team.morale.floor
    coefficients = [
        getattr(responses, name).effectiveness for name in ("pays_now", "promises", "refuses", "hostile")
    ]
    spread = max(0.0, *coefficients) - min(0.0, *coefficients)
    return math.inf if floor <= 0.0 else (1.0 - floor) / (4.0 * floor) * spread
