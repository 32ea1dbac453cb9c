"""The playground served for real in tests: uvicorn on a free loopback port, and JSON calls to it."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from sim.playground.app import create_app

SMALL = {"community.households": 300, "horizon_days": 120, "team.collectors": 1}
"""The page's starting community: 300 households, 120 days, one collector."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(folder: Path, workers: int = 2) -> Iterator[str]:
    """Serve the playground (challenges in `folder`) on loopback; yield its base address."""
    port = free_port()
    config = uvicorn.Config(create_app(folder, workers), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the playground did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def call(
    base: str, path: str, body: object = None, raw: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """Send GET (no body) or POST (JSON `body`, or `raw` bytes); return (status, parsed JSON)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(
        base + path, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
