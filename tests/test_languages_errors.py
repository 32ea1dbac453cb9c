"""Bad input in Chinese: scenario, --set, YAML, roster, ledger, experiment, search and priors errors.

With ``--lang zh-Hans`` (or ``zh-Hant``) every explanation is in Chinese: key paths,
file names, column names and the values found stay as written, and no English
sentence is left (`english_runs`).  English output is unchanged (the other tests
check it word for word); here it only proves that `english_runs` finds English.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.languages import _, ngettext, translated
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.errors import Problem
from sim.worlds.robust import describe_reversal, describe_variant
from tests.paths import ROOT, SCENARIOS

CHINESE = ("zh-Hans", "zh-Hant")
COMMUNITY = ROOT / "examples" / "community"

_KEPT_AS_WRITTEN = re.compile(
    r"'[^']*'"  # a quoted value, key or header
    r"|\"[^\"]*\""
    r"|`[^`]*`"
    r"|\S*[./_=<>\[\]{}\\-]\S*"  # key paths, file names, options, dates
)
_ENGLISH_RUN = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?: [A-Za-z]+){2,}(?![A-Za-z])")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def english_runs(text: str) -> list[str]:
    """Return the runs of three or more English words in `text`, outside what is kept as written."""
    return _ENGLISH_RUN.findall(_KEPT_AS_WRITTEN.sub("|", text))


def assert_chinese(text: str) -> None:
    """Assert that `text` says something in Chinese and has no English sentence left."""
    assert _CJK.search(text), text
    assert not english_runs(text), f"English left: {english_runs(text)} in\n{text}"
    assert "Traceback" not in text


def test_the_english_detector_finds_english() -> None:
    assert english_runs("team.collectors: expected a value greater than or equal to 1; found 0")
    assert english_runs("outcomes[2]：unknown outcome 'x'; expected one of: a, b")
    assert english_runs("第 2 行：expected a date written year first")
    assert english_runs("通过  x.yaml：call 9103") == []
    assert english_runs("应为以下之一：'china'、'none'，或列表；实际：'maybe' [来自 --set a.b=c]") == []


BAD_SCENARIO = """\
horizon_days: 0
team:
  colectors: 3
calendar:
  holidays: maybe
start_date: 2026-02-30
owners:
  segments:
    ordinary: {share: 0.5}
strategy:
  billing:
    mode: half
community:
  households: many
"""
BAD_KEYS = (
    "horizon_days",
    "team.colectors",
    "calendar.holidays",
    "start_date",
    "owners.segments",
    "strategy.billing.mode",
    "community.households",
)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _scenario_error(path: Path, overrides: dict[str, object] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return caught.value


@pytest.mark.parametrize("language", CHINESE)
def test_every_problem_of_a_scenario_is_explained_in_chinese(language: str, in_tmp: Path) -> None:
    path = in_tmp / "bad.yaml"
    path.write_text(BAD_SCENARIO, encoding="utf-8")
    english = _scenario_error(path).message
    assert english.startswith(f"{path}: invalid scenario (7 problems)")
    assert english_runs(english)
    with translated(language):
        error = _scenario_error(path, {"strategy.billing.mode": "x"})
        text = error.message
        summary = ngettext("invalid scenario ({count} problem)", "invalid scenario ({count} problems)", 7)
        found = _("{text}; found {found}").format(text="", found="")
        origin = _("{text}  [from {origin}]").format(text="", origin="")
    assert summary.format(count=7) in text and "invalid" not in summary
    assert found.strip() in text and origin.strip(" []") in text
    for key in BAD_KEYS:
        assert f"  - {key}" in text, key
    for value in ("'maybe'", "'collectors'", "'many'", "2026-02-30", "--set strategy.billing.mode=x"):
        assert value in text, value
    assert_chinese(text)


@pytest.mark.parametrize("language", CHINESE)
def test_the_words_of_a_problem_are_those_of_the_language_it_is_shown_in(language: str) -> None:
    error = ScenarioError(
        "s.yaml", "bad", [Problem("team.collectors", "m", found="0", hint="h", origin="--set x")]
    )
    assert error.message == "s.yaml: bad\n  - team.collectors: m; found 0 (h)  [from --set x]"
    with translated(language):
        shown = str(error)
    assert "found" not in shown and "from" not in shown
    assert shown.startswith("s.yaml") and "team.collectors" in shown and "--set x" in shown


def _invoke(language: str, *args: str) -> tuple[int, str, str]:
    """Run feesim in `language` in this process; return exit code, stdout and stderr (language restored)."""
    with translated("en"):
        result = CliRunner().invoke(app, ["--lang", language, *args])
    return result.exit_code, result.stdout, result.stderr


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


BASELINE = str(SCENARIOS / "baseline.yaml")
PRIORS = """\
priors:
  team.colectors: {distribution: uniform, low: 1, high: 3, reason: "x"}
  horizon_days: {distribution: uniform, low: 10, high: 5, reason: ""}
  herd.learning_rate_per_day: {distribution: loguniform, low: 0, high: 0.5, reason: "x", mode: 0.1}
fixed:
  horizon_days: "x"
"""
EXPERIMENT = f"""\
base: {BASELINE}
levers:
  team.collectors: {{kind: x}}
  community.buildings: {{range: {{min: 30, max: 10}}}}
uncertainties:
  herd.learning_rate_per_day: {{dist: normal, mean: 0.2}}
design: {{type: sobol, n: 6, points: 3}}
"""
EXPERIMENT_DESIGN = f"""\
base: {BASELINE}
levers:
  team.colectors: {{values: [2, 4]}}
  horizon_days: {{values: [0, 30]}}
design: {{type: lhs, n: 6, levels: 3}}
replications: 3
precision: {{outcome: final_paid_share, half_width: 0.01}}
"""
MISSING_BASE = "base: ../nowhere/baseline.yaml\nlevers:\n  team.collectors: {values: [2, 4]}\n"
SEARCH = f"""\
base: {BASELINE}
levers:
  team.collectors: {{values: [2, 4]}}
objective: {{maximise: staff_hours, minimise: days_to_80}}
budget: 3
"""

# name -> (files, arguments)
CASES: dict[str, tuple[dict[str, str], list[str]]] = {
    "override without =": ({}, ["validate", BASELINE, "--set", "horizon_days"]),
    "override without key": ({}, ["validate", BASELINE, "--set", "=3"]),
    "override with an empty key name": ({}, ["validate", BASELINE, "--set", "team..x=3"]),
    "override inside a value": ({}, ["validate", BASELINE, "--set", "horizon_days.x=3"]),
    "override of the wrong type": ({}, ["validate", BASELINE, "--set", "team.collectors=abc"]),
    "mapping values in YAML": ({"s.yaml": "a: b: c\n"}, ["validate", "s.yaml"]),
    "bad indentation": ({"s.yaml": "team:\n  collectors: 3\n bad: 2\n"}, ["validate", "s.yaml"]),
    "unclosed list": ({"s.yaml": "a: [1, 2\nb: 3\n"}, ["validate", "s.yaml"]),
    "empty file": ({"s.yaml": "# nothing\n"}, ["validate", "s.yaml"]),
    "a list, not a mapping": ({"s.yaml": "- 1\n- 2\n"}, ["validate", "s.yaml"]),
    "missing parent": ({"s.yaml": "extends: nowhere.yaml\n"}, ["validate", "s.yaml"]),
    "missing file": ({}, ["validate", "nowhere.yaml"]),
    "impossible dates": (
        {"s.yaml": "start_date: 2026-13-01\ncalendar:\n  holidays: [2026-02-29, 0000-01-01]\n"},
        ["validate", "s.yaml"],
    ),
    "bad priors": ({"p.yaml": PRIORS}, ["validate", "p.yaml"]),
    "bad experiment": ({"e.yaml": EXPERIMENT}, ["sweep", "e.yaml", "--out", "out"]),
    "bad design": ({"e.yaml": EXPERIMENT_DESIGN}, ["sweep", "e.yaml", "--out", "out"]),
    "experiment without its base": ({"e.yaml": MISSING_BASE}, ["sweep", "e.yaml", "--out", "out"]),
    "bad search": ({"s.yaml": SEARCH}, ["plan", "s.yaml"]),
    "search of nothing": ({"s.yaml": "search: x\n"}, ["plan", "s.yaml"]),
}


@pytest.mark.parametrize("language", CHINESE)
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_explained_in_chinese(case: str, language: str, in_tmp: Path) -> None:
    files, args = CASES[case]
    _write(in_tmp, files)
    code, stdout, stderr = _invoke(language, *args)
    assert code == 2, (stdout, stderr)
    assert_chinese(stderr)


def _roster(folder: Path) -> Path:
    """Write a roster with an empty unit, a unit listed twice and a floor that is no number."""
    table = pd.read_excel(COMMUNITY / "roster.xlsx", dtype=object).head(30)
    table.iloc[0, 0] = None
    table.iloc[3, 2] = "abc"
    table.iloc[4, 0:2] = table.iloc[5, 0:2]
    table.iloc[6, 5] = "maybe"
    table.to_csv(folder / "roster.csv", index=False)
    (folder / "s.yaml").write_text(
        f"extends: {BASELINE}\ncommunity:\n  roster: roster.csv\n", encoding="utf-8"
    )
    return folder / "s.yaml"


@pytest.mark.parametrize("language", CHINESE)
def test_a_roster_s_bad_cells_are_explained_in_chinese(language: str, in_tmp: Path) -> None:
    scenario = _roster(in_tmp)
    code, _stdout, stderr = _invoke(language, "validate", str(scenario))
    assert code == 2
    assert "roster.csv" in stderr and "'abc'" in stderr and "(房号)" not in stderr
    assert "unit" in stderr and "floor" in stderr  # the column names stay as written
    assert_chinese(stderr)


@pytest.mark.parametrize("language", CHINESE)
def test_a_roster_without_a_required_column_is_explained_in_chinese(language: str, in_tmp: Path) -> None:
    table = pd.read_excel(COMMUNITY / "roster.xlsx", dtype=object).head(10).drop(columns=["房号"])
    table.to_csv(in_tmp / "roster.csv", index=False)
    (in_tmp / "s.yaml").write_text(
        f"extends: {BASELINE}\ncommunity:\n  roster: roster.csv\n", encoding="utf-8"
    )
    code, _stdout, stderr = _invoke(language, "validate", "s.yaml", "--map", "编号=unit")
    assert code == 2 and "'编号'" in stderr
    assert_chinese(stderr)
    code, _stdout, stderr = _invoke(language, "validate", "s.yaml")
    assert code == 2 and "--map COLUMN=unit" in stderr
    assert_chinese(stderr)


def _ledger(folder: Path, bad: bool) -> Path:
    ledger = pd.read_csv(COMMUNITY / "ledger.csv", dtype=object).head(20)
    ledger.iloc[6, 0] = ledger.iloc[7, 0]  # one unit paid twice
    ledger.iloc[8, 2] = "0"
    if bad:
        ledger.iloc[0, 0] = "9-999"
        ledger.iloc[1, 1] = "2026-02-30"
        ledger.iloc[2, 2] = "-5"
        ledger.iloc[3, 1] = "2020-01-01"
        ledger.iloc[4, 2] = "abc"
        ledger.iloc[5, 1] = "soon"
    ledger.to_csv(folder / "ledger.csv", index=False)
    return folder / "ledger.csv"


@pytest.mark.parametrize("language", CHINESE)
def test_a_ledger_s_bad_rows_are_explained_in_chinese(language: str, in_tmp: Path) -> None:
    shutil.copy(COMMUNITY / "roster.xlsx", in_tmp / "roster.xlsx")
    shutil.copy(COMMUNITY / "community.yaml", in_tmp / "community.yaml")
    (in_tmp / "community.yaml").write_text(
        (in_tmp / "community.yaml").read_text(encoding="utf-8").replace("../../scenarios/", f"{SCENARIOS}/"),
        encoding="utf-8",
    )
    ledger = _ledger(in_tmp, bad=True)
    code, stdout, stderr = _invoke(language, "validate", "community.yaml", "--ledger", str(ledger))
    assert code == 2, (stdout, stderr)
    for found in ("'9-999'", "'2026-02-30'", "'-5'", "'2020-01-01'", "'abc'", "'soon'"):
        assert found in stderr, found
    assert_chinese(stderr)
    code, stdout, stderr = _invoke(
        language, "validate", "community.yaml", "--ledger", str(ledger), "--map", "实收=amount"
    )
    assert code == 2 and "'实收'" in stderr
    assert_chinese(stderr)

    ledger = _ledger(in_tmp, bad=False)
    calls = str(COMMUNITY / "calls.csv")
    code, stdout, stderr = _invoke(
        language, "validate", "community.yaml", "--ledger", str(ledger), "--calls", calls
    )
    assert code == 0, (stdout, stderr)
    with translated(language):
        warning = _("warning: {message}").format(message="")
    assert stderr.count(warning) == 2 and "warning" not in stderr
    assert len(stdout.splitlines()) == 3
    assert_chinese(stdout + stderr)


@pytest.mark.parametrize("language", CHINESE)
def test_export_refuses_in_chinese(language: str, in_tmp: Path) -> None:
    (in_tmp / "r.csv").write_text("x\n", encoding="utf-8")
    for args in (["--roster", "r.txt", "--ledger", "l.csv"], ["--roster", "r.csv", "--ledger", "l.csv"]):
        code, _stdout, stderr = _invoke(language, "export", BASELINE, *args)
        assert code == 2, stderr
        assert_chinese(stderr)
    code, _stdout, stderr = _invoke(
        language, "export", BASELINE, "--roster", "a.csv", "--ledger", "b.csv", "--headers", "fr"
    )
    assert code == 2 and "'fr'" in stderr
    assert_chinese(stderr)


@pytest.mark.parametrize("language", CHINESE)
def test_robustness_across_worlds_is_said_in_chinese(language: str) -> None:
    entry = {"worlds": 8, "share_better": 0.75, "p05": -0.01, "p95": 0.05}
    censored = {**entry, "censored": {"variant": 2, "baseline": 1, "horizon_days": 60}}
    box = {"limits": {"a.b": (None, 0.3), "c.d": (1.0, 2.0)}, "reversed": 2, "reversed_total": 2, "worlds": 3}
    with translated(language):
        lines = [
            describe_variant(entry, "final_paid_share"),
            describe_variant(censored, "days_to_80"),
            describe_variant(entry, "staff_hours"),
            *describe_reversal([box], "staged", 0.75),
            *describe_reversal(None, "staged", 1.0),
            *describe_reversal(None, "staged", 0.0),
            *describe_reversal([], "staged", 0.5),
        ]
    for line in lines:
        assert_chinese(line)
