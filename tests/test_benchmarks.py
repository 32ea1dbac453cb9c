"""The scripts of `benchmarks/` run and print the JSON their docstrings promise.

Small sizes only: these check the scripts' contracts (keys, counts, the
arithmetic of derived figures), never a speed; speed is measured by running
the scripts themselves.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.commands import no_json_constants
from tests.paths import ROOT, SCENARIOS

BENCHMARKS = ROOT / "benchmarks"


def run_benchmark(script: str, *args: str, timeout: float = 300) -> dict:
    """Run one benchmark script from the project root; return its JSON output."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout, parse_constant=no_json_constants)


def test_bench_engine_splits_each_event_into_loop_and_model() -> None:
    sizes = ("--households", "100", "--days", "10", "--repeat", "3")
    out = run_benchmark("bench_engine.py", "--scenario", str(SCENARIOS / "playbook.yaml"), *sizes)
    case = out["cases"]["playbook"]
    assert min(case["events_all"]) > 500
    for reference in ("bare_simpy", "bare_simpy_crowd", "engine_crowd"):
        assert case[f"{reference}_events_per_second"] > 0
    # the split is of the replication with the median wall time: loop + model = its µs per event,
    # up to the rounding of the printed figures (wall to 1e-4 s, each part to 0.01 µs)
    k = case["split_replication"]
    assert case["wall_seconds_all"][k] == case["wall_seconds"]
    events = case["events_all"][k]
    rounding = 1e6 * 0.5e-4 / events + 0.01
    parts = case["event_loop_microseconds"] + case["model_microseconds"]
    assert parts == pytest.approx(1e6 * case["wall_seconds"] / events, abs=rounding)
    assert case["event_loop_microseconds"] > 0
    bound = case["ratio_to_crowd_if_loop_were_free"]
    assert bound is None or bound > 0


def test_bench_scale_reports_time_and_memory_per_size() -> None:
    out = run_benchmark("bench_scale.py", "--sizes", "100", "200", "--days", "10", "--repeat", "1")
    small, large = out["runs"]
    assert (small["households"], large["households"]) == (100, 200)
    assert large["size_ratio_to_smallest"] == 2.0
    assert 0 < small["events"] < large["events"]
    assert small["bytes_per_household"] > 0 and large["peak_rss_mib"] > 0


def test_bench_sweep_reports_parallel_efficiency() -> None:
    sizes = ("--households", "100", "--days", "10", "--reps", "2", "--repeat", "1")
    out = run_benchmark("bench_sweep.py", *sizes)
    speedup = out["workers_1"]["seconds"] / out["workers_2"]["seconds"]
    assert out["speedup"] == pytest.approx(speedup, abs=0.01)
    assert out["efficiency"] == pytest.approx(out["speedup"] / 2, abs=0.01)


def test_profile_run_names_functions_and_kinds_of_event() -> None:
    out = run_benchmark("profile_run.py", "--households", "100", "--days", "10", "--top", "5")
    assert len(out["profile"]["top"]) == 5
    kinds = out["by_event_kind"]["kinds"]
    assert sum(kind["events"] for kind in kinds) == out["by_event_kind"]["events"]
    assert any(kind["kind"] == "PaymentHazard._fire_owner" for kind in kinds)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_instructions_counts_one_replication() -> None:
    out = run_benchmark("instructions.py", "--households", "50", "--days", "5")
    assert out["events"] > 100
    assert out["instructions_per_event"] == round(out["instructions"] / out["events"])


def test_bench_worlds_reports_runs_per_second() -> None:
    pytest.importorskip("sim.worlds.priors", reason="sim.worlds.priors arrives with its own branch")
    pytest.importorskip("sim.worlds.robust", reason="sim.worlds.robust arrives with its own branch")
    sizes = ("--worlds", "2", "--reps", "1", "--households", "100", "--days", "10", "--workers", "1")
    out = run_benchmark("bench_worlds.py", *sizes)
    assert out["runs"] == 2 * 2 * 1
    assert out["runs_per_second"] == pytest.approx(out["runs"] / out["seconds"], rel=0.01)
    assert out["seconds_per_run"] == pytest.approx(out["seconds"] / out["runs"], rel=0.01)
    assert "--worlds 2 --reps 1" in out["command"]
    estimate = out["runs"] * out["cpu_seconds_per_run"]  # one worker
    assert out["runs_seconds_on_free_cores"] == pytest.approx(estimate, abs=0.06)


def test_bench_plan_sets_the_search_s_runs_against_equal_replication(tmp_path) -> None:
    search = {
        "name": "tiny",
        "base": str(SCENARIOS / "baseline.yaml"),
        "levers": {
            "team.collectors": {"values": [1, 2]},
            "strategy.billing.mode": {"values": ["bulk", "staged"]},
        },
        "objective": {"maximise": "final_paid_share"},
        "indifference_pp": 3,
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(json.dumps(search), encoding="utf-8")
    out = run_benchmark(
        "bench_plan.py", "--search", str(path), "--households", "100", "--days", "30", "--workers", "1"
    )
    assert out["candidates"] == 4 and out["evaluated_runs"] >= 4 * 5
    assert out["ratio"] == round(out["evaluated_runs"] / out["naive_equal_replication_runs"], 3)
    assert set(out["recommended"]) == {"team.collectors", "strategy.billing.mode"}
