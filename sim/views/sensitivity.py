"""Figures of a sweep's analysis: sensitivity indices and outcomes across lever settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.output import save_figure_atomic
from sim.views.canvas import new_figure
from sim.views.curves import OKABE_ITO, VARIANT_STYLES


def save_sensitivity_figure(
    path: Path, indices: dict[str, dict[str, float]], outcome: str, kind: str
) -> None:
    """Draw the Sobol (S1, ST) or Morris (mu*) indices of each factor with their 95% confidence."""
    names = list(indices)
    figure = new_figure(8.0, 1.8 + 0.45 * len(names))
    axes = figure.add_subplot()
    rows = range(len(names))
    if kind == "sobol":
        bars = (
            ("S1", "first order S1", OKABE_ITO["blue"], ""),
            ("ST", "total ST", OKABE_ITO["orange"], "//"),
        )
        xlabel = "Sobol index (share of the outcome's variance)"
    else:
        bars = (("mu_star", "mu* (mean absolute elementary effect)", OKABE_ITO["blue"], ""),)
        xlabel = f"mu* ({outcome} per unit step of the factor)"
    height = 0.8 / len(bars)
    for k, (key, label, colour, hatch) in enumerate(bars):
        offsets = [r + (k - (len(bars) - 1) / 2) * height for r in rows]
        values = [indices[n][key] for n in names]
        errors = [indices[n][f"{key}_conf"] for n in names]
        axes.barh(offsets, values, height=height, xerr=errors, color=colour, hatch=hatch,
                  edgecolor="black", linewidth=0.5, capsize=3, label=f"{label}, 95% confidence")  # fmt: skip
    axes.set_yticks(list(rows), names)
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    axes.set_title(f"Sensitivity of {outcome} ({kind})")
    axes.axvline(0.0, color="black", linewidth=0.8)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, fontsize="small")
    save_figure_atomic(path, figure)


def save_lever_figure(path: Path, rows: pd.DataFrame, levers: list[str], outcome: str) -> None:
    """Draw an outcome's mean and 95% interval at each lever setting (first lever on the x axis)."""
    figure = new_figure(8.0, 4.5)
    axes = figure.add_subplot()
    first, others = levers[0], levers[1:]
    groups = rows.groupby(others, sort=True) if others else [((), rows)]
    for k, (key, group) in enumerate(groups):
        colour, style = VARIANT_STYLES[k % len(VARIANT_STYLES)]
        group = group.sort_values(first)
        x = [str(v) for v in group[first]]
        low = (group["mean"] - group["ci_low"]).fillna(0.0)
        high = (group["ci_high"] - group["mean"]).fillna(0.0)
        label = ", ".join(f"{name}={value}" for name, value in zip(others, _as_tuple(key), strict=True))
        axes.errorbar(x, group["mean"], yerr=[low, high], color=colour, linestyle=style, marker="o",
                      capsize=3, label=label or outcome)  # fmt: skip
    axes.set_xlabel(first)
    axes.set_ylabel(f"{outcome} (mean, 95% interval)")
    axes.set_title(f"{outcome} across lever settings")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    save_figure_atomic(path, figure)


def _as_tuple(key: Any) -> tuple:
    return key if isinstance(key, tuple) else (key,)
