"""Mood words in stories: an owner's mood at a contact against that owner's own moods.

An owner's mood is their personal level times their schedule's hourly profile.  A word from
a fixed scale said "low" at every contact of an owner whose level is low; here the word
places the value among the owner's own moods over the waking hours
(`availability.waking_hours`) of the campaign: their lowest third is "low", their highest
third "good", the rest "usual".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import HOURS_PER_DAY, Calendar
from sim.scenario.schema import SCHEDULES

if TYPE_CHECKING:
    from sim.views.onerun import LoggedRun

__all__ = ["OwnerMoods"]

TIE = 1e-9
"""Relative tolerance: a value equal to a tercile (moods are constant by the hour) is 'usual'."""


class OwnerMoods:
    """The terciles of each schedule's waking-hour moods, scaled by an owner's level when asked."""

    def __init__(self, run: LoggedRun) -> None:
        from sim.mood import mood_clocks

        scenario = run.scenario
        waking = scenario.availability.waking_hours
        clocks = mood_clocks(scenario, Calendar.from_scenario(scenario))
        self.terciles = [_waking_terciles(np.array(c.per_hour), waking.start, waking.end) for c in clocks]
        self.schedule = [SCHEDULES.index(s) for s in run.result.owners["schedule"].tolist()]
        self.level = run.population.mood_level.tolist()

    def word(self, owner: int, mood: float) -> str:
        """Return 'low', 'usual' or 'good': where `mood` falls among the owner's own waking-hour moods."""
        low, high = (self.level[owner] * q for q in self.terciles[self.schedule[owner]])
        if mood < low * (1 - TIE):
            return "low"
        return "good" if mood > high * (1 + TIE) else "usual"


def _waking_terciles(per_hour: np.ndarray, start: int, end: int) -> tuple[float, float]:
    """Return the 1/3 and 2/3 quantiles of the hourly values whose hour of day is in [start, end)."""
    hour_of_day = np.arange(len(per_hour)) % HOURS_PER_DAY
    awake = per_hour[(hour_of_day >= start) & (hour_of_day < end)]
    if awake.size == 0:
        return 1.0, 1.0
    low, high = np.quantile(awake, [1 / 3, 2 / 3])
    return float(low), float(high)
