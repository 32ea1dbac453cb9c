"""``feesim run/compare --worlds N --priors FILE``: pinned worlds, a reversal, files, resume, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from sim.scenario import load_scenario
from sim.worlds import priors
from tests.commands import small_community
from tests.paths import SCENARIOS

Feesim = Callable[..., subprocess.CompletedProcess[str]]
SMALL = small_community(40)
BASELINE, PLAYBOOK = str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "playbook.yaml")
PRAISE = str(SCENARIOS / "tactics" / "praise_first.yaml")
FLIP_KEY = "responses.pays_now.praise_first"
FLIP_PRIORS = f"""\
priors:
  {FLIP_KEY}:
    distribution: uniform
    low: -3.0
    high: 3.0
    reason: constructed for the test, both signs (the shipped prior keeps the sources' sign)
  social.leader_weight:
    distribution: uniform
    low: 4.0
    high: 30.0
    reason: constructed, moves both variants alike
  responses.hostile.visit:
    distribution: uniform
    low: -0.6
    high: -0.1
    reason: constructed, inert (neither variant visits)
"""


def _pinned_table(path: Path) -> Path:
    """Write one world pinning every assumption of the shipped priors at the variants' common value."""
    keys = priors.load_priors(priors.PRIORS_FILE).keys
    scenarios = [load_scenario(file) for file in (BASELINE, PLAYBOOK)]
    row = {"world": 0}
    for key in keys:
        values = set()
        for scenario in scenarios:
            node: object = scenario
            for part in key.split("."):
                node = getattr(node, part)
            values.add(node)
        if len(values) == 1:  # a key the variants set apart is a lever of theirs, not an assumption
            row[key] = values.pop()
    pd.DataFrame([row]).to_csv(path, index=False)
    return path


@pytest.mark.slow  # 10-17 s: keeps the default run under 5 minutes on 2 cores
def test_one_world_at_the_defaults_equals_the_plain_comparison(tmp_path: Path, feesim: Feesim) -> None:
    """--worlds 1 with a table pinning every assumption at its default: the plain comparison's shares."""
    pytest.importorskip("sim.worlds.robust", reason="sim.worlds.robust arrives with its own branch")
    table = _pinned_table(tmp_path / "pinned.csv")
    common = [BASELINE, PLAYBOOK, *SMALL, "--reps", "3", "--seed", "5", "--json"]
    plain = feesim("compare", *common, "--out", "plain")
    worlds = feesim("compare", *common, "--worlds", "1", "--priors", str(table), "--out", "worlds")
    assert (plain.returncode, worlds.returncode) == (0, 0), plain.stderr + worlds.stderr
    ours, theirs = json.loads(worlds.stdout), json.loads(plain.stdout)
    for name in ("baseline", "playbook"):
        assert ours["variants"][name]["final_paid_share"] == theirs["variants"][name]["final_paid_share"]
    assert ours["paired"] == theirs["paired"]
    assert {"worlds", "robust", "drivers", "reversal", "across_worlds"} <= set(ours)
    runs = pd.read_parquet(tmp_path / "worlds" / "world_runs.parquet")
    assert list(runs.columns[:4]) == ["world", "variant", "replication", "seed"]
    assert len(pd.read_parquet(tmp_path / "worlds" / "worlds.parquet")) == 1


def _worlds_table(path: Path, n: int) -> Path:
    share = [0.6 + 0.4 * k / max(1, n - 1) for k in range(n)]  # 0.6 to 1: inside the key's range
    rows = [{"social.leader_weight": 5.0 + 5 * k, "owners.phone_share": share[k]} for k in range(n)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.mark.slow  # 10-17 s: keeps the default run under 5 minutes on 2 cores
def test_a_difference_that_flips_with_one_assumption_is_found_and_boxed(
    tmp_path: Path, feesim: Feesim
) -> None:
    """Praise first against the baseline, with a prior on its pay-now coefficient spanning both signs.

    Praise first lowers refusals and hostility whatever that coefficient, so the
    difference flips where a negative pay-now coefficient outweighs them: some worlds
    better, some worse; that coefficient ranked first; the reversal box holds every
    world where the sign flips.  24 worlds, 2 replications each, seed 0 (fixed).
    """
    priors_file = tmp_path / "flip.yaml"
    priors_file.write_text(FLIP_PRIORS, encoding="utf-8")
    size = ("--set", "community.households=400", "--set", "horizon_days=60")
    out = tmp_path / "o"
    done = feesim(
        "compare", BASELINE, PRAISE, "--worlds", "24", "--reps", "2", "--priors", str(priors_file),
        *size, "--workers", "2", "--out", str(out), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    share_better = answer["robust"]["praise_first"]["final_paid_share"]["share_better"]
    assert 0 < share_better < 1
    drivers = answer["drivers"]["praise_first"]
    assert drivers[0]["key"] == FLIP_KEY and drivers[0]["stands_out"]
    assert not any(d["stands_out"] for d in drivers[1:])
    runs = pd.read_parquet(out / "world_runs.parquet")
    table = runs.pivot_table(index=["world", "replication"], columns="variant", values="final_paid_share")
    difference = (table["praise_first"] - table["baseline"]).groupby(level="world").mean()
    worlds = pd.read_csv(out / "worlds.csv").set_index("world")
    reversed_worlds = difference.index[difference <= 0]
    assert share_better == pytest.approx(1 - len(reversed_worlds) / 24)
    boxes = answer["reversal"]["praise_first"]
    assert boxes, "some worlds reverse the answer, so there is a box"
    limits = boxes[0]["limits"]
    assert FLIP_KEY in limits
    inside = pd.Series(True, index=worlds.index)
    for key, (low, high) in limits.items():
        inside &= worlds[key].ge(-float("inf") if low is None else low)
        inside &= worlds[key].le(float("inf") if high is None else high)
    assert inside[reversed_worlds].all(), "every world where the sign flips is in the box"
    assert boxes[0]["coverage"] == 1.0 and boxes[0]["density"] >= 0.8


def test_run_in_worlds_reports_figures_across_worlds(tmp_path: Path, feesim: Feesim) -> None:
    """run --worlds: JSON with the worlds and the median, p05 and p95 across them; the files written."""
    table = _worlds_table(tmp_path / "w.csv", 3)
    done = feesim("run", BASELINE, *SMALL, "--reps", "2", "--priors", str(table), "--json", "--out", "o")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["reps"] == 6 and summary["reps_per_world"] == 2 and len(summary["worlds"]) == 3
    share = summary["across_worlds"]["final_paid_share"]
    assert share["p05"] <= share["median"] <= share["p95"] and share["worlds"] == 3
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert {"summary.json", "worlds.parquet", "worlds.csv", "world_runs.parquet"} <= names
    assert not list(tmp_path.glob(".o.*")), "the stream folder is removed once the results are in place"


def test_bad_worlds_input_exits_2(tmp_path: Path, feesim: Feesim) -> None:
    """A world count beyond the table, an unknown key path, --resume or --scheduler alone: exit 2."""
    table = _worlds_table(tmp_path / "w.csv", 2)
    too_many = feesim("run", BASELINE, *SMALL, "--worlds", "3", "--priors", str(table))
    bad = tmp_path / "bad.csv"
    pd.DataFrame([{"social.no_such_key": 1.0}]).to_csv(bad, index=False)
    unknown = feesim("run", BASELINE, *SMALL, "--priors", str(bad))
    alone = feesim("run", BASELINE, *SMALL, "--resume")
    cluster = feesim("run", BASELINE, *SMALL, "--scheduler", "tcp://127.0.0.1:1")
    for done, words in (
        (too_many, "--worlds 3 asks"),
        (unknown, "no_such_key"),
        (alone, "--worlds"),
        (cluster, "--scheduler sends runs in worlds to a Dask cluster"),
    ):
        assert done.returncode == 2, done.stderr
        assert words in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.slow  # a subprocess interrupted or killed and restarted: seconds each
def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path: Path, feesim: Feesim) -> None:
    """A run in worlds killed by SIGKILL resumes with --resume to the uninterrupted run's results."""
    # 96 runs: parts are committed every 50 runs (or 2 s), so the kill after the first part always
    # leaves runs to do (with 24, a loaded machine sometimes finished them all before the kill).
    table = _worlds_table(tmp_path / "w.csv", 12)
    args = ["run", BASELINE, *SMALL, "--reps", "8", "--priors", str(table), "--workers", "2"]
    whole = feesim(*args, "--out", "whole")
    assert whole.returncode == 0, whole.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", *args, "--out", "killed"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    ledger = tmp_path / ".killed.worlds-runs" / "ledger"
    deadline = time.monotonic() + 90
    while not list(ledger.glob("part-*.json")) if ledger.is_dir() else True:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no runs were committed in time"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # only this test's own process group
        pytest.fail("worker processes outlived the SIGKILLed run")
    assert not (tmp_path / "killed").exists()
    entries = [json.loads(p.read_text()) for p in ledger.glob("part-*.json")]
    assert 0 < sum(len(entry["runs"]) for entry in entries) < 96
    refused = feesim(*args, "--out", "killed")
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = feesim(*args, "--out", "killed", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    for name in ("world_runs.parquet", "daily.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "killed" / name), pd.read_parquet(tmp_path / "whole" / name)
        )
    assert not (tmp_path / ".killed.worlds-runs").exists()
