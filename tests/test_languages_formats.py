"""Numbers, shares, money and dates as English and Chinese readers write them (sim/languages/formats.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.languages import translated
from sim.languages.formats import date, money, number, percent, points, weekday

MONDAY = dt.date(2026, 3, 2)


def test_english() -> None:
    with translated("en"):
        assert number(1234.5, 1) == "1,234.5" and percent(0.785) == "78.5%"
        assert points(0.7) == "+0.7 pp" and points(-1.25, 2) == "-1.25 pp"
        assert money(1_234_567) == "CNY 1,234,567"
        assert date(MONDAY) == "2 Mar 2026" and date(MONDAY, with_weekday=True) == "Mon 2 Mar 2026"


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_chinese(language: str) -> None:
    with translated(language):
        assert number(1234.5, 1) == "1,234.5" and percent(0.785) == "78.5%"
        assert points(0.7) == {"zh-Hans": "+0.7个百分点", "zh-Hant": "+0.7個百分點"}[language]
        assert money(1_234_567) == "123.46万元" and money(8_500) == "8,500元"
        assert date(MONDAY) == "2026年3月2日" and date(MONDAY, with_weekday=True) == "2026年3月2日 星期一"
        assert weekday(MONDAY + dt.timedelta(days=6)) == "星期日"
