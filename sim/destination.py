"""Where the results of ``feesim run`` and ``compare`` go: the folder's name, what it may replace, the swap.

Every file is written into a hidden staging folder beside the destination, which is renamed into
place at the end: an interrupted or failed run leaves nothing half-written and the earlier results
as they were, and a folder never mixes files of two runs (an old ``report.html`` beside new data).

The default folder is ``results/<name>``, where the name is the scenario's (or
``compare-<first>-vs-<second>...``) followed by the ``--set`` overrides.  When that folder holds
another run's results (another merged scenario, seed or number of replications), the run goes to
``<name>-2``, ``<name>-3``..., the first that is free or holds this very run; ``--force`` replaces
the default folder instead.  An explicit ``--out`` replaces the results there.  A folder holding
anything feesim did not write is never replaced.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sim.languages import _

__all__ = ["HEAD_FILES", "Destination", "RunIdentity", "compare_name", "run_name"]

HEAD_FILES: tuple[str, ...] = ("summary.json", "compare.json")
"""The files that mark a folder as the results of ``feesim run`` or ``compare``."""

_MAX_NAME = 120
"""Longest default folder name (file systems allow 255 bytes; keep well below)."""


# -- the default name ------------------------------------------------------------------------------


def _safe(text: str) -> str:
    """Return `text` made safe as part of one folder name (runs of other characters become ``_``)."""
    return re.sub(r"[^\w.=+-]+", "_", text).strip("_.")


def _with_overrides(name: str, overrides: Sequence[str]) -> str:
    """Return ``name-key=value-...`` for the ``--set`` overrides, safe and at most 120 characters."""
    parts = [_safe(name) or "scenario", *(_safe(item) for item in overrides)]
    return "-".join(part for part in parts if part)[:_MAX_NAME].rstrip("-_.")


def run_name(scenario_name: str, overrides: Sequence[str] = ()) -> str:
    """Return the default folder name of ``feesim run``: the scenario's name and the ``--set`` overrides."""
    return _with_overrides(scenario_name, overrides)


def compare_name(variants: Sequence[str], same_file: bool, overrides: Sequence[str] = ()) -> str:
    """Return ``compare-<first>-vs-<second>...`` and the overrides (``...-vs-itself`` for one file twice)."""
    shown = [variants[0], "itself"] if same_file else [_safe(v) for v in variants]
    return _with_overrides("compare-" + "-vs-".join(shown), overrides)


# -- what makes two runs the same --------------------------------------------------------------------


@dataclass(frozen=True)
class RunIdentity:
    """What decides a run's results: its head file, merged scenario(s) as written, seed and replications."""

    head: str
    scenario_file: str
    scenario_text: str
    seed: int
    reps: int

    def holds_me(self, folder: Path) -> bool:
        """Tell whether `folder` already holds the results of this very run (so replacing loses nothing)."""
        try:
            head = json.loads((folder / self.head).read_text(encoding="utf-8"))
            text = (folder / self.scenario_file).read_text(encoding="utf-8")
        except (OSError, ValueError):
            return False
        return isinstance(head, dict) and (head.get("seed"), head.get("reps"), text) == (
            self.seed,
            self.reps,
            self.scenario_text,
        )


# -- the destination ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    """The folder asked for: ``--out`` (`explicit`) or the default, which ``--force`` lets be replaced."""

    base: Path
    explicit: bool
    force: bool
    known_files: frozenset[str]

    def check(self) -> None:
        """Raise an OSError naming the folder if results cannot go there (before any replication runs)."""
        here = Path.cwd()
        if Path(os.path.abspath(self.base)) in (here, *here.parents):
            raise OSError(
                errno.EINVAL,
                _(
                    "cannot write results into the current folder or a folder above it;"
                    " give --out a new folder"
                ),
                str(self.base),
            )
        if self.base.exists() and not self.base.is_dir():
            raise NotADirectoryError(
                errno.ENOTDIR, _("cannot write results there: it exists and is not a folder"), str(self.base)
            )
        if (self.explicit or self.force) and self.base.is_dir():
            self._check_replaceable(self.base)
        _check_creatable(self.base)

    def choose(self, identity: RunIdentity) -> tuple[Path, str | None]:
        """Return the folder to write and, when it is not the one asked for, a note saying why."""
        if self.explicit or self.force:
            if self.base.is_dir():
                self._check_replaceable(self.base)
            return self.base, None
        for k in itertools.count(1):
            folder = self.base if k == 1 else self.base.with_name(f"{self.base.name}-{k}")
            if self._free_for(folder, identity):
                if k == 1:
                    return folder, None
                return folder, _(
                    "note: {base} holds the results of another run (another scenario, seed or number"
                    " of replications); these go to {folder} (--force replaces {base})."
                ).format(base=self.base, folder=folder)
        raise AssertionError("unreachable")

    def _free_for(self, folder: Path, identity: RunIdentity) -> bool:
        """Tell whether `folder` is missing, empty, or holds this very run's results."""
        if not folder.exists():
            return True
        if not folder.is_dir():
            return False
        entries = list(folder.iterdir())
        return not entries or (not self._foreign(entries) and identity.holds_me(folder))

    def _foreign(self, entries: list[Path]) -> list[str]:
        """Return the entries a results folder would not hold (all of them if it has no head file)."""
        names = {p.name for p in entries}
        if names and not names & set(HEAD_FILES):
            return sorted(names)
        return sorted(p.name for p in entries if p.name not in self.known_files or not p.is_file())

    def _check_replaceable(self, folder: Path) -> None:
        """Raise an OSError if `folder` holds anything feesim did not write there."""
        foreign = self._foreign(list(folder.iterdir()))
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise OSError(
                errno.EEXIST,
                _(
                    "not replaced: the folder holds files feesim run or compare did not write ({files});"
                    " give --out a new or empty folder, or the folder of an earlier run"
                ).format(files=shown),
                str(folder),
            )

    def commit(self, folder: Path, write: Callable[[Path], list[Path]]) -> list[Path]:
        """Write the results into a staging folder with `write`, then move it onto `folder`.

        Return the written files as they are named in `folder`.  On any failure or interrupt the
        staging folder is removed and `folder` keeps what it held.
        """
        created = _make_parents(folder.parent)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".partial"))
        try:
            os.chmod(staging, 0o777 & ~_umask())
            written = write(staging)
            with _interrupts_deferred():
                _swap_in(staging, folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            _remove_if_empty(created)
            raise
        return [folder / path.name for path in written]


def _umask() -> int:
    """Return the process umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _check_creatable(folder: Path) -> None:
    """Raise an OSError naming `folder` if it could not be created (a file in the way, no permission)."""
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise NotADirectoryError(
            errno.ENOTDIR,
            _("cannot create the output folder: {ancestor} is not a folder").format(ancestor=ancestor),
            str(folder),
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise PermissionError(
            errno.EACCES,
            _("cannot create the output folder: {ancestor} is not writable").format(ancestor=ancestor),
            str(folder),
        )


def _make_parents(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; return those created, deepest first."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from sim.console import os_reason

        reason = _("cannot create the output folder: {reason}").format(reason=os_reason(exc))
        raise OSError(exc.errno, reason, str(folder)) from None
    return missing


def _remove_if_empty(folders: list[Path]) -> None:
    """Remove the folders this run created, deepest first, as long as they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _swap_in(staging: Path, folder: Path) -> None:
    """Rename `staging` to `folder`; an earlier `folder` is moved aside first and removed after."""
    if not folder.exists():
        os.rename(staging, folder)
        return
    aside = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".old"))
    try:
        os.rename(folder, aside / "results")
    except BaseException:
        aside.rmdir()
        raise
    try:
        os.rename(staging, folder)
    except BaseException:
        os.rename(aside / "results", folder)
        aside.rmdir()
        raise
    shutil.rmtree(aside, ignore_errors=True)


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM for the block (a few renames), so they land before or after it."""
    signals = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
