"""The HTML report of a run in worlds: ``--report --worlds`` and ``feesim report`` on a worlds folder."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.commands import small_community
from tests.paths import SCENARIOS

Feesim = Callable[..., subprocess.CompletedProcess[str]]
BASELINE, STAGED = str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "staged.yaml")
WORLDS = ["--worlds", "6", "--reps", "1", "--seed", "3", *small_community(40)]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Compare baseline and staged in 6 worlds with --report; return the folder and the process."""
    from tests.commands import run_feesim

    cwd = tmp_path_factory.mktemp("worlds-report")
    done = run_feesim(cwd, "compare", BASELINE, STAGED, *WORLDS, "--out", "cmp", "--report")
    return cwd / "cmp", done


def _text(page: str) -> str:
    """Return the page's visible text with tags stripped and entities decoded."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_report_with_worlds_exits_0_and_writes_report(
    compared: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """``compare --worlds N --report`` exits 0 and writes report.html beside the worlds' tables."""
    folder, done = compared
    assert done.returncode == 0, done.stderr
    assert (folder / "report.html").is_file() and (folder / "world_runs.parquet").is_file()


def test_robustness_section_names_variant_drivers_and_reversal(
    compared: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """The section shows the staged-baseline verdicts, the top driver and the reversal sentence."""
    from sim.worlds.robust import describe_reversal, describe_variant

    folder, _ = compared
    page = (folder / "report.html").read_text(encoding="utf-8")
    text = _text(page)
    top = json.loads((folder / "compare.json").read_text(encoding="utf-8"))
    assert "Robustness: does the answer hold across worlds?" in text
    assert "staged − baseline" in text
    entry = top["robust"]["staged"]
    for metric in ("final_paid_share", "days_to_80", "staff_hours"):
        assert describe_variant(entry[metric], metric) in text
    assert top["drivers"]["staged"][0]["key"] in text
    assert "No assumption stands out in 6 worlds" in text  # fewer than 20 worlds: none can
    share = entry["final_paid_share"]["share_better"]
    for line in describe_reversal(top["reversal"]["staged"], "staged", share):
        assert line in text
    assert page.count("data:image/png;base64,") == 3  # each variant's worlds and the differences


def test_report_is_offline_and_says_what_is_left_out(
    compared: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """No external src/href, no script; the views that need event logs are named as left out."""
    folder, _ = compared
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert not re.findall(r'(?:src|href)="(?!data:)', page)
    assert "<script" not in page.lower()
    assert "Left out of this report" in page and "event log" in page


def test_reproduce_command_has_worlds_and_priors(
    compared: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """The reproduce command runs the same comparison in the same worlds (--worlds, --priors, --set)."""
    folder, _ = compared
    text = _text((folder / "report.html").read_text(encoding="utf-8"))
    command = re.search(r"Reproduce \(in [^)]*\): (feesim compare .*?)It writes", text)
    assert command is not None
    words = shlex.split(command.group(1))
    assert words[words.index("--worlds") + 1] == "6" and "--priors" in words
    assert words[words.index("--seed") + 1] == "3" and "community.households=200" in words


def test_report_command_rewrites_a_worlds_folder(
    compared: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path, feesim: Feesim
) -> None:
    """``feesim report FOLDER`` on a worlds compare folder writes the same page again."""
    folder, _ = compared
    out = tmp_path / "again.html"
    done = feesim("report", str(folder), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == (folder / "report.html").read_text(encoding="utf-8")


def test_report_of_a_run_in_worlds(tmp_path: Path, feesim: Feesim) -> None:
    """``run --worlds`` with --report, and ``feesim report`` on its folder, write the worlds page."""
    done = feesim("run", BASELINE, *WORLDS, "--out", str(tmp_path / "one"), "--report")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "one" / "report.html").read_text(encoding="utf-8")
    text = _text(page)
    assert "baseline: 6 worlds" in text and "nothing to compare against" in text
    assert "--worlds 6" in text and page.count("data:image/png;base64,") == 1
    (tmp_path / "one" / "report.html").unlink()
    again = feesim("report", str(tmp_path / "one"))
    assert again.returncode == 0 and (tmp_path / "one" / "report.html").read_text(encoding="utf-8") == page


def test_incomplete_worlds_folder_exits_2(
    compared: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path, feesim: Feesim
) -> None:
    """A worlds folder without its worlds.parquet: one clear message naming it, exit 2."""
    import shutil

    folder = tmp_path / "broken"
    shutil.copytree(compared[0], folder)
    (folder / "worlds.parquet").unlink()
    done = feesim("report", str(folder))
    assert done.returncode == 2 and "worlds.parquet" in done.stderr and "Traceback" not in done.stderr


def test_reproduce_command_gives_the_same_runs(
    compared: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """Running the page's reproduce command where it ran gives the same runs in the same worlds."""
    import pandas as pd

    from tests.commands import run_feesim

    folder, _ = compared
    text = _text((folder / "report.html").read_text(encoding="utf-8"))
    command = re.search(r"Reproduce \(in (.*?), where it ran\): feesim (compare .*?)It writes", text)
    assert command is not None
    again = run_feesim(Path(command.group(1)), *shlex.split(command.group(2)))
    assert again.returncode == 0, again.stderr
    rerun = folder.parent / "cmp-rerun"
    for name in ("world_runs.parquet", "worlds.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(rerun / name), pd.read_parquet(folder / name))
