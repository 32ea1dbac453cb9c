"""The view data in a results folder: written by ``feesim run`` and ``compare``, read by ``feesim report``.

Besides their own files, ``run`` and ``compare`` write (each table with a ``variant`` column,
the scenario's name for ``run``):

- ``events.parquet``: every event record of replication 0 (time_h, day, weekday 0 = Monday,
  hour of day, kind, owner, unit, collector, outcome, value);
- ``activity.parquet``: fee-contact attempts, reached contacts and payments by weekday and hour,
  summed over all replications;
- ``funnel.parquet``: fee contacts by kind: attempts, reached, promised, kept, paid now, paid after
  a promise, summed over all replications;
- ``tickets.parquet``: one row per fee ticket of every replication (opened, fixed, escalated...);
- ``replications.parquet``: key figures of every replication, with staff cost and cost per
  10,000 CNY collected;
- ``compare`` only: ``scenarios.yaml``, each variant's merged scenario as one YAML document;
- ``command.json``: how the folder was made (command, scenario files as given, every ``--set``,
  the working folder and the output folder), for the report's title and its "Reproduce" line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.languages import _
from sim.views.errors import ViewError
from sim.views.logged import ViewTables

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario.schema import Scenario

__all__ = [
    "COMMAND_FILE",
    "COMPARE_VIEW_FILES",
    "VIEW_FILES",
    "Invocation",
    "ResultsFolder",
    "load_results",
    "write_view_data",
]

TABLES: tuple[str, ...] = ("events", "activity", "funnel", "tickets", "replications")
TABLE_FILES: tuple[str, ...] = tuple(f"{name}.parquet" for name in TABLES)
"""The view tables: a results folder without one of them cannot make a report."""
COMMAND_FILE = "command.json"
"""How the folder was made (an `Invocation`); folders written before it existed have none."""
VIEW_FILES: tuple[str, ...] = (*TABLE_FILES, COMMAND_FILE)
"""The view files ``feesim run`` writes, in order."""
COMPARE_VIEW_FILES: tuple[str, ...] = (*TABLE_FILES, "scenarios.yaml", COMMAND_FILE)
"""The view files ``feesim compare`` writes, in order."""
VARIANT_HEADER = "# variant: "


@dataclass(frozen=True)
class Invocation:
    """The command that made a results folder: enough to print it again, runnable."""

    command: str  # "run" or "compare"
    files: tuple[str, ...]  # the scenario files as given on the command line
    sets: tuple[str, ...]  # every --set KEY.PATH=VALUE, in order
    cwd: str  # the working folder the command ran in (absolute)
    out: str  # the output folder (absolute)

    def to_json(self) -> str:
        """Return the invocation as a JSON object."""
        return json.dumps(
            {"command": self.command, "files": list(self.files), "sets": list(self.sets),
             "cwd": self.cwd, "out": self.out},
            indent=2,
        ) + "\n"  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> Invocation:
        """Read an invocation written by `to_json`."""
        data = json.loads(text)
        return cls(
            command=str(data["command"]),
            files=tuple(str(f) for f in data["files"]),
            sets=tuple(str(s) for s in data["sets"]),
            cwd=str(data["cwd"]),
            out=str(data["out"]),
        )


def write_view_data(
    folder: Path,
    tables: Mapping[str, ViewTables],
    scenarios: Mapping[str, Scenario] | None = None,
    invocation: Invocation | None = None,
) -> list[Path]:
    """Write every variant's view tables (for a comparison, their merged scenarios; the invocation)."""
    from sim.compare import by_variant
    from sim.output import write_parquet_atomic, write_text_atomic

    written = []
    for name in TABLES:
        frame = by_variant({variant: getattr(t, name) for variant, t in tables.items()})
        written.append(write_parquet_atomic(folder / f"{name}.parquet", frame))
    if scenarios is not None:
        written.append(write_text_atomic(folder / "scenarios.yaml", scenarios_yaml(scenarios)))
    if invocation is not None:
        written.append(write_text_atomic(folder / COMMAND_FILE, invocation.to_json()))
    return written


def scenarios_yaml(scenarios: Mapping[str, Scenario]) -> str:
    """Return every variant's merged scenario as one YAML document headed by a ``# variant:`` comment."""
    from sim.scenario import scenario_to_yaml

    return "".join(f"---\n{VARIANT_HEADER}{name}\n{scenario_to_yaml(s)}" for name, s in scenarios.items())


def split_scenarios_yaml(text: str) -> dict[str, str]:
    """Return {variant: YAML text} from the text written by `scenarios_yaml`."""
    out: dict[str, str] = {}
    for document in text.split("---\n"):
        head, _, body = document.partition("\n")
        if head.startswith(VARIANT_HEADER):
            out[head.removeprefix(VARIANT_HEADER)] = body
    return out


@dataclass(frozen=True)
class ResultsFolder:
    """A results folder as the report sees it: one entry per variant (one for ``feesim run``)."""

    folder: Path
    kind: str  # "run" or "compare"
    seed: int
    reps: int
    summaries: dict[str, dict[str, Any]]
    daily: dict[str, pd.DataFrame]
    yaml: dict[str, str]
    tables: dict[str, ViewTables]
    invocation: Invocation | None = None

    @property
    def variants(self) -> list[str]:
        """Return the variant names in order (the first is the comparison's baseline)."""
        return list(self.summaries)


def load_results(folder: Path) -> ResultsFolder:
    """Read a results folder of ``feesim run`` or ``feesim compare``; raise ViewError if it is not one."""
    if not folder.is_dir():
        raise ViewError(
            _("{folder}: no such results folder (give the --out folder of feesim run or compare)").format(
                folder=folder
            )
        )
    kind = "compare" if (folder / "compare.json").is_file() else "run"
    head = "compare.json" if kind == "compare" else "summary.json"
    needed = [head, "daily.parquet", "scenarios.yaml" if kind == "compare" else "scenario.yaml", *TABLE_FILES]
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise ViewError(
            _(
                "{folder}: not a complete results folder of feesim run or compare; missing {missing} (run"
                " feesim run or feesim compare again with --out pointing there)"
            ).format(folder=folder, missing=", ".join(missing))
        )
    top = _read(folder / head, lambda p: json.loads(p.read_text(encoding="utf-8")))
    summaries = top["variants"] if kind == "compare" else {top["scenario"]: top}
    if kind == "compare":
        yaml = split_scenarios_yaml(_read(folder / "scenarios.yaml", lambda p: p.read_text(encoding="utf-8")))
    else:
        yaml = {top["scenario"]: _read(folder / "scenario.yaml", lambda p: p.read_text(encoding="utf-8"))}
    return ResultsFolder(
        folder=folder,
        kind=kind,
        seed=int(top["seed"]),
        reps=int(top["reps"]),
        summaries=summaries,
        daily=_by_variant(_parquet(folder / "daily.parquet"), list(summaries)),
        yaml=yaml,
        tables=_tables(folder, list(summaries)),
        invocation=_invocation(folder / COMMAND_FILE),
    )


def _invocation(path: Path) -> Invocation | None:
    """Read the folder's invocation, if it has one (ViewError if it cannot be read)."""
    if not path.is_file():
        return None
    return _read(path, lambda p: Invocation.from_json(p.read_text(encoding="utf-8")))


def _read(path: Path, read: Any) -> Any:
    """Call `read` on `path`; turn any failure into a ViewError naming the file."""
    try:
        return read(path)
    except Exception as exc:  # any unreadable file is a problem with the user's input
        raise ViewError(
            _("{path}: cannot read it ({error}: {reason})").format(
                path=path, error=type(exc).__name__, reason=exc
            )
        ) from None


def _parquet(path: Path) -> pd.DataFrame:
    """Read one Parquet table (ViewError if it cannot be read)."""
    import pandas as pd

    return _read(path, pd.read_parquet)


def _by_variant(frame: pd.DataFrame, variants: list[str]) -> dict[str, pd.DataFrame]:
    """Split a table on its `variant` column (a table without one belongs to the only variant)."""
    if "variant" not in frame.columns:
        return {variants[0]: frame}
    return {v: frame[frame["variant"] == v].drop(columns="variant").reset_index(drop=True) for v in variants}


def _tables(folder: Path, variants: list[str]) -> dict[str, ViewTables]:
    """Read the view tables and split them by variant."""
    split = {name: _by_variant(_parquet(folder / f"{name}.parquet"), variants) for name in TABLES}
    return {v: ViewTables(**{name: split[name][v] for name in TABLES}) for v in variants}
