"""``feesim sweep``: load an experiment, run its sweep, report.

Exit codes: 0 when every run finished; 1 when some runs failed twice (they are in
``failures.json``; ``--resume`` retries them); 2 on bad input (experiment file,
base scenario, output folder, scheduler address); 130 when interrupted (Ctrl-C or
SIGTERM: finished runs are saved, ``--resume`` finishes the rest).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from sim.experiments.load import Adjustments, ResolvedExperiment, load_experiment
from sim.experiments.runner import SweepInterrupted, SweepReport, run_sweep
from sim.experiments.schema import Precision
from sim.languages import _

__all__ = ["EXIT_FAILED_RUNS", "EXIT_INTERRUPTED", "sweep_command"]

EXIT_FAILED_RUNS = 1
EXIT_INTERRUPTED = 130


def sweep_command(
    experiment_file: Path,
    *,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    resume: bool,
    part_runs: int,
    precision: float | None = None,
    max_reps: int | None = None,
    settings: list[str] | None = None,
    reps: int | None = None,
    samples: int | None = None,
    worlds: int | None = None,
    priors: Path | None = None,
) -> None:
    """Run the sweep of `experiment_file` for the command line; exit with the documented codes.

    `settings` (``--set``) apply to the base scenario after the experiment's overrides;
    `reps` replaces the experiment's replications (with `precision`: the batch);
    `samples` replaces the design's sample count (`sim.experiments.load.SAMPLED_DESIGN_KEY`);
    `worlds` and `priors` (``--worlds``, ``--priors``) replace the experiment's worlds.
    """
    import typer

    from sim.console import EXIT_USAGE, error, fail_cleanly, sigterm_as_ctrl_c
    from sim.output import default_folder, ensure_folder
    from sim.scenario import parse_overrides

    if precision is not None and not (math.isfinite(precision) and precision > 0):
        error(
            _("--precision is a 95% CI half-width and must be a positive number, got {value}.").format(
                value=precision
            )
        )
        raise typer.Exit(EXIT_USAGE)
    if precision is not None and reps is not None and reps < 2:
        error(
            _(
                "--precision adds replications --reps at a time: give --reps of at least 2, got {reps}."
            ).format(reps=reps)
        )
        raise typer.Exit(EXIT_USAGE)
    with fail_cleanly():
        fixed_reps = reps if precision is None else None
        adjustments = Adjustments(parse_overrides(settings or []), fixed_reps, samples, worlds, priors)
        resolved = with_precision(load_experiment(experiment_file, adjustments), precision, max_reps, reps)
        if resolved.worlds is not None and resolved.experiment.precision is not None:
            error(_("--precision does not go with worlds: give --reps, the replications in each world."))
            raise typer.Exit(EXIT_USAGE)
        folder = ensure_folder(out if out is not None else default_folder(resolved.name))
    if scheduler and workers is not None:
        error(_("note: --workers is ignored with --scheduler (the Dask cluster has its own workers)"))
    try:
        with fail_cleanly(), sigterm_as_ctrl_c():
            report = run_sweep(
                resolved, folder, workers=workers, scheduler=scheduler, resume=resume, part_runs=part_runs
            )
    except SweepInterrupted as exc:
        error(
            _(
                "{reason}: {done} of {total} runs are saved in {folder}."
                " To finish the sweep, run the same command again with --resume."
            ).format(reason=_(exc.reason), done=exc.done, total=exc.total, folder=exc.folder)
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except KeyboardInterrupt:  # before any run started
        error(
            _(
                "interrupted: to finish the sweep in {folder}, run the same command again with --resume."
            ).format(folder=folder)
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    _print_report(report)
    if report.failures:
        lines = "\n".join(f"  - {failure.describe()}" for failure in report.failures)
        error(
            _(
                "{count} run(s) failed twice and are missing from the results (details in {path}):\n{lines}\n"
                "Run the same command with --resume to try them again."
            ).format(count=len(report.failures), path=report.folder / "failures.json", lines=lines)
        )
        raise typer.Exit(EXIT_FAILED_RUNS)


def with_precision(
    resolved: ResolvedExperiment, half_width: float | None, max_reps: int | None, batch: int | None = None
) -> ResolvedExperiment:
    """Apply ``--precision`` / ``--max-reps`` to an experiment: replications in batches to a CI half-width.

    The outcome is the experiment's precision outcome, else its first outcome; the batch
    is `batch` (``--reps``), else its precision batch, else its replications (at least 2).
    """
    if half_width is None:
        return resolved
    experiment = resolved.experiment
    old = experiment.precision
    data = {
        "outcome": old.outcome if old else experiment.outcomes[0],
        "half_width": half_width,
        "batch": batch or (old.batch if old else max(2, experiment.replications or 5)),
        "max_reps": max_reps or (old.max_reps if old else 100),
    }
    data["max_reps"] = max(data["max_reps"], data["batch"])
    target = Precision.model_validate(data)
    changed = experiment.model_copy(update={"precision": target, "replications": None})
    return dataclasses.replace(resolved, experiment=changed)


def _print_report(report: SweepReport) -> None:
    """Print what the sweep did and where the files are."""
    from rich.console import Console
    from rich.text import Text

    from sim.languages.formats import listing

    rate = report.ran / report.seconds if report.seconds > 0 else 0.0
    lines = [
        _(
            "feesim sweep: {experiment}: {done} of {total} runs in the results"
            " ({ran} new on {backend}, {seconds} s, {rate} runs/s)"
        ).format(
            experiment=report.experiment,
            done=report.done,
            total=report.total,
            ran=report.ran,
            backend=report.backend,
            seconds=f"{report.seconds:.1f}",
            rate=f"{rate:.2f}",
        ),
        _("written to {folder}: {files}").format(
            folder=report.folder, files=listing([p.name for p in report.files])
        ),
    ]
    console = Console()
    for line in lines:
        console.print(Text(line), soft_wrap=True)
