"""What ``feesim run`` and ``compare`` print at 80 columns; days to 80% when a side never gets there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from sim.compare import censored_days_to, paired_difference
from sim.views.compare_table import print_comparison
from tests.commands import no_json_constants, small_community
from tests.paths import SCENARIOS

BASELINE, PLAYBOOK, STAGED = (
    SCENARIOS / "baseline.yaml",
    SCENARIOS / "playbook.yaml",
    SCENARIOS / "staged.yaml",
)
HORIZON, REPS = 50, 3
LONG_NAME = "staged-with-a-longer-variant-name"
JARGON = (" pp", "pairs", "right-party")


def _at_80_columns(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` as in an 80-column terminal."""
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """Compare baseline, playbook and a long-named variant at 80 columns; return the output and JSON."""
    cwd = tmp_path_factory.mktemp("compare80")
    (cwd / "long.yaml").write_text(f"extends: {STAGED}\nname: {LONG_NAME}\n", encoding="utf-8")
    args = [
        "compare",
        str(BASELINE),
        str(PLAYBOOK),
        "long.yaml",
        *small_community(HORIZON),
        "--reps",
        str(REPS),
    ]
    result = _at_80_columns(cwd, *args, "--out", "out")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    comparison = json.loads((cwd / "out" / "compare.json").read_text(encoding="utf-8"))
    return result.stdout, comparison


def _variant_blocks(text: str) -> list[list[str]]:
    """Return the rows of each variants table (the lines after a header starting with 'variant')."""
    blocks, lines = [], text.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("variant "):
            rows = []
            for row in lines[k + 2 :]:
                if not row.strip():
                    break
                rows.append(row)
            blocks.append(rows)
    return blocks


def test_every_variants_table_names_every_variant(compared: tuple[str, dict[str, Any]]) -> None:
    text, comparison = compared
    names = list(comparison["variants"])
    assert names == ["baseline", "playbook", LONG_NAME]
    blocks = _variant_blocks(text)
    assert blocks, text
    for rows in blocks:
        assert [row.split()[0] for row in rows] == names, "\n".join(rows)


def test_no_cell_is_cut_at_80_columns(compared: tuple[str, dict[str, Any]]) -> None:
    text, comparison = compared
    assert "…" not in text and "..." not in text
    long_lines = [line for line in text.splitlines() if len(line) > 80]
    assert all(line.startswith("written to ") for line in long_lines), long_lines
    flat = " ".join(text.split())
    for summary in comparison["variants"].values():
        for cell in (
            f"{100 * summary['final_paid_share']['mean']:.1f}%",
            f"{summary['staff_hours']['mean']:,.0f}",
            f"{summary['calls']['mean']:,.0f}",
        ):
            assert cell in flat, cell


def test_days_to_80_when_the_baseline_never_gets_there(compared: tuple[str, dict[str, Any]]) -> None:
    """The playbook reaches 80% within 50 days and the baseline does not: 'at least N days sooner'."""
    text, comparison = compared
    paired = comparison["paired"]["playbook"]
    assert paired["days_to_80"]["pairs"] == 0  # the plain paired difference has no pair to use
    censored = paired["days_to_80_censored"]
    assert censored["reached"] == {"variant": REPS, "baseline": 0}
    assert (censored["horizon_days"], censored["reps"], censored["bound"]) == (HORIZON, REPS, "upper")
    days = comparison["variants"]["playbook"]["days_to"]["80"]["mean"]
    assert censored["restricted_mean"]["mean"] == pytest.approx(days - HORIZON)
    assert censored["reached_share"]["mean"] == 1.0
    flat = " ".join(text.split())
    sooner = HORIZON - days
    assert f"at least {sooner:.1f} days sooner" in flat
    assert f"reached 80% by day {HORIZON} 3 of 3 against 0 of 3 (+100 points)" in flat
    assert "neither reached 80% within 50 days" in flat  # the long-named variant, like the baseline
    for word in JARGON:
        assert word not in text


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_the_tables_fit_any_width(width: int, compared: tuple[str, dict[str, Any]]) -> None:
    _text, comparison = compared
    console = Console(width=width, record=True, color_system=None)
    print_comparison(console, comparison, ["compare.json"])
    text = console.export_text()
    assert "…" not in text
    for rows in _variant_blocks(text):  # a name longer than fits beside a column is folded, never cut
        assert "".join(row.split()[0] for row in rows) == "".join(comparison["variants"])
    assert all(len(line) <= width for line in text.splitlines() if not line.startswith("written to"))


def test_run_summary_at_80_columns(tmp_path: Path) -> None:
    result = _at_80_columns(tmp_path, "run", str(BASELINE), *small_community(30), "--reps", "2", "--out", "o")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "…" not in text and all(len(line) <= 80 for line in text.splitlines())
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(), parse_constant=no_json_constants)
    flat = " ".join(text.replace("│", " ").split())
    fee_work = summary["collector_time"]["fee_work_share"]["mean"]
    assert f"time on fee work {100 * fee_work:.1f}% of shift hours" in flat
    assert f"team morale, mean over the campaign {summary['morale_mean']['mean']:.2f}" in flat
    assert "calls that reached the owner" in flat and "service crew busy" in flat
    assert "Reached the owner: the owner answered" in flat  # the footnote explains the terms once
    for word in JARGON:
        assert word not in text


# -- days to a target with censoring -----------------------------------------------------------------


class _Runs:
    """Stand-in replications: days to 80% per replication over a horizon."""

    def __init__(self, days: list[float | None], horizon: int) -> None:
        self.days, self.horizon = days, horizon

    def kpi(self, name: str) -> list[float | None]:
        assert name == "days_to_80"
        return self.days

    def curve(self, column: str) -> np.ndarray:
        return np.zeros((len(self.days), self.horizon + 1))


def _censored(variant: list[float | None], baseline: list[float | None], horizon: int = 60) -> dict[str, Any]:
    return censored_days_to(_Runs(variant, horizon), _Runs(baseline, horizon), 80)  # type: ignore[arg-type]


def test_without_censoring_it_is_the_plain_paired_difference() -> None:
    variant, baseline = [30.0, 35.5, 41.0], [40.0, 38.0, 52.5]
    entry = _censored(variant, baseline)
    assert entry["bound"] == "exact" and entry["reached"] == {"variant": 3, "baseline": 3}
    plain = paired_difference(variant, baseline)
    assert entry["restricted_mean"] == {k: plain[k] for k in ("mean", "ci_low", "ci_high")}
    assert entry["reached_share"] == {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0}


def test_censored_baseline_gives_an_upper_bound() -> None:
    entry = _censored([30.0, 34.0, 38.0], [None, 50.0, None])
    assert entry["bound"] == "upper"
    assert entry["restricted_mean"]["mean"] == pytest.approx(((30 - 60) + (34 - 50) + (38 - 60)) / 3)
    assert entry["reached"] == {"variant": 3, "baseline": 1}
    assert entry["reached_share"]["mean"] == pytest.approx(2 / 3)
    assert -1 <= entry["reached_share"]["ci_low"] <= entry["reached_share"]["ci_high"] <= 1


def test_censored_variant_gives_a_lower_bound_and_both_no_bound() -> None:
    assert _censored([None, 40.0], [30.0, 35.0])["bound"] == "lower"
    assert _censored([None, 40.0], [30.0, None])["bound"] == "none"
    assert _censored([None, None], [None, None])["bound"] == "none"


def test_the_shorter_horizon_censors_both_sides() -> None:
    """A day after the shorter horizon counts as not reached by it (the comparison is up to that day)."""
    entry = censored_days_to(_Runs([20.0, 70.0], 90), _Runs([25.0, 30.0], 60), 80)  # type: ignore[arg-type]
    assert entry["horizon_days"] == 60
    assert entry["reached"] == {"variant": 1, "baseline": 2}
    assert entry["restricted_mean"]["mean"] == pytest.approx(((20 - 25) + (60 - 30)) / 2)
    assert entry["bound"] == "lower"
