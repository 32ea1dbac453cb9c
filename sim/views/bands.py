"""Daily curves with 5–95% bands over replications, variants overlaid: paid share, money, segments, morale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.languages import _
from sim.metrics import TARGETS
from sim.scenario.schema import SEGMENTS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["collection_figure", "morale_figure", "segment_figure"]


def _quantiles(daily: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return days, mean, 5% and 95% quantiles over replications of one daily column."""
    table = daily.pivot(index="day", columns="rep", values=column).sort_index()
    values = table.to_numpy(dtype=float)
    return (
        table.index.to_numpy(),
        values.mean(axis=1),
        np.quantile(values, 0.05, axis=1),
        np.quantile(values, 0.95, axis=1),
    )


def _draw_bands(axes: Axes, dailies: Mapping[str, pd.DataFrame], column: str) -> list[tuple[Any, Any]]:
    """Draw every variant's mean curve of `column` with its 5–95% band; return (band, line) per variant."""
    from sim.views.curves import VARIANT_STYLES

    handles = []
    for v, daily in enumerate(dailies.values()):
        colour, linestyle = VARIANT_STYLES[v % len(VARIANT_STYLES)]
        days, mean, low, high = _quantiles(daily, column)
        band = axes.fill_between(days, low, high, color=colour, alpha=0.18, linewidth=0)
        (line,) = axes.plot(days, mean, color=colour, linestyle=linestyle, linewidth=2)
        handles.append((band, line))
    return handles


def _legend(figure: Figure, dailies: Mapping[str, pd.DataFrame], handles: list[tuple[Any, Any]]) -> None:
    """Name each variant's curve and band once, under the panels (never over a curve)."""
    from sim.views.canvas import legend_below

    label = _("{variant}: mean, shaded 5–95% of replications")
    legend_below(figure, handles, [label.format(variant=name) for name in dailies])


def _share_axes(axes: Axes, title: str, ylabel: str) -> None:
    """Label a share-by-day panel: title, axes with units, percent ticks, target lines, legend."""
    from matplotlib.ticker import PercentFormatter

    from sim.views.canvas import DAY_AXIS, style_axes

    axes.set_title(title)
    axes.set_xlabel(_(DAY_AXIS))
    axes.set_ylabel(ylabel)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    axes.set_ylim(0, 1)
    axes.set_xlim(left=0)
    for target in TARGETS:
        axes.axhline(target / 100, color="#999999", linewidth=0.8, linestyle=(0, (1, 3)), zorder=0)
    style_axes(axes)


def collection_figure(dailies: Mapping[str, pd.DataFrame]) -> Figure:
    """Draw households paid and money paid by day, side by side."""
    from sim.views.canvas import HOUSEHOLDS_PAID_AXIS, capitalized, new_figure

    figure = new_figure(14, 5.2)
    households, money = figure.subplots(1, 2, sharex=True)
    handles = _draw_bands(households, dailies, "paid_share")
    _share_axes(households, _("Households paid"), _(HOUSEHOLDS_PAID_AXIS))
    _draw_bands(money, dailies, "money_share")
    _share_axes(money, capitalized(_("money collected")), _("money collected (% of fees billed, CNY)"))
    _legend(figure, dailies, handles)
    title = _("Collection curves: mean and 5–95% band of {reps} replications (dotted: 50/80/90%)")
    figure.suptitle(title.format(reps=_reps(dailies)))
    return figure


def segment_figure(dailies: Mapping[str, pd.DataFrame]) -> Figure:
    """Draw households paid by day in each owner segment (one panel per segment)."""
    from sim.views.canvas import capitalized, new_figure

    figure = new_figure(15, 5.0)
    for axes, segment in zip(figure.subplots(1, len(SEGMENTS), sharey=True), SEGMENTS, strict=True):
        handles = _draw_bands(axes, dailies, f"paid_share_{segment}")
        title = capitalized(_("{segment} owners").format(segment=_(segment)))
        _share_axes(axes, title, _("{segment} households paid (% of segment)").format(segment=_(segment)))
    _legend(figure, dailies, handles)
    title = _("Households paid by owner segment (mean and 5–95% band of {reps} replications)")
    figure.suptitle(title.format(reps=_reps(dailies)))
    return figure


def morale_figure(dailies: Mapping[str, pd.DataFrame]) -> Figure:
    """Draw the collectors' mean morale at the end of each day."""
    from sim.views.canvas import DAY_AXIS, new_figure, style_axes

    figure = new_figure(10, 4.7)
    axes = figure.subplots()
    handles = _draw_bands(axes, dailies, "morale")
    low = min(float(d["morale"].min()) for d in dailies.values())
    axes.set_ylim(max(0.0, min(low - 0.02, 0.9)), 1.01)
    axes.set_xlim(left=0)
    title = _("Collector morale (team mean at the end of each day; {reps} replications)")
    axes.set_title(title.format(reps=_reps(dailies)))
    axes.set_xlabel(_(DAY_AXIS))
    axes.set_ylabel(_("mean morale (1 = fresh, dimensionless)"))
    style_axes(axes)
    _legend(figure, dailies, handles)
    return figure


def _reps(dailies: Mapping[str, pd.DataFrame]) -> int:
    """Return the number of replications in the daily tables."""
    return max(int(d["rep"].nunique()) for d in dailies.values())
