"""Reading one cell of an imported table: a unit id, a date or date-time, an amount of money.

Each reader returns the value, or raises `CellError` saying what was expected;
the table readers turn that into a problem naming the file, the row and the column.
Dates are written year first, in the spellings the usual exports use:
``2026-03-02``, ``2026/3/2``, ``2026.3.2``, ``2026年3月2日``, ``20260302``, each
optionally followed by a time of day (``14:05`` or ``14:05:30``, after a space or a
``T``); Excel date cells are taken as they are.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Collection, Mapping
from difflib import get_close_matches

import pandas as pd

from sim.data.tables import Table
from sim.scenario.errors import Problem, describe_value

__all__ = [
    "DATE_SPELLINGS",
    "CellError",
    "amount_of",
    "campaign_moment",
    "moment_of",
    "parse_rows",
    "unit_of",
]

DATE_SPELLINGS = (
    "2026-03-02, 2026/3/2, 2026.3.2, 2026年3月2日 or 20260302, optionally with a time such as 14:05"
)
"""The date spellings accepted, as error messages list them."""

_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?"
    r"|(\d{4})(\d{2})(\d{2})"
)
_TIME = re.compile(r"(?:[Tt]|\s+)(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?)?\s*秒?")
_MONEY_MARKS = re.compile(r"[,，\s¥￥]|元$|^CNY|^RMB", re.IGNORECASE)


class CellError(ValueError):
    """A cell that does not hold what its column needs; the message says what was expected."""


def unit_of(value: object, units: Collection[str] | None) -> str:
    """Return a unit id as text (Excel's 101.0 as '101'); with `units`, it must be one of them."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    unit = str(value).strip()
    if units is not None and unit not in units:
        close = get_close_matches(unit, list(units), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise CellError(f"expected a unit id of the community{hint}")
    return unit


def moment_of(value: object) -> dt.datetime:
    """Return a date or date-time cell as a datetime (midnight for a plain date)."""
    if isinstance(value, dt.datetime):  # also pandas Timestamp, from Excel date cells
        return dt.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise CellError(f"expected a date written year first ({DATE_SPELLINGS})")
    return _parse_moment(value.strip())


def amount_of(value: object) -> float:
    """Return an amount of money (thousands separators and currency marks allowed); never negative."""
    if isinstance(value, bool):
        raise CellError("expected an amount of money, a number")
    if isinstance(value, int | float):
        amount = float(value)
    else:
        text = _MONEY_MARKS.sub("", str(value).strip())
        try:
            amount = float(text)
        except ValueError:
            raise CellError("expected an amount of money, a number such as 1234.50") from None
    if not math.isfinite(amount):
        raise CellError("expected an amount of money, a finite number")
    if amount < 0:
        raise CellError("expected an amount paid, not negative (enter refunds in your system, not here)")
    return amount


def _parse_moment(text: str) -> dt.datetime:
    date = _DATE.match(text)
    if date is None:
        raise CellError(f"expected a date written year first ({DATE_SPELLINGS})")
    parts = [int(p) for p in date.groups() if p is not None]
    rest = text[date.end() :]
    hour = minute = second = 0
    if rest.strip():
        time = _TIME.fullmatch(rest)
        if time is None:
            raise CellError(f"expected a date written year first ({DATE_SPELLINGS})")
        hour, minute = int(time.group(1)), int(time.group(2))
        second = int(time.group(3) or 0)
    try:
        return dt.datetime(*parts, hour, minute, second)
    except ValueError as exc:
        raise CellError(f"expected a date of the calendar ({exc})") from None


def campaign_moment(value: object, start: dt.date, horizon_days: int) -> dt.datetime:
    """Return a date or date-time cell that falls in the campaign, from `start` for `horizon_days` days."""
    moment = moment_of(value)
    first = dt.datetime(start.year, start.month, start.day)
    if not first <= moment < first + dt.timedelta(days=horizon_days):
        last = start + dt.timedelta(days=horizon_days - 1)
        raise CellError(
            f"expected a date in the campaign, {start.isoformat()} to {last.isoformat()}"
            f" (start_date and horizon_days of the scenario)"
        )
    return moment


def parse_rows(
    table: Table, parsers: Mapping[str, Callable[[object], object]], optional: Collection[str] = ()
) -> tuple[list[dict[str, object]], list[Problem]]:
    """Parse every row of `table` with one parser per column; return the rows read and the problems.

    A problem names the row (as in the file) and the column, says what was
    expected and shows the value found; an empty cell is a problem unless its
    column is `optional` (then it reads as None).
    """
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    frame = table.frame
    for index in range(len(frame)):
        row: dict[str, object] = {"row": int(table.rows.iloc[index])}
        for field, parse in parsers.items():
            cell = frame.at[index, field] if field in frame.columns else None
            where = f"{table.where(index)}, column {field}"
            if _missing(cell):
                if field not in optional:
                    problems.append(Problem(where, "missing value"))
                row[field] = None
                continue
            try:
                row[field] = parse(cell)
            except CellError as exc:
                problems.append(Problem(where, str(exc), found=describe_value(cell)))
        rows.append(row)
    return rows, problems


def _missing(cell: object) -> bool:
    return cell is None or cell is pd.NaT or (isinstance(cell, float) and math.isnan(cell))
