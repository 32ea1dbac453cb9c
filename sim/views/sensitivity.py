"""Figures of a sweep's analysis: sensitivity indices, outcomes across lever settings, and marginal gains.

Names are the plain ones of `sim.experiments.readable` (the key path in brackets);
shares are drawn in %, on an axis at least `MIN_SHARE_SPAN` points tall, from a
multiple of 10, so a small effect looks small; other outcomes start at zero.
Numeric levers sit at their values on the x axis (4 to 6 is twice 3 to 4).  Every
title says what every point shares (households, horizon, replications), and legends
stay inside the figure.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.experiments.readable import (
    kind_of,
    lever_label,
    lever_unit,
    outcome_label,
    setting_text,
    setup_text,
    unit_label,
)
from sim.languages import _, speaks_english
from sim.output import save_figure_atomic
from sim.views.canvas import new_figure, style_axes
from sim.views.curves import OKABE_ITO, VARIANT_STYLES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MIN_SHARE_SPAN",
    "lever_figure",
    "save_lever_figure",
    "save_marginal_figure",
    "save_sensitivity_figure",
    "sensitivity_figure",
    "share_limits",
]

MARKERS = ("o", "s", "^", "D")
"""Markers of the lines of a lever figure; the next one is used once the colours have all been used."""
MIN_SHARE_SPAN = 20.0
"""The shortest y axis of a share, in percentage points."""


def save_sensitivity_figure(
    path: Path,
    indices: dict[str, dict[str, float]],
    outcome: str,
    kind: str,
    setup: dict[str, Any],
    caution: str | None = None,
) -> None:
    """Write `sensitivity_figure` to `path`."""
    save_figure_atomic(path, sensitivity_figure(indices, outcome, kind, setup, caution))


def sensitivity_figure(
    indices: dict[str, dict[str, float]],
    outcome: str,
    kind: str,
    setup: dict[str, Any],
    caution: str | None = None,
) -> Figure:
    """Draw the Sobol (S1, ST) or Morris (mu*) indices of each factor with their 95% confidence.

    `caution`, if given, is printed under the title (a sample too small for its indices).
    """
    names = list(indices)
    figure = new_figure(8.0, 2.4 + 0.45 * len(names))
    axes = figure.add_subplot()
    rows = range(len(names))
    if kind == "sobol":
        bars = (
            ("S1", _("first order S1"), OKABE_ITO["blue"], ""),
            ("ST", _("total ST"), OKABE_ITO["orange"], "//"),
        )
        xlabel = _("Sobol index (share of the outcome's variance)")
    else:
        bars = (("mu_star", _("mu* (mean absolute elementary effect)"), OKABE_ITO["blue"], ""),)
        xlabel = _("mu* ({outcome} per unit step of the factor)").format(outcome=outcome_label(outcome))
    height = 0.8 / len(bars)
    for k, (key, label, colour, hatch) in enumerate(bars):
        offsets = [r + (k - (len(bars) - 1) / 2) * height for r in rows]
        values = [indices[n][key] for n in names]
        errors = [indices[n][f"{key}_conf"] for n in names]
        axes.barh(offsets, values, height=height, xerr=errors, color=colour, hatch=hatch,
                  edgecolor="black", linewidth=0.5, capsize=3,
                  label=_("{index}, 95% confidence").format(index=label))  # fmt: skip
    axes.set_yticks(list(rows), names)
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    title = _("Sensitivity of {outcome} ({method})\n{setup}")
    figure.suptitle(
        title.format(outcome=outcome_label(outcome), method=kind, setup=setup_text(setup)), fontsize="medium"
    )
    if caution:
        axes.set_title(caution, fontsize="small", color=OKABE_ITO["vermillion"])
    axes.axvline(0.0, color="black", linewidth=0.8)
    style_axes(axes)
    figure.legend(loc="outside lower center", ncols=len(bars), fontsize="small")
    return figure


def save_lever_figure(
    path: Path, rows: pd.DataFrame, levers: list[str], outcome: str, setup: dict[str, Any]
) -> None:
    """Write `lever_figure` to `path`."""
    save_figure_atomic(path, lever_figure(rows, levers, outcome, setup))


def lever_figure(rows: pd.DataFrame, levers: list[str], outcome: str, setup: dict[str, Any]) -> Figure:
    """Draw an outcome's mean and 95% interval at each lever setting (first lever on the x axis)."""
    first, others = levers[0], levers[1:]
    groups = list(rows.groupby(others, sort=True)) if others else [((), rows)]
    figure = new_figure(8.0, 4.8 + (0.25 * math.ceil(len(groups) / 2) if others else 0.0))
    axes = figure.add_subplot()
    scale = 100.0 if kind_of(outcome) == "share" else 1.0
    numeric = _is_numeric(rows[first])
    categories = list(dict.fromkeys(rows.sort_values("point")[first]))  # the experiment's order
    for k, (key, group) in enumerate(groups):
        colour, style = VARIANT_STYLES[k % len(VARIANT_STYLES)]
        marker = MARKERS[(k // len(VARIANT_STYLES)) % len(MARKERS)]
        if numeric:
            group = group.sort_values(first)
            x = group[first].astype(float).tolist()
        else:  # categories side by side, each group's markers nudged apart, no line between categories
            group = group.sort_values("point")
            nudge = (k - (len(groups) - 1) / 2) * min(0.08, 0.6 / len(groups))
            x = [categories.index(v) + nudge for v in group[first]]
            style = "none"
        low = (group["mean"] - group["ci_low"]).fillna(0.0) * scale
        high = (group["ci_high"] - group["mean"]).fillna(0.0) * scale
        label = ", ".join(
            f"{lever_label(n)} = {setting_text(v)}" for n, v in zip(others, _as_tuple(key), strict=True)
        )
        axes.errorbar(x, group["mean"] * scale, yerr=[low, high], color=colour, linestyle=style,
                      marker=marker, capsize=3, label=label or None)  # fmt: skip
    if numeric:
        axes.set_xticks(sorted(rows[first].astype(float).unique()))
        axes.xaxis.set_major_formatter(lambda value, _pos: setting_text(value))
    else:
        axes.set_xticks(range(len(categories)), [setting_text(v) for v in categories])
        axes.set_xlim(-0.5, len(categories) - 0.5)
    _y_limits(axes, outcome, rows, scale)
    axes.set_xlabel(f"{lever_label(first)} ({first})")
    axes.set_ylabel(unit_label(outcome))
    title = _("{outcome}, by {lever}\n{setup}; mean and 95% interval").format(
        outcome=_sentence_start(outcome_label(outcome)), lever=lever_label(first), setup=setup_text(setup)
    )
    figure.suptitle(title, fontsize="medium")
    style_axes(axes)
    if others:
        figure.legend(loc="outside lower center", ncols=2, fontsize="small")
    return figure


def save_marginal_figure(path: Path, marginal: dict[str, Any], setup: dict[str, Any]) -> None:
    """Draw, per step up the lever, what one more unit brings in and what its staff costs, in CNY."""
    steps = marginal["steps"]
    lever, unit = lever_label(marginal["lever"]), lever_unit(marginal["lever"])
    labels = [f"{setting_text(s['from'])}→{setting_text(s['to'])}" for s in steps]
    figure = new_figure(8.0, 4.8)
    axes = figure.add_subplot()
    width = 0.38
    for k, (key, label, colour, hatch) in enumerate(
        (
            ("extra_money", _("money collected"), OKABE_ITO["blue"], ""),
            ("extra_staff_cost", _("staff cost"), OKABE_ITO["orange"], "//"),
        )
    ):
        entries = [s[key] for s in steps]
        means = [_or_zero(e["mean"]) for e in entries]
        errors = [[m - _or(e["ci_low"], m) for m, e in zip(means, entries, strict=True)],
                  [_or(e["ci_high"], m) - m for m, e in zip(means, entries, strict=True)]]  # fmt: skip
        offsets = [i + (k - 0.5) * width for i in range(len(steps))]
        axes.bar(offsets, means, width=width, yerr=errors, color=colour, hatch=hatch, edgecolor="black",
                 linewidth=0.5, capsize=3,
                 label=_("{measure} per added {unit}").format(measure=label, unit=unit))  # fmt: skip
    stop = marginal.get("stops_paying_after")
    if stop is not None:
        index = next(i for i, s in enumerate(steps) if s["from"] == stop)
        axes.axvline(index - 0.5, color="black", linestyle=(0, (4, 3)), linewidth=1.0)
        where = (index - 0.5, 1.0)
        text = _("stops paying after {setting}").format(setting=setting_text(stop))
        axes.annotate(text, where, xycoords=("data", "axes fraction"),
                      xytext=(4, -4), textcoords="offset points", va="top", fontsize="small")  # fmt: skip
    axes.axhline(0.0, color="black", linewidth=0.8)
    axes.set_xticks(range(len(steps)), labels)
    axes.yaxis.set_major_formatter(lambda value, _pos: f"{value:,.0f}")
    axes.set_xlabel(
        _("{lever} ({key}), from one setting to the next").format(lever=lever, key=marginal["lever"])
    )
    axes.set_ylabel(_("CNY per added {unit}").format(unit=unit))
    if setup.get("horizon_days"):
        title = _("What one more {unit} brings in and costs, within the {days}-day horizon")
        title = title.format(unit=unit, days=setup["horizon_days"])
    else:
        title = _("What one more {unit} brings in and costs, by the end").format(unit=unit)
    cost = _("staff cost = staff hours x {rate} CNY/h").format(rate=f"{marginal['staff_cost_per_hour']:g}")
    title = _("{title}\n{setup}\n{cost}; mean and 95% interval").format(
        title=title, setup=setup_text(setup), cost=cost
    )
    axes.set_title(title, fontsize="medium")
    style_axes(axes)
    figure.legend(loc="outside lower center", ncols=2, fontsize="small")
    save_figure_atomic(path, figure)


def share_limits(low: float, high: float) -> tuple[float, float]:
    """Return a y range in % around [low, high], within 0-100, from a multiple of 10, at least 20 tall."""
    bottom = max(0.0, math.floor(low / 10.0) * 10.0)
    top = min(100.0, math.ceil(high / 10.0) * 10.0)
    while top - bottom < MIN_SHARE_SPAN:
        if top < 100.0:
            top = min(100.0, top + 10.0)
        else:
            bottom = max(0.0, bottom - 10.0)
    return bottom, top


def _y_limits(axes: Axes, outcome: str, rows: pd.DataFrame, scale: float) -> None:
    """Set an honest y range: a share's from `share_limits`, others from zero (or below, if negative)."""
    low = float(rows["ci_low"].fillna(rows["mean"]).min()) * scale
    high = float(rows["ci_high"].fillna(rows["mean"]).max()) * scale
    if math.isnan(low) or math.isnan(high):
        return
    if kind_of(outcome) == "share":
        axes.set_ylim(*share_limits(low, high))
    elif kind_of(outcome) == "index":
        axes.set_ylim(min(0.0, low), max(1.0, high))
    else:
        axes.set_ylim(min(0.0, low * 1.05), max(high * 1.05, 1e-9))


def _sentence_start(label: str) -> str:
    """Return a label made to begin a title: ``str.capitalize`` in English, unchanged in Chinese."""
    return label.capitalize() if speaks_english() else label


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _or(value: float | None, fallback: float) -> float:
    return fallback if value is None else value


def _or_zero(value: float | None) -> float:
    return 0.0 if value is None else value


def _as_tuple(key: Any) -> tuple:
    return key if isinstance(key, tuple) else (key,)
