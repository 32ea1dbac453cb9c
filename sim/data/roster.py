"""The roster: the community's own units, read from a CSV or Excel export (``community.roster``).

One row per unit, with English or Chinese headers (`ALIASES`); only `unit` and
`building` are required.  `read_roster` checks every row and returns a compact,
picklable `Roster` (numpy arrays, a missing cell as NaN or -1), or raises one
DataError naming the file, the rows and the columns of up to ten problems.  The
loader attaches the roster to the scenario; `sim.population` turns it into
owners (docs/model.md §4a).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.tables import DataError, Table, raise_problems, read_table
from sim.languages import N_, _
from sim.scenario.errors import Problem
from sim.scenario.schema import ROSTER_FIELDS

__all__ = ["OCCUPANCIES", "ROSTER_FIELDS", "Roster", "read_roster"]

ALIASES: dict[str, tuple[str, ...]] = {  # the keys are ROSTER_FIELDS of the schema, in order
    "unit": ("房号", "房屋编号", "房间号", "房号编码", "户号", "单元", "单元号", "unit_id", "room"),
    "building": ("楼栋", "栋号", "楼号", "楼栋号", "栋", "楼宇", "building_id", "block"),
    "floor": ("楼层", "层", "所在楼层", "level"),
    "area_m2": ("面积", "建筑面积", "面积(m2)", "面积（㎡）", "面积(㎡)", "计费面积", "area"),
    "annual_fee": ("年物业费", "物业费", "全年物业费", "应收物业费", "年费", "fee"),
    "fee_per_m2_month": ("单价", "物业费单价", "收费标准", "price_per_m2_month"),
    "phone_valid": ("电话有效", "手机有效", "电话是否有效", "号码有效", "phone_ok"),
    "occupancy": ("入住状态", "入住情况", "居住状态", "房屋状态", "使用状态"),
    "arrears_last_year": ("去年欠费", "上年欠费", "往年欠费", "历史欠费", "欠费金额", "arrears"),
    "open_complaints": ("未结投诉", "未结投诉数", "投诉未结", "未处理投诉", "complaints"),
}
REQUIRED: tuple[str, ...] = ("unit", "building")

OCCUPANCIES: tuple[str, ...] = ("owner", "tenant", "vacant")
OCCUPANCY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("owner", "owner-occupied", "self", "自住", "业主自住", "业主", "已入住", "入住", "自用"), "owner"
    ),
    **dict.fromkeys(("tenant", "rented", "let", "出租", "已出租", "租户", "租赁", "租住"), "tenant"),
    **dict.fromkeys(("vacant", "empty", "空置", "空房", "未入住", "闲置"), "vacant"),
}
YES_NO: dict[str, int] = {
    **dict.fromkeys(("yes", "y", "true", "t", "1", "是", "有效", "有", "√", "✓"), 1),
    **dict.fromkeys(("no", "n", "false", "f", "0", "否", "无效", "无", "×", "✗"), 0),
}
NUMBER_TRIMMINGS = re.compile(r"[,，\s¥￥]|元|㎡|m²|m2|平方米|平米|层|楼|f$", re.IGNORECASE)
MISSING_INT = -1


@dataclass(frozen=True, eq=False)
class Roster:
    """The units of a roster, as parallel arrays in the file's order (a missing cell: NaN, or -1)."""

    path: str
    units: tuple[str, ...]
    building: np.ndarray  # int: index into `buildings`
    buildings: tuple[str, ...]  # building labels, in order of first appearance
    floor: np.ndarray  # int, 1.., or -1
    area: np.ndarray  # m², or NaN
    annual_fee: np.ndarray  # CNY a year, or NaN
    fee_per_m2_month: np.ndarray  # CNY per m² and month, or NaN
    phone_valid: np.ndarray  # int: 1, 0, or -1
    occupancy: np.ndarray  # int index into OCCUPANCIES (owner when missing)
    arrears: np.ndarray  # CNY unpaid last year (0 when missing)
    complaints: np.ndarray  # int: open complaints (0 when missing)
    digest: str = field(default="")

    @property
    def size(self) -> int:
        """Return the number of units."""
        return len(self.units)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Roster) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)


def read_roster(path: Path, columns: Mapping[str, str] | None = None) -> Roster:
    """Read and check the roster at `path` (headers mapped by `columns` first); a bad row is a DataError."""
    path = Path(os.path.abspath(path))
    try:
        stat = path.stat()
    except OSError:
        raise DataError(str(path), _("cannot read the roster (community.roster): no such file")) from None
    return _read_cached(str(path), stat.st_mtime_ns, stat.st_size, tuple(sorted((columns or {}).items())))


@lru_cache(maxsize=8)
def _read_cached(path: str, _mtime: int, _size: int, columns: tuple[tuple[str, str], ...]) -> Roster:
    """Read a roster once per process and version of the file (workers rebuild scenarios from dicts)."""
    table = read_table(Path(path), ALIASES, REQUIRED, dict(columns), what=N_("roster"))
    if table.frame.empty:
        raise DataError(path, _("the roster has no units: expected one row per unit below the header"))
    return _checked(table)


def _checked(table: Table) -> Roster:
    problems: list[Problem] = []
    frame = table.frame
    units = _labels(table, "unit", problems)
    buildings = _labels(table, "building", problems)
    _check_duplicates(table, units, buildings, problems)
    values = {
        "floor": _column(table, "floor", _floor, problems, np.nan),
        "area": _column(table, "area_m2", _amount, problems, np.nan),
        "annual_fee": _column(table, "annual_fee", _amount, problems, np.nan),
        "fee_per_m2_month": _column(table, "fee_per_m2_month", _amount, problems, np.nan),
        "phone_valid": _column(table, "phone_valid", _yes_no, problems, MISSING_INT),
        "occupancy": _column(table, "occupancy", _occupancy, problems, 0),
        "arrears": _column(table, "arrears_last_year", _amount, problems, 0.0),
        "complaints": _column(table, "open_complaints", _count, problems, 0),
    }
    summary = _("the roster has {count} bad cells or rows; nothing was run").format(count=len(problems))
    raise_problems(table.path, summary, problems)
    labels = list(dict.fromkeys(buildings))
    index = {label: i for i, label in enumerate(labels)}
    unique_units = len(set(units)) == len(units)
    ids = units if unique_units else [f"{b}-{u}" for b, u in zip(buildings, units, strict=True)]
    floor = values.pop("floor")
    return Roster(
        path=str(table.path),
        units=tuple(ids),
        building=np.array([index[b] for b in buildings], dtype=np.int64),
        buildings=tuple(labels),
        floor=np.where(np.isnan(floor), MISSING_INT, floor).astype(np.int64),
        area=values["area"],
        annual_fee=values["annual_fee"],
        fee_per_m2_month=values["fee_per_m2_month"],
        phone_valid=values["phone_valid"].astype(np.int8),
        occupancy=values["occupancy"].astype(np.int8),
        arrears=values["arrears"],
        complaints=values["complaints"].astype(np.int64),
        digest=_digest(frame),
    )


def _where(table: Table, index: int, name: str) -> str:
    """Return 'row N, column FIELD (中文)': where a problem is, as the user sees it."""
    chinese = next((a for a in ALIASES[name] if not a.isascii()), None)
    if chinese is None:
        return _("{row}, column {column}").format(row=table.where(index), column=name)
    return _("{row}, column {column} ({header})").format(row=table.where(index), column=name, header=chinese)


def _labels(table: Table, name: str, problems: list[Problem]) -> list[str]:
    """Return a required column as text labels; an empty cell is a problem."""
    labels = []
    for index, value in enumerate(table.frame[name].tolist()):
        if _empty(value):
            problems.append(
                Problem(
                    _where(table, index, name),
                    _("expected a {column} id").format(column=name),
                    found=_("an empty cell"),
                )
            )
        labels.append(_text(value))
    return labels


def _check_duplicates(table: Table, units: list[str], buildings: list[str], problems: list[Problem]) -> None:
    """Report every unit listed twice in the same building, naming both rows."""
    first: dict[tuple[str, str], int] = {}
    for index, key in enumerate(zip(buildings, units, strict=True)):
        if not key[1]:
            continue
        if key in first:
            earlier = table.where(first[key])
            problems.append(
                Problem(
                    _where(table, index, "unit"),
                    _("unit {unit} of building {building} is listed twice").format(
                        unit=repr(key[1]), building=repr(key[0])
                    ),
                    found=_("the same unit in {row}").format(row=earlier),
                    hint=_("keep one row per unit"),
                )
            )
        else:
            first[key] = index


def _column(
    table: Table,
    name: str,
    parse: Callable[[object], float | int],
    problems: list[Problem],
    missing: float,
) -> np.ndarray:
    """Parse an optional column cell by cell (`missing` for empty cells or an absent column)."""
    if name not in table.frame:
        return np.full(len(table.frame), missing, dtype=float)
    out = np.full(len(table.frame), missing, dtype=float)
    for index, value in enumerate(table.frame[name].tolist()):
        if _empty(value):
            continue
        try:
            out[index] = parse(value)
        except ValueError as exc:
            problems.append(Problem(_where(table, index, name), str(exc), found=repr(_text(value))))
    return out


def _empty(value: object) -> bool:
    """Say whether a cell is empty (None, or the NaN pandas puts in a numeric column)."""
    return value is None or (isinstance(value, float) and value != value)


def _text(value: object) -> str:
    """Return a cell as a label: Excel's 3.0 reads as '3'."""
    if _empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(_("expected a number"))
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(NUMBER_TRIMMINGS.sub("", str(value)))
        except ValueError:
            raise ValueError(_("expected a number")) from None
    if not np.isfinite(number):
        raise ValueError(_("expected a finite number"))
    return number


def _amount(value: object) -> float:
    number = _number(value)
    if number < 0:
        raise ValueError(_("expected an amount of 0 or more"))
    return number


def _count(value: object) -> int:
    number = _number(value)
    if number < 0 or not number.is_integer():
        raise ValueError(_("expected a whole count of 0 or more"))
    return int(number)


def _floor(value: object) -> int:
    number = _number(value)
    if number < 1 or not number.is_integer():
        raise ValueError(_("expected a floor number from 1 up"))
    return int(number)


def _yes_no(value: object) -> int:
    word = _text(value).lower()
    if word not in YES_NO:
        raise ValueError(_("expected yes or no (是/否, Y/N, 1/0, true/false, 有效/无效)"))
    return YES_NO[word]


def _occupancy(value: object) -> int:
    word = _text(value).lower()
    if word not in OCCUPANCY_WORDS:
        raise ValueError(_("expected owner, tenant or vacant (自住, 出租, 空置)"))
    return OCCUPANCIES.index(OCCUPANCY_WORDS[word])


def _digest(frame: pd.DataFrame) -> str:
    """Return a short digest of the roster's content (two rosters with equal content compare equal)."""
    text = frame.to_csv(index=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
