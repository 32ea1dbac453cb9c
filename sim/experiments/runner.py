"""Run a sweep: every (point, replication) of an experiment, streamed to disk, resumable, on any backend.

Every point runs on the same replication seeds (replication r of every point uses the
r-th child of the experiment's master seed: common random numbers), so differences
between points are the factors', not chance's.  Runs go to a backend (this process,
a local process pool or a Dask cluster) a bounded number at a time; finished runs are
committed to part files in batches (see `sim.experiments.store`), so memory does not
grow with the number of runs and an interrupted sweep loses at most one batch.  A
failed run is reported with its point and seed and retried once; if it fails again it
is recorded in ``failures.json``.  ``resume=True`` runs only what the folder lacks (also
after raising ``replications``: replication r's seed does not depend on their number).

With a ``precision`` target, replications are added in batches (``batch`` at a time, up
to ``max_reps``) to the points whose 95% CI half-width of the outcome is still too wide.

In worlds (``worlds: N`` in the experiment, or ``--worlds``), every point runs its
replications in each of the N worlds (`sim.worlds`): a point's run k is replication
``k % reps`` in world ``k // reps``, so run k of every point pairs with run k of every
other (same world, same seed) and a point's mean is over the assumptions' priors too.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.design import DesignPoints, make_design
from sim.experiments.executors import Backend, is_broken_pool, make_backend
from sim.experiments.load import ResolvedExperiment, verbatim
from sim.experiments.progress import SweepProgress
from sim.experiments.store import SweepStore
from sim.experiments.task import TaskOutput, TaskSpec
from sim.languages import N_, _, ngettext
from sim.output import to_json_text, write_parquet_atomic, write_text_atomic
from sim.scenario.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Failure", "SweepInterrupted", "SweepReport", "fingerprint", "run_sweep"]

PART_RUNS = 50
"""Runs per part file (a batch is also written after `FLUSH_SECONDS`)."""
FLUSH_SECONDS = 5.0
MAX_POOL_RESTARTS = 3
"""How many times a pool whose worker died is restarted before the sweep stops."""
MAX_POINT_PROBLEMS = 5
DESCRIPTION_FILES = ("points.parquet", "design.json", "experiment.yaml", "scenario.yaml", "sweep.json")
"""The files describing the sweep, written when it starts (the manifest again at the end)."""
WORLDS_FILES = ("worlds.parquet", "worlds.csv")
"""The worlds of a sweep in worlds: one row per world, one column per key path."""
INTERRUPTED = N_("interrupted")
POOL_KEEPS_DYING = N_("worker processes keep dying")
"""Why a sweep stopped early (`SweepInterrupted.reason`, in English; translated where shown)."""


@dataclass(frozen=True)
class Failure:
    """A run that failed twice."""

    point: int
    id: str
    replication: int
    seed: str
    error: str
    traceback: str
    overrides: dict[str, Any]

    def describe(self) -> str:
        """Return one line naming the run and its error."""
        return _("point {point} ({id}), replication {replication}, seed {seed}: {error}").format(
            point=self.point, id=self.id, replication=self.replication, seed=self.seed, error=self.error
        )


@dataclass(frozen=True)
class SweepReport:
    """What a finished sweep did."""

    experiment: str
    folder: Path
    backend: str
    total: int
    done: int
    ran: int
    seconds: float
    failures: tuple[Failure, ...] = ()
    files: tuple[Path, ...] = ()


class SweepInterrupted(Exception):
    """The sweep stopped early (Ctrl-C, SIGTERM, workers that keep dying); what finished is saved."""

    def __init__(self, folder: Path, done: int, total: int, reason: str = INTERRUPTED) -> None:
        self.folder, self.done, self.total, self.reason = folder, done, total, reason
        super().__init__(f"{reason}: {done} of {total} runs are saved in {folder}")


class _PoolKeepsDying(Exception):
    """Worker processes died more often than `MAX_POOL_RESTARTS`."""


def run_sweep(
    resolved: ResolvedExperiment,
    out: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    part_runs: int = PART_RUNS,
    flush_seconds: float = FLUSH_SECONDS,
    console: Console | None = None,
) -> SweepReport:
    """Run `resolved`'s sweep into folder `out`; raise SweepInterrupted if stopped before the end."""
    from rich.console import Console

    started = time.perf_counter()
    design = make_design(resolved.experiment)
    _check_points(resolved, design)
    store = SweepStore(Path(out))
    _open_folder(store, resolved, design, resume)
    backend = make_backend(workers or os.cpu_count() or 1, scheduler)
    sweeper = _Sweeper(resolved, design, store, backend, part_runs, flush_seconds)
    progress = SweepProgress(console or Console(stderr=True), resolved.name, 0)
    reps = resolved.experiment.max_replications
    total = len(design) * resolved.runs_per_point
    progress.note(
        _plan_text(resolved.worlds is not None, resolved.experiment.precision is not None, reps).format(
            name=resolved.name,
            points=ngettext("{count} point", "{count} points", len(design)).format(count=len(design)),
            worlds=(
                ngettext("{count} world", "{count} worlds", resolved.world_count).format(
                    count=resolved.world_count
                )
                if resolved.worlds is not None
                else ""
            ),
            reps=reps,
            backend=backend.name,
            out=out,
        )
    )
    try:
        with progress:
            sweeper.run(progress)
    except (KeyboardInterrupt, _PoolKeepsDying) as exc:
        reason = POOL_KEEPS_DYING if isinstance(exc, _PoolKeepsDying) else INTERRUPTED
        _write_manifest(store, resolved, design, "interrupted")
        raise SweepInterrupted(
            store.folder, len(store.finished()), sweeper.planned or total, reason
        ) from None
    return _finish(store, resolved, design, sweeper, backend, time.perf_counter() - started)


def _plan_text(worlds: bool, precision: bool, reps: int) -> str:
    """Return the message announcing a sweep: its points (x worlds) x replications, where it runs."""
    if not worlds and not precision:
        return ngettext(
            "{name}: {points} x {reps} replication on {backend} -> {out}",
            "{name}: {points} x {reps} replications on {backend} -> {out}",
            reps,
        )
    if not worlds:
        return ngettext(
            "{name}: {points} x up to {reps} replication on {backend} -> {out}",
            "{name}: {points} x up to {reps} replications on {backend} -> {out}",
            reps,
        )
    if not precision:
        return ngettext(
            "{name}: {points} x {worlds} x {reps} replication on {backend} -> {out}",
            "{name}: {points} x {worlds} x {reps} replications on {backend} -> {out}",
            reps,
        )
    return ngettext(
        "{name}: {points} x {worlds} x up to {reps} replication on {backend} -> {out}",
        "{name}: {points} x {worlds} x up to {reps} replications on {backend} -> {out}",
        reps,
    )


# -- the folder ---------------------------------------------------------------------------------------


def fingerprint(resolved: ResolvedExperiment, design: DesignPoints) -> str:
    """Return a hash of what fixes every run's rows: name, base scenario, points, seed and outcomes."""
    identity = {
        "experiment": resolved.name,
        "scenario": resolved.scenario,
        "points": [p.overrides for p in design.points],
        "columns": [p.columns for p in design.points],
        "seed": resolved.experiment.seed,
        "outcomes": resolved.experiment.outcomes,
    }
    if resolved.worlds is not None:
        identity["worlds"] = {
            "keys": [str(key) for key in resolved.worlds.columns],
            "rows": [[repr(value) for value in row] for row in resolved.worlds.itertuples()],
            "replications": resolved.experiment.max_replications,
        }
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _open_folder(store: SweepStore, resolved: ResolvedExperiment, design: DesignPoints, resume: bool) -> None:
    """Check the folder can take this sweep (resume only the same experiment); write its description."""
    import yaml

    from sim.scenario import scenario_from_dict, scenario_to_yaml

    previous = store.manifest()
    done = len(store.finished())
    if resume and done and (previous is None or previous.get("fingerprint") != fingerprint(resolved, design)):
        raise ScenarioError(
            str(store.folder),
            _(
                "holds runs of a different experiment (its base scenario, points, seed or outcomes differ):"
                " use another --out, or remove the folder to start again"
            ),
        )
    if not resume and done and (previous or {}).get("status") != "complete":
        raise ScenarioError(
            str(store.folder),
            _(
                "holds an unfinished sweep ({done} runs done): add --resume to finish it,"
                " or remove the folder (or use another --out) to start again"
            ).format(done=done),
        )
    if not resume:
        store.clear()
    store.prepare()
    folder = store.folder
    write_text_atomic(folder / "experiment.yaml", yaml.safe_dump(resolved.resolved(), sort_keys=False))
    write_text_atomic(folder / "scenario.yaml", scenario_to_yaml(scenario_from_dict(resolved.scenario)))
    write_parquet_atomic(folder / "points.parquet", design.table())
    write_text_atomic(folder / "design.json", to_json_text(design.describe(), indent=2) + "\n")
    _write_worlds(folder, resolved)
    _write_manifest(store, resolved, design, "running")


def _write_worlds(folder: Path, resolved: ResolvedExperiment) -> None:
    """Write the worlds of a sweep in worlds (``worlds.parquet``, ``worlds.csv``); remove stale ones."""
    from sim.worlds.run import worlds_csv

    for name in WORLDS_FILES:
        (folder / name).unlink(missing_ok=True)
    if resolved.worlds is not None:
        write_parquet_atomic(folder / "worlds.parquet", resolved.worlds.reset_index())
        write_text_atomic(folder / "worlds.csv", worlds_csv(resolved.worlds))


def _write_manifest(
    store: SweepStore, resolved: ResolvedExperiment, design: DesignPoints, status: str
) -> None:
    """Write ``sweep.json``: the experiment, its fingerprint, sizes and the sweep's status."""
    experiment = resolved.experiment
    store.write_manifest(
        {
            "experiment": resolved.name,
            "status": status,
            "fingerprint": fingerprint(resolved, design),
            "points": len(design),
            "replications": experiment.replications,
            "worlds": None if resolved.worlds is None else resolved.world_count,
            "priors": resolved.worlds_source,
            "precision": None if experiment.precision is None else experiment.precision.model_dump(),
            "seed": experiment.seed,
            "outcomes": experiment.outcomes,
            "runs_done": len(store.finished()),
        }
    )


def _check_points(resolved: ResolvedExperiment, design: DesignPoints) -> None:
    """Raise ScenarioError if a point makes an invalid scenario or ends before a curve-point outcome."""
    from sim.experiments.outcomes import curve_day
    from sim.scenario import scenario_from_dict

    last_day = max((d[1] for d in map(curve_day, resolved.experiment.outcomes) if d), default=0)
    problems: list[Problem] = []
    for point in design.points:
        try:
            scenario = scenario_from_dict(resolved.scenario, str(resolved.path), verbatim(point.overrides))
        except ScenarioError as exc:
            inner = "; ".join(p.render() for p in exc.problems) or exc.summary
            message = _("{values} make an invalid scenario: {problems}").format(
                values=_values(point.overrides), problems=inner
            )
            problems.append(Problem(_("point {index}").format(index=point.index), message))
        else:
            if scenario.horizon_days < last_day:
                message = _("ends on day {end}, before day {day} of an outcome").format(
                    end=scenario.horizon_days, day=last_day
                )
                problems.append(Problem(_("point {index}").format(index=point.index), message))
        if len(problems) >= MAX_POINT_PROBLEMS:
            break
    if problems:
        summary = _("some points of the design make invalid scenarios")
        raise ScenarioError(str(resolved.path), summary, problems)


def _values(overrides: dict[str, Any]) -> str:
    """Return a point's values as ``key=value, ...``."""
    return ", ".join(f"{key}={value}" for key, value in overrides.items()) or _("the base scenario's values")


def _finish(
    store: SweepStore,
    resolved: ResolvedExperiment,
    design: DesignPoints,
    sweeper: _Sweeper,
    backend: Backend,
    seconds: float,
) -> SweepReport:
    """Consolidate the final tables, write failures and the manifest; return the report."""
    experiment = resolved.experiment
    files = store.consolidate(design.table(), design.factors, experiment.outcomes, resolved.runs_per_point)
    failures_path = store.folder / "failures.json"
    if sweeper.failures:
        text = to_json_text([asdict(f) for f in sweeper.failures], indent=2) + "\n"
        files.append(write_text_atomic(failures_path, text))
    else:
        failures_path.unlink(missing_ok=True)
    _write_manifest(store, resolved, design, "incomplete" if sweeper.failures else "complete")
    files += [store.folder / name for name in DESCRIPTION_FILES]
    files += [store.folder / name for name in WORLDS_FILES if resolved.worlds is not None]
    done = len(store.finished())
    return SweepReport(
        resolved.name,
        store.folder,
        backend.name,
        sweeper.planned,
        done,
        sweeper.ran,
        seconds,
        tuple(sweeper.failures),
        tuple(files),
    )


# -- running ------------------------------------------------------------------------------------------


@dataclass
class _Sweeper:
    """Keep a backend busy with a bounded number of tasks; commit finished runs in batches."""

    resolved: ResolvedExperiment
    design: DesignPoints
    store: SweepStore
    backend: Backend
    part_runs: int
    flush_seconds: float
    failures: list[Failure] = field(default_factory=list)
    planned: int = 0
    ran: int = 0
    _inflight: dict[Any, tuple[TaskSpec, int]] = field(default_factory=dict)
    _retries: deque[tuple[TaskSpec, int]] = field(default_factory=deque)
    _buffer: list[TaskOutput] = field(default_factory=list)
    # the precision target's outcome of every committed run, by (point, replication)
    _target_values: dict[tuple[int, int], float] = field(default_factory=dict)
    _flushed_at: float = field(default_factory=time.monotonic)
    _restarts: int = 0

    def run(self, progress: SweepProgress) -> None:
        """Run every round of replications (one round, unless there is a precision target)."""
        self.progress = progress
        try:
            for replications in self._rounds():
                finished = self.store.finished()
                runs = sum(len(reps) for reps in replications.values())
                skipped = sum((p, r) in finished for p, reps in replications.items() for r in reps)
                self.planned += runs
                progress.plan(runs, skipped)
                self._execute(s for s in self._specs(replications) if s.key not in finished)
            self.backend.close(())
        except BaseException:
            self._harvest()
            self.backend.close(list(self._inflight))
            raise
        finally:
            self._flush(force=True)

    def _rounds(self) -> Iterator[dict[int, range]]:
        """Yield, round after round, the replications to run for each point."""
        experiment = self.resolved.experiment
        points = [p.index for p in self.design.points]
        if experiment.precision is None:
            yield {p: range(self.resolved.runs_per_point) for p in points}
            return
        target = experiment.precision
        self._target_values = self._committed_values(target.outcome)  # runs of an earlier, interrupted sweep
        have = dict.fromkeys(points, 0)
        wanted = points
        while wanted:
            step = {p: range(have[p], min(have[p] + target.batch, target.max_reps)) for p in wanted}
            yield step
            self._flush(force=True)
            for p, reps in step.items():
                have[p] = reps.stop
            wide = self._too_wide(target.outcome, target.half_width)
            wanted = [p for p in wanted if p in wide and have[p] < target.max_reps]

    def _committed_values(self, outcome: str) -> dict[tuple[int, int], float]:
        """Read `outcome` of every run already committed to the folder, by (point, replication)."""
        import pandas as pd

        parts = [self.store.folder / "runs" / f"{name}.parquet" for name in self.store.ledger()]
        columns = ["point", "replication", "value"]
        frames = [
            pd.read_parquet(path, columns=columns, filters=[("outcome", "==", outcome)]) for path in parts
        ]
        if not frames:
            return {}
        values = pd.concat(frames)
        return {(int(p), int(r)): float(v) for p, r, v in values.itertuples(index=False)}

    def _too_wide(self, outcome: str, half_width: float) -> set[int]:
        """Return the points whose 95% CI half-width of `outcome` exceeds `half_width` (or is unknown)."""
        from sim.results import ci_half_width

        by_point: dict[int, list[float]] = {p.index: [] for p in self.design.points}
        for (point, _replication), value in self._target_values.items():
            if not math.isnan(value):
                by_point[point].append(value)
        return {point for point, present in by_point.items() if ci_half_width(present) > half_width}

    def _specs(self, replications: dict[int, range]) -> Iterator[TaskSpec]:
        """Yield the tasks of one round, point by point.

        In worlds, a point's run k is replication ``k % reps`` (its seed) in world
        ``k // reps``: run k of every point is in the same world on the same seed.
        """
        experiment = self.resolved.experiment
        reps = experiment.max_replications
        worlds = self._world_values()
        for point in self.design.points:
            for run in replications.get(point.index, ()):
                where = (
                    {}
                    if worlds is None
                    else {
                        "world": worlds[run // reps][0],
                        "world_values": worlds[run // reps][1],
                        "seed_replication": run % reps,
                    }
                )
                yield TaskSpec(
                    experiment=self.resolved.name,
                    point=point.index,
                    replication=run,
                    seed=experiment.seed,
                    scenario=self.resolved.scenario,
                    overrides=point.overrides,
                    outcomes=tuple(experiment.outcomes),
                    **where,
                )

    def _world_values(self) -> list[tuple[int, dict[str, Any]]] | None:
        """Return each world's id and values as overrides, in order (None without worlds)."""
        from sim.worlds.priors import world_overrides

        table = self.resolved.worlds
        if table is None:
            return None
        return [(int(world), dict(world_overrides(row))) for world, row in table.iterrows()]

    def _execute(self, specs: Iterable[TaskSpec]) -> None:
        """Run `specs` (and their retries) to the end, committing finished runs as they come."""
        todo = iter(specs)
        while True:
            self._fill(todo)
            if not self._inflight:
                return
            done = self.backend.wait(list(self._inflight), self._timeout())
            self._collect(done)
            self._flush(force=False)

    def _fill(self, todo: Iterator[TaskSpec]) -> None:
        """Submit retries, then new tasks, until the backend's window is full."""
        while len(self._inflight) < self.backend.window:
            if self._retries:
                spec, attempt = self._retries.popleft()
            else:
                spec = next(todo, None)
                if spec is None:
                    return
                attempt = 1
            self._inflight[self.backend.submit(spec)] = (spec, attempt)

    def _timeout(self) -> float:
        """Return how long to wait for a run: at most until the next timed flush, at most a second."""
        if not self._buffer:
            return 1.0
        return min(1.0, max(0.05, self._flushed_at + self.flush_seconds - time.monotonic()))

    def _collect(self, done: Iterable[Any]) -> None:
        """Take the outputs (or errors) of finished futures; restart the pool if a worker died."""
        broken = False
        for future in done:
            spec, attempt = self._inflight.pop(future)
            try:
                output = future.result()
            except Exception as exc:
                broken = broken or is_broken_pool(exc)
                self._failed(spec, attempt, exc)
            else:
                self._buffer.append(output)
                self.ran += 1
                self.progress.advance()
        if broken:
            self._restart()

    def _restart(self) -> None:
        """Count every run still in the dead pool as failed once, and start a new pool."""
        lost = list(self._inflight.values())
        self._inflight.clear()
        for spec, attempt in lost:
            self._failed(spec, attempt, RuntimeError("a worker process died while this run was in the pool"))
        self._restarts += 1
        if self._restarts > MAX_POOL_RESTARTS:
            raise _PoolKeepsDying
        self.backend.restart()

    def _failed(self, spec: TaskSpec, attempt: int, error: BaseException) -> None:
        """Report a failed run; queue it again after a first failure, record it after a second."""
        point = self.design.points[spec.point]
        where = {"point": spec.point, "id": point.id, "replication": spec.replication, "seed": spec.seed_text}
        text = f"{type(error).__name__}: {error}"
        if attempt == 1:
            retrying = _(
                "run failed, retrying once:"
                " point {point} ({id}), replication {replication}, seed {seed}: {error}"
            )
            self.progress.note(retrying.format(**where, error=text))
            self._retries.append((spec, attempt + 1))
            return
        trace = "".join(traceback.format_exception(error))
        failure = Failure(
            spec.point, point.id, spec.replication, spec.seed_text, text, trace, dict(point.overrides)
        )
        self.failures.append(failure)
        recorded = _(
            "run failed again, recorded in failures.json:"
            " point {point} ({id}), replication {replication}, seed {seed}: {error}"
        )
        self.progress.failed(recorded.format(**where, error=text))

    def _harvest(self) -> None:
        """Keep the runs that finished while the sweep was being stopped."""
        for future, (_spec, _attempt) in list(self._inflight.items()):
            if future.done() and not future.cancelled() and future.exception() is None:
                self._buffer.append(future.result())
                del self._inflight[future]

    def _note_target_values(self, outputs: list[TaskOutput]) -> None:
        """Keep the precision target's outcome of newly committed runs (no need to read them back)."""
        target = self.resolved.experiment.precision
        if target is None:
            return
        for output in outputs:
            rows = output.runs.loc[output.runs["outcome"] == target.outcome, "value"]
            for value in rows:
                self._target_values[(output.point, output.replication)] = float(value)

    def _flush(self, force: bool) -> None:
        """Commit the buffered runs as one part when there are enough, or enough time passed, or `force`."""
        due = len(self._buffer) >= self.part_runs or time.monotonic() - self._flushed_at >= self.flush_seconds
        if self._buffer and (force or due):
            self.store.commit(self._buffer)
            self._note_target_values(self._buffer)
            self._buffer = []
        if force or due:
            self._flushed_at = time.monotonic()
