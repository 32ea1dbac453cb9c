"""The output folder of a sweep: streamed part files, their ledger, the manifest and the final tables.

Finished runs are written in batches.  A batch is three files, each written
atomically (a temporary file, then ``os.replace``) in this order::

    daily/part-000007.parquet     the batch's daily curves
    runs/part-000007.parquet      the batch's tidy outcome rows
    ledger/part-000007.json       the (point, replication) keys of the batch: the commit

A batch counts only once its ledger entry exists, so a sweep killed at any moment
(even by SIGKILL) leaves nothing that is read half-written: temporary files and
parts without a ledger entry are ignored, and removed when the sweep resumes.
`SweepStore.consolidate` merges the committed parts into ``results.parquet`` and
``daily.parquet``, a bounded number of points at a time, dropping duplicate runs
and sorting rows, so the final tables do not depend on the order runs finished in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sim.experiments.task import TaskKey, TaskOutput
from sim.output import to_json_text, write_atomic, write_parquet_atomic, write_text_atomic

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CHUNK_RUNS", "SweepStore"]

CHUNK_RUNS = 1000
"""About how many runs the consolidation holds in memory at once."""

_PART = re.compile(r"part-(\d{6})\.(parquet|json)")
_PARTS = ("runs", "daily", "ledger")
FINAL_FILES = ("results.parquet", "daily.parquet", "failures.json")


class SweepStore:
    """Read and write the files of one sweep's output folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._next = 1

    # -- layout and state ---------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Create the part folders; drop uncommitted parts and temporary files of a killed sweep."""
        for name in _PARTS:
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        committed = set(self.ledger())
        for name in _PARTS:
            for path in (self.folder / name).iterdir():
                match = _PART.fullmatch(path.name)
                stale = match is not None and path.stem not in committed
                if stale or (match is None and path.name.endswith(".tmp")):
                    path.unlink(missing_ok=True)
        numbers = [int(name.removeprefix("part-")) for name in committed]
        self._next = max(numbers, default=0) + 1

    def clear(self) -> None:
        """Remove every part, the ledger and the final tables of a previous sweep."""
        for name in _PARTS:
            folder = self.folder / name
            if folder.is_dir():
                for path in folder.iterdir():
                    if _PART.fullmatch(path.name) or path.name.endswith(".tmp"):
                        path.unlink()
        for name in FINAL_FILES:
            (self.folder / name).unlink(missing_ok=True)

    def ledger(self) -> dict[str, list[TaskKey]]:
        """Return the committed parts, by name in order, with the keys of their runs."""
        folder = self.folder / "ledger"
        if not folder.is_dir():
            return {}
        entries = {}
        for path in sorted(folder.glob("part-*.json")):
            if _PART.fullmatch(path.name):
                data = json.loads(path.read_text(encoding="utf-8"))
                entries[path.stem] = [(int(p), int(r)) for p, r in data["runs"]]
        return entries

    def finished(self) -> set[TaskKey]:
        """Return the (point, replication) keys of every committed run."""
        return {key for keys in self.ledger().values() for key in keys}

    # -- manifest -----------------------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any] | None:
        """Return the manifest ``sweep.json`` of the sweep in this folder, if any."""
        path = self.folder / "sweep.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest ``sweep.json``."""
        write_text_atomic(self.folder / "sweep.json", to_json_text(manifest, indent=2) + "\n")

    # -- streaming ----------------------------------------------------------------------------------------

    def commit(self, outputs: Sequence[TaskOutput]) -> str:
        """Write finished runs as one part: daily, runs, then the ledger entry; return its name."""
        import pandas as pd

        name = f"part-{self._next:06d}"
        self._next += 1
        write_parquet_atomic(self.folder / "daily" / f"{name}.parquet", pd.concat([o.daily for o in outputs]))
        write_parquet_atomic(self.folder / "runs" / f"{name}.parquet", pd.concat([o.runs for o in outputs]))
        entry = {"part": name, "runs": [list(o.key) for o in outputs]}
        write_text_atomic(self.folder / "ledger" / f"{name}.json", json.dumps(entry) + "\n")
        return name

    # -- consolidation ------------------------------------------------------------------------------------

    def consolidate(
        self, points: pd.DataFrame, factors: Sequence[str], outcomes: Sequence[str], reps: int
    ) -> list[Path]:
        """Write ``results.parquet`` and ``daily.parquet`` from the committed parts; return their paths."""
        ledger = self.ledger()
        spans = {
            name: (min(p for p, _ in keys), max(p for p, _ in keys)) for name, keys in ledger.items() if keys
        }
        step = max(1, CHUNK_RUNS // max(reps, 1))
        chunks = [(lo, min(lo + step, len(points))) for lo in range(0, len(points), step)]
        order = {name: k for k, name in enumerate(outcomes)}

        def results() -> Iterator[pd.DataFrame]:
            for lo, hi in chunks:
                frame = self._read_chunk("runs", spans, lo, hi)
                if frame is not None:
                    yield _tidy_results(frame, points, factors, order)

        def daily() -> Iterator[pd.DataFrame]:
            for lo, hi in chunks:
                frame = self._read_chunk("daily", spans, lo, hi)
                if frame is not None:
                    yield _sorted_daily(frame)

        empty_results = _tidy_results(_empty_runs(), points, factors, order)
        return [
            _write_frames(self.folder / "results.parquet", results(), empty_results),
            _write_frames(self.folder / "daily.parquet", daily(), _empty_daily()),
        ]

    def _read_chunk(
        self, kind: str, spans: dict[str, tuple[int, int]], lo: int, hi: int
    ) -> pd.DataFrame | None:
        """Return the rows of points lo..hi-1 from every committed part of `kind` that holds some."""
        import pandas as pd

        names = [name for name, (first, last) in spans.items() if first < hi and last >= lo]
        filters = [("point", ">=", lo), ("point", "<", hi)]
        frames = [pd.read_parquet(self.folder / kind / f"{name}.parquet", filters=filters) for name in names]
        frames = [frame for frame in frames if len(frame)]
        return pd.concat(frames, ignore_index=True) if frames else None


def _tidy_results(
    frame: pd.DataFrame, points: pd.DataFrame, factors: Sequence[str], order: dict[str, int]
) -> pd.DataFrame:
    """Drop duplicate runs, sort by (point, replication, outcome order) and add the factor columns.

    A sweep in worlds keeps its ``world`` column after ``replication``.
    """
    frame = frame.drop_duplicates(["point", "replication", "outcome"])
    frame = frame.assign(_order=frame["outcome"].map(order))
    frame = frame.sort_values(["point", "replication", "_order"], kind="stable").drop(columns="_order")
    frame = frame.merge(points[["point", *factors]], on="point", how="left")
    world = ["world"] if "world" in frame.columns else []
    columns = ["experiment", "point", *factors, "replication", *world, "seed", "outcome", "value"]
    return frame[columns].reset_index(drop=True)


def _sorted_daily(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop duplicate runs and sort by (point, replication, day)."""
    frame = frame.drop_duplicates(["point", "replication", "day"])
    return frame.sort_values(["point", "replication", "day"], kind="stable").reset_index(drop=True)


def _empty_runs() -> pd.DataFrame:
    """Return an empty table of outcome rows."""
    import pandas as pd

    return pd.DataFrame(
        {
            "experiment": pd.Series([], dtype="str"),
            "point": pd.Series([], dtype="int64"),
            "replication": pd.Series([], dtype="int64"),
            "seed": pd.Series([], dtype="str"),
            "outcome": pd.Series([], dtype="str"),
            "value": pd.Series([], dtype="float64"),
        }
    )


def _empty_daily() -> pd.DataFrame:
    """Return an empty daily table (only its key columns: no run told which curves there are)."""
    return _empty_runs()[["experiment", "point", "replication"]].assign(day=_empty_runs()["point"])


def _write_frames(path: Path, frames: Iterable[pd.DataFrame], empty: pd.DataFrame) -> Path:
    """Write `frames` one after the other into one Parquet file, atomically (`empty` if there are none)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(handle: IO[bytes]) -> None:
        writer: pq.ParquetWriter | None = None
        try:
            for frame in frames:
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(handle, table.schema)
                writer.write_table(table.cast(writer.schema))
            if writer is None:
                pq.write_table(pa.Table.from_pandas(empty, preserve_index=False), handle)
        finally:
            if writer is not None:
                writer.close()

    return write_atomic(path, write)
