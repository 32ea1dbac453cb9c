"""Command line interface: ``feesim validate``, ``feesim schema`` and friends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.scenario import Scenario, ScenarioError, load_scenario, parse_overrides

__all__ = ["EXIT_USAGE", "app", "error", "fail_cleanly", "main"]

EXIT_USAGE = 2
"""Exit code for bad input from the user (same as Typer/Click usage errors)."""

app = typer.Typer(
    name="feesim",
    help="Simulate property-fee collection campaigns described by scenario YAML files.",
    no_args_is_help=True,
    add_completion=False,
)

_stderr = Console(stderr=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY.PATH=VALUE",
        help="Override a scenario value (YAML syntax), e.g. --set team.collectors=6. Repeatable.",
    ),
]


def error(message: str) -> None:
    """Print an error message to stderr, verbatim (no markup, no wrapping)."""
    _stderr.print(message, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def fail_cleanly() -> Iterator[None]:
    """Turn expected user errors into a message on stderr and exit code 2, without a traceback.

    Use it as ``with fail_cleanly(): ...`` inside a command, or as a decorator
    ``@fail_cleanly()`` under ``@app.command()``.  It handles ``ScenarioError``
    (bad scenario or override) and ``OSError`` (a path given by the user that cannot
    be read or written).  Usage errors are left to Typer, which already exits with 2.
    """
    try:
        yield
    except ScenarioError as exc:
        error(exc.message)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as exc:
        error(_describe_os_error(exc))
        raise typer.Exit(EXIT_USAGE) from None


def _describe_os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return f"error: {reason}"
    target = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else str(exc.filename)
    return f"{target}: {reason}"


@app.callback()
def _root() -> None:
    """Simulate property-fee collection campaigns described by scenario YAML files."""


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.", show_default=False)],
    set_: SetOption = None,
) -> None:
    """Check scenario files; print 'ok' or the problems for each one (exit 2 if any is bad)."""
    with fail_cleanly():
        overrides = parse_overrides(set_ or [])
    bad = 0
    for path in files:
        try:
            scenario = load_scenario(path, overrides)
        except ScenarioError as exc:
            bad += 1
            error(exc.message)
        else:
            typer.echo(f"ok  {path} (name: {scenario.name})")
    if bad:
        raise typer.Exit(EXIT_USAGE)


@app.command()
def schema() -> None:
    """Print the JSON schema of scenario files."""
    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))


def main() -> None:
    """Run the ``feesim`` command line."""
    app(prog_name="feesim")
