"""The HTML report a newcomer reads (issue 14, point 6): title, reproduce command, folded YAML,
legends that cover no curve, readable value labels, a readable funnel, percent axes."""

from __future__ import annotations

import html
import json
import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.views.folder import ResultsFolder, load_results
from tests.commands import run_feesim
from tests.paths import SCENARIOS

SETS = ["community.households=150", "community.buildings=3", "horizon_days=25"]
REPS, SEED = 2, 4


def _sets() -> list[str]:
    return [word for item in SETS for word in ("--set", item)]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder as a newcomer has it: the shipped scenarios under scenarios/."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(SCENARIOS, root / "scenarios")
    return root


@pytest.fixture(scope="module")
def run_folder(project: Path) -> Path:
    args = ["run", "scenarios/baseline.yaml", *_sets(), "--reps", str(REPS), "--seed", str(SEED)]
    done = run_feesim(project, *args, "--out", "results/first", "--report")
    assert done.returncode == 0, done.stderr
    return project / "results" / "first"


@pytest.fixture(scope="module")
def compare_folder(project: Path) -> Path:
    files = ["scenarios/baseline.yaml", "scenarios/playbook.yaml"]
    args = ["compare", *files, *_sets(), "--reps", str(REPS), "--seed", str(SEED)]
    done = run_feesim(project, *args, "--out", "results/both", "--report")
    assert done.returncode == 0, done.stderr
    return project / "results" / "both"


def _page(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


def _reproduce(page: str) -> list[str]:
    found = re.search(r"<p>Reproduce[^<]*(?:<code>[^<]*</code>[^<]*)?<code>(feesim [^<]+)</code>", page)
    assert found, "no Reproduce command on the page"
    return shlex.split(html.unescape(found.group(1)))


@pytest.mark.slow  # a subprocess interrupted or killed and restarted: seconds each
@pytest.mark.parametrize("which", ["run_folder", "compare_folder"])
def test_the_printed_command_runs_from_the_project_folder_and_gives_the_same_numbers(
    which: str, project: Path, request: pytest.FixtureRequest
) -> None:
    folder = request.getfixturevalue(which)
    words = _reproduce(_page(folder))
    assert words[0] == "feesim" and words.count("--set") == len(SETS)
    done = run_feesim(project, *words[1:])
    assert done.returncode == 0, done.stderr
    again = project / words[words.index("--out") + 1]
    assert again != folder and (again / "report.html").is_file()
    first = pd.read_parquet(folder / "replications.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(again / "replications.parquet"), first)
    assert (folder / "events.parquet").read_bytes() == (again / "events.parquet").read_bytes()


def test_the_title_says_households_horizon_replications_and_every_set(run_folder: Path) -> None:
    page = _page(run_folder)
    title = re.search(r"<title>(.*)</title>", page).group(1)
    heading = re.search(r"<h1>(.*)</h1>", page).group(1)
    for text in (title, heading):
        assert "150 households" in text and "25 days" in text and f"{REPS} replications" in text
        assert all(f"--set {item}" in text for item in SETS)


def test_only_a_comparison_speaks_of_variants_on_the_same_seeds(
    run_folder: Path, compare_folder: Path
) -> None:
    assert "same seeds" not in _page(run_folder)
    assert "every variant on the same seeds" in _page(compare_folder)


def test_the_scenario_dumps_are_folded(run_folder: Path, compare_folder: Path) -> None:
    for folder in (run_folder, compare_folder):
        page = _page(folder)
        unfolded = re.sub(r"<details>.*?</details>", "", page, flags=re.DOTALL)
        assert "<pre>" in page and "<pre>" not in unfolded
        assert "horizon_days: 25" in page  # still there, for saving and rerunning
    # the folded YAML was most of the page: what is shown unfolded is now small beside the pictures
    assert len(re.findall(r"<details>", _page(compare_folder))) == 2


def _results(folder: Path) -> ResultsFolder:
    return load_results(folder)


def _figures(results: ResultsFolder) -> dict[str, Figure]:
    from sim.views.bands import collection_figure, morale_figure, segment_figure
    from sim.views.effort import effort_figure
    from sim.views.funnel import funnel_figure
    from sim.views.tickets import ticket_figure

    tables = results.tables
    return {
        "collection": collection_figure(results.daily),
        "segments": segment_figure(results.daily),
        "morale": morale_figure(results.daily),
        "funnel": funnel_figure({n: t.funnel for n, t in tables.items()}, results.reps),
        "effort": effort_figure({n: t.replications for n, t in tables.items()}),
        "tickets": ticket_figure({n: t.tickets for n, t in tables.items()}, results.reps, 25.0),
    }


@pytest.mark.parametrize("which", ["run_folder", "compare_folder"])
def test_no_legend_lies_over_a_plotting_area(which: str, request: pytest.FixtureRequest) -> None:
    for name, figure in _figures(_results(request.getfixturevalue(which))).items():
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        legends = [*figure.legends, *(a.get_legend() for a in figure.axes if a.get_legend() is not None)]
        assert legends, name
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for axes in figure.axes:
                assert not box.overlaps(axes.get_window_extent(renderer)), f"{name}: legend over a panel"


def _value_labels(figure: Figure) -> list[Text]:
    return [t for axes in figure.axes for t in axes.texts if t.get_text().strip()]


@pytest.mark.parametrize("name", ["funnel", "effort", "tickets"])
def test_value_labels_sit_on_a_white_box(name: str, compare_folder: Path) -> None:
    figure = _figures(_results(compare_folder))[name]
    labels = _value_labels(figure)
    assert labels
    for label in labels:
        patch = label.get_bbox_patch()
        assert patch is not None and patch.get_facecolor()[:3] == (1.0, 1.0, 1.0), label.get_text()


def test_the_funnel_shows_every_stage_and_its_conversion(compare_folder: Path) -> None:
    figure = _figures(_results(compare_folder))["funnel"]
    calls = next(a for a in figure.axes if a.get_title() == "call")
    assert calls.get_yscale() == "log"
    low, high = calls.get_ylim()
    paid = [p.get_height() for p in calls.patches if p.get_height() > 0]
    assert low < min(paid) and high > max(paid)
    assert any("%" in t.get_text() for t in calls.texts)


def test_the_runs_paid_share_picture_is_in_percent(run_folder: Path) -> None:
    from sim.views.curves import paid_share_figure

    summary = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    figure = paid_share_figure(summary)
    figure.canvas.draw()
    ticks = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    shown = [t for t in ticks if t]
    assert "100%" in shown and all(t.endswith("%") for t in shown), shown


def test_the_report_still_fetches_nothing(compare_folder: Path) -> None:
    page = _page(compare_folder)
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)
    assert "http://" not in page and "https://" not in page and "<script" not in page


@pytest.mark.slow  # 10-17 s: keeps the default run under 5 minutes on 2 cores
def test_a_folder_without_its_command_still_gets_a_runnable_report(run_folder: Path, project: Path) -> None:
    """Folders written before command.json: the command runs the saved merged scenario."""
    old = project / "results" / "old"
    shutil.copytree(run_folder, old)
    (old / "command.json").unlink()
    (old / "report.html").unlink()
    done = run_feesim(project, "report", "results/old")
    assert done.returncode == 0, done.stderr
    page = _page(old)
    assert "Overrides: not recorded" in page
    words = _reproduce(page)
    assert words[:3] == ["feesim", "run", "results/old/scenario.yaml"]
    rerun = run_feesim(project, *words[1:], "--out", "results/old-rerun")
    assert rerun.returncode == 0, rerun.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(project / "results" / "old-rerun" / "replications.parquet"),
        pd.read_parquet(run_folder / "replications.parquet"),
    )
