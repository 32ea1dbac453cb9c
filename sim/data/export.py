"""Export a simulated campaign in the import formats: a roster, a payment ledger and a contact log.

`feesim export` (issue 16, point 7) runs replication 0 of a seed, exactly the run
``feesim run --seed S`` makes first, and writes its households as a roster, its
payments as a ledger and (if asked) its contacts as a contact log, so that anyone
can try the import, validation and calibration path without real data.  Files
are CSV or Excel (.xlsx) by their suffix, with English or Chinese headers; CSV
with Chinese headers starts with a BOM so that Excel shows the characters.
Same scenario and seed, same files (CSV bit for bit; an .xlsx also holds the
time it was written).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from sim.data.contact_log import CONTACT_FIELDS, CONTACT_HEADERS
from sim.data.ledger import LEDGER_FIELDS, LEDGER_HEADERS
from sim.data.tables import DataError
from sim.languages import _
from sim.output import write_atomic, write_file_atomic

if TYPE_CHECKING:
    from sim.population import Population
    from sim.records import EventRecord
    from sim.results import RunResult
    from sim.scenario.schema import Scenario

__all__ = [
    "CONTACT_LOG_KINDS",
    "ROSTER_COLUMNS",
    "Export",
    "Headers",
    "RosterColumn",
    "check_targets",
    "contact_days",
    "contact_log_frame",
    "export_run",
    "ledger_frame",
    "roster_frame",
    "write_table",
]

Headers = Literal["en", "zh"]
SUFFIXES: tuple[str, ...] = (".csv", ".xlsx")
YES_NO: dict[Headers, tuple[str, str]] = {"en": ("yes", "no"), "zh": ("是", "否")}


@dataclass(frozen=True)
class RosterColumn:
    """One roster column: its field (English header), Chinese header and values from the population."""

    field: str
    zh: str
    values: Callable[[Population], Sequence[object] | np.ndarray]


ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn("unit", "房号", lambda pop: pop.unit_labels),
    RosterColumn("building", "楼栋", lambda pop: _building_labels(pop)),
    RosterColumn("floor", "楼层", lambda pop: pop.floor),
    RosterColumn("area_m2", "面积", lambda pop: np.round(pop.area, 2)),
    RosterColumn("annual_fee", "年物业费", lambda pop: np.round(pop.fee, 2)),
    RosterColumn("phone_valid", "电话有效", lambda pop: pop.has_phone),
)
"""The roster's columns, in order.  A trait the Population gains (occupancy 入住状态,
arrears_last_year 去年欠费, open_complaints 未结投诉) is one more line here; boolean
values are written yes/no (是/否 with Chinese headers)."""

CONTACT_LOG_KINDS: tuple[str, ...] = (
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
    "arrears_notice",
    "lawyer_letter",
    "lawsuit",
)
"""Event kinds written to the contact log: the contacts of `sim.views.eventlog.CONTACT_KINDS` and the
steps of the arrears ladder (a lawsuit only when filed, not its settlement or judgment)."""


@dataclass(frozen=True)
class Export:
    """What `export_run` wrote: the files, and the households, payers and money of the run."""

    files: tuple[Path, ...]
    households: int
    payers: int
    paid: float
    contacts: int | None


def check_targets(paths: Sequence[Path | None], force: bool) -> None:
    """Refuse unknown suffixes, one file named twice, and (without `force`) files that exist."""
    given = [Path(p) for p in paths if p is not None]
    for path in given:
        if path.suffix.lower() not in SUFFIXES:
            raise DataError(str(path), _("cannot write this file: name a .csv or .xlsx file"))
        if path.exists() and not force:
            raise DataError(str(path), _("the file exists; add --force to replace it"))
    if len({p.resolve() for p in given}) < len(given):
        raise DataError(", ".join(map(str, given)), _("give each table its own file"))


def _building_labels(population: Population) -> np.ndarray:
    """Return every owner's building label: the roster's, or the building's number from 1."""
    if population.building_ids is None:
        return population.building + 1
    return np.asarray(population.building_ids, dtype=object)[population.building]


def roster_frame(population: Population, headers: Headers = "en") -> pd.DataFrame:
    """Return the households as a roster table, one row per unit."""
    columns = {}
    for column in ROSTER_COLUMNS:
        values = np.asarray(column.values(population))
        if values.dtype == bool:
            yes, no = YES_NO[headers]
            values = np.where(values, yes, no)
        columns[column.field if headers == "en" else column.zh] = values
    return pd.DataFrame(columns)


def ledger_frame(
    owners: pd.DataFrame, population: Population, start: dt.date, headers: Headers = "en"
) -> pd.DataFrame:
    """Return one payment per paying owner, in time order: unit, paid_on (date) and the fee in full."""
    payers = owners[owners["paid_at"].notna()].sort_values(["paid_at", "owner"], kind="stable")
    labels = population.unit_labels
    frame = pd.DataFrame(
        {
            "unit": [labels[o] for o in payers["owner"]],
            "paid_on": [start + dt.timedelta(days=int(h // 24)) for h in payers["paid_at"]],
            "amount": np.round(payers["fee"].to_numpy(dtype=float), 2),
        }
    )
    return _headed(frame, LEDGER_FIELDS, LEDGER_HEADERS, headers)


def contact_log_frame(
    records: Sequence[EventRecord], population: Population, start: dt.date, headers: Headers = "en"
) -> pd.DataFrame:
    """Return one row per contact with an owner, in time order: unit, time, kind and outcome."""
    midnight = dt.datetime(start.year, start.month, start.day)
    contacts = [r for r in records if _is_contact(r)]
    labels = population.unit_labels
    frame = pd.DataFrame(
        {
            "unit": [labels[r.owner] for r in contacts],
            "time": [midnight + dt.timedelta(seconds=int(r.time * 3600)) for r in contacts],
            "kind": [r.kind for r in contacts],
            "outcome": [r.outcome for r in contacts],
        },
        columns=list(CONTACT_FIELDS),
    )
    return _headed(frame, CONTACT_FIELDS, CONTACT_HEADERS, headers)


def contact_days(result: RunResult) -> tuple[np.ndarray, np.ndarray]:
    """Return the owner and whole day (0: the first day) of each contact the contact log would hold.

    The run must have logged its events (``simulate(..., log_events=True)``);
    the contacts are those `contact_log_frame` writes, in time order.
    """
    if result.records is None:
        raise ValueError("the run did not log its events: simulate it with log_events=True")
    contacts = [r for r in result.records if _is_contact(r)]
    owner = np.fromiter((r.owner for r in contacts), dtype=np.int64, count=len(contacts))
    hours = np.fromiter((r.time for r in contacts), dtype=float, count=len(contacts))
    return owner, np.floor(hours / 24.0).astype(np.int64)


def write_table(path: Path, frame: pd.DataFrame, headers: Headers = "en") -> Path:
    """Write `frame` to `path` atomically: Excel for .xlsx, else CSV (UTF-8, with a BOM for Chinese)."""
    if path.suffix.lower() == ".xlsx":
        return write_file_atomic(path, lambda temporary: frame.to_excel(temporary, index=False))
    encoding = "utf-8-sig" if headers == "zh" else "utf-8"
    text = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S")
    return write_atomic(path, lambda handle: handle.write(text.encode(encoding)))


def export_run(
    scenario: Scenario,
    seed: int,
    roster: Path,
    ledger: Path,
    calls: Path | None = None,
    headers: Headers = "en",
) -> Export:
    """Run replication 0 of `seed` and write its roster, ledger and (with `calls`) contact log."""
    result, population = _replication_zero(scenario, seed, log_events=calls is not None)
    start = scenario.start_date
    payments = ledger_frame(result.owners, population, start, headers)
    files = [
        write_table(Path(roster), roster_frame(population, headers), headers),
        write_table(Path(ledger), payments, headers),
    ]
    contacts = None
    if calls is not None:
        log = contact_log_frame(result.records or (), population, start, headers)
        files.append(write_table(Path(calls), log, headers))
        contacts = len(log)
    return Export(
        files=tuple(files),
        households=population.size,
        payers=len(payments),
        paid=float(payments.iloc[:, 2].sum()),
        contacts=contacts,
    )


def _replication_zero(scenario: Scenario, seed: int, log_events: bool) -> tuple[RunResult, Population]:
    """Simulate replication 0 of `seed` (as ``feesim run`` does first) and draw its population again."""
    from sim.api import simulate
    from sim.population import draw_population
    from sim.rng import Streams, replication_seed

    child = replication_seed(seed, 0)
    return simulate(scenario, child, log_events=log_events), draw_population(scenario, Streams(child))


def _is_contact(record: EventRecord) -> bool:
    if record.owner < 0 or record.kind not in CONTACT_LOG_KINDS:
        return False
    return record.kind != "lawsuit" or record.outcome == "filed"


def _headed(
    frame: pd.DataFrame, fields: Sequence[str], aliases: dict[str, tuple[str, ...]], headers: Headers
) -> pd.DataFrame:
    """Return `frame` with Chinese headers (the first alias of each field) when asked."""
    if headers == "en":
        return frame
    return frame.rename(columns={field: aliases[field][0] for field in fields})
