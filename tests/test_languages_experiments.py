"""Sweeps and their analysis speak Chinese: every sentence, label and table of `feesim sweep` and `analyze`.

The sweep folders are the hand-made ones of `tests.test_analyze` (no simulation).  A
Chinese output must hold its known words and no English sentence: no run of three or
more English words once key paths, file names and the command line are set aside
(`english_runs`, which finds plenty in the same output in English, so it cannot pass by
finding nothing).  The analysis itself (``analysis.json``, ``--json``) stays English.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.analyze import analyze, load_sweep
from sim.experiments.findings import print_analysis
from sim.experiments.outcomes import FIGURE_OUTCOMES, NESTED_OUTCOMES, check_outcome
from sim.experiments.progress import SweepProgress
from sim.experiments.readable import (
    LEVER_LABELS,
    direction_text,
    lever_label,
    lever_unit,
    outcome_label,
    setup_text,
    unit_label,
    value_text,
    verdict_text,
)
from sim.experiments.runner import Failure, _plan_text
from sim.languages import translated
from tests.paths import SCENARIOS
from tests.test_analyze import SOBOL, _sobol_outcomes, _team_outcomes, fake_sweep

CHINESE = ("zh-Hans", "zh-Hant")
TEAM = f"""\
name: team
base: {SCENARIOS / "baseline.yaml"}
levers:
  team.collectors: {{values: [1, 2, 4, 8]}}
replications: 4
outcomes: [final_paid_share, money_collected, staff_hours]
"""
TEAM_WITHOUT_MONEY = TEAM.replace("money_collected, staff_hours", "days_to_50, calls")
BILLING = f"""\
name: billing
base: {SCENARIOS / "baseline.yaml"}
levers:
  strategy.billing.mode: {{values: [bulk, staged]}}
  team.collectors: {{values: [2, 4]}}
replications: 3
outcomes: [final_paid_share, days_to_50, staff_hours]
"""
WORDS = {
    "zh-Hans": ("结论：", "多一个收费员带来的收入", "人工工时", "不划算", "每个试验点重复运行"),
    "zh-Hant": ("結論：", "多一個收費員帶來的收入", "人工工時", "不划算", "每個試驗點重複"),
}
"""Words each language's answer of the team-size sweep holds (glossary terms among them)."""

_SET_ASIDE = re.compile(
    r"`[^`]*`"  # quoted code
    r"|feesim sweep EXPERIMENT --samples"  # the command to run
    r"|[\w*<>/~-]*\w[./_=][\w<*][\w*<>/~.=-]*"  # key paths, file names, outcome ids, paths
)
_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'-]*(?:[ ,]+[A-Za-z][A-Za-z'-]*){2,}")


def english_runs(text: str) -> list[str]:
    """Return the runs of three or more English words in `text`, key paths and file names set aside."""
    return _ENGLISH_RUN.findall(_SET_ASIDE.sub(" ", text))


def test_english_runs_finds_english_and_sets_keys_aside() -> None:
    assert english_runs("结论：one more collector stops paying。") == ["one more collector stops paying"]
    assert english_runs("结论：it stops here. 见 analysis.json") == ["it stops here"]
    assert english_runs("记录 money_collected 和 staff_hours：team.collectors = 4，analysis.json") == []
    assert english_runs("Sobol 样本（n = 4）：feesim sweep EXPERIMENT --samples 8") == []
    assert english_runs("S1 0.18 (±0.36)、ST") == []


def _printed(analysis: dict[str, Any], folder: Path, language: str, width: int = 80) -> str:
    out = io.StringIO()
    with translated(language):
        print_analysis(analysis, folder, Console(file=out, width=width))
    return out.getvalue()


def _check_chinese(analysis: dict[str, Any], folder: Path, language: str) -> str:
    """Return the analysis printed in `language`; fail on English sentences or on lines over 80 columns."""
    english = _printed(analysis, folder, "en")
    assert len(english_runs(english)) >= 3, "the check must find the English of the English output"
    text = _printed(analysis, folder, language)
    assert not english_runs(text), english_runs(text)
    wide = [line for line in text.splitlines() if cell_len(line) > 80]
    assert not wide, wide
    return text


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    folder = fake_sweep(tmp_path_factory.mktemp("team"), TEAM, _team_outcomes)
    return analyze(folder), folder


@pytest.mark.parametrize("language", CHINESE)
def test_the_team_size_answer_is_chinese(team: tuple[dict[str, Any], Path], language: str) -> None:
    analysis, folder = team
    text = _check_chinese(analysis, folder, language)
    wide = _printed(analysis, folder, language, width=200)
    for word in WORDS[language]:
        assert word in wide, (word, wide)
    assert "4" in text and ("元" in text)


@pytest.mark.parametrize("language", CHINESE)
def test_every_step_paying_and_a_sweep_without_money_read_in_chinese(tmp_path: Path, language: str) -> None:
    folder = fake_sweep(tmp_path / "team", TEAM, _team_outcomes)
    analysis = analyze(folder)
    analysis["marginal"]["stops_paying_after"] = None
    analysis["marginal"]["steps"][0]["net_gain"]["ci_low"] = None
    analysis["setup"]["worlds"] = 2
    _check_chinese(analysis, folder, language)
    plain = fake_sweep(tmp_path / "plain", TEAM_WITHOUT_MONEY, _team_outcomes_without_money)
    text = _check_chinese(analyze(plain), plain, language)
    assert "money_collected" in text and "staff_hours" in text  # the outcomes to record, as keys


def _team_outcomes_without_money(columns: dict[str, Any], replication: int) -> dict[str, float]:
    n = columns["team.collectors"]
    return {"final_paid_share": 0.7 + 0.01 * n, "days_to_50": 40.0 - n, "calls": 100.0 * n + replication}


def _billing_outcomes(columns: dict[str, Any], replication: int) -> dict[str, float]:
    staged = columns["strategy.billing.mode"] == "staged"
    n = columns["team.collectors"]
    return {
        "final_paid_share": 0.7 + 0.02 * staged + 0.01 * n + 0.003 * replication,
        "days_to_50": 30.0 - 2.0 * staged - n + (replication % 2),
        "staff_hours": 600.0 * n,
    }


@pytest.mark.parametrize("language", CHINESE)
def test_the_best_settings_read_in_chinese(tmp_path: Path, language: str) -> None:
    folder = fake_sweep(tmp_path, BILLING, _billing_outcomes)
    text = _check_chinese(analyze(folder), folder, language)
    better = {
        "zh-Hans": ("越高越好", "越低越好", "次优设置"),
        "zh-Hant": ("越高越好", "越低越好", "次優設置"),
    }
    for word in better[language]:
        assert word in text, (word, text)
    assert "staged" in text  # the experiment's own names of its settings, as written


@pytest.mark.parametrize("language", CHINESE)
def test_sensitivity_and_its_warning_read_in_chinese(tmp_path: Path, language: str) -> None:
    folder = fake_sweep(tmp_path, SOBOL, _sobol_outcomes)
    analysis = analyze(folder)
    analysis["warnings"] = [
        {
            "outcome": "paid_share_day_60",
            "n": 8,
            "first_order_above_total": ["owners.phone_share"],
            "negative": ["owners.segments.ordinary.p", "owners.segments.ordinary.q"],
            "widest_half_width": 0.31,
            "suggested_n": 512,
            "suggested_points": 2560,
        }
    ]
    text = _check_chinese(analysis, folder, language)
    assert {"zh-Hans": "警告", "zh-Hant": "警告"}[language] in text
    assert "--samples 512" in text and "2,560" in text


@pytest.mark.filterwarnings("ignore:Glyph")  # the figures' font is not this test's concern
def test_the_analysis_is_the_same_in_every_language(tmp_path: Path) -> None:
    folder = fake_sweep(tmp_path, BILLING, _billing_outcomes)
    english = analyze(folder)
    with translated("zh-Hans"):
        chinese = analyze(folder)
    assert chinese == english
    directions = {best["direction"] for best in english["best_levers"].values() if best}
    assert directions == {"higher is better", "lower is better"}


@pytest.mark.parametrize("language", CHINESE)
def test_labels_and_units_are_chinese(language: str) -> None:
    with translated(language):
        names = [outcome_label(n) for n in (*FIGURE_OUTCOMES, *NESTED_OUTCOMES, "paid_share_day_30")]
        names += [lever_label(key) for key in LEVER_LABELS] + [lever_unit("team.collectors")]
        names += [verdict_text(v) for v in ("pays", "does not pay", "unclear")]
        names += [direction_text(d) for d in ("lower is better", "higher is better")]
        assert not [n for n in names if re.search("[A-Za-z]{2,}", n)], names
        assert outcome_label("staff_hours") == {"zh-Hans": "人工工时", "zh-Hant": "人工工時"}[language]
        assert outcome_label("money_collected") == {"zh-Hans": "实收金额", "zh-Hant": "實收金額"}[language]
        assert lever_unit("team.collectors") == {"zh-Hans": "收费员", "zh-Hant": "收費員"}[language]
        assert lever_label("team.supervisors") == "team.supervisors"  # an unnamed lever shows its key
        assert value_text("days_to_50", 24.94) == {"zh-Hans": "24.9天", "zh-Hant": "24.9天"}[language]
        assert unit_label("money_collected").endswith("（元）")
        setup = {"households": 2000, "horizon_days": 120, "replications": 8, "fewest_replications": 8}
        assert not english_runs(setup_text(setup)) and "2,000" in setup_text(setup)
    assert value_text("days_to_50", 24.94) == "24.9 days"
    assert lever_label("team.supervisors") == "supervisors" and lever_unit("team.supervisors") == "supervisor"


@pytest.mark.parametrize("language", CHINESE)
def test_what_feesim_sweep_says_is_chinese(language: str) -> None:
    failure = Failure(3, "abc123", 1, "0:1", "ValueError: boom", "", {})
    with translated(language):
        lines = [
            failure.describe(),
            _plan_text(False, False, 2).format(
                name="team", points="6 个试验点", worlds="", reps=2, backend="in-process", out="/tmp/x"
            ),
            _plan_text(True, True, 1).format(
                name="team", points="6 个试验点", worlds="3 个参数情境", reps=1, backend="b", out="/tmp/x"
            ),
        ]
        out = io.StringIO()
        console = Console(file=out, force_terminal=True, width=100)
        with SweepProgress(console, "team", 4) as progress:
            progress.advance()
            progress.failed("ValueError: boom")
    for line in lines:
        assert not english_runs(line), line
    assert "abc123" in lines[0] and "ValueError: boom" in lines[0]
    assert {"zh-Hans": "次运行", "zh-Hant": "次"}[language] in out.getvalue()


@pytest.mark.parametrize("language", CHINESE)
def test_bad_input_of_a_sweep_is_chinese(tmp_path: Path, language: str) -> None:
    with translated(language), pytest.raises(FileNotFoundError) as missing:
        load_sweep(tmp_path)
    assert "results.parquet" in missing.value.strerror and not english_runs(missing.value.strerror)
    with translated(language), pytest.raises(ValueError) as unknown:
        check_outcome("paid_sahre")
    sentence, known = str(unknown.value).split("：", 1)  # then the known outcomes, by their names
    assert "paid_sahre" in sentence and not english_runs(sentence) and "final_paid_share" in known


@pytest.mark.parametrize("language", CHINESE)
def test_feesim_analyze_speaks_chinese(team: tuple[dict[str, Any], Path], language: str) -> None:
    _analysis, folder = team
    runner = CliRunner()
    with translated("en"):  # the command line speaks its language process-wide: English again after it
        result = runner.invoke(app, ["--lang", language, "analyze", str(folder)], env={"COLUMNS": "80"})
        as_json = runner.invoke(app, ["--lang", language, "analyze", str(folder), "--json"])
        missing = runner.invoke(app, ["--lang", language, "analyze", str(folder / "nothing")])
    assert result.exit_code == 0, result.output
    assert WORDS[language][0] in result.output and not english_runs(result.output)
    assert as_json.exit_code == 0 and '"pays"' in as_json.output  # the JSON keeps its English values
    assert missing.exit_code == 2 and not english_runs(missing.output), missing.output
