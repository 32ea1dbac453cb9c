"""Figures without pyplot: a Figure on its own Agg canvas, turned into PNG bytes or a data URI."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["GRID_COLOUR", "new_figure", "png_bytes", "png_data_uri", "style_axes"]

GRID_COLOUR = "#dddddd"
"""Colour of grid lines: light enough to stay behind the data, visible in print."""


def new_figure(width: float, height: float) -> Figure:
    """Return an empty Figure of `width` x `height` inches attached to its own Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

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
