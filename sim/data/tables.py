"""Reading a table exported from another system: CSV (UTF-8 with or without BOM, GBK) or Excel.

Every reader of a roster, ledger or contact log goes through `read_table`, which
maps the file's headers (English, Chinese, or the user's own spellings) to
canonical field names and keeps each row's line number in the file, so that a
problem can name the file, the row and the column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.languages import N_, _
from sim.scenario.errors import Problem, ScenarioError, listing

__all__ = ["DataError", "Table", "parse_column_map", "raise_problems", "read_table"]

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")
"""Encodings tried in order: UTF-8 (a BOM is dropped), then GB18030, a superset of the GBK Excel writes."""

EXCEL_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
MAX_PROBLEMS_SHOWN = 10


class DataError(ScenarioError):
    """A data file (roster, ledger, contact log) that cannot be read: names file, row and column."""


@dataclass(frozen=True)
class Table:
    """A data file read into canonical columns; `rows` holds each row's line number in the file."""

    path: Path
    frame: pd.DataFrame
    rows: pd.Series

    def where(self, index: int) -> str:
        """Return 'row N' for the frame's row `index`, N as the user sees it in the file."""
        return _("row {row}").format(row=int(self.rows.iloc[index]))


def parse_column_map(
    items: Sequence[str] | None, fields: Sequence[str], source: str = "--map"
) -> dict[str, str]:
    """Parse ``COLUMN=FIELD`` items (``--map``) into {column: field}; a bad item is a DataError."""
    mapping: dict[str, str] = {}
    problems = []
    for item in items or ():
        column, sep, field = item.partition("=")
        column, field = column.strip(), field.strip()
        if not sep or not column or not field:
            problems.append(Problem(source, _("expected COLUMN=FIELD"), found=repr(item)))
        elif field not in fields:
            message = _("unknown field {field}; expected one of {fields}").format(
                field=repr(field), fields=listing(fields)
            )
            problems.append(Problem(source, message, found=repr(item)))
        else:
            mapping[column] = field
    if problems:
        raise DataError(source, _("cannot use the column mapping"), problems)
    return mapping


def read_table(
    path: Path,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    column_map: Mapping[str, str] | None = None,
    what: str = N_("table"),
) -> Table:
    """Read `path` and return its columns renamed to the canonical fields of `aliases`.

    `aliases` maps each field to the header spellings that mean it (matched
    after trimming, case-insensitively); `column_map` maps the user's own
    headers to fields and wins over the aliases.  `what` names the file in the errors
    (a catalogue message: "roster", "ledger", "contact log").  Columns that match no field
    are dropped; a field given by two columns, or a required field that is
    missing, is a DataError naming the file.  Cells are read as text (empty
    cells as None): the caller converts and checks them row by row.
    """
    what = _(what)
    raw = _read_raw(path, what)
    names = _canonical_names(raw.columns, aliases, column_map or {}, path, what)
    missing = [field for field in required if field not in names.values()]
    if missing:
        found = listing([str(c) for c in raw.columns]) or _("no columns")
        raise DataError(
            str(path),
            _("the {what} has no column for {fields}").format(what=what, fields=listing(missing)),
            [
                Problem(
                    field,
                    _("expected a column headed {names}").format(names=_either(field, *aliases[field])),
                    found=found,
                    hint=_("name your own column with --map COLUMN={field}").format(field=field),
                )
                for field in missing
            ],
        )
    frame = raw[list(names)].rename(columns=names)
    frame = frame.map(_cell)
    keep = frame.notna().any(axis=1)
    frame = frame[keep].reset_index(drop=True)
    header_rows = 1
    rows = pd.Series(raw.index[keep.to_numpy()] + header_rows + 1, dtype=int).reset_index(drop=True)
    return Table(path=path, frame=frame, rows=rows)


def _either(*headers: str) -> str:
    """Return the first three headers quoted, as alternatives: "'unit' or '房号' or '房屋编号'"."""
    quoted = [repr(header) for header in headers[:3]]
    text = quoted[0]
    for other in quoted[1:]:
        text = _("{first} or {second}").format(first=text, second=other)
    return text


def raise_problems(path: Path, summary: str, problems: Sequence[Problem]) -> None:
    """Raise a DataError with the first problems (and how many more there are), if there are any."""
    if not problems:
        return
    shown = list(problems[:MAX_PROBLEMS_SHOWN])
    if len(problems) > MAX_PROBLEMS_SHOWN:
        more = _("and {count} more problems like these").format(count=len(problems) - MAX_PROBLEMS_SHOWN)
        shown.append(Problem("...", more))
    raise DataError(str(path), summary, shown)


def _read_raw(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(str(path), _("cannot read the {what}: no such file").format(what=what))
    if path.suffix.lower() in EXCEL_SUFFIXES:
        try:
            return pd.read_excel(path, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            message = _("cannot read the {what} as an Excel workbook: {reason}").format(what=what, reason=exc)
            raise DataError(str(path), message) from None
    if path.suffix.lower() in (".xls",):
        message = _("cannot read the {what}: old .xls workbooks are not supported; save as .xlsx or CSV")
        raise DataError(str(path), message.format(what=what))
    last: Exception | None = None
    for encoding in ENCODINGS:
        try:
            return pd.read_csv(path, dtype=object, encoding=encoding, keep_default_na=False, na_values=[""])
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.ParserError as exc:
            message = _("cannot read the {what} as CSV: {reason}").format(what=what, reason=exc)
            raise DataError(str(path), message) from None
        except pd.errors.EmptyDataError:
            raise DataError(str(path), _("the {what} is empty").format(what=what)) from None
    message = _("cannot read the {what}: it is neither UTF-8 nor GBK text ({reason}); save it as CSV UTF-8")
    raise DataError(str(path), message.format(what=what, reason=last))


def _normal(header: object) -> str:
    return str(header).strip().strip("\ufeff").lower()


def _canonical_names(
    columns: pd.Index,
    aliases: Mapping[str, Sequence[str]],
    column_map: Mapping[str, str],
    path: Path,
    what: str,
) -> dict[object, str]:
    spelling = {_normal(a): field for field, spellings in aliases.items() for a in (field, *spellings)}
    user = {_normal(c): f for c, f in column_map.items()}
    names: dict[object, str] = {}
    for column in columns:
        field = user.get(_normal(column)) or spelling.get(_normal(column))
        if field is None:
            continue
        if field in names.values():
            other = next(c for c, f in names.items() if f == field)
            raise DataError(
                str(path),
                _("two columns of the {what} mean {field}: {first} and {second}").format(
                    what=what, field=field, first=repr(other), second=repr(column)
                ),
                [
                    Problem(
                        field,
                        _("expected one column; drop or rename the other"),
                        found=f"{other!r}, {column!r}",
                    )
                ],
            )
        names[column] = field
    unused = set(user) - {_normal(c) for c in columns}
    if unused:
        raise DataError(
            str(path),
            _("the column mapping names columns the file does not have"),
            [
                Problem(
                    "--map",
                    _("no column {column} in the {what}").format(column=repr(c), what=what),
                    found=listing([str(c) for c in columns]),
                )
                for c in sorted(unused)
            ],
        )
    return names


def _cell(value: object) -> object:
    """Return a cell as stripped text, a number or a date as read, or None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    return value
