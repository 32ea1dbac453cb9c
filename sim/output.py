"""Write run results to files, atomically: a temporary file in the same folder, then ``os.replace``.

A failure while writing leaves no half-written file and no temporary file behind,
and never touches a previous good file of the same name.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sim.languages import _

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.results import Replications
    from sim.scenario import Scenario

__all__ = [
    "COMPARE_FILES",
    "RESULT_FILES",
    "default_folder",
    "ensure_folder",
    "save_figure_atomic",
    "strict_json",
    "to_json_text",
    "write_atomic",
    "write_bytes_atomic",
    "write_comparison",
    "write_csv_atomic",
    "write_parquet_atomic",
    "write_results",
    "write_text_atomic",
]

RESULT_FILES: tuple[str, ...] = (
    "daily.csv",
    "daily.parquet",
    "summary.json",
    "scenario.yaml",
    "paid_share.png",
)
"""The files `write_results` writes, in order."""

COMPARE_FILES: tuple[str, ...] = ("compare.json", "daily.parquet", "daily.csv", "paid_share.png")
"""The files `write_comparison` writes, in order."""

# -- atomic writes ------------------------------------------------------------------------------------


@functools.cache
def _new_file_mode() -> int:
    """Return the permission bits a new file gets under the process umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_file_atomic(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call `write` with a temporary file next to `path` (same suffix), then move it onto `path`.

    For writers that want a file name (a movie writer, say); nothing is left
    half-written, and the file keeps the permissions `path` had or a new file
    would get.
    """
    target = Path(path)
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
    except OSError as exc:
        from sim.console import os_reason

        reason = _("cannot write: {reason}").format(reason=os_reason(exc))
        raise OSError(exc.errno, reason, str(target)) from None
    os.close(handle)
    try:
        write(Path(name))
        mode = target.stat().st_mode & 0o777 if target.is_file() else _new_file_mode()
        os.chmod(name, mode)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return target


def write_atomic(path: str | os.PathLike[str], write: Callable[[IO[bytes]], object]) -> Path:
    """Call `write` on a temporary binary file next to `path`, then move it onto `path`."""

    def write_synced(temporary: Path) -> None:
        with temporary.open("wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())

    return write_file_atomic(path, write_synced)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` atomically."""
    return write_atomic(path, lambda handle: handle.write(data))


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` to `path` as UTF-8, atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_csv_atomic(path: str | os.PathLike[str], frame: pd.DataFrame) -> Path:
    """Write `frame` to `path` as CSV without the index, atomically."""
    return write_atomic(path, lambda handle: frame.to_csv(handle, index=False, lineterminator="\n"))


def write_parquet_atomic(path: str | os.PathLike[str], frame: pd.DataFrame) -> Path:
    """Write `frame` to `path` as Parquet without the index, atomically."""
    return write_atomic(path, lambda handle: frame.to_parquet(handle, index=False))


def save_figure_atomic(path: str | os.PathLike[str], figure: Figure, dpi: int = 150) -> Path:
    """Save `figure` to `path` as PNG, atomically."""
    return write_atomic(path, lambda handle: figure.savefig(handle, format="png", dpi=dpi))


# -- JSON ---------------------------------------------------------------------------------------------


def strict_json(value: Any) -> Any:
    """Return `value` with numpy scalars made plain and NaN/infinity replaced by None."""
    if isinstance(value, Mapping):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy scalar or array
        return strict_json(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json_text(value: Any, indent: int | None = None) -> str:
    """Return strict JSON text (no NaN) of `value`."""
    return json.dumps(strict_json(value), indent=indent, allow_nan=False, ensure_ascii=False)


# -- the results folder -------------------------------------------------------------------------------


def default_folder(scenario_name: str) -> Path:
    """Return ``results/<scenario name>``, the name made safe as one folder name."""
    safe = re.sub(r"[^\w.-]+", "_", scenario_name).lstrip(".") or "scenario"
    return Path("results") / safe


def ensure_folder(path: str | os.PathLike[str]) -> Path:
    """Create the folder `path` and its parents if needed; raise an OSError naming it if impossible."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        reason = _("cannot write results there: it exists and is not a folder")
        raise NotADirectoryError(0, reason, str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from sim.console import os_reason

        reason = _("cannot create the output folder: {reason}").format(reason=os_reason(exc))
        raise OSError(exc.errno, reason, str(folder)) from None
    return folder


def write_results(
    folder: Path, scenario: Scenario, reps: Replications, summary: Mapping[str, Any]
) -> list[Path]:
    """Write the daily table, summary, resolved scenario and paid-share plot into `folder`."""
    from sim.scenario import scenario_to_yaml
    from sim.views.curves import paid_share_figure

    daily = reps.daily
    return [
        write_csv_atomic(folder / "daily.csv", daily),
        write_parquet_atomic(folder / "daily.parquet", daily),
        write_text_atomic(folder / "summary.json", to_json_text(summary, indent=2) + "\n"),
        write_text_atomic(folder / "scenario.yaml", scenario_to_yaml(scenario)),
        save_figure_atomic(folder / "paid_share.png", paid_share_figure(summary)),
    ]


def write_comparison(folder: Path, comparison: Mapping[str, Any], daily: pd.DataFrame) -> list[Path]:
    """Write the comparison JSON, the long daily table and the overlaid paid-share plot into `folder`."""
    from sim.views.curves import paid_share_overlay_figure

    return [
        write_text_atomic(folder / "compare.json", to_json_text(comparison, indent=2) + "\n"),
        write_parquet_atomic(folder / "daily.parquet", daily),
        write_csv_atomic(folder / "daily.csv", daily),
        save_figure_atomic(folder / "paid_share.png", paid_share_overlay_figure(comparison)),
    ]
