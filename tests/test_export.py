"""feesim export: replication 0 written in the import formats reads back as the same run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.api import replicate
from sim.cli import app
from sim.data.contact_log import read_contacts
from sim.data.export import CONTACT_LOG_KINDS, export_run
from sim.data.ledger import read_ledger
from sim.data.tables import read_table
from sim.records import NOBODY
from sim.scenario import load_scenario, parse_overrides
from sim.views.eventlog import CONTACT_KINDS
from tests.commands import small_community
from tests.paths import SCENARIOS

DAYS = 60
SMALL = small_community(DAYS)
SEED = 7


def small(name: str):
    return load_scenario(SCENARIOS / name, parse_overrides(SMALL[1::2]))


@pytest.fixture(scope="module")
def playbook():
    return small("playbook.yaml")


@pytest.fixture(scope="module")
def replication_zero(playbook):
    return replicate(playbook, 1, SEED, log_events=True)[0]


def roster_units(path: Path) -> list[str]:
    return read_table(path, {"unit": ("房号",)}, ["unit"], what="roster").frame["unit"].tolist()


@pytest.mark.parametrize(("suffix", "headers"), [(".csv", "en"), (".xlsx", "zh")])
def test_the_ledger_reads_back_as_the_payers_days_and_fees_of_replication_zero(
    tmp_path: Path, playbook, replication_zero, suffix: str, headers: str
) -> None:
    roster, ledger = tmp_path / f"roster{suffix}", tmp_path / f"ledger{suffix}"
    done = export_run(playbook, SEED, roster, ledger, headers=headers)
    units = roster_units(roster)
    assert len(units) == len(set(units)) == done.households == 200
    book = read_ledger(ledger, units, playbook.start_date, playbook.horizon_days)
    assert book.warnings == ()
    owners = replication_zero.owners
    payers = owners[owners["paid_at"].notna()]
    expected = {
        units[o]: (int(t // 24), round(f, 2))
        for o, t, f in zip(payers["owner"], payers["paid_at"], payers["fee"], strict=True)
    }
    totals = book.unit_totals()
    found = {u: (d, a) for u, d, a in zip(totals["unit"], totals["first_day"], totals["amount"], strict=True)}
    assert found == expected
    assert done.payers == len(expected) > 0


def test_the_ledger_daily_households_follow_the_run(tmp_path: Path, playbook, replication_zero) -> None:
    export_run(playbook, SEED, tmp_path / "roster.csv", tmp_path / "ledger.csv")
    book = read_ledger(tmp_path / "ledger.csv", None, playbook.start_date, playbook.horizon_days)
    paid_at = replication_zero.owners["paid_at"].to_numpy()
    before = [int((paid_at < 24 * d).sum()) for d in range(DAYS + 1)]  # NaN compares False
    assert book.daily()["households"].tolist() == before


def test_the_contact_log_reads_back_as_the_contacts_of_replication_zero(
    tmp_path: Path, playbook, replication_zero
) -> None:
    paths = [tmp_path / name for name in ("roster.xlsx", "ledger.csv", "calls.csv")]
    done = export_run(playbook, SEED, *paths, headers="zh")
    log = read_contacts(paths[2], roster_units(paths[0]), playbook.start_date, playbook.horizon_days)
    records = [
        r
        for r in replication_zero.records
        if r.owner != NOBODY and r.kind in CONTACT_LOG_KINDS and (r.kind != "lawsuit" or r.outcome == "filed")
    ]
    assert done.contacts == len(log.contacts) == len(records) > 0
    assert log.contacts["kind"].tolist() == [r.kind for r in records]
    assert log.contacts["outcome"].tolist() == [r.outcome for r in records]
    hours = np.array([r.time for r in records])
    assert np.all(
        (hours - log.contacts["hours"].to_numpy() >= 0) & (hours - log.contacts["hours"] < 1 / 3600)
    )
    assert len(set(log.contacts["kind"])) > 1


def test_the_contact_log_holds_every_contact_kind_of_the_views() -> None:
    assert set(CONTACT_KINDS) <= set(CONTACT_LOG_KINDS)


def test_the_same_seed_writes_the_same_csv_files_bit_for_bit(tmp_path: Path, playbook) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        export_run(
            playbook, SEED, *(tmp_path / folder / n for n in ("roster.csv", "ledger.csv", "calls.csv"))
        )
    for name in ("roster.csv", "ledger.csv", "calls.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_chinese_csv_has_a_bom_chinese_headers_and_yes_no_in_chinese(tmp_path: Path, playbook) -> None:
    export_run(playbook, SEED, tmp_path / "roster.csv", tmp_path / "ledger.csv", headers="zh")
    roster = (tmp_path / "roster.csv").read_text(encoding="utf-8")
    assert roster.startswith("\ufeff房号,楼栋,楼层,面积,年物业费,电话有效\n")
    assert {line.rsplit(",", 1)[1] for line in roster.splitlines()[1:]} <= {"是", "否"}
    assert (tmp_path / "ledger.csv").read_text(encoding="utf-8-sig").startswith("房号,缴费日期,金额\n")


# -- the commands ---------------------------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_export_then_validate_on_the_command_line(tmp_path: Path) -> None:
    roster, ledger, calls = (tmp_path / n for n in ("roster.csv", "ledger.csv", "calls.csv"))
    scenario = SCENARIOS / "baseline.yaml"
    result = invoke("export", scenario, "--roster", roster, "--ledger", ledger, "--calls", calls, *SMALL)
    assert result.exit_code == 0, result.output
    assert "households paid" in result.stdout and str(ledger) in result.stdout
    checked = invoke("validate", scenario, "--ledger", ledger, "--calls", calls, *SMALL)
    assert checked.exit_code == 0, checked.output
    assert f"ok  {ledger}:" in checked.stdout and f"ok  {calls}:" in checked.stdout


def test_export_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    roster, ledger = tmp_path / "roster.csv", tmp_path / "ledger.csv"
    ledger.write_text("mine\n")
    args = ("export", SCENARIOS / "baseline.yaml", "--roster", roster, "--ledger", ledger, *SMALL)
    refused = invoke(*args)
    assert refused.exit_code == 2
    assert f"{ledger}: the file exists; add --force to replace it" in refused.stderr
    assert ledger.read_text() == "mine\n" and not roster.exists()
    assert invoke(*args, "--force").exit_code == 0
    assert ledger.read_text().startswith("unit,paid_on,amount\n")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--roster", "r.txt", "--ledger", "l.csv"],
            "r.txt: cannot write this file: name a .csv or .xlsx file",
        ),
        (["--roster", "x.csv", "--ledger", "x.csv"], "give each table its own file"),
        (["--roster", "r.csv", "--ledger", "l.csv", "--headers", "fr"], "--headers is en (English) or zh"),
    ],
)
def test_export_refuses_bad_options(tmp_path: Path, monkeypatch, options: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("export", SCENARIOS / "baseline.yaml", *options, *SMALL)
    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_validate_a_bad_ledger_exits_2_naming_row_and_column(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("unit,paid_on,amount\n1-101,2026-03-02,abc\n1-101,2026-03-03,5\n", encoding="utf-8")
    result = invoke("validate", SCENARIOS / "baseline.yaml", "--ledger", ledger, *SMALL)
    assert result.exit_code == 2
    assert "row 2, column amount: expected an amount of money" in result.stderr
    assert "Traceback" not in result.output


def test_validate_shows_warnings_on_stderr(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("户,日期,金额\n1-101,2026-03-02,5\n1-101,2026-03-03,5\n", encoding="utf-8")
    result = invoke("validate", SCENARIOS / "baseline.yaml", "--ledger", ledger, "--map", "户=unit", *SMALL)
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "paid more than once" in result.stderr
    assert "2 payments from 1 unit, 10.00 CNY, 2026-03-02 to 2026-03-03" in result.stdout


def test_validate_checks_a_ledger_against_one_scenario_only(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("unit,paid_on,amount\n", encoding="utf-8")
    baseline = SCENARIOS / "baseline.yaml"
    result = invoke("validate", baseline, baseline, "--ledger", ledger)
    assert result.exit_code == 2 and "exactly one SCENARIO" in result.stderr
