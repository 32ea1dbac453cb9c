"""Figures without pyplot: a Figure on its own Agg canvas, turned into PNG bytes or a data URI."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

from sim.languages import N_

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DAY_AXIS",
    "GRID_COLOUR",
    "HOUSEHOLDS_PAID_AXIS",
    "LABEL_BOX",
    "capitalized",
    "legend_below",
    "new_figure",
    "png_bytes",
    "png_data_uri",
    "style_axes",
]

DAY_AXIS = N_("day of campaign (days since start)")
"""Label of a time axis in days, shown translated (``_(DAY_AXIS)``)."""
HOUSEHOLDS_PAID_AXIS = N_("households paid (% of all households)")
"""Label of an axis of the share of households that have paid, shown translated."""
GRID_COLOUR = "#dddddd"
"""Colour of grid lines: light enough to stay behind the data, visible in print."""


def new_figure(width: float, height: float) -> Figure:
    """Return an empty Figure of `width` x `height` inches attached to its own Agg canvas.

    Its text is drawn with the fonts of the language spoken now (`sim.languages.fonts`):
    Chinese glyphs come from the Chinese font feesim ships.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from sim.languages.fonts import use_language_fonts

    use_language_fonts()
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png_bytes(figure: Figure, dpi: int = 110) -> bytes:
    """Render `figure` as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def png_data_uri(figure: Figure, dpi: int = 110) -> str:
    """Render `figure` as a ``data:image/png;base64,...`` URI for an HTML page."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(figure, dpi)).decode("ascii")


def style_axes(axes: Axes) -> None:
    """Put a light grid behind the data."""
    axes.grid(True, color=GRID_COLOUR, linewidth=0.6)
    axes.set_axisbelow(True)


LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
"""Background of a value label: black text stays readable over dark, hatched bars and error bars."""


def legend_below(figure: Figure, handles: Sequence[Any], labels: Sequence[str]) -> None:
    """Put one legend for the whole figure under its panels, outside every plotting area."""
    figure.legend(
        list(handles),
        list(labels),
        loc="outside lower center",
        ncols=min(len(labels), 4),
        fontsize=8,
        frameon=False,
        handlelength=3,
    )


def capitalized(text: str) -> str:
    """Return `text` with its first letter upper case (a glossary term as a title; Chinese is unchanged)."""
    return text[:1].upper() + text[1:]
