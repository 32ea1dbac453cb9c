"""``feesim calibrate`` and ``feesim plan`` in Chinese: summaries, reports, figures and files' comments.

A calibration and a plan search are made up (no simulation runs), rendered in
simplified and traditional Chinese, and read back: the headings, statuses and
sentences are Chinese, no English sentence is left, the page says its language,
and English stays as it was.  Needs the catalogue built from the translations.
"""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.calibration.abc import fit_abc
from sim.calibration.command import _summary as calibration_summary
from sim.calibration.design import Design, choose_parameters
from sim.calibration.moments import CONTACT_MOMENTS
from sim.calibration.procedure import (
    HOLDOUT_BY_BUILDINGS,
    Calibration,
    Check,
    ContactMoment,
    HoldoutSplit,
    _parameters,
)
from sim.calibration.report import _curves_figure, render_calibration_report
from sim.calibration.write import calibrated_yaml
from sim.languages import _, translated
from sim.languages.wrap import columns, wrap
from sim.plans.candidates import Plan
from sim.plans.command import _summary as plan_summary
from sim.plans.load import load_search
from sim.plans.report import frontier_figure, render_plan_report
from sim.plans.search import Comparison, Estimate, PlanSearch, PlanSummary
from sim.plans.selection import Selection
from sim.plans.write import headline, plan_yaml
from sim.worlds.priors import PRIORS_FILE, load_priors
from tests.paths import SCENARIOS

CHINESE = ("zh-Hans", "zh-Hant")
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- finding English left in a text ---------------------------------------------------------------


def english_runs(text: str, length: int = 3) -> list[str]:
    """Return the runs of `length` or more English words in `text` (outside backticks).

    A word is a token of letters only (trailing punctuation aside); a key path,
    file name, flag or number (``team.collectors``, ``plan.yaml``, ``--worlds``,
    ``mode=staged``) is not a word and breaks a run, as does any Chinese character.
    """
    text = re.sub(r"`[^`]*`", " ", text)
    runs = []
    for segment in re.split(r"[^\x00-\x7f]+", text):
        run: list[str] = []
        for token in [*segment.split(), ""]:
            word = token.strip(",.;:!?()[]\"'")
            if word and re.fullmatch(r"[A-Za-z]+(?:'[a-z]+)?", word):
                run.append(word)
                continue
            if len(run) >= length:
                runs.append(" ".join(run))
            run = []
    return runs


def visible_text(page: str) -> str:
    """Return what a reader sees of an HTML page: no style, no images, no code."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<img [^>]*>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_english_finder_finds_sentences_and_spares_names() -> None:
    assert english_runs("以2个楼栋拟合；the ledger is predicted well.") == ["the ledger is predicted well"]
    assert english_runs("共3次运行；it beats the runner-up。") == ["it beats the"]
    assert english_runs("运行 feesim compare PLAN_A.yaml PLAN_B.yaml 和 --worlds N") == []
    assert english_runs("推荐方案4（mode=staged、collectors=2）：final_paid_share 较") == []
    assert english_runs("写 `extends: calibrated yaml here` 即可") == []


def assert_chinese(text: str, least: int = 40) -> None:
    """Fail unless `text` is mostly Chinese: at least `least` Chinese characters and no English sentence."""
    assert len(CJK.findall(text)) >= least, text
    assert english_runs(text) == [], english_runs(text)


# --- a made-up plan search -------------------------------------------------------------------------

SEARCH = {
    "name": "tiny",
    "base": str(SCENARIOS / "baseline.yaml"),
    "overrides": {"community.households": 200, "community.buildings": 4, "horizon_days": 60},
    "levers": {
        "strategy.billing.mode": {"values": {"all_at_once": "bulk", "staged billing": "staged"}},
        "team.collectors": {"values": [1, 2, 3]},
    },
    "budget": {"staff_hours": 900, "staff_cost": 50000, "team.collectors": 3},
    "objective": {"maximise": "final_paid_share"},
    "indifference_pp": 2,
    "seed": 1,
}


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "search.yaml"
    path.write_text(yaml.safe_dump(SEARCH), encoding="utf-8")
    return load_search(path)


def made_up_search(capped: bool = False) -> PlanSearch:
    """Return a search's outcome: plan 4 recommended, every status present, one of each comparison."""
    modes = ("staged", "staged", "staged", "bulk", "staged")
    labels = {"staged": "staged billing", "bulk": "all_at_once"}  # a glossary term, and the file's own word
    plans = [
        Plan(
            i,
            {"strategy.billing.mode": m, "team.collectors": n},
            {"strategy.billing.mode": labels[m], "team.collectors": n},
        )
        for i, (m, n) in enumerate(zip(modes, (1, 2, 3, 1, 2), strict=True))
    ]
    statuses = ("eliminated", "current", "over budget", "screened out", "recommended")
    summaries = [
        PlanSummary(plan, 0.6 + 0.02 * i, 300.0 * (i + 1), 9000.0 * (i + 1), 20, status)
        for i, (plan, status) in enumerate(zip(plans, statuses, strict=True))
    ]
    selection = Selection(0, np.array([20, 20]), np.array([-1, 12]), [np.zeros(20)] * 2, 1.0, 1.0, capped)
    return PlanSearch(
        recommended=plans[4],
        objective=Estimate(0.68, 0.67, 0.69, 20),
        staff_hours=Estimate(660.0, 650.0, 670.0, 20),
        staff_cost=Estimate(45000.0, 44000.0, 46000.0, 20),
        exceed_chance={"staff_hours": 0.05, "staff_cost": 0.1},
        runner_up=Comparison(plans[0], Estimate(0.02, 0.01, 0.03, 20), 0.92, 300.0),
        current=Comparison(plans[1], Estimate(0.09, 0.08, 0.10, 20), 0.97, 600.0),
        summaries=summaries,
        selection=selection,
        survivors=[0, 4],
        evaluated_runs=117,
        naive_runs=180,
    )


def test_english_plan_words_are_as_before(search) -> None:
    found = made_up_search()
    assert headline(search, found) == (
        "Plan 4: staged billing, collectors=2: +9.0 pp [+8.0 pp, +10.0 pp] households paid by the end over"
        " your current plan for 10% more staff hours; it beats the runner-up (plan 0) in 92% of replications."
    )
    page = render_plan_report(search, found, ["Search search.yaml (tiny), seed 1"])
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<td>over budget</td>" in page and "<h2>How sure</h2>" in page
    assert english_runs(visible_text(page))  # the finder would see English on this very page


@pytest.mark.parametrize("language", CHINESE)
def test_the_plan_report_is_chinese(search, language: str) -> None:
    found = made_up_search(capped=True)
    with translated(language):
        page = render_plan_report(search, found, [_("Run it: feesim run plan.yaml (in this folder)")])
        statuses = [_(s) for s in ("over budget", "screened out", "eliminated", "recommended", "current")]
        staged = _("staged billing")
    assert page.startswith(f'<!DOCTYPE html>\n<html lang="{language}">')
    assert "<h2>" + {"zh-Hans": "预算", "zh-Hant": "預算"}[language] + "</h2>" in page
    for status in statuses:
        assert f"<td>{status}</td>" in page and CJK.search(status)
    assert staged in {"分批发单", "分批發單"} and staged in page  # a label that is a glossary term
    assert "all_at_once" in page  # any other label is shown as written
    text = visible_text(page)
    assert "个百分点" in text or "個百分點" in text
    assert_chinese(text, least=300)


@pytest.mark.parametrize("language", CHINESE)
def test_the_plan_summary_headline_and_figure_are_chinese(search, tmp_path: Path, language: str) -> None:
    found = made_up_search()
    with translated(language):
        line = headline(search, found)
        printed = plan_summary(search, found, [tmp_path / "plan.yaml"], 12.0)
        comment = plan_yaml(search, found, tmp_path).split("extends:")[0]
        figure = frontier_figure(search, found)
    assert line.endswith("。") and "+9.0" in line and "92%" in line
    assert_chinese(line, least=20)
    assert_chinese(printed)
    assert all(
        columns(row) <= 79 for row in printed.splitlines() if str(tmp_path) not in row
    )  # a path is whole
    assert_chinese(comment.replace("#", " "))
    axes = figure.axes[0]
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert all(CJK.search(word) for word in legend) and CJK.search(axes.get_xlabel())


# --- a made-up calibration -------------------------------------------------------------------------


def made_up_calibration() -> Calibration:
    """Return a calibration of the default parameters from made-up runs (two buildings, a contact log)."""
    priors = choose_parameters(load_priors(PRIORS_FILE), None)
    rng = np.random.default_rng(0)
    u = rng.random((80, len(priors)))
    moments = np.column_stack([u + rng.normal(0, 0.05, u.shape), rng.normal(size=80)])
    fit = fit_abc(u, moments, np.append(np.full(len(priors), 0.5), 0.0), accept=0.25)
    design = Design(priors, u)
    days = np.linspace(0.05, 0.7, 30)
    check = Check(days, days + 0.01, days - 0.05, days + 0.05)
    split = HoldoutSplit(HOLDOUT_BY_BUILDINGS, {"households": "100", "fitted": "1", "predicted": "1"})
    return Calibration(
        design=design,
        fit=fit,
        parameters=_parameters(design, fit),
        posterior=design.values(fit.resample(8, rng)),
        check=check,
        money_check=check,
        buildings={"A": check, "B": check},
        holdout=check,
        holdout_kind=split.english(),
        runs=96,
        moments=tuple(f"m{i}" for i in range(moments.shape[1])),
        correlation=fit.correlation(),
        households=200,
        contacts=500,
        contact_moments=tuple(ContactMoment(name, 0.3, 0.35, 0.25, 0.4) for name in CONTACT_MOMENTS),
        holdout_split=split,
    )


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    return made_up_calibration()


def test_english_calibration_words_are_as_before(calibration: Calibration, tmp_path: Path) -> None:
    assert calibration.holdout_kind == "fit on 100 households of 1 buildings, predict the other 1"
    printed = calibration_summary(calibration, [tmp_path / "fit.json"], 21.0)
    assert printed.startswith("Calibrated in 21 s (96 runs). The posterior's curve is")
    assert "\n\nparameter" in printed and "  estimate   90% interval\n" in printed
    assert f"wrote {tmp_path / 'fit.json'}" in printed


@pytest.mark.parametrize("language", CHINESE)
def test_the_calibration_report_summary_and_comments_are_chinese(
    calibration: Calibration, tmp_path: Path, language: str
) -> None:
    with translated(language):
        title = _("Calibration of {name} to {ledger}").format(name="baseline", ledger="ledger.csv")
        page = render_calibration_report(calibration, title, [])
        printed = calibration_summary(calibration, [tmp_path / "fit.json"], 21.0)
        comments = calibrated_yaml(calibration, SCENARIOS / "baseline.yaml", tmp_path, {})
        figure = _curves_figure(calibration)
    assert page.startswith(f'<!DOCTYPE html>\n<html lang="{language}">')
    assert page.count("<h2>") == 7 and all(CJK.search(h) for h in re.findall(r"<h2>(.*?)</h2>", page))
    assert_chinese(visible_text(page), least=500)
    assert_chinese(printed)
    assert all(
        columns(row) <= 79
        for row in printed.splitlines()
        if not row.startswith(("owners", "herd")) and str(tmp_path) not in row  # a path is whole
    )
    assert "楼栋" in printed or "樓棟" in printed  # the hold-out's split, translated
    notes = "\n".join(line.split("#", 1)[1] for line in comments.splitlines() if "#" in line)
    assert_chinese(notes)
    titles = [axes.get_title() for axes in figure.axes] + [figure.axes[0].get_xlabel()]
    assert all(CJK.search(text) for text in titles)


def test_chinese_wrapping_counts_two_columns_a_character_and_english_is_textwrap() -> None:
    english = "The posterior's curve is 2.3 pp from the ledger (RMSE) and ends 3.7 pp above it. " * 3
    assert wrap(english, 79) == textwrap.wrap(english, 79)
    with translated("zh-Hans"):
        text = "后验曲线与收费台账平均相差2.3个百分点（RMSE），终点比收费台账高3.7个百分点。" * 4
        lines = wrap(text, 40)
    assert "".join(lines) == text
    assert all(columns(line) <= 40 for line in lines)
    assert not any(line.startswith(("，", "。", "）")) for line in lines)
