"""Dot plots of a figure across worlds: one dot per world, the median and the middle 90% marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.languages import _

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Strip", "strips_figure"]

BETTER_COLOUR = "#1b7837"
WORSE_COLOUR = "#b2182b"
TIE_COLOUR = "#888888"
NEUTRAL_COLOUR = "#2166ac"


class Strip:
    """One panel: the worlds' values of a figure, its label, and which side is better (or none)."""

    def __init__(self, label: str, values: Sequence[float], better: str | None) -> None:
        """Store the label, the finite values and 'higher', 'lower' or None (no zero line, one colour)."""
        self.label = label
        self.values = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
        self.better = better


def strips_figure(title: str, strips: Sequence[Strip]) -> Figure:
    """Draw one horizontal dot plot per strip, side by side; differences get a zero line."""
    from sim.views.canvas import new_figure

    figure = new_figure(4.2 * len(strips), 2.8)
    axes_row = figure.subplots(1, len(strips), squeeze=False)[0]
    for axes, strip in zip(axes_row, strips, strict=True):
        _draw_strip(axes, strip)
    figure.suptitle(title, fontsize=11)
    return figure


def _draw_strip(axes: Axes, strip: Strip) -> None:
    """Draw the dots (jittered up and down, seeded), the 5-95% band, the median and the zero line."""
    from sim.views.canvas import style_axes

    style_axes(axes)
    axes.set_yticks([])
    axes.set_ylim(-1, 1.6)
    axes.set_xlabel(strip.label)
    if strip.values.size == 0:
        axes.set_xticks([])
        axes.text(0.5, 0.5, _("not reached in any world"), transform=axes.transAxes, ha="center", va="center")
        return
    jitter = np.random.default_rng(0).uniform(-0.55, 0.55, strip.values.size)
    axes.scatter(strip.values, jitter, s=22, c=_colours(strip), alpha=0.8, edgecolors="none", zorder=3)
    axes.ticklabel_format(axis="x", useOffset=False)  # 4,500.0 to 4,500.5 h, not 0.0 to 0.5 and "+4.5e3"
    low, median, high = np.percentile(strip.values, [5, 50, 95])
    axes.axvspan(low, high, color="#999999", alpha=0.18, lw=0, label=_("5–95% of worlds"))
    middle = _("median {value}").format(value=f"{median:+,.1f}") if strip.better else _("median")
    axes.axvline(median, color="black", lw=1.6, label=middle)
    if strip.better is not None:
        axes.axvline(0.0, color="black", lw=0.9, ls=":", label=_("no difference"))
        _pad_to_zero(axes, strip.values)
    axes.legend(loc="upper left", fontsize=7, framealpha=0.85)


def _colours(strip: Strip) -> list[str]:
    """Colour a world's dot: better there, worse, or no difference (grey)."""
    if strip.better is None:
        return [NEUTRAL_COLOUR] * strip.values.size
    signed = strip.values if strip.better == "higher" else -strip.values
    return [BETTER_COLOUR if v > 0 else WORSE_COLOUR if v < 0 else TIE_COLOUR for v in signed]


def _pad_to_zero(axes: Axes, values: np.ndarray) -> None:
    """Widen the x range so the zero line is in view with a margin."""
    low, high = min(values.min(), 0.0), max(values.max(), 0.0)
    margin = 0.08 * (high - low) if high > low else 1.0
    axes.set_xlim(low - margin, high + margin)
