"""Run every variant's replications in every world, on common random numbers, streamed to disk.

A world is one row of a worlds table (`sim.worlds.priors`): a value for each assumption's
key path.  Its values are applied as overrides on top of each variant's scenario (after
the variant's own ``--set`` overrides), so every variant meets the same worlds.
Replication r of every variant in every world runs on the same seed, the r-th child of
the master seed (`sim.rng.replication_seed`): a difference between two variants in one
world is the variants', not chance's, and the spread across worlds is the assumptions'.

Finished runs are committed in batches to a stream folder, in the layout of a sweep
(`sim.experiments.store.SweepStore`: ``runs/``, ``daily/``, ``ledger/`` parts and a
manifest), so a run killed at any moment (even by SIGKILL) loses at most one batch and
``resume=True`` runs only what the folder lacks.  The results are always read back from
the folder, so a resumed run gives exactly what an uninterrupted one gives, and every
run is a pure task of (scenario, seed), so they do not depend on the executor either.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.destination import RunIdentity
from sim.experiments.outcomes import DEFAULT_OUTCOMES
from sim.experiments.store import SweepStore
from sim.experiments.task import TaskOutput, seed_label
from sim.languages import _
from sim.rng import replication_seed
from sim.scenario.errors import ScenarioError
from sim.worlds.priors import scenario_in_world

if TYPE_CHECKING:
    import pandas as pd

    from sim.results import Replications
    from sim.scenario.schema import Scenario

__all__ = [
    "METRICS",
    "PART_RUNS",
    "WORLD_FILES",
    "WorldRuns",
    "WorldTask",
    "WorldsIdentity",
    "WorldsInterrupted",
    "across_worlds",
    "read_runs",
    "run_world_task",
    "run_worlds",
    "stream_folder",
    "world_scenarios",
    "worlds_csv",
    "write_world_tables",
]

METRICS: tuple[str, ...] = DEFAULT_OUTCOMES
"""The figures recorded per run (``days_to_*`` NaN when the target is not reached)."""
PART_RUNS = 50
"""Runs per streamed part (a part is also written after `FLUSH_SECONDS`)."""
FLUSH_SECONDS = 2.0
WORLD_FILES: tuple[str, ...] = ("worlds.parquet", "worlds.csv", "world_runs.parquet")
"""The files a worlds run adds to its output folder."""
_KPIS = "kpis"
"""Column of the streamed runs holding the run's key figures as JSON (for the summaries)."""
_KEYS = ["world", "variant", "replication"]


@dataclass(frozen=True)
class WorldTask:
    """One run: a variant's scenario in one world, and the replication whose seed it runs on."""

    world: int
    variant: str
    point: int
    """The store's key of (world, variant): ``world * len(variants) + variant's position``."""
    replication: int
    seed: int
    scenario: Scenario

    @property
    def key(self) -> tuple[int, int]:
        """Return (point, replication), the run's key in the stream folder."""
        return self.point, self.replication


@dataclass(frozen=True)
class WorldRuns:
    """What a worlds run produced: the tidy runs table and every variant's runs as replications."""

    runs: pd.DataFrame
    """One row per run: world, variant, replication, seed and one column per metric of `METRICS`."""
    results: dict[str, Replications]
    """Every variant's runs, ordered by (world, replication): run i of two variants pair up."""
    ran: int
    """Runs done by this call (the others were in the stream folder already)."""
    seconds: float


class WorldsInterrupted(Exception):
    """The run stopped early (Ctrl-C, SIGTERM); the finished runs are saved in the stream folder."""

    def __init__(self, folder: Path, done: int, total: int) -> None:
        self.folder, self.done, self.total = folder, done, total
        super().__init__(f"interrupted: {done} of {total} runs are saved in {folder}")


# -- the worlds' scenarios ---------------------------------------------------------------------------


def world_scenarios(
    variants: Mapping[str, Scenario], worlds: pd.DataFrame, source: str
) -> dict[tuple[int, str], Scenario]:
    """Return each variant's scenario in each world, by (world, variant); validated once each.

    Raise ScenarioError naming `source` (the priors or worlds file), the world and the
    variant when a world's values make an invalid scenario of a variant.
    """
    dumped = {name: scenario.model_dump(mode="json") for name, scenario in variants.items()}
    out: dict[tuple[int, str], Scenario] = {}
    for world, row in worlds.iterrows():
        for name, data in dumped.items():
            what = _("scenario of variant {name}").format(name=repr(name))
            out[int(world), name] = scenario_in_world(data, int(world), row, source, what)
    return out


def world_tasks(
    scenarios: Mapping[tuple[int, str], Scenario], variants: list[str], reps: int, seed: int
) -> list[WorldTask]:
    """Return every run, world by world, variant by variant, replication by replication."""
    worlds = sorted({world for world, _ in scenarios})
    return [
        WorldTask(world, name, world * len(variants) + v, rep, seed, scenarios[world, name])
        for world in worlds
        for v, name in enumerate(variants)
        for rep in range(reps)
    ]


# -- one run ---------------------------------------------------------------------------------------


def run_world_task(task: WorldTask) -> TaskOutput:
    """Run one replication of one variant in one world; return its figures row and daily curves."""
    import pandas as pd

    from sim.api import simulate
    from sim.experiments.outcomes import outcome_value

    seed = replication_seed(task.seed, task.replication)
    result = simulate(task.scenario, seed)
    keys = {"world": task.world, "variant": task.variant, "replication": task.replication}
    row = {
        **keys,
        "seed": seed_label(seed),
        **{name: outcome_value(name, result.kpis, result.daily) for name in METRICS},
        _KPIS: json.dumps(result.kpis, default=_plain),
    }
    daily = result.daily.copy()
    for position, (name, value) in enumerate(keys.items()):
        daily.insert(position, name, value)
    return TaskOutput(task.point, task.replication, pd.DataFrame([row]), daily)


def _plain(value: Any) -> Any:
    """Return a numpy number as a Python number, for JSON."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# -- the stream folder -------------------------------------------------------------------------------


def stream_folder(destination: Path) -> Path:
    """Return the stream folder of a worlds run whose results go to `destination`: hidden, beside it."""
    return destination.parent / f".{destination.name}.worlds-runs"


def fingerprint(variants: Mapping[str, Scenario], worlds: pd.DataFrame, seed: int) -> str:
    """Return a hash of what fixes every run: the variants' scenarios, the worlds and the seed.

    The number of replications is not part of it: replication r's seed does not depend on it.
    """
    from sim.scenario import scenario_to_yaml

    identity = {
        "variants": {name: scenario_to_yaml(scenario) for name, scenario in variants.items()},
        "keys": [str(key) for key in worlds.columns],
        "worlds": [[repr(value) for value in row] for row in worlds.itertuples()],
        "seed": seed,
        "metrics": list(METRICS),
    }
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _open_stream(store: SweepStore, identity: str, resume: bool, total: int) -> None:
    """Check the stream folder can take this run (resume only the same run); write its manifest."""
    done = len(store.finished())
    previous = store.manifest() or {}
    if done and not resume:
        message = _(
            "holds an unfinished worlds run ({done} runs done): add --resume to finish it,"
            " or remove the folder to start again"
        )
        raise ScenarioError(str(store.folder), message.format(done=done))
    if done and previous.get("fingerprint") != identity:
        raise ScenarioError(
            str(store.folder),
            _(
                "holds runs of a different worlds run (its scenarios, worlds or seed differ):"
                " remove the folder to start again"
            ),
        )
    if not done:
        store.clear()
    store.prepare()
    store.write_manifest({"kind": "worlds", "status": "running", "fingerprint": identity, "runs": total})


# -- running -----------------------------------------------------------------------------------------


def run_worlds(
    variants: Mapping[str, Scenario],
    worlds: pd.DataFrame,
    reps: int,
    seed: int,
    stream: Path,
    *,
    source: str = "the worlds",
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    part_runs: int = PART_RUNS,
    flush_seconds: float = FLUSH_SECONDS,
    progress: Callable[[int, int], None] | None = None,
) -> WorldRuns:
    """Run `reps` replications of every variant in every world, streaming to `stream`; read them back.

    The runs go to `workers` local processes, or to the Dask cluster at `scheduler` if
    given; every executor gives the same runs, bit for bit.  `progress`, if given, is
    called with (runs done, runs in all).  Raise WorldsInterrupted
    on Ctrl-C (the finished runs are committed first), ScenarioError on a bad world or a
    stream folder holding another run's (or, without `resume`, an unfinished) runs.
    """
    started = time.perf_counter()
    names = list(variants)
    scenarios = world_scenarios(variants, worlds, source)
    tasks = world_tasks(scenarios, names, reps, seed)
    store = SweepStore(stream)
    _open_stream(store, fingerprint(variants, worlds, seed), resume, len(tasks))
    finished = store.finished()
    todo = [task for task in tasks if task.key not in finished]
    done = len(tasks) - len(todo)
    if progress is not None:
        progress(done, len(tasks))
    try:
        ran = _execute(
            store, todo, (workers, scheduler), part_runs, flush_seconds, _counter(progress, done, len(tasks))
        )
    except KeyboardInterrupt:
        raise WorldsInterrupted(store.folder, len(store.finished()), len(tasks)) from None
    runs, results = read_runs(store, variants, worlds, reps, seed)
    store.write_manifest({**(store.manifest() or {}), "status": "complete"})
    return WorldRuns(runs, results, ran, time.perf_counter() - started)


def _counter(progress: Callable[[int, int], None] | None, done: int, total: int) -> Callable[[], None]:
    """Return a callback counting one more finished run towards `progress`."""
    count = [done]

    def advance() -> None:
        count[0] += 1
        if progress is not None:
            progress(count[0], total)

    return advance


def _execute(
    store: SweepStore,
    tasks: list[WorldTask],
    where: tuple[int, str | None],
    part_runs: int,
    flush_seconds: float,
    advance: Callable[[], None],
) -> int:
    """Run `tasks` where (workers, scheduler) says; commit finished runs in batches; return how many ran."""
    from sim.workers import local_backend, outputs_in_order

    if not tasks:
        return 0
    buffer: list[TaskOutput] = []
    flushed = time.monotonic()
    ran = 0
    try:
        workers, scheduler = where
        with local_backend(workers, run_world_task, scheduler, label="worlds") as backend:
            for output in outputs_in_order(backend, tasks):
                buffer.append(output)
                ran += 1
                advance()
                if len(buffer) >= part_runs or time.monotonic() - flushed >= flush_seconds:
                    store.commit(buffer)
                    buffer, flushed = [], time.monotonic()
    finally:
        if buffer:
            store.commit(buffer)
    return ran


# -- reading the runs back ---------------------------------------------------------------------------


def read_runs(
    store: SweepStore, variants: Mapping[str, Scenario], worlds: pd.DataFrame, reps: int, seed: int
) -> tuple[pd.DataFrame, dict[str, Replications]]:
    """Return the tidy runs table and every variant's replications, from the committed parts."""
    names = list(variants)
    parts = list(store.ledger())
    rows = _read_parts(store, "runs", parts, names, worlds, reps)
    daily = _read_parts(store, "daily", parts, names, worlds, reps)
    expected = len(worlds) * len(names) * reps
    if len(rows) != expected:
        message = _("holds {count} of the {expected} runs expected").format(
            count=len(rows), expected=expected
        )
        raise ScenarioError(str(store.folder), message)
    results = _replications(variants, rows, daily, seed)
    return rows.drop(columns=_KPIS), results


def _read_parts(
    store: SweepStore, kind: str, parts: Iterable[str], names: list[str], worlds: pd.DataFrame, reps: int
) -> pd.DataFrame:
    """Return the rows of every committed part of `kind` for these worlds, variants and replications.

    Duplicate runs (a batch committed twice around a kill) are dropped; rows are sorted by
    (world, variant in the given order, replication), and by day in the daily curves.
    """
    import pandas as pd

    frames = [pd.read_parquet(store.folder / kind / f"{name}.parquet") for name in parts]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_KEYS)
    keep = frame["world"].isin(worlds.index) & frame["variant"].isin(names) & (frame["replication"] < reps)
    frame = frame[keep]
    order = [*_KEYS, "day"] if kind == "daily" else _KEYS
    frame = frame.drop_duplicates(order)
    position = frame["variant"].map({name: k for k, name in enumerate(names)})
    frame = frame.assign(_variant=position).sort_values(
        ["world", "_variant", "replication", *order[3:]], kind="stable"
    )
    return frame.drop(columns="_variant").reset_index(drop=True)


def _replications(
    variants: Mapping[str, Scenario], rows: pd.DataFrame, daily: pd.DataFrame, seed: int
) -> dict[str, Replications]:
    """Return every variant's runs as replications (world by world), for the summaries of all runs."""
    import pandas as pd

    from sim.results import Replications, RunResult

    curves = {key: frame.drop(columns=_KEYS).reset_index(drop=True) for key, frame in daily.groupby(_KEYS)}
    results: dict[str, list[RunResult]] = {name: [] for name in variants}
    for world, name, rep, label, kpis in rows[[*_KEYS, "seed", _KPIS]].itertuples(index=False):
        run = RunResult(
            scenario=variants[name].name,
            seed=tuple(int(part) for part in label.split(":")),
            daily=curves[world, name, rep],
            kpis=json.loads(kpis),
            owners=pd.DataFrame(),
        )
        results[name].append(run)
    return {name: Replications(variants[name].name, seed, tuple(runs)) for name, runs in results.items()}


# -- figures across worlds ---------------------------------------------------------------------------


def across_worlds(runs: pd.DataFrame, metrics: Iterable[str] = METRICS) -> dict[str, dict[str, Any]]:
    """Return, per variant and metric, the median, p05 and p95 across worlds of the world's mean.

    A world's mean is over its replications; a ``days_to_*`` target not reached is left out
    (``worlds`` says in how many worlds some replication reached it).
    """
    out: dict[str, dict[str, Any]] = {}
    for name, frame in runs.groupby("variant", sort=False):
        per_world = frame.groupby("world")[list(metrics)].mean()
        out[str(name)] = {metric: _spread(per_world[metric].tolist()) for metric in metrics}
    return out


def _spread(values: list[float]) -> dict[str, Any]:
    """Return {median, p05, p95, worlds} of the values that are numbers (None where there are none)."""
    import numpy as np

    present = np.array([v for v in values if not math.isnan(v)], dtype=float)
    if not len(present):
        return {"median": None, "p05": None, "p95": None, "worlds": 0}
    low, mid, high = np.quantile(present, [0.05, 0.5, 0.95])
    return {"median": float(mid), "p05": float(low), "p95": float(high), "worlds": len(present)}


# -- the output folder -------------------------------------------------------------------------------


def worlds_csv(worlds: pd.DataFrame) -> str:
    """Return the worlds table as CSV text (``world`` first, then one column per key path)."""
    return worlds.reset_index().to_csv(index=False, lineterminator="\n")


def write_world_tables(folder: Path, worlds: pd.DataFrame, runs: pd.DataFrame) -> list[Path]:
    """Write ``worlds.parquet``, ``worlds.csv`` (the worlds) and ``world_runs.parquet`` (the runs)."""
    from sim.output import write_parquet_atomic, write_text_atomic

    return [
        write_parquet_atomic(folder / "worlds.parquet", worlds.reset_index()),
        write_text_atomic(folder / "worlds.csv", worlds_csv(worlds)),
        write_parquet_atomic(folder / "world_runs.parquet", runs),
    ]


@dataclass(frozen=True)
class WorldsIdentity(RunIdentity):
    """A run's identity (`sim.destination.RunIdentity`) that also holds its worlds, as ``worlds.csv``."""

    worlds_text: str = ""

    def holds_me(self, folder: Path) -> bool:
        """Tell whether `folder` holds this very run: same scenarios, seed, runs and worlds."""
        try:
            worlds = (folder / "worlds.csv").read_text(encoding="utf-8")
        except OSError:
            return False
        return worlds == self.worlds_text and super().holds_me(folder)
