"""Every shipped scenario validates and runs sensibly; every tactic file is the baseline plus that tactic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim
from sim.scenario.catalogue import TACTICS
from tests.paths import PRIORS, ROOT, SCENARIOS

SHIPPED = sorted(p for p in SCENARIOS.rglob("*.yaml") if p != PRIORS)  # priors.yaml: no scenario
SMALL = {"community.households": 300, "community.buildings": 6, "horizon_days": 60}

# What each tactic's mechanism leaves in the event log of a small run, when it can be seen
# there: (record kind, outcome or "" for any).  Tactics that only change probabilities or
# rates (conduct flags, morale support, key owners first, chasing, the direct lane, the waiting
# call) have none.
SIGNATURES: dict[str, tuple[str, str]] = {
    "staff_atmosphere": ("staff_encounter", "reminded"),
    "debrief": ("", ""),  # counted in the key figures, not the log
    "reminders": ("reminder", "sent"),
    "sms_notices": ("notice", "personal"),
    "team_visits": ("team_visit", ""),
    "contact_discovery": ("discovery", ""),
    "escalation": ("ticket", "escalated"),
    "publicity": ("notice_board", ""),
    "v1_call_windows": ("greeting_call", "greeted"),
    "home_visits": ("home_visit", ""),
    "concrete_time": ("promise", "concrete time"),
    "goodwill": ("birthday_call", "sent"),
    "staged_billing": ("stage", "stage 3"),
}


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
def test_every_scenario_runs_and_keeps_its_books(path: Path) -> None:
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
    kpis, daily = result.kpis, result.daily
    assert kpis["events"] > 0
    assert 0.0 < kpis["final_paid_share"] <= 1.0
    paid, billed = daily["paid_share"].to_numpy(), daily["billed_share"].to_numpy()
    assert np.all(np.diff(paid) >= 0) and np.all(paid <= billed + 1e-12)
    assert kpis["final_paid_share"] == pytest.approx(paid[-1])
    assert 0.0 <= kpis["money_collected"] <= kpis["money_billed"]
    assert kpis["staff_hours"] >= kpis["collector_hours"] >= 0.0
    assert kpis["busy_hours"] + kpis["duty_hours"] <= kpis["collector_hours"] * 1.05 + 1.0
    causes = kpis["payments_by_cause"]
    assert sum(causes.values()) == round(kpis["final_paid_share"] * kpis["households"])


def _flat(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out.update(_flat(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: tree}


def test_every_tactic_file_has_an_entry_in_the_catalogue() -> None:
    shipped = {p.stem for p in (SCENARIOS / "tactics").glob("*.yaml")}
    assert shipped == {t.name for t in TACTICS}


@pytest.mark.parametrize("tactic", TACTICS, ids=lambda t: t.name)
def test_a_tactic_file_differs_from_the_baseline_only_in_its_own_keys(tactic) -> None:
    base = _flat(sim.load_scenario(SCENARIOS / "baseline.yaml").model_dump(mode="json"))
    mine = _flat(sim.load_scenario(SCENARIOS / "tactics" / f"{tactic.name}.yaml").model_dump(mode="json"))
    changed = {key for key in base.keys() | mine.keys() if base.get(key) != mine.get(key)}
    changed -= {"name", "description"}
    assert changed, f"{tactic.name} changes nothing"
    foreign = {key for key in changed if not any(key == k or key.startswith(k + ".") for k in tactic.keys)}
    assert not foreign, f"{tactic.name} also changes {sorted(foreign)}"


def _weekly_paid_hours(path: Path) -> float:
    scenario = sim.load_scenario(path)
    return sum(len(w.days) * (w.end - w.start) for w in scenario.team.shift_windows())


@pytest.mark.parametrize("tactic", [t for t in TACTICS if "team.shift" in t.keys], ids=lambda t: t.name)
def test_tactics_that_move_shifts_keep_the_baselines_weekly_hours(tactic) -> None:
    # A tactic is not confounded with paid hours: it moves them, it does not add them.
    path = SCENARIOS / "tactics" / f"{tactic.name}.yaml"
    assert _weekly_paid_hours(path) == pytest.approx(_weekly_paid_hours(SCENARIOS / "baseline.yaml"))


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_a_tactics_mechanism_leaves_its_mark(name: str) -> None:
    kind, outcome = SIGNATURES[name]
    tactic = sim.simulate(
        sim.load_scenario(SCENARIOS / "tactics" / f"{name}.yaml", SMALL), 0, log_events=True
    )
    base = sim.simulate(sim.load_scenario(SCENARIOS / "baseline.yaml", SMALL), 0, log_events=True)
    if not kind:
        assert tactic.kpis["debriefs"] > 0 == base.kpis["debriefs"]
        return

    def marks(result: sim.RunResult) -> int:
        return sum(1 for r in result.records if r.kind == kind and (not outcome or r.outcome == outcome))

    assert marks(tactic) > 0 == marks(base)
