"""The console output of ``feesim compare``: the variants side by side and their paired differences.

The variants table always shows the variant's name: when its columns do not fit the terminal,
they are split over several tables, each starting with the name; numbers are never cut.  The
differences are listed one figure a row, so they fit 80 columns whatever the number of variants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.languages import N_, _, ngettext, speaks_english
from sim.languages.formats import commas
from sim.languages.wrap import wrap

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = ["paired_table", "print_comparison", "variant_tables"]

Summary = dict[str, Any]


@dataclass(frozen=True)
class _Column:
    """A column of the variants table: its header and how to fill it from a variant's summary."""

    header: str
    cell: Callable[[Summary], str]


def print_comparison(console: Console, comparison: dict[str, Any], files: Sequence[str]) -> None:
    """Print the variants table(s), the paired differences and where the files went."""
    from rich.text import Text

    reps = comparison["reps"]
    heading = ngettext(
        "feesim compare: {reps} replication per variant, seed {seed}",
        "feesim compare: {reps} replications per variant, seed {seed}",
        reps,
    )
    console.print(Text(heading.format(reps=reps, seed=comparison["seed"])))
    for table in variant_tables(comparison, console):
        console.print()
        console.print(table)
    console.print()
    _print_paragraph(console, _(_VARIANTS_FOOTNOTE))
    if comparison["paired"]:
        baseline = comparison["baseline"]
        console.print()
        paired = _("paired differences, variant − {baseline} (mean over replications, 95% CI)")
        console.print(Text(paired.format(baseline=baseline)))
        for name, paired in comparison["paired"].items():
            console.print()
            console.print(Text(name, style="bold"))
            console.print(paired_table(baseline, paired))
        console.print()
        _print_paragraph(console, _paired_footnote(baseline))
    console.print()
    written = _("written to {folder}: {files}").format(folder=comparison["output"], files=commas(files))
    if speaks_english():
        console.print(Text(written), soft_wrap=True)
    else:
        _print_paragraph(console, written)


def _print_paragraph(console: Console, text: str) -> None:
    """Print a paragraph: wrapped by the console at spaces in English, by `sim.languages.wrap` in Chinese."""
    from rich.text import Text

    if speaks_english():
        console.print(Text(text))
        return
    for line in wrap(text, console.width):
        console.print(Text(line), no_wrap=True, overflow="ignore")


# -- the variants -----------------------------------------------------------------------------------


def variant_tables(comparison: dict[str, Any], console: Console) -> list[Table]:
    """Return the variants table, split into several when its columns do not fit the console's width.

    Columns of a group (the days to the targets, say) stay together when they fit beside the name.
    """
    from rich.measure import Measurement

    unbounded = console.options.update_width(10_000)  # measure the natural width, not the terminal's

    def fits(columns: list[_Column]) -> bool:
        table = _variants_table(comparison, columns)
        return Measurement.get(console, unbounded, table).maximum <= console.width

    tables: list[Table] = []
    chosen: list[_Column] = []
    for group in _column_groups(comparison):
        for part in [group] if fits(group) else [[column] for column in group]:
            if chosen and not fits([*chosen, *part]):
                tables.append(_variants_table(comparison, chosen))
                chosen = []
            chosen = [*chosen, *part]
    return [*tables, _variants_table(comparison, chosen)]


def _column_groups(comparison: dict[str, Any]) -> list[list[_Column]]:
    """Return the columns after the name, in groups kept together: paid share, days to targets, effort."""
    first = next(iter(comparison["variants"].values()))
    days = [
        _Column(_("to {target}%").format(target=target), _days_cell(target)) for target in first["days_to"]
    ]
    effort = [
        _Column(_("staff h"), lambda s: f"{s['staff_hours']['mean']:,.0f}"),
        _Column(_("calls"), lambda s: f"{s['calls']['mean']:,.0f}"),
    ]
    return [[_Column(_("paid ± 95% CI"), _paid_cell)], days, effort]


def _variants_table(comparison: dict[str, Any], columns: Sequence[_Column]) -> Table:
    """Build one table of the variants: their names and `columns`."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column(_("variant"), style="bold", overflow="fold")
    for column in columns:
        table.add_column(column.header, justify="right", no_wrap=True)
    for name, summary in comparison["variants"].items():
        table.add_row(Text(name), *(Text(column.cell(summary)) for column in columns))
    return table


_VARIANTS_FOOTNOTE = N_(
    "Means per replication. paid: share of households that had paid at the end, ± half the width"
    " of its 95% confidence interval (CI). to N%: days until N% of households had paid, over the"
    " replications that got there (in brackets: how many of all). staff h: staff hours paid."
    " calls: fee calls made."
)


def _paid_cell(summary: Summary) -> str:
    """Format the final paid share with the half-width of its 95% CI, e.g. '77.8% ± 0.7'."""
    final = summary["final_paid_share"]
    text = f"{100 * final['mean']:.1f}%"
    if final["ci_low"] is not None:
        text += f" ± {100 * (final['ci_high'] - final['ci_low']) / 2:.1f}"
    return text


def _days_cell(target: str) -> Callable[[Summary], str]:
    """Return the cell of days to `target`% with the reached count, e.g. '24.9 (3/4)' or '– (0/4)'."""

    def cell(summary: Summary) -> str:
        entry = summary["days_to"][target]
        days = "–" if entry["mean"] is None else f"{entry['mean']:.1f}"
        return f"{days} ({entry['reached']}/{summary['reps']})"

    return cell


# -- the paired differences -------------------------------------------------------------------------


def paired_table(baseline: str, paired: dict[str, Any]) -> Table:
    """Build one variant's paired differences to the baseline, one figure a row."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column(_("figure"), overflow="fold")
    table.add_column(_("difference from {baseline}").format(baseline=baseline), overflow="fold")
    for figure, text in _paired_rows(paired):
        table.add_row(Text(figure), Text(text))
    return table


def _paired_footnote(baseline: str) -> str:
    return _(
        "Each difference is the variant's figure minus {baseline}'s, replication by replication on the same"
        " seeds, with its 95% confidence interval (CI). points: percentage points, the difference between"
        " two percentages. A replication that never reached 80% counts as reaching it on the last day, so"
        " the days are then a bound ('at least')."
    ).format(baseline=baseline)


def _paired_rows(paired: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (figure, difference) rows of one variant against the baseline."""
    censored = paired.get("days_to_80_censored")
    rows = [(_("final paid share"), _signed(paired["final_paid_share"], 100, N_("{value} points")))]
    if censored is None:
        rows.append((_("days to 80% paid"), _signed(paired["days_to_80"], 1, N_("{value} days"))))
    else:
        rows.append((_("days to 80% paid"), _days_difference(censored)))
        if censored["bound"] != "exact" and any(censored["reached"].values()):
            reached = _("reached 80% by day {day}").format(day=censored["horizon_days"])
            rows.append((reached, _reached(censored)))
    rows.append((_("staff hours"), _signed(paired["staff_hours"], 1, N_("{value} h"))))
    return rows


def _signed(entry: dict[str, Any], scale: float, unit: str) -> str:
    """Format a paired difference with its CI, e.g. '+3.2 points (95% CI +1.0 to +5.4)'."""
    if entry["mean"] is None:
        return _("n/a (no replication to compare)")
    text = _(unit).format(value=f"{scale * entry['mean']:+,.1f}")
    if entry["ci_low"] is None:
        return _("{text} (no CI with one replication)").format(text=text)
    low, high = f"{scale * entry['ci_low']:+,.1f}", f"{scale * entry['ci_high']:+,.1f}"
    return _("{text} (95% CI {low} to {high})").format(text=text, low=low, high=high)


def _days_difference(censored: dict[str, Any]) -> str:
    """Say how much sooner or later the variant reached 80%, as a bound when replications fell short."""
    reached, bound, horizon = censored["reached"], censored["bound"], censored["horizon_days"]
    if reached["variant"] == 0 and reached["baseline"] == 0:
        return _("neither reached 80% within {days} days").format(days=horizon)
    entry = censored["restricted_mean"]
    if bound == "exact":
        text = _days_words(entry["mean"])
        ci = None if entry["ci_low"] is None else _days_range(entry["ci_low"], entry["ci_high"])
    elif bound in ("upper", "lower"):
        text = _days_bound(entry["mean"], bound)
        ci = None if entry["ci_low"] is None else _days_bound(entry[_BOUND_SIDE[bound]], bound)
    else:
        text = _("{difference}, counting day {day} for those that never reached it").format(
            difference=_days_words(entry["mean"]), day=horizon
        )
        ci = None if entry["ci_low"] is None else _days_range(entry["ci_low"], entry["ci_high"])
    return text if ci is None else _("{text} (95% CI: {ci})").format(text=text, ci=ci)


_BOUND_SIDE = {"upper": "ci_high", "lower": "ci_low"}
"""The CI end that bounds the difference, by kind of bound."""


def _days_words(days: float) -> str:
    """Say a signed difference in days in words: '3.2 days sooner', '1.0 days later'."""
    if abs(days) < 0.05:
        return _("the same day")
    text = _("{days} days sooner") if days < 0 else _("{days} days later")
    return text.format(days=f"{abs(days):.1f}")


def _days_range(low: float, high: float) -> str:
    """Say a CI of a difference in days in words, e.g. '2.1 to 5.0 days sooner'."""
    if high < 0:
        return _("{low} to {high} days sooner").format(low=f"{-high:.1f}", high=f"{-low:.1f}")
    if low > 0:
        return _("{low} to {high} days later").format(low=f"{low:.1f}", high=f"{high:.1f}")
    return _("{sooner} days sooner to {later} later").format(sooner=f"{-low:.1f}", later=f"{high:.1f}")


def _days_bound(days: float, bound: str) -> str:
    """Say a bound of the difference: 'at least 29.0 days sooner', 'at most 2.0 days later'..."""
    if bound == "upper":  # the variant is at least this much sooner (or at most this much later)
        if days < 0:
            return _("at least {days} days sooner").format(days=f"{-days:.1f}")
        return _("at most {days} days later").format(days=f"{days:.1f}")
    if days > 0:
        return _("at least {days} days later").format(days=f"{days:.1f}")
    return _("at most {days} days sooner").format(days=f"{-days:.1f}")


def _reached(censored: dict[str, Any]) -> str:
    """Say how many replications of each side reached 80%, and the difference of the shares."""
    reps, reached, share = censored["reps"], censored["reached"], censored["reached_share"]
    text = _("{variant} of {reps} against {baseline} of {reps}").format(
        variant=reached["variant"], baseline=reached["baseline"], reps=reps
    )
    difference = _("{value} points").format(value=f"{100 * share['mean']:+.0f}")
    if share["ci_low"] is not None and share["ci_high"] - share["ci_low"] > 1e-9:
        low, high = f"{100 * share['ci_low']:+.0f}", f"{100 * share['ci_high']:+.0f}"
        difference = _("{difference}, 95% CI {low} to {high}").format(
            difference=difference, low=low, high=high
        )
    return _("{text} ({difference})").format(text=text, difference=difference)
