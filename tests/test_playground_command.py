"""``feesim playground`` as typed: it tells where to open the page, serves it, stops on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.commands import run_feesim
from tests.playground_server import call, free_port


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "playground", "--workers", "1", "--out", str(tmp_path / "pg"), *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _healthy(base: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if call(base, "/api/health") == (200, {"status": "ok"}):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the playground did not answer")


def test_it_serves_on_loopback_says_where_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    process = _start(tmp_path, "--port", str(port))
    try:
        _healthy(f"http://127.0.0.1:{port}", process)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert f"http://127.0.0.1:{port}/" in stdout
    assert "Only this computer can open it" in stdout and "--host 0.0.0.0" in stdout
    assert (tmp_path / "pg" / "playground.sqlite").is_file()
    assert "Traceback" not in stderr


def test_the_classroom_mode_is_said_in_the_language_asked_for(tmp_path: Path) -> None:
    port = free_port()
    process = _start(tmp_path, "--host", "0.0.0.0", "--port", str(port), "--lang", "zh-Hans")
    try:
        _healthy(f"http://127.0.0.1:{port}", process)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, _stderr = process.communicate(timeout=60)
    assert "课堂模式" in stdout and f":{port}/" in stdout


def test_a_busy_port_is_refused_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run_feesim(tmp_path, "playground", "--port", str(port), "--out", str(tmp_path / "pg"))
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1 port {port}" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "pg").exists()  # nothing written for a server that never started
