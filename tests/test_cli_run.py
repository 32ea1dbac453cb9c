"""``feesim run``: the JSON contract, the files it writes, bad input, atomic writes."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import output
from sim.cli import app
from sim.scenario import load_scenario, parse_overrides
from sim.views.folder import VIEW_FILES
from tests.commands import no_json_constants, run_feesim, small_community
from tests.paths import SCENARIOS

BASELINE = SCENARIOS / "baseline.yaml"
HORIZON, REPS, SEED = 30, 3, 7
SMALL = small_community(HORIZON)
CONTRACT = {
    "scenario",
    "reps",
    "seed",
    "days",
    "paid_share",
    "money_share",
    "final_paid_share",
    "days_to",
    "events",
    "wall_seconds",
}
EXTRAS = {
    "output",
    "final_money_share",
    "calls",
    "reached",
    "staff_hours",
    "busy_hours",
    "duty_hours",
    "morale_mean",
    "collector_time",
    "final_paid_share_by_segment",
    "contacts",
    "promises",
    "tickets",
    "hostile",
    "complaints",
    "ladder",
    "service",
}
FILES = {"daily.csv", "daily.parquet", "summary.json", "scenario.yaml", "paid_share.png", *VIEW_FILES}


@pytest.fixture(scope="module")
def json_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One real ``python -m sim run --json`` of a small baseline; return it and its working folder."""
    cwd = tmp_path_factory.mktemp("json_run")
    args = ["run", str(BASELINE), *SMALL, "--reps", str(REPS), "--seed", str(SEED), "--out", "out", "--json"]
    return run_feesim(cwd, *args), cwd


@pytest.fixture(scope="module")
def summary(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> dict[str, Any]:
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


def test_json_keys(summary: dict[str, Any]) -> None:
    assert set(summary) >= CONTRACT
    assert set(summary) == CONTRACT | EXTRAS
    assert set(summary["paid_share"]) >= {"mean", "p05", "p95"}
    assert "mean" in summary["money_share"]
    assert set(summary["final_paid_share"]) == {"mean", "ci_low", "ci_high"}
    assert set(summary["days_to"]) == {"50", "80", "90"}
    for entry in summary["days_to"].values():
        assert set(entry) == {"mean", "reached"}
    assert set(summary["final_paid_share_by_segment"]) == {"ordinary", "undecided", "hard"}
    for entry in summary["final_paid_share_by_segment"].values():
        assert set(entry) == {"mean", "ci_low", "ci_high"}
    assert set(summary["morale_mean"]) == {"mean", "ci_low", "ci_high"}
    assert isinstance(summary["contacts"]["right_party_rate"], float)


def test_json_values(summary: dict[str, Any]) -> None:
    assert (summary["scenario"], summary["reps"], summary["seed"]) == ("baseline", REPS, SEED)
    assert summary["days"] == list(range(HORIZON + 1))
    paid, money = summary["paid_share"], summary["money_share"]
    for series in [paid["mean"], paid["p05"], paid["p95"], money["mean"], money["p05"], money["p95"]]:
        assert len(series) == HORIZON + 1
        assert all(0 <= v <= 1 for v in series)
    assert paid["mean"][0] == 0
    assert np.all(np.diff(paid["mean"]) >= 0)
    low, mean, high = np.array(paid["p05"]), np.array(paid["mean"]), np.array(paid["p95"])
    assert np.all(low <= mean + 1e-12) and np.all(mean <= high + 1e-12)
    final = summary["final_paid_share"]
    assert final["ci_low"] <= final["mean"] <= final["ci_high"]
    assert final["mean"] == pytest.approx(paid["mean"][-1])
    for entry in summary["days_to"].values():
        assert 0 <= entry["reached"] <= REPS
        assert (entry["mean"] is None) == (entry["reached"] == 0)
    assert isinstance(summary["events"], int) and summary["events"] > 0
    assert summary["wall_seconds"] >= 0
    assert summary["output"] == "out"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def test_json_activity_figures(summary: dict[str, Any]) -> None:
    """Contacts, promises, tickets, hostile encounters, the crew's utilisation: means per run, strict JSON."""
    contacts = dict(summary["contacts"])
    assert isinstance(contacts, dict) and "call" in contacts
    rate = contacts.pop("right_party_rate")  # reached fee calls per fee call attempt
    assert 0 < rate < 1 and rate == pytest.approx(
        summary["reached"]["mean"] / summary["calls"]["mean"], rel=0.2
    )
    for by_outcome in contacts.values():
        assert isinstance(by_outcome, dict) and by_outcome
        assert all(isinstance(o, str) and _is_number(n) for o, n in by_outcome.items())
    calls = contacts["call"]
    assert sum(calls.values()) == pytest.approx(summary["calls"]["mean"])
    missed = calls.get("no_answer", 0) + calls.get("invalid_number", 0)
    assert sum(calls.values()) - missed == pytest.approx(summary["reached"]["mean"])
    promises = summary["promises"]
    assert set(promises) == {"made", "kept", "broken"}
    assert all(_is_number(v) for v in promises.values())
    assert promises["kept"] + promises["broken"] <= promises["made"] + 1e-9
    tickets = summary["tickets"]
    counts = ("opened", "fixed", "escalated", "withdrawn", "maintenance_opened")
    assert set(tickets) == {*counts, "mean_wait_hours", "maintenance_mean_wait_hours"}
    assert all(_is_number(tickets[k]) for k in counts)
    assert tickets["mean_wait_hours"] is None or _is_number(tickets["mean_wait_hours"])
    assert tickets["maintenance_opened"] > 0  # 6 a day by default
    assert _is_number(tickets["maintenance_mean_wait_hours"])
    assert _is_number(summary["hostile"])
    assert set(summary["service"]) == {"utilisation"}
    assert 0 < summary["service"]["utilisation"] <= 1
    assert set(summary["staff_hours"]) == {"mean", "ci_low", "ci_high"}


def test_json_collector_time(summary: dict[str, Any]) -> None:
    """Fee work and other duties as shares of the collectors' shift hours (what a manager reads)."""
    time = summary["collector_time"]
    assert set(time) == {"shift_hours", "fee_work_share", "other_duties_share"}
    assert 0 < time["shift_hours"] <= summary["staff_hours"]["mean"] + 1e-9
    for share, hours in (("fee_work_share", "busy_hours"), ("other_duties_share", "duty_hours")):
        assert set(time[share]) == {"mean", "ci_low", "ci_high"}
        assert 0 < time[share]["mean"] < 1
        assert time[share]["mean"] * time["shift_hours"] == pytest.approx(summary[hours]["mean"])
    assert time["fee_work_share"]["mean"] + time["other_duties_share"]["mean"] <= 1


# -- the files ----------------------------------------------------------------------------------------


def test_all_files_written_and_no_temporaries(
    json_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _result, cwd = json_run
    assert {p.name for p in (cwd / "out").iterdir()} == FILES
    mode = (cwd / "out" / "summary.json").stat().st_mode
    assert mode & 0o044, "results should be readable like any new file (not 0600 from tempfile)"


def test_daily_tables(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    folder = json_run[1] / "out"
    csv, parquet = pd.read_csv(folder / "daily.csv"), pd.read_parquet(folder / "daily.parquet")
    assert len(csv) == REPS * (HORIZON + 1)
    assert list(csv.columns[:4]) == ["rep", "day", "paid_share", "money_share"]
    assert sorted(csv["rep"].unique()) == list(range(REPS))
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)


def test_summary_file_equals_printed_json(
    json_run: tuple[subprocess.CompletedProcess[str], Path], summary: dict[str, Any]
) -> None:
    text = (json_run[1] / "out" / "summary.json").read_text(encoding="utf-8")
    assert json.loads(text, parse_constant=no_json_constants) == summary


def test_scenario_file_loads_back(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    resolved = load_scenario(json_run[1] / "out" / "scenario.yaml")
    assert resolved == load_scenario(BASELINE, parse_overrides(SMALL[1::2]))


def test_plot_is_a_real_picture(json_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    from matplotlib.image import imread

    pixels = imread(json_run[1] / "out" / "paid_share.png")
    height, width = pixels.shape[:2]
    assert 400 <= height <= 3000 and 600 <= width <= 4000
    assert pixels[..., :3].var() > 0.001


def test_same_seed_same_json(
    json_run: tuple[subprocess.CompletedProcess[str], Path], summary: dict[str, Any]
) -> None:
    """A second process over the first one's folder: same numbers, files replaced cleanly."""
    _result, cwd = json_run
    args = ["run", str(BASELINE), *SMALL, "--reps", str(REPS), "--seed", str(SEED), "--out", "out", "--json"]
    rerun = run_feesim(cwd, *args)
    assert rerun.returncode == 0, rerun.stderr
    second = json.loads(rerun.stdout, parse_constant=no_json_constants)
    assert {k: v for k, v in second.items() if k != "wall_seconds"} == {
        k: v for k, v in summary.items() if k != "wall_seconds"
    }
    assert {p.name for p in (cwd / "out").iterdir()} == FILES


def test_worker_processes_give_the_same_files(
    json_run: tuple[subprocess.CompletedProcess[str], Path], summary: dict[str, Any]
) -> None:
    """``--workers 2`` runs the replications on two processes: every file byte for byte, the same JSON."""
    _result, cwd = json_run
    args = ["run", str(BASELINE), *SMALL, "--reps", str(REPS), "--seed", str(SEED), "--out", "pool", "--json"]
    pooled = run_feesim(cwd, *args, "--workers", "2")
    assert pooled.returncode == 0, pooled.stderr
    second = json.loads(pooled.stdout, parse_constant=no_json_constants)
    differs = {"wall_seconds", "output"}
    assert {k: v for k, v in second.items() if k not in differs} == {
        k: v for k, v in summary.items() if k not in differs
    }
    for name in FILES - {"summary.json", "command.json"}:  # these two name their output folder
        assert (cwd / "pool" / name).read_bytes() == (cwd / "out" / name).read_bytes(), name


# -- the readable summary -----------------------------------------------------------------------------


def test_human_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run", str(BASELINE), *SMALL, "--reps", "2"])
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    fragments = ["baseline", "final paid share", "95% CI", "days to 50%", "/2)", "calls", "staff hours"]
    for fragment in [*fragments, "promises made / kept / broken", "tickets opened / fixed", "hostile"]:
        assert fragment in text, f"{fragment!r} not in:\n{result.stdout}"
    folder = "results/baseline-community.households=200-community.buildings=4-horizon_days=30"
    assert folder in re.sub(r"[\s│]", "", result.stdout)  # the scenario's name and the --set overrides
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert {p.name for p in (tmp_path / folder).iterdir()} == FILES


# -- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["--reps", "0"], ["--reps", "greater than or equal to 1"]),
        (["--seed", "-1"], ["--seed", "greater than or equal to 0"]),
        (["--set", "horizon_days=abc"], ["horizon_days", "found 'abc'"]),
        (["--set", "horizon_days"], ["--set horizon_days", "key.path=value"]),
        (["--workers", "0"], ["--workers", "greater than or equal to 1"]),
    ],
    ids=["reps 0", "negative seed", "bad set value", "set without =", "workers 0"],
)
def test_bad_input(
    extra: list[str], fragments: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run", str(BASELINE), *SMALL, *extra])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("below", ["", "sub"], ids=["file", "below a file"])
def test_out_is_not_a_folder(below: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("taken").write_text("keep me\n", encoding="utf-8")
    out = os.path.join("taken", below) if below else "taken"
    result = CliRunner().invoke(app, ["run", str(BASELINE), *SMALL, "--reps", "1", "--out", out])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert out.rstrip("/") in result.stderr
    assert Path("taken").read_text(encoding="utf-8") == "keep me\n"


def test_bad_out_in_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    result = run_feesim(tmp_path, "run", str(BASELINE), *SMALL, "--reps", "0", "--out", "taken")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_dead_worker_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker process that dies (the pool breaks): one paragraph on stderr, exit 1, no results written."""
    import concurrent.futures as cf
    from concurrent.futures.process import BrokenProcessPool

    from sim import workers

    class DyingPool(workers.Backend):
        def submit(self, spec: object) -> cf.Future[Any]:
            future: cf.Future[Any] = cf.Future()
            future.set_exception(BrokenProcessPool("a process in the pool was terminated abruptly"))
            return future

    monkeypatch.setattr(workers, "PoolBackend", lambda count, task: DyingPool())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run", str(BASELINE), *SMALL, "--reps", "2", "--workers", "2"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert "A worker process died" in result.stderr and "--workers 2" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert list(tmp_path.iterdir()) == []


# -- atomic writes ------------------------------------------------------------------------------------


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"day": [0, 1, 2], "paid_share": [0.0, 0.25, 0.5]})


def _half_written(self: object, handle: Any, *args: object, **kwargs: object) -> None:
    handle.write(b"PAR1 half a file")
    raise RuntimeError("disk on fire")


def test_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "daily.parquet"
    output.write_parquet_atomic(target, _frame())
    before = target.read_bytes()
    monkeypatch.setattr(pd.DataFrame, "to_parquet", _half_written)
    with pytest.raises(RuntimeError, match="disk on fire"):
        output.write_parquet_atomic(target, _frame().assign(paid_share=1.0))
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["daily.parquet"]
    monkeypatch.undo()
    pd.testing.assert_frame_equal(pd.read_parquet(target), _frame())


def test_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    def interrupted(handle: Any) -> None:
        handle.write(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        output.write_atomic(tmp_path / "new.txt", interrupted)
    assert list(tmp_path.iterdir()) == []


def test_failed_plot_keeps_previous_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while saving the plot: the old PNG stays, no temporary file is left."""
    monkeypatch.chdir(tmp_path)
    args = ["run", str(BASELINE), *SMALL, "--reps", "1", "--out", "out"]
    assert CliRunner().invoke(app, args).exit_code == 0
    old_png = (tmp_path / "out" / "paid_share.png").read_bytes()
    from matplotlib.figure import Figure

    monkeypatch.setattr(Figure, "savefig", _half_written)
    result = CliRunner().invoke(app, [*args, "--seed", "1"])
    assert isinstance(result.exception, RuntimeError)
    assert (tmp_path / "out" / "paid_share.png").read_bytes() == old_png
    assert {p.name for p in (tmp_path / "out").iterdir()} == FILES


def test_text_and_bytes_writers(tmp_path: Path) -> None:
    output.write_text_atomic(tmp_path / "a.txt", "héllo\n")
    output.write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    output.write_csv_atomic(tmp_path / "c.csv", _frame())
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "c.csv"), _frame())


# -- helpers ------------------------------------------------------------------------------------------


def test_strict_json() -> None:
    value = {"a": float("nan"), "b": np.float64(0.5), "c": [np.inf, np.int64(3)], "d": None}
    assert output.strict_json(value) == {"a": None, "b": 0.5, "c": [None, 3], "d": None}
    assert "NaN" not in output.to_json_text(value)


@pytest.mark.parametrize(
    ("name", "folder"),
    [("baseline", "baseline"), ("a/b c", "a_b_c"), ("../up", "_up"), ("", "scenario")],
)
def test_default_folder(name: str, folder: str) -> None:
    assert output.default_folder(name) == Path("results") / folder
