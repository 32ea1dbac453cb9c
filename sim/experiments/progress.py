"""The progress of a sweep on stderr: a Rich bar with runs done, failures and ETA, and notes above it."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from sim.languages import _

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

__all__ = ["SweepProgress"]


class SweepProgress:
    """Show runs done out of the total, failures and the time left; print notes above the bar."""

    def __init__(self, console: Console, description: str, total: int, done: int = 0) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = console
        self.failures = 0
        self._bar: Progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TextColumn(_("runs, {task.fields[failed]} failed")),
            TextColumn(_("ETA")),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self._task: TaskID = self._bar.add_task(description, total=total, completed=done, failed=0)

    def __enter__(self) -> SweepProgress:
        self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._bar.stop()

    def advance(self) -> None:
        """Count one more finished run."""
        self._bar.advance(self._task)

    def plan(self, runs: int, done: int = 0) -> None:
        """Add `runs` to the total, `done` of them already finished (by the sweep being resumed)."""
        task = self._bar.tasks[0]
        total = (task.total or 0) + runs
        if done:  # a reset keeps runs done earlier out of the speed, hence the ETA
            self._bar.reset(self._task, total=total, completed=task.completed + done, failed=self.failures)
        else:
            self._bar.update(self._task, total=total)

    def failed(self, message: str) -> None:
        """Count one failed run and print `message`."""
        self.failures += 1
        self._bar.update(self._task, failed=self.failures)
        self.note(message)

    def note(self, message: str) -> None:
        """Print `message` above the bar, verbatim."""
        self.console.print(message, markup=False, highlight=False, soft_wrap=True)
