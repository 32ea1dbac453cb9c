"""Where ``feesim run`` and ``compare`` write: no silent overwrite, no stale files, clean interrupts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.destination import run_name
from tests.commands import small_community
from tests.paths import SCENARIOS

BASELINE, STAGED = SCENARIOS / "baseline.yaml", SCENARIOS / "staged.yaml"
TINY = [*small_community(20), "--reps", "1"]
FOLDER = Path("results") / run_name("baseline", TINY[1:6:2])


def _feesim(*args: str) -> tuple[int, str, str]:
    """Run ``feesim ARGS`` in this process; return the exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stderr, result.stderr
    return result.exit_code, result.stdout, result.stderr


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file of `folder` by name with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _no_leftovers(parent: Path) -> None:
    """Assert that no hidden staging or set-aside folder is left in `parent`."""
    assert [p.name for p in parent.iterdir() if p.name.startswith(".")] == []


def test_default_folder_names_the_overrides() -> None:
    assert run_name("baseline") == "baseline"
    assert FOLDER.name == "baseline-community.households=200-community.buildings=4-horizon_days=20"
    assert run_name("a b", ["x.y=some value/../z"]) == "a_b-x.y=some_value_.._z"
    assert len(run_name("n", ["k=" + "9" * 300])) <= 120


def test_another_run_never_replaces_a_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A different seed goes to <name>-2 with a note; the same command again replaces its own folder."""
    monkeypatch.chdir(tmp_path)
    assert _feesim("run", str(BASELINE), *TINY)[0] == 0
    first = _snapshot(FOLDER)
    code, _stdout, stderr = _feesim("run", str(BASELINE), *TINY, "--seed", "1")
    assert code == 0
    second = FOLDER.with_name(FOLDER.name + "-2")
    assert f"{FOLDER} holds the results of another run" in stderr and str(second) in stderr
    assert _snapshot(FOLDER) == first
    assert (second / "summary.json").is_file()
    code, _stdout, stderr = _feesim("run", str(BASELINE), *TINY, "--seed", "1")
    assert code == 0 and str(second) in stderr  # the same run again: into its own folder, not -3
    assert sorted(p.name for p in Path("results").iterdir()) == [FOLDER.name, second.name]
    assert _snapshot(FOLDER) == first


def test_force_replaces_the_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _feesim("run", str(BASELINE), *TINY)[0] == 0
    (FOLDER / "report.html").write_text("<p>a report of the seed-0 run</p>", encoding="utf-8")
    assert _feesim("run", str(BASELINE), *TINY, "--seed", "1", "--force")[0] == 0
    assert [p.name for p in Path("results").iterdir()] == [FOLDER.name]
    assert '"seed": 1' in (FOLDER / "summary.json").read_text(encoding="utf-8")
    assert not (FOLDER / "report.html").exists()  # no stale file of the earlier run


@pytest.mark.parametrize("command", ["run", "compare"])
def test_explicit_out_replaces_the_folder_without_stale_files(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = [str(BASELINE)] if command == "run" else [str(BASELINE), str(STAGED)]
    assert _feesim(command, *files, *TINY, "--out", "out")[0] == 0
    before = _snapshot(Path("out"))
    (Path("out") / "report.html").write_text("<p>stale</p>", encoding="utf-8")
    assert _feesim(command, *files, *TINY, "--seed", "3", "--out", "out")[0] == 0
    after = _snapshot(Path("out"))
    assert set(after) == set(before)  # the stale report is gone
    head = "summary.json" if command == "run" else "compare.json"
    assert after[head] != before[head]
    _no_leftovers(tmp_path)


def test_a_folder_with_other_files_is_never_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mine").mkdir()
    (Path("mine") / "notes.txt").write_text("keep me\n", encoding="utf-8")
    code, stdout, stderr = _feesim("run", str(BASELINE), *TINY, "--out", "mine")
    assert code == 2 and stdout == ""
    assert "mine" in stderr and "notes.txt" in stderr and "did not write" in stderr
    assert [p.name for p in Path("mine").iterdir()] == ["notes.txt"]
    _no_leftovers(tmp_path)


@pytest.mark.parametrize("out", [".", ".."])
def test_never_into_the_current_folder_or_above(
    out: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    code, stdout, stderr = _feesim("run", str(BASELINE), *TINY, "--out", out)
    assert code == 2 and stdout == ""
    assert "current folder or a folder above it" in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["here"] and list(Path().iterdir()) == []


def test_a_failed_write_leaves_no_staging_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while writing: the earlier folder is as it was and no half-written folder is left."""
    monkeypatch.chdir(tmp_path)
    assert _feesim("run", str(BASELINE), *TINY)[0] == 0
    before = _snapshot(FOLDER)
    from matplotlib.figure import Figure

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Figure, "savefig", fail)
    result = CliRunner().invoke(app, ["run", str(BASELINE), *TINY, "--force", "--seed", "2"])
    assert isinstance(result.exception, RuntimeError)
    assert _snapshot(FOLDER) == before
    _no_leftovers(FOLDER.parent)


# -- Ctrl-C -------------------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """Return the CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ctrl_c_as_in_a_terminal() -> None:
    """Let the child take Ctrl-C even when the tests run as a background job (which ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_when_running(
    args: list[str], cwd: Path, cpu_seconds: float = 4, then: float = 0, group: bool = False
) -> subprocess.CompletedProcess[str]:
    """Start ``python -m sim ARGS``, send it Ctrl-C `then` seconds after it used `cpu_seconds`, wait for it.

    With `group`, Ctrl-C goes to its whole process group (its worker processes too), as a terminal sends it.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=group,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    deadline = time.monotonic() + 120
    while _cpu_seconds(process.pid) < cpu_seconds and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(then)
    if group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
@pytest.mark.slow  # a subprocess interrupted or killed and restarted: seconds each
@pytest.mark.parametrize("command", ["run", "compare"])
def test_ctrl_c_says_so_and_leaves_nothing_behind(command: str, tmp_path: Path) -> None:
    """Interrupted: one line on stderr, exit 130, no new or half-written folder, an earlier one as it was."""
    files = [str(BASELINE)] if command == "run" else [str(BASELINE), str(STAGED)]
    small = small_community(60)
    earlier = subprocess.run(
        [sys.executable, "-m", "sim", command, *files, *small, "--reps", "1", "--out", "out"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    assert earlier.returncode == 0, earlier.stderr
    before = _snapshot(tmp_path / "out")
    long_run = [command, *files, *small, "--reps", "2000", "--seed", "5"]
    for out in (["--out", "out"], []):
        result = _interrupt_when_running([*long_run, *out], tmp_path)
        assert result.returncode == 130, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
        assert result.stderr.startswith("interrupted: ") and "replications had finished" in result.stderr
        assert "nothing was written" in result.stderr
        assert ("out is as it was" in result.stderr) == bool(out)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no results/ and nothing hidden
        assert _snapshot(tmp_path / "out") == before


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
@pytest.mark.slow  # a subprocess interrupted or killed and restarted: seconds each
@pytest.mark.parametrize("then", [0.0, 1.0, 4.0])
def test_ctrl_c_with_worker_processes(then: float, tmp_path: Path) -> None:
    """Ctrl-C from a terminal reaches the workers too, while the pool starts or runs: no traceback."""
    args = ["compare", str(BASELINE), str(STAGED), *small_community(60), "--reps", "500", "--workers", "2"]
    result = _interrupt_when_running(args, tmp_path, cpu_seconds=1.2, then=then, group=True)
    # 130, or killed by the SIGINT itself (-2), which a shell reports as 130 too: seen about once in
    # ten runs on a loaded machine with Ctrl-C at the pool's start, after the message was printed.
    assert result.returncode in (130, -signal.SIGINT), result.stderr
    assert result.stderr.startswith("interrupted: ") and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []
