"""Effort and speed: staff hours, staff cost per 10,000 CNY collected, days to 50/80/90% paid.

Staff cost = staff hours x ``team.staff_cost_per_hour`` (CNY/h); cost per 10,000 CNY
collected = staff cost / money collected x 10,000.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.languages import _
from sim.metrics import TARGETS
from sim.results import mean_ci

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["KPI_COLUMNS", "effort_figure", "replication_row"]

KPI_COLUMNS: tuple[str, ...] = (
    "final_paid_share",
    "final_money_share",
    "money_collected",
    "money_billed",
    "staff_hours",
    "staff_cost",
    "cost_per_10k",
    *(f"days_to_{t}" for t in TARGETS),
    "calls",
    "reached",
    "promises_made",
    "promises_kept",
    "promises_broken",
    "tickets_opened",
    "tickets_fixed",
    "tickets_escalated",
    "tickets_withdrawn",
    "ticket_mean_wait_hours",
    "final_morale",
    "morale_mean",
    "hostile",
    "complaints",
)
"""Columns of the per-replication table (``replications.parquet``), after `variant` and `rep`."""


def _number(value: Any) -> float:
    """Return `value` as a float (None becomes NaN)."""
    return math.nan if value is None else float(value)


def replication_row(kpis: Mapping[str, Any], staff_cost_per_hour: float) -> dict[str, float]:
    """Return the key figures of one run, with its staff cost and cost per 10,000 CNY collected."""
    cost = float(kpis["staff_hours"]) * staff_cost_per_hour
    collected = float(kpis["money_collected"])
    promises, tickets = kpis["promises"], kpis["tickets"]
    row = {
        "final_paid_share": float(kpis["final_paid_share"]),
        "final_money_share": float(kpis["final_money_share"]),
        "money_collected": collected,
        "money_billed": float(kpis["money_billed"]),
        "staff_hours": float(kpis["staff_hours"]),
        "staff_cost": cost,
        "cost_per_10k": cost / collected * 10_000 if collected > 0 else math.nan,
        **{f"days_to_{t}": _number(kpis[f"days_to_{t}"]) for t in TARGETS},
        "calls": float(kpis["calls"]),
        "reached": float(kpis["reached"]),
        **{f"promises_{k}": float(promises[k]) for k in ("made", "kept", "broken")},
        **{f"tickets_{k}": float(tickets[k]) for k in ("opened", "fixed", "escalated", "withdrawn")},
        "ticket_mean_wait_hours": _number(tickets["mean_wait_hours"]),
        "final_morale": float(kpis["final_morale"]),
        "morale_mean": float(kpis["morale_mean"]),
        "hostile": float(kpis["hostile"]),
        "complaints": float(kpis["complaints"]),
    }
    return {name: row[name] for name in KPI_COLUMNS}


def mean_with_ci(values: pd.Series) -> tuple[float, float | None, float | None, int]:
    """Return mean, 95% CI bounds and count of the non-missing values (NaN mean if none)."""
    present = values.dropna().to_numpy(dtype=float)
    if len(present) == 0:
        return math.nan, None, None, 0
    mean, low, high = mean_ci(present)
    return mean, low, high, len(present)


def effort_figure(replications: Mapping[str, pd.DataFrame]) -> Figure:
    """Draw staff hours, cost per 10,000 CNY collected and days to 50/80/90% per variant, with 95% CIs."""
    from sim.views.canvas import capitalized, new_figure

    figure = new_figure(15, 4.8)
    hours, cost, days = figure.subplots(1, 3, width_ratios=(1, 1, 1.6))
    _draw_bars(
        hours, replications, "staff_hours", _("staff hours per campaign (h)"), capitalized(_("staff hours"))
    )
    _draw_bars(
        cost,
        replications,
        "cost_per_10k",
        _("staff cost per 10,000 CNY collected (CNY)"),
        _("Cost of collecting 10,000 CNY"),
    )
    _draw_days(days, replications)
    _variant_legend(figure, list(replications))
    reps = max(len(t) for t in replications.values())
    figure.suptitle(
        _("Effort and speed (mean over {reps} replications; error bars: 95% CI)").format(reps=reps)
    )
    return figure


def _draw_bars(
    axes: Axes, replications: Mapping[str, pd.DataFrame], column: str, label: str, title: str
) -> None:
    """Draw one bar per variant with its 95% CI."""
    from sim.views.canvas import style_axes
    from sim.views.curves import VARIANT_STYLES
    from sim.views.funnel import HATCHES

    for v, (name, table) in enumerate(replications.items()):
        mean, low, high, _n = mean_with_ci(table[column])
        error = None if low is None else [[mean - low], [high - mean]]
        bars = axes.bar(
            [v],
            [0.0 if math.isnan(mean) else mean],
            0.7,
            yerr=error,
            capsize=4,
            label=name,
            color=VARIANT_STYLES[v % len(VARIANT_STYLES)][0],
            edgecolor="black",
            linewidth=0.5,
            hatch=HATCHES[v % len(HATCHES)],
        )
        texts = axes.bar_label(
            bars, labels=[_("n/a") if math.isnan(mean) else f"{mean:,.0f}"], fontsize=8, padding=3
        )
        _boxed(texts)
    axes.set_xticks(range(len(replications)), list(replications), rotation=15)
    axes.set_title(title)
    axes.set_xlabel(_("variant"))
    axes.set_ylabel(label)
    axes.margins(y=0.15)
    style_axes(axes)


def _boxed(texts: list[Any]) -> None:
    """Give value labels a white background: readable over bars, hatching and error bars alike."""
    from sim.views.canvas import LABEL_BOX

    for text in texts:
        text.set_bbox(LABEL_BOX)


def _variant_legend(figure: Figure, names: list[str]) -> None:
    """Name the variants' colours and hatches once, under the panels."""
    from matplotlib.patches import Patch

    from sim.views.canvas import legend_below
    from sim.views.curves import VARIANT_STYLES
    from sim.views.funnel import HATCHES

    handles = [
        Patch(
            facecolor=VARIANT_STYLES[v % len(VARIANT_STYLES)][0],
            edgecolor="black",
            linewidth=0.5,
            hatch=HATCHES[v % len(HATCHES)],
        )
        for v in range(len(names))
    ]
    legend_below(figure, handles, names)


def _draw_days(axes: Axes, replications: Mapping[str, pd.DataFrame]) -> None:
    """Draw grouped bars of days to 50/80/90% paid, with CIs and how many replications got there."""
    from sim.views.canvas import style_axes
    from sim.views.curves import VARIANT_STYLES
    from sim.views.funnel import HATCHES

    width = 0.8 / len(replications)
    x = np.arange(len(TARGETS))
    for v, (name, table) in enumerate(replications.items()):
        stats = [mean_with_ci(table[f"days_to_{t}"]) for t in TARGETS]
        means = [0.0 if math.isnan(s[0]) else s[0] for s in stats]
        errors = np.array([[0.0, 0.0] if s[1] is None else [s[0] - s[1], s[2] - s[0]] for s in stats]).T
        bars = axes.bar(
            x - 0.4 + width * (v + 0.5),
            means,
            width,
            yerr=errors,
            capsize=3,
            label=name,
            color=VARIANT_STYLES[v % len(VARIANT_STYLES)][0],
            edgecolor="black",
            linewidth=0.5,
            hatch=HATCHES[v % len(HATCHES)],
        )
        labels = [
            _("{days} d\n{reached}/{reps}").format(days=f"{s[0]:.0f}", reached=s[3], reps=len(table))
            if s[3]
            else _("not\nreached\n0/{reps}").format(reps=len(table))
            for s in stats
        ]
        _boxed(axes.bar_label(bars, labels=labels, fontsize=7, padding=2))
    axes.set_xticks(x, [_("{target}% paid").format(target=t) for t in TARGETS])
    axes.set_title(_("Days until a share of households has paid (reached / replications)"))
    axes.set_xlabel(_("target share of households"))
    axes.set_ylabel(_("days since the start (d)"))
    axes.margins(y=0.25)
    style_axes(axes)
