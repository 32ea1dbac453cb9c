"""``feesim plan``: load a search, run it (resumably) on a backend, write the folder, say what to run."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from sim.languages import _

__all__ = ["plan_command"]

FILES = ("plan.yaml", "plan.json", "plans.csv", "frontier.png", "report.html")


def plan_command(
    search_file: Path,
    *,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
) -> None:
    """Search the plans of `search_file` for the best within budget; write the recommendation."""
    import typer

    from sim.console import error, fail_cleanly, sigterm_as_ctrl_c
    from sim.experiments.store import SweepStore
    from sim.experiments.task import run_task
    from sim.output import ensure_folder
    from sim.plans.candidates import (
        affordable_collectors,
        candidate_plans,
        current_plan,
        enumerable,
        no_plan_within_collectors,
    )
    from sim.plans.generate import generate_plans
    from sim.plans.load import load_search
    from sim.plans.runs import PlanRuns
    from sim.plans.search import NoFeasiblePlan, run_search
    from sim.workers import local_backend

    with fail_cleanly():
        search = load_search(search_file)
        plans = candidate_plans(search) if enumerable(search) else []
        if not plans and not affordable_collectors(search):
            raise no_plan_within_collectors(search)
        folder = ensure_folder(out if out is not None else Path("results") / f"{search.name}-plan")
    store = SweepStore(folder / "runs")
    with fail_cleanly():
        _open(store, _identity(search), resume)
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    backend = local_backend(workers, run_task, scheduler, label="plan run")
    with sigterm_as_ctrl_c(), _Progress() as advance, fail_cleanly(), backend as pool:
        runs = PlanRuns(search, plans, store, pool, advance=advance)
        reused = runs.load()
        if not plans:
            plans = generate_plans(search, runs)
        current = current_plan(search, plans, free_index=max(runs.plans, default=-1) + 1)
        runs.add(current)
        try:
            found = run_search(runs, plans, current)
        except NoFeasiblePlan as exc:
            error(_("{file}: {problem}").format(file=search_file, problem=exc))
            raise typer.Exit(2) from None
    wall = time.perf_counter() - started
    files = _write(folder, search, found, wall, workers, reused)
    typer.echo(_summary(search, found, files, wall))


def _identity(search: Any) -> str:
    """Return a fingerprint of what the runs depend on: base scenario, levers, worlds, seed, outcomes."""
    worlds = None if search.worlds is None else search.worlds.to_json(orient="split", double_precision=15)
    text = json.dumps(
        {
            "scenario": search.scenario,
            "levers": {k: v.model_dump(mode="json") for k, v in search.search.levers.items()},
            "budget": search.search.budget.limits(),
            "candidates": search.search.candidates.model_dump(),
            "screening": search.search.screening.replications,
            "worlds": worlds,
            "seed": search.search.seed,
            "outcomes": list(search.outcomes),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _open(store: Any, identity: str, resume: bool) -> None:
    """Prepare the runs folder: keep its runs with --resume when they are this search's, else start afresh."""
    from sim.scenario.errors import ScenarioError

    manifest = store.manifest()
    if resume and manifest is not None and manifest.get("identity") != identity:
        raise ScenarioError(
            "--resume",
            _(
                "the runs in {folder} are of another search (its file, base scenario or seed changed): run"
                " without --resume to start afresh"
            ).format(folder=store.folder),
        )
    store.folder.mkdir(parents=True, exist_ok=True)
    if not resume:
        store.clear()
    store.prepare()
    store.write_manifest({"identity": identity})


class _Progress:
    """A progress bar on stderr (when it is a terminal) counting runs as they are committed."""

    def __enter__(self) -> Any:
        from rich.progress import MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from sim.console import stderr

        columns = (TextColumn("{task.description}"), MofNCompleteColumn(), TimeElapsedColumn())
        self.bar = Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal)
        self.bar.__enter__()
        task = self.bar.add_task(_("runs"), total=None)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)


def _write(folder: Path, search: Any, found: Any, wall: float, workers: int, reused: int) -> list[Path]:
    from sim.output import write_bytes_atomic, write_text_atomic
    from sim.plans.report import frontier_figure, render_plan_report
    from sim.plans.write import write_plan_files
    from sim.views.canvas import png_bytes

    facts = {"search": str(search.path), "seed": search.search.seed, "wall_seconds": round(wall, 1)}
    files = write_plan_files(folder, search, found, facts)
    files.append(write_bytes_atomic(folder / "frontier.png", png_bytes(frontier_figure(search, found))))
    took = (
        _("{runs} runs in {seconds} s on {workers} worker(s), {reused} of them from an interrupted search")
        if reused
        else _("{runs} runs in {seconds} s on {workers} worker(s)")
    )
    lines = [
        _("Search {file} ({name}), seed {seed}").format(
            file=search.path, name=search.name, seed=search.search.seed
        ),
        took.format(
            runs=f"{found.evaluated_runs:,}", seconds=f"{wall:.0f}", workers=workers, reused=f"{reused:,}"
        ),
        _("Run it: feesim run plan.yaml (in this folder)"),
    ]
    files.append(write_text_atomic(folder / "report.html", render_plan_report(search, found, lines)))
    return files


def _summary(search: Any, found: Any, files: list[Path], wall: float) -> str:
    """Return what the command prints: the recommendation in a sentence, then the files (80 columns)."""
    from sim.languages.wrap import wrap
    from sim.plans.write import headline

    lines = wrap(headline(search, found), 79)
    lines += wrap(
        _(
            "{runs} runs in {seconds} s; {survivors} of {plans} plans survived screening (equal replication"
            " would need about {naive} runs)."
        ).format(
            runs=f"{found.evaluated_runs:,}",
            seconds=f"{wall:.0f}",
            survivors=len(found.survivors),
            plans=sum(1 for s in found.summaries if s.status != "current"),
            naive=f"{found.naive_runs:,}",
        ),
        79,
    )
    return "\n".join([*lines, "", *(_("wrote {path}").format(path=f) for f in files)])
