"""Weekday x hour heatmaps: when collectors try to reach owners, when they answer, and when owners pay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import HOURS_PER_DAY
from sim.languages import N_, _
from sim.views.eventlog import FEE_CONTACTS, MISSED

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.records import EventRecord

__all__ = ["MEASURES", "MIN_ATTEMPTS_FOR_RATE", "activity_table", "heatmap_figure", "weekday_hour_counts"]

MEASURES: tuple[str, ...] = ("attempts", "reached", "payments")
"""What is counted in each weekday x hour cell: fee contacts tried, fee contacts that reached someone,
payments."""

MIN_ATTEMPTS_FOR_RATE = 5
"""Cells with fewer attempts (summed over replications) show no reach rate: too few to say."""


def weekday_hour_counts(records: Sequence[EventRecord], start: dt.date) -> np.ndarray:
    """Return a (3, 7, 24) array of attempts, reached contacts and payments by weekday and hour."""
    counts = np.zeros((len(MEASURES), 7, 24), dtype=np.int64)
    first = start.weekday()
    for record in records:
        if record.kind in FEE_CONTACTS:
            rows = (0,) if record.outcome in MISSED else (0, 1)
        elif record.kind == "payment":
            rows = (2,)
        else:
            continue
        day, hour = divmod(record.time, HOURS_PER_DAY)
        weekday, hour_index = (first + int(day)) % 7, min(int(hour), 23)
        for row in rows:
            counts[row, weekday, hour_index] += 1
    return counts


def activity_table(counts: np.ndarray) -> pd.DataFrame:
    """Return a (3, 7, 24) count array as a long table: weekday, hour and one column per measure."""
    import pandas as pd

    weekday, hour = np.meshgrid(np.arange(7), np.arange(24), indexing="ij")
    table = {"weekday": weekday.ravel(), "hour": hour.ravel()}
    table.update({name: counts[k].ravel() for k, name in enumerate(MEASURES)})
    return pd.DataFrame(table)


def _grid(table: pd.DataFrame, column: str) -> np.ndarray:
    """Return one measure of a long activity table as a 7 x 24 array."""
    grid = np.zeros((7, 24))
    grid[table["weekday"].to_numpy(), table["hour"].to_numpy()] = table[column].to_numpy()
    return grid


def _panels(table: pd.DataFrame, reps: int) -> dict[str, np.ndarray]:
    """Return the three pictures of one variant: attempts and payments per replication, reach rate."""
    attempts, reached = _grid(table, "attempts"), _grid(table, "reached")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(attempts >= MIN_ATTEMPTS_FOR_RATE, reached / attempts, np.nan)
    return {"attempts": attempts / reps, "rate": rate, "payments": _grid(table, "payments") / reps}


NO_DATA = "#d9d9d9"
"""Colour of cells without enough attempts for a reach rate."""

PANEL_TEXT: dict[str, tuple[str, str, str]] = {
    "attempts": (N_("Fee contact attempts"), N_("attempts per replication"), "cividis"),
    "rate": (N_("Reach rate of fee contacts"), N_("share of attempts that reached the owner"), "viridis"),
    "payments": (N_("Payments"), N_("payments per replication"), "cividis"),
}
"""Title, colour-bar label (both shown translated) and colour map of each panel."""
A_MONDAY = dt.date(2024, 1, 1)
"""Any Monday: the weekday names are those of the seven days from it."""


def heatmap_figure(activity: Mapping[str, pd.DataFrame], reps: int) -> Figure:
    """Draw, for every variant, heatmaps of attempts, reach rate and payments by weekday and hour."""
    from sim.views.canvas import new_figure

    panels = {name: _panels(table, reps) for name, table in activity.items()}
    figure = new_figure(16, 3.4 * len(panels) + 0.5)
    grid = figure.subplots(len(panels), 3, squeeze=False)
    for column, key in enumerate(PANEL_TEXT):
        top = max(float(np.nanmax(p[key], initial=0.0)) for p in panels.values())
        vmax = 1.0 if key == "rate" else max(top, 1e-9)
        for row, (name, pictures) in enumerate(panels.items()):
            _draw_panel(grid[row, column], pictures[key], key, name, vmax)
    title = _(
        "When collectors try, when owners answer, when they pay (weekday × hour of day, {reps} replications)"
    )
    figure.suptitle(title.format(reps=reps))
    return figure


def _draw_panel(axes: Axes, picture: np.ndarray, key: str, variant: str, vmax: float) -> None:
    """Draw one heatmap with its title, axis labels and colour bar (the same scale for every variant)."""
    import matplotlib as mpl
    from matplotlib.patches import Patch

    from sim.languages.formats import weekday

    title, label, cmap_name = PANEL_TEXT[key]
    cmap = mpl.colormaps[cmap_name].with_extremes(bad=NO_DATA)
    image = axes.imshow(picture, aspect="auto", cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
    axes.set_title(_("{title}: {variant}").format(title=_(title), variant=variant), fontsize=10)
    axes.set_xlabel(_("hour of day (h, local time)"))
    axes.set_ylabel(_("weekday"))
    axes.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    axes.set_yticks(range(7), [weekday(A_MONDAY + dt.timedelta(days=k)) for k in range(7)])
    bar = axes.figure.colorbar(image, ax=axes, fraction=0.06, pad=0.02)
    bar.set_label(_(label), fontsize=8)
    if key == "rate":
        bar.ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(xmax=1))
        axes.legend(
            handles=[
                Patch(color=NO_DATA, label=_("under {count} attempts").format(count=MIN_ATTEMPTS_FOR_RATE))
            ],
            loc="upper left",
            bbox_to_anchor=(0.0, -0.16),
            fontsize=7,
            frameon=False,
        )
