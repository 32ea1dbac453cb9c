"""Command line interface: ``feesim run``, ``feesim compare``, ``feesim validate``, ``feesim schema``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from sim.console import EXIT_USAGE, error, fail_cleanly, sigterm_as_ctrl_c
from sim.console import stderr as _stderr
from sim.languages import N_, _, formats, speaks_english
from sim.languages.commandline import SpeakingGroup
from sim.scenario import Scenario, ScenarioError, load_scenario, parse_overrides

if TYPE_CHECKING:
    from rich.progress import Progress
    from rich.table import Table

    from sim.destination import Destination, RunIdentity
    from sim.results import Replications, RunResult

__all__ = ["EXIT_INTERRUPTED", "EXIT_USAGE", "app", "error", "fail_cleanly", "main"]

EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)."""

app = typer.Typer(
    name="feesim",
    help=N_("Simulate property-fee collection campaigns described by scenario YAML files."),
    cls=SpeakingGroup,
    no_args_is_help=True,
    add_completion=False,
)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY.PATH=VALUE",
        help="Override a scenario value (YAML syntax), e.g. --set team.collectors=6. Repeatable.",
    ),
]

MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="COLUMN=FIELD",
        help="Read the roster's column COLUMN as FIELD (unit, building, floor, area_m2, annual_fee, ...),"
        " over community.roster_columns. Repeatable.",
        show_default=False,
    ),
]

DataMapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="COLUMN=FIELD",
        help="Read your column COLUMN as FIELD: the roster's (unit, building, area_m2, ...; over"
        " community.roster_columns) or, with --ledger/--calls, the ledger's or contact log's"
        " (e.g. --map 实收=amount). Repeatable.",
        show_default=False,
    ),
]

ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace the default folder's earlier results even if another run wrote them"
        " (without it, such a run goes to <folder>-2, -3...).",
    ),
]

ReportOption = Annotated[
    bool, typer.Option("--report", help="Also write report.html, the self-contained report of the results.")
]


@app.callback()
def _root(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            help=N_(
                "Language of everything feesim shows: en, zh-Hans or zh-Hant, before or after the command"
                " (default: FEESIM_LANG, else the locale, else English)."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    """Simulate property-fee collection campaigns described by scenario YAML files."""
    # SpeakingGroup has taken --lang off the command line and spoken it before this runs.


LedgerOption = Annotated[
    Path | None,
    typer.Option(
        "--ledger",
        metavar="FILE",
        help="Payment ledger to check against the scenario (CSV or .xlsx: unit, paid_on, amount).",
        show_default=False,
    ),
]
CallsOption = Annotated[
    Path | None,
    typer.Option(
        "--calls",
        metavar="FILE",
        help="Contact log to check against the scenario (CSV or .xlsx: unit, time, kind, outcome).",
        show_default=False,
    ),
]


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="Scenario (or priors) YAML files to check.", show_default=False)
    ],
    set_: SetOption = None,
    ledger: LedgerOption = None,
    calls: CallsOption = None,
    map_: DataMapOption = None,
) -> None:
    """Check scenario and priors files; print 'ok' or the problems for each one (exit 2 if any is bad).

    With --ledger or --calls, check those files against the one scenario's units and campaign dates.
    """
    if ledger is not None or calls is not None:
        from sim.data.command import validate_data_command

        if len(files) != 1:
            error(_("--ledger and --calls are checked against one scenario: give exactly one SCENARIO file."))
            raise typer.Exit(EXIT_USAGE)
        validate_data_command(files[0], ledger=ledger, calls=calls, column_map=map_, settings=set_)
        return
    with fail_cleanly():
        overrides = parse_overrides(set_ or [], map_)
    bad = 0
    for path in files:
        try:
            typer.echo(
                _("ok  {path} ({description})").format(path=path, description=_validated(path, overrides))
            )
        except ScenarioError as exc:
            bad += 1
            error(exc.message)
    if bad:
        raise typer.Exit(EXIT_USAGE)


def _validated(path: Path, overrides: dict[str, object]) -> str:
    """Validate a scenario file, or a priors file (one with a top-level 'priors:'); describe it."""
    from sim.worlds.priors import is_priors_file, load_priors

    if is_priors_file(path):
        return _("priors: {count} keys").format(count=len(load_priors(path).priors))
    return _("name: {name}").format(name=load_scenario(path, overrides).name)


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


WorldsOption = Annotated[
    int | None,
    typer.Option(
        "--worlds",
        metavar="N",
        min=1,
        help="Run in N worlds sampled from the priors (Latin hypercube, seeded by --seed; the same"
        " worlds for every variant), or in the first N worlds of a --priors table.",
        show_default=False,
    ),
]
PriorsOption = Annotated[
    Path | None,
    typer.Option(
        "--priors",
        metavar="FILE",
        help="Priors YAML file to sample the worlds from (default: scenarios/priors.yaml), or a"
        " table of worlds (.csv or .parquet: one row per world, one column per key path).",
        show_default=False,
    ),
]
WorldsSchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --worlds: run on the Dask cluster at this scheduler (e.g. tcp://host:8786)"
        " instead of local --workers; the results are the same.",
        show_default=False,
    ),
]
PoolWorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Local worker processes (default: CPU count; 1: in-process)."),
]
"""--workers of the commands that spread many runs (sweep, calibrate, plan)."""
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786."),
]
"""--scheduler of the commands that spread many runs (sweep, calibrate, plan)."""
ResumeOption = Annotated[
    bool,
    typer.Option(
        "--resume", help="Finish an interrupted run in worlds: run only the runs its stream folder lacks."
    ),
]


def _precision_target(precision: float | None, outcome: str, reps: int, max_reps: int) -> Any:
    """Return the precision target of --precision (None without it); exit 2 on a bad combination."""
    if precision is None:
        return None
    from sim.experiments.outcomes import FIGURE_OUTCOMES
    from sim.precision import Target

    if not precision > 0:
        error(
            _("--precision is a 95% CI half-width and must be positive, got {value}.").format(value=precision)
        )
        raise typer.Exit(EXIT_USAGE)
    if outcome not in FIGURE_OUTCOMES:
        error(
            _("--outcome {outcome!r} is not a key figure; expected one of: {figures}.").format(
                outcome=outcome, figures=", ".join(FIGURE_OUTCOMES)
            )
        )
        raise typer.Exit(EXIT_USAGE)
    if reps < 2 or max_reps < reps:
        error(
            _(
                "--precision needs --reps of at least 2 and --max-reps ({max_reps}) >= --reps ({reps})."
            ).format(max_reps=max_reps, reps=reps)
        )
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
    map_: MapOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Output folder; its earlier results are replaced (default: a folder under results/"
            " named after the scenario and the --set overrides, never replacing another run's).",
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
    force: ForceOption = False,
    worlds: WorldsOption = None,
    priors: PriorsOption = None,
    resume: ResumeOption = False,
    scheduler: WorldsSchedulerOption = None,
) -> None:
    """Run replications of a scenario; print a summary and write daily curves, summary and plot."""
    if worlds is not None or priors is not None or resume or scheduler:
        options = _WorldsOptions(
            worlds, priors, resume, reps, seed, workers, set_ or [], out, force, report, scheduler, map_ or []
        )
        _check_worlds_options(options, precision)
        _run_in_worlds(scenario_file, options, as_json)
        return
    tally = _Tally()
    with _interrupt_reported(tally):
        from sim.destination import RunIdentity, run_name
        from sim.output import to_json_text, write_results
        from sim.scenario import scenario_to_yaml

        target = _precision_target(precision, outcome, reps, max_reps)
        with fail_cleanly():
            scenario = load_scenario(scenario_file, parse_overrides(set_ or [], map_))
            tally.destination = destination = _destination(out, run_name(scenario.name, set_ or []), force)
        runs, walls, views = _replicate({scenario.name: scenario}, reps, seed, target, workers, tally)
        results = runs[scenario.name]
        yaml = scenario_to_yaml(scenario)
        folder = _chosen_folder(
            destination, RunIdentity("summary.json", "scenario.yaml", yaml, seed, len(results))
        )
        summary = _run_summary(results, walls[scenario.name], folder)

        def write(staging: Path) -> list[Path]:
            invocation = _invocation("run", [scenario_file], set_, folder)
            return [
                *write_results(staging, scenario, results, summary),
                *_write_views(staging, views, None, report, invocation),
            ]

        written = _commit(destination, folder, write)
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
    return _("n/a") if value is None else formats.percent(value)


def _hours(text: str) -> str:
    """Put the unit of hours after a number already formatted, e.g. '41.7 h'."""
    return _("{hours} h").format(hours=text)


def _per_replication(text: str) -> str:
    """Say that a figure is a mean per replication, e.g. '920 per replication'."""
    return _("{value} per replication").format(value=text)


def _with_ci(text: str, low: str, high: str) -> str:
    """Put a 95% confidence interval after a figure, e.g. '58.5% (95% CI 54.0%–63.0%)'."""
    return _("{value} (95% CI {low}–{high})").format(value=text, low=low, high=high)


def _day(day: Any) -> str:
    """Return a date as the summary shows it: ISO in English, as the readers write it otherwise."""
    return str(day) if speaks_english() else formats.date(day)


def _share_with_ci(figure: dict[str, Any]) -> str:
    """Format a share and its 95% CI, e.g. '58.5% (95% CI 54.0%–63.0%)'."""
    if figure["ci_low"] is None:
        return _("{share} (95% CI needs 2+ replications)").format(share=_percent(figure["mean"]))
    return _with_ci(_percent(figure["mean"]), _percent(figure["ci_low"]), _percent(figure["ci_high"]))


def _days_to(entry: dict[str, Any], reps: int) -> str:
    """Format days to a target, e.g. '24.9 days (reached 3/3)' or 'not reached (0/3)'."""
    if entry["mean"] is None:
        return _("not reached (0/{reps})").format(reps=reps)
    days = f"{entry['mean']:.1f}"
    return _("{days} days (reached {reached}/{reps})").format(days=days, reached=entry["reached"], reps=reps)


def _per_rep(figure: dict[str, Any], hours: bool = False, digits: int = 1, per: bool = True) -> str:
    """Format a per-replication mean with its CI, e.g. '920 per replication (95% CI 866–974)'."""

    def shown(value: float) -> str:
        text = f"{value:,.{digits}f}"
        return _hours(text) if hours else text

    text = shown(figure["mean"])
    if per:
        text = _per_replication(text)
    if figure["ci_low"] is None or figure["ci_high"] - figure["ci_low"] < 1e-9:
        return text
    return _with_ci(text, f"{figure['ci_low']:,.{digits}f}", shown(figure["ci_high"]))


def _summary_sections(
    scenario: Scenario, summary: dict[str, Any], files: list[str]
) -> list[list[tuple[str, str]]]:
    """Return the rows of the readable summary, grouped in sections."""
    reps = summary["reps"]
    setup = [
        (_("scenario"), scenario.name),
        *([(_("description"), scenario.description)] if scenario.description else []),
        (_("households"), f"{scenario.community.households:,}"),
        (
            _("horizon"),
            _("{days} days from {start}").format(days=scenario.horizon_days, start=_day(scenario.start_date)),
        ),
        (_("replications / seed"), f"{reps} / {summary['seed']}"),
    ]
    outcome = [
        (_("final paid share (households)"), _share_with_ci(summary["final_paid_share"])),
        (_("final paid share (money)"), _share_with_ci(summary["final_money_share"])),
        *(
            (_("days to {target}% of households paid").format(target=k), _days_to(v, reps))
            for k, v in summary["days_to"].items()
        ),
    ]
    time_share = summary["collector_time"]
    effort = [
        (_("calls"), _per_rep(summary["calls"])),
        (_("calls that reached the owner"), _per_rep(summary["reached"])),
        (_("share of calls that reached the owner"), _rate(summary["contacts"].get("right_party_rate"))),
        (_("staff hours paid"), _per_rep(summary["staff_hours"], hours=True)),
        (_("collectors' shift hours"), _per_replication(_hours(f"{time_share['shift_hours']:,.1f}"))),
        (_("time on fee work"), _share_of_shifts(time_share["fee_work_share"], summary["busy_hours"])),
        (
            _("time on other duties"),
            _share_of_shifts(time_share["other_duties_share"], summary["duty_hours"]),
        ),
        (_("service crew busy"), _crew_busy(summary["service"]["utilisation"])),
        (_("team morale, mean over the campaign"), _per_rep(summary["morale_mean"], digits=2, per=False)),
        (
            _("events"),
            _("{events} in all ({per_replication})").format(
                events=f"{summary['events']:,}",
                per_replication=_per_replication(f"{summary['events'] / reps:,.0f}"),
            ),
        ),
    ]
    promises, tickets = summary["promises"], summary["tickets"]
    wait = tickets["mean_wait_hours"]
    activity = [
        (_("promises made / kept / broken"), _per_replication(_counts(promises, ("made", "kept", "broken")))),
        (
            _("tickets opened / fixed / escalated"),
            _("{value} (mean wait {wait})").format(
                value=_per_replication(_counts(tickets, ("opened", "fixed", "escalated"))),
                wait=_("n/a") if wait is None else _hours(f"{wait:,.1f}"),
            ),
        ),
        (_("hostile encounters"), _per_replication(f"{summary['hostile']:,.1f}")),
        (_("owners who complained about being chased"), _per_replication(f"{summary['complaints']:,.1f}")),
    ]
    run_info = [
        (_("wall time (replications)"), _("{seconds} s").format(seconds=f"{summary['wall_seconds']:.2f}")),
        (_("written to"), f"{summary['output']}"),
        (_("files"), ", ".join(files)),
    ]
    return [setup, outcome, effort, activity, run_info]


def _share_of_shifts(share: dict[str, Any], hours: dict[str, Any]) -> str:
    """Format a share of the collectors' shift hours with its hours, e.g. '6.5% of shift hours (585.0 h)'."""
    per_replication = _per_replication(_hours(f"{hours['mean']:,.1f}"))
    return _("{share} of shift hours ({hours})").format(share=_percent(share["mean"]), hours=per_replication)


def _crew_busy(utilisation: float | None) -> str:
    """Format the service crew's utilisation, e.g. '42.0% of crew shift hours on tickets'."""
    if utilisation is None:
        return _("n/a")
    return _("{share} of crew shift hours on tickets").format(share=_percent(utilisation))


def _rate(value: float | None) -> str:
    """Format a rate as a percentage ('n/a' when there is none)."""
    return _("n/a") if value is None else f"{value:.1%}"


def _counts(figures: dict[str, Any], names: tuple[str, ...]) -> str:
    """Format mean counts side by side, e.g. '12.3 / 8.0 / 2.5'."""
    return " / ".join(f"{figures[name]:,.1f}" for name in names)


_RUN_FOOTNOTE = N_(
    "per replication: the mean over the replications, with its 95% confidence interval (CI)."
    " Reached the owner: the owner answered (not unanswered, not a wrong number). Shift hours:"
    " the hours the collectors are scheduled to work; fee work and other duties are shares of them."
    " Morale: 1 = fresh, lower after refusals and hostile encounters (docs/model.md §22)."
)


def _summary_table(scenario: Scenario, summary: dict[str, Any], files: list[str]) -> Table:
    """Build the readable summary of a run as a two-column table (values shown verbatim, no markup)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=_("feesim run: {name}").format(name=scenario.name),
        show_header=False,
        title_justify="left",
        caption=_(_RUN_FOOTNOTE),
        caption_justify="left",
    )
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
    map_: MapOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Output folder; its earlier results are replaced (default: a folder under results/"
            " named compare-A-vs-B and the --set overrides, never replacing another run's).",
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
    force: ForceOption = False,
    worlds: WorldsOption = None,
    priors: PriorsOption = None,
    resume: ResumeOption = False,
    scheduler: WorldsSchedulerOption = None,
) -> None:
    """Run scenario variants on the same seeds; print their summaries and paired differences to the first."""
    if len(scenario_files) < 2:
        error(
            _("feesim compare needs at least two scenario files to compare, got {count}.").format(
                count=len(scenario_files)
            )
        )
        raise typer.Exit(EXIT_USAGE)
    if worlds is not None or priors is not None or resume or scheduler:
        options = _WorldsOptions(
            worlds, priors, resume, reps, seed, workers, set_ or [], out, force, report, scheduler, map_ or []
        )
        _check_worlds_options(options, precision)
        _compare_in_worlds(scenario_files, options, as_json)
        return
    tally = _Tally()
    with _interrupt_reported(tally):
        from sim.compare import daily_table
        from sim.destination import RunIdentity, compare_name
        from sim.output import to_json_text, write_comparison
        from sim.views.compare_table import print_comparison
        from sim.views.folder import scenarios_yaml

        target = _precision_target(precision, outcome, reps, max_reps)
        with fail_cleanly():
            variants, same_file = _load_variants(scenario_files, set_ or [], map_)
            name = compare_name(list(variants), same_file, set_ or [])
            tally.destination = destination = _destination(out, name, force)
        runs, walls, views = _replicate(variants, reps, seed, target, workers, tally)
        done = len(next(iter(runs.values())))
        folder = _chosen_folder(
            destination, RunIdentity("compare.json", "scenarios.yaml", scenarios_yaml(variants), seed, done)
        )
        comparison = _comparison(runs, walls, seed, folder)

        def write(staging: Path) -> list[Path]:
            written = write_comparison(staging, comparison, daily_table(runs))
            invocation = _invocation("compare", scenario_files, set_, folder)
            return [*written, *_write_views(staging, views, variants, report, invocation)]

        written = _commit(destination, folder, write)
    if as_json:
        typer.echo(to_json_text(comparison))
    else:
        print_comparison(Console(), comparison, [p.name for p in written])


def _load_variants(
    files: list[Path], overrides: list[str], column_map: list[str] | None = None
) -> tuple[dict[str, Scenario], bool]:
    """Load every scenario file with the overrides; return them by variant name, and whether one file."""
    from sim.compare import variant_names

    parsed = parse_overrides(overrides, column_map)
    scenarios = [load_scenario(path, parsed) for path in files]
    names = variant_names(files, [s.name for s in scenarios])
    same_file = len({path.resolve() for path in files}) == 1
    return dict(zip(names, scenarios, strict=True)), same_file


@dataclass
class _Tally:
    """How many replications have finished, of how many (at most, when running to a precision)."""

    done: int = 0
    total: int = 0
    destination: Destination | None = None
    """Where the results were to go, once known."""


def _destination(out: Path | None, default_name: str, force: bool) -> Destination:
    """Return where results go (``--out``, else ``results/<default_name>``); exit 2 if they cannot."""
    from sim.destination import Destination
    from sim.output import COMPARE_FILES, RESULT_FILES
    from sim.views.folder import COMPARE_VIEW_FILES
    from sim.worlds.run import WORLD_FILES

    known = frozenset({*RESULT_FILES, *COMPARE_FILES, *COMPARE_VIEW_FILES, *WORLD_FILES, "report.html"})
    base = out if out is not None else Path("results") / default_name
    destination = Destination(base, explicit=out is not None, force=force, known_files=known)
    destination.check()
    return destination


def _chosen_folder(destination: Destination, identity: RunIdentity) -> Path:
    """Return the folder the results go to; say so on stderr when it is not the one asked for."""
    with fail_cleanly():
        folder, note = destination.choose(identity)
    if note:
        error(note)
    return folder


def _commit(destination: Destination, folder: Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """Write the results into `folder` through a staging folder; exit 2 on a bad folder or view."""
    with _fail_cleanly_in_views():
        return destination.commit(folder, write)


@contextmanager
def _interrupt_reported(tally: _Tally) -> Iterator[None]:
    """Turn Ctrl-C (or SIGTERM) into one line on stderr and exit code 130; nothing is written then."""
    try:
        with sigterm_as_ctrl_c():
            yield
    except KeyboardInterrupt:
        base = None if tally.destination is None else tally.destination.base
        kept = base is not None and base.exists()
        error(_(_INTERRUPTED[bool(tally.total), kept]).format(done=tally.done, total=tally.total, base=base))
        raise typer.Exit(EXIT_INTERRUPTED) from None


_INTERRUPTED = {
    (True, True): N_(
        "interrupted: {done} of {total} replications had finished; nothing was written; {base} is as it was."
        " Run the same command again to start over (with fewer --reps to finish sooner)."
    ),
    (True, False): N_(
        "interrupted: {done} of {total} replications had finished; nothing was written."
        " Run the same command again to start over (with fewer --reps to finish sooner)."
    ),
    (False, True): N_(
        "interrupted: before any replication; nothing was written; {base} is as it was."
        " Run the same command again to start over (with fewer --reps to finish sooner)."
    ),
    (False, False): N_(
        "interrupted: before any replication; nothing was written."
        " Run the same command again to start over (with fewer --reps to finish sooner)."
    ),
}
"""What Ctrl-C says, by whether the number of replications was known and an earlier folder was kept."""


def _replicate(
    variants: dict[str, Scenario], reps: int, seed: int, target: Any, workers: int, tally: _Tally
) -> tuple[dict[str, Replications], dict[str, float], dict[str, Any]]:
    """Replicate every variant `reps` times, or to the precision `target`; return runs, walls, views."""
    views: dict[str, Any] = {}
    if target is None:
        runs, walls = _replicate_variants_with_progress(variants, reps, seed, views, workers, tally)
    else:
        runs, walls = _replicate_to_precision(variants, seed, target, views, workers, tally)
    return runs, walls, views


def _replicate_to_precision(
    variants: dict[str, Scenario], seed: int, target: Any, views: dict[str, Any], workers: int, tally: _Tally
) -> tuple[dict[str, Replications], dict[str, float]]:
    """Replicate every variant in batches until the precision target holds; keep the view tables too."""
    from sim.precision import Job, replicate_variants_until
    from sim.views.logged import LoggedJob, LoggedRuns

    logged = LoggedRuns()
    with _progress_bar() as bar, _worker_pool(workers) as backend:
        task = bar.add_task(_("replications to precision"), total=target.max_reps * len(variants))
        tally.total = target.max_reps * len(variants)

        def advance(done: int) -> None:
            tally.done = done
            bar.update(task, completed=done)

        def run_many(jobs: list[Job]) -> Iterator[RunResult]:
            yield from logged.results(backend, (LoggedJob(*job) for job in jobs))  # type: ignore[arg-type]

        started = time.perf_counter()
        runs = replicate_variants_until(variants, seed, target, advance, run_many=run_many)
        wall = time.perf_counter() - started
    views.update(logged.tables())
    return runs, {name: wall / len(variants) for name in variants}


def _replicate_variants_with_progress(
    variants: dict[str, Scenario], reps: int, seed: int, views: dict[str, Any], workers: int, tally: _Tally
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
    tally.total = len(jobs)
    with _progress_bar() as bar, _worker_pool(workers) as backend:
        task = bar.add_task(_("replications"), total=len(jobs))
        last_end = time.perf_counter()
        for done, (job, result) in enumerate(zip(jobs, logged.results(backend, jobs), strict=True), start=1):
            bar.update(
                task, description=_("{variant}: replications").format(variant=job.name), completed=done
            )
            tally.done = done
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

    from sim.views.logged import run_logged
    from sim.workers import local_backend

    try:
        with local_backend(workers, run_logged) as backend:
            yield backend
    except BrokenProcessPool:
        error(
            _(
                "A worker process died, or sent back an error this process could not read, while running"
                " the replications (--workers {workers}); no results were written. If the machine is short"
                " of memory, run again with fewer workers; run with --workers 1 to see an error in full."
            ).format(workers=workers)
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


# -- run and compare in worlds (--worlds, --priors) -----------------------------------------------


@dataclass(frozen=True)
class _WorldsOptions:
    """The options of ``run`` and ``compare`` in worlds."""

    worlds: int | None
    priors: Path | None
    resume: bool
    reps: int
    seed: int
    workers: int
    sets: list[str]
    out: Path | None
    force: bool
    report: bool = False
    scheduler: str | None = None
    maps: list[str] = field(default_factory=list)


def _check_worlds_options(options: _WorldsOptions, precision: float | None) -> None:
    """Exit 2 on options that do not go with --worlds (or --priors, --resume without worlds)."""
    problem = None
    if precision is not None:
        problem = N_("--precision does not go with --worlds: give --reps, the replications in each world.")
    elif options.worlds is None and options.priors is None and options.resume:
        problem = N_("--resume finishes an interrupted run in worlds: give it with the same --worlds N.")
    elif options.worlds is None and options.priors is None:
        problem = N_(
            "--scheduler sends runs in worlds to a Dask cluster: give it with --worlds N"
            " (replications without worlds run on local --workers)."
        )
    if problem:
        error(_(problem))
        raise typer.Exit(EXIT_USAGE)


def _worlds_table(options: _WorldsOptions) -> tuple[Any, str]:
    """Return the worlds (sampled from priors, or read from a table) and the file they come from."""
    from sim.worlds.priors import PRIORS_FILE, choose_worlds

    path = options.priors if options.priors is not None else PRIORS_FILE
    return choose_worlds(path, options.worlds, options.seed), str(path)


def _runs_in_worlds(
    variants: dict[str, Scenario], table: Any, source: str, options: _WorldsOptions, base: Path
) -> Any:
    """Run every variant in every world, streaming beside `base`; exit 130 (runs kept) on Ctrl-C."""
    from concurrent.futures.process import BrokenProcessPool

    from sim.worlds.run import WorldsInterrupted, run_worlds, stream_folder

    stream = stream_folder(base)
    with _progress_bar() as bar:
        task = bar.add_task(_("runs in worlds"), total=None)
        try:
            with fail_cleanly():
                return run_worlds(
                    variants,
                    table,
                    options.reps,
                    options.seed,
                    stream,
                    source=source,
                    workers=options.workers,
                    scheduler=options.scheduler,
                    resume=options.resume,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        except WorldsInterrupted as exc:
            bar.stop()
            error(
                _(
                    "interrupted: {done} of {total} runs are saved in {folder}."
                    " To finish, run the same command again with --resume."
                ).format(done=exc.done, total=exc.total, folder=exc.folder)
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenProcessPool:
            error(
                _(
                    "A worker process died while running in worlds (--workers {workers}); the runs"
                    " finished so far are saved in {folder}: run the same command again with --resume"
                    " (with fewer workers if the machine is short of memory)."
                ).format(workers=options.workers, folder=stream)
            )
            raise typer.Exit(1) from None


def _run_in_worlds(scenario_file: Path, options: _WorldsOptions, as_json: bool) -> None:
    """``feesim run --worlds N``: the scenario's replications in every world; figures across worlds."""
    tally = _Tally()
    with _interrupt_reported(tally):
        from sim.destination import run_name
        from sim.output import to_json_text, write_results
        from sim.scenario import scenario_to_yaml
        from sim.worlds.run import WorldsIdentity, worlds_csv, write_world_tables

        with fail_cleanly():
            scenario = load_scenario(scenario_file, parse_overrides(options.sets, options.maps))
            table, source = _worlds_table(options)
            name = run_name(scenario.name, [*options.sets, f"worlds={len(table)}"])
            tally.destination = destination = _destination(options.out, name, options.force)
        done = _runs_in_worlds({scenario.name: scenario}, table, source, options, destination.base)
        results = done.results[scenario.name]
        identity = WorldsIdentity(
            "summary.json",
            "scenario.yaml",
            scenario_to_yaml(scenario),
            options.seed,
            len(results),
            worlds_text=worlds_csv(table),
        )
        folder = _chosen_folder(destination, identity)
        fields = _worlds_fields(table, source, options, done.runs)
        summary = {**_run_summary(results, done.seconds, folder), **fields}
        summary["across_worlds"] = fields["across_worlds"][scenario.name]

        def write(staging: Path) -> list[Path]:
            written = [
                *write_results(staging, scenario, results, summary),
                *write_world_tables(staging, table, done.runs),
            ]
            invocation = _invocation("run", [scenario_file], options.sets, folder)
            return [*written, *_write_worlds_report(staging, invocation, options.report)]

        written = _commit(destination, folder, write)
        _drop_stream(destination.base)
    if as_json:
        typer.echo(to_json_text(summary))
        return
    console = Console()
    console.print(_summary_table(scenario, summary, [p.name for p in written]))
    _print_lines(console, _across_lines(summary["across_worlds"], len(table), options.reps, source))


def _compare_in_worlds(files: list[Path], options: _WorldsOptions, as_json: bool) -> None:
    """``feesim compare --worlds N``: every variant in every world; robust answers, drivers, reversals."""
    tally = _Tally()
    with _interrupt_reported(tally):
        from sim.compare import daily_table
        from sim.destination import compare_name
        from sim.output import to_json_text, write_comparison, write_text_atomic
        from sim.views.compare_table import print_comparison
        from sim.views.folder import scenarios_yaml
        from sim.worlds.run import WorldsIdentity, worlds_csv, write_world_tables

        with fail_cleanly():
            variants, same_file = _load_variants(files, options.sets, options.maps)
            table, source = _worlds_table(options)
            name = compare_name(list(variants), same_file, [*options.sets, f"worlds={len(table)}"])
            tally.destination = destination = _destination(options.out, name, options.force)
        done = _runs_in_worlds(variants, table, source, options, destination.base)
        yaml = scenarios_yaml(variants)
        runs = len(next(iter(done.results.values())))
        identity = WorldsIdentity(
            "compare.json", "scenarios.yaml", yaml, options.seed, runs, worlds_text=worlds_csv(table)
        )
        folder = _chosen_folder(destination, identity)
        walls = dict.fromkeys(variants, done.seconds / len(variants))
        comparison = {
            **_comparison(done.results, walls, options.seed, folder),
            **_worlds_fields(table, source, options, done.runs),
            **_robust_fields(done.runs, table, variants),
        }

        def write(staging: Path) -> list[Path]:
            written = [
                *write_comparison(staging, comparison, daily_table(done.results)),
                write_text_atomic(staging / "scenarios.yaml", yaml),
                *write_world_tables(staging, table, done.runs),
            ]
            invocation = _invocation("compare", files, options.sets, folder)
            return [*written, *_write_worlds_report(staging, invocation, options.report)]

        written = _commit(destination, folder, write)
        _drop_stream(destination.base)
    if as_json:
        typer.echo(to_json_text(comparison))
        return
    console = Console()
    heading = _("in {worlds} worlds from {source}, {reps} replications in each:")
    _print_lines(console, [heading.format(worlds=len(table), source=source, reps=options.reps)])
    print_comparison(console, comparison, [p.name for p in written])
    header = _("across the {worlds} worlds, against {baseline} (per world: mean difference):").format(
        worlds=len(table), baseline=comparison["baseline"]
    )
    _print_lines(console, ["", header, *_robust_lines(comparison)])


def _write_worlds_report(folder: Path, invocation: Any, report: bool) -> list[Path]:
    """Write the command of a run in worlds and, with `report`, its HTML report."""
    from sim.output import write_text_atomic
    from sim.views.folder import COMMAND_FILE
    from sim.views.worlds_report import write_any_report

    written = [write_text_atomic(folder / COMMAND_FILE, invocation.to_json())]
    return [*written, write_any_report(folder)] if report else written


def _worlds_fields(table: Any, source: str, options: _WorldsOptions, runs: Any) -> dict[str, Any]:
    """Return the keys a run in worlds adds to the JSON: the worlds, where from, figures across them."""
    from sim.worlds.run import across_worlds

    return {
        "reps_per_world": options.reps,
        "priors": source,
        "worlds": table.reset_index().to_dict(orient="records"),
        "across_worlds": across_worlds(runs),
    }


def _robust_fields(runs: Any, table: Any, variants: dict[str, Scenario]) -> dict[str, Any]:
    """Return ``robust``, ``drivers`` and ``reversal`` of every variant against the first."""
    from sim.worlds.robust import drivers, reversal, robust_summary

    first, *others = variants
    horizon = min(scenario.horizon_days for scenario in variants.values())
    return {
        "robust": robust_summary(runs, first, horizon_days=horizon),
        "drivers": {name: drivers(runs, table, first, name) for name in others},
        "reversal": {name: reversal(runs, table, first, name) for name in others},
    }


def _robust_lines(comparison: dict[str, Any]) -> list[str]:
    """Return per variant: in how many worlds it is better and by how much, what it hangs on, where not."""
    from sim.worlds.robust import describe_reversal, describe_variant

    metric = "final_paid_share"
    lines: list[str] = []
    for name, entry in comparison["robust"].items():
        described = describe_variant(entry[metric], metric)
        lines.append(_("{variant}, final paid share: {described}").format(variant=name, described=described))
        lines.append(f"  {_drivers_line(comparison['drivers'][name], entry[metric]['worlds'])}")
        share_better = entry[metric]["share_better"]
        lines += [f"  {line}" for line in describe_reversal(comparison["reversal"][name], name, share_better)]
        if comparison["reversal"][name] and entry[metric]["worlds"] < ROUGH_BELOW_WORLDS:
            rough = _("(with {worlds} worlds such regions are rough guesses: use --worlds {least} or more)")
            lines.append("  " + rough.format(worlds=entry[metric]["worlds"], least=ROUGH_BELOW_WORLDS))
    return lines


ROUGH_BELOW_WORLDS = 32
"""Fewer worlds than this make a reversal region a rough guess (PRIM boxes of a few worlds)."""


def _drivers_line(ranked: list[dict[str, Any]], worlds: int) -> str:
    """Name the (at most three) assumptions the answer hangs on whose rank correlation stands out."""
    clear = [d for d in ranked if d["stands_out"]]
    if not clear:
        return _(
            "hangs on: no assumption stands out in {worlds} worlds (no rank correlation is clearly"
            " above chance among the {count} assumptions)"
        ).format(worlds=worlds, count=len(ranked))
    named = ", ".join(f"{d['key']} ({d['coefficient']:+.2f})" for d in clear[:3])
    return _("hangs most on: {named} (rank correlation with the difference)").format(named=named)


_ACROSS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    (N_("final paid share"), "final_paid_share", lambda value: f"{value:.1%}"),
    (N_("days to {target}% of households paid"), "days_to_80", lambda value: f"{value:,.1f}"),
    (N_("staff hours paid"), "staff_hours", lambda value: _hours(f"{value:,.0f}")),
)


def _across_lines(across: dict[str, Any], worlds: int, reps: int, source: str) -> list[str]:
    """Return the figures across worlds: the median of the worlds' means and the middle 90%."""
    lines = [
        _(
            "across {worlds} worlds, {reps} replications in each (median; p05 to p95 of the worlds' means);"
        ).format(worlds=worlds, reps=reps),
        _("worlds from {source}:").format(source=source),
    ]
    for label, metric, form in _ACROSS:
        entry = across[metric]
        name = _(label).format(target=80)
        if entry["median"] is None:
            lines.append("  " + _("{figure}: not reached in any world").format(figure=name))
            continue
        median, p05, p95 = (form(entry[k]) for k in ("median", "p05", "p95"))
        missing = worlds - entry["worlds"]
        text = (
            _("{figure}: {median}, {p05} to {p95} (not reached in {missing} worlds)")
            if missing
            else _("{figure}: {median}, {p05} to {p95}")
        )
        lines.append("  " + text.format(figure=name, median=median, p05=p05, p95=p95, missing=missing))
    return lines


def _print_lines(console: Console, lines: list[str]) -> None:
    """Print lines verbatim (no markup), wrapped to the terminal's width (Chinese between characters).

    An indented line keeps its indent on the lines it wraps to.
    """
    from rich.text import Text

    from sim.languages.wrap import wrap

    for line in lines:
        if speaks_english() or not line.strip():
            console.print(Text(line))
            continue
        indent = line[: len(line) - len(line.lstrip())]
        for part in wrap(line.strip(), max(20, console.width - len(indent))):
            console.print(Text(indent + part), no_wrap=True, overflow="ignore")


def _drop_stream(base: Path) -> None:
    """Remove the stream folder of a run in worlds once its results are in place."""
    import shutil

    from sim.worlds.run import stream_folder

    shutil.rmtree(stream_folder(base), ignore_errors=True)


@app.command()
def analyze(
    results_dir: Annotated[
        Path,
        typer.Argument(metavar="RESULTS_DIR", help="Output folder of a finished sweep.", show_default=False),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the analysis as one JSON object.")] = False,
) -> None:
    """Analyse a sweep: answer its question (per added collector, best settings, sensitivity); plot it."""
    from sim.experiments.analyze import analyze as analyze_sweep
    from sim.experiments.findings import print_analysis
    from sim.output import to_json_text

    with fail_cleanly():
        analysis = analyze_sweep(results_dir)
    if as_json:
        typer.echo(to_json_text(analysis))
    else:
        print_analysis(analysis, results_dir, Console())


SweepPrecisionOption = Annotated[
    float | None,
    typer.Option(
        "--precision",
        metavar="HALF_WIDTH",
        help="Add replications in batches (--reps at a time, else the experiment's own batch) until"
        " the 95% CI half-width of the experiment's precision outcome (else its first outcome)"
        " is at most this, at every point.",
        show_default=False,
    ),
]


@app.command()
def sweep(
    experiment_file: Annotated[
        Path, typer.Argument(metavar="EXPERIMENT", help="Experiment YAML file.", show_default=False)
    ],
    workers: PoolWorkersOption = None,
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Output folder (default: results/<experiment name>)."),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted sweep in --out.")] = False,
    part_runs: Annotated[int, typer.Option("--part-runs", min=1, help="Runs per streamed part file.")] = 50,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY.PATH=VALUE",
            help="Override a value of the base scenario (YAML syntax), after the experiment's own"
            " overrides, e.g. --set community.households=300. Repeatable.",
        ),
    ] = None,
    reps: Annotated[
        int | None,
        typer.Option(
            "--reps", min=1, help="Replications per point, instead of the experiment's.", show_default=False
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            min=1,
            help="Size of the design's sample, instead of the experiment's: design.points of a grid"
            " (samples of its uncertainties) or of an lhs design, design.n of a sobol or morris design.",
            show_default=False,
        ),
    ] = None,
    precision: SweepPrecisionOption = None,
    max_reps: Annotated[
        int | None, typer.Option("--max-reps", min=2, help="Most replications per point with --precision.")
    ] = None,
    worlds: Annotated[
        int | None,
        typer.Option(
            "--worlds",
            metavar="N",
            min=1,
            help="Run every point in N worlds sampled from the priors (Latin hypercube, seeded by the"
            " experiment's seed; the same worlds at every point), instead of the experiment's worlds.",
            show_default=False,
        ),
    ] = None,
    priors: Annotated[
        Path | None,
        typer.Option(
            "--priors",
            metavar="FILE",
            help="Priors YAML file to sample the worlds from, or a table of worlds (.csv, .parquet),"
            " instead of the experiment's priors (default: scenarios/priors.yaml).",
            show_default=False,
        ),
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
        settings=set_,
        reps=reps,
        samples=samples,
        worlds=worlds,
        priors=priors,
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
    from sim.views.worlds_report import write_any_report

    with _fail_cleanly_in_views():
        path = write_any_report(results_dir, out)
    typer.echo(_("report written to {path}").format(path=path))


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
        task = bar.add_task(_("simulating"), total=None)
        runs = [logged_run(scenario, seed) for scenario in scenarios]
        bar.update(task, description=_("rendering frames"))
        rendered = render_animation(
            runs, out, step, fps, lambda done, total: bar.update(task, completed=done, total=total)
        )
    typer.echo(
        _("{frames} frames written to {path} in {seconds} s").format(
            frames=rendered.frames, path=rendered.path, seconds=f"{rendered.seconds:.1f}"
        )
    )


@app.command()
def export(
    scenario_file: Annotated[
        Path, typer.Argument(metavar="SCENARIO", help="Scenario YAML file.", show_default=False)
    ],
    roster: Annotated[
        Path,
        typer.Option("--roster", metavar="FILE", help="Roster to write (.csv or .xlsx).", show_default=False),
    ],
    ledger: Annotated[
        Path,
        typer.Option("--ledger", metavar="FILE", help="Ledger to write (.csv or .xlsx).", show_default=False),
    ],
    calls: Annotated[
        Path | None,
        typer.Option(
            "--calls", metavar="FILE", help="Contact log to write (.csv or .xlsx).", show_default=False
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Master seed; the files are its replication 0.")
    ] = 0,
    headers: Annotated[
        str, typer.Option("--headers", metavar="en|zh", help="Header language: English or Chinese.")
    ] = "en",
    set_: SetOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that exist.")] = False,
) -> None:
    """Write replication 0 of a scenario as a roster, a payment ledger and a contact log (import formats)."""
    from sim.data.command import export_command

    export_command(
        scenario_file,
        roster=roster,
        ledger=ledger,
        calls=calls,
        seed=seed,
        headers=headers,
        settings=set_,
        force=force,
    )


@app.command()
def calibrate(
    scenario_file: Annotated[
        Path,
        typer.Argument(metavar="SCENARIO", help="Scenario YAML file of the community.", show_default=False),
    ],
    ledger: Annotated[
        Path,
        typer.Option(
            "--ledger", metavar="FILE", help="Last campaign's payments (.csv or .xlsx).", show_default=False
        ),
    ],
    calls: Annotated[
        Path | None,
        typer.Option("--calls", metavar="FILE", help="Contact log to check beside it.", show_default=False),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Output folder (default: results/<name>-calibration).",
            show_default=False,
        ),
    ] = None,
    workers: PoolWorkersOption = None,
    scheduler: SchedulerOption = None,
    runs: Annotated[int, typer.Option("--runs", min=50, help="Design runs over the priors.")] = 400,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            metavar="KEY.PATH",
            help="A key to calibrate (needs a prior); repeatable. Default: the eight in docs/model.md §36.",
            show_default=False,
        ),
    ] = None,
    priors: Annotated[
        Path | None,
        typer.Option(
            "--priors",
            metavar="FILE",
            help="Priors file (default: scenarios/priors.yaml).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Master seed of the design and the runs.")] = 0,
    set_: SetOption = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help="Name a ledger column: e.g. --map 实收=amount.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Fit the model's assumption parameters to last campaign's ledger, with their uncertainty."""
    from sim.calibration.command import calibrate_command
    from sim.calibration.procedure import CalibrationSettings

    settings = CalibrationSettings(runs=runs, seed=seed, parameters=tuple(param or ()), priors=priors)
    calibrate_command(
        scenario_file,
        ledger=ledger,
        calls=calls,
        out=out,
        settings=settings,
        overrides=set_,
        column_map=map_,
        workers=workers,
        scheduler=scheduler,
    )


@app.command()
def plan(
    search_file: Annotated[
        Path, typer.Argument(metavar="SEARCH", help="Search YAML file (base, levers, budget, objective).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="DIR", help="Output folder (default: results/<name>-plan).", show_default=False
        ),
    ] = None,
    workers: PoolWorkersOption = None,
    scheduler: SchedulerOption = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted search in --out.")] = False,
) -> None:
    """Find the best plan within a budget, with a stated probability of correct selection."""
    from sim.plans.command import plan_command

    plan_command(search_file, out=out, workers=workers, scheduler=scheduler, resume=resume)


@app.command()
def playground(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on: 127.0.0.1 (this computer only) or 0.0.0.0 (a classroom's network).",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8765,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes for the replications (default: CPU count)."),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", metavar="DIR", help="Folder of the challenges' database; it survives restarts."
        ),
    ] = Path("results/playground"),
) -> None:
    """Start the trainer's playground: a web page to play a campaign live and run classroom challenges."""
    from sim.playground.command import playground_command

    playground_command(host, port, workers, out)


def main() -> None:
    """Run the ``feesim`` command line."""
    app(prog_name="feesim")
