"""`feesim sweep` shrinks from the command line (--set, --reps, --samples) and finds a copied file's base."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import click
import pandas as pd
import pytest
import typer
import yaml
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import load_experiment, make_design
from sim.experiments.command import with_precision
from sim.experiments.load import PROJECT_SCENARIOS, Adjustments
from sim.scenario import ScenarioError, parse_overrides
from tests.paths import ROOT, SCENARIOS

TINY_SETS = ["--set", "community.households=90", "--set", "community.buildings=3", "--set", "horizon_days=20"]
SOBOL = f"""\
name: sobol_tiny
base: {SCENARIOS / "baseline.yaml"}
overrides: {{community.households: 90, community.buildings: 3, horizon_days: 20}}
uncertainties:
  owners.schedules.five_day_share: {{range: {{min: 0.4, max: 0.9}}}}
design: {{type: sobol, n: 8, seed: 1}}
replications: 2
outcomes: [final_paid_share]
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _sweep(*args: str) -> click.testing.Result:
    return CliRunner().invoke(app, ["sweep", *args, "--workers", "1"])


# -- --set and --reps ----------------------------------------------------------------------------------


def test_a_copied_experiment_shrinks_with_set_and_reps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped team_size.yaml, copied elsewhere: its base is found, --set and --reps shrink it."""
    copy = tmp_path / "team_size.yaml"
    shutil.copy(ROOT / "experiments" / "team_size.yaml", copy)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    result = _sweep(str(copy), *TINY_SETS, "--reps", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    runs = pd.read_parquet(out / "results.parquet")
    assert set(runs["replication"]) == {0}
    assert set(runs["team.collectors"]) == {1, 2, 3, 4, 6, 8}
    assert pd.read_parquet(out / "daily.parquet")["day"].max() == 20
    scenario = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert (scenario["community"]["households"], scenario["horizon_days"]) == (90, 20)
    experiment = yaml.safe_load((out / "experiment.yaml").read_text(encoding="utf-8"))
    assert experiment["overrides"] == {
        "horizon_days": 20,
        "community.households": 90,
        "community.buildings": 3,
    }
    assert experiment["replications"] == 1
    assert Path(experiment["base"]) == (PROJECT_SCENARIOS / "baseline.yaml").resolve()


def test_set_applies_after_the_experiments_overrides() -> None:
    settings = parse_overrides(["horizon_days=30", "team.shift.start=9.5"])
    resolved = load_experiment(ROOT / "experiments" / "team_size.yaml", Adjustments(settings))
    assert resolved.scenario["horizon_days"] == 30  # the experiment says 120
    assert resolved.scenario["team"]["shift"]["start"] == 9.5
    assert resolved.experiment.overrides == {"horizon_days": 30, "team.shift.start": 9.5}


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("team.colectors=3", "team.colectors: unknown key (did you mean 'collectors'?)"),
        ("horizon_days=-3", "horizon_days: expected a value greater than or equal to 1"),
        ("team.collectors=3", "--set team.collectors=3: clashes with levers.team.collectors"),
        ("team=3", "--set team=3: clashes with levers.team.collectors, which sets team.collectors"),
        ("horizon_days", "--set horizon_days: bad override"),
    ],
)
def test_a_bad_set_exits_2_naming_the_option(setting: str, expected: str, tmp_path: Path) -> None:
    experiment = ROOT / "experiments" / "team_size.yaml"
    result = _sweep(str(experiment), "--set", setting, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_reps_replaces_a_precision_target_and_is_the_batch_with_precision(tmp_path: Path) -> None:
    text = SOBOL.replace("replications: 2", "precision: {outcome: final_paid_share, half_width: 0.01}")
    path = _write(tmp_path / "precise.yaml", text)
    fixed = load_experiment(path, Adjustments(replications=3)).experiment
    assert (fixed.replications, fixed.precision, fixed.max_replications) == (3, None, 3)
    batched = with_precision(load_experiment(path), 0.02, None, 4).experiment
    assert batched.precision is not None
    assert (batched.precision.batch, batched.precision.half_width) == (4, 0.02)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_a_bad_precision_exits_2_without_a_traceback(value: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "tiny.yaml", SOBOL)
    result = _sweep(str(path), "--precision", value, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "--precision is a 95% CI half-width" in result.stderr


# -- --samples -----------------------------------------------------------------------------------------


def test_samples_cuts_a_sobol_design(tmp_path: Path) -> None:
    path = _write(tmp_path / "sobol.yaml", SOBOL)
    assert len(make_design(load_experiment(path).experiment)) == 8 * (1 + 2)
    out = tmp_path / "out"
    result = _sweep(str(path), "--samples", "2", "--reps", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out / "points.parquet")) == 2 * (1 + 2)
    assert yaml.safe_load((out / "experiment.yaml").read_text())["design"]["n"] == 2


@pytest.mark.parametrize(
    ("design", "key", "points"),
    [
        ("{type: lhs, points: 9}", "points", 4),
        ("{type: morris, n: 5}", "n", 4 * 2),
        ("{type: grid, points: 6}", "points", 4),
    ],
)
def test_samples_sets_the_sample_count_of_each_design(
    design: str, key: str, points: int, tmp_path: Path
) -> None:
    path = _write(tmp_path / "design.yaml", SOBOL.replace("{type: sobol, n: 8, seed: 1}", design))
    experiment = load_experiment(path, Adjustments(samples=4)).experiment
    assert getattr(experiment.design, key) == 4
    assert len(make_design(experiment)) == points


def test_samples_must_fit_the_design(tmp_path: Path) -> None:
    path = _write(tmp_path / "sobol.yaml", SOBOL)
    result = _sweep(str(path), "--samples", "6", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "--samples 6: a sobol design needs a power of 2" in result.stderr and "try 4 or 8" in result.stderr
    grid = _sweep(
        str(ROOT / "experiments" / "team_size.yaml"), "--samples", "3", "--out", str(tmp_path / "o")
    )
    assert grid.exit_code == 2
    assert "samples nothing" in grid.stderr and "--reps" in grid.stderr


# -- the base scenario of a copied file ------------------------------------------------------------------


def test_the_base_is_looked_up_next_to_the_file_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    local = _write(
        tmp_path / "scenarios" / "baseline.yaml", f"extends: {SCENARIOS / 'baseline.yaml'}\nname: local\n"
    )
    experiment = _write(
        tmp_path / "experiments" / "team.yaml", (ROOT / "experiments" / "team_size.yaml").read_text()
    )
    resolved = load_experiment(experiment)
    assert resolved.base_path.resolve() == local.resolve()
    assert resolved.scenario["name"] == "local"
    elsewhere = _write(tmp_path / "elsewhere" / "deeper" / "team.yaml", experiment.read_text())
    assert (
        load_experiment(elsewhere).base_path.resolve() == local.resolve()
    )  # the current folder's scenarios/
    monkeypatch.chdir(tmp_path / "elsewhere")
    found = load_experiment(elsewhere).base_path  # then the project's scenarios/
    assert found.resolve() == (PROJECT_SCENARIOS / "baseline.yaml").resolve()


def test_a_missing_base_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "experiments" / "team_size.yaml").read_text().replace("baseline.yaml", "nowhere.yaml")
    experiment = _write(tmp_path / "copy.yaml", text)
    result = _sweep(str(experiment), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith(f"{experiment}: invalid experiment")
    assert "base: names a scenario file that does not exist: ../scenarios/nowhere.yaml" in message
    for place in (tmp_path / ".." / "scenarios" / "nowhere.yaml", Path("scenarios/nowhere.yaml"),
                  PROJECT_SCENARIOS / "nowhere.yaml"):  # fmt: skip
        assert str(place) in message
    assert message.count("\n") == 1 and "Traceback" not in result.output
    with pytest.raises(ScenarioError):
        load_experiment(experiment)


# -- --help ----------------------------------------------------------------------------------------------


def _help_texts(command: click.Command) -> str:
    return " ".join([command.help or "", *(getattr(p, "help", None) or "" for p in command.params)])


@pytest.mark.parametrize("name", ["sweep", "run", "compare", "analyze"])
def test_help_mentions_only_options_the_command_has(name: str) -> None:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    own = {opt for param in command.params for opt in param.opts}
    mentioned = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", _help_texts(command)))
    assert mentioned <= own, f"feesim {name} --help mentions {sorted(mentioned - own)}"
    if name == "sweep":
        assert {"--set", "--reps", "--samples"} <= own
