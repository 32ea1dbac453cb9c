"""``feesim sweep``: experiment files, designs, equal tables on every executor, resume, failures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import load_experiment, make_design, run_sweep
from sim.experiments.executors import InlineBackend, PoolBackend, local_backend, outputs_in_order
from sim.scenario import load_scenario
from tests.paths import SCENARIOS

BASELINE = SCENARIOS / "baseline.yaml"
TINY = f"""\
name: tiny
base: {BASELINE}
overrides: {{community.households: 150, community.buildings: 3, horizon_days: 30}}
levers:
  team.collectors: {{values: [2, 4]}}
replications: 2
outcomes: [final_paid_share, days_to_50, staff_hours, calls, hostile, paid_share_day_10]
seed: 3
"""
SIX_POINTS = TINY.replace("values: [2, 4]", "values: [2, 3, 4, 5, 6, 8]").replace(
    "replications: 2", "replications: 5"
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_parquet(out / "results.parquet"), pd.read_parquet(out / "daily.parquet")


def _assert_same_tables(a: Path, b: Path) -> None:
    for left, right in zip(_tables(a), _tables(b), strict=True):
        pd.testing.assert_frame_equal(left, right)


def _sweep(experiment: Path, out: Path, **options: Any) -> Any:
    return run_sweep(load_experiment(experiment), out, **options)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sweep")


@pytest.fixture(scope="module")
def tiny(folder: Path) -> Path:
    return _write(folder, "tiny.yaml", TINY)


@pytest.fixture(scope="module")
def reference(tiny: Path, folder: Path) -> Path:
    """The tiny sweep run in this process: the tables every other way of running must equal."""
    report = _sweep(tiny, folder / "inline", workers=1)
    assert (report.done, report.total, report.failures) == (4, 4, ())
    return folder / "inline"


@pytest.fixture(scope="module")
def six_points(folder: Path) -> tuple[Path, Path]:
    """A 30-run sweep and its uninterrupted tables (in this process)."""
    experiment = _write(folder, "six.yaml", SIX_POINTS)
    _sweep(experiment, folder / "six-inline", workers=1)
    return experiment, folder / "six-inline"


def _feesim(cwd: Path, *args: str, **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
        **popen,
    )


def _ctrl_c_as_in_a_terminal() -> None:
    """Let the child take Ctrl-C even when the tests run as a background job (which ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_parts(out: Path, count: int, process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / "ledger").glob("part-*.json"))) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep wrote no part files in time"
        time.sleep(0.01)


# -- the tables ---------------------------------------------------------------------------------------


def test_results_table_is_tidy_and_matches_direct_runs(reference: Path) -> None:
    results, daily = _tables(reference)
    assert list(results.columns) == [
        "experiment",
        "point",
        "team.collectors",
        "replication",
        "seed",
        "outcome",
        "value",
    ]
    assert len(results) == 2 * 2 * 6
    assert results["seed"].tolist()[:7] == ["3:0"] * 6 + ["3:1"]
    # Common random numbers: every point runs on the same replication seeds.
    seeds = results.groupby("point")["seed"].apply(lambda s: sorted(set(s)))
    assert seeds.tolist() == [["3:0", "3:1"], ["3:0", "3:1"]]
    scenario = load_scenario(
        BASELINE,
        {
            "community.households": 150,
            "community.buildings": 3,
            "horizon_days": 30,
            "team.collectors": 4,
        },
    )
    import sim

    run = sim.simulate(scenario, np.random.SeedSequence(3, spawn_key=(1,)))
    mine = results[(results["point"] == 1) & (results["replication"] == 1)].set_index("outcome")["value"]
    assert mine["final_paid_share"] == run.kpis["final_paid_share"]
    assert mine["calls"] == run.kpis["calls"]
    assert mine["paid_share_day_10"] == run.daily["paid_share"].iloc[10]
    assert list(daily.columns[:4]) == ["experiment", "point", "replication", "day"]
    assert len(daily) == 4 * 31
    points = pd.read_parquet(reference / "points.parquet")
    assert points["team.collectors"].tolist() == [2, 4]


def test_process_pool_gives_the_same_tables(tiny: Path, folder: Path, reference: Path) -> None:
    _sweep(tiny, folder / "pool", workers=2)
    _assert_same_tables(folder / "pool", reference)


def test_dask_local_cluster_gives_the_same_tables(tiny: Path, folder: Path, reference: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        report = _sweep(tiny, folder / "dask", scheduler=cluster.scheduler_address)
    assert report.backend.startswith("Dask cluster")
    _assert_same_tables(folder / "dask", reference)


# -- interruptions --------------------------------------------------------------------------------------


@pytest.mark.slow  # a subprocess interrupted or killed and restarted: seconds each
def test_sigkill_then_resume_equals_an_uninterrupted_sweep(
    six_points: tuple[Path, Path], tmp_path: Path
) -> None:
    experiment, uninterrupted = six_points
    out = tmp_path / "killed"
    args = ["sweep", str(experiment), "--workers", "2", "--out", str(out), "--part-runs", "2"]
    process = _feesim(tmp_path, *args, start_new_session=True)
    _wait_for_parts(out, 2, process)
    os.kill(process.pid, signal.SIGKILL)
    try:  # the pool's workers hold the pipes too: they must exit with the sweep, not linger
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # only this test's own process group
        pytest.fail("worker processes outlived the SIGKILLed sweep")
    assert not (out / "results.parquet").exists()
    done = len(list((out / "ledger").glob("part-*.json")))
    assert 2 <= done < 15

    again = _feesim(tmp_path, *args)
    _stdout, stderr = again.communicate(timeout=120)
    assert again.returncode == 2 and "--resume" in stderr and "Traceback" not in stderr

    resumed = _feesim(tmp_path, *args, "--resume")
    stdout, stderr = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, stderr
    assert "30 of 30 runs" in stdout
    _assert_same_tables(out, uninterrupted)


@pytest.mark.slow  # a subprocess interrupted or killed and restarted: seconds each
def test_ctrl_c_saves_finished_runs_and_says_resume(folder: Path, tmp_path: Path) -> None:
    # Enough runs (6 points x 15 replications, seconds of work) that the sweep is still running when
    # the interrupt arrives, however fast this machine is.
    experiment = _write(folder, "long.yaml", SIX_POINTS.replace("replications: 5", "replications: 15"))
    uninterrupted = folder / "long-inline"
    if not (uninterrupted / "results.parquet").exists():
        _sweep(experiment, uninterrupted, workers=1)
    out = tmp_path / "interrupted"
    args = ["sweep", str(experiment), "--workers", "1", "--out", str(out), "--part-runs", "3"]
    process = _feesim(tmp_path, *args)
    _wait_for_parts(out, 1, process)
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "--resume" in stderr and "Traceback" not in stderr
    assert json.loads((out / "sweep.json").read_text())["status"] == "interrupted"
    resumed = _feesim(tmp_path, *args, "--resume")
    _stdout, stderr = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, stderr
    _assert_same_tables(out, uninterrupted)


def test_a_dead_worker_loses_no_run(six_points: tuple[Path, Path], tmp_path: Path, monkeypatch: Any) -> None:
    experiment, uninterrupted = six_points
    pools: list[Any] = []
    original = PoolBackend._new_pool

    def new_pool(self: PoolBackend) -> Any:
        pool = original(self)
        pools.append(pool)
        return pool

    ledger = tmp_path / "dead" / "ledger"

    def kill_a_worker() -> None:
        while not ledger.is_dir() or not list(ledger.iterdir()):
            time.sleep(0.01)
        os.kill(next(iter(pools[0]._processes)), signal.SIGKILL)

    monkeypatch.setattr(PoolBackend, "_new_pool", new_pool)
    killer = threading.Thread(target=kill_a_worker, daemon=True)
    killer.start()
    report = _sweep(experiment, tmp_path / "dead", workers=2, part_runs=2)
    killer.join(timeout=5)
    assert len(pools) == 2, "the pool was restarted once"
    assert report.failures == ()
    _assert_same_tables(tmp_path / "dead", uninterrupted)


def test_resume_refuses_another_experiment(tiny: Path, reference: Path, tmp_path: Path) -> None:
    other = _write(tmp_path, "other.yaml", TINY.replace("seed: 3", "seed: 4"))
    result = CliRunner().invoke(app, ["sweep", str(other), "--out", str(reference), "--resume"])
    assert result.exit_code == 2
    assert "different experiment" in result.stderr


# -- failures -------------------------------------------------------------------------------------------


def _failing(monkeypatch: Any, fails: Callable[[Any, int], bool]) -> list[tuple[int, ...]]:
    """Make runs fail whenever `fails(seed, attempt)`; return the seeds of every attempt."""
    import sim.api

    original = sim.api.simulate
    attempts: list[tuple[int, ...]] = []

    def simulate(scenario: Any, seed: Any, log_events: bool = False) -> Any:
        key = (scenario.team.collectors, *seed.spawn_key)
        attempts.append(key)
        if fails(key, attempts.count(key)):
            raise RuntimeError(f"boom at {key}")
        return original(scenario, seed, log_events)

    monkeypatch.setattr(sim.api, "simulate", simulate)
    return attempts


def test_a_failed_run_is_retried_once(monkeypatch: Any, tiny: Path, reference: Path, tmp_path: Path) -> None:
    attempts = _failing(monkeypatch, lambda key, attempt: key == (4, 0) and attempt == 1)
    report = _sweep(tiny, tmp_path / "retried", workers=1)
    assert attempts.count((4, 0)) == 2
    assert report.failures == ()
    assert not (tmp_path / "retried" / "failures.json").exists()
    _assert_same_tables(tmp_path / "retried", reference)


def test_a_run_failing_twice_is_recorded_and_resume_retries_it(
    monkeypatch: Any, tiny: Path, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "failed"
    _failing(monkeypatch, lambda key, attempt: key == (2, 1))
    result = CliRunner().invoke(app, ["sweep", str(tiny), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "point 0" in result.stderr and "seed 3:1" in result.stderr and "--resume" in result.stderr
    [failure] = json.loads((out / "failures.json").read_text())
    assert (failure["point"], failure["replication"], failure["seed"]) == (0, 1, "3:1")
    assert "boom" in failure["error"] and "Traceback" in failure["traceback"]
    results, _daily = _tables(out)
    assert set(results.groupby(["point", "replication"]).groups) == {(0, 0), (1, 0), (1, 1)}
    monkeypatch.undo()
    resumed = CliRunner().invoke(app, ["sweep", str(tiny), "--workers", "1", "--out", str(out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert not (out / "failures.json").exists()
    _assert_same_tables(out, reference)


# -- bad experiment files -------------------------------------------------------------------------------

BAD = {
    "unknown key": (TINY + "colour: blue\n", "colour: unknown key"),
    "bad lever key path": (
        TINY.replace("team.collectors: {values: [2, 4]}", "strategy.billing.mood: {values: [staged]}"),
        "levers.strategy.billing.mood: not a scenario key",
    ),
    "wrong type": (TINY.replace("replications: 2", "replications: many"), "replications: expected"),
    "bad lever value": (
        TINY.replace("values: [2, 4]", "values: [2, -4]"),
        "levers.team.collectors: value -4 makes an invalid scenario",
    ),
    "lever without values": (
        TINY.replace("{values: [2, 4]}", "{vals: [2, 4]}"),
        "levers.team.collectors: expected 'values: [...]'",
    ),
    "missing base file": (
        TINY.replace(str(BASELINE), "no/such/base.yaml"),
        "base: names a scenario file that does not exist",
    ),
    "bad design type": (
        TINY + "design: {type: factorial}\n",
        "design.type: expected 'grid', 'lhs', 'sobol' or",
    ),
    "sobol without n": (
        TINY + "uncertainties: {owners.schedules.five_day_share: {range: {min: 0.4, max: 0.9}}}\n"
        "design: {type: sobol}\n",
        "design.n: a sobol design needs n",
    ),
    "bad outcome": (TINY.replace("hostile,", "happiness,"), "outcomes[4]: unknown outcome 'happiness'"),
    "bad distribution": (
        TINY + "uncertainties: {herd.q: {dist: gamma}}\n",
        "uncertainties.herd.q: expected 'range:",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_experiment_files_exit_2_with_the_key_path(case: str, tmp_path: Path) -> None:
    text, expected = BAD[case]
    path = _write(tmp_path, "bad.yaml", text)
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_bad_experiment_file_in_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.yaml", BAD["bad lever key path"][0])
    process = _feesim(tmp_path, "sweep", str(path))
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert stdout == "" and "Traceback" not in stderr
    assert "levers.strategy.billing.mood" in stderr


def test_missing_experiment_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sweep", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "experiment file not found" in result.stderr


# -- designs --------------------------------------------------------------------------------------------

FACTORS = """\
name: designs
base: {base}
levers:
  strategy.billing.mode: {{values: [bulk, staged]}}
  team.collectors: {{range: {{min: 2, max: 8}}, integer: true}}
uncertainties:
  owners.schedules.five_day_share: {{range: {{min: 0.4, max: 0.9}}}}
  owners.segments.ordinary.p: {{dist: normal, mean: 0.02, sd: 0.004}}
  owners.segments.ordinary.q: {{dist: triangular, min: 0.0, mode: 0.04, max: 0.1}}
design: {design}
"""


@pytest.mark.parametrize(
    ("design", "points"),
    [
        ("{type: lhs, points: 7, seed: 1}", 2 * 7),
        ("{type: sobol, n: 8, seed: 1}", 2 * 8 * (4 + 2)),
        ("{type: morris, n: 3, seed: 1}", 2 * 3 * (4 + 1)),
        ("{type: grid, points: 3, seed: 1}", 2 * 7 * 3),
        ("{type: grid, points: 3, levels: 3, seed: 1}", 2 * 3 * 3),
    ],
)
def test_designs_have_the_expected_points_deterministically(design: str, points: int, tmp_path: Path) -> None:
    path = _write(tmp_path, "design.yaml", FACTORS.format(base=BASELINE, design=design))
    first = make_design(load_experiment(path).experiment)
    again = make_design(load_experiment(path).experiment)
    assert len(first) == points
    pd.testing.assert_frame_equal(first.table(), again.table())
    table = first.table()
    assert table["point"].tolist() == list(range(points))
    assert set(table["strategy.billing.mode"]) == {"bulk", "staged"}
    assert table["team.collectors"].between(2, 8).all()
    assert table["team.collectors"].dtype == np.int64
    assert table["owners.schedules.five_day_share"].between(0.4, 0.9).all()
    assert table["owners.segments.ordinary.p"].between(0.02 - 3 * 0.004, 0.02 + 3 * 0.004).all()
    assert table["owners.segments.ordinary.q"].between(0.0, 0.1).all()
    reseeded = path.read_text().replace("seed: 1", "seed: 2")
    other = make_design(load_experiment(_write(tmp_path, "other.yaml", reseeded)).experiment)
    assert not other.table().drop(columns="id").equals(table.drop(columns="id"))


def test_sobol_points_follow_salib_order_within_each_group(tmp_path: Path) -> None:
    path = _write(tmp_path, "design.yaml", FACTORS.format(base=BASELINE, design="{type: sobol, n: 4}"))
    design = make_design(load_experiment(path).experiment)
    described = design.describe()
    assert described["groups"] == 2 and described["samples_per_group"] == 4 * 6
    assert described["problem"]["names"] == [
        "team.collectors",
        "owners.schedules.five_day_share",
        "owners.segments.ordinary.p",
        "owners.segments.ordinary.q",
    ]
    table = design.table()
    first, second = (table[table["group"] == g].drop(columns=["point", "id", "group"]) for g in (0, 1))
    sampled = described["problem"]["names"]
    pd.testing.assert_frame_equal(
        first[sampled].reset_index(drop=True), second[sampled].reset_index(drop=True)
    )


# -- precision ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("half_width", "reps"), [(1.0, 2), (1e-9, 6)])
def test_precision_adds_replications_until_narrow_enough(
    half_width: float, reps: int, tmp_path: Path
) -> None:
    text = TINY.replace(
        "replications: 2",
        f"precision: {{outcome: final_paid_share, half_width: {half_width}, batch: 2, max_reps: 6}}",
    )
    report = _sweep(_write(tmp_path, "precise.yaml", text), tmp_path / "out", workers=1)
    results, _daily = _tables(tmp_path / "out")
    assert report.total == 2 * reps
    assert results.groupby("point")["replication"].nunique().tolist() == [reps, reps]


def test_a_resumed_precise_sweep_judges_precision_from_the_runs_already_done(tmp_path: Path) -> None:
    text = TINY.replace(
        "replications: 2", "precision: {outcome: final_paid_share, half_width: 1.0, batch: 2, max_reps: 6}"
    )
    experiment = _write(tmp_path, "precise.yaml", text)
    _sweep(experiment, tmp_path / "out", workers=1)
    before = _tables(tmp_path / "out")
    again = _sweep(experiment, tmp_path / "out", workers=1, resume=True)
    assert again.ran == 0  # the first batch was already narrow enough: nothing more to run
    for left, right in zip(before, _tables(tmp_path / "out"), strict=True):
        pd.testing.assert_frame_equal(left, right)


def test_a_pool_broken_before_any_future_says_so_reports_it_through_the_run() -> None:
    """A pool that lost a worker refuses new work; the refusal must reach the runner as the run's failure."""
    from concurrent.futures.process import BrokenProcessPool

    class RefusingPool:
        def submit(self, *args: Any) -> Any:
            raise BrokenProcessPool("a worker died")

        def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
            pass

    backend = PoolBackend(1, _sleep_then_return)
    backend._pool.shutdown(wait=True)
    backend._pool = RefusingPool()  # type: ignore[assignment]
    try:
        future = backend.submit(None)  # type: ignore[arg-type]
        assert isinstance(future.exception(), BrokenProcessPool)
    finally:
        backend.close(pending=[])


def test_outputs_in_order_in_this_process_runs_each_task_after_the_last_output() -> None:
    """In this process a task runs only once the output before it has been dealt with (progress, timing)."""
    trace: list[str] = []

    def task(k: int) -> int:
        trace.append(f"run {k}")
        return k

    for output in outputs_in_order(InlineBackend(task), range(3)):
        trace.append(f"got {output}")
    assert trace == ["run 0", "got 0", "run 1", "got 1", "run 2", "got 2"]


def test_outputs_in_order_from_a_pool_keep_the_order_of_the_tasks() -> None:
    """Two workers, tasks of unequal length: the outputs still come in the order the tasks were given."""
    delays = [0.3, 0.0, 0.2, 0.0, 0.1, 0.0]
    with local_backend(2, _sleep_then_return) as backend:
        assert list(outputs_in_order(backend, delays)) == delays


def _sleep_then_return(delay: float) -> float:
    time.sleep(delay)
    return delay
