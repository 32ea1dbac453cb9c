"""Every shipped scenario validates and runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sim
from tests.paths import ROOT, SCENARIOS

SHIPPED = sorted(SCENARIOS.rglob("*.yaml"))


def test_scenarios_are_shipped() -> None:
    names = {p.relative_to(SCENARIOS).as_posix() for p in SHIPPED}
    assert {"baseline.yaml", "staged.yaml", "validation/bass.yaml", "validation/threshold.yaml"} <= names


def test_every_scenario_validates_on_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "validate", *map(str, SHIPPED)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_every_scenario_runs(path: Path) -> None:
    scenario = sim.load_scenario(path)
    small = sim.load_scenario(
        path,
        {
            "community.households": min(300, scenario.community.households),
            "community.buildings": min(6, scenario.community.buildings),
            "horizon_days": min(40, scenario.horizon_days),
        },
    )
    result = sim.simulate(small, seed=0)
    assert result.kpis["events"] > 0
    assert 0.0 < result.kpis["final_paid_share"] <= 1.0
