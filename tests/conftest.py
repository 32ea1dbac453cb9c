"""Shared fixtures: write small scenario files, run the ``feesim`` command in a subprocess."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.commands import run_feesim


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML text to a file under tmp_path; return its path."""

    def write(relative: str, text: str) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def feesim(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m sim ARGS`` with tmp_path as working folder."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_feesim(tmp_path, *args)

    return run
