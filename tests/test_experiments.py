"""The ready experiments run on tiny designs, and `feesim analyze` reads any sweep."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app
from tests.paths import ROOT

EXPERIMENTS = sorted(p for p in (ROOT / "experiments").glob("*.yaml") if not p.stem.startswith("plan_"))
"""The sweeps; plan_*.yaml are plan searches (tests/test_plan_search.py)."""
TINY = {"community.households": 90, "community.buildings": 3, "horizon_days": 20}


def tiny_copy(path: Path, folder: Path) -> Path:
    """Write a tiny version of an experiment: few households, short horizon, one replication."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["base"] = str((path.parent / data["base"]).resolve())
    days = [int(m) for o in data["outcomes"] for m in re.findall(r"_day_(\d+)$", o)]
    data["overrides"] = {**data.get("overrides", {}), **TINY, "horizon_days": max([20, *days])}
    data.pop("precision", None)
    data["replications"] = 2
    if data["design"]["type"] in ("sobol", "morris"):
        data["design"]["n"] = 2
    for key, lever in data.get("levers", {}).items():
        if "values" in lever and isinstance(lever["values"], list) and key == "team.collectors":
            lever["values"] = lever["values"][:2]
    target = folder / path.name
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


def test_the_four_ready_experiments_are_shipped() -> None:
    names = {p.stem for p in EXPERIMENTS}
    assert {"billing", "calling_windows", "team_size", "sensitivity"} <= names


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_ready_experiment_sweeps_and_analyses(path: Path, tmp_path: Path) -> None:
    tiny = tiny_copy(path, tmp_path)
    out = tmp_path / "out"
    runner = CliRunner()
    swept = runner.invoke(app, ["sweep", str(tiny), "--workers", "1", "--out", str(out)])
    assert swept.exit_code == 0, swept.stdout + swept.stderr
    analysed = runner.invoke(app, ["analyze", str(out), "--json"])
    assert analysed.exit_code == 0, analysed.stdout + analysed.stderr
    analysis = json.loads(analysed.stdout)
    assert analysis["figures"], "an experiment writes at least one figure"
    for name in analysis["figures"]:
        assert (out / name).stat().st_size > 1000
    if analysis["design"] == "sobol":
        indices = analysis["sensitivity"]["0"]
        assert any(v is not None for v in indices.values())
    else:
        best = [b for b in analysis["best_levers"].values() if b is not None]
        assert best and all("paired_difference" in b for b in best)


def test_analyze_needs_a_sweep_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(tmp_path)])
    assert result.exit_code == 2
    assert "results.parquet" in result.stderr


def test_run_with_precision_stops_at_the_target(tmp_path: Path) -> None:
    args = ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--reps", "3", "--precision", "0.03",
            "--max-reps", "12", "--json", "--out", str(tmp_path / "run"),
            *[f"--set={k}={v}" for k, v in TINY.items()]]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    final = summary["final_paid_share"]
    precise = final["ci_high"] - final["ci_low"] <= 2 * 0.03 + 1e-12
    assert summary["reps"] % 3 == 0 and (precise or summary["reps"] == 12)


def test_precision_must_be_positive(tmp_path: Path) -> None:
    args = ["run", str(ROOT / "scenarios" / "baseline.yaml"), "--precision", "0", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
