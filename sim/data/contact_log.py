"""A contact log from a property-management system: which unit was contacted, when, how, with what outcome.

The log says how hard a real campaign chased (issue 16, point 2).  `read_contacts`
reads it from CSV or Excel with English or Chinese headers (`CONTACT_HEADERS`),
checks every row against the scenario's units and campaign dates, and refuses the
whole file on any error.  Kinds and outcomes are free text, kept as written; the
values `feesim export` writes are the event kinds and outcomes of the simulation
(`sim.data.export.CONTACT_LOG_KINDS`, docs/model.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.data.cells import campaign_moment, parse_rows, unit_of
from sim.data.tables import raise_problems, read_table
from sim.languages import N_, ngettext

__all__ = ["CONTACT_FIELDS", "CONTACT_HEADERS", "ContactLog", "read_contacts"]

CONTACT_FIELDS: tuple[str, ...] = ("unit", "time", "kind", "outcome")
CONTACT_HEADERS: dict[str, tuple[str, ...]] = {
    "unit": ("房号", "房屋编号"),
    "time": ("时间", "联系时间"),
    "kind": ("方式", "类型"),
    "outcome": ("结果",),
}
"""The headers that mean each field besides its English name; the first is the one export writes."""

REQUIRED: tuple[str, ...] = ("unit", "time", "kind")
"""The outcome column may be missing or empty (read as '')."""


@dataclass(frozen=True)
class ContactLog:
    """The contacts of a contact-log file, one row each, in file order.

    `contacts` has columns unit, time (datetime), kind, outcome (text), hours
    (since the start date at midnight), day (0 = the first day) and row (line in
    the file).
    """

    path: Path
    start_date: dt.date
    horizon_days: int
    contacts: pd.DataFrame
    warnings: tuple[str, ...] = ()

    def kinds(self) -> dict[str, int]:
        """Return how many contacts of each kind the log holds, most frequent first."""
        counts = self.contacts["kind"].value_counts(sort=False)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def read_contacts(
    path: Path,
    units: Collection[str] | None,
    start_date: dt.date,
    horizon_days: int,
    column_map: Mapping[str, str] | None = None,
) -> ContactLog:
    """Read and check a contact-log file; raise a DataError listing its bad rows, if any."""
    path = Path(path)
    table = read_table(path, CONTACT_HEADERS, REQUIRED, column_map, what=N_("contact log"))
    known = frozenset(units) if units is not None else None
    rows, problems = parse_rows(
        table,
        {
            "unit": lambda cell: unit_of(cell, known),
            "time": lambda cell: campaign_moment(cell, start_date, horizon_days),
            "kind": str,
            "outcome": str,
        },
        optional=("outcome",),
    )
    count = len(problems)
    summary = ngettext(
        "cannot use the contact log ({count} problem)", "cannot use the contact log ({count} problems)", count
    )
    raise_problems(path, summary.format(count=count), problems)
    contacts = pd.DataFrame(rows, columns=["unit", "time", "kind", "outcome", "row"])
    contacts["outcome"] = contacts["outcome"].fillna("")
    start = pd.Timestamp(start_date)
    hours = (pd.to_datetime(contacts["time"]) - start).dt.total_seconds() / 3600.0
    contacts.insert(4, "hours", hours.to_numpy(dtype=float))
    contacts.insert(5, "day", (contacts["hours"] // 24).astype(int))
    return ContactLog(path, start_date, horizon_days, contacts.astype({"row": int}))
