"""Curves over the days of a campaign, drawn with Matplotlib's Agg canvas (no pyplot, no global state)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sim.languages import _, ngettext

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "VARIANT_STYLES", "paid_share_figure", "paid_share_overlay_figure"]

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

VARIANT_STYLES: tuple[tuple[str, str | tuple[int, tuple[int, ...]]], ...] = (
    (OKABE_ITO["blue"], "solid"),
    (OKABE_ITO["vermillion"], (0, (6, 3))),
    (OKABE_ITO["green"], (0, (1, 2))),
    (OKABE_ITO["purple"], (0, (8, 3, 1, 3))),
    (OKABE_ITO["orange"], (0, (3, 2, 1, 2, 1, 2))),
    (OKABE_ITO["black"], (0, (12, 4))),
    (OKABE_ITO["sky_blue"], (0, (2, 4))),
)
"""Colour and line style of each variant in an overlay, in order; they repeat after the last one.

Colours follow Okabe–Ito (yellow left out: too pale on white); the line styles differ too,
so the curves can be told apart in greyscale.
"""


def paid_share_figure(summary: Mapping[str, Any]) -> Figure:
    """Draw the mean paid-share curve with its 5–95% band and the mean money share."""
    from sim.views.canvas import new_figure

    figure = new_figure(8, 5)
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
        label=_("households paid, 5–95% of replications"),
    )
    axes.plot(
        days, floats(paid["mean"]), color=OKABE_ITO["blue"], linewidth=2.2, label=_("households paid, mean")
    )
    axes.plot(
        days,
        floats(money["mean"]),
        color=OKABE_ITO["vermillion"],
        linewidth=1.8,
        linestyle=(0, (6, 3)),
        label=_("money paid (share of fees billed), mean"),
    )


def _decorate(axes: Axes, summary: Mapping[str, Any]) -> None:
    """Add title, axis labels in percent, limits, grid and legend."""
    from matplotlib.ticker import PercentFormatter

    from sim.views.canvas import DAY_AXIS

    days, reps = summary["days"], summary["reps"]
    title = ngettext(
        "{scenario}: paid share by day ({reps} replication, seed {seed})",
        "{scenario}: paid share by day ({reps} replications, seed {seed})",
        reps,
    )
    axes.set_title(title.format(scenario=summary["scenario"], reps=reps, seed=summary["seed"]))
    axes.set_xlabel(_(DAY_AXIS))
    axes.set_ylabel(_("households or money paid (% of all)"))
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    axes.set_xlim(days[0], max(days[-1], days[0] + 1))
    axes.set_ylim(0, 1)
    axes.grid(True, color="#cccccc", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.legend(loc="lower right", frameon=True, framealpha=0.9)


def paid_share_overlay_figure(comparison: Mapping[str, Any]) -> Figure:
    """Draw every variant's mean paid-share curve with its 5–95% band on one plot."""
    from sim.views.canvas import new_figure

    figure = new_figure(9, 5.5)
    axes = figure.add_subplot()
    handles = [
        _draw_variant(axes, name, summary, VARIANT_STYLES[k % len(VARIANT_STYLES)])
        for k, (name, summary) in enumerate(comparison["variants"].items())
    ]
    _decorate_overlay(axes, comparison, handles)
    return figure


def _draw_variant(
    axes: Axes, name: str, summary: Mapping[str, Any], style: tuple[str, Any]
) -> tuple[tuple[Any, Any], str]:
    """Draw one variant's band and mean; return its legend handle and label."""
    import numpy as np

    colour, linestyle = style
    days, paid = summary["days"], summary["paid_share"]
    band = axes.fill_between(
        days,
        np.array(paid["p05"], dtype=float),
        np.array(paid["p95"], dtype=float),
        color=colour,
        alpha=0.15,
        linewidth=0,
    )
    (line,) = axes.plot(
        days, np.array(paid["mean"], dtype=float), color=colour, linestyle=linestyle, linewidth=2.2
    )
    return (band, line), name


def _decorate_overlay(axes: Axes, comparison: Mapping[str, Any], handles: list[tuple[Any, str]]) -> None:
    """Add title, axis labels in percent, target lines, grid and a legend of the variants."""
    from matplotlib.ticker import PercentFormatter

    from sim.metrics import TARGETS
    from sim.views.canvas import DAY_AXIS, HOUSEHOLDS_PAID_AXIS

    days = [d for summary in comparison["variants"].values() for d in summary["days"]]
    reps = comparison["reps"]
    title = ngettext(
        "Households paid by day: {variants}\n"
        "mean and 5–95% band of {reps} replication (common random numbers, seed {seed})",
        "Households paid by day: {variants}\n"
        "mean and 5–95% band of {reps} replications (common random numbers, seed {seed})",
        reps,
    )
    variants = _(" vs ").join(comparison["variants"])
    axes.set_title(title.format(variants=variants, reps=reps, seed=comparison["seed"]))
    axes.set_xlabel(_(DAY_AXIS))
    axes.set_ylabel(_(HOUSEHOLDS_PAID_AXIS))
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    axes.set_xlim(min(days), max(max(days), min(days) + 1))
    axes.set_ylim(0, 1)
    for target in TARGETS:
        axes.axhline(target / 100, color="#999999", linewidth=0.8, linestyle=(0, (1, 3)), zorder=0)
    axes.grid(True, color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    legend_handles, labels = zip(*handles, strict=True)
    axes.legend(
        list(legend_handles),
        [_("{variant} (mean; band 5–95%)").format(variant=label) for label in labels],
        loc="lower right",
        frameon=True,
        framealpha=0.9,
        handlelength=4,
    )
