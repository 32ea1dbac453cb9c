"""``feesim compare``: the JSON contract, paired statistics, common random numbers, files, bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.compare import paired_difference, variant_names
from sim.destination import compare_name
from sim.output import COMPARE_FILES
from sim.views.folder import COMPARE_VIEW_FILES
from tests.commands import no_json_constants, run_feesim, small_community
from tests.paths import SCENARIOS
from tests.test_cli_run import CONTRACT as RUN_CONTRACT
from tests.test_cli_run import EXTRAS as RUN_EXTRAS

BASELINE, STAGED = SCENARIOS / "baseline.yaml", SCENARIOS / "staged.yaml"
HORIZON, REPS, SEED = 40, 4, 7
SMALL = [*small_community(HORIZON), "--reps", str(REPS), "--seed", str(SEED)]
TOP_KEYS = {"variants", "paired", "baseline", "reps", "seed", "wall_seconds", "output"}
METRICS = {"final_paid_share", "days_to_80", "staff_hours"}


@pytest.fixture(scope="module")
def json_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One real ``python -m sim compare --json`` of baseline vs staged; return it and its working folder."""
    cwd = tmp_path_factory.mktemp("compare")
    args = ["compare", str(BASELINE), str(STAGED), *SMALL, "--out", "out", "--json"]
    return run_feesim(cwd, *args), cwd


@pytest.fixture(scope="module")
def comparison(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> dict[str, Any]:
    result, _cwd = json_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout, parse_constant=no_json_constants)


# -- the JSON contract --------------------------------------------------------------------------------


def test_stdout_is_exactly_one_json_object(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _cwd = json_run
    assert result.returncode == 0, result.stderr
    value, end = json.JSONDecoder().raw_decode(result.stdout)
    assert isinstance(value, dict)
    assert result.stdout[end:].strip() == ""


def test_contract_keys(comparison: dict[str, Any]) -> None:
    assert set(comparison) == TOP_KEYS
    assert (comparison["baseline"], comparison["reps"], comparison["seed"]) == ("baseline", REPS, SEED)
    assert comparison["wall_seconds"] >= 0
    assert list(comparison["variants"]) == ["baseline", "staged"]
    for summary in comparison["variants"].values():
        assert set(summary) == RUN_CONTRACT | RUN_EXTRAS
        assert summary["days"] == list(range(HORIZON + 1))
    assert [v["scenario"] for v in comparison["variants"].values()] == ["baseline", "staged"]


def test_paired_entries(comparison: dict[str, Any]) -> None:
    paired = comparison["paired"]
    assert set(paired) == {"staged"}
    assert set(paired["staged"]) == METRICS | {"days_to_80_censored"}
    for metric in ("final_paid_share", "staff_hours"):
        assert set(paired["staged"][metric]) == {"mean", "ci_low", "ci_high"}
    days = paired["staged"]["days_to_80"]
    assert set(days) == {"mean", "ci_low", "ci_high", "pairs"}
    assert 0 <= days["pairs"] <= REPS
    assert (days["mean"] is None) == (days["pairs"] == 0)
    assert (days["ci_low"] is None) == (days["pairs"] < 2)


def test_paired_means_equal_differences_of_means(comparison: dict[str, Any]) -> None:
    """With no replication left out, the mean of the paired differences is the difference of the means."""
    base, staged = comparison["variants"]["baseline"], comparison["variants"]["staged"]
    paired = comparison["paired"]["staged"]
    for metric in ("final_paid_share", "staff_hours"):
        assert paired[metric]["mean"] == pytest.approx(
            staged[metric]["mean"] - base[metric]["mean"], abs=1e-12
        )
        if paired[metric]["ci_low"] is not None:
            assert paired[metric]["ci_low"] <= paired[metric]["mean"] <= paired[metric]["ci_high"]


# -- the paired statistics ----------------------------------------------------------------------------


def _t_interval(diffs: np.ndarray) -> tuple[float, float, float]:
    mean = diffs.mean()
    half = stats.t.ppf(0.975, len(diffs) - 1) * stats.sem(diffs)
    return mean, mean - half, mean + half


def test_paired_difference_by_hand() -> None:
    a = [0.61, 0.58, None, 0.66, 0.70, float("nan")]
    b = [0.55, 0.57, 0.60, None, 0.64, 0.50]
    diffs = np.array([0.61 - 0.55, 0.58 - 0.57, 0.70 - 0.64])
    mean, low, high = _t_interval(diffs)
    got = paired_difference(a, b)
    assert got["pairs"] == 3
    assert got["mean"] == pytest.approx(mean)
    assert (got["ci_low"], got["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert stats.ttest_rel([0.61, 0.58, 0.70], [0.55, 0.57, 0.64]).confidence_interval().low == pytest.approx(
        low
    )


def test_paired_difference_order_and_small_samples() -> None:
    assert paired_difference([3.0, 5.0], [1.0, 2.0])["mean"] == pytest.approx(2.5)  # a - b
    assert paired_difference([None, 4.0], [1.0, 1.5]) == {
        "mean": 2.5,
        "ci_low": None,
        "ci_high": None,
        "pairs": 1,
    }
    assert paired_difference([None, 4.0], [1.0, None]) == {
        "mean": None,
        "ci_low": None,
        "ci_high": None,
        "pairs": 0,
    }
    assert paired_difference([], []) == {"mean": None, "ci_low": None, "ci_high": None, "pairs": 0}
    with pytest.raises(ValueError, match="equal lengths"):
        paired_difference([1.0], [1.0, 2.0])


def test_paired_difference_of_equal_values_is_exactly_zero() -> None:
    values = [0.31, 0.47, 0.52, 0.9]
    assert paired_difference(values, values) == {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "pairs": 4}


@pytest.mark.parametrize(
    ("paths", "names", "expected"),
    [
        (["a/one.yaml", "b/two.yaml"], ["baseline", "staged"], ["baseline", "staged"]),
        (["a/x.yaml", "b/y.yaml"], ["scenario", "scenario"], ["x", "y"]),
        (["baseline.yaml", "copy.yaml"], ["baseline", "baseline"], ["baseline", "baseline (copy)"]),
        (["baseline.yaml", "baseline.yaml"], ["baseline", "baseline"], ["baseline", "baseline[2]"]),
        (["a/s.yaml", "b/s.yaml", "c/s.yaml"], ["scenario"] * 3, ["s", "s[2]", "s[3]"]),
    ],
    ids=["names", "default names", "same name", "same file", "same stem"],
)
def test_variant_names(paths: list[str], names: list[str], expected: list[str]) -> None:
    assert variant_names(paths, names) == expected


def test_compare_name() -> None:
    assert compare_name(["baseline", "staged"], False) == "compare-baseline-vs-staged"
    assert compare_name(["a b", "c/d"], False) == "compare-a_b-vs-c_d"
    assert compare_name(["baseline", "baseline (copy)"], False) == "compare-baseline-vs-baseline_copy"
    assert compare_name(["baseline", "baseline[2]"], True) == "compare-baseline-vs-itself"
    assert compare_name(["a", "b"], False, ["team.collectors=6"]) == "compare-a-vs-b-team.collectors=6"
    assert len(compare_name(["x" * 200, "y"], False)) <= 120


# -- common random numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("precision", [[], ["--precision", "0.5"]], ids=["fixed reps", "to a precision"])
def test_scenario_against_itself_differs_by_exactly_zero(
    precision: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same seeds, same scenario: identical runs, so every paired difference is 0 with CI [0, 0]."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["compare", str(BASELINE), str(BASELINE), *SMALL, *precision, "--json"])
    assert result.exit_code == 0, result.stderr
    value = json.loads(result.stdout, parse_constant=no_json_constants)
    assert list(value["variants"]) == ["baseline", "baseline[2]"]
    paired = value["paired"]["baseline[2]"]
    for metric in ("final_paid_share", "staff_hours"):
        assert paired[metric] == {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0}
    days = paired["days_to_80"]
    assert days["mean"] in (None, 0.0) and days["ci_low"] in (None, 0.0) and days["ci_high"] in (None, 0.0)
    first, second = ({k: v for k, v in s.items() if k != "wall_seconds"} for s in value["variants"].values())
    assert first == second
    overrides = "community.households=200-community.buildings=4-horizon_days=40"
    assert (tmp_path / "results" / f"compare-baseline-vs-itself-{overrides}").is_dir()


# -- the files ----------------------------------------------------------------------------------------


def test_files_written_and_no_temporaries(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    assert {p.name for p in (json_run[1] / "out").iterdir()} == {*COMPARE_FILES, *COMPARE_VIEW_FILES}


def test_json_file_equals_printed_json(
    json_run: tuple[subprocess.CompletedProcess[str], Path], comparison: dict[str, Any]
) -> None:
    text = (json_run[1] / "out" / "compare.json").read_text(encoding="utf-8")
    assert json.loads(text, parse_constant=no_json_constants) == comparison


def test_daily_long_table(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    folder = json_run[1] / "out"
    parquet, csv = pd.read_parquet(folder / "daily.parquet"), pd.read_csv(folder / "daily.csv")
    assert len(parquet) == 2 * REPS * (HORIZON + 1)
    assert list(parquet.columns[:5]) == ["variant", "rep", "day", "paid_share", "money_share"]
    assert parquet.groupby(["variant", "rep"]).size().to_dict() == {
        (v, r): HORIZON + 1 for v in ("baseline", "staged") for r in range(REPS)
    }
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)


def test_daily_table_matches_summaries(
    json_run: tuple[subprocess.CompletedProcess[str], Path], comparison: dict[str, Any]
) -> None:
    daily = pd.read_parquet(json_run[1] / "out" / "daily.parquet")
    for name, summary in comparison["variants"].items():
        mean = daily[daily["variant"] == name].groupby("day")["paid_share"].mean().to_numpy()
        np.testing.assert_allclose(mean, summary["paid_share"]["mean"])


def test_overlay_plot_is_a_real_picture(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    from matplotlib.image import imread

    pixels = imread(json_run[1] / "out" / "paid_share.png")
    height, width = pixels.shape[:2]
    assert 400 <= height <= 3000 and 600 <= width <= 4000
    assert pixels[..., :3].var() > 0.001


def _without_timing(value: Any) -> Any:
    """Return a JSON value without its wall times and output folder (what two runs may differ in)."""
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in ("wall_seconds", "output")}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value


@pytest.mark.slow  # 10-17 s: keeps the default run under 5 minutes on 2 cores
def test_worker_processes_give_the_same_comparison_to_precision(tmp_path: Path) -> None:
    """Batches to a precision on two worker processes: the replications and every file as in one process."""
    to_precision = ["--precision", "1e-9", "--max-reps", str(2 * REPS), "--json"]  # two batches of REPS
    runs = {}
    for workers in ("1", "2"):
        args = [
            "compare",
            str(BASELINE),
            str(STAGED),
            *SMALL,
            *to_precision,
            "--out",
            workers,
            "--workers",
            workers,
        ]
        result = run_feesim(tmp_path, *args)
        assert result.returncode == 0, result.stderr
        runs[workers] = json.loads(result.stdout, parse_constant=no_json_constants)
    assert runs["1"]["reps"] == 2 * REPS
    assert _without_timing(runs["2"]) == _without_timing(runs["1"])
    for path in (tmp_path / "1").iterdir():
        if path.name not in ("compare.json", "command.json"):  # these two name their output folder
            assert (tmp_path / "2" / path.name).read_bytes() == path.read_bytes(), path.name


# -- the readable output ------------------------------------------------------------------------------


def test_human_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    small = [*SMALL[:-4], "--reps", "2"]
    result = CliRunner().invoke(app, ["compare", str(BASELINE), str(STAGED), *small])
    assert result.exit_code == 0, result.stderr
    assert re.search(r"\([0-2]/2\)", result.stdout)  # reached counts out of 2 replications
    for fragment in ["baseline", "staged", "paired differences", "final paid share", "days to 80%"]:
        assert fragment in result.stdout, f"{fragment!r} not in:\n{result.stdout}"
    folder = "compare-baseline-vs-staged-community.households=200-community.buildings=4-horizon_days=40"
    assert folder in "".join(result.stdout.split())
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert {p.name for p in (tmp_path / "results" / folder).iterdir()} == {
        *COMPARE_FILES,
        *COMPARE_VIEW_FILES,
    }


# -- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "extra", "fragments"),
    [
        ([BASELINE], [], ["at least two scenario files", "got 1"]),
        ([], [], ["Missing argument"]),
        ([BASELINE, STAGED], ["--set", "horizon_days=abc"], ["horizon_days", "found 'abc'"]),
        ([BASELINE, STAGED], ["--set", "horizon_days"], ["--set horizon_days", "key.path=value"]),
        ([BASELINE, Path("missing.yaml")], [], ["missing.yaml"]),
        ([BASELINE, STAGED], ["--reps", "0"], ["--reps"]),
    ],
    ids=["one file", "no file", "bad set value", "set without =", "missing file", "reps 0"],
)
def test_bad_input(
    files: list[Path], extra: list[str], fragments: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["compare", *map(str, files), *SMALL, *extra])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    assert not (tmp_path / "results").exists()


def test_one_file_in_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sim", "compare", str(BASELINE)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert "at least two scenario files" in result.stderr


def test_mean_contacts_over_the_union_of_kinds_and_outcomes() -> None:
    from sim.results import mean_contacts, mean_or_none

    runs = [{"call": {"no_answer": 4, "pays_now": 2}}, {"call": {"no_answer": 2}, "visit": {"refuses": 1}}]
    assert mean_contacts(runs) == {
        "call": {"no_answer": 3.0, "pays_now": 1.0},
        "visit": {"refuses": 0.5},
    }
    assert mean_or_none([None, 2.0, 4.0]) == 3.0
    assert mean_or_none([None, None]) is None
