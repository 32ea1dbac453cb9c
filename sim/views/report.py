"""The HTML report: one self-contained page (images inline as base64 PNG) built from a results folder."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
        _section("Key figures", _key_table(results)),
        _section("Paired differences", _paired_table(results)) if results.kind == "compare" else "",
        _section("Collection curves", _collection(results)),
        _section("When: weekday × hour", _heatmaps(results)),
        _section("Contact funnel", _funnel(results)),
        _section("Effort, cost and speed", _effort(results)),
        _section("Collector morale", _morale(results)),
        _section("Tickets", _tickets(results)),
        _section("Scenario and seed", _scenarios(results)),
    ]
    title = html.escape(f"feesim report: {_title(results)}")
    return html_page(title, parts)


def html_page(title: str, parts: Sequence[str]) -> str:
    """Return a whole report page: the HTML shell, the style sheet and `parts` (title already escaped)."""
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
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
    seeds = ", every variant on the same seeds (common random numbers)" if len(results.variants) > 1 else ""
    noun = "replication" if results.reps == 1 else "replications"
    each = " per variant" if len(results.variants) > 1 else ""
    return (
        f"<h1>{html.escape(_heading(results))}"
        f"{f'<br><small><code>{html.escape(_sets(results))}</code></small>' if _sets(results) else ''}</h1>\n"
        f'<p class="meta">feesim {results.kind}: {results.reps} {noun}{each}, master seed'
        f" <strong>{results.seed}</strong>, {html.escape(_sizes(results))}. {_overrides_text(results)}"
        f" Replication r runs on the r-th child of the seed{seeds}. Heatmaps and funnel count the event"
        " logs of every replication; the merged scenario files are at the end of this page.</p>\n"
        f"{_reproduce(results)}"
    )


def _title(results: ResultsFolder) -> str:
    """Return e.g. 'baseline vs playbook: 300 households, 120 days, 3 replications, seed 0; --set ...'."""
    return f"{_heading(results)}; {_sets(results)}" if _sets(results) else _heading(results)


def _heading(results: ResultsFolder) -> str:
    """Return the variants, households, horizon, replications and seed."""
    noun = "replication" if results.reps == 1 else "replications"
    return f"{' vs '.join(results.variants)}: {_sizes(results)}, {results.reps} {noun}, seed {results.seed}"


def _sets(results: ResultsFolder) -> str:
    """Return every ``--set`` of the command, as typed ('' if none or not recorded)."""
    invocation = results.invocation
    return " ".join(f"--set {item}" for item in invocation.sets) if invocation is not None else ""


def _sizes(results: ResultsFolder) -> str:
    """Return the households and horizon of the variants, e.g. '300 households, 120 days'."""
    sizes = {name: _size(text) for name, text in results.yaml.items()}
    if len(set(sizes.values())) == 1:
        return next(iter(sizes.values()))
    return "; ".join(f"{name}: {size}" for name, size in sizes.items())


def _size(scenario_yaml: str) -> str:
    """Return '<households> households, <days> days' of one merged scenario."""
    import yaml

    data = yaml.safe_load(scenario_yaml) or {}
    households = (data.get("community") or {}).get("households", "?")
    days = data.get("horizon_days", "?")
    return f"{households:,} households, {days} days" if isinstance(households, int) else f"{days} days"


def _overrides_text(results: ResultsFolder) -> str:
    """Return a sentence listing every ``--set`` of the command (or that none was given)."""
    invocation = results.invocation
    if invocation is None:
        return "Overrides: not recorded (the folder was written before feesim kept its command)."
    if not invocation.sets:
        return "No <code>--set</code> overrides: the scenario files as they are."
    return f"Overrides: the {len(invocation.sets)} <code>--set</code> under the title."


def _reproduce(results: ResultsFolder) -> str:
    """Return the paragraph with the command that gives the same numbers again."""
    invocation = results.invocation
    command = html.escape(_reproduce_command(results))
    if invocation is None:
        return f"<p>Reproduce: <code>{command}</code> (with the scenario files at the end of this page)</p>\n"
    return (
        f"<p>Reproduce (in <code>{html.escape(invocation.cwd)}</code>, where it ran): <code>{command}</code>"
        "<br>It writes to a new folder beside this one; the numbers are the same bit for bit as long as"
        " the scenario files have not changed (else use the merged files at the end of this page).</p>\n"
    )


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
        return f"not reached (0/{len(values)})"
    text = fmt(mean) if low is None or fmt(low) == fmt(high) else f"{fmt(mean)} ({fmt(low)} – {fmt(high)})"
    return text + (f" [{n}/{len(values)}]" if n < len(values) else "")


KEY_ROWS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("households paid at the end", "final_paid_share", lambda v: f"{100 * v:.1f}%"),
    ("money collected at the end (share of fees)", "final_money_share", lambda v: f"{100 * v:.1f}%"),
    ("money collected (CNY)", "money_collected", lambda v: f"{v:,.0f}"),
    *((f"days to {t}% of households paid", f"days_to_{t}", lambda v: f"{v:.1f}") for t in TARGETS),
    ("staff hours (h)", "staff_hours", lambda v: f"{v:,.0f}"),
    ("staff cost (CNY)", "staff_cost", lambda v: f"{v:,.0f}"),
    ("staff cost per 10,000 CNY collected (CNY)", "cost_per_10k", lambda v: f"{v:,.1f}"),
    ("fee calls", "calls", lambda v: f"{v:,.0f}"),
    ("calls that reached the owner", "reached", lambda v: f"{v:,.0f}"),
    ("promises made", "promises_made", lambda v: f"{v:,.1f}"),
    ("promises kept", "promises_kept", lambda v: f"{v:,.1f}"),
    ("promises broken", "promises_broken", lambda v: f"{v:,.1f}"),
    ("tickets opened", "tickets_opened", lambda v: f"{v:,.1f}"),
    ("tickets fixed", "tickets_fixed", lambda v: f"{v:,.1f}"),
    ("tickets escalated", "tickets_escalated", lambda v: f"{v:,.1f}"),
    ("mean wait for the service crew (h)", "ticket_mean_wait_hours", lambda v: f"{v:,.1f}"),
    ("team morale over the campaign (mean of the days; 1 = fresh)", "morale_mean", lambda v: f"{v:.3f}"),
    ("hostile encounters", "hostile", lambda v: f"{v:,.1f}"),
    ("owners who complained about being chased", "complaints", lambda v: f"{v:,.1f}"),
)
"""Rows of the key-figures table: label, column of replications.parquet, number format."""


def _key_table(results: ResultsFolder) -> str:
    """Return the key figures of every variant: mean over replications with its 95% CI."""
    tables = {name: t.replications for name, t in results.tables.items()}
    rows = [[label, *(_ci_text(t[column], fmt) for t in tables.values())] for label, column, fmt in KEY_ROWS]
    note = (
        "<p>Mean per replication, with its 95% Student-t interval in parentheses; [k/n]: only k of n"
        " replications reached the target. Staff cost = staff hours ×"
        " <code>team.staff_cost_per_hour</code>.</p>\n"
    )
    return _table(["figure", *results.variants], rows) + note


PAIRED_ROWS: tuple[tuple[str, str, float, str], ...] = (
    ("households paid at the end", "final_paid_share", 100.0, " pp"),
    ("money collected at the end", "final_money_share", 100.0, " pp"),
    *((f"days to {t}%", f"days_to_{t}", 1.0, " days") for t in TARGETS),
    ("staff hours", "staff_hours", 1.0, " h"),
    ("staff cost per 10,000 CNY collected", "cost_per_10k", 1.0, " CNY"),
)
"""Rows of the paired-differences table: label, column, scale and unit."""


def _paired_table(results: ResultsFolder) -> str:
    """Return each variant's paired difference to the first (replication by replication) with 95% CIs."""
    from sim.compare import paired_difference

    baseline, *others = results.variants
    base = results.tables[baseline].replications.sort_values("rep")
    variants = {name: results.tables[name].replications.sort_values("rep") for name in others}
    rows = []
    for label, column, scale, unit in PAIRED_ROWS:
        cells = [label]
        for name in others:
            entry = paired_difference(variants[name][column].tolist(), base[column].tolist())
            cells.append(_difference(entry, scale, unit, len(base)))
        rows.append(cells)
    note = (
        f"<p>Variant − {html.escape(baseline)}, replication by replication on the same seeds; mean and 95%"
        " interval. A difference whose interval excludes 0 is unlikely to be chance.</p>\n"
    )
    return _table(["paired difference", *(f"{n} − {baseline}" for n in others)], rows) + note


def _difference(entry: dict[str, Any], scale: float, unit: str, reps: int) -> str:
    """Format a paired difference, e.g. '+3.2 pp (+1.0 to +5.4)'."""
    if entry["mean"] is None:
        return "n/a (no pair reached it)"
    text = f"{scale * entry['mean']:+,.1f}{unit}"
    if entry["ci_low"] is not None:
        text += f" ({scale * entry['ci_low']:+,.1f} to {scale * entry['ci_high']:+,.1f})"
    return text + (f" [{entry['pairs']}/{reps} pairs]" if entry["pairs"] < reps else "")


def _collection(results: ResultsFolder) -> str:
    from sim.views.bands import collection_figure, segment_figure

    return _figure(
        collection_figure(results.daily),
        "Collection curves of households and money",
        "Share of households that have paid and share of the billed fees collected, by day. Lines: mean"
        " over replications; shaded: 5–95% of replications; dotted: the 50, 80 and 90% targets.",
    ) + _figure(
        segment_figure(results.daily),
        "Collection curves by owner segment",
        "The same curve for each owner segment (ordinary, undecided, hard), as a share of that segment.",
    )


def _heatmaps(results: ResultsFolder) -> str:
    from sim.views.heatmap import heatmap_figure

    activity = {name: t.activity for name, t in results.tables.items()}
    return _figure(
        heatmap_figure(activity, results.reps),
        "Heatmaps of fee-contact attempts, reach rate and payments by weekday and hour",
        "Fee contacts are calls and home, team and workplace visits. Reach rate: share of attempts that"
        " reached the owner (answered or at home). Do the calling windows match when owners answer and pay?",
    )


def _funnel(results: ResultsFolder) -> str:
    from sim.views.funnel import funnel_figure

    funnels = {name: t.funnel for name, t in results.tables.items()}
    return _figure(
        funnel_figure(funnels, results.reps),
        "Funnel from attempts to payments by kind of contact",
        "Attempts → reached → promised → promise kept → paid. Paid counts owners who paid on the spot"
        " (lighter lower part) or after a promise made at such a contact that was not broken.",
    )


def _effort(results: ResultsFolder) -> str:
    from sim.views.effort import effort_figure

    replications = {name: t.replications for name, t in results.tables.items()}
    return _figure(
        effort_figure(replications),
        "Staff hours, cost per 10,000 CNY collected and days to targets",
        "Staff hours: paid collector shift hours plus extra staff time (visits, notices, goodwill). Cost"
        " per 10,000 CNY: staff cost over money collected. Days to a target count only the replications"
        " that reached it (shown as reached / replications).",
    )


def _morale(results: ResultsFolder) -> str:
    from sim.views.bands import morale_figure

    return _figure(
        morale_figure(results.daily),
        "Collector morale over time",
        "Mean morale of the collectors at the end of each day (1 = fresh; rebuffs lower it, recovery,"
        " support and debriefs restore it). Line: mean over replications; shaded: 5–95%.",
    )


def _tickets(results: ResultsFolder) -> str:
    from sim.views.tickets import ticket_figure

    tickets = {name: t.tickets for name, t in results.tables.items()}
    horizon = max(s["days"][-1] for s in results.summaries.values())
    return _figure(
        ticket_figure(tickets, results.reps, float(max(horizon, 1))),
        "Tickets opened, fixed, escalated and the wait until a fix",
        "A ticket opens when an owner refuses to pay over a problem (fixable or legacy). Left: counts per"
        " replication. Right: share of opened tickets fixed within a number of days (crew or supervisor);"
        " the key-figures table gives the mean wait in the crew's queue.",
    )


def _scenarios(results: ResultsFolder) -> str:
    """Return the merged scenario YAML of every variant (folded) and the seed."""
    files = " ".join(f"{_safe(name)}.yaml" for name in results.variants)
    parts = [
        f"<p>Master seed: <strong>{results.seed}</strong>; {results.reps} replications. Each file below is"
        " the complete scenario after <code>extends</code> and <code>--set</code> overrides (click to"
        f" unfold). Saved as <code>{html.escape(files)}</code>, <code>feesim {results.kind}"
        f" {html.escape(files)} --reps {results.reps} --seed {results.seed}</code> gives the same"
        " numbers.</p>\n"
    ]
    for name, text in results.yaml.items():
        lines = text.count("\n")
        parts.append(
            f"<details><summary><strong>{html.escape(name)}</strong>: merged scenario ({lines} lines of"
            f" YAML)</summary>\n<pre>{html.escape(text)}</pre>\n</details>\n"
        )
    return "".join(parts)
