"""Chinese figures without a Chinese font on the machine: the fonts feesim ships (`sim.languages.fonts`).

Every character feesim shows in a language is in that language's font; every kind of
figure feesim draws renders in both Chinese languages without a "Glyph ... missing from
font(s)" warning; a long Chinese title falls back, glyph by glyph, to the shipped font;
English figures are left as they were.

The figures are made once in English by the real commands on a tiny community (their
arguments recorded), then drawn from those arguments in each Chinese language: about a
minute on a busy machine, so those tests are ``slow`` (CI runs them); the fast ones check
every character shown against the fonts' character maps and draw every one of them.
"""

from __future__ import annotations

import ast
import functools
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pytest
import yaml
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont
from typer.testing import CliRunner

from sim.cli import app
from sim.languages import translated
from sim.languages.fonts import FACES
from sim.languages.fontsubset import catalogue_characters, needed_characters
from tests.paths import ROOT, SCENARIOS

CHINESE = list(FACES)
SMALL = ["--set", "community.households=100", "--set", "community.buildings=2", "--set", "horizon_days=20"]
FIGURES = {
    "sim.views.bands": ["collection_figure", "segment_figure", "morale_figure"],
    "sim.views.funnel": ["funnel_figure"],
    "sim.views.effort": ["effort_figure"],
    "sim.views.tickets": ["ticket_figure"],
    "sim.views.heatmap": ["heatmap_figure"],
    "sim.views.curves": ["paid_share_figure", "paid_share_overlay_figure"],
    "sim.views.world_strips": ["strips_figure"],
    "sim.views.animate": ["_figure"],
    "sim.views.sensitivity": ["sensitivity_figure", "lever_figure", "save_marginal_figure"],
    "sim.calibration.report": [
        "_curves_figure",
        "_single_figure",
        "_buildings_figure",
        "_intervals_figure",
        "_correlation_figure",
    ],
    "sim.plans.report": ["frontier_figure"],
}
"""Every function of feesim that makes a figure (`test_the_list_of_figures_is_complete` keeps it so)."""


def _missing_glyphs(caught: list[warnings.WarningMessage]) -> list[str]:
    """Return Matplotlib's warnings of a glyph missing ("Glyph 25910 (...) missing from font(s) ...")."""
    messages = [str(w.message) for w in caught]
    return [m for m in messages if "missing from font" in m or ("Glyph" in m and "missing" in m)]


def _chinese(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in text)


@functools.cache
def _cmap(language: str) -> dict[int, str]:
    return TTFont(str(FACES[language].path))["cmap"].getBestCmap()


def _png(figure: Any) -> bytes:
    from sim.views.canvas import png_bytes

    return png_bytes(figure, dpi=40)


# -- the characters ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", CHINESE)
def test_every_character_shown_is_in_the_font_of_its_language(language: str) -> None:
    shown = needed_characters(language)
    chinese = {c for c in catalogue_characters(language) if "\u4e00" <= c <= "\u9fff"}
    assert len(chinese) > 50, "the catalogue has Chinese translations"
    assert (
        chinese <= shown
        and set((ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")) - {"\n"} <= shown
    )
    missing = sorted(c for c in shown if ord(c) not in _cmap(language))
    assert not missing, (
        f"{FACES[language].file} lacks {''.join(missing)}: run python -m sim.languages.fontsubset"
    )


def test_each_font_has_the_glyph_forms_of_its_script() -> None:
    """SC has the simplified characters and the usual mainland forms; TC the traditional ones."""
    assert all(ord(c) in _cmap("zh-Hans") for c in "业费缴户楼统计")
    assert all(ord(c) in _cmap("zh-Hant") for c in "業費繳戶樓統計")
    outlines = []  # 骨 has one code point and two forms: mainland China's (SC) and Taiwan's (TC)
    for language in CHINESE:
        font = TTFont(str(FACES[language].path))
        pen = RecordingPen()
        font.getGlyphSet()[font.getBestCmap()[ord("骨")]].draw(pen)
        outlines.append(pen.value)
    assert outlines[0] != outlines[1]


def test_the_fonts_are_renamed_small_and_licensed() -> None:
    for face in FACES.values():
        font = TTFont(str(face.path))
        assert font["name"].getDebugName(1) == face.family
        names = [record.toUnicode() for record in font["name"].names if record.nameID in (1, 3, 4, 6)]
        assert names and not any("Noto" in name or "Source" in name for name in names)
        top = font["CFF "].cff.topDictIndex[0]
        assert top.FamilyName == face.family and "Noto" not in font["CFF "].cff.fontNames[0]
        assert face.path.stat().st_size < 2_500_000
    licence = (FACES["zh-Hans"].path.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Copyright 2014-2021 Adobe" in licence


# -- the families --------------------------------------------------------------------------------


@pytest.fixture
def restore_families() -> Iterator[None]:
    before = list(mpl.rcParams["font.family"])
    yield
    mpl.rcParams["font.family"] = before


@pytest.mark.usefixtures("restore_families")
def test_english_figures_keep_their_fonts() -> None:
    from sim.views.canvas import new_figure

    before = list(mpl.rcParams["font.family"])

    def english() -> bytes:
        figure = new_figure(4, 2)
        figure.suptitle("Paid share by day")
        return _png(figure)

    first = english()
    assert mpl.rcParams["font.family"] == before
    with translated("zh-Hans"):
        english()
        assert mpl.rcParams["font.family"] == [*before, "Feesim Sans SC"]
    assert english() == first and mpl.rcParams["font.family"] == before


@pytest.mark.usefixtures("restore_families")
@pytest.mark.parametrize("language", CHINESE)
def test_a_long_chinese_title_falls_back_to_the_font_of_its_language(language: str) -> None:
    """The longest translations as a title, and every character shown, drawn without a missing glyph."""
    from matplotlib.font_manager import FontProperties, findfont

    from sim.languages.catalogue import _translations
    from sim.views.canvas import new_figure

    with translated(language):
        catalogue = _translations(language)._catalog  # type: ignore[attr-defined]
        messages = sorted((text for key, text in catalogue.items() if key), key=_chinese)
        title = "".join(messages[-3:])
        assert _chinese(title) > 30
        shown = sorted(c for c in needed_characters(language) if c.isprintable() and not c.isspace())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            figure = new_figure(8, 4)
            figure.suptitle(title[:60] + "\n" + title[60:120], fontweight="bold")
            axes = figure.add_subplot()
            for row in range(0, len(shown), 40):
                axes.text(0, 1 - row / len(shown), "".join(shown[row : row + 40]), fontsize=6)
            axes.set_xlabel("收缴率（%）" if language == "zh-Hans" else "收繳率（%）")
            drawn = _png(figure)
        assert not _missing_glyphs(caught), _missing_glyphs(caught)[:3]
        chinese_font = findfont(FontProperties(family=FACES[language].family))
        assert Path(chinese_font) == FACES[language].path
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = new_figure(8, 4)  # English again: no fallback, so the title lacks its glyphs
        figure.suptitle(title[:60])
        without = _png(figure)
    assert _missing_glyphs(caught) and drawn != without


# -- every figure --------------------------------------------------------------------------------


def test_the_list_of_figures_is_complete() -> None:
    """Every function under sim/ that makes a Figure (new_figure or Figure) is in FIGURES."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "sim").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name != "new_figure":
                called = {
                    call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call)
                }
                if called & {"new_figure", "Figure"}:
                    found.setdefault(module, []).append(node.name)
    assert {m: sorted(f) for m, f in found.items()} == {m: sorted(f) for m, f in FIGURES.items()}


@contextmanager
def _record(calls: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]) -> Iterator[None]:
    """Wrap every figure function, wherever it was imported, so that its calls are kept in `calls`.

    The English pass only needs the arguments: the wrapper hands back an empty figure (or
    nothing, for `save_marginal_figure`) instead of drawing, except for the animation,
    whose frames draw on what `_figure` made.
    """
    import importlib

    from sim.views.canvas import new_figure

    modules = {name: importlib.import_module(name) for name in FIGURES}
    ours = [m for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith("sim")]
    patched = []
    for module_name, names in FIGURES.items():
        module = modules[module_name]
        for name in names:
            original = getattr(module, name)

            def wrapper(*args: Any, __original: Callable[..., Any] = original, **kwargs: Any) -> Any:
                calls.append((__original, args, kwargs))
                if __original.__module__ == "sim.views.animate":
                    return __original(*args, **kwargs)
                return None if __original.__name__.startswith("save_") else new_figure(0.5, 0.5)

            for other in ours:
                for attr, value in list(vars(other).items()):
                    if value is original:
                        patched.append((other, attr, value))
                        setattr(other, attr, wrapper)
    try:
        yield
    finally:
        for module, attr, value in reversed(patched):
            setattr(module, attr, value)


def _invoke(*args: object) -> None:
    result = CliRunner().invoke(app, ["--lang", "en", *(str(a) for a in args)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def figure_calls(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Callable[..., Any], tuple, dict]]:
    """Run every command that draws, in English on a tiny community; return its figure calls."""
    # loaded before recording, so that the figure functions they import are wrapped there too
    import sim.calibration.command
    import sim.experiments.analyze
    import sim.plans.command
    import sim.views.report
    import sim.views.worlds_report  # noqa: F401

    folder = tmp_path_factory.mktemp("figures")
    baseline, staged = SCENARIOS / "baseline.yaml", SCENARIOS / "staged.yaml"
    sweeps = {
        "levers": {"levers": {"team.collectors": {"values": [1, 2]}}, "design": {"type": "grid"}},
        "sobol": {
            "uncertainties": {
                "owners.segments.ordinary.p": {"range": {"min": 0.01, "max": 0.04}},
                "owners.phone_share": {"range": {"min": 0.8, "max": 1.0}},
            },
            "design": {"type": "sobol", "n": 2, "seed": 0},
        },
    }
    for name, design in sweeps.items():
        experiment = {
            "name": name,
            "base": str(baseline),
            "overrides": {"community.households": 60, "community.buildings": 2, "horizon_days": 20},
            **design,
            "replications": 1,
            "outcomes": ["final_paid_share", "money_collected", "staff_hours"],
            "seed": 0,
        }
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(experiment), encoding="utf-8")
    search = {
        "name": "tiny",
        "base": str(baseline),
        "overrides": {"community.households": 60, "community.buildings": 2, "horizon_days": 20},
        "levers": {"team.collectors": {"values": [1, 2]}},
        "budget": {"staff_hours": 900},
        "objective": {"maximise": "final_paid_share"},
        "indifference_pp": 5,
        "seed": 1,
    }
    (folder / "search.yaml").write_text(yaml.safe_dump(search), encoding="utf-8")
    calls: list[tuple[Callable[..., Any], tuple, dict]] = []
    with _record(calls):
        _invoke("run", baseline, *SMALL, "--reps", 2, "--out", folder / "run")
        _invoke("compare", baseline, staged, *SMALL, "--reps", 2, "--out", folder / "compare", "--report")
        worlds = ("--worlds", 3, "--reps", 1, "--report")
        _invoke("compare", baseline, staged, *SMALL, *worlds, "--out", folder / "worlds")
        _invoke("animate", baseline, *SMALL, "--step", 10, "--out", folder / "a.gif")
        for name in sweeps:
            _invoke("sweep", folder / f"{name}.yaml", "--workers", 1, "--out", folder / name)
            _invoke("analyze", folder / name)
        exported = ("--roster", folder / "roster.csv", "--ledger", folder / "ledger.csv", "--seed", 3)
        _invoke("export", baseline, *exported, *SMALL)
        ledger = ("--ledger", folder / "ledger.csv", "--runs", 50, "--workers", 1, "--seed", 3)
        _invoke("calibrate", baseline, *ledger, "--out", folder / "calibrated", *SMALL)
        _invoke("plan", folder / "search.yaml", "--out", folder / "plan", "--workers", 1)
    return calls


@pytest.fixture(scope="module")
def figure_kinds(figure_calls: list[tuple[Callable[..., Any], tuple, dict]]) -> dict[str, tuple]:
    """One recorded call of each figure function."""
    kinds: dict[str, tuple] = {}
    for function, args, kwargs in figure_calls:
        kinds.setdefault(f"{function.__module__}.{function.__name__}", (function, args, kwargs))
    return kinds


@pytest.mark.slow
def test_the_commands_draw_every_kind_of_figure(figure_kinds: dict[str, tuple]) -> None:
    expected = {f"{module}.{name}" for module, names in FIGURES.items() for name in names}
    assert set(figure_kinds) == expected


@pytest.mark.slow
@pytest.mark.usefixtures("restore_families")
@pytest.mark.parametrize("language", CHINESE)
def test_every_kind_of_figure_renders_in_chinese_without_a_missing_glyph(
    language: str, figure_kinds: dict[str, tuple], tmp_path: Path
) -> None:
    drawn = []
    with translated(language), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for kind, (function, args, kwargs) in sorted(figure_kinds.items()):
            if kind.endswith("save_marginal_figure"):  # draws and saves: to a file of this test
                function(tmp_path / "marginal.png", *args[1:], **kwargs)
                drawn.append((tmp_path / "marginal.png").stat().st_size)
                continue
            figure = function(*args, **kwargs)
            figure = figure[0] if isinstance(figure, tuple) else figure  # animate: (figure, date text)
            drawn.append(len(_png(figure)))
        assert mpl.rcParams["font.family"][-1] == FACES[language].family
    assert not _missing_glyphs(caught), sorted(set(_missing_glyphs(caught)))[:5]
    assert len(drawn) == len(figure_kinds) and min(drawn) > 1000
