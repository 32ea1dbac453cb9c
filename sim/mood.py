"""Weekly mood and availability cycles (V1), and the mood clock that inverts them.

Mood m_k(t) is piecewise constant by the hour: a weekday factor times an
hour-of-day factor for schedule type k, scaled so that its mean over a week
is 1 (rates p and q stay per-day rates on average).  Holidays take the
profile of `mood.holiday_as`.  The cumulative mood M_k(t) (in mood-days) turns
an hourly-varying hazard into a clock that can be inverted exactly.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

from sim.calendar import HOURS_PER_DAY, Calendar
from sim.scenario.schema import SCHEDULES, WEEKDAYS, Availability, MoodTable, Scenario, SeedAdjustments

# Evidence preset (Stone et al. 2012; Golder & Macy 2011): Mon-Thu 1.00, Fri 1.04,
# weekend 1.15; mood best in the morning, easing through the day.  Retired and
# other schedules show a weaker weekly cycle.
_EVIDENCE_HOURS = (0.9,) * 7 + (
    1.10,
    1.10,
    1.08,
    1.05,
    1.02,
    1.00,
    0.98,
    0.97,
    0.97,
    0.97,
    0.98,
    0.99,
    1.00,
    1.00,
    0.98,
    0.95,
    0.9,
)
EVIDENCE = {
    "five_day": MoodTable(day=(1.0, 1.0, 1.0, 1.0, 1.04, 1.15, 1.15), hour=_EVIDENCE_HOURS),
    "other": MoodTable(day=(1.0, 1.0, 1.0, 1.0, 1.02, 1.07, 1.07), hour=_EVIDENCE_HOURS),
}
# Seed preset (the source document, V1): Mon-Thu sour, Fri/Sat afternoons the best
# time of the week, Sunday evening bad for fee talk.  Encoded through the day table
# and the Fri/Sat afternoon and Sunday evening factors of `mood.seed_adjustments`.
SEED = {
    "five_day": MoodTable(day=(0.85, 0.85, 0.9, 0.9, 1.15, 1.2, 1.05), hour=(1.0,) * 24),
    "other": MoodTable(day=(0.9, 0.9, 0.95, 0.95, 1.1, 1.15, 1.05), hour=(1.0,) * 24),
}


def _weekly_table(table: MoodTable) -> np.ndarray:
    """Return the 7 x 24 weekly table of a profile, mean 1."""
    week = np.outer(np.array(table.day), np.array(table.hour))
    mean = week.mean()
    return week / mean if mean > 0 else np.ones_like(week)


def _seed_week(table: MoodTable, adjustments: SeedAdjustments) -> np.ndarray:
    """Return the seed preset's 7 x 24 table: Fri/Sat 15-17 h and Sun 18-24 h adjusted, mean 1."""
    week = np.outer(np.array(table.day), np.array(table.hour))
    week[4:6, 15:17] *= adjustments.fri_sat_afternoon
    week[6, 18:24] *= adjustments.sunday_evening
    return week / week.mean()


def weekly_mood(scenario: Scenario, schedule: str) -> np.ndarray:
    """Return the 7 x 24 mood table (Monday first) of a schedule type, weekly mean 1."""
    mood = scenario.mood
    if not mood.enabled:
        return np.ones((7, 24))
    explicit = getattr(mood, schedule)
    if explicit is not None:
        return _weekly_table(explicit)
    if mood.profile == "seed":
        return _seed_week(SEED[schedule], mood.seed_adjustments)
    return _weekly_table(EVIDENCE[schedule])


def weekly_availability(scenario: Scenario, schedule: str) -> np.ndarray:
    """Return the 7 x 24 chance that a call is answered, by weekday and hour.

    Both schedules' shapes are scaled by one factor, so that the mean over the
    waking hours of the week of the *population's* table (schedules weighted
    by their shares) is `mean_reach`; then clipped to [0, 1].
    """
    availability = scenario.availability
    if not availability.enabled:
        return np.full((7, 24), availability.mean_reach)
    return np.clip(_presence_week(availability, schedule) * _reach_scale(scenario), 0.0, 1.0)


def _presence_week(availability: Availability, schedule: str) -> np.ndarray:
    """Return the raw 7 x 24 presence shape of a schedule: weekday rows Monday to Friday, then the weekend."""
    shape = getattr(availability, schedule)
    return np.array([shape.weekday] * 5 + [shape.weekend] * 2, dtype=float)


def _reach_scale(scenario: Scenario) -> float:
    """Return the factor that gives the population's table a mean of `mean_reach` over waking hours."""
    availability, five_day = scenario.availability, scenario.owners.schedules.five_day_share
    waking = slice(availability.waking_hours.start, availability.waking_hours.end)
    mean = five_day * _presence_week(availability, "five_day")[:, waking].mean() + (1.0 - five_day) * (
        _presence_week(availability, "other")[:, waking].mean()
    )
    return availability.mean_reach / mean if mean > 0 else 0.0


def hourly(calendar: Calendar, week: np.ndarray, holiday_as: int) -> np.ndarray:
    """Lay a weekly table along the calendar: one value per hour of the horizon."""
    rows = [
        week[holiday_as] if calendar.is_holiday(day) else week[calendar.weekday(day)]
        for day in range(calendar.days)
    ]
    return np.concatenate(rows) if rows else np.zeros(0)


@dataclass(frozen=True)
class MoodClock:
    """Cumulative mood of one schedule type, in mood-days, with its exact inverse."""

    per_hour: list[float]  # mood in each hour of the horizon
    cumulative: list[float]  # cumulative[h] = mood-days before hour h
    end: float  # the last hour covered

    @classmethod
    def build(cls, per_hour: np.ndarray) -> MoodClock:
        """Build the clock from hourly mood values."""
        cumulative = np.concatenate(([0.0], np.cumsum(per_hour / HOURS_PER_DAY)))
        return cls(per_hour.tolist(), cumulative.tolist(), float(len(per_hour)))

    def at(self, t: float) -> float:
        """Return the mood in force at hour `t`."""
        return self.per_hour[min(int(t), len(self.per_hour) - 1)]

    def value(self, t: float) -> float:
        """Return M(t), the mood-days accumulated before hour `t`."""
        if t >= self.end:
            return self.cumulative[-1] + (t - self.end) / HOURS_PER_DAY * self.per_hour[-1]
        h = int(t)
        return self.cumulative[h] + (t - h) * self.per_hour[h] / HOURS_PER_DAY

    def inverse(self, x: float) -> float:
        """Return the first hour t with M(t) = x (inf when the horizon ends first)."""
        cumulative, per_hour = self.cumulative, self.per_hour
        if x > cumulative[-1]:
            return math.inf
        hours = len(per_hour)
        h = bisect.bisect_left(cumulative, x) - 1
        if h < 0:
            h = 0
        while h < hours and (cumulative[h + 1] < x or per_hour[h] <= 0.0):
            h += 1
        if h >= hours:
            return math.inf
        offset = (x - cumulative[h]) * HOURS_PER_DAY / per_hour[h]
        return h + min(max(offset, 0.0), 1.0)


def mood_clocks(scenario: Scenario, calendar: Calendar) -> list[MoodClock]:
    """Return one mood clock per schedule type (index as in SCHEDULES)."""
    holiday_as = WEEKDAYS.index(scenario.mood.holiday_as)
    return [MoodClock.build(hourly(calendar, weekly_mood(scenario, s), holiday_as)) for s in SCHEDULES]


def availability_by_hour(scenario: Scenario, calendar: Calendar) -> list[list[float]]:
    """Return, per schedule type, the answer probability in each hour of the horizon."""
    holiday_as = WEEKDAYS.index(scenario.mood.holiday_as)
    return [hourly(calendar, weekly_availability(scenario, s), holiday_as).tolist() for s in SCHEDULES]
