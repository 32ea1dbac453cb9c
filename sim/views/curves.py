"""Curves over the days of a campaign, drawn with Matplotlib's Agg canvas (no pyplot, no global state)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "paid_share_figure"]

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
"""The Okabe–Ito colour-blind safe palette."""


def paid_share_figure(summary: Mapping[str, Any]) -> Figure:
    """Draw the mean paid-share curve with its 5–95% band and the mean money share."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _draw_curves(axes, summary)
    _decorate(axes, summary)
    return figure


def _draw_curves(axes: Axes, summary: Mapping[str, Any]) -> None:
    """Draw the household band and mean, and the money mean, on `axes`."""
    import numpy as np

    def floats(values: list[float | None]) -> np.ndarray:
        return np.array(values, dtype=float)  # None (from strict JSON) becomes NaN: a gap

    days, paid, money = summary["days"], summary["paid_share"], summary["money_share"]
    axes.fill_between(
        days,
        floats(paid["p05"]),
        floats(paid["p95"]),
        color=OKABE_ITO["sky_blue"],
        alpha=0.35,
        linewidth=0,
        label="households paid, 5–95% of replications",
    )
    axes.plot(
        days, floats(paid["mean"]), color=OKABE_ITO["blue"], linewidth=2.2, label="households paid, mean"
    )
    axes.plot(
        days,
        floats(money["mean"]),
        color=OKABE_ITO["vermillion"],
        linewidth=1.8,
        linestyle=(0, (6, 3)),
        label="money paid (share of fees billed), mean",
    )


def _decorate(axes: Axes, summary: Mapping[str, Any]) -> None:
    """Add title, axis labels, limits, grid and legend."""
    days, reps = summary["days"], summary["reps"]
    noun = "replication" if reps == 1 else "replications"
    axes.set_title(f"{summary['scenario']}: paid share by day ({reps} {noun}, seed {summary['seed']})")
    axes.set_xlabel("day of campaign")
    axes.set_ylabel("share of households paid")
    axes.set_xlim(days[0], max(days[-1], days[0] + 1))
    axes.set_ylim(0, 1)
    axes.grid(True, color="#cccccc", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.legend(loc="lower right", frameon=True, framealpha=0.9)
