"""A payment ledger from a property-management system: which unit paid, on which day, how much.

The ledger is what a campaign really collected, the figure the simulation is
calibrated against (issue 16, point 2).  `read_ledger` reads it from CSV or Excel
with English or Chinese headers (`LEDGER_HEADERS`), checks every row against the
scenario's units and campaign dates, and refuses the whole file on any error (a
DataError naming the file, the rows and the columns).  Harmless oddities (a unit
that paid in several instalments, a payment of zero) are warnings, returned with
the ledger for the caller to show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.cells import amount_of, campaign_moment, parse_rows, unit_of
from sim.data.tables import raise_problems, read_table
from sim.languages import N_, _, ngettext
from sim.languages.formats import listing

__all__ = ["LEDGER_FIELDS", "LEDGER_HEADERS", "Ledger", "read_ledger"]

LEDGER_FIELDS: tuple[str, ...] = ("unit", "paid_on", "amount")
LEDGER_HEADERS: dict[str, tuple[str, ...]] = {
    "unit": ("房号", "房屋编号"),
    "paid_on": ("缴费日期", "收款日期", "日期"),
    "amount": ("金额", "实收金额", "缴费金额"),
}
"""The headers that mean each field besides its English name; the first is the one export writes."""

EXAMPLES_IN_A_WARNING = 5


@dataclass(frozen=True)
class Ledger:
    """The payments of a ledger file, one row each, in file order.

    `payments` has columns unit (text), paid_on (date), amount (CNY), day (days
    since the start date, 0 = the first day of the campaign) and row (line in the
    file).  `warnings` are one line each, naming the file.
    """

    path: Path
    start_date: dt.date
    horizon_days: int
    payments: pd.DataFrame
    warnings: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        """Return the money paid over the whole ledger."""
        return float(self.payments["amount"].sum())

    def unit_totals(self) -> pd.DataFrame:
        """Return one row per paying unit: unit, first_day, first_paid_on, amount (total) and payments.

        Rows are in order of the first payment (then unit), as the households
        joined the paid share.
        """
        grouped = self.payments.groupby("unit", sort=True)
        totals = pd.DataFrame(
            {
                "first_day": grouped["day"].min(),
                "first_paid_on": grouped["paid_on"].min(),
                "amount": grouped["amount"].sum(),
                "payments": grouped.size(),
            }
        ).reset_index()
        return totals.sort_values(["first_day", "unit"], kind="stable").reset_index(drop=True)

    def daily(self) -> pd.DataFrame:
        """Return, for day d = 0..horizon_days, the households and the money paid before day d.

        Row d counts the payments dated before the start date + d days, that is
        paid by d x 24 hours: the same convention as the daily curves of a run
        (`sim.metrics.daily_curves`), so that the two can be laid side by side.
        """
        edges = np.arange(self.horizon_days + 1)
        first = np.sort(self.unit_totals()["first_day"].to_numpy())
        order = np.argsort(self.payments["day"].to_numpy(), kind="stable")
        days = self.payments["day"].to_numpy()[order]
        money = np.concatenate(([0.0], np.cumsum(self.payments["amount"].to_numpy()[order])))
        return pd.DataFrame(
            {
                "day": edges,
                "households": np.searchsorted(first, edges, side="left"),
                "amount": money[np.searchsorted(days, edges, side="left")],
            }
        )


def read_ledger(
    path: Path,
    units: Collection[str] | None,
    start_date: dt.date,
    horizon_days: int,
    column_map: Mapping[str, str] | None = None,
) -> Ledger:
    """Read and check a ledger file; raise a DataError listing its bad rows, if any.

    `units` are the unit ids of the roster (None: any unit); payments must fall in
    the campaign, from `start_date` for `horizon_days` days.
    """
    path = Path(path)
    table = read_table(path, LEDGER_HEADERS, LEDGER_FIELDS, column_map, what=N_("ledger"))
    known = frozenset(units) if units is not None else None
    rows, problems = parse_rows(
        table,
        {
            "unit": lambda cell: unit_of(cell, known),
            "paid_on": lambda cell: campaign_moment(cell, start_date, horizon_days).date(),
            "amount": amount_of,
        },
    )
    count = len(problems)
    summary = ngettext(
        "cannot use the ledger ({count} problem)", "cannot use the ledger ({count} problems)", count
    )
    raise_problems(path, summary.format(count=count), problems)
    payments = pd.DataFrame(rows, columns=["unit", "paid_on", "amount", "row"])
    payments.insert(3, "day", [(d - start_date).days for d in payments["paid_on"]])
    payments = payments.astype({"unit": object, "amount": float, "day": int, "row": int})
    return Ledger(path, start_date, horizon_days, payments, tuple(_warnings(path, payments)))


def _warnings(path: Path, payments: pd.DataFrame) -> list[str]:
    warnings = []
    repeated = payments[payments.duplicated("unit", keep=False)]
    if len(repeated):
        examples = [
            _("{unit} (rows {rows})").format(unit=unit, rows=listing([str(r) for r in group["row"]]))
            for unit, group in list(repeated.groupby("unit", sort=False))[:EXAMPLES_IN_A_WARNING]
        ]
        units = repeated["unit"].nunique()
        message = ngettext(
            "{path}: {count} unit paid more than once; their payments are added up"
            " and the first date is the day the household paid: {examples}",
            "{path}: {count} units paid more than once; their payments are added up"
            " and the first date is the day the household paid: {examples}",
            units,
        )
        warnings.append(message.format(path=path, count=units, examples=_listed(examples, units)))
    zero = payments[payments["amount"] == 0]
    if len(zero):
        rows = [_("row {row}").format(row=r) for r in zero["row"]]
        message = ngettext(
            "{path}: {count} payment of 0 counted as paying: {examples}",
            "{path}: {count} payments of 0 counted as paying: {examples}",
            len(zero),
        )
        examples = _listed(rows[:EXAMPLES_IN_A_WARNING], len(rows))
        warnings.append(message.format(path=path, count=len(zero), examples=examples))
    return warnings


def _listed(examples: Sequence[str], total: int) -> str:
    if total > len(examples):
        return _("{examples} and {count} more").format(
            examples=listing(examples), count=total - len(examples)
        )
    return listing(examples)
