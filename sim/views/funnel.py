"""The fee-contact funnel: attempts -> reached -> promised -> promise kept -> paid, by kind of contact.

A payment counts for a kind of contact when the owner paid on the spot at such a contact
(``paid now``), or paid while a promise made at such a contact was open or kept
(``paid after a promise``); a broken promise earns its contact nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.languages import N_, _
from sim.views.eventlog import FEE_CONTACTS, MISSED

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.records import EventRecord

__all__ = ["STAGES", "funnel_counts", "funnel_figure", "funnel_table"]

STAGES: tuple[str, ...] = ("attempts", "reached", "promised", "kept", "paid_now", "paid_after_promise")
"""The counted stages; `paid` in the picture is paid_now + paid_after_promise."""


def funnel_counts(records: Sequence[EventRecord]) -> np.ndarray:
    """Return a (kinds x stages) count array of one run, rows in the order of `FEE_CONTACTS`."""
    counts = np.zeros((len(FEE_CONTACTS), len(STAGES)), dtype=np.int64)
    row = {kind: k for k, kind in enumerate(FEE_CONTACTS)}
    on_the_spot: dict[int, int] = {}  # owner -> row of the contact at which they said "I pay now"
    promised: dict[int, int] = {}  # owner -> row of the contact that got their open or kept promise
    for record in records:
        owner = record.owner
        if record.kind in row:
            k = row[record.kind]
            counts[k, 0] += 1
            counts[k, 1] += record.outcome not in MISSED
            if record.outcome == "promises":
                counts[k, 2] += 1
                promised[owner] = k
            elif record.outcome == "pays_now":
                on_the_spot[owner] = k
        elif record.kind == "promise_due" and owner in promised:
            if record.outcome == "broken":
                del promised[owner]
            else:  # kept, or already paid before it fell due
                counts[promised[owner], 3] += 1
        elif record.kind == "payment":
            if owner in on_the_spot:
                counts[on_the_spot.pop(owner), 4] += 1
            elif owner in promised:  # kept on time, or paid early (its due record says "already paid")
                counts[promised[owner], 5] += 1
    return counts


def funnel_table(counts: np.ndarray) -> pd.DataFrame:
    """Return a (kinds x stages) count array as a table with a `contact` column."""
    import pandas as pd

    table = pd.DataFrame(counts, columns=list(STAGES))
    table.insert(0, "contact", list(FEE_CONTACTS))
    return table


LABELS: tuple[str, ...] = (N_("attempts"), N_("reached"), N_("promised"), N_("promise kept"), N_("paid"))
"""The stages drawn, shown translated (`promised` and `paid` are the glossary's household states)."""
KIND_TITLES: dict[str, str] = {
    "call": N_("call"),
    "home_visit": N_("home visit"),
    "team_visit": N_("team visit"),
    "workplace_visit": N_("workplace visit"),
}
"""Title of each kind of fee contact's panel, shown translated."""
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "++", "--")
PREVIOUS: tuple[int | None, ...] = (None, 0, 1, 2, 1)
"""The stage each bar's conversion is taken from: reached / attempts, promised / reached, kept /
promised, paid / reached (a payment follows a contact that reached the owner, on the spot or by a
promise)."""


def funnel_figure(funnels: Mapping[str, pd.DataFrame], reps: int) -> Figure:
    """Draw one funnel panel per kind of fee contact, variants side by side (mean per replication).

    The count axis is logarithmic, so that a stage a hundred times smaller than the attempts
    still shows; each label gives the count and the conversion from the stage before.
    """
    from sim.views.canvas import legend_below, new_figure

    used = [k for k in FEE_CONTACTS if any(_row(t, k)[0] > 0 for t in funnels.values())] or ["call"]
    columns = min(len(used), 2)
    rows = -(-len(used) // columns)
    figure = new_figure(max(7.2 * columns, 10.0), 3.9 * rows + 0.8)
    grid = figure.subplots(rows, columns, squeeze=False)
    for axes, kind in zip(grid.flat, used, strict=False):
        _draw_kind(axes, kind, funnels, reps)
    for axes in grid.flat[len(used) :]:
        axes.set_visible(False)
    handles, labels = _legend_entries(funnels)
    legend_below(figure, handles, labels)
    title = _(
        "Fee-contact funnel by kind of contact (mean per replication over {reps}; logarithmic scale)\n"
        "labels: count and conversion from the stage before (paid: share of reached)"
    )
    figure.suptitle(title.format(reps=reps))
    return figure


def _row(table: pd.DataFrame, kind: str) -> np.ndarray:
    """Return the stage counts of one kind of contact (zeros when absent)."""
    found = table[table["contact"] == kind]
    return found[list(STAGES)].to_numpy(dtype=float).sum(axis=0) if len(found) else np.zeros(len(STAGES))


def _style(v: int) -> dict[str, object]:
    """Return the fill, hatch and edge of variant `v`'s bars."""
    from sim.views.curves import VARIANT_STYLES

    colour = VARIANT_STYLES[v % len(VARIANT_STYLES)][0]
    return {"color": colour, "edgecolor": "black", "linewidth": 0.5, "hatch": HATCHES[v % len(HATCHES)]}


def _legend_entries(funnels: Mapping[str, pd.DataFrame]) -> tuple[list[object], list[str]]:
    """Return the legend: one entry per variant and one for the pale part (paid on the spot)."""
    from matplotlib.patches import Patch

    handles: list[object] = []
    for v in range(len(funnels)):
        style = _style(v)
        handles.append(Patch(facecolor=style.pop("color"), **style))
    handles.append(Patch(facecolor="#f2f2f2", edgecolor="black", linewidth=0.5))
    return handles, [*funnels, _("paid on the spot (pale lower part of a paid bar)")]


def _draw_kind(axes: Axes, kind: str, funnels: Mapping[str, pd.DataFrame], reps: int) -> None:
    """Draw the funnel bars of one kind of contact for every variant, on a log scale."""
    from sim.views.canvas import LABEL_BOX, style_axes

    width = 0.8 / len(funnels)
    x = np.arange(len(LABELS))
    smallest, largest = 1.0, 1.0
    for v, table in enumerate(funnels.values()):
        counts = _row(table, kind) / reps
        left = x - 0.4 + width * (v + 0.5)
        heights = np.array([*counts[:4], counts[4] + counts[5]])
        bars = axes.bar(left, heights, width, **_style(v))
        axes.bar(left[-1], counts[4], width, facecolor="white", alpha=0.6, edgecolor="black", linewidth=0.5)
        smallest = min([smallest, *(h for h in heights if h > 0)])
        largest = max(largest, float(heights.max()))
        for bar, value, label in zip(bars, heights, _labels(heights), strict=True):
            if counts[0] > 0:
                axes.annotate(
                    label,
                    (bar.get_x() + bar.get_width() / 2, max(value, smallest)),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    xytext=(0, 2),
                    textcoords="offset points",
                    bbox=LABEL_BOX,
                )
    axes.set_yscale("log")
    axes.set_ylim(smallest / 2, largest * 4)  # room above the tallest bar for its two-line label
    axes.set_xticks(x, [_(label) for label in LABELS])
    axes.set_title(_(KIND_TITLES[kind]) if kind in KIND_TITLES else kind.replace("_", " "))
    axes.set_xlabel(_("stage"))
    axes.set_ylabel(_("contacts or owners per replication (log)"))
    style_axes(axes)


def _labels(heights: np.ndarray) -> list[str]:
    """Return each bar's label: the count and the conversion from its previous stage."""
    labels = []
    for value, previous in zip(heights, PREVIOUS, strict=True):
        count = f"{value:,.0f}" if value >= 10 else f"{value:,.1f}"
        if previous is None:
            labels.append(count)
        elif heights[previous] > 0:
            labels.append(f"{count}\n{value / heights[previous]:.0%}")
        else:
            labels.append(f"{count}\n–")
    return labels
