"""What every command shares: errors on stderr and the exit code of bad input.

One floor below the command line (`sim.cli`) and the commands that live with their
subpackage (`sim.experiments.command`), so that both can import it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from sim.languages import N_, _
from sim.scenario.errors import ScenarioError

__all__ = ["EXIT_USAGE", "error", "fail_cleanly", "os_reason", "sigterm_as_ctrl_c", "stderr"]

EXIT_USAGE = 2
"""Exit code for bad input from the user (same as Typer/Click usage errors)."""

stderr = Console(stderr=True)
"""The console of progress bars and error messages."""


def error(message: str) -> None:
    """Print an error message to stderr, verbatim (no markup, no wrapping)."""
    stderr.print(message, markup=False, highlight=False, soft_wrap=True)


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


SYSTEM_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EEXIST: N_("File exists"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTEMPTY: N_("Directory not empty"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EROFS: N_("Read-only file system"),
    errno.ENAMETOOLONG: N_("File name too long"),
    errno.EXDEV: N_("Invalid cross-device link"),
}
"""The system's own reasons (``os.strerror``) that a user meets when a path cannot be read or written."""


def os_reason(exc: OSError) -> str:
    """Return why an OSError happened: feesim's own words as written, the system's translated when known."""
    reason = exc.strerror or str(exc)
    if exc.errno in SYSTEM_REASONS and reason == os.strerror(exc.errno):
        return _(SYSTEM_REASONS[exc.errno])
    return reason


def _describe_os_error(exc: OSError) -> str:
    """Return an OSError as ``path: reason`` (``source -> target: reason`` for a rename)."""
    reason = os_reason(exc)
    if exc.filename is None:
        return _("error: {reason}").format(reason=reason)
    target = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else str(exc.filename)
    return f"{target}: {reason}"


@contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C for the block, so that a command cleans up (or saves) the same way."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
