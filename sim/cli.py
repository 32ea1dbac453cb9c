"""Command line interface: ``feesim run``, ``feesim compare``, ``feesim validate``, ``feesim schema``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from sim.scenario import Scenario, ScenarioError, load_scenario, parse_overrides

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.table import Table

    from sim.results import Replications, RunResult

__all__ = ["EXIT_USAGE", "app", "error", "fail_cleanly", "main"]

EXIT_USAGE = 2
"""Exit code for bad input from the user (same as Typer/Click usage errors)."""

app = typer.Typer(
    name="feesim",
    help="Simulate property-fee collection campaigns described by scenario YAML files.",
    no_args_is_help=True,
    add_completion=False,
)

_stderr = Console(stderr=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY.PATH=VALUE",
        help="Override a scenario value (YAML syntax), e.g. --set team.collectors=6. Repeatable.",
    ),
]

ReportOption = Annotated[
    bool, typer.Option("--report", help="Also write report.html, the self-contained report of the results.")
]


def error(message: str) -> None:
    """Print an error message to stderr, verbatim (no markup, no wrapping)."""
    _stderr.print(message, markup=False, highlight=False, soft_wrap=True)


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


def _describe_os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return f"error: {reason}"
    target = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else str(exc.filename)
    return f"{target}: {reason}"


@app.callback()
def _root() -> None:
    """Simulate property-fee collection campaigns described by scenario YAML files."""


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.", show_default=False)],
    set_: SetOption = None,
) -> None:
    """Check scenario files; print 'ok' or the problems for each one (exit 2 if any is bad)."""
    with fail_cleanly():
        overrides = parse_overrides(set_ or [])
    bad = 0
    for path in files:
        try:
            scenario = load_scenario(path, overrides)
        except ScenarioError as exc:
            bad += 1
            error(exc.message)
        else:
            typer.echo(f"ok  {path} (name: {scenario.name})")
    if bad:
        raise typer.Exit(EXIT_USAGE)


PrecisionOption = Annotated[
    float | None,
    typer.Option(
        "--precision",
        metavar="HALF_WIDTH",
        help="Add replications (--reps at a time) until the 95% CI half-width of --outcome is at most this.",
        show_default=False,
    ),
]
OutcomeOption = Annotated[
    str, typer.Option("--outcome", help="The key figure --precision is about (e.g. days_to_80).")
]
MaxRepsOption = Annotated[
    int, typer.Option("--max-reps", min=2, help="Most replications per variant with --precision.")
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        help="Worker processes for the replications (1: in this process); the results are the same.",
    ),
]


def _precision_target(precision: float | None, outcome: str, reps: int, max_reps: int) -> Any:
    """Return the precision target of --precision (None without it); exit 2 on a bad combination."""
    if precision is None:
        return None
    from sim.experiments.outcomes import FIGURE_OUTCOMES
    from sim.precision import Target

    if not precision > 0:
        error(f"--precision is a 95% CI half-width and must be positive, got {precision}.")
        raise typer.Exit(EXIT_USAGE)
    if outcome not in FIGURE_OUTCOMES:
        error(f"--outcome {outcome!r} is not a key figure; expected one of: {', '.join(FIGURE_OUTCOMES)}.")
        raise typer.Exit(EXIT_USAGE)
    if reps < 2 or max_reps < reps:
        error(f"--precision needs --reps of at least 2 and --max-reps ({max_reps}) >= --reps ({reps}).")
        raise typer.Exit(EXIT_USAGE)
    return Target(half_width=precision, outcome=outcome, batch=reps, max_reps=max_reps)


@app.command()
def schema() -> None:
    """Print the JSON schema of scenario files."""
    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))


@app.command()
def run(
    scenario_file: Annotated[
        Path, typer.Argument(metavar="SCENARIO", help="Scenario YAML file.", show_default=False)
    ],
    reps: Annotated[int, typer.Option("--reps", min=1, help="Number of replications.")] = 10,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Master seed; replication r uses its r-th child.")
    ] = 0,
    set_: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Output folder (default: results/<scenario name>).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object on stdout.")
    ] = False,
    report: ReportOption = False,
    precision: PrecisionOption = None,
    outcome: OutcomeOption = "final_paid_share",
    max_reps: MaxRepsOption = 200,
    workers: WorkersOption = 1,
) -> None:
    """Run replications of a scenario; print a summary and write daily curves, summary and plot."""
    from sim.output import default_folder, ensure_folder, to_json_text, write_results

    target = _precision_target(precision, outcome, reps, max_reps)
    with fail_cleanly():
        scenario = load_scenario(scenario_file, parse_overrides(set_ or []))
        folder = ensure_folder(out if out is not None else default_folder(scenario.name))
    views: dict[str, Any] = {}
    variants = {scenario.name: scenario}
    if target is None:
        runs, walls = _replicate_variants_with_progress(variants, reps, seed, views, workers)
    else:
        runs, walls = _replicate_to_precision(variants, seed, target, views, workers)
    results, wall = runs[scenario.name], walls[scenario.name]
    summary = _run_summary(results, wall, folder)
    with _fail_cleanly_in_views():
        written = write_results(folder, scenario, results, summary)
        written += _write_views(
            folder, views, None, report, _invocation("run", [scenario_file], set_, folder)
        )
    if as_json:
        typer.echo(to_json_text(summary))
    else:
        Console().print(_summary_table(scenario, summary, [p.name for p in written]))


def _run_summary(results: Replications, wall: float, folder: Path) -> dict[str, Any]:
    """Return the fields of ``feesim run --json`` for one scenario's replications."""
    return {**results.summary(), "wall_seconds": round(wall, 3), "output": str(folder)}


def _progress_bar() -> Progress:
    """Return a transient progress bar on stderr, shown only if stderr is a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=_stderr, transient=True, disable=not _stderr.is_terminal)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _share_with_ci(figure: dict[str, Any]) -> str:
    """Format a share and its 95% CI, e.g. '58.5% (95% CI 54.0%–63.0%)'."""
    if figure["ci_low"] is None:
        return f"{_percent(figure['mean'])} (95% CI needs 2+ replications)"
    return f"{_percent(figure['mean'])} (95% CI {_percent(figure['ci_low'])}–{_percent(figure['ci_high'])})"


def _days_to(entry: dict[str, Any], reps: int) -> str:
    """Format days to a target, e.g. '24.9 days (reached 3/3)' or 'not reached (0/3)'."""
    if entry["mean"] is None:
        return f"not reached (0/{reps})"
    return f"{entry['mean']:.1f} days (reached {entry['reached']}/{reps})"


def _per_rep(figure: dict[str, Any], unit: str = "", digits: int = 1) -> str:
    """Format a per-replication mean with its CI, e.g. '920 per replication (95% CI 866–974)'."""
    text = f"{figure['mean']:,.{digits}f}{unit} per replication"
    if figure["ci_low"] is None or figure["ci_high"] - figure["ci_low"] < 1e-9:
        return text
    return f"{text} (95% CI {figure['ci_low']:,.{digits}f}–{figure['ci_high']:,.{digits}f}{unit})"


def _summary_sections(
    scenario: Scenario, summary: dict[str, Any], files: list[str]
) -> list[list[tuple[str, str]]]:
    """Return the rows of the readable summary, grouped in sections."""
    reps = summary["reps"]
    setup = [
        ("scenario", scenario.name),
        *([("description", scenario.description)] if scenario.description else []),
        ("households", f"{scenario.community.households:,}"),
        ("horizon", f"{scenario.horizon_days} days from {scenario.start_date}"),
        ("replications / seed", f"{reps} / {summary['seed']}"),
    ]
    outcome = [
        ("final paid share (households)", _share_with_ci(summary["final_paid_share"])),
        ("final paid share (money)", _share_with_ci(summary["final_money_share"])),
        *((f"days to {k}% of households paid", _days_to(v, reps)) for k, v in summary["days_to"].items()),
    ]
    effort = [
        ("calls", _per_rep(summary["calls"])),
        ("reached (right-party contacts)", _per_rep(summary["reached"])),
        ("reached per call", _rate(summary["contacts"].get("right_party_rate"))),
        ("staff hours", _per_rep(summary["staff_hours"], " h")),
        ("collectors on fee work", _per_rep(summary["busy_hours"], " h")),
        ("collectors on other duties", _per_rep(summary["duty_hours"], " h")),
        ("team morale over the campaign (1 = fresh)", _per_rep(summary["morale_mean"], digits=3)),
        ("events", f"{summary['events']:,} in all ({summary['events'] / reps:,.0f} per replication)"),
    ]
    promises, tickets = summary["promises"], summary["tickets"]
    wait = tickets["mean_wait_hours"]
    activity = [
        ("promises made / kept / broken", f"{_counts(promises, ('made', 'kept', 'broken'))} per replication"),
        (
            "tickets opened / fixed / escalated",
            f"{_counts(tickets, ('opened', 'fixed', 'escalated'))} per replication"
            f" (mean wait {'n/a' if wait is None else f'{wait:,.1f} h'})",
        ),
        ("hostile encounters", f"{summary['hostile']:,.1f} per replication"),
        ("owners who complained about being chased", f"{summary['complaints']:,.1f} per replication"),
    ]
    run_info = [
        ("wall time (replications)", f"{summary['wall_seconds']:.2f} s"),
        ("written to", f"{summary['output']}"),
        ("files", ", ".join(files)),
    ]
    return [setup, outcome, effort, activity, run_info]


def _rate(value: float | None) -> str:
    """Format a rate as a percentage ('n/a' when there is none)."""
    return "n/a" if value is None else f"{value:.1%}"


def _counts(figures: dict[str, Any], names: tuple[str, ...]) -> str:
    """Format mean counts side by side, e.g. '12.3 / 8.0 / 2.5'."""
    return " / ".join(f"{figures[name]:,.1f}" for name in names)


def _summary_table(scenario: Scenario, summary: dict[str, Any], files: list[str]) -> Table:
    """Build the readable summary of a run as a two-column table (values shown verbatim, no markup)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"feesim run: {scenario.name}", show_header=False, title_justify="left")
    table.add_column("figure", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for section in _summary_sections(scenario, summary, files):
        for name, value in section:
            table.add_row(Text(name), Text(value))
        table.add_section()
    return table


# -- feesim compare ----------------------------------------------------------------------------------


@app.command()
def compare(
    scenario_files: Annotated[
        list[Path],
        typer.Argument(
            metavar="SCENARIO...",
            help="Two or more scenario YAML files; the first one is the baseline of the paired differences.",
            show_default=False,
        ),
    ],
    reps: Annotated[int, typer.Option("--reps", min=1, help="Number of replications of each variant.")] = 10,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", min=0, help="Master seed, the same for every variant (common random numbers)."
        ),
    ] = 0,
    set_: SetOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Output folder (default: results/compare-<first>-vs-<second>...).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the comparison as one JSON object on stdout.")
    ] = False,
    report: ReportOption = False,
    precision: PrecisionOption = None,
    outcome: OutcomeOption = "final_paid_share",
    max_reps: MaxRepsOption = 200,
    workers: WorkersOption = 1,
) -> None:
    """Run scenario variants on the same seeds; print their summaries and paired differences to the first."""
    from sim.compare import daily_table, variant_names
    from sim.output import compare_folder, ensure_folder, to_json_text, write_comparison

    if len(scenario_files) < 2:
        error(f"feesim compare needs at least two scenario files to compare, got {len(scenario_files)}.")
        raise typer.Exit(EXIT_USAGE)
    target = _precision_target(precision, outcome, reps, max_reps)
    with fail_cleanly():
        overrides = parse_overrides(set_ or [])
        scenarios = [load_scenario(path, overrides) for path in scenario_files]
        names = variant_names(scenario_files, [s.name for s in scenarios])
        folder = ensure_folder(out if out is not None else compare_folder(names))
    variants, views = dict(zip(names, scenarios, strict=True)), {}
    if target is None:
        runs, walls = _replicate_variants_with_progress(variants, reps, seed, views, workers)
    else:
        runs, walls = _replicate_to_precision(variants, seed, target, views, workers)
    comparison = _comparison(runs, walls, seed, folder)
    with _fail_cleanly_in_views():
        written = write_comparison(folder, comparison, daily_table(runs))
        invocation = _invocation("compare", scenario_files, set_, folder)
        written += _write_views(folder, views, variants, report, invocation)
    if as_json:
        typer.echo(to_json_text(comparison))
    else:
        _print_comparison(comparison, [p.name for p in written])


def _replicate_to_precision(
    variants: dict[str, Scenario], seed: int, target: Any, views: dict[str, Any], workers: int
) -> tuple[dict[str, Replications], dict[str, float]]:
    """Replicate every variant in batches until the precision target holds; keep the view tables too."""
    from sim.precision import Job, replicate_variants_until
    from sim.views.logged import LoggedJob, LoggedRuns

    logged = LoggedRuns()
    with _progress_bar() as bar, _worker_pool(workers) as backend:
        task = bar.add_task("replications to precision", total=target.max_reps * len(variants))

        def run_many(jobs: list[Job]) -> Iterator[RunResult]:
            yield from logged.results(backend, (LoggedJob(*job) for job in jobs))  # type: ignore[arg-type]

        started = time.perf_counter()
        runs = replicate_variants_until(
            variants, seed, target, lambda done: bar.update(task, completed=done), run_many=run_many
        )
        wall = time.perf_counter() - started
    views.update(logged.tables())
    return runs, {name: wall / len(variants) for name in variants}


def _replicate_variants_with_progress(
    variants: dict[str, Scenario], reps: int, seed: int, views: dict[str, Any], workers: int
) -> tuple[dict[str, Replications], dict[str, float]]:
    """Replicate every variant on the same master seed under one progress bar; return runs and wall times.

    Each variant's event logs are reduced to the report's tables, stored in `views` by variant.  A
    variant's wall time runs from the end of the one before to the end of its last replication.
    """
    from sim.results import Replications
    from sim.rng import replication_seeds
    from sim.views.logged import LoggedJob, LoggedRuns

    seeds = replication_seeds(seed, reps)
    jobs = [
        LoggedJob(name, scenario, rep, seeds[rep])
        for name, scenario in variants.items()
        for rep in range(reps)
    ]
    logged, results = LoggedRuns(), {name: [] for name in variants}
    walls: dict[str, float] = {}
    with _progress_bar() as bar, _worker_pool(workers) as backend:
        task = bar.add_task("replications", total=len(jobs))
        last_end = time.perf_counter()
        for done, (job, result) in enumerate(zip(jobs, logged.results(backend, jobs), strict=True), start=1):
            bar.update(task, description=f"{job.name}: replications", completed=done)
            results[job.name].append(result)
            if len(results[job.name]) == reps:
                now = time.perf_counter()
                walls[job.name], last_end = now - last_end, now
    views.update(logged.tables())
    return {name: Replications(variants[name].name, seed, tuple(rs)) for name, rs in results.items()}, walls


@contextmanager
def _worker_pool(workers: int) -> Iterator[Any]:
    """Run logged replications here (1) or on `workers` processes; a worker's death is a clean error."""
    from concurrent.futures.process import BrokenProcessPool

    from sim.experiments.executors import local_backend
    from sim.views.logged import run_logged

    try:
        with local_backend(workers, run_logged) as backend:
            yield backend
    except BrokenProcessPool:
        error(
            f"A worker process died, or sent back an error this process could not read, while running "
            f"the replications (--workers {workers}); no results were written. If the machine is short "
            "of memory, run again with fewer workers; run with --workers 1 to see an error in full."
        )
        raise typer.Exit(1) from None


def _comparison(
    runs: dict[str, Replications], walls: dict[str, float], seed: int, folder: Path
) -> dict[str, Any]:
    """Return the fields of ``feesim compare --json``: every variant's summary and its paired differences."""
    from sim.compare import paired_against

    baseline, *others = runs
    return {
        "baseline": baseline,
        "reps": len(runs[baseline]),
        "seed": seed,
        "variants": {name: _run_summary(results, walls[name], folder) for name, results in runs.items()},
        "paired": {name: paired_against(runs[name], runs[baseline]) for name in others},
        "wall_seconds": round(sum(walls.values()), 3),
        "output": str(folder),
    }


def _print_comparison(comparison: dict[str, Any], files: list[str]) -> None:
    """Print the variants table, the paired-differences table and where the files went."""
    from rich.text import Text

    console = Console()
    console.print(_variants_table(comparison))
    console.print()
    console.print(_paired_table(comparison))
    console.print(Text(f"written to {comparison['output']}: {', '.join(files)}"), soft_wrap=True)


def _variants_table(comparison: dict[str, Any]) -> Table:
    """Build one row per variant: final paid share, days to the targets, staff hours, calls."""
    from rich import box
    from rich.table import Table

    reps = comparison["reps"]
    noun = "replication" if reps == 1 else "replications"
    table = Table(
        title=f"feesim compare: {reps} {noun} per variant, seed {comparison['seed']}",
        title_justify="left",
        caption=(
            "paid: final share of households paid, ± half-width of its 95% CI;"
            " to N%: mean days until N% paid (replications that reached it / all)"
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("variant", style="bold", overflow="fold")
    table.add_column("paid ± 95% CI", justify="right", no_wrap=True)
    first = next(iter(comparison["variants"].values()))
    for target in first["days_to"]:
        table.add_column(f"to {target}%", justify="right", no_wrap=True)
    table.add_column("staff h", justify="right", no_wrap=True)
    table.add_column("calls", justify="right", no_wrap=True)
    for name, summary in comparison["variants"].items():
        table.add_row(*(_plain(cell) for cell in _variant_row(name, summary)))
    return table


def _variant_row(name: str, summary: dict[str, Any]) -> list[str]:
    """Return the cells of one variant's row."""
    reps, final = summary["reps"], summary["final_paid_share"]
    share = _percent(final["mean"])
    if final["ci_low"] is not None:
        share += f" ± {100 * (final['ci_high'] - final['ci_low']) / 2:.1f}"
    days = [_days_cell(entry, reps) for entry in summary["days_to"].values()]
    return [
        name,
        share,
        *days,
        f"{summary['staff_hours']['mean']:,.0f}",
        f"{summary['calls']['mean']:,.0f}",
    ]


def _days_cell(entry: dict[str, Any], reps: int) -> str:
    """Format days to a target with the reached count, e.g. '24.9 (3/4)' or '– (0/4)'."""
    days = "–" if entry["mean"] is None else f"{entry['mean']:.1f}"
    return f"{days} ({entry['reached']}/{reps})"


def _paired_table(comparison: dict[str, Any]) -> Table:
    """Build one row per variant after the first: paired differences with their 95% CIs."""
    from rich import box
    from rich.table import Table

    baseline = comparison["baseline"]
    table = Table(
        title=f"paired differences, variant − {baseline} (mean over replications, 95% CI)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("variant", style="bold", overflow="fold")
    table.add_column("final paid share")
    table.add_column("days to 80%")
    table.add_column("staff hours")
    for name, paired in comparison["paired"].items():
        cells = [
            name,
            _difference(paired["final_paid_share"], 100, " pp"),
            _difference(paired["days_to_80"], 1, " days"),
            _difference(paired["staff_hours"], 1, " h"),
        ]
        table.add_row(*(_plain(cell) for cell in cells))
    return table


def _difference(entry: dict[str, Any], scale: float, unit: str) -> str:
    """Format a paired difference, e.g. '+3.2 pp (+1.0 to +5.4)' or 'n/a (0 pairs)'."""
    pairs = entry.get("pairs")
    counted = "" if pairs is None else f"{pairs} pair{'' if pairs == 1 else 's'}"
    if entry["mean"] is None:
        return f"n/a ({counted or 'no data'})"
    text = f"{scale * entry['mean']:+,.1f}{unit}"
    if entry["ci_low"] is None:
        return f"{text} (no CI, {counted or 'too few replications'})"
    ci = f"{scale * entry['ci_low']:+,.1f} to {scale * entry['ci_high']:+,.1f}"
    return f"{text} ({ci}{', ' + counted if counted else ''})"


def _plain(cell: str) -> Any:
    """Wrap a cell as plain text so names and values are shown verbatim (no markup)."""
    from rich.text import Text

    return Text(cell)


@app.command()
def analyze(
    results_dir: Annotated[
        Path,
        typer.Argument(metavar="RESULTS_DIR", help="Output folder of a finished sweep.", show_default=False),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as one JSON object.")] = False,
) -> None:
    """Analyse a sweep: point means and CIs, sensitivity indices, the best lever settings; write figures."""
    from sim.experiments.analyze import analyze as analyze_sweep
    from sim.output import to_json_text

    with fail_cleanly():
        analysis = analyze_sweep(results_dir)
    if as_json:
        typer.echo(to_json_text(analysis))
    else:
        _print_analysis(analysis, results_dir)


def _print_analysis(analysis: dict[str, Any], folder: Path) -> None:
    """Print the best lever settings and the leading sensitivity indices of an analysis."""
    console = Console()
    for outcome, best in (analysis.get("best_levers") or {}).items():
        if best is None:
            continue
        d = best["paired_difference"]
        ci = "n/a" if d["ci_low"] is None else f"{d['ci_low']:+.4g} to {d['ci_high']:+.4g}"
        setting = ", ".join(f"{k}={v}" for k, v in best["best"].items() if k != "point")
        console.print(
            f"{outcome} ({best['direction']}): best {setting} = {best['best_mean']:.4g}; "
            f"vs runner-up {d['mean']:+.4g} (95% CI {ci})",
            markup=False,
        )
    for outcome, indices in (analysis.get("sensitivity") or {}).get("0", {}).items():
        if indices:
            key = "ST" if "ST" in next(iter(indices.values())) else "mu_star"
            ranked = sorted(indices.items(), key=lambda item: -item[1][key])
            text = ", ".join(f"{name} {values[key]:.3f}" for name, values in ranked)
            console.print(f"{outcome}: {key} {text}", markup=False)
    files = ", ".join(["analysis.json", "points_summary.csv", *analysis["figures"]])
    console.print(f"written to {folder}: {files}")


@app.command()
def sweep(
    experiment_file: Annotated[
        Path, typer.Argument(metavar="EXPERIMENT", help="Experiment YAML file.", show_default=False)
    ],
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Local worker processes (default: CPU count; 1: in-process)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Output folder (default: results/<experiment name>)."),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted sweep in --out.")] = False,
    part_runs: Annotated[int, typer.Option("--part-runs", min=1, help="Runs per streamed part file.")] = 50,
    precision: PrecisionOption = None,
    max_reps: Annotated[
        int | None, typer.Option("--max-reps", min=2, help="Most replications per point with --precision.")
    ] = None,
) -> None:
    """Run an experiment's design on common random numbers; stream tidy results to Parquet."""
    from sim.experiments.command import sweep_command

    sweep_command(
        experiment_file,
        workers=workers,
        scheduler=scheduler,
        out=out,
        resume=resume,
        part_runs=part_runs,
        precision=precision,
        max_reps=max_reps,
    )


# -- views: feesim report, story, animate ----------------------------------------------------------


@contextmanager
def _fail_cleanly_in_views() -> Iterator[None]:
    """Like `fail_cleanly`, and also turn a ViewError (bad folder, unit, pick, output file) into exit 2."""
    from sim.views.errors import ViewError

    try:
        with fail_cleanly():
            yield
    except ViewError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def _write_views(
    folder: Path,
    views: dict[str, Any],
    scenarios: dict[str, Scenario] | None,
    report: bool,
    invocation: Any = None,
) -> list[Path]:
    """Write the view tables (and the merged scenarios of a comparison); with `report`, the HTML report."""
    from sim.views.folder import write_view_data
    from sim.views.report import write_report

    written = write_view_data(folder, views, scenarios, invocation)
    return [*written, write_report(folder)] if report else written


def _invocation(command: str, files: list[Path], sets: list[str] | None, folder: Path) -> Any:
    """Return how ``run`` or ``compare`` was called (files as given, every --set), for the report."""
    from sim.views.folder import Invocation

    return Invocation(
        command=command,
        files=tuple(str(f) for f in files),
        sets=tuple(sets or ()),
        cwd=str(Path.cwd()),
        out=str(folder.resolve()),
    )


@app.command()
def report(
    results_dir: Annotated[
        Path,
        typer.Argument(
            metavar="RESULTS_DIR", help="Output folder of feesim run or feesim compare.", show_default=False
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="HTML file to write (default: RESULTS_DIR/report.html).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML report (figures inline, prints well) of a results folder."""
    from sim.views.report import write_report

    with _fail_cleanly_in_views():
        path = write_report(results_dir, out)
    typer.echo(f"report written to {path}")


@app.command()
def story(
    scenario_file: Annotated[
        Path, typer.Argument(metavar="SCENARIO", help="Scenario YAML file.", show_default=False)
    ],
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", metavar="UNIT", help="Unit id of the owner, e.g. 3-1502.", show_default=False
        ),
    ] = None,
    pick: Annotated[
        str | None,
        typer.Option(
            "--pick",
            metavar="KIND",
            show_default=False,
            help="An instructive owner: hard-paid-after-team-visit, undecided-waited,"
            " promise-broken-then-kept, ticket-fixed-then-paid or given-up.",
        ),
    ] = None,
    collector: Annotated[
        int | None,
        typer.Option(
            "--collector",
            metavar="ID",
            min=0,
            show_default=False,
            help="Tell a collector's day instead (ids as in the event log, from 0).",
        ),
    ] = None,
    day: Annotated[
        int | None,
        typer.Option(
            "--day",
            metavar="D",
            min=0,
            show_default=False,
            help="The day of --collector (default: their busiest day).",
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Master seed; the story is its replication 0.")
    ] = 0,
    set_: SetOption = None,
) -> None:
    """Tell one owner's campaign as a timeline (--owner or --pick), or a collector's day (--collector)."""
    from sim.views.tell import tell

    with _fail_cleanly_in_views():
        scenario = load_scenario(scenario_file, parse_overrides(set_ or []))
        lines = tell(scenario, seed, owner=owner, pick=pick, collector=collector, day=day)
    typer.echo("\n".join(lines))


@app.command()
def animate(
    scenario_file: Annotated[
        Path, typer.Argument(metavar="SCENARIO", help="Scenario YAML file.", show_default=False)
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Animation to write: .gif, or .mp4 when ffmpeg is installed.",
            show_default=False,
        ),
    ],
    vs: Annotated[
        Path | None,
        typer.Option(
            "--vs",
            metavar="OTHER.yaml",
            help="A second strategy, drawn beside the first on the same seed.",
            show_default=False,
        ),
    ] = None,
    step: Annotated[int, typer.Option("--step", metavar="DAYS", min=1, help="Days between frames.")] = 1,
    fps: Annotated[int, typer.Option("--fps", min=1, max=60, help="Frames per second.")] = 8,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Master seed; the animation is its replication 0.")
    ] = 0,
    set_: SetOption = None,
) -> None:
    """Animate every household's state day by day in its building, with the collection curve beside it."""
    from sim.views.animate import check_output, render_animation
    from sim.views.onerun import logged_run

    with _fail_cleanly_in_views():
        check_output(out)
        overrides = parse_overrides(set_ or [])
        scenarios = [load_scenario(path, overrides) for path in (scenario_file, *([vs] if vs else []))]
    with _progress_bar() as bar, _fail_cleanly_in_views():
        task = bar.add_task("simulating", total=None)
        runs = [logged_run(scenario, seed) for scenario in scenarios]
        bar.update(task, description="rendering frames")
        rendered = render_animation(
            runs, out, step, fps, lambda done, total: bar.update(task, completed=done, total=total)
        )
    typer.echo(f"{rendered.frames} frames written to {rendered.path} in {rendered.seconds:.1f} s")


def main() -> None:
    """Run the ``feesim`` command line."""
    app(prog_name="feesim")
