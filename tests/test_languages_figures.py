"""Every word drawn in a figure or the animation is in the language spoken, and English is unchanged.

Each kind of figure of `sim.views` (curves, bands, funnel, effort, heatmap, tickets,
the animation's frame, the sweep's sensitivity, lever and marginal figures, the
worlds' strips) is drawn from a tiny community (200 households, 60 days, 2
replications) under ``translated("zh-Hans")`` and ``("zh-Hant")``; every visible
Text artist of the figure is read back.  The words left in Latin letters must be
the ones shown as written: variant and scenario names, key paths, units and
method names (CNY, S1, Sobol...).  The Chinese fonts may be missing here: the
figures then draw boxes, and the text is what is checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib.text
import pandas as pd
import pytest

from sim.experiments.readable import lever_label, lever_unit, outcome_label, setup_text, unit_label
from sim.languages import _, translated
from sim.scenario import load_scenario, parse_overrides
from sim.views.logged import ViewTables, replicate_logged
from sim.views.onerun import LoggedRun, logged_run
from sim.views.states import STATES
from tests.paths import SCENARIOS

HOUSEHOLDS, HORIZON, REPS, SEED = 200, 60, 2, 5
VARIANTS = ("baseline", "staged")
CHINESE = ("zh-Hans", "zh-Hant")
HAN = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z][A-Za-z'*]+")
KEY_PATH = re.compile(r"\b[a-z_]+(?:\.[a-z_0-9]+)+\b")
MATH = re.compile(r"\$[^$]*\$")
"""Mathtext: the tick labels of a logarithmic axis (``$\\mathdefault{10^{2}}$``)."""
SHOWN_AS_WRITTEN = {"CNY", "S1", "ST", "mu*", "Sobol", "sobol", "morris", *VARIANTS}
"""Words a Chinese figure keeps: units, the indices' and methods' names, the variants' names."""
SWEEP_SETUP = {"households": HOUSEHOLDS, "horizon_days": HORIZON, "replications": REPS}
LEVER = "team.collectors"

Runs = dict[str, tuple[Any, ViewTables]]


@pytest.fixture(scope="module")
def runs() -> Runs:
    """Two replications of the baseline and of staged billing, with their view tables."""
    overrides = parse_overrides(
        [f"community.households={HOUSEHOLDS}", "community.buildings=4", f"horizon_days={HORIZON}"]
    )
    return {
        name: replicate_logged(load_scenario(SCENARIOS / f"{name}.yaml", overrides), REPS, SEED)
        for name in VARIANTS
    }


@pytest.fixture(scope="module")
def one_run() -> LoggedRun:
    """Replication 0 of the baseline, with its event log: the animation's input."""
    overrides = parse_overrides(
        [f"community.households={HOUSEHOLDS}", "community.buildings=4", f"horizon_days={HORIZON}"]
    )
    return logged_run(load_scenario(SCENARIOS / "baseline.yaml", overrides), SEED)


# -- the figures ----------------------------------------------------------------------------------------


def _campaign_figures(runs: Runs) -> dict[str, Callable[[], Any]]:
    """Return a maker of every figure of a run or a comparison, by name."""
    from sim.views.bands import collection_figure, morale_figure, segment_figure
    from sim.views.curves import paid_share_figure, paid_share_overlay_figure
    from sim.views.effort import effort_figure
    from sim.views.funnel import funnel_figure
    from sim.views.heatmap import heatmap_figure
    from sim.views.tickets import ticket_figure

    summaries = {name: reps.summary() for name, (reps, _tables) in runs.items()}
    daily = {name: reps.daily for name, (reps, _tables) in runs.items()}
    tables = {name: t for name, (_reps, t) in runs.items()}
    comparison = {"reps": REPS, "seed": SEED, "variants": summaries}
    return {
        "paid share": lambda: paid_share_figure(summaries["baseline"]),
        "paid share overlay": lambda: paid_share_overlay_figure(comparison),
        "collection": lambda: collection_figure(daily),
        "segments": lambda: segment_figure(daily),
        "morale": lambda: morale_figure(daily),
        "funnel": lambda: funnel_figure({n: t.funnel for n, t in tables.items()}, REPS),
        "effort": lambda: effort_figure({n: t.replications for n, t in tables.items()}),
        "heatmap": lambda: heatmap_figure({n: t.activity for n, t in tables.items()}, REPS),
        "tickets": lambda: ticket_figure({n: t.tickets for n, t in tables.items()}, REPS, float(HORIZON)),
    }


def animation_frame(run: LoggedRun, day: int) -> Any:
    """Return the animation's figure as it is drawn on `day` (the frames' own drawing code)."""
    from sim.views.animate import _figure, _panel, _update, frame_days

    days = frame_days(HORIZON, 10)
    panels = [_panel(run, days)]
    figure, date_text = _figure(panels, days)
    _update(panels, days.index(day), day, days, date_text)
    return figure


def _sweep_figures(folder: Path) -> dict[str, Callable[[], Any]]:
    """Return a maker of every figure of a sweep's analysis and of the worlds' strips, by name."""
    from sim.views.sensitivity import lever_figure, sensitivity_figure
    from sim.views.world_strips import Strip, strips_figure

    indices = {
        key: {"S1": 0.2, "S1_conf": 0.05, "ST": 0.3, "ST_conf": 0.05, "mu_star": 0.02, "mu_star_conf": 0.01}
        for key in (LEVER, "strategy.calls.windows")
    }
    rows = pd.DataFrame(
        {
            "point": [0, 1, 2, 3],
            LEVER: [2, 3, 2, 3],
            "horizon_days": [30, 30, 60, 60],
            "mean": [0.6, 0.7, 0.7, 0.8],
            "ci_low": [0.55, 0.65, 0.65, 0.75],
            "ci_high": [0.65, 0.75, 0.75, 0.85],
        }
    )
    strips = [
        Strip("Δ", [1.0, -0.5, 2.0], "higher"),
        Strip("h", [4.0, 5.0], None),
        Strip("d", [], "lower"),
    ]
    return {
        "sobol": lambda: sensitivity_figure(indices, "final_paid_share", "sobol", SWEEP_SETUP, None),
        "morris": lambda: sensitivity_figure(indices, "final_paid_share", "morris", SWEEP_SETUP, None),
        "lever": lambda: lever_figure(rows, [LEVER, "horizon_days"], "final_paid_share", SWEEP_SETUP),
        "marginal": lambda: marginal_figure(folder),
        "marginal by the end": lambda: marginal_figure(folder, {"replications": REPS}),
        "strips": lambda: strips_figure("", strips),
    }


def marginal_figure(folder: Path, setup: dict[str, Any] | None = None) -> Any:
    """Return the marginal figure, caught on its way to the file."""
    import sim.views.sensitivity as sensitivity

    step = {"mean": 1000.0, "ci_low": 500.0, "ci_high": 1500.0}
    marginal = {
        "lever": LEVER,
        "steps": [
            {"from": 2, "to": 3, "extra_money": step, "extra_staff_cost": step},
            {"from": 3, "to": 4, "extra_money": step, "extra_staff_cost": step},
        ],
        "stops_paying_after": 3,
        "staff_cost_per_hour": 40.0,
    }
    caught: list[Any] = []
    keep = sensitivity.save_figure_atomic
    sensitivity.save_figure_atomic = lambda _path, figure: caught.append(figure)  # type: ignore[assignment]
    try:
        sensitivity.save_marginal_figure(folder / "m.png", marginal, setup or SWEEP_SETUP)
    finally:
        sensitivity.save_figure_atomic = keep
    return caught[0]


def shown_texts(figure: Any) -> list[str]:
    """Return every visible, non-empty text of a figure: titles, labels, ticks, legends, notes.

    The tick labels are brought up to date as a draw would (asking for them does it), without
    the cost of drawing.
    """
    for axes in figure.axes:
        axes.xaxis.get_ticklabels()
        axes.yaxis.get_ticklabels()
    texts = [t.get_text() for t in figure.findobj(matplotlib.text.Text) if t.get_visible()]
    return [t for t in texts if t.strip()]


def left_in_english(text: str) -> list[str]:
    """Return the words of `text` in Latin letters that are not names, key paths, units or the sweep's."""
    text = KEY_PATH.sub(" ", MATH.sub(" ", text))
    for borrowed in _borrowed():  # the experiments' own names and set-up, translated on their own
        text = text.replace(borrowed, " ")
    return [w for w in WORD.findall(text) if w not in SHOWN_AS_WRITTEN]


def _borrowed() -> list[str]:
    """Return the texts the sweep's figures take from `sim.experiments.readable`, in the language spoken."""
    setups = (SWEEP_SETUP, {"replications": REPS})
    texts = [outcome_label("final_paid_share"), unit_label("final_paid_share"), lever_label(LEVER)]
    texts += [lever_unit(LEVER), lever_label("horizon_days"), *(setup_text(s) for s in setups)]
    return sorted(texts, key=len, reverse=True)


def _all_figures(runs: Runs, one_run: LoggedRun, folder: Path) -> Iterator[tuple[str, Any]]:
    for name, make in {**_campaign_figures(runs), **_sweep_figures(folder)}.items():
        yield name, make()
    yield "animation", animation_frame(one_run, 30)


# -- the tests ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", CHINESE)
def test_every_figure_speaks_chinese(runs: Runs, one_run: LoggedRun, tmp_path: Path, language: str) -> None:
    with translated(language):
        assert _("households paid (% of all households)") != "households paid (% of all households)"
        for name, figure in _all_figures(runs, one_run, tmp_path):
            texts = shown_texts(figure)
            assert any(HAN.search(t) for t in texts), f"{name}: no Chinese in {texts}"
            english = {t: words for t in texts if (words := left_in_english(t))}
            assert not english, f"{name} ({language}) still has English: {english}"


def test_the_check_finds_english_left_over(runs: Runs, one_run: LoggedRun, tmp_path: Path) -> None:
    """In English the same check finds words in every figure: it cannot pass for want of looking."""
    for name, figure in _all_figures(runs, one_run, tmp_path):
        assert any(left_in_english(t) for t in shown_texts(figure)), name
    assert left_in_english("ticket event") == ["ticket", "event"]
    assert left_in_english("第3天 baseline team.collectors 1,234 CNY $\\mathdefault{10^{2}}$") == []


@pytest.mark.parametrize("language", CHINESE)
def test_chinese_figures_use_the_glossary_and_chinese_dates(
    runs: Runs, one_run: LoggedRun, language: str
) -> None:
    from sim.languages.formats import date

    with translated(language):
        segments = shown_texts(_campaign_figures(runs)["segments"]())
        assert {_("ordinary"), _("undecided"), _("hard")} <= set(segments)
        heatmap = shown_texts(_campaign_figures(runs)["heatmap"]())
        assert {"星期一", "星期日"} <= set(heatmap)
        frame = shown_texts(animation_frame(one_run, 30))
        when = date(one_run.start + dt.timedelta(days=30), with_weekday=True)
        assert f"第30天  ·  {when}" in frame
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 星期[一二三四五六日]", when)
        assert {_(state) for state in STATES} <= set(frame)  # the glossary's household states


def test_english_figures_are_as_before(runs: Runs, one_run: LoggedRun) -> None:
    """A few texts exactly as the figures wrote them before they could speak Chinese."""
    figures = _campaign_figures(runs)
    heatmap = shown_texts(figures["heatmap"]())
    assert {"Mon", "Sun", "weekday", "under 5 attempts", "Fee contact attempts: baseline"} <= set(heatmap)
    assert "Ordinary owners" in shown_texts(figures["segments"]())
    assert "Staff hours" in shown_texts(figures["effort"]())
    assert "baseline: paid share by day (2 replications, seed 5)" in shown_texts(figures["paid share"]())
    when = one_run.start + dt.timedelta(days=30)
    caption = f"Day 30  ·  {when:%a} {when:%d %b %Y}"
    assert caption in shown_texts(animation_frame(one_run, 30))
