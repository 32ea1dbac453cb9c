"""Numbers, shares, money and dates as the readers of the language being spoken write them.

English: ``1,234.5``, ``78.5%``, ``+0.7 pp``, ``CNY 1,234,567``, ``Mon 2 Mar 2026``.
Chinese (both scripts): ``1,234.5``, ``78.5%``, ``+0.7个百分点``, ``1,234元`` and from
ten thousand up ``123.46万元`` (the unit of 万 is how Chinese managers read money),
``2026年3月2日 星期一`` (``星期一`` is written alike in both scripts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sim.languages.catalogue import N_, _, speaks_english

__all__ = [
    "commas",
    "date",
    "listing",
    "money",
    "number",
    "percent",
    "points",
    "semicolons",
    "sentences",
    "weekday",
]

_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZH_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TEN_THOUSAND = 10_000
POINTS = N_("{difference} pp")
"""A difference of percentages in percentage points (个百分点, 個百分點)."""


def number(value: float, decimals: int = 0) -> str:
    """Return `value` with thousands separated by commas and `decimals` decimals."""
    return f"{value:,.{decimals}f}"


def percent(share: float, decimals: int = 1) -> str:
    """Return a share (0.785) as a percentage (``78.5%``)."""
    return f"{100.0 * share:.{decimals}f}%"


def points(difference: float, decimals: int = 1) -> str:
    """Return a difference of two percentages, in percentage points, with its sign (``+0.7 pp``)."""
    return _(POINTS).format(difference=f"{difference:+.{decimals}f}")


def money(yuan: float) -> str:
    """Return an amount of money in yuan (``CNY 1,234,567``; ``123.46万元`` from ten thousand up)."""
    if speaks_english():
        return f"CNY {yuan:,.0f}"
    if abs(yuan) >= TEN_THOUSAND:
        return f"{yuan / TEN_THOUSAND:,.2f}万元"
    return f"{yuan:,.0f}元"


def weekday(day: dt.date) -> str:
    """Return the day of the week (``Mon``, ``星期一``)."""
    return (_EN_WEEKDAYS if speaks_english() else _ZH_WEEKDAYS)[day.weekday()]


def date(day: dt.date, with_weekday: bool = False) -> str:
    """Return a date (``2 Mar 2026``, ``2026年3月2日``), after its day of the week if asked."""
    if not speaks_english():
        text = f"{day.year}年{day.month}月{day.day}日"
        return f"{text} {weekday(day)}" if with_weekday else text
    text = f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
    return f"{weekday(day)} {text}" if with_weekday else text


def listing(items: Iterable[str]) -> str:
    """Join the names of a list: ``a, b, c`` (``a、b、c``, the enumeration comma, in Chinese)."""
    return (", " if speaks_english() else "、").join(items)


def commas(items: Iterable[str]) -> str:
    """Join the parts of one sentence: ``a, b`` (``a，b`` in Chinese)."""
    return (", " if speaks_english() else "，").join(items)


def semicolons(items: Iterable[str]) -> str:
    """Join clauses: ``a; b`` (``a；b`` in Chinese)."""
    return ("; " if speaks_english() else "；").join(items)


def sentences(*items: str) -> str:
    """Join whole sentences: a space between them in English, none in Chinese."""
    return ("" if not speaks_english() else " ").join(item for item in items if item)
