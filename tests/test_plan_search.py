"""``feesim plan``: the folder it writes, the budget, bad search files, resuming, workers.

A tiny search (200 households, 4 buildings, 60 days; 1 to 3 collectors, bulk or
staged billing: six plans) keeps each search to a few seconds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load_scenario
from tests.paths import ROOT, SCENARIOS

TINY = {
    "name": "tiny",
    "base": str(SCENARIOS / "baseline.yaml"),
    "overrides": {"community.households": 200, "community.buildings": 4, "horizon_days": 60},
    "levers": {
        "team.collectors": {"values": [1, 2, 3]},
        "strategy.billing.mode": {"values": ["bulk", "staged"]},
    },
    "budget": {"staff_hours": 900},
    "objective": {"maximise": "final_paid_share"},
    "indifference_pp": 2,
    "seed": 1,
}


def write_search(folder: Path, **changes: object) -> Path:
    path = folder / "search.yaml"
    path.write_text(yaml.safe_dump({**TINY, **changes}), encoding="utf-8")
    return path


def plan(*args: object):
    return CliRunner().invoke(app, ["plan", *(str(a) for a in args)])


def stable(plan_json: dict) -> dict:
    """Return plan.json without what depends on the clock."""
    return {k: v for k, v in plan_json.items() if k != "wall_seconds"}


@pytest.fixture(scope="module")
def searched(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plan")
    result = plan(write_search(folder), "--out", folder / "out", "--workers", 1)
    assert result.exit_code == 0, result.output
    return folder / "out"


def test_the_folder_holds_the_plan_its_figures_and_the_report(searched: Path) -> None:
    for name in ("plan.yaml", "plan.json", "plans.csv", "frontier.png", "report.html"):
        assert (searched / name).stat().st_size > 0, name
    found = json.loads((searched / "plan.json").read_text(encoding="utf-8"))
    recommended = found["recommended"]
    assert set(recommended["objective"]) == {"mean", "ci_low", "ci_high"}
    assert (
        recommended["objective"]["ci_low"]
        <= recommended["objective"]["mean"]
        <= recommended["objective"]["ci_high"]
    )
    assert recommended["staff_hours"] > 0 and recommended["staff_cost"] > 0
    for other in ("runner_up", "current"):
        difference = found[other]["difference"]
        assert difference["ci_low"] <= difference["mean"] <= difference["ci_high"]
    assert found["candidates"] == 6 and found["confidence"] == 0.95 and found["indifference_pp"] == 2
    assert found["evaluated_runs"] >= 6 * 5
    scenario = load_scenario(searched / "plan.yaml")
    assert scenario.team.collectors == recommended["levers"]["team.collectors"]
    assert scenario.strategy.billing.mode == recommended["levers"]["strategy.billing.mode"]
    assert scenario.horizon_days == 60 and scenario.community.households == 200
    page = (searched / "report.html").read_text(encoding="utf-8")
    assert "your current plan" in page and "<img" in page


def test_a_plan_over_budget_is_never_recommended(searched: Path) -> None:
    found = json.loads((searched / "plan.json").read_text(encoding="utf-8"))
    assert found["recommended"]["staff_hours"] <= 900
    table = pd.read_csv(searched / "plans.csv")
    over = table[table["staff_hours"] > 900]
    assert len(over) and (over["status"] != "recommended").all()


def test_with_no_plan_within_budget_the_command_names_the_cheapest(tmp_path: Path) -> None:
    result = plan(
        write_search(tmp_path, budget={"staff_hours": 100}), "--out", tmp_path / "out", "--workers", 1
    )
    assert result.exit_code == 2
    assert "no plan is within the budget" in result.output and "the cheapest" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "plan.json").exists()


def test_a_collectors_budget_below_every_plan_is_refused_before_any_run(tmp_path: Path) -> None:
    search = write_search(tmp_path, budget={"team.collectors": 0})
    result = plan(search, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "budget.team.collectors" in result.output
    levers = {"team.collectors": {"values": [3, 4]}}
    result = plan(
        write_search(tmp_path, levers=levers, budget={"team.collectors": 2}), "--out", tmp_path / "o"
    )
    assert result.exit_code == 2 and "the cheapest plan has 3" in result.output


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"objective": {"maximise": "happiness"}}, "objective"),
        ({"levers": {"team.colectors": {"values": [1, 2]}}}, "levers.team.colectors"),
        ({"budget": {"staff_hour": 10}}, "budget.staff_hour"),
        ({"confidence": 1.5}, "confidence"),
        ({"objective": {"minimise": "days_to_80"}}, "indifference"),
        ({"levers": {"mood.amplitude": {"range": {"min": 0.0, "max": 0.2}}}}, "levers.mood.amplitude"),
    ],
)
def test_a_bad_search_file_names_the_key(tmp_path: Path, changes: dict, where: str) -> None:
    result = plan(write_search(tmp_path, **changes), "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "search.yaml" in result.output and where in result.output
    assert "Traceback" not in result.output


def test_a_killed_search_resumed_ends_as_an_uninterrupted_one(searched: Path, tmp_path: Path) -> None:
    killed = tmp_path / "killed"
    shutil.copytree(searched, killed)
    ledger = sorted((killed / "runs" / "ledger").iterdir())
    for entry in ledger[len(ledger) // 2 :]:  # a kill after the first half of the parts were committed
        entry.unlink()
    for name in ("plan.json", "plan.yaml", "report.html"):
        (killed / name).unlink()
    search = write_search(tmp_path)
    result = plan(search, "--out", killed, "--workers", 2, "--resume")
    assert result.exit_code == 0, result.output
    assert "from an interrupted search" in (killed / "report.html").read_text(encoding="utf-8")
    before = json.loads((searched / "plan.json").read_text(encoding="utf-8"))
    after = json.loads((killed / "plan.json").read_text(encoding="utf-8"))
    assert stable({**after, "search": None}) == stable({**before, "search": None})


def test_resume_refuses_the_runs_of_another_search(searched: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(searched, other)
    result = plan(write_search(tmp_path, seed=2), "--out", other, "--resume")
    assert result.exit_code == 2 and "another search" in result.output


def test_the_shipped_search_offers_over_200_plans_within_the_rules() -> None:
    from sim.plans.candidates import candidate_plans, current_plan
    from sim.plans.load import load_search

    search = load_search(ROOT / "experiments" / "plan_budget.yaml")
    plans = candidate_plans(search)
    assert len(plans) >= 200
    assert search.settings["community"]["households"] == 2000 and search.settings["horizon_days"] == 180
    assert current_plan(search, plans).index < len(plans)  # the base plan is one of the candidates


@pytest.mark.slow  # two searches of 16 proposals each: about 30 s
def test_a_space_too_large_to_enumerate_is_searched_by_the_optimiser(tmp_path: Path) -> None:
    levers = {
        "team.collectors": {"range": {"min": 1, "max": 4}, "integer": True},
        "owners.schedules.five_day_share": {"range": {"min": 0.4, "max": 0.9}},
    }
    search = write_search(tmp_path, levers=levers, candidates={"generate": 16}, budget={"team.collectors": 3})
    found = {}
    for workers in (1, 2):
        result = plan(search, "--out", tmp_path / f"out{workers}", "--workers", workers)
        assert result.exit_code == 0, result.output
        found[workers] = json.loads((tmp_path / f"out{workers}" / "plan.json").read_text(encoding="utf-8"))
    assert stable(found[1]) == stable(found[2])  # the same proposals and choice whatever runs them
    assert found[1]["candidates"] == 16
    table = pd.read_csv(tmp_path / "out1" / "plans.csv")
    proposed = table[table["status"] != "current"]
    assert (
        len(proposed.drop_duplicates(list(levers))) == len(proposed) == 16
    )  # every proposal a distinct plan
    assert (proposed["team.collectors"] <= 3).all()


@pytest.mark.slow  # a local Dask cluster starts in seconds, and the search runs again on it
def test_a_dask_cluster_recommends_the_same_plan_with_the_same_figures(
    searched: Path, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        result = plan(
            write_search(tmp_path), "--out", tmp_path / "dask", "--scheduler", cluster.scheduler_address
        )
    assert result.exit_code == 0, result.output
    before = json.loads((searched / "plan.json").read_text(encoding="utf-8"))
    after = json.loads((tmp_path / "dask" / "plan.json").read_text(encoding="utf-8"))
    assert stable({**after, "search": None}) == stable({**before, "search": None})


def test_the_current_plan_outside_the_proposals_runs_its_own_settings(tmp_path: Path) -> None:
    # 10 wanted from batches of 8: the optimiser numbers 16 proposals and keeps 10, so the current plan
    # (4 collectors, outside the levers' 1-3) must take a number none of the 16 has.
    levers = {
        "team.collectors": {"range": {"min": 1, "max": 3}, "integer": True},
        "owners.schedules.five_day_share": {"range": {"min": 0.4, "max": 0.9}},
    }
    search = write_search(tmp_path, levers=levers, candidates={"generate": 10}, budget={})
    result = plan(search, "--out", tmp_path / "out", "--workers", 2)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "plans.csv")
    current = table[table["status"] == "current"].iloc[0]
    assert current["team.collectors"] == 4
    one_collector = table.loc[table["team.collectors"] == 1, "staff_hours"].min()
    assert current["staff_hours"] >= 3.9 * one_collector  # four collectors' hours in every replication
