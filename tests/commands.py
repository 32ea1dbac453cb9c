"""Running the ``feesim`` command in tests: the small community, a subprocess, strict JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import NoReturn


def small_community(horizon_days: int) -> list[str]:
    """Return the `--set` options of the small community the CLI tests run (200 households, 4 buildings)."""
    return [
        "--set",
        "community.households=200",
        "--set",
        "community.buildings=4",
        "--set",
        f"horizon_days={horizon_days}",
    ]


def run_feesim(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in `cwd`; return the finished process with its text output."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def no_json_constants(name: str) -> NoReturn:
    """Fail on NaN or Infinity in JSON (use as ``json.loads(..., parse_constant=no_json_constants)``)."""
    raise AssertionError(f"non-strict JSON constant {name}")
