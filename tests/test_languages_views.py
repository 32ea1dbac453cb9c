"""The report, the stories and the comparison table in Chinese: every word translated, English unchanged.

A report made in simplified Chinese is the page of ``feesim --lang zh-Hans run --report``; the
traditional one is ``feesim --lang zh-Hant report`` of the same folder.  "No English left" is
checked by `english_runs`: no three English words in a row in the visible text (tags, ``<code>``
and ``<pre>`` taken out: key paths, commands and the scenario's YAML stay as written).  The
check is shown to find the English sentences of the English page, so that it cannot pass by
finding nothing.
"""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from sim.languages import _, translated
from sim.scenario import load_scenario, parse_overrides
from sim.views.collector_day import collector_day
from sim.views.errors import ViewError
from sim.views.onerun import LoggedRun, logged_run
from sim.views.picks import PICKS, check_pick, pick_owner
from sim.views.story import owner_story, resolve_unit
from tests.commands import run_feesim, small_community
from tests.paths import SCENARIOS

CHINESE = ("zh-Hans", "zh-Hant")
CJK = re.compile(r"[\u4e00-\u9fff]")
NAMES = re.compile(r"^-|[._=/]|\w-\w+-\w")
"""A word that is a name, not English: a flag, a key path, a file or folder, an id (given-up-x)."""


def english_runs(text: str) -> list[str]:
    """Return the pieces of `text` with three or more English words in a row (numbers may lie between).

    A piece is a run of ASCII within one line; Chinese characters and full-width punctuation
    end it, so 'baseline 对比 playbook' holds no run while 'better in 3 of 6 worlds' does.
    Flags, key paths and file names (`NAMES`) are not words.
    """
    runs = []
    for line in text.splitlines():
        for piece in re.findall(r"[\x20-\x7e]+", line):
            words = [word for word in piece.split() if not NAMES.search(word)]
            if len(re.findall(r"[A-Za-z]+", " ".join(words))) >= 3:
                runs.append(piece.strip())
    return runs


def visible_text(page: str) -> str:
    """Return what a reader sees of a page, one line per element: title, text, alt texts, table cells.

    ``<code>`` and ``<pre>`` are left out (commands, key paths, the scenario files as written).
    """
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.DOTALL)
    page = re.sub(r"<(pre|code)>.*?</\1>", "\n", page, flags=re.DOTALL)
    page = re.sub(r'<img [^>]*alt="([^"]*)"[^>]*>', r"\n\1\n", page)
    page = re.sub(r'src="data:[^"]*"', "", page)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


# -- the HTML report ------------------------------------------------------------------------------------

HEADINGS = {
    "Key figures": "关键指标",
    "Collection curves": "收缴曲线",
    "When: weekday × hour": "时间分布：星期 × 小时",
    "Contact funnel": "联系漏斗",
    "Effort, cost and speed": "投入、成本与速度",
    "Collector morale": "收费员士气",
}
"""Headings of the report in English and simplified Chinese."""


def _headings(simplified: dict[str, str], language: str) -> list[str]:
    """Return the headings expected in `language`: as written here, or the catalogue's traditional text.

    The traditional text is made from the simplified by OpenCC and then reviewed: the test reads
    it from the catalogue and checks that it is traditional (no 缴, 关, 员 or 参).
    """
    if language == "zh-Hans":
        return list(simplified.values())
    with translated("zh-Hant"):
        traditional = [_(english) for english in simplified]
    assert not any(set("缴关员参报") & set(text) for text in traditional), traditional
    assert all(CJK.search(text) for text in traditional), traditional
    return traditional


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run a tiny community in simplified Chinese with --report; report it in traditional and English too."""
    root = tmp_path_factory.mktemp("zh-report")
    shutil.copytree(SCENARIOS, root / "scenarios")
    args = ["run", "scenarios/baseline.yaml", *small_community(60), "--reps", "2", "--out", "out", "--report"]
    done = run_feesim(root, "--lang", "zh-Hans", *args)
    assert done.returncode == 0, done.stderr
    pages = {"zh-Hans": (root / "out" / "report.html").read_text(encoding="utf-8")}
    for language in ("zh-Hant", "en"):
        again = run_feesim(root, "--lang", language, "report", "out", "--out", f"{language}.html")
        assert again.returncode == 0, again.stderr
        pages[language] = (root / f"{language}.html").read_text(encoding="utf-8")
    return pages


@pytest.mark.slow  # runs feesim in a subprocess three times (about 15 s)
@pytest.mark.parametrize("language", [*CHINESE, "en"])
def test_the_page_says_its_language(reports: dict[str, str], language: str) -> None:
    assert f'<html lang="{language}">' in reports[language]


@pytest.mark.slow  # runs feesim in a subprocess three times (about 15 s)
@pytest.mark.parametrize("language", CHINESE)
def test_the_headings_are_translated(reports: dict[str, str], language: str) -> None:
    headings = re.findall(r"<h2>(.*?)</h2>", reports[language])
    assert all(html.escape(h) in headings for h in _headings(HEADINGS, language)), headings
    assert len(headings) == len(set(headings)) == 8
    assert not any(english_runs(h) for h in headings) and "Key figures" not in headings


@pytest.mark.slow  # runs feesim in a subprocess three times (about 15 s)
@pytest.mark.parametrize("language", CHINESE)
def test_no_english_sentence_is_left_on_the_page(reports: dict[str, str], language: str) -> None:
    text = visible_text(reports[language])
    assert len(CJK.findall(text)) > 800
    assert english_runs(text) == []


@pytest.mark.slow  # runs feesim in a subprocess three times (about 15 s)
def test_the_check_finds_the_english_of_the_english_page(reports: dict[str, str]) -> None:
    runs = english_runs(visible_text(reports["en"]))
    assert len(runs) > 40
    assert any("households paid at the end" in run for run in runs)
    assert english_runs("better in 3 of 6 worlds") and not english_runs("baseline 对比 playbook 对比 staged")
    assert not english_runs(
        "--set community.households=200 --set horizon_days=60 --pick hard-paid-after-team-visit"
    )


@pytest.mark.slow  # runs feesim in a subprocess three times (about 15 s)
def test_money_is_in_yuan_and_ten_thousands_in_chinese(reports: dict[str, str]) -> None:
    row = re.search(r"<tr><td>实收金额</td><td>([^<]*)</td></tr>", reports["zh-Hans"])
    assert row is not None and re.fullmatch(r"[\d.,]+万元 \([\d.,]+万元 – [\d.,]+万元\)", row.group(1))
    assert "CNY" not in visible_text(reports["zh-Hans"])
    english = re.search(r"<tr><td>money collected \(CNY\)</td><td>([^<]*)</td></tr>", reports["en"])
    assert english is not None and re.fullmatch(r"[\d,]+ \([\d,]+ – [\d,]+\)", english.group(1))


# -- the report of a run in worlds ---------------------------------------------------------------------

WORLDS_HEADINGS = {
    "Across worlds": "跨参数情境",
    "Robustness: does the answer hold across worlds?": "稳健性：结论在各参数情境下是否成立？",
    "Left out of this report": "本报告未包含的内容",
}


@pytest.fixture(scope="module")
def worlds_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Compare baseline and staged in 4 worlds in simplified Chinese; report again in traditional."""
    root = tmp_path_factory.mktemp("zh-worlds")
    files = [str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "staged.yaml")]
    args = ["--worlds", "4", "--reps", "1", "--seed", "3", "--set", "community.households=40"]
    done = run_feesim(root, "--lang", "zh-Hans", "compare", *files, *args, "--out", "out", "--report")
    assert done.returncode == 0, done.stderr
    again = run_feesim(root, "--lang", "zh-Hant", "report", "out", "--out", "hant.html")
    assert again.returncode == 0, again.stderr
    pages = {"zh-Hans": (root / "out" / "report.html").read_text(encoding="utf-8")}
    pages["zh-Hant"] = (root / "hant.html").read_text(encoding="utf-8")
    return root / "out", pages


def _robust_lines(folder: Path) -> list[str]:
    """Return the verdicts `sim.worlds.robust` writes into the page (its own text, not this area's)."""
    import json

    from sim.worlds.robust import describe_reversal, describe_variant

    top = json.loads((folder / "compare.json").read_text(encoding="utf-8"))
    robust = top["robust"]["staged"]
    lines = [describe_variant(robust[m], m) for m in ("final_paid_share", "days_to_80", "staff_hours")]
    share = robust["final_paid_share"]["share_better"]
    return [*lines, *describe_reversal(top["reversal"]["staged"], "staged", share)]


@pytest.mark.slow  # runs feesim in a subprocess three times (about 15 s)
@pytest.mark.parametrize("language", CHINESE)
def test_the_worlds_report_is_chinese(worlds_reports: tuple[Path, dict[str, str]], language: str) -> None:
    folder, pages = worlds_reports
    page = pages[language]
    assert f'<html lang="{language}">' in page
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert all(h in headings for h in _headings(WORLDS_HEADINGS, language)), headings
    text = visible_text(page)
    with translated(language):
        for line in _robust_lines(folder):  # left to sim.worlds.robust
            text = text.replace(line, "")
    assert len(CJK.findall(text)) > 800
    assert english_runs(text) == []


# -- stories -----------------------------------------------------------------------------------------

DATE = re.compile(r"^2026年\d{1,2}月\d{1,2}日 星期[一二三四五六日] \d\d:\d\d（第 \d+ 天）  ")
SMALL = ["community.households=200", "community.buildings=4", "horizon_days=80"]


@pytest.fixture(scope="module")
def playbook() -> LoggedRun:
    return logged_run(load_scenario(SCENARIOS / "playbook.yaml", parse_overrides(SMALL)), 0)


@pytest.mark.parametrize("language", CHINESE)
def test_every_owner_s_story_is_chinese(playbook: LoggedRun, language: str) -> None:
    """All 200 owners: every timeline line starts with a Chinese date and no English is left."""
    with translated(language):
        stories = [owner_story(playbook, owner) for owner in range(playbook.population.size)]
    for lines in stories:
        timeline = lines[4 : lines.index("", 4)]
        assert timeline and all(DATE.match(line) for line in timeline), timeline[:3]
        assert english_runs("\n".join(lines)) == [], lines
    text = "\n".join(line for lines in stories for line in lines)
    terms = {
        "zh-Hans": [
            "普通型客户",
            "无定向客户",
            "特种客户",
            "当场交费",
            "承诺交费",
            "推拖",
            "拒交",
            "工单",
            "已交费",
        ],
        "zh-Hant": [
            "普通型客戶",
            "無定向客戶",
            "特種客戶",
            "當場交費",
            "承諾交費",
            "推拖",
            "拒交",
            "工單",
            "已交費",
        ],
    }[language]
    assert all(term in text for term in terms), [t for t in terms if t not in text]
    assert "多人上门" in text if language == "zh-Hans" else "多人上門" in text


def test_a_story_reads_the_glossary_s_words(playbook: LoggedRun) -> None:
    owner = pick_owner(playbook, "hard-paid-after-team-visit")
    with translated("zh-Hans"):
        lines = owner_story(playbook, owner)
    assert lines[0].startswith("单元 ") and "特种客户" in lines[0] and lines[0].endswith("。")
    assert re.search(r"自 2026年3月2日 星期一 起共 80 天。$", lines[1])
    assert any("联系：多人上门（收费员 #" in line for line in lines)
    assert lines[-1].startswith("结果：已于 2026年")


@pytest.mark.parametrize("language", CHINESE)
def test_a_collector_s_day_is_chinese_and_aligned(playbook: LoggedRun, language: str) -> None:
    from rich.cells import cell_len

    with translated(language):
        lines = collector_day(playbook, 1)
    assert re.match(r"收(费员|費員) #1，2026年\d+月\d+日 星期.（第 \d+ 天），", lines[0]), lines[0]
    assert english_runs("\n".join(lines)) == []
    contacts = [line for line in lines[2:-2] if " -> " in line]
    assert contacts and len({cell_len(line.split(" -> ")[0]) for line in contacts}) == 1


def test_view_errors_are_chinese_and_keep_key_paths(playbook: LoggedRun) -> None:
    baseline = load_scenario(SCENARIOS / "baseline.yaml", parse_overrides(SMALL))
    with translated("zh-Hans"):
        with pytest.raises(ViewError) as unit:
            resolve_unit(playbook, "9-9999")
        with pytest.raises(ViewError) as pick:
            check_pick(baseline, "hard-paid-after-team-visit")
    assert "没有单元 '9-9999'" in str(unit.value) and english_runs(str(unit.value)) == []
    assert "strategy.team_visits.enabled 为 false" in str(pick.value)
    assert english_runs(str(pick.value)) == []


def test_every_pick_is_described_in_chinese() -> None:
    with translated("zh-Hans"):
        descriptions = [pick.describe() for pick in PICKS.values()]
    assert all(CJK.search(d) and not english_runs(d) for d in descriptions), descriptions
    assert "7 天以上" in descriptions[1] and "50% 以上" in descriptions[1]


# -- the comparison table -------------------------------------------------------------------------------


def _comparison() -> dict:
    """Return a comparison of two variants as ``feesim compare`` makes it (the parts the table reads)."""
    share = {"mean": 0.70, "ci_low": 0.60, "ci_high": 0.80}
    variant = {
        "final_paid_share": share,
        "days_to": {"50": {"mean": 30.0, "reached": 2}, "80": {"mean": None, "reached": 0}},
        "reps": 2,
        "staff_hours": {"mean": 1500.0},
        "calls": {"mean": 1300.0},
    }
    censored = {
        "reps": 2,
        "horizon_days": 60,
        "bound": "upper",
        "reached": {"variant": 2, "baseline": 0},
        "reached_share": {"mean": 1.0, "ci_low": 1.0, "ci_high": 1.0},
        "restricted_mean": {"mean": -26.6, "ci_low": -57.7, "ci_high": 36.5},
    }
    paired = {
        "final_paid_share": {"mean": 0.2, "ci_low": -0.5, "ci_high": 0.9},
        "days_to_80": share,
        "staff_hours": {"mean": 258.1, "ci_low": 210.9, "ci_high": 305.2},
        "days_to_80_censored": censored,
    }
    return {
        "baseline": "baseline",
        "reps": 2,
        "seed": 4,
        "variants": {"baseline": variant, "playbook": variant},
        "paired": {"playbook": paired},
        "output": "results/cmp",
    }


@pytest.mark.parametrize("language", CHINESE)
def test_the_comparison_table_is_chinese_and_fits_80_columns(language: str) -> None:
    from rich.cells import cell_len

    buffer = io.StringIO()
    with translated(language):
        from sim.views.compare_table import print_comparison

        print_comparison(Console(file=buffer, width=80), _comparison(), ["compare.json", "report.html"])
    text = buffer.getvalue()
    assert english_runs(text) == [], english_runs(text)
    assert "至少提前 26.6 天" in text and "baseline" in text
    assert all(cell_len(line.rstrip()) <= 80 for line in text.splitlines())


def test_the_comparison_table_stays_english_in_english() -> None:
    from sim.views.compare_table import print_comparison

    buffer = io.StringIO()
    print_comparison(Console(file=buffer, width=80), _comparison(), ["compare.json"])
    assert "at least 26.6 days sooner" in buffer.getvalue() and not CJK.search(buffer.getvalue())
