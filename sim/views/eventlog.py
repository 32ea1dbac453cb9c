"""The event log as a table: records with their day, weekday, hour of day and the owner's unit id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY
from sim.languages import _, speaks_english

if TYPE_CHECKING:
    import pandas as pd

    from sim.population import Population
    from sim.records import EventRecord

__all__ = [
    "CONTACT_KINDS",
    "FEE_CONTACTS",
    "MISSED",
    "WEEKDAY_NAMES",
    "clock",
    "day_date",
    "day_of",
    "hour_minute",
    "records_frame",
]

CONTACT_KINDS: tuple[str, ...] = (
    "call",
    "greeting_call",
    "home_visit",
    "team_visit",
    "workplace_visit",
    "discovery",
    "notice",
    "reminder",
    "staff_encounter",
    "holiday_message",
    "birthday_call",
)
"""Record kinds that are a contact with an owner (see `sim.records.EventRecord`)."""

FEE_CONTACTS: tuple[str, ...] = ("call", "home_visit", "team_visit", "workplace_visit")
"""Contacts in which a collector asks for the fee (outcome: pays now, promises, stalls, refuses...)."""

MISSED: frozenset[str] = frozenset({"no_answer", "invalid_number", "not_home", "not_found"})
"""Contact outcomes in which nobody was reached."""

WEEKDAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_of(time: float) -> int:
    """Return the day index (0 = the start date) of a time in hours."""
    return int(time // HOURS_PER_DAY)


def clock(time: float, start: dt.date) -> str:
    """Format a time in hours as e.g. 'Tue 03 Mar 2026 14:05 (day 1)' (2026年3月3日 星期二 14:05（第1天）)."""
    day, minutes = _day_and_minute(time)
    return _("{date} {time} (day {day})").format(
        date=day_date(start, day), time=f"{minutes // 60:02d}:{minutes % 60:02d}", day=day
    )


def hour_minute(time: float) -> str:
    """Return the time of day of a time in hours, as HH:MM (as `clock` rounds it)."""
    _day, minutes = _day_and_minute(time)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_date(start: dt.date, day: int) -> str:
    """Return the date of day `day` with its weekday: 'Tue 03 Mar 2026' (2026年3月3日 星期二)."""
    from sim.languages import formats

    date = start + dt.timedelta(days=day)
    return f"{date:%a %d %b %Y}" if speaks_english() else formats.date(date, with_weekday=True)


def _day_and_minute(time: float) -> tuple[int, int]:
    """Return the day and the minute of the day of a time in hours, rounded to the minute."""
    day = day_of(time)
    minutes = round((time - day * HOURS_PER_DAY) * 60)
    if minutes >= 24 * 60:  # rounding at the end of a day
        day, minutes = day + 1, 0
    return day, minutes


def records_frame(
    records: Sequence[EventRecord], start: dt.date, population: Population | None = None
) -> pd.DataFrame:
    """Return the records as a table with day, weekday, hour of day and (with a population) unit id."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame(
        {
            "time_h": np.array([r.time for r in records], dtype=float),
            "kind": pd.Series([r.kind for r in records], dtype="string"),
            "owner": np.array([r.owner for r in records], dtype=np.int64),
            "collector": np.array([r.collector for r in records], dtype=np.int64),
            "outcome": pd.Series([r.outcome for r in records], dtype="string"),
            "value": np.array([r.value for r in records], dtype=float),
        }
    )
    day = (frame["time_h"] // HOURS_PER_DAY).astype(np.int64)
    frame.insert(1, "day", day)
    frame.insert(2, "weekday", (start.weekday() + day) % 7)
    frame.insert(3, "hour", (frame["time_h"] - day * HOURS_PER_DAY).astype(float))
    if population is not None:
        labels = [population.unit_label(i) for i in range(population.size)]
        units = [labels[o] if o >= 0 else "" for o in frame["owner"].tolist()]
        frame.insert(frame.columns.get_loc("owner") + 1, "unit", pd.Series(units, dtype="string"))
    return frame
