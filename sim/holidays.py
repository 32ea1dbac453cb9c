"""Mainland-China public holidays (days off), as published by the State Council.

The years 2024-2026 follow the official schedules.  For other years only the
fixed-date holidays are known in advance (New Year's Day, Labour Day 1-5 May,
National Day 1-7 October); the lunar festivals of those years are left out,
which `docs/model.md` states as a limitation.
"""

from __future__ import annotations

import datetime as dt

_RANGES: dict[int, tuple[tuple[str, str], ...]] = {
    2024: (
        ("2024-01-01", "2024-01-01"),
        ("2024-02-10", "2024-02-17"),
        ("2024-04-04", "2024-04-06"),
        ("2024-05-01", "2024-05-05"),
        ("2024-06-10", "2024-06-10"),
        ("2024-09-15", "2024-09-17"),
        ("2024-10-01", "2024-10-07"),
    ),
    2025: (
        ("2025-01-01", "2025-01-01"),
        ("2025-01-28", "2025-02-04"),
        ("2025-04-04", "2025-04-06"),
        ("2025-05-01", "2025-05-05"),
        ("2025-05-31", "2025-06-02"),
        ("2025-10-01", "2025-10-08"),
    ),
    2026: (
        ("2026-01-01", "2026-01-03"),
        ("2026-02-15", "2026-02-23"),
        ("2026-04-04", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-21"),
        ("2026-09-25", "2026-09-27"),
        ("2026-10-01", "2026-10-07"),
    ),
}

_FIXED: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((1, 1), (1, 1)),
    ((5, 1), (5, 5)),
    ((10, 1), (10, 7)),
)


def _expand(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def china_holidays(year: int) -> list[dt.date]:
    """Return the public days off of `year` in mainland China."""
    if year in _RANGES:
        days: list[dt.date] = []
        for first, last in _RANGES[year]:
            days += _expand(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        return days
    fixed: list[dt.date] = []
    for (m1, d1), (m2, d2) in _FIXED:
        fixed += _expand(dt.date(year, m1, d1), dt.date(year, m2, d2))
    return fixed


def china_holidays_between(first: dt.date, last: dt.date) -> frozenset[dt.date]:
    """Return the public days off from `first` to `last` inclusive."""
    days = (d for year in range(first.year, last.year + 1) for d in china_holidays(year))
    return frozenset(d for d in days if first <= d <= last)
