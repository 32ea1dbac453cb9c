"""The campaign as an animation: every household a cell in its building, the collection curve beside it.

One frame per `step` days from day 0 (the start, nothing billed yet) to the last day, which is
always included: with step 1 that is horizon + 1 frames.  With two runs (``--vs``) the buildings
of both are drawn side by side, on the same seed, and both curves share one panel.  The figure is
drawn once; each frame only updates the image arrays, the curves and the texts.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.languages import _, speaks_english
from sim.languages.formats import date as date_text_of
from sim.output import write_file_atomic
from sim.views.errors import ViewError
from sim.views.eventlog import WEEKDAY_NAMES
from sim.views.states import OUTSIDE, STATE_COLOURS, STATES, Layout, building_layout, state_matrix

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.views.onerun import LoggedRun

__all__ = ["Rendered", "check_output", "frame_days", "render_animation"]

GAP_COLOUR = "#8c8c8c"
"""Colour of the lines between cells inside a building."""
HEIGHT_INCHES, BOTTOM, HEIGHT = 5.6, 0.15, 0.72
"""Figure height, and bottom and height of the building panels (figure fractions)."""
MAX_LABELLED_BUILDINGS = 40
"""Buildings are labelled B1, B2... when there are at most this many (text is the slowest part of a frame)."""


@dataclass(frozen=True)
class Rendered:
    """What was written: the file, its frame count and the rendering time."""

    path: Path
    frames: int
    seconds: float


def check_output(out: Path) -> str:
    """Return the writer for `out` ('pillow' for .gif, 'ffmpeg' for .mp4); raise ViewError if impossible."""
    suffix = out.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ViewError(
            _("{out}: the animation must be a .gif (or an .mp4 when ffmpeg is installed)").format(out=out)
        )
    if suffix == ".mp4" and shutil.which("ffmpeg") is None:
        message = _("{out}: writing .mp4 needs ffmpeg on the PATH; write a .gif instead")
        raise ViewError(message.format(out=out))
    if out.is_dir():
        raise ViewError(_("{out}: is a folder; give a file name such as campaign.gif").format(out=out))
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ViewError(_("{out}: the folder {folder} does not exist").format(out=out, folder=folder))
    return "pillow" if suffix == ".gif" else "ffmpeg"


def frame_days(horizon: int, step: int) -> list[int]:
    """Return the days drawn: 0, step, 2 x step... and always the last day."""
    days = list(range(0, horizon + 1, step))
    return days if days[-1] == horizon else [*days, horizon]


@dataclass
class _Panel:
    """One run's building picture and curve, and the artists a frame updates."""

    run: LoggedRun
    states: np.ndarray
    layout: Layout
    image: Any = None
    curve: Any = None
    dot: Any = None
    title: Any = None


def render_animation(
    runs: Sequence[LoggedRun],
    out: Path,
    step: int = 1,
    fps: int = 8,
    progress: Callable[[int, int], None] | None = None,
) -> Rendered:
    """Draw the runs frame by frame into `out` (GIF with Pillow, MP4 with ffmpeg); return what was written."""
    started = time.perf_counter()
    writer_name = check_output(out)
    horizon = max(r.scenario.horizon_days for r in runs)
    days = frame_days(horizon, step)
    panels = [_panel(run, days) for run in runs]
    figure, date_text = _figure(panels, days)
    writer = _writer(writer_name, fps, runs)
    write_file_atomic(out, lambda path: _draw_frames(figure, writer, path, panels, days, date_text, progress))
    return Rendered(out, len(days), time.perf_counter() - started)


def _panel(run: LoggedRun, days: Sequence[int]) -> _Panel:
    """Compute one run's states at the frame days and its building layout."""
    aspect = (6.0 - 0.25) / (HEIGHT * HEIGHT_INCHES)
    states = state_matrix(run.records, run.population.size, days)
    return _Panel(run, states, building_layout(run.population, aspect=aspect))


def _writer(name: str, fps: int, runs: Sequence[LoggedRun]) -> Any:
    """Return a Matplotlib movie writer."""
    from matplotlib.animation import FFMpegWriter, PillowWriter

    title = " vs ".join(r.scenario.name for r in runs)
    if name == "pillow":
        return PillowWriter(fps=fps, metadata={"title": title})
    return FFMpegWriter(fps=fps, metadata={"title": title}, codec="h264", extra_args=["-pix_fmt", "yuv420p"])


def _draw_frames(
    figure: Figure,
    writer: Any,
    path: Path,
    panels: Sequence[_Panel],
    days: Sequence[int],
    date_text: Any,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Update the artists for every frame and hand each frame to the writer."""
    with writer.saving(figure, str(path), dpi=figure.dpi):
        for k, day in enumerate(days):
            _update(panels, k, day, days, date_text)
            writer.grab_frame()
            if progress is not None:
                progress(k + 1, len(days))


def _update(panels: Sequence[_Panel], frame: int, day: int, days: Sequence[int], date_text: Any) -> None:
    """Set the pictures, the curves, the titles and the date of one frame."""
    date_text.set_text(_caption(day, panels[0].run.start + dt.timedelta(days=day)))
    for panel in panels:
        panel.image.set_data(panel.layout.picture(panel.states[frame]))
        share = panel.run.result.daily["paid_share"].to_numpy()
        last = min(day, len(share) - 1)
        panel.curve.set_data(np.arange(last + 1), share[: last + 1])
        panel.dot.set_data([last], [share[last]])
        counts = np.bincount(panel.states[frame], minlength=len(STATES))
        share = f"{counts[-1] / max(len(panel.states[frame]), 1):.0%}"
        panel.title.set_text(
            _("{scenario}: {share} paid").format(scenario=panel.run.scenario.name, share=share)
        )


def _figure(panels: Sequence[_Panel], days: Sequence[int]) -> tuple[Figure, Any]:
    """Draw the static parts once: building panels, curve panel, legend, date text.

    The layout is fixed by hand (no layout engine), so a frame costs one plain draw.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from sim.languages.fonts import use_language_fonts

    use_language_fonts()  # the fonts new_figure sets (not new_figure: this figure has no layout engine)
    figure = Figure(figsize=(6.0 * len(panels) + 4.8, HEIGHT_INCHES), dpi=100)
    FigureCanvasAgg(figure)
    boxes = _boxes(len(panels), figure.get_figwidth())
    for panel, box in zip(panels, boxes, strict=False):
        _draw_buildings(figure.add_axes(box), panel)
    _draw_curve_axes(figure.add_axes(boxes[-1]), panels, days)
    _legend(figure)
    date_text = figure.suptitle(_("Day {day}").format(day=0), fontsize=15, fontweight="bold", y=0.975)
    return figure, date_text


def _caption(day: int, when: dt.date) -> str:
    """Return a frame's caption: the day of the campaign and its date (``Day 3  ·  Thu 05 Mar 2026``)."""
    if speaks_english():
        shown = f"{WEEKDAY_NAMES[when.weekday()]} {when:%d %b %Y}"
    else:
        shown = date_text_of(when, with_weekday=True)
    return _("Day {day}  ·  {date}").format(day=day, date=shown)


def _boxes(panels: int, width: float) -> list[tuple[float, float, float, float]]:
    """Return [left, bottom, width, height] (figure fractions) of the building panels, then the curve's."""
    inch = 1.0 / width
    curve = 3.6 * inch
    each = (1.0 - curve - 1.2 * inch - 0.25 * inch * (panels + 1)) / panels
    boxes = [(0.25 * inch + k * (each + 0.25 * inch), BOTTOM, each, HEIGHT) for k in range(panels)]
    return [*boxes, (1.0 - curve - 0.3 * inch, 0.2, curve, 0.64)]


def _draw_buildings(axes: Axes, panel: _Panel) -> None:
    """Draw the building picture of one run (an image of state codes) and label its buildings."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    colours = ListedColormap(["white", GAP_COLOUR, *STATE_COLOURS])
    norm = BoundaryNorm(np.arange(OUTSIDE - 0.5, len(STATES)), colours.N)
    picture = panel.layout.picture(panel.states[0])
    panel.image = axes.imshow(picture, cmap=colours, norm=norm, interpolation="nearest", aspect="equal")
    labels = panel.layout.labels if len(panel.layout.labels) <= MAX_LABELLED_BUILDINGS else ()
    for x, y, text in labels:
        axes.text(x, y, text, ha="center", va="center", fontsize=6, color="#333333")
    axes.set_axis_off()
    panel.title = axes.set_title("", fontsize=11)


def _draw_curve_axes(axes: Axes, panels: Sequence[_Panel], days: Sequence[int]) -> None:
    """Prepare the curve panel: empty lines that grow frame by frame, faint full curves, labels, legend."""
    from matplotlib.ticker import PercentFormatter

    from sim.views.canvas import DAY_AXIS, HOUSEHOLDS_PAID_AXIS, style_axes
    from sim.views.curves import VARIANT_STYLES

    for v, panel in enumerate(panels):
        colour, linestyle = VARIANT_STYLES[v % len(VARIANT_STYLES)]
        (panel.curve,) = axes.plot([], [], color=colour, linestyle=linestyle, linewidth=2.2,
                                   label=panel.run.scenario.name)  # fmt: skip
        (panel.dot,) = axes.plot([], [], "o", color=colour, markersize=6)
    axes.set_xlim(0, max(days[-1], 1) * 1.02)
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    title = _("Households paid (seed {seed}, replication {rep})").format(seed=panels[0].run.seed, rep=0)
    axes.set_title(title, fontsize=11)
    axes.set_xlabel(_(DAY_AXIS))
    axes.set_ylabel(_(HOUSEHOLDS_PAID_AXIS))
    style_axes(axes)
    axes.legend(loc="lower right", fontsize=9)


def _legend(figure: Figure) -> None:
    """Add the legend of the household states below the pictures."""
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=c, edgecolor="#555555", label=_(s))
        for s, c in zip(STATES, STATE_COLOURS, strict=True)
    ]
    title = _("each cell is one household in its building (floors up, doors across)")
    figure.legend(handles=handles, loc="lower center", ncols=len(STATES), fontsize=10, frameon=False,
                  bbox_to_anchor=(0.5, 0.005), title=title)  # fmt: skip
