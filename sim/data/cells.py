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
from sim.languages import N_, _, speaks_english
from sim.languages.sentences import translate_sentence
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

DATE_SPELLINGS = N_(
    "2026-03-02, 2026/3/2, 2026.3.2, 2026年3月2日 or 20260302, optionally with a time such as 14:05"
)
"""The date spellings accepted, as error messages list them (a catalogue message)."""

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
        if close:
            raise CellError(
                _("expected a unit id of the community (did you mean {close}?)").format(close=repr(close[0]))
            )
        raise CellError(_("expected a unit id of the community"))
    return unit


def moment_of(value: object) -> dt.datetime:
    """Return a date or date-time cell as a datetime (midnight for a plain date)."""
    if isinstance(value, dt.datetime):  # also pandas Timestamp, from Excel date cells
        moment = dt.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second)
        return moment + dt.timedelta(seconds=round(value.microsecond / 1e6))  # Excel keeps times as fractions
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise CellError(_not_a_date())
    return _parse_moment(value.strip())


def _not_a_date() -> str:
    """Say that a cell holds no date, and how dates are written."""
    return _("expected a date written year first ({spellings})").format(spellings=_(DATE_SPELLINGS))


def amount_of(value: object) -> float:
    """Return an amount of money (thousands separators and currency marks allowed); never negative."""
    if isinstance(value, bool):
        raise CellError(_("expected an amount of money, a number"))
    if isinstance(value, int | float):
        amount = float(value)
    else:
        text = _MONEY_MARKS.sub("", str(value).strip())
        try:
            amount = float(text)
        except ValueError:
            raise CellError(_("expected an amount of money, a number such as 1234.50")) from None
    if not math.isfinite(amount):
        raise CellError(_("expected an amount of money, a finite number"))
    if amount < 0:
        raise CellError(_("expected an amount paid, not negative (enter refunds in your system, not here)"))
    return amount


def _parse_moment(text: str) -> dt.datetime:
    date = _DATE.match(text)
    if date is None:
        raise CellError(_not_a_date())
    parts = [int(p) for p in date.groups() if p is not None]
    rest = text[date.end() :]
    hour = minute = second = 0
    if rest.strip():
        time = _TIME.fullmatch(rest)
        if time is None:
            raise CellError(_not_a_date())
        hour, minute = int(time.group(1)), int(time.group(2))
        second = int(time.group(3) or 0)
    try:
        return dt.datetime(*parts, hour, minute, second)
    except ValueError as exc:
        reason = str(exc) if speaks_english() else translate_sentence(str(exc))
        raise CellError(_("expected a date of the calendar ({reason})").format(reason=reason)) from None


def campaign_moment(value: object, start: dt.date, horizon_days: int) -> dt.datetime:
    """Return a date or date-time cell that falls in the campaign, from `start` for `horizon_days` days."""
    moment = moment_of(value)
    first = dt.datetime(start.year, start.month, start.day)
    if not first <= moment < first + dt.timedelta(days=horizon_days):
        last = start + dt.timedelta(days=horizon_days - 1)
        message = _(
            "expected a date in the campaign, {start} to {last} (start_date and horizon_days of the scenario)"
        )
        raise CellError(message.format(start=start.isoformat(), last=last.isoformat()))
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
    columns = {f: frame[f].tolist() if f in frame.columns else [None] * len(frame) for f in parsers}
    for index, line in enumerate(table.rows.tolist()):
        row: dict[str, object] = {"row": line}
        where = table.where(index)
        for field, parse in parsers.items():
            cell = columns[field][index]
            place = _("{row}, column {column}").format(row=where, column=field)
            row[field] = _read_cell(cell, parse, place, field in optional, problems)
        rows.append(row)
    return rows, problems


def _read_cell(
    cell: object, parse: Callable[[object], object], where: str, optional: bool, problems: list[Problem]
) -> object:
    """Return the parsed cell, or None after adding its problem to `problems`."""
    if _missing(cell):
        if not optional:
            problems.append(Problem(where, _("missing value")))
        return None
    try:
        return parse(cell)
    except CellError as exc:
        problems.append(Problem(where, str(exc), found=describe_value(cell)))
        return None


def _missing(cell: object) -> bool:
    return cell is None or cell is pd.NaT or (isinstance(cell, float) and math.isnan(cell))
