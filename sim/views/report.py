"""The HTML report: one self-contained page (images inline as base64 PNG) built from a results folder."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.languages import N_, _, active, formats, ngettext, speaks_english
from sim.languages.formats import semicolons, sentences
from sim.metrics import TARGETS
from sim.views.effort import mean_with_ci

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.views.folder import ResultsFolder

__all__ = ["render_report", "write_report"]

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #999; margin-top: 1.6em; }
.meta { color: #333; } code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85em; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.8em; white-space: pre-wrap; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; } thead th { background: #eee; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #333; }
details { margin: 0.5em 0; } summary { cursor: pointer; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  @page { size: A4 landscape; margin: 12mm; }
  h2 { break-after: avoid; } figure, table { break-inside: avoid; }
  pre { white-space: pre-wrap; font-size: 7.5pt; border: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def write_report(folder: Path, out: Path | None = None) -> Path:
    """Read the results folder `folder` and write its HTML report (default: ``folder/report.html``)."""
    from sim.output import write_text_atomic
    from sim.views.folder import load_results

    results = load_results(folder)
    return write_text_atomic(out if out is not None else folder / "report.html", render_report(results))


def render_report(results: ResultsFolder) -> str:
    """Return the whole HTML page of a results folder."""
    parts = [
        _header(results),
        _section(_("Key figures"), _key_table(results)),
        _section(_("Paired differences"), _paired_table(results)) if results.kind == "compare" else "",
        _section(_("Collection curves"), _collection(results)),
        _section(_("When: weekday × hour"), _heatmaps(results)),
        _section(_("Contact funnel"), _funnel(results)),
        _section(_("Effort, cost and speed"), _effort(results)),
        _section(_("Collector morale"), _morale(results)),
        _section(_("Tickets"), _tickets(results)),
        _section(_("Scenario and seed"), _scenarios(results)),
    ]
    title = html.escape(_("feesim report: {title}").format(title=_title(results)))
    return html_page(title, parts)


def html_page(title: str, parts: Sequence[str]) -> str:
    """Return a whole report page: the HTML shell, the style sheet and `parts` (title already escaped).

    The page's ``lang`` is the language spoken (``en``, ``zh-Hans``, ``zh-Hant``).
    """
    return (
        f'<!DOCTYPE html>\n<html lang="{active()}">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>{CSS}</style>\n'
        f"</head>\n<body>\n{''.join(parts)}</body>\n</html>\n"
    )


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{html.escape(title)}</h2>\n{body}</section>\n"


def _figure(figure: Figure, alt: str, caption: str) -> str:
    """Return a <figure> with the picture inline and its caption."""
    from sim.views.canvas import png_data_uri

    uri = png_data_uri(figure)
    return (
        f'<figure><img src="{uri}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>\n"
    )


def _header(results: ResultsFolder) -> str:
    """Return the title (with what was overridden), what was run and how to run it again."""
    several, reps = len(results.variants) > 1, results.reps
    if several:
        what = ngettext(
            "feesim {kind}: {reps} replication per variant, master seed {seed}, {sizes}.",
            "feesim {kind}: {reps} replications per variant, master seed {seed}, {sizes}.",
            reps,
        )
        seeds = _(
            "Replication r runs on the r-th child of the seed, every variant on the same seeds"
            " (common random numbers)."
        )
    else:
        what = ngettext(
            "feesim {kind}: {reps} replication, master seed {seed}, {sizes}.",
            "feesim {kind}: {reps} replications, master seed {seed}, {sizes}.",
            reps,
        )
        seeds = _("Replication r runs on the r-th child of the seed.")
    what = what.format(
        kind=results.kind,
        reps=reps,
        seed=f"<strong>{results.seed}</strong>",
        sizes=html.escape(_sizes(results)),
    )
    logs = _(
        "Heatmaps and funnel count the event logs of every replication; the merged scenario files are at"
        " the end of this page."
    )
    return (
        f"<h1>{html.escape(_heading(results))}"
        f"{f'<br><small><code>{html.escape(_sets(results))}</code></small>' if _sets(results) else ''}</h1>\n"
        f'<p class="meta">{sentences(what, _overrides_text(results), seeds, logs)}</p>\n'
        f"{_reproduce(results)}"
    )


def _title(results: ResultsFolder) -> str:
    """Return e.g. 'baseline vs playbook: 300 households, 120 days, 3 replications, seed 0; --set ...'."""
    if not _sets(results):
        return _heading(results)
    return _("{heading}; {sets}").format(heading=_heading(results), sets=_sets(results))


def _heading(results: ResultsFolder) -> str:
    """Return the variants, households, horizon, replications and seed."""
    reps = ngettext("{count} replication", "{count} replications", results.reps).format(count=results.reps)
    return _("{variants}: {sizes}, {replications}, seed {seed}").format(
        variants=_(" vs ").join(results.variants), sizes=_sizes(results), replications=reps, seed=results.seed
    )


def _sets(results: ResultsFolder) -> str:
    """Return every ``--set`` of the command, as typed ('' if none or not recorded)."""
    invocation = results.invocation
    return " ".join(f"--set {item}" for item in invocation.sets) if invocation is not None else ""


def _sizes(results: ResultsFolder) -> str:
    """Return the households and horizon of the variants, e.g. '300 households, 120 days'."""
    sizes = {name: _size(text) for name, text in results.yaml.items()}
    if len(set(sizes.values())) == 1:
        return next(iter(sizes.values()))
    return semicolons(_("{name}: {size}").format(name=name, size=size) for name, size in sizes.items())


def _size(scenario_yaml: str) -> str:
    """Return '<households> households, <days> days' of one merged scenario."""
    import yaml

    data = yaml.safe_load(scenario_yaml) or {}
    households = (data.get("community") or {}).get("households", "?")
    days = data.get("horizon_days", "?")
    if isinstance(households, int):
        return _("{households} households, {days} days").format(households=f"{households:,}", days=days)
    return _("{days} days").format(days=days)


def _overrides_text(results: ResultsFolder) -> str:
    """Return a sentence listing every ``--set`` of the command (or that none was given)."""
    invocation = results.invocation
    if invocation is None:
        return _("Overrides: not recorded (the folder was written before feesim kept its command).")
    if not invocation.sets:
        return _("No <code>--set</code> overrides: the scenario files as they are.")
    return _("Overrides: the {count} <code>--set</code> under the title.").format(count=len(invocation.sets))


def _reproduce(results: ResultsFolder) -> str:
    """Return the paragraph with the command that gives the same numbers again."""
    invocation = results.invocation
    command = html.escape(_reproduce_command(results))
    if invocation is None:
        text = _("Reproduce: {command} (with the scenario files at the end of this page)")
        return f"<p>{text.format(command=f'<code>{command}</code>')}</p>\n"
    text = _(
        "Reproduce (in {folder}, where it ran): {command}<br>It writes to a new folder beside this one; the"
        " numbers are the same bit for bit as long as the scenario files have not changed (else use the"
        " merged files at the end of this page)."
    )
    folder = f"<code>{html.escape(invocation.cwd)}</code>"
    return f"<p>{text.format(folder=folder, command=f'<code>{command}</code>')}</p>\n"


def _reproduce_command(results: ResultsFolder) -> str:
    """Return the command that gives the same numbers: as it was run, or from the files shown here."""
    import shlex

    invocation = results.invocation
    if invocation is None:
        if results.kind == "compare":
            files = " ".join(f"{_safe(name)}.yaml" for name in results.variants)
            return f"feesim compare {files} --reps {results.reps} --seed {results.seed}"
        scenario = shlex.quote(str(results.folder / "scenario.yaml"))
        return f"feesim run {scenario} --reps {results.reps} --seed {results.seed}"
    words = ["feesim", invocation.command, *invocation.files]
    for item in invocation.sets:
        words += ["--set", item]
    out = _shown_path(f"{invocation.out}-rerun", invocation.cwd)
    words += ["--reps", str(results.reps), "--seed", str(results.seed), "--out", out, "--report"]
    return shlex.join(words)


def _shown_path(path: str, cwd: str) -> str:
    """Return `path` relative to `cwd` when it lies inside it, else as it is."""
    absolute, base = Path(path), Path(cwd)
    return str(absolute.relative_to(base)) if absolute.is_relative_to(base) else path


def _safe(name: str) -> str:
    """Return a variant name usable as a file name."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "variant"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return an HTML table with escaped cells."""
    header = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>\n{body}</tbody></table>\n"


def _ci_text(values: Any, fmt: Callable[[float], str]) -> str:
    """Format the mean of a column with its 95% CI and, when some are missing, the count present."""
    mean, low, high, n = mean_with_ci(values)
    if n == 0:
        return _("not reached (0/{total})").format(total=len(values))
    text = fmt(mean) if low is None or fmt(low) == fmt(high) else f"{fmt(mean)} ({fmt(low)} – {fmt(high)})"
    return text + (f" [{n}/{len(values)}]" if n < len(values) else "")


def _yuan(value: float) -> str:
    """Return an amount of money: '1,234,567' in English (the label says CNY), 123.46万元 in Chinese."""
    return f"{value:,.0f}" if speaks_english() else formats.money(value)


KEY_ROWS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    (N_("households paid at the end"), "final_paid_share", lambda v: f"{100 * v:.1f}%"),
    (N_("money collected at the end (share of fees)"), "final_money_share", lambda v: f"{100 * v:.1f}%"),
    (N_("money collected (CNY)"), "money_collected", _yuan),
    *((N_("days to {target}% of households paid"), f"days_to_{t}", lambda v: f"{v:.1f}") for t in TARGETS),
    (N_("staff hours (h)"), "staff_hours", lambda v: f"{v:,.0f}"),
    (N_("staff cost (CNY)"), "staff_cost", _yuan),
    (N_("staff cost per 10,000 CNY collected (CNY)"), "cost_per_10k", lambda v: f"{v:,.1f}"),
    (N_("fee calls"), "calls", lambda v: f"{v:,.0f}"),
    (N_("calls that reached the owner"), "reached", lambda v: f"{v:,.0f}"),
    (N_("promises made"), "promises_made", lambda v: f"{v:,.1f}"),
    (N_("promises kept"), "promises_kept", lambda v: f"{v:,.1f}"),
    (N_("promises broken"), "promises_broken", lambda v: f"{v:,.1f}"),
    (N_("tickets opened"), "tickets_opened", lambda v: f"{v:,.1f}"),
    (N_("tickets fixed"), "tickets_fixed", lambda v: f"{v:,.1f}"),
    (N_("tickets escalated"), "tickets_escalated", lambda v: f"{v:,.1f}"),
    (N_("mean wait for the service crew (h)"), "ticket_mean_wait_hours", lambda v: f"{v:,.1f}"),
    (N_("team morale over the campaign (mean of the days; 1 = fresh)"), "morale_mean", lambda v: f"{v:.3f}"),
    (N_("hostile encounters"), "hostile", lambda v: f"{v:,.1f}"),
    (N_("owners who complained about being chased"), "complaints", lambda v: f"{v:,.1f}"),
)
"""Rows of the key-figures table: label (a catalogue message; {target}: the row's target), column of
replications.parquet, number format."""


def _label(label: str, column: str) -> str:
    """Return a row's label in the language spoken, with its target (the column's ``days_to_<target>``)."""
    return _(label).format(target=column.removeprefix("days_to_"))


def _key_table(results: ResultsFolder) -> str:
    """Return the key figures of every variant: mean over replications with its 95% CI."""
    tables = {name: t.replications for name, t in results.tables.items()}
    rows = [
        [_label(label, column), *(_ci_text(t[column], fmt) for t in tables.values())]
        for label, column, fmt in KEY_ROWS
    ]
    note = _(
        "Mean per replication, with its 95% Student-t interval in parentheses; [k/n]: only k of n"
        " replications reached the target. Staff cost = staff hours × <code>team.staff_cost_per_hour</code>."
    )
    return _table([_("figure"), *results.variants], rows) + f"<p>{note}</p>\n"


PAIRED_ROWS: tuple[tuple[str, str, float, str], ...] = (
    (N_("households paid at the end"), "final_paid_share", 100.0, N_("{value} pp")),
    (N_("money collected at the end"), "final_money_share", 100.0, N_("{value} pp")),
    *((N_("days to {target}%"), f"days_to_{t}", 1.0, N_("{value} days")) for t in TARGETS),
    (N_("staff hours"), "staff_hours", 1.0, N_("{value} h")),
    (N_("staff cost per 10,000 CNY collected"), "cost_per_10k", 1.0, N_("{value} CNY")),
)
"""Rows of the paired-differences table: label, column, scale and the difference with its unit (messages)."""


def _paired_table(results: ResultsFolder) -> str:
    """Return each variant's paired difference to the first (replication by replication) with 95% CIs."""
    from sim.compare import paired_difference

    baseline, *others = results.variants
    base = results.tables[baseline].replications.sort_values("rep")
    variants = {name: results.tables[name].replications.sort_values("rep") for name in others}
    rows = []
    for label, column, scale, unit in PAIRED_ROWS:
        cells = [_label(label, column)]
        for name in others:
            entry = paired_difference(variants[name][column].tolist(), base[column].tolist())
            cells.append(_difference(entry, scale, unit, len(base)))
        rows.append(cells)
    note = _(
        "Variant − {baseline}, replication by replication on the same seeds; mean and 95% interval. A"
        " difference whose interval excludes 0 is unlikely to be chance."
    ).format(baseline=html.escape(baseline))
    head = [_("paired difference"), *(f"{n} − {baseline}" for n in others)]
    return _table(head, rows) + f"<p>{note}</p>\n"


def _difference(entry: dict[str, Any], scale: float, unit: str, reps: int) -> str:
    """Format a paired difference, e.g. '+3.2 pp (+1.0 to +5.4)'."""
    if entry["mean"] is None:
        return _("n/a (no pair reached it)")
    text = _(unit).format(value=f"{scale * entry['mean']:+,.1f}")
    if entry["ci_low"] is not None:
        low, high = f"{scale * entry['ci_low']:+,.1f}", f"{scale * entry['ci_high']:+,.1f}"
        text = _("{text} ({low} to {high})").format(text=text, low=low, high=high)
    if entry["pairs"] < reps:
        text = _("{text} [{pairs}/{reps} pairs]").format(text=text, pairs=entry["pairs"], reps=reps)
    return text


def _collection(results: ResultsFolder) -> str:
    from sim.views.bands import collection_figure, segment_figure

    return _figure(
        collection_figure(results.daily),
        _("Collection curves of households and money"),
        _(
            "Share of households that have paid and share of the billed fees collected, by day. Lines: mean"
            " over replications; shaded: 5–95% of replications; dotted: the 50, 80 and 90% targets."
        ),
    ) + _figure(
        segment_figure(results.daily),
        _("Collection curves by owner segment"),
        _(
            "The same curve for each owner segment ({ordinary}, {undecided}, {hard}), as a share of that"
            " segment."
        ).format(ordinary=_("ordinary"), undecided=_("undecided"), hard=_("hard")),
    )


def _heatmaps(results: ResultsFolder) -> str:
    from sim.views.heatmap import heatmap_figure

    activity = {name: t.activity for name, t in results.tables.items()}
    return _figure(
        heatmap_figure(activity, results.reps),
        _("Heatmaps of fee-contact attempts, reach rate and payments by weekday and hour"),
        _(
            "Fee contacts are calls and home, team and workplace visits. Reach rate: share of attempts that"
            " reached the owner (answered or at home). Do the calling windows match when owners answer and"
            " pay?"
        ),
    )


def _funnel(results: ResultsFolder) -> str:
    from sim.views.funnel import funnel_figure

    funnels = {name: t.funnel for name, t in results.tables.items()}
    return _figure(
        funnel_figure(funnels, results.reps),
        _("Funnel from attempts to payments by kind of contact"),
        _(
            "Attempts → reached → promised → promise kept → paid. Paid counts owners who paid on the spot"
            " (lighter lower part) or after a promise made at such a contact that was not broken."
        ),
    )


def _effort(results: ResultsFolder) -> str:
    from sim.views.effort import effort_figure

    replications = {name: t.replications for name, t in results.tables.items()}
    return _figure(
        effort_figure(replications),
        _("Staff hours, cost per 10,000 CNY collected and days to targets"),
        _(
            "Staff hours: paid collector shift hours plus extra staff time (visits, notices, goodwill). Cost"
            " per 10,000 CNY: staff cost over money collected. Days to a target count only the replications"
            " that reached it (shown as reached / replications)."
        ),
    )


def _morale(results: ResultsFolder) -> str:
    from sim.views.bands import morale_figure

    return _figure(
        morale_figure(results.daily),
        _("Collector morale over time"),
        _(
            "Mean morale of the collectors at the end of each day (1 = fresh; rebuffs lower it, recovery,"
            " support and debriefs restore it). Line: mean over replications; shaded: 5–95%."
        ),
    )


def _tickets(results: ResultsFolder) -> str:
    from sim.views.tickets import ticket_figure

    tickets = {name: t.tickets for name, t in results.tables.items()}
    horizon = max(s["days"][-1] for s in results.summaries.values())
    return _figure(
        ticket_figure(tickets, results.reps, float(max(horizon, 1))),
        _("Tickets opened, fixed, escalated and the wait until a fix"),
        _(
            "A ticket opens when an owner refuses to pay over a problem (fixable or legacy). Left: counts per"
            " replication. Right: share of opened tickets fixed within a number of days (crew or supervisor);"
            " the key-figures table gives the mean wait in the crew's queue."
        ),
    )


def _scenarios(results: ResultsFolder) -> str:
    """Return the merged scenario YAML of every variant (folded) and the seed."""
    files = " ".join(f"{_safe(name)}.yaml" for name in results.variants)
    command = f"feesim {results.kind} {files} --reps {results.reps} --seed {results.seed}"
    intro = _(
        "Master seed: {seed}; {reps} replications. Each file below is the complete scenario after"
        " <code>extends</code> and <code>--set</code> overrides (click to unfold). Saved as {files},"
        " {command} gives the same numbers."
    ).format(
        seed=f"<strong>{results.seed}</strong>",
        reps=results.reps,
        files=f"<code>{html.escape(files)}</code>",
        command=f"<code>{html.escape(command)}</code>",
    )
    parts = [f"<p>{intro}</p>\n"]
    for name, text in results.yaml.items():
        summary = _("{name}: merged scenario ({lines} lines of YAML)").format(
            name=f"<strong>{html.escape(name)}</strong>", lines=text.count("\n")
        )
        parts.append(f"<details><summary>{summary}</summary>\n<pre>{html.escape(text)}</pre>\n</details>\n")
    return "".join(parts)
