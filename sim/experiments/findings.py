"""What ``feesim analyze`` prints: the answer to the experiment's question, in plain words and units.

* One numeric lever (``team_size.yaml``): what each added unit brings in within the
  horizon against its staff cost, where it stops paying, and the outcomes at each
  setting (`sim.experiments.marginal`).
* Other lever grids: per outcome, the best setting and how far it is ahead of the
  runner-up on the same seeds.
* Sensitivity designs: the factors ranked by their indices, and a warning with a
  better sample size when a Sobol sample is too small for its indices.

Shares read as %, their differences in (percentage) points; money in CNY.  Every
sentence is one catalogue message, in the language being spoken (`sim.languages`);
the analysis itself (``analysis.json``, ``--json``) keeps its English values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.experiments.readable import (
    column_label,
    difference_text,
    direction_text,
    interval_text,
    kind_of,
    lever_label,
    lever_unit,
    not_available,
    outcome_label,
    setting_text,
    setup_text,
    value_text,
    verdict_text,
)
from sim.languages import N_, _, speaks_english
from sim.languages.formats import commas, listing, semicolons
from sim.languages.wrap import wrap

__all__ = ["print_analysis"]

LEVEL_COLUMNS = 5
"""Most outcomes shown side by side in the table of settings (the rest are in points_summary.csv)."""
STEP_COLUMNS = (
    (N_("households paid (points)"), "right", False),
    (N_("money collected (CNY)"), "right", False),
    (N_("staff cost (CNY)"), "right", False),
    (N_("net gain (CNY)"), "right", True),
    (N_("verdict"), "left", False),
)
"""The columns of the table of steps after the lever's: name, justification, whether it may wrap."""


def print_analysis(analysis: dict[str, Any], folder: Path, console: Console) -> None:
    """Print what the sweep found and where the files are."""
    setup = analysis["setup"]
    head = (
        _("{experiment}: {description}").format(
            experiment=setup["experiment"], description=setup["description"]
        )
        if setup.get("description")
        else setup["experiment"]
    )
    _say(console, head)
    same = (
        _("{setup}, on the same seeds and in the same worlds at every point.")
        if setup.get("worlds")
        else _("{setup}, on the same seeds at every point.")
    )
    _say(console, same.format(setup=setup_text(setup)))
    marginal = analysis.get("marginal")
    if marginal is not None:
        _print_marginal(console, marginal, setup)
    else:
        _print_best(console, analysis.get("best_levers") or {})
    _print_sensitivity(console, analysis)
    for warning in analysis.get("warnings", []):
        _say(console, "")
        _say(console, _sobol_warning(warning), style="yellow")
    files = listing(["analysis.json", "points_summary.csv", *analysis["figures"]])
    _say(console, "")
    _say(console, _("written to {folder}: {files}").format(folder=folder, files=files))


def _say(console: Console, text: str, style: str = "") -> None:
    """Print `text` verbatim (no markup), wrapped to the terminal (Chinese between any two characters)."""
    if not speaks_english():
        text = "\n".join("\n".join(wrap(line, console.width)) for line in text.split("\n"))
    console.print(Text(text, style=style))


def _print_table(console: Console, table: Table) -> None:
    """Print `table`; in Chinese its caption follows it, wrapped as Chinese (`_say`), not at its spaces."""
    caption = table.caption
    if speaks_english() or not isinstance(caption, str):
        console.print(table)
        return
    table.caption = None
    console.print(table)
    _say(console, caption)


def _column(table: Table, header: str, **options: Any) -> None:
    """Add a column to `table`; in Chinese its unit goes under its name, and it folds between characters."""
    if speaks_english():
        table.add_column(header, **options)
        return
    unit = header.find("（")
    if unit > 0:
        header = f"{header[:unit]}\n{header[unit:]}"
    table.add_column(header, **options, overflow="fold")


# -- one numeric lever: the marginal unit --------------------------------------------------------------


def _print_marginal(console: Console, marginal: dict[str, Any], setup: dict[str, Any]) -> None:
    """Print the steps up the lever (money against staff cost, if recorded) and the outcomes per setting."""
    lever = lever_label(marginal["lever"])
    if "stops_paying_after" in marginal:
        console.print()
        _print_table(console, _steps_table(marginal, setup))
        _say(console, "")
        _say(console, _answer(marginal, setup))
    else:
        console.print()
        _print_table(console, _changes_table(marginal, setup))
        _say(
            console,
            _(
                "To weigh what one more {unit} brings in against its staff cost,"
                " record money_collected and staff_hours among the experiment's outcomes."
            ).format(unit=lever_unit(marginal["lever"])),
        )
    console.print()
    _print_table(console, _levels_table(marginal, lever))


def _steps_table(marginal: dict[str, Any], setup: dict[str, Any]) -> Table:
    """Build one row per step up the lever: points paid, money, staff cost and net gain per added unit."""
    from rich import box

    unit = lever_unit(marginal["lever"])
    horizon = _within(setup)
    table = Table(
        title=_("What one more {unit} brings in, {horizon}").format(unit=unit, horizon=horizon),
        title_justify="left",
        caption=_(
            "points: percentage points of households. Staff cost: staff hours x {rate} CNY/h."
            " Net gain: money collected minus staff cost, mean ± half-width of its 95% interval"
            " over the replications (same seeds). A step pays when the whole interval is above zero,"
            " does not pay when it is below, else it is unclear."
        ).format(rate=f"{marginal['staff_cost_per_hour']:g}"),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    _column(table, lever_label(marginal["lever"]), justify="left", no_wrap=True)
    for name, justify, no_wrap in STEP_COLUMNS:
        _column(table, _(name), justify=justify, no_wrap=no_wrap)
    for step in marginal["steps"]:
        paid = step["per_unit"].get("final_paid_share")
        net = step["net_gain"]
        cells = [
            f"{setting_text(step['from'])} → {setting_text(step['to'])}",
            not_available()
            if paid is None
            else difference_text("final_paid_share", paid["mean"], unit=False),
            _cny(step["extra_money"]["mean"]),
            _cny(step["extra_staff_cost"]["mean"], signed=False),
            _cny_interval(net),
            verdict_text(step["pays"]),
        ]
        table.add_row(*(Text(cell) for cell in cells))
    return table


def _changes_table(marginal: dict[str, Any], setup: dict[str, Any]) -> Table:
    """Build one row per step up the lever: each outcome's mean change per added unit."""
    from rich import box

    unit = lever_unit(marginal["lever"])
    horizon = _within(setup)
    outcomes = list(marginal["steps"][0]["per_unit"])[:LEVEL_COLUMNS] if marginal["steps"] else []
    table = Table(
        title=_("What one more {unit} changes, {horizon} (mean over the replications, same seeds)").format(
            unit=unit, horizon=horizon
        ),
        title_justify="left",
        caption=_("points: percentage points (a change of a share)."),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    _column(table, lever_label(marginal["lever"]), no_wrap=True)
    for name in outcomes:
        _column(table, _change_label(name), justify="right")
    for step in marginal["steps"]:
        changes = (difference_text(n, step["per_unit"][n]["mean"], unit=False) for n in outcomes)
        table.add_row(
            Text(f"{setting_text(step['from'])} → {setting_text(step['to'])}"), *(Text(c) for c in changes)
        )
    return table


def _change_label(name: str) -> str:
    """Return a column name for changes of an outcome: shares in points, others in their unit."""
    if kind_of(name) == "share":
        return _("{label} (points)").format(label=outcome_label(name))
    return column_label(name)


def _answer(marginal: dict[str, Any], setup: dict[str, Any]) -> str:
    """Return the sentence that answers the question: after which setting one more unit stops paying."""
    steps, stop = marginal["steps"], marginal["stops_paying_after"]
    lever = lever_label(marginal["lever"])
    unit = lever_unit(marginal["lever"])
    horizon = _within(setup)
    if stop is None:
        last = steps[-1]
        return _(
            "Answer: every step up to {last} {lever} pays {horizon}: even from {low} to {high},"
            " one more {unit} brings in {money} CNY for {cost} CNY of staff time."
            " Try larger settings to find where it stops."
        ).format(
            last=setting_text(last["to"]),
            lever=lever,
            horizon=horizon,
            low=setting_text(last["from"]),
            high=setting_text(last["to"]),
            unit=unit,
            money=_cny(last["extra_money"]["mean"], False),
            cost=_cny(last["extra_staff_cost"]["mean"], False),
        )
    step = next(s for s in steps if s["from"] == stop)
    loss = (
        _(
            "Answer: one more {unit} stops paying after {stop} {lever}, {horizon}. From {low} to {high},"
            " each added {unit} brings in {money} CNY and costs {cost} CNY of staff time:"
            " {net} CNY net, a loss clearly. Money still unpaid at the horizon is not counted."
        )
        if step["pays"] == "does not pay"
        else _(
            "Answer: one more {unit} stops paying after {stop} {lever}, {horizon}. From {low} to {high},"
            " each added {unit} brings in {money} CNY and costs {cost} CNY of staff time:"
            " {net} CNY net, a loss on average (its 95% interval spans zero: more replications would"
            " settle it). Money still unpaid at the horizon is not counted."
        )
    )
    return loss.format(
        unit=unit,
        stop=setting_text(stop),
        lever=lever,
        horizon=horizon,
        low=setting_text(step["from"]),
        high=setting_text(step["to"]),
        money=_cny(step["extra_money"]["mean"], False),
        cost=_cny(step["extra_staff_cost"]["mean"], False),
        net=_cny_interval(step["net_gain"]),
    )


def _levels_table(marginal: dict[str, Any], lever: str) -> Table:
    """Build one row per setting with the mean of the first outcomes (the sweep's own order)."""
    from rich import box

    levels = marginal["levels"]
    outcomes = list(levels[0]["means"])[:LEVEL_COLUMNS] if levels else []
    table = Table(
        title=_("Outcomes by {lever} (mean over the replications)").format(lever=lever),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    _column(table, lever)
    for name in outcomes:
        _column(table, column_label(name), justify="right")
    for level in levels:
        values = (value_text(name, level["means"][name], unit=False) for name in outcomes)
        table.add_row(Text(setting_text(level["setting"])), *(Text(v) for v in values))
    return table


# -- other lever grids: the best setting ---------------------------------------------------------------


def _print_best(console: Console, best_levers: dict[str, Any]) -> None:
    """Print, per outcome, the best setting and its paired lead over the runner-up."""
    if not best_levers:
        return
    _say(console, "")
    for outcome, best in best_levers.items():
        if best is None:
            continue
        d = best["paired_difference"]
        label = _("{outcome} ({direction})").format(
            outcome=outcome_label(outcome), direction=direction_text(best["direction"])
        )
        if d["mean"] == 0 and d["ci_low"] in (None, 0) and d["ci_high"] in (None, 0):
            tie = _("{label}: the best settings tie at {value}.")
            _say(console, tie.format(label=label, value=value_text(outcome, best["best_mean"])))
            continue
        sentence = (
            _(
                "{label}: best {best}: {value}, {difference} against the runner-up"
                " {runner_up} ({runner_value})."
            )
            if d["ci_low"] is None
            else _(
                "{label}: best {best}: {value}, {difference} (95% interval {interval}) against the runner-up"
                " {runner_up} ({runner_value})."
            )
        )
        _say(
            console,
            sentence.format(
                label=label,
                best=_setting(best["best"]),
                value=value_text(outcome, best["best_mean"]),
                difference=difference_text(outcome, d["mean"]),
                interval=interval_text(outcome, d["ci_low"], d["ci_high"]),
                runner_up=_setting(best["runner_up"]),
                runner_value=value_text(outcome, best["runner_up_mean"]),
            ),
        )


def _setting(point: dict[str, Any]) -> str:
    """Return a point's lever values as 'collectors = 4, billing = staged'."""
    return commas([f"{lever_label(k)} = {setting_text(v)}" for k, v in point.items() if k != "point"])


# -- sensitivity -----------------------------------------------------------------------------------


def _print_sensitivity(console: Console, analysis: dict[str, Any]) -> None:
    """Print the factors of each outcome ranked by their total (Sobol) or mu* (Morris) index."""
    for outcome, indices in (analysis.get("sensitivity") or {}).get("0", {}).items():
        if not indices:
            continue
        sobol = "ST" in next(iter(indices.values()))
        key = "ST" if sobol else "mu_star"
        heading = (
            _("{outcome}: factors by total index ST (first order S1), 95% half-width in brackets")
            if sobol
            else _("{outcome}: factors by mu*, mean absolute elementary effect, 95% half-width in brackets")
        )
        _say(console, "")
        _say(console, heading.format(outcome=outcome_label(outcome)))
        for name, values in sorted(indices.items(), key=lambda item: -item[1][key]):
            first = f"  S1 {values['S1']:.2f} (±{values['S1_conf']:.2f})" if sobol else ""
            _say(console, f"  {name}: {values[key]:.2f} (±{values[key + '_conf']:.2f}){first}")


def _sobol_warning(warning: dict[str, Any]) -> str:
    """Return the warning of a Sobol sample too small for its indices, with the sample that would do."""
    signs = []
    if warning["first_order_above_total"]:
        above = _("first order above total for {names}")
        signs.append(above.format(names=listing(warning["first_order_above_total"])))
    if warning["negative"]:
        signs.append(_("negative indices for {names}").format(names=listing(warning["negative"])))
    return _(
        "warning: {outcome}: the Sobol sample (n = {n} base samples) is too small to trust these indices:"
        " {signs}, and 95% half-widths up to ±{widest}. For about ±0.05, sweep with n = {suggested}"
        " ({points} points per replication): feesim sweep EXPERIMENT --samples {suggested}."
    ).format(
        outcome=outcome_label(warning["outcome"]),
        n=warning["n"],
        signs=semicolons(signs),
        widest=f"{warning['widest_half_width']:.2f}",
        suggested=warning["suggested_n"],
        points=f"{warning['suggested_points']:,}",
    )


def _within(setup: dict[str, Any]) -> str:
    """Return when the outcomes are counted: 'within the 120-day horizon' (or 'by the end')."""
    days = setup.get("horizon_days")
    return _("within the {days}-day horizon").format(days=days) if days else _("by the end")


# -- numbers ---------------------------------------------------------------------------------------


def _cny(value: float | None, signed: bool = True) -> str:
    """Return an amount of CNY as a whole number with thousands separators ('+418,067')."""
    if value is None:
        return not_available()
    return f"{value:+,.0f}" if signed else f"{value:,.0f}"


def _cny_interval(entry: dict[str, Any]) -> str:
    """Return a mean amount with the half-width of its 95% interval, e.g. '+392,552 ± 55,537'."""
    if entry["ci_low"] is None:
        return _("{mean} (no interval)").format(mean=_cny(entry["mean"]))
    return f"{_cny(entry['mean'])} ± {_cny((entry['ci_high'] - entry['ci_low']) / 2, signed=False)}"
