"""Worlds runs (`sim.worlds.run`): common random numbers, executors, streaming and resume."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from sim.api import replicate
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.schema import Scenario
from sim.worlds.run import (
    WorldsIdentity,
    WorldsInterrupted,
    across_worlds,
    run_worlds,
    worlds_csv,
    write_world_tables,
)
from tests.paths import SCENARIOS

SMALL = {"community.households": 200, "community.buildings": 4, "horizon_days": 40}
KEYS = ("social.leader_weight", "owners.phone_share")


def _variants() -> dict[str, Scenario]:
    return {
        "baseline": load_scenario("scenarios/baseline.yaml", SMALL),
        "playbook": load_scenario("scenarios/playbook.yaml", SMALL),
    }


def _default(key: str) -> float:
    """Return the schema default of a key path."""
    node: object = Scenario()
    for part in key.split("."):
        node = getattr(node, part)
    return float(node)  # type: ignore[arg-type]


def _worlds(rows: list[tuple[float, float]]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=list(KEYS))
    table.index = pd.RangeIndex(len(rows), name="world")
    return table


WORLDS = [(15.0, 0.9), (4.0, 0.5), (30.0, 0.99)]


def test_a_world_at_the_defaults_gives_the_plain_replications(tmp_path: Path) -> None:
    """One world pinning the assumptions at their defaults: the same runs as without worlds, bit for bit."""
    variants = _variants()
    pinned = _worlds([tuple(_default(key) for key in KEYS)])  # type: ignore[list-item]
    done = run_worlds(variants, pinned, 3, 7, tmp_path / "stream")
    for name, scenario in variants.items():
        plain = replicate(scenario, 3, seed=7)
        assert [r.kpis for r in done.results[name]] == [r.kpis for r in plain]
        for ours, theirs in zip(done.results[name], plain, strict=True):
            pd.testing.assert_frame_equal(ours.daily, theirs.daily)
        shares = done.runs.loc[done.runs["variant"] == name, "final_paid_share"].tolist()
        assert shares == [float(r.daily["paid_share"].iloc[-1]) for r in plain]


def test_worlds_change_the_runs_on_the_same_seeds(tmp_path: Path) -> None:
    """Every world runs every variant on the same seeds; the worlds' values reach the scenario."""
    done = run_worlds(_variants(), _worlds(WORLDS), 2, 0, tmp_path / "stream")
    runs = done.runs
    assert len(runs) == 3 * 2 * 2
    assert runs.groupby(["world", "variant"])["seed"].apply(list).map(tuple).nunique() == 1
    assert runs.groupby("world")["calls"].sum().nunique() == 3
    spread = across_worlds(runs)
    assert set(spread) == {"baseline", "playbook"}
    share = spread["playbook"]["final_paid_share"]
    assert share["p05"] <= share["median"] <= share["p95"] and share["worlds"] == 3


def test_the_same_runs_whatever_the_executor(tmp_path: Path) -> None:
    """In this process or on two worker processes: the same table, bit for bit."""
    inline = run_worlds(_variants(), _worlds(WORLDS), 2, 3, tmp_path / "one", workers=1)
    pooled = run_worlds(_variants(), _worlds(WORLDS), 2, 3, tmp_path / "two", workers=2)
    pd.testing.assert_frame_equal(inline.runs, pooled.runs, check_exact=True)


def test_a_dask_cluster_gives_the_same_runs(tmp_path: Path) -> None:
    """On a local Dask cluster of two worker processes: the same table as in this process, bit for bit."""
    from distributed import LocalCluster

    inline = run_worlds(_variants(), _worlds(WORLDS), 2, 3, tmp_path / "one", workers=1)
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        dask = run_worlds(
            _variants(), _worlds(WORLDS), 2, 3, tmp_path / "dask", scheduler=cluster.scheduler_address
        )
    pd.testing.assert_frame_equal(inline.runs, dask.runs, check_exact=True)
    for name in inline.results:
        assert [r.kpis for r in inline.results[name]] == [r.kpis for r in dask.results[name]]


def test_an_interrupted_run_resumes_to_the_same_results(tmp_path: Path) -> None:
    """Ctrl-C after some runs keeps the committed ones; --resume runs only the rest; same results."""
    stream = tmp_path / "stream"

    def stop_after_five(done: int, _total: int) -> None:
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(WorldsInterrupted) as caught:
        run_worlds(_variants(), _worlds(WORLDS), 2, 0, stream, part_runs=2, progress=stop_after_five)
    assert 0 < caught.value.done < 12
    with pytest.raises(ScenarioError, match="add --resume"):
        run_worlds(_variants(), _worlds(WORLDS), 2, 0, stream)
    with pytest.raises(ScenarioError, match="different worlds run"):
        run_worlds(_variants(), _worlds(WORLDS), 2, 1, stream, resume=True)
    resumed = run_worlds(_variants(), _worlds(WORLDS), 2, 0, stream, resume=True)
    assert resumed.ran == 12 - caught.value.done
    whole = run_worlds(_variants(), _worlds(WORLDS), 2, 0, tmp_path / "whole")
    pd.testing.assert_frame_equal(resumed.runs, whole.runs, check_exact=True)


def test_a_world_a_scenario_refuses_names_the_world(tmp_path: Path) -> None:
    """A world's value that makes an invalid scenario: a ScenarioError naming the source and the world."""
    with pytest.raises(ScenarioError, match=r"world 1 makes an invalid scenario of variant 'baseline'"):
        run_worlds(_variants(), _worlds([(15.0, 0.9), (15.0, -3.0)]), 1, 0, tmp_path / "s", source="w.csv")
    assert not (tmp_path / "s").exists()


def test_a_folder_holds_this_run_only_with_the_same_worlds(tmp_path: Path) -> None:
    """The identity of a run in worlds includes its worlds: other worlds are another run's results."""
    folder = tmp_path / "out"
    folder.mkdir()
    done = run_worlds(_variants(), _worlds(WORLDS), 1, 0, tmp_path / "stream")
    write_world_tables(folder, _worlds(WORLDS), done.runs)
    (folder / "summary.json").write_text('{"seed": 0, "reps": 3}', encoding="utf-8")
    (folder / "scenario.yaml").write_text("name: x\n", encoding="utf-8")
    head = ("summary.json", "scenario.yaml", "name: x\n", 0, 3)
    same = WorldsIdentity(*head, worlds_csv(_worlds(WORLDS)))
    other = WorldsIdentity(*head, worlds_csv(_worlds(WORLDS[:2])))
    assert same.holds_me(folder) and not other.holds_me(folder)
    assert pd.read_parquet(folder / "world_runs.parquet").equals(done.runs)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--worlds", "2", "--precision", "0.01"], "--precision does not go with --worlds"),
        (["--resume"], "give it with the same --worlds N"),
    ],
)
def test_options_that_do_not_go_with_worlds_exit_2(
    options: list[str], words: str, feesim: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    """Options that do not go with --worlds: one line on stderr, exit 2, nothing run."""
    done = feesim("run", str(SCENARIOS / "baseline.yaml"), *options)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
