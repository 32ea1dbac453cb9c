"""What ``feesim analyze`` prints: the answer to the experiment's question, in plain words and units.

* One numeric lever (``team_size.yaml``): what each added unit brings in within the
  horizon against its staff cost, where it stops paying, and the outcomes at each
  setting (`sim.experiments.marginal`).
* Other lever grids: per outcome, the best setting and how far it is ahead of the
  runner-up on the same seeds.
* Sensitivity designs: the factors ranked by their indices, and a warning with a
  better sample size when a Sobol sample is too small for its indices.

Shares read as %, their differences in (percentage) points; money in CNY.
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
    interval_text,
    kind_of,
    lever_label,
    lever_unit,
    outcome_label,
    setting_text,
    setup_text,
    value_text,
)

__all__ = ["print_analysis"]

LEVEL_COLUMNS = 5
"""Most outcomes shown side by side in the table of settings (the rest are in points_summary.csv)."""


def print_analysis(analysis: dict[str, Any], folder: Path, console: Console) -> None:
    """Print what the sweep found and where the files are."""
    setup = analysis["setup"]
    head = (
        f"{setup['experiment']}: {setup['description']}" if setup.get("description") else setup["experiment"]
    )
    _say(console, head)
    same = "on the same seeds and in the same worlds" if setup.get("worlds") else "on the same seeds"
    _say(console, f"{setup_text(setup)}, {same} at every point.")
    marginal = analysis.get("marginal")
    if marginal is not None:
        _print_marginal(console, marginal, setup)
    else:
        _print_best(console, analysis.get("best_levers") or {})
    _print_sensitivity(console, analysis)
    for warning in analysis.get("warnings", []):
        _say(console, "")
        _say(console, _sobol_warning(warning), style="yellow")
    files = ", ".join(["analysis.json", "points_summary.csv", *analysis["figures"]])
    _say(console, "")
    _say(console, f"written to {folder}: {files}")


def _say(console: Console, text: str, style: str = "") -> None:
    """Print `text` verbatim (no markup), wrapped to the terminal."""
    console.print(Text(text, style=style))


# -- one numeric lever: the marginal unit --------------------------------------------------------------


def _print_marginal(console: Console, marginal: dict[str, Any], setup: dict[str, Any]) -> None:
    """Print the steps up the lever (money against staff cost, if recorded) and the outcomes per setting."""
    lever = lever_label(marginal["lever"])
    if "stops_paying_after" in marginal:
        console.print()
        console.print(_steps_table(marginal, setup))
        _say(console, "")
        _say(console, _answer(marginal, setup))
    else:
        console.print()
        console.print(_changes_table(marginal, setup))
        _say(
            console,
            f"To weigh what one more {lever_unit(marginal['lever'])} brings in against its staff cost,"
            " record money_collected and staff_hours among the experiment's outcomes.",
        )
    console.print()
    console.print(_levels_table(marginal, lever))


def _steps_table(marginal: dict[str, Any], setup: dict[str, Any]) -> Table:
    """Build one row per step up the lever: points paid, money, staff cost and net gain per added unit."""
    from rich import box

    unit = lever_unit(marginal["lever"])
    horizon = _within(setup)
    table = Table(
        title=f"What one more {unit} brings in, {horizon}",
        title_justify="left",
        caption=(
            "points: percentage points of households. Staff cost: staff hours x"
            f" {marginal['staff_cost_per_hour']:g} CNY/h. Net gain: money collected minus staff cost,"
            " mean ± half-width of its 95% interval over the replications (same seeds). A step pays"
            " when the whole interval is above zero, does not pay when it is below, else it is unclear."
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name, justify, no_wrap in (
        (lever_label(marginal["lever"]), "left", True),
        ("households paid (points)", "right", False),
        ("money collected (CNY)", "right", False),
        ("staff cost (CNY)", "right", False),
        ("net gain (CNY)", "right", True),
        ("verdict", "left", False),
    ):
        table.add_column(name, justify=justify, no_wrap=no_wrap)  # type: ignore[arg-type]
    for step in marginal["steps"]:
        paid = step["per_unit"].get("final_paid_share")
        net = step["net_gain"]
        cells = [
            f"{setting_text(step['from'])} → {setting_text(step['to'])}",
            "n/a" if paid is None else difference_text("final_paid_share", paid["mean"], unit=False),
            _cny(step["extra_money"]["mean"]),
            _cny(step["extra_staff_cost"]["mean"], signed=False),
            _cny_interval(net),
            step["pays"],
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
        title=f"What one more {unit} changes, {horizon} (mean over the replications, same seeds)",
        title_justify="left",
        caption="points: percentage points (a change of a share).",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column(lever_label(marginal["lever"]), no_wrap=True)
    for name in outcomes:
        table.add_column(_change_label(name), justify="right")
    for step in marginal["steps"]:
        changes = (difference_text(n, step["per_unit"][n]["mean"], unit=False) for n in outcomes)
        table.add_row(
            Text(f"{setting_text(step['from'])} → {setting_text(step['to'])}"), *(Text(c) for c in changes)
        )
    return table


def _change_label(name: str) -> str:
    """Return a column name for changes of an outcome: shares in points, others in their unit."""
    return f"{outcome_label(name)} (points)" if kind_of(name) == "share" else column_label(name)


def _answer(marginal: dict[str, Any], setup: dict[str, Any]) -> str:
    """Return the sentence that answers the question: after which setting one more unit stops paying."""
    steps, stop = marginal["steps"], marginal["stops_paying_after"]
    lever = lever_label(marginal["lever"])
    unit = lever_unit(marginal["lever"])
    horizon = _within(setup)
    if stop is None:
        last = steps[-1]
        return (
            f"Answer: every step up to {setting_text(last['to'])} {lever} pays {horizon}: even from"
            f" {setting_text(last['from'])} to {setting_text(last['to'])}, one more {unit} brings in"
            f" {_cny(last['extra_money']['mean'], False)} CNY for"
            f" {_cny(last['extra_staff_cost']['mean'], False)} CNY of staff time."
            " Try larger settings to find where it stops."
        )
    step = next(s for s in steps if s["from"] == stop)
    net = step["net_gain"]
    sure = (
        "clearly"
        if step["pays"] == "does not pay"
        else "on average (its 95% interval spans zero: more replications would settle it)"
    )
    return (
        f"Answer: one more {unit} stops paying after {setting_text(stop)} {lever}, {horizon}. From"
        f" {setting_text(step['from'])} to {setting_text(step['to'])}, each added {unit} brings in"
        f" {_cny(step['extra_money']['mean'], False)} CNY and costs"
        f" {_cny(step['extra_staff_cost']['mean'], False)} CNY of staff time:"
        f" {_cny_interval(net)} CNY net, a loss {sure}. Money still unpaid at the horizon is not counted."
    )


def _levels_table(marginal: dict[str, Any], lever: str) -> Table:
    """Build one row per setting with the mean of the first outcomes (the sweep's own order)."""
    from rich import box

    levels = marginal["levels"]
    outcomes = list(levels[0]["means"])[:LEVEL_COLUMNS] if levels else []
    table = Table(
        title=f"Outcomes by {lever} (mean over the replications)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column(lever)
    for name in outcomes:
        table.add_column(column_label(name), justify="right")
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
        label = f"{outcome_label(outcome)} ({best['direction']})"
        if d["mean"] == 0 and d["ci_low"] in (None, 0) and d["ci_high"] in (None, 0):
            _say(console, f"{label}: the best settings tie at {value_text(outcome, best['best_mean'])}.")
            continue
        interval = (
            ""
            if d["ci_low"] is None
            else f" (95% interval {interval_text(outcome, d['ci_low'], d['ci_high'])})"
        )
        _say(
            console,
            f"{label}: best {_setting(best['best'])}: {value_text(outcome, best['best_mean'])},"
            f" {difference_text(outcome, d['mean'])}{interval} against the runner-up"
            f" {_setting(best['runner_up'])} ({value_text(outcome, best['runner_up_mean'])}).",
        )


def _setting(point: dict[str, Any]) -> str:
    """Return a point's lever values as 'collectors = 4, billing = staged'."""
    return ", ".join(f"{lever_label(k)} = {setting_text(v)}" for k, v in point.items() if k != "point")


# -- sensitivity -----------------------------------------------------------------------------------


def _print_sensitivity(console: Console, analysis: dict[str, Any]) -> None:
    """Print the factors of each outcome ranked by their total (Sobol) or mu* (Morris) index."""
    for outcome, indices in (analysis.get("sensitivity") or {}).get("0", {}).items():
        if not indices:
            continue
        sobol = "ST" in next(iter(indices.values()))
        key = "ST" if sobol else "mu_star"
        what = "total index ST (first order S1)" if sobol else "mu*, mean absolute elementary effect"
        _say(console, "")
        _say(console, f"{outcome_label(outcome)}: factors by {what}, 95% half-width in brackets")
        for name, values in sorted(indices.items(), key=lambda item: -item[1][key]):
            first = f"  S1 {values['S1']:.2f} (±{values['S1_conf']:.2f})" if sobol else ""
            _say(console, f"  {name}: {values[key]:.2f} (±{values[key + '_conf']:.2f}){first}")


def _sobol_warning(warning: dict[str, Any]) -> str:
    """Return the warning of a Sobol sample too small for its indices, with the sample that would do."""
    signs = []
    if warning["first_order_above_total"]:
        signs.append(f"first order above total for {', '.join(warning['first_order_above_total'])}")
    if warning["negative"]:
        signs.append(f"negative indices for {', '.join(warning['negative'])}")
    return (
        f"warning: {outcome_label(warning['outcome'])}: the Sobol sample (n = {warning['n']} base samples)"
        f" is too small to trust these indices: {'; '.join(signs)}, and 95% half-widths up to"
        f" ±{warning['widest_half_width']:.2f}. For about ±0.05, sweep with n = {warning['suggested_n']}"
        f" ({warning['suggested_points']:,} points per replication): feesim sweep EXPERIMENT --samples"
        f" {warning['suggested_n']}."
    )


def _within(setup: dict[str, Any]) -> str:
    """Return when the outcomes are counted: 'within the 120-day horizon' (or 'by the end')."""
    days = setup.get("horizon_days")
    return f"within the {days}-day horizon" if days else "by the end"


# -- numbers ---------------------------------------------------------------------------------------


def _cny(value: float | None, signed: bool = True) -> str:
    """Return an amount of CNY as a whole number with thousands separators ('+418,067')."""
    if value is None:
        return "n/a"
    return f"{value:+,.0f}" if signed else f"{value:,.0f}"


def _cny_interval(entry: dict[str, Any]) -> str:
    """Return a mean amount with the half-width of its 95% interval, e.g. '+392,552 ± 55,537'."""
    if entry["ci_low"] is None:
        return f"{_cny(entry['mean'])} (no interval)"
    return f"{_cny(entry['mean'])} ± {_cny((entry['ci_high'] - entry['ci_low']) / 2, signed=False)}"
