"""Fee-blocking tickets: opened, fixed, escalated, withdrawn, and how long owners waited for a fix."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.languages import N_, _

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.records import EventRecord

__all__ = ["FIXED", "ticket_figure", "ticket_rows"]

FIXED: frozenset[str] = frozenset({"fixed by crew", "solved by supervisor"})
"""Ticket outcomes that solve the owner's problem."""

COUNTS: tuple[tuple[str, str], ...] = (
    ("opened", N_("opened")),
    ("fixed", N_("fixed")),
    ("escalated", N_("escalated")),
    ("withdrew", N_("owner withdrew")),
)
"""Ticket table column and bar label (shown translated) of each count."""


def ticket_rows(records: Sequence[EventRecord]) -> list[dict[str, Any]]:
    """Return one row per fee ticket of one run: owner, grievance, opening, fix and escalation."""
    tickets: dict[int, dict[str, Any]] = {}
    for record in records:
        if record.kind != "ticket" or record.owner < 0:
            continue
        if record.outcome.startswith("opened"):
            tickets[record.owner] = {
                "owner": record.owner,
                "grievance": record.outcome.removeprefix("opened").strip(),
                "opened_h": record.time,
                "fixed_h": math.nan,
                "outcome": "open",
                "escalated": False,
                "withdrew": False,
            }
            continue
        ticket = tickets.get(record.owner)
        if ticket is None:
            continue
        if record.outcome == "escalated":
            ticket["escalated"] = True
        elif record.outcome == "owner withdrew":
            ticket["withdrew"] = True
        elif record.outcome in FIXED or record.outcome == "unresolvable":
            ticket["outcome"] = record.outcome
            if record.outcome in FIXED:
                ticket["fixed_h"] = record.time
    return list(tickets.values())


def ticket_figure(tickets: Mapping[str, pd.DataFrame], reps: int, horizon_days: float) -> Figure:
    """Draw ticket counts per replication and the distribution of days from opening to fix."""
    from sim.views.canvas import new_figure

    figure = new_figure(13, 4.7)
    counts_axes, waits_axes = figure.subplots(1, 2, width_ratios=(1, 1.3))
    _draw_counts(counts_axes, tickets, reps)
    lines = _draw_waits(waits_axes, tickets, horizon_days)
    _legend(figure, tickets, lines)
    figure.suptitle(_("Fee-blocking tickets ({reps} replications)").format(reps=reps))
    return figure


def _counts(table: pd.DataFrame) -> list[float]:
    """Return the number of tickets opened, fixed, escalated and withdrawn in a ticket table."""
    fixed = table["fixed_h"].notna() if len(table) else []
    return [
        float(len(table)),
        float(np.sum(fixed)),
        float(table["escalated"].sum()),
        float(table["withdrew"].sum()),
    ]


def _draw_counts(axes: Axes, tickets: Mapping[str, pd.DataFrame], reps: int) -> None:
    """Draw grouped bars of ticket counts per replication, one colour (and hatch) per variant."""
    from sim.views.canvas import LABEL_BOX
    from sim.views.curves import VARIANT_STYLES
    from sim.views.funnel import HATCHES

    width = 0.8 / max(len(tickets), 1)
    x = np.arange(len(COUNTS))
    for v, (name, table) in enumerate(tickets.items()):
        values = np.array(_counts(table)) / reps
        bars = axes.bar(
            x - 0.4 + width * (v + 0.5),
            values,
            width,
            label=name,
            color=VARIANT_STYLES[v % len(VARIANT_STYLES)][0],
            edgecolor="black",
            linewidth=0.5,
            hatch=HATCHES[v % len(HATCHES)],
        )
        for text in axes.bar_label(bars, fmt="{:,.1f}", fontsize=7, padding=1):
            text.set_bbox(LABEL_BOX)
    axes.set_xticks(x, [_(label) for _column, label in COUNTS])
    axes.set_title(_("Tickets opened, fixed, escalated; owners who stopped waiting"))
    axes.set_xlabel(_("ticket event"))
    axes.set_ylabel(_("tickets per replication"))
    axes.margins(y=0.15)


def _legend(figure: Figure, tickets: Mapping[str, pd.DataFrame], lines: dict[str, tuple[Any, str]]) -> None:
    """Name each variant once under the panels: its bars' fill and its wait curve, with the median wait."""
    from matplotlib.patches import Patch

    from sim.views.canvas import legend_below
    from sim.views.curves import VARIANT_STYLES
    from sim.views.funnel import HATCHES

    handles, labels = [], []
    for v, name in enumerate(tickets):
        style = {"edgecolor": "black", "linewidth": 0.5, "hatch": HATCHES[v % len(HATCHES)]}
        patch = Patch(facecolor=VARIANT_STYLES[v % len(VARIANT_STYLES)][0], **style)
        line, note = lines.get(name, (None, _("no tickets")))
        handles.append(patch if line is None else (patch, line))
        labels.append(_("{variant} ({note})").format(variant=name, note=note))
    legend_below(figure, handles, labels)


def _draw_waits(
    axes: Axes, tickets: Mapping[str, pd.DataFrame], horizon_days: float
) -> dict[str, tuple[Any, str]]:
    """Draw, per variant, the share of tickets fixed within x days of opening (an empirical CDF).

    Return each drawn variant's curve and a note with its median wait and how many were fixed.
    """
    from matplotlib.ticker import PercentFormatter

    from sim.views.canvas import style_axes
    from sim.views.curves import VARIANT_STYLES

    drawn: dict[str, tuple[Any, str]] = {}
    for v, (name, table) in enumerate(tickets.items()):
        colour, linestyle = VARIANT_STYLES[v % len(VARIANT_STYLES)]
        days = np.sort(((table["fixed_h"] - table["opened_h"]) / 24.0).dropna().to_numpy())
        if len(table) == 0:
            continue
        share = np.arange(1, len(days) + 1) / len(table)
        x = np.concatenate(([0.0], days, [horizon_days]))  # flat after the last fix: the rest stay unfixed
        y = np.concatenate(([0.0], share, [share[-1] if len(share) else 0.0]))
        if len(days):
            note = _("median {days} d, {fixed}/{opened} fixed").format(
                days=f"{np.median(days):.1f}", fixed=len(days), opened=len(table)
            )
        else:
            note = _("none fixed, {fixed}/{opened} fixed").format(fixed=0, opened=len(table))
        (line,) = axes.step(x, y, where="post", color=colour, linestyle=linestyle, linewidth=2)
        drawn[name] = (line, note)
    waits = [
        (t["fixed_h"] - t["opened_h"]).max() / 24.0 for t in tickets.values() if t["fixed_h"].notna().any()
    ]
    axes.set_xlim(0, min(horizon_days, 1.05 * max(waits)) if waits else horizon_days)
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    axes.set_title(_("Wait from ticket opened to problem fixed"))
    axes.set_xlabel(_("days since the ticket was opened (d)"))
    axes.set_ylabel(_("tickets fixed by then (% of opened)"))
    style_axes(axes)
    return drawn
