"""The HTML report of a run in worlds (``--worlds N``): figures across worlds and the robustness section."""

from __future__ import annotations

import html
import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

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
    ("final paid share", "final_paid_share", 100.0, "points", "higher"),
    ("days to 80% paid", "days_to_80", 1.0, "days", "lower"),
    ("staff hours", "staff_hours", 1.0, "hours", "lower"),
)
"""The figures compared across worlds: label, column, scale, unit of a difference, better side."""

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
            f"{folder}: not a complete results folder of a run in worlds; missing {', '.join(missing)}"
            " (run feesim run or compare with --worlds again, with --out pointing there)"
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
        raise ViewError(f"{path}: cannot read it ({type(exc).__name__}: {exc})") from None


def render_worlds_report(results: WorldsFolder) -> str:
    """Return the whole HTML page of a run in worlds."""
    parts = [
        _header(results),
        _section("Across worlds", _across(results)),
        _section("Robustness: does the answer hold across worlds?", _robustness(results)),
        _section("Left out of this report", _left_out()),
        _section("Scenario, worlds and seed", _scenarios(results)),
    ]
    title = html.escape(f"feesim report: {_heading(results)}")
    return html_page(title, parts)


def _heading(results: WorldsFolder) -> str:
    """Return the variants, worlds, replications and seed, with every --set."""
    sets = _sets(results)
    worlds, reps = len(results.worlds), results.reps
    text = (
        f"{' vs '.join(results.variants)}: {worlds} worlds, {reps} replication{'s' if reps != 1 else ''}"
        f" in each, seed {results.top['seed']}"
    )
    return f"{text}; {sets}" if sets else text


def _sets(results: WorldsFolder) -> str:
    """Return every ``--set`` of the command, as typed ('' if none or not recorded)."""
    invocation = results.invocation
    return " ".join(f"--set {item}" for item in invocation.sets) if invocation is not None else ""


def _header(results: WorldsFolder) -> str:
    """Return the title, what was run (worlds, priors) and how to run it again."""
    same = ", every variant in the same worlds on the same seeds" if results.kind == "compare" else ""
    return (
        f"<h1>{html.escape(_heading(results))}</h1>\n"
        f'<p class="meta">feesim {results.kind} in {len(results.worlds)} worlds: each world is one'
        " set of values of the assumptions, drawn from the priors in"
        f" <code>{html.escape(str(results.top['priors']))}</code> (Latin hypercube seeded by the master"
        f" seed, or rows of a table of worlds); replication r runs on the r-th child of the seed in every"
        f" world{same}. The worlds' values are in <code>worlds.csv</code>.</p>\n"
        f"{_reproduce(results)}"
    )


def _reproduce(results: WorldsFolder) -> str:
    """Return the paragraph with the command that gives the same numbers again."""
    command = html.escape(reproduce_command(results))
    invocation = results.invocation
    where = (
        f" (in <code>{html.escape(invocation.cwd)}</code>, where it ran)" if invocation is not None else ""
    )
    return (
        f"<p>Reproduce{where}: <code>{command}</code><br>It writes to a new folder beside this one; the"
        " numbers are the same bit for bit as long as the scenario and priors files have not changed.</p>\n"
    )


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
    for label, column, scale, _, _ in METRICS:
        cells = [label]
        for name in results.variants:
            values = means.loc[name][column].dropna() * scale
            cells.append(_spread(values, len(results.worlds)))
        rows.append(cells)
    for name in results.variants:
        strips = [
            Strip(_unit_label(label, scale, absolute=True), means.loc[name][column] * scale, None)
            for label, column, scale, _, _ in METRICS
        ]
        figures.append(
            _figure(
                strips_figure(f"{name}: each world's mean", strips),
                f"{name}: final paid share, days to 80% and staff hours in each world",
                "One dot per world (the mean of its replications); black line: the median world; grey: the"
                " middle 90% of worlds. Days to 80% shows only the worlds whose runs reached it.",
            )
        )
    note = (
        "<p>Median of the worlds' means, with the 5th to 95th percentile across worlds in parentheses;"
        " [k/n]: only k of n worlds reached the target (in at least one of their replications).</p>\n"
    )
    return _table(["figure (median across worlds)", *results.variants], rows) + note + "".join(figures)


def _unit_label(label: str, scale: float, *, absolute: bool) -> str:
    """Return an axis label with its unit, e.g. 'final paid share (%)' or '... (points)'."""
    if scale == 100.0:
        return f"{label} ({'%' if absolute else 'percentage points'})"
    return f"{label} ({'days' if 'days' in label else 'hours'})"


def _spread(values: pd.Series, worlds: int) -> str:
    """Format a median with its 5-95% range across worlds and, when some are missing, the count."""
    if values.empty:
        return f"not reached (0/{worlds})"
    low, median, high = values.quantile([0.05, 0.5, 0.95])
    text = f"{median:,.1f} ({low:,.1f} – {high:,.1f})"
    return text + (f" [{len(values)}/{worlds}]" if len(values) < worlds else "")


def _robustness(results: WorldsFolder) -> str:
    """Return each variant's difference to the first across worlds, its drivers and its reversal region."""
    if results.kind != "compare" or len(results.variants) < 2:
        return (
            "<p>A single scenario run in worlds has nothing to compare against: the section above shows"
            " how far its figures move across the worlds. Compare two or more scenarios with"
            " <code>feesim compare A B --worlds N</code> to see whether one is better in every world.</p>\n"
        )
    first, *others = results.variants
    parts = [
        f"<p>For each variant against <strong>{html.escape(first)}</strong>: the difference in each world"
        " (variant − first, replication by replication on the same seeds, averaged over the world's"
        " replications), spread across the worlds. A variant whose dots all lie on its better side of"
        " the zero line wins whatever the assumptions; where they straddle it, the answer hangs on"
        " assumptions, named below.</p>\n"
    ]
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
    for label, column, scale, _, better in METRICS:
        items.append(
            f"<li>{html.escape(label)}: {html.escape(describe_variant(robust[column], column))}</li>"
        )
        diffs = world_differences(results.runs, first, name, column, horizon_days=horizon)
        strips.append(Strip(_unit_label(label, scale, absolute=False), diffs * scale, better))
    caption = (
        f"One dot per world: {name} − {first}. Green: {name} is better in that world (higher share,"
        " fewer days, fewer hours); red: worse; grey: no difference. Black line: the median world;"
        " shaded: the middle 90% of worlds; dotted: no difference. Days to 80%: a run that never got"
        " there counts as the horizon (a lower bound)."
    )
    figure = strips_figure(f"{name} − {first}, world by world", strips)
    alt = f"Differences {name} minus {first} in each world"
    return f"<ul>\n{''.join(items)}\n</ul>\n" + _figure(figure, alt, caption)


def _drivers(ranked: list[dict[str, Any]], worlds: int) -> str:
    """Return the top assumptions by importance with their intervals, and whether any stands out."""
    clear = [d["key"] for d in ranked if d["stands_out"]]
    if clear:
        verdict = f"The answer hangs most on: {', '.join(f'<code>{html.escape(k)}</code>' for k in clear)}."
    else:
        from sim.worlds.robust import STAND_OUT_MIN_WORLDS

        few = (
            f" (with fewer than {STAND_OUT_MIN_WORLDS} worlds none can)"
            if worlds < STAND_OUT_MIN_WORLDS
            else ""
        )
        verdict = (
            f"No assumption stands out in {worlds} worlds: no rank correlation with the difference is"
            f" clearly above chance among the {len(ranked)} assumptions varied{few}. The table shows the"
            " largest ones anyway; read them as hints."
        )
    rows = [
        [
            d["key"],
            f"{d['coefficient']:+.2f}",
            "–" if d["ci_low"] is None else f"{d['ci_low']:+.2f} to {d['ci_high']:+.2f}",
            "yes" if d["stands_out"] else "no",
        ]
        for d in ranked[:TOP_DRIVERS]
    ]
    method = ranked[0]["method"] if ranked else "rank correlation"
    note = (
        f"<p>Drivers of the difference in final paid share ({html.escape(method)}: rank correlation of the"
        " assumption with the difference across worlds, with its 95% interval; 'stands out' holds after"
        " allowing for the number of assumptions tested).</p>\n"
    )
    head = ["assumption", "correlation", "95% interval", "stands out"]
    return f"<p><strong>Drivers.</strong> {verdict}</p>\n" + _table(head, rows) + note


def _reversal(results: WorldsFolder, name: str) -> str:
    """Return, in plain words, where in the assumptions the variant is no better (or that it never is)."""
    from sim.worlds.robust import describe_reversal

    entry = results.top["robust"][name]["final_paid_share"]
    boxes = results.top["reversal"][name]
    lines = describe_reversal(boxes, name, entry["share_better"])
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    rough = (
        f"<p>With {len(results.worlds)} worlds such regions are rough guesses: use --worlds"
        f" {ROUGH_BELOW_WORLDS} or more.</p>\n"
        if boxes and len(results.worlds) < ROUGH_BELOW_WORLDS
        else ""
    )
    return f"<p><strong>Where the answer reverses</strong> (final paid share):</p>\n<ul>{items}</ul>\n{rough}"


def _left_out() -> str:
    """Say which views of the plain report are not drawn here, and why."""
    return (
        "<p>A run in worlds keeps each run's key figures, not its event log: the collection curves by"
        " world, the weekday × hour heatmaps, the contact funnel, collector morale, tickets and owner"
        " stories are left out. Run one world's scenario without <code>--worlds</code> (its values are a"
        " row of <code>worlds.csv</code>, given as <code>--set</code>) to see them.</p>\n"
    )


def _scenarios(results: WorldsFolder) -> str:
    """Return the merged scenario YAML of every variant and the worlds' values (folded)."""
    noun = "replication" if results.reps == 1 else "replications"
    parts = [
        f"<p>Master seed: <strong>{results.top['seed']}</strong>; {results.reps} {noun} per world.</p>\n"
    ]
    for name, text in results.yaml.items():
        parts.append(
            f"<details><summary><strong>{html.escape(name)}</strong>: merged scenario ({text.count(chr(10))}"
            f" lines of YAML)</summary>\n<pre>{html.escape(text)}</pre>\n</details>\n"
        )
    worlds = results.worlds.reset_index().to_csv(index=False, lineterminator="\n")
    parts.append(
        f"<details><summary><strong>worlds</strong>: {len(results.worlds)} worlds ×"
        f" {results.worlds.shape[1]} assumptions (CSV)</summary>\n"
        f"<pre>{html.escape(worlds)}</pre>\n</details>\n"
    )
    return "".join(parts)
