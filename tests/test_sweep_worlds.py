"""Sweeps in worlds (``worlds:`` in an experiment, ``sweep --worlds``): every point in the same worlds."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.api import simulate
from sim.cli import app
from sim.experiments import load_experiment, run_sweep
from sim.experiments.load import Adjustments
from sim.rng import replication_seed
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario
from tests.paths import SCENARIOS

BASELINE = SCENARIOS / "baseline.yaml"
SIZE = {"community.households": 150, "community.buildings": 3, "horizon_days": 30}
TINY = f"""\
name: tiny_worlds
base: {BASELINE}
overrides: {{community.households: 150, community.buildings: 3, horizon_days: 30}}
levers:
  team.collectors: {{values: [2, 4]}}
replications: 2
outcomes: [final_paid_share, staff_hours, calls]
seed: 5
"""
KEYS = ("social.leader_weight", "owners.phone_share")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _default(key: str) -> float:
    node: object = Scenario()
    for part in key.split("."):
        node = getattr(node, part)
    return float(node)  # type: ignore[arg-type]


def _table(path: Path, rows: list[tuple[float, float]]) -> Path:
    pd.DataFrame(rows, columns=list(KEYS)).to_csv(path, index=False)
    return path


def _results(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "results.parquet")


def test_one_world_at_the_defaults_gives_the_plain_sweep(tmp_path: Path) -> None:
    """A table pinning the assumptions at their defaults: the plain sweep's values, bit for bit."""
    experiment = _write(tmp_path, "tiny.yaml", TINY)
    pinned = _table(tmp_path / "pinned.csv", [tuple(_default(k) for k in KEYS)])  # type: ignore[list-item]
    run_sweep(load_experiment(experiment), tmp_path / "plain", workers=1)
    run_sweep(load_experiment(experiment, Adjustments(priors=pinned)), tmp_path / "worlds", workers=1)
    plain, worlds = _results(tmp_path / "plain"), _results(tmp_path / "worlds")
    assert (worlds["world"] == 0).all()
    pd.testing.assert_frame_equal(plain, worlds.drop(columns="world"), check_exact=True)


def test_run_k_of_every_point_is_in_world_k_over_reps_on_seed_k_mod_reps(tmp_path: Path) -> None:
    """Each run equals the point's scenario in its world simulated on its replication's seed."""
    experiment = _write(tmp_path, "tiny.yaml", TINY)
    rows = [(4.0, 0.5), (30.0, 0.99), (15.0, 0.9)]
    table = _table(tmp_path / "worlds.csv", rows)
    run_sweep(load_experiment(experiment, Adjustments(priors=table)), tmp_path / "out", workers=2)
    results = _results(tmp_path / "out")
    shares = results[results["outcome"] == "final_paid_share"]
    assert sorted(shares["replication"].unique()) == list(range(6))
    assert (shares["world"] == shares["replication"] // 2).all()
    for _, run in shares[shares["point"] == 1].iterrows():
        world = dict(zip(KEYS, rows[int(run["world"])], strict=True))
        scenario = load_scenario(BASELINE, {**SIZE, "team.collectors": 4, **world})
        expected = simulate(scenario, replication_seed(5, int(run["replication"]) % 2)).kpis
        assert run["value"] == expected["final_paid_share"]
        assert run["seed"] == f"5:{int(run['replication']) % 2}"
    worlds = pd.read_csv(tmp_path / "out" / "worlds.csv")
    assert worlds[list(KEYS)].values.tolist() == [list(row) for row in rows]


def test_keys_the_experiment_sets_are_not_varied(tmp_path: Path) -> None:
    """A lever (or override) on a key the priors vary: the experiment's values stand in every world."""
    text = TINY.replace("team.collectors: {values: [2, 4]}", "social.leader_weight: {values: [2.0, 20.0]}")
    experiment = _write(tmp_path, "lever.yaml", text + "worlds: 3\n")
    resolved = load_experiment(experiment)
    assert resolved.worlds is not None and len(resolved.worlds) == 3
    assert "social.leader_weight" not in resolved.worlds.columns
    assert "owners.phone_share" in resolved.worlds.columns
    assert "community.households" not in resolved.worlds.columns


def test_the_same_worlds_from_the_same_seed_and_others_from_another(tmp_path: Path) -> None:
    """Worlds are sampled from the experiment's seed: the same seed, the same worlds."""
    one = load_experiment(_write(tmp_path, "a.yaml", TINY + "worlds: 4\n"))
    two = load_experiment(_write(tmp_path, "b.yaml", TINY + "worlds: 4\n"))
    other = load_experiment(_write(tmp_path, "c.yaml", TINY.replace("seed: 5", "seed: 6") + "worlds: 4\n"))
    assert one.worlds is not None and two.worlds is not None and other.worlds is not None
    pd.testing.assert_frame_equal(one.worlds, two.worlds)
    assert not one.worlds.equals(other.worlds)


@pytest.mark.parametrize(
    ("extra", "args", "words"),
    [
        ("worlds: 2\nprecision: {outcome: final_paid_share, half_width: 0.01}\n", [], "precision"),
        ("", ["--worlds", "2", "--precision", "0.01"], "--precision does not go with worlds"),
        ("priors: no_such.yaml\nworlds: 2\n", [], "no_such.yaml"),
        ("priors: few.csv\nworlds: 5\n", [], "worlds: 5 asks for more"),
        ("worlds: 0\n", [], "worlds"),
    ],
)
def test_bad_worlds_in_a_sweep_exit_2_naming_the_problem(
    tmp_path: Path, extra: str, args: list[str], words: str
) -> None:
    """Bad worlds input: exit 2, one paragraph naming the file or option, nothing written."""
    _table(tmp_path / "few.csv", [(4.0, 0.5), (30.0, 0.99)])
    experiment = _write(tmp_path, "bad.yaml", TINY.replace("replications: 2\n", "") + extra)
    out = tmp_path / "out"
    done = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(out), *args])
    assert done.exit_code == 2, done.output
    assert words in " ".join(done.output.split())
    assert "Traceback" not in done.output
    assert not (out / "results.parquet").exists()
