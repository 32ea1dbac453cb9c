"""Campaign calendar: simulation hours to dates, weekdays, hours and holidays.

Simulation time is hours (float) since midnight of the start date.  Weekly
windows (shifts, call plans, channel opening hours) become sorted lists of
absolute intervals once, so processes jump from one interval to the next
instead of polling the clock.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sim.holidays import china_holidays_between
from sim.scenario.schema import WEEKDAYS, Scenario, Window

HOURS_PER_DAY = 24.0
Interval = tuple[float, float]


@dataclass(frozen=True)
class Calendar:
    """Dates, weekdays and holidays of a campaign of `days` days from `start`."""

    start: dt.date
    days: int
    holidays: frozenset[dt.date]

    @classmethod
    def from_scenario(cls, scenario: Scenario, extra_days: int = 0) -> Calendar:
        """Build the calendar of a scenario's horizon (plus `extra_days`)."""
        days = scenario.horizon_days + extra_days
        last = scenario.start_date + dt.timedelta(days=days)
        chosen = scenario.calendar.holidays
        if chosen == "china":
            holidays = china_holidays_between(scenario.start_date, last)
        elif chosen == "none":
            holidays = frozenset()
        else:
            holidays = frozenset(chosen)
        return cls(scenario.start_date, days, holidays)

    @property
    def hours(self) -> int:
        """Number of whole hours covered."""
        return int(self.days * HOURS_PER_DAY)

    def date(self, day: int) -> dt.date:
        """Return the date of day index `day`."""
        return self.start + dt.timedelta(days=day)

    def weekday(self, day: int) -> int:
        """Return the weekday of day index `day` (Monday is 0)."""
        return self.date(day).weekday()

    def is_holiday(self, day: int) -> bool:
        """Tell whether day index `day` is a public holiday."""
        return self.date(day) in self.holidays

    def intervals(self, windows: Iterable[Window], skip_holidays: bool) -> list[Interval]:
        """Return the absolute intervals (hours) covered by weekly `windows`, merged and sorted."""
        found: list[Interval] = []
        for day in range(self.days):
            if skip_holidays and self.is_holiday(day):
                continue
            name = WEEKDAYS[self.weekday(day)]
            base = day * HOURS_PER_DAY
            found += [(base + w.start, base + w.end) for w in windows if name in w.days]
        return merge_intervals(found)


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort intervals and merge those that overlap or touch."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect_intervals(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Return the intersection of two sorted, merged interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


class Timetable:
    """Sorted, disjoint open intervals with fast look-up of the next open moment."""

    def __init__(self, intervals: Sequence[Interval]) -> None:
        self.intervals = list(intervals)
        self._ends = [end for _, end in self.intervals]

    def current_or_next(self, t: float) -> Interval | None:
        """Return the interval containing `t`, else the next one, else None."""
        k = bisect.bisect_right(self._ends, t)
        return self.intervals[k] if k < len(self.intervals) else None

    def next_open(self, t: float) -> float:
        """Return the first moment at or after `t` that is open (inf if none)."""
        interval = self.current_or_next(t)
        if interval is None:
            return float("inf")
        return max(t, interval[0])

    def cursor(self) -> Cursor:
        """Return a cursor for looking up intervals at non-decreasing times."""
        return Cursor(self)

    def total_hours(self, until: float) -> float:
        """Return the open hours before `until`."""
        return sum(max(0.0, min(end, until) - start) for start, end in self.intervals if start < until)


class Cursor:
    """Looks up a timetable at times that never go back, remembering the last interval."""

    __slots__ = ("_end", "_interval", "_timetable")

    def __init__(self, timetable: Timetable) -> None:
        self._timetable = timetable
        self._interval: Interval | None = None
        self._end = -1.0

    def at(self, t: float) -> Interval | None:
        """Return the interval containing `t`, else the next one, else None."""
        if t >= self._end:
            self._interval = self._timetable.current_or_next(t)
            self._end = self._interval[1] if self._interval is not None else float("inf")
        return self._interval
