"""The HTML report of a run in worlds (``--worlds N``): figures across worlds and the robustness section."""

from __future__ import annotations

import html
import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.languages import N_, _, ngettext
from sim.languages.formats import commas, sentences
from sim.views.errors import ViewError
from sim.views.folder import COMMAND_FILE, Invocation, split_scenarios_yaml
from sim.views.report import _figure, _section, _shown_path, _table, html_page

__all__ = [
    "WorldsFolder",
    "is_worlds_folder",
    "load_worlds_folder",
    "render_worlds_report",
    "reproduce_command",
    "write_any_report",
]

METRICS: tuple[tuple[str, str, float, str, str], ...] = (
    (N_("final paid share"), "final_paid_share", 100.0, "points", "higher"),
    (N_("days to 80% paid"), "days_to_80", 1.0, "days", "lower"),
    (N_("staff hours"), "staff_hours", 1.0, "hours", "lower"),
)
"""The figures compared across worlds: label (a catalogue message), column, scale, unit of a difference,
better side."""

TOP_DRIVERS = 8
"""How many assumptions the drivers table shows (most important first)."""

ROUGH_BELOW_WORLDS = 32
"""Fewer worlds than this make a reversal region a rough guess (as the terminal says)."""


@dataclass(frozen=True)
class WorldsFolder:
    """A results folder of ``run`` or ``compare`` with ``--worlds``, as its report sees it."""

    folder: Path
    kind: str  # "run" or "compare"
    top: dict[str, Any]  # summary.json or compare.json
    runs: pd.DataFrame  # world_runs.parquet
    worlds: pd.DataFrame  # worlds.parquet
    yaml: dict[str, str]  # merged scenario of each variant
    invocation: Invocation | None

    @property
    def variants(self) -> list[str]:
        """Return the variant names in order (the first is the comparison's baseline)."""
        return list(self.yaml)

    @property
    def reps(self) -> int:
        """Return the replications run in each world."""
        return int(self.top["reps_per_world"])


def write_any_report(folder: Path, out: Path | None = None) -> Path:
    """Write the report of a results folder, in worlds or not (default: ``folder/report.html``)."""
    from sim.output import write_text_atomic
    from sim.views.report import write_report

    if not is_worlds_folder(folder):
        return write_report(folder, out)
    page = render_worlds_report(load_worlds_folder(folder))
    return write_text_atomic(out if out is not None else folder / "report.html", page)


def is_worlds_folder(folder: Path) -> bool:
    """Tell whether `folder` holds a run in worlds (it has ``world_runs.parquet``)."""
    return (folder / "world_runs.parquet").is_file()


def load_worlds_folder(folder: Path) -> WorldsFolder:
    """Read a results folder of a run in worlds; raise ViewError naming what is missing or unreadable."""
    kind = "compare" if (folder / "compare.json").is_file() else "run"
    head, yaml_file = (
        ("compare.json", "scenarios.yaml") if kind == "compare" else ("summary.json", "scenario.yaml")
    )
    missing = [
        n for n in (head, yaml_file, "worlds.parquet", "world_runs.parquet") if not (folder / n).is_file()
    ]
    if missing:
        raise ViewError(
            _(
                "{folder}: not a complete results folder of a run in worlds; missing {missing} (run feesim"
                " run or compare with --worlds again, with --out pointing there)"
            ).format(folder=folder, missing=", ".join(missing))
        )
    top = _read(folder / head, lambda p: json.loads(p.read_text(encoding="utf-8")))
    text = _read(folder / yaml_file, lambda p: p.read_text(encoding="utf-8"))
    yaml = split_scenarios_yaml(text) if kind == "compare" else {top["scenario"]: text}
    command = folder / COMMAND_FILE
    return WorldsFolder(
        folder=folder,
        kind=kind,
        top=top,
        runs=_read(folder / "world_runs.parquet", pd.read_parquet),
        worlds=_read(folder / "worlds.parquet", pd.read_parquet).set_index("world"),
        yaml=yaml,
        invocation=_read(command, lambda p: Invocation.from_json(p.read_text(encoding="utf-8")))
        if command.is_file()
        else None,
    )


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


def render_worlds_report(results: WorldsFolder) -> str:
    """Return the whole HTML page of a run in worlds."""
    parts = [
        _header(results),
        _section(_("Across worlds"), _across(results)),
        _section(_("Robustness: does the answer hold across worlds?"), _robustness(results)),
        _section(_("Left out of this report"), _left_out()),
        _section(_("Scenario, worlds and seed"), _scenarios(results)),
    ]
    title = html.escape(_("feesim report: {title}").format(title=_heading(results)))
    return html_page(title, parts)


def _heading(results: WorldsFolder) -> str:
    """Return the variants, worlds, replications and seed, with every --set."""
    sets = _sets(results)
    worlds, reps = len(results.worlds), results.reps
    text = ngettext(
        "{variants}: {worlds} worlds, {reps} replication in each, seed {seed}",
        "{variants}: {worlds} worlds, {reps} replications in each, seed {seed}",
        reps,
    ).format(variants=_(" vs ").join(results.variants), worlds=worlds, reps=reps, seed=results.top["seed"])
    return _("{heading}; {sets}").format(heading=text, sets=sets) if sets else text


def _sets(results: WorldsFolder) -> str:
    """Return every ``--set`` of the command, as typed ('' if none or not recorded)."""
    invocation = results.invocation
    return " ".join(f"--set {item}" for item in invocation.sets) if invocation is not None else ""


def _header(results: WorldsFolder) -> str:
    """Return the title, what was run (worlds, priors) and how to run it again."""
    if results.kind == "compare":
        what = _(
            "feesim {kind} in {worlds} worlds: each world is one set of values of the assumptions, drawn from"
            " the priors in {priors} (Latin hypercube seeded by the master seed, or rows of a table of"
            " worlds); replication r runs on the r-th child of the seed in every world, every variant in the"
            " same worlds on the same seeds."
        )
    else:
        what = _(
            "feesim {kind} in {worlds} worlds: each world is one set of values of the assumptions, drawn from"
            " the priors in {priors} (Latin hypercube seeded by the master seed, or rows of a table of"
            " worlds); replication r runs on the r-th child of the seed in every world."
        )
    priors = f"<code>{html.escape(str(results.top['priors']))}</code>"
    what = what.format(kind=results.kind, worlds=len(results.worlds), priors=priors)
    values = _("The worlds' values are in {file}.").format(file="<code>worlds.csv</code>")
    return (
        f"<h1>{html.escape(_heading(results))}</h1>\n"
        f'<p class="meta">{sentences(what, values)}</p>\n'
        f"{_reproduce(results)}"
    )


def _reproduce(results: WorldsFolder) -> str:
    """Return the paragraph with the command that gives the same numbers again."""
    command = f"<code>{html.escape(reproduce_command(results))}</code>"
    invocation = results.invocation
    same = _(
        "It writes to a new folder beside this one; the numbers are the same bit for bit as long as the"
        " scenario and priors files have not changed."
    )
    if invocation is None:
        text = _("Reproduce: {command}").format(command=command)
    else:
        folder = f"<code>{html.escape(invocation.cwd)}</code>"
        text = _("Reproduce (in {folder}, where it ran): {command}").format(folder=folder, command=command)
    return f"<p>{text}<br>{same}</p>\n"


def reproduce_command(results: WorldsFolder) -> str:
    """Return the command that gives the same numbers, with its --worlds and --priors."""
    worlds = ["--worlds", str(len(results.worlds)), "--priors", str(results.top["priors"])]
    seed = ["--reps", str(results.reps), "--seed", str(results.top["seed"])]
    invocation = results.invocation
    if invocation is None:
        files = [f"{name}.yaml" for name in results.variants]
        return shlex.join(["feesim", results.kind, *files, *worlds, *seed])
    words = ["feesim", invocation.command, *invocation.files]
    for item in invocation.sets:
        words += ["--set", item]
    out = _shown_path(f"{invocation.out}-rerun", invocation.cwd)
    return shlex.join([*words, *worlds, *seed, "--out", out, "--report"])


def _across(results: WorldsFolder) -> str:
    """Return each variant's figures across worlds: a table and a dot plot of the worlds' means."""
    from sim.views.world_strips import Strip, strips_figure

    means = results.runs.groupby(["variant", "world"])[[m[1] for m in METRICS]].mean()
    rows, figures = [], []
    for label, column, scale, _unit, _better in METRICS:
        cells = [_(label)]
        for name in results.variants:
            values = means.loc[name][column].dropna() * scale
            cells.append(_spread(values, len(results.worlds)))
        rows.append(cells)
    for name in results.variants:
        strips = [
            Strip(_unit_label(label, column, absolute=True), means.loc[name][column] * scale, None)
            for label, column, scale, _unit, _better in METRICS
        ]
        figures.append(
            _figure(
                strips_figure(_("{name}: each world's mean").format(name=name), strips),
                _("{name}: final paid share, days to 80% and staff hours in each world").format(name=name),
                _(
                    "One dot per world (the mean of its replications); black line: the median world; grey:"
                    " the middle 90% of worlds. Days to 80% shows only the worlds whose runs reached it."
                ),
            )
        )
    note = _(
        "Median of the worlds' means, with the 5th to 95th percentile across worlds in parentheses; [k/n]:"
        " only k of n worlds reached the target (in at least one of their replications)."
    )
    head = [_("figure (median across worlds)"), *results.variants]
    return _table(head, rows) + f"<p>{note}</p>\n" + "".join(figures)


UNITS = {
    "final_paid_share": (N_("{label} (%)"), N_("{label} (percentage points)")),
    "days_to_80": (N_("{label} (days)"), N_("{label} (days)")),
    "staff_hours": (N_("{label} (hours)"), N_("{label} (hours)")),
}
"""Axis labels with their unit, by column: of the figure itself, of a difference."""


def _unit_label(label: str, column: str, *, absolute: bool) -> str:
    """Return an axis label with its unit, e.g. 'final paid share (%)' or '... (percentage points)'."""
    return _(UNITS[column][0 if absolute else 1]).format(label=_(label))


def _spread(values: pd.Series, worlds: int) -> str:
    """Format a median with its 5-95% range across worlds and, when some are missing, the count."""
    if values.empty:
        return _("not reached (0/{total})").format(total=worlds)
    low, median, high = values.quantile([0.05, 0.5, 0.95])
    text = f"{median:,.1f} ({low:,.1f} – {high:,.1f})"
    return text + (f" [{len(values)}/{worlds}]" if len(values) < worlds else "")


def _robustness(results: WorldsFolder) -> str:
    """Return each variant's difference to the first across worlds, its drivers and its reversal region."""
    if results.kind != "compare" or len(results.variants) < 2:
        text = _(
            "A single scenario run in worlds has nothing to compare against: the section above shows how far"
            " its figures move across the worlds. Compare two or more scenarios with {command} to see whether"
            " one is better in every world."
        ).format(command="<code>feesim compare A B --worlds N</code>")
        return f"<p>{text}</p>\n"
    first, *others = results.variants
    intro = _(
        "For each variant against {first}: the difference in each world (variant − first, replication by"
        " replication on the same seeds, averaged over the world's replications), spread across the worlds."
        " A variant whose dots all lie on its better side of the zero line wins whatever the assumptions;"
        " where they straddle it, the answer hangs on assumptions, named below."
    ).format(first=f"<strong>{html.escape(first)}</strong>")
    parts = [f"<p>{intro}</p>\n"]
    for name in others:
        parts.append(f"<h3>{html.escape(name)} − {html.escape(first)}</h3>\n")
        parts.append(_differences(results, first, name))
        parts.append(_drivers(results.top["drivers"][name], len(results.worlds)))
        parts.append(_reversal(results, name))
    return "".join(parts)


def _differences(results: WorldsFolder, first: str, name: str) -> str:
    """Return the one-line verdicts and the dot plot of the per-world differences."""
    from sim.views.world_strips import Strip, strips_figure
    from sim.worlds.robust import describe_variant, world_differences

    robust = results.top["robust"][name]
    horizon = robust["days_to_80"].get("censored", {}).get("horizon_days")
    items, strips = [], []
    for label, column, scale, _unit, better in METRICS:
        verdict = html.escape(describe_variant(robust[column], column))
        items.append(
            "<li>" + _("{label}: {verdict}").format(label=html.escape(_(label)), verdict=verdict) + "</li>"
        )
        diffs = world_differences(results.runs, first, name, column, horizon_days=horizon)
        strips.append(Strip(_unit_label(label, column, absolute=False), diffs * scale, better))
    caption = _(
        "One dot per world: {name} − {first}. Green: {name} is better in that world (higher share, fewer"
        " days, fewer hours); red: worse; grey: no difference. Black line: the median world; shaded: the"
        " middle 90% of worlds; dotted: no difference. Days to 80%: a run that never got there counts as the"
        " horizon (a lower bound)."
    ).format(name=name, first=first)
    figure = strips_figure(_("{name} − {first}, world by world").format(name=name, first=first), strips)
    alt = _("Differences {name} minus {first} in each world").format(name=name, first=first)
    return f"<ul>\n{''.join(items)}\n</ul>\n" + _figure(figure, alt, caption)


def _drivers(ranked: list[dict[str, Any]], worlds: int) -> str:
    """Return the top assumptions by importance with their intervals, and whether any stands out."""
    clear = [d["key"] for d in ranked if d["stands_out"]]
    if clear:
        keys = commas(f"<code>{html.escape(k)}</code>" for k in clear)
        verdict = _("The answer hangs most on: {keys}.").format(keys=keys)
    else:
        from sim.worlds.robust import STAND_OUT_MIN_WORLDS

        if worlds < STAND_OUT_MIN_WORLDS:
            verdict = _(
                "No assumption stands out in {worlds} worlds: no rank correlation with the difference is"
                " clearly above chance among the {varied} assumptions varied (with fewer than {least} worlds"
                " none can). The table shows the largest ones anyway; read them as hints."
            )
        else:
            verdict = _(
                "No assumption stands out in {worlds} worlds: no rank correlation with the difference is"
                " clearly above chance among the {varied} assumptions varied. The table shows the largest"
                " ones anyway; read them as hints."
            )
        verdict = verdict.format(worlds=worlds, varied=len(ranked), least=STAND_OUT_MIN_WORLDS)
    rows = [
        [
            d["key"],
            f"{d['coefficient']:+.2f}",
            "–"
            if d["ci_low"] is None
            else _("{low} to {high}").format(low=f"{d['ci_low']:+.2f}", high=f"{d['ci_high']:+.2f}"),
            _("yes") if d["stands_out"] else _("no"),
        ]
        for d in ranked[:TOP_DRIVERS]
    ]
    method = ranked[0]["method"] if ranked else _("rank correlation")
    note = _(
        "Drivers of the difference in final paid share ({method}: rank correlation of the assumption with the"
        " difference across worlds, with its 95% interval; 'stands out' holds after allowing for the number"
        " of assumptions tested)."
    ).format(method=html.escape(method))
    head = [_("assumption"), _("correlation"), _("95% interval"), _("stands out")]
    heading = "<strong>" + _("Drivers.") + "</strong>"
    drivers = _("{heading} {verdict}").format(heading=heading, verdict=verdict)
    return f"<p>{drivers}</p>\n" + _table(head, rows) + f"<p>{note}</p>\n"


def _reversal(results: WorldsFolder, name: str) -> str:
    """Return, in plain words, where in the assumptions the variant is no better (or that it never is)."""
    from sim.worlds.robust import describe_reversal

    entry = results.top["robust"][name]["final_paid_share"]
    boxes = results.top["reversal"][name]
    lines = describe_reversal(boxes, name, entry["share_better"])
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    rough = (
        "<p>"
        + _("With {worlds} worlds such regions are rough guesses: use --worlds {least} or more.").format(
            worlds=len(results.worlds), least=ROUGH_BELOW_WORLDS
        )
        + "</p>\n"
        if boxes and len(results.worlds) < ROUGH_BELOW_WORLDS
        else ""
    )
    where = _("{heading} (final paid share):").format(
        heading="<strong>" + _("Where the answer reverses") + "</strong>"
    )
    return f"<p>{where}</p>\n<ul>{items}</ul>\n{rough}"


def _left_out() -> str:
    """Say which views of the plain report are not drawn here, and why."""
    text = _(
        "A run in worlds keeps each run's key figures, not its event log: the collection curves by world, the"
        " weekday × hour heatmaps, the contact funnel, collector morale, tickets and owner stories are left"
        " out. Run one world's scenario without <code>--worlds</code> (its values are a row of"
        " <code>worlds.csv</code>, given as <code>--set</code>) to see them."
    )
    return f"<p>{text}</p>\n"


def _scenarios(results: WorldsFolder) -> str:
    """Return the merged scenario YAML of every variant and the worlds' values (folded)."""
    seed = ngettext(
        "Master seed: {seed}; {reps} replication per world.",
        "Master seed: {seed}; {reps} replications per world.",
        results.reps,
    ).format(seed=f"<strong>{results.top['seed']}</strong>", reps=results.reps)
    parts = [f"<p>{seed}</p>\n"]
    for name, text in results.yaml.items():
        summary = _("{name}: merged scenario ({lines} lines of YAML)").format(
            name=f"<strong>{html.escape(name)}</strong>", lines=text.count("\n")
        )
        parts.append(f"<details><summary>{summary}</summary>\n<pre>{html.escape(text)}</pre>\n</details>\n")
    worlds = results.worlds.reset_index().to_csv(index=False, lineterminator="\n")
    summary = _("{worlds}: {count} worlds × {assumptions} assumptions (CSV)").format(
        worlds="<strong>" + _("worlds") + "</strong>",
        count=len(results.worlds),
        assumptions=results.worlds.shape[1],
    )
    parts.append(f"<details><summary>{summary}</summary>\n<pre>{html.escape(worlds)}</pre>\n</details>\n")
    return "".join(parts)
