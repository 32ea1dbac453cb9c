"""Reading payment ledgers and contact logs: encodings, headers, date spellings, and every bad row named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sim.data.cells import CellError, moment_of
from sim.data.contact_log import read_contacts
from sim.data.ledger import read_ledger
from sim.data.tables import DataError

UNITS = ("1-101", "1-102", "2-101", "101")
START = dt.date(2026, 3, 2)
DAYS = 60


def write_csv(folder: Path, text: str, encoding: str = "utf-8", name: str = "ledger.csv") -> Path:
    """Write CSV text (lines given without indentation) in `encoding`; return its path."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def ledger_of(path: Path, **options: object):
    return read_ledger(path, UNITS, START, DAYS, **options)


def problems_of(path: Path, reader=ledger_of) -> str:
    with pytest.raises(DataError) as caught:
        reader(path)
    return caught.value.message


def test_english_csv_reads_units_dates_amounts_and_days(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "unit,paid_on,amount\n1-101,2026-03-02,3000\n2-101,2026-03-05,2918.91\n")
    ledger = ledger_of(path)
    payments = ledger.payments
    assert payments["unit"].tolist() == ["1-101", "2-101"]
    assert payments["paid_on"].tolist() == [dt.date(2026, 3, 2), dt.date(2026, 3, 5)]
    assert payments["amount"].tolist() == [3000.0, 2918.91]
    assert payments["day"].tolist() == [0, 3]
    assert payments["row"].tolist() == [2, 3]
    assert ledger.total == pytest.approx(5918.91)
    assert ledger.warnings == ()


@pytest.mark.parametrize(
    ("header", "encoding"),
    [
        ("房号,收款日期,实收金额", "gbk"),
        ("房屋编号,日期,缴费金额", "utf-8-sig"),
        ("房号,缴费日期,金额", "utf-8"),
    ],
)
def test_chinese_headers_in_gbk_and_utf8_with_or_without_bom(
    tmp_path: Path, header: str, encoding: str
) -> None:
    path = write_csv(tmp_path, f'{header}\n1-102,2026年3月3日,"1,200.50"\n', encoding)
    payments = ledger_of(path).payments
    assert payments[["unit", "day", "amount"]].values.tolist() == [["1-102", 1, 1200.5]]


def test_excel_with_date_cells_datetime_cells_and_number_units(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["房号", "缴费日期", "金额"])
    sheet.append(["1-101", dt.date(2026, 3, 4), 3000])
    sheet.append([101, dt.datetime(2026, 4, 1, 15, 30), 2500.5])
    sheet.append(["2-101", "2026/3/9", "2,000"])
    book.save(path)
    payments = ledger_of(path).payments
    assert payments["unit"].tolist() == ["1-101", "101", "2-101"]
    assert payments["day"].tolist() == [2, 30, 7]
    assert payments["amount"].tolist() == [3000.0, 2500.5, 2000.0]
    assert payments["row"].tolist() == [2, 3, 4]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", dt.datetime(2026, 3, 2)),
        ("2026/3/2", dt.datetime(2026, 3, 2)),
        ("2026.3.2", dt.datetime(2026, 3, 2)),
        ("2026年3月2日", dt.datetime(2026, 3, 2)),
        ("20260302", dt.datetime(2026, 3, 2)),
        ("2026-03-02 14:05", dt.datetime(2026, 3, 2, 14, 5)),
        ("2026/3/2 9:05:30", dt.datetime(2026, 3, 2, 9, 5, 30)),
        ("2026-03-02T14:05:00", dt.datetime(2026, 3, 2, 14, 5)),
        ("2026-03-02 00:00:00.000", dt.datetime(2026, 3, 2)),
    ],
)
def test_date_spellings(text: str, expected: dt.datetime) -> None:
    assert moment_of(text) == expected


@pytest.mark.parametrize("text", ["3/2/2026", "02.03.2026", "March 2", "2026-02-30", "2026-03-02 soon"])
def test_dates_not_written_year_first_or_impossible_are_refused(text: str) -> None:
    with pytest.raises(CellError):
        moment_of(text)


@pytest.mark.parametrize(
    ("row", "where", "found"),
    [
        (",2026-03-02,100", "row 3, column unit: missing value", None),
        ("1-101,,100", "row 3, column paid_on: missing value", None),
        ("1-101,2026-03-02,", "row 3, column amount: missing value", None),
        ("1-101,2026-03-02,-5", "row 3, column amount: expected an amount paid, not negative", "'-5'"),
        ("1-101,2026-03-02,lots", "row 3, column amount: expected an amount of money", "'lots'"),
        ("1-101,3/2/2026,100", "row 3, column paid_on: expected a date written year first", "'3/2/2026'"),
        ("1-101,2026-02-30,100", "row 3, column paid_on: expected a date of the calendar", "'2026-02-30'"),
        (
            "1-101,2026-03-01,100",
            "row 3, column paid_on: expected a date in the campaign, 2026-03-02 to",
            None,
        ),
        ("1-101,2026-05-01,100", "row 3, column paid_on: expected a date in the campaign", "'2026-05-01'"),
        ("9-909,2026-03-02,100", "row 3, column unit: expected a unit id of the community", "'9-909'"),
    ],
)
def test_every_bad_cell_is_named_by_file_row_and_column(
    tmp_path: Path, row: str, where: str, found: str | None
) -> None:
    path = write_csv(tmp_path, f"unit,paid_on,amount\n1-102,2026-03-02,10\n{row}\n")
    message = problems_of(path)
    assert message.startswith(f"{path}: cannot use the ledger (1 problem)")
    assert where in message
    if found is not None:
        assert f"found {found}" in message


def test_an_unknown_unit_suggests_the_closest(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "unit,paid_on,amount\n1-1011,2026-03-02,10\n")
    assert "did you mean '1-101'?" in problems_of(path)


def test_a_missing_column_is_named_with_its_expected_headers(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "房号,金额\n1-101,10\n")
    message = problems_of(path)
    assert str(path) in message and "no column for paid_on" in message and "缴费日期" in message


def test_many_problems_show_ten_and_count_the_rest(tmp_path: Path) -> None:
    rows = "".join(f"1-101,2026-03-02,-{k}\n" for k in range(1, 16))
    message = problems_of(write_csv(tmp_path, f"unit,paid_on,amount\n{rows}"))
    assert "(15 problems)" in message
    assert message.count("column amount") == 10
    assert "and 5 more problems like these" in message


def test_several_payments_of_a_unit_are_summed_with_a_warning(tmp_path: Path) -> None:
    text = "unit,paid_on,amount\n1-101,2026-03-05,1000\n2-101,2026-03-03,500\n1-101,2026-03-04,200\n"
    path = write_csv(tmp_path, text)
    ledger = ledger_of(path)
    [warning] = ledger.warnings
    assert warning.startswith(f"{path}: 1 unit paid more than once")
    assert "1-101 (rows 2, 4)" in warning
    totals = ledger.unit_totals()
    assert totals[["unit", "first_day", "amount", "payments"]].values.tolist() == [
        ["2-101", 1, 500.0, 1],
        ["1-101", 2, 1200.0, 2],
    ]


def test_daily_counts_households_and_money_paid_before_each_day(tmp_path: Path) -> None:
    text = "unit,paid_on,amount\n1-101,2026-03-05,1000\n2-101,2026-03-03,500\n1-101,2026-03-04,200\n"
    daily = ledger_of(write_csv(tmp_path, text)).daily()
    assert len(daily) == DAYS + 1
    assert daily["households"].tolist()[:5] == [0, 0, 1, 2, 2]
    assert daily["amount"].tolist()[:5] == [0.0, 0.0, 500.0, 700.0, 1700.0]
    assert daily["amount"].iloc[-1] == 1700.0


def test_the_user_map_names_other_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "户,收款日,实收\n1-101,2026-03-02,10\n")
    mapping = {"户": "unit", "收款日": "paid_on", "实收": "amount"}
    assert ledger_of(path, column_map=mapping).payments["unit"].tolist() == ["1-101"]


def test_an_empty_ledger_reads_as_no_payments(tmp_path: Path) -> None:
    ledger = ledger_of(write_csv(tmp_path, "unit,paid_on,amount\n"))
    assert ledger.payments.empty and ledger.unit_totals().empty
    assert ledger.daily()["households"].max() == 0


# -- contact logs ---------------------------------------------------------------------------------------


def contacts_of(path: Path):
    return read_contacts(path, UNITS, START, DAYS)


def test_contact_log_with_chinese_headers_and_no_outcome_column(tmp_path: Path) -> None:
    text = "房号,联系时间,方式\n1-101,2026-03-02 09:30,call\n2-101,2026/3/3 14:00,短信\n"
    log = contacts_of(write_csv(tmp_path, text, "gbk", "calls.csv"))
    contacts = log.contacts
    assert contacts["kind"].tolist() == ["call", "短信"]
    assert contacts["outcome"].tolist() == ["", ""]
    assert contacts["hours"].tolist() == [9.5, 38.0]
    assert contacts["day"].tolist() == [0, 1]
    assert log.kinds() == {"call": 1, "短信": 1}


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("1-101,2026-05-02 10:00,call,reached", "row 3, column time: expected a date in the campaign"),
        ("1-101,yesterday,call,reached", "row 3, column time: expected a date written year first"),
        ("7-777,2026-03-02 10:00,call,reached", "row 3, column unit: expected a unit id of the community"),
        ("1-101,2026-03-02 10:00,,reached", "row 3, column kind: missing value"),
    ],
)
def test_every_bad_contact_is_named_by_file_row_and_column(tmp_path: Path, row: str, where: str) -> None:
    path = write_csv(
        tmp_path, f"unit,time,kind,outcome\n1-102,2026-03-02 08:00,visit,\n{row}\n", name="c.csv"
    )
    message = problems_of(path, contacts_of)
    assert message.startswith(f"{path}: cannot use the contact log (1 problem)")
    assert where in message
