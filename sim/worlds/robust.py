"""Answers across worlds: how far a variant's difference holds, what it hangs on, where it reverses.

Pure functions over two tables:

- ``runs``: one row per (world, variant, replication), with columns ``world`` (int),
  ``variant`` (str), ``replication`` (int) and one column per metric: ``final_paid_share``
  (a share in [0, 1]), ``days_to_80`` (NaN when 80% paid was not reached), ``staff_hours``.
  Replication r of every variant in a world ran on the same seed (common random numbers).
- ``worlds``: index ``world``, one column per assumption (a scenario key path) with the value
  the world gives it.

A world's *difference* is the paired difference "variant minus first", replication r against
replication r, averaged over the world's replications.  "Better" means a higher paid share,
fewer days to 80% paid, fewer staff hours; a tie is not better.  A replication that did not
reach 80% paid counts as the horizon (its true day is later: a lower bound).

`robust_summary` says how far the answer holds across the worlds, `drivers` which assumptions
move it most (rank correlations with intervals), `reversal` where it turns (PRIM boxes,
`sim.worlds.prim`), and `describe_variant`, `describe_box` and `describe_reversal` put these
in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.languages import N_, _, ngettext
from sim.worlds.prim import Box, find_boxes

__all__ = [
    "BETTER",
    "METRICS",
    "describe_box",
    "describe_reversal",
    "describe_variant",
    "drivers",
    "reversal",
    "robust_summary",
    "world_differences",
]

METRICS: tuple[str, ...] = ("final_paid_share", "days_to_80", "staff_hours")
"""The metrics compared across worlds, in order."""

BETTER: dict[str, float] = {"final_paid_share": 1.0, "days_to_80": -1.0, "staff_hours": -1.0}
"""The sign of a better difference for each metric (+1: higher is better, -1: lower is)."""

CENSORED = "days_to_80"
"""The metric whose missing values are replications that never reached the target."""

PERCENTILE_METHOD = "linear"
"""numpy's percentile method for p05, median and p95 (Hyndman & Fan's type 7, numpy's default)."""

PRCC_MIN_DOF = 10
"""PRCC is used (``method="auto"``) when worlds - varied assumptions - 2 is at least this."""

SPEARMAN_VARIANCE = 1.06
"""Fieller, Hartley & Pearson (1957): var(atanh(Spearman's rho)) ~ 1.06 / (n - 3)."""

STAND_OUT_MIN_WORLDS = 20
"""Below this many worlds no assumption is said to stand out (see `drivers`)."""

_UNITS: dict[str, tuple[float, str, str]] = {
    "final_paid_share": (100.0, "{:+.1f}", "points"),
    "days_to_80": (1.0, "{:+.1f}", "days"),
    "staff_hours": (1.0, "{:+,.0f}", "hours"),
}
"""How a difference is shown: scale, format and unit (percentage points, days, hours)."""
_SPREADS: dict[str, tuple[str, str]] = {
    "points": (N_("by {low} points"), N_("by {low} to {high} points (5th to 95th percentile)")),
    "days": (N_("by {low} days"), N_("by {low} to {high} days (5th to 95th percentile)")),
    "hours": (N_("by {low} hours"), N_("by {low} to {high} hours (5th to 95th percentile)")),
}
"""How far better a variant is, in each unit: one number, or the 5th to 95th percentile."""


def world_differences(
    runs: pd.DataFrame, first: str, variant: str, metric: str, *, horizon_days: float | None = None
) -> pd.Series:
    """Return each world's paired difference of `metric` (variant - first), indexed by world in order.

    Replication r of the variant is paired with replication r of `first` in the same world, and
    the differences are averaged over the world's replications.  ``days_to_80`` counts a
    replication that did not reach 80% (NaN, or later than the horizon) as `horizon_days`.
    """
    _check_metric(metric)
    table = runs.assign(_value=_values(runs, metric, horizon_days))
    wide = _paired(table, first, variant)
    return (wide[variant] - wide[first]).groupby(level="world").mean().sort_index()


def robust_summary(
    runs: pd.DataFrame, first: str, metrics: Sequence[str] = METRICS, *, horizon_days: float
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return ``{variant: {metric: {median, p05, p95, share_better, worlds}}}`` against `first`.

    For every variant but `first` (in the order of `runs`) and every metric, the per-world
    paired differences (`world_differences`) are summarised across worlds: median, 5th and 95th
    percentiles (numpy, linear interpolation: Hyndman & Fan type 7), the share of worlds where
    the variant is better (a tie is not) and the number of worlds.  ``days_to_80`` also gets
    ``censored`` (``variant`` and ``baseline``: the replications, over all worlds, of each side
    that did not reach 80% by the horizon; ``replications``: each side's runs; ``horizon_days``)
    and a ``note`` saying they count as the horizon, a lower bound.
    """
    if first not in set(runs["variant"]):
        raise ValueError(f"the first variant {first!r} has no runs")
    variants = [v for v in pd.unique(runs["variant"]) if v != first]
    return {v: {m: _summary_entry(runs, first, v, m, horizon_days) for m in metrics} for v in variants}


def _summary_entry(
    runs: pd.DataFrame, first: str, variant: str, metric: str, horizon_days: float
) -> dict[str, Any]:
    """Return one variant's summary of one metric across worlds."""
    diffs = world_differences(runs, first, variant, metric, horizon_days=horizon_days).to_numpy()
    p05, median, p95 = np.percentile(diffs, [5, 50, 95], method=PERCENTILE_METHOD)
    entry: dict[str, Any] = {
        "median": float(median),
        "p05": float(p05),
        "p95": float(p95),
        "share_better": float(np.mean(_better(diffs, metric))),
        "worlds": len(diffs),
    }
    if metric == CENSORED:
        entry["censored"] = _censored(runs, first, variant, horizon_days)
        entry["note"] = (
            f"a replication that did not reach 80% paid by day {horizon_days:g} counts as day"
            f" {horizon_days:g}, a lower bound of its true day"
        )
    return entry


def _censored(runs: pd.DataFrame, first: str, variant: str, horizon_days: float) -> dict[str, Any]:
    """Count the replications of each side that did not reach 80% paid by the horizon."""

    def short(name: str) -> int:
        days = runs.loc[runs["variant"] == name, CENSORED].to_numpy(dtype=float)
        return int(np.sum(np.isnan(days) | (days > horizon_days)))

    runs_per_side = int((runs["variant"] == first).sum())
    return {
        "variant": short(variant),
        "baseline": short(first),
        "replications": runs_per_side,
        "horizon_days": float(horizon_days),
    }


def drivers(
    runs: pd.DataFrame,
    worlds: pd.DataFrame,
    first: str,
    variant: str,
    metric: str = "final_paid_share",
    *,
    horizon_days: float | None = None,
    method: Literal["auto", "prcc", "spearman"] = "auto",
    level: float = 0.95,
) -> list[dict[str, Any]]:
    """Rank the assumptions by how much they move the per-world difference, most important first.

    Each assumption gets a rank correlation with the world's difference (`world_differences`):

    - ``prcc``: the partial rank correlation coefficient (Marino et al. 2008): the correlation
      of the ranks of the assumption and of the difference after a linear regression of both
      on the ranks of the other varied assumptions.  It separates each assumption from the
      others' effects, but needs more worlds than assumptions.
    - ``spearman``: Spearman's rank correlation with the difference alone.  In a Latin
      hypercube the assumptions are nearly uncorrelated, so it ranks monotone effects as PRCC
      does, only less sharply; it works with any number of assumptions.

    ``auto`` takes PRCC when worlds - varied assumptions - 2 >= `PRCC_MIN_DOF`, else Spearman.
    The interval is Fisher's z: atanh(r) +- z * se, with se = 1 / sqrt(n - 3 - p) for PRCC
    (p assumptions partialled out) and sqrt(1.06 / (n - 3)) for Spearman (Fieller et al.
    1957); None with too few worlds.  ``importance`` is the absolute coefficient; ties go by
    key.  An assumption that does not vary across the worlds gets importance 0 and no interval.
    ``stands_out`` is True when the interval at the family level (Bonferroni over the varied
    assumptions: with 176 of them, each interval at 1 - 0.05 / 176) excludes 0, so that among
    many assumptions and few worlds a chance correlation is not read as a driver; never below
    `STAND_OUT_MIN_WORLDS` worlds, where Fisher's z is too rough in the far tails this needs
    (with 8 worlds one of 176 noise assumptions often ranks the worlds almost perfectly).
    Nothing is resampled, so the ranking is deterministic.
    """
    y = world_differences(runs, first, variant, metric, horizon_days=horizon_days)
    x = _aligned(worlds, y.index)
    varied = [key for key in x.columns if x[key].nunique() > 1]
    chosen = _method(method, len(y), len(varied))
    coefficients = _coefficients(x[varied], y, chosen)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    z_family = NormalDist().inv_cdf(1 - (1 - level) / (2 * max(1, len(varied))))
    rows = [
        _driver(key, coefficients.get(key), chosen, len(y), len(varied), z, z_family) for key in x.columns
    ]
    return sorted(rows, key=lambda row: (-row["importance"], row["key"]))


def _method(method: str, worlds: int, varied: int) -> str:
    """Resolve ``auto`` to PRCC or Spearman by the degrees of freedom left."""
    if method not in ("auto", "prcc", "spearman"):
        raise ValueError(f"unknown drivers method {method!r}: expected auto, prcc or spearman")
    if method != "auto":
        return method
    return "prcc" if worlds - varied - 2 >= PRCC_MIN_DOF else "spearman"


def _coefficients(x: pd.DataFrame, y: pd.Series, method: str) -> dict[str, float]:
    """Return each column's rank correlation (PRCC or Spearman) with `y` (0 when `y` is constant)."""
    ranks = x.rank(method="average").to_numpy(dtype=float)
    target = y.rank(method="average").to_numpy(dtype=float)
    if x.shape[1] == 0 or np.ptp(target) == 0:
        return dict.fromkeys(x.columns, 0.0)
    if method == "prcc":
        return {key: _partial(ranks, target, j) for j, key in enumerate(x.columns)}
    return {key: _correlation(ranks[:, j], target) for j, key in enumerate(x.columns)}


def _partial(ranks: np.ndarray, target: np.ndarray, j: int) -> float:
    """Return the correlation of column `j` and `target` after regressing both on the other columns."""
    others = np.column_stack([np.ones(len(target)), np.delete(ranks, j, axis=1)])
    if len(target) <= others.shape[1] + 1:
        raise ValueError(f"PRCC needs more worlds than assumptions + 2, got {len(target)} worlds")
    residual = [v - others @ np.linalg.lstsq(others, v, rcond=None)[0] for v in (ranks[:, j], target)]
    return _correlation(*residual)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Return Pearson's correlation of `a` and `b` (0 when either is constant)."""
    a, b = a - a.mean(), b - b.mean()
    scale = math.sqrt(float(a @ a) * float(b @ b))
    return 0.0 if scale <= 1e-12 * len(a) else float(np.clip(a @ b / scale, -1.0, 1.0))


def _driver(
    key: str, r: float | None, method: str, n: int, varied: int, z: float, z_family: float
) -> dict[str, Any]:
    """Return one assumption's row: importance, signed coefficient, Fisher-z interval, standing out."""
    if r is None:
        return {
            "key": key,
            "importance": 0.0,
            "coefficient": 0.0,
            "ci_low": None,
            "ci_high": None,
            "stands_out": False,
            "method": method,
        }
    dof = n - 3 - (varied - 1) if method == "prcc" else n - 3
    low = high = None
    stands_out = False
    if dof > 0:
        se = 1 / math.sqrt(dof) if method == "prcc" else math.sqrt(SPEARMAN_VARIANCE / dof)
        centre = math.atanh(min(max(r, -0.999999), 0.999999))
        low, high = math.tanh(centre - z * se), math.tanh(centre + z * se)
        stands_out = n >= STAND_OUT_MIN_WORLDS and abs(centre) > z_family * se
    return {
        "key": key,
        "importance": abs(r),
        "coefficient": r,
        "ci_low": low,
        "ci_high": high,
        "stands_out": stands_out,
        "method": method,
    }


def reversal(
    runs: pd.DataFrame,
    worlds: pd.DataFrame,
    first: str,
    variant: str,
    metric: str = "final_paid_share",
    *,
    horizon_days: float | None = None,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    max_boxes: int = 3,
) -> list[dict[str, Any]] | None:
    """Return PRIM boxes over the assumptions holding the worlds where the variant is not better.

    None when no world reverses the answer, or when every world does.  Otherwise a list (empty
    when the reversed worlds share no region) of boxes, each ``{limits, coverage, density,
    worlds, reversed, reversed_total}``: ``limits`` maps each restricted key to ``[low, high]``
    (None on a side not restricted; both inclusive), ``worlds`` counts the worlds inside,
    ``reversed`` the reversed ones among them, ``reversed_total`` all reversed worlds,
    ``coverage`` = reversed / reversed_total, ``density`` = reversed / worlds.  A later box is
    searched among the worlds not in an earlier one, and counts only those.

    The search (`sim.worlds.prim`) peels `alpha` of the box's worlds per step down to
    max(2, `min_mass` of the worlds), chooses the densest box holding at least `min_coverage`
    of the reversed worlds still to explain, and pastes.
    """
    y = world_differences(runs, first, variant, metric, horizon_days=horizon_days)
    reversed_ = ~_better(y.to_numpy(), metric)
    if not reversed_.any() or reversed_.all():
        return None
    x = _aligned(worlds, y.index)
    min_count = max(2, math.ceil(min_mass * len(y)))
    found = find_boxes(
        x.to_numpy(dtype=float),
        reversed_,
        alpha=alpha,
        min_count=min_count,
        min_coverage=min_coverage,
        max_boxes=max_boxes,
    )
    return [_box_entry(box, list(x.columns), int(reversed_.sum())) for box in found]


def _box_entry(box: Box, keys: list[str], total: int) -> dict[str, Any]:
    """Return a PRIM box as JSON-ready values: the restricted limits and the counts."""
    limits = {
        key: [_finite(low), _finite(high)]
        for key, low, high in zip(keys, box.lower, box.upper, strict=True)
        if math.isfinite(low) or math.isfinite(high)
    }
    return {
        "limits": limits,
        "coverage": box.hits / total,
        "density": box.density,
        "worlds": box.count,
        "reversed": box.hits,
        "reversed_total": total,
    }


def _finite(value: float) -> float | None:
    """Return `value` as a float, None when infinite (no limit on that side)."""
    return float(value) if math.isfinite(value) else None


def describe_variant(entry: Mapping[str, Any], metric: str) -> str:
    """Say a summary entry in one line, e.g. "better in 29 of 32 worlds; by +1.2 to +9.8 points ...".

    The range is the 5th to 95th percentile of the difference across worlds (one number when
    they are equal); for days to 80% the replications that never got there are counted.
    """
    _check_metric(metric)
    worlds = int(entry["worlds"])
    better = round(entry["share_better"] * worlds)
    low, high = _amount(entry["p05"], metric), _amount(entry["p95"], metric)
    one, between = _SPREADS[_UNITS[metric][2]]
    spread = _(one if low == high else between).format(low=low, high=high)
    line = ngettext(
        "better in {better} of {worlds} world; {spread}",
        "better in {better} of {worlds} worlds; {spread}",
        worlds,
    ).format(better=better, worlds=worlds, spread=spread)
    censored = entry.get("censored")
    if censored and censored["variant"] + censored["baseline"]:
        short, day = censored["variant"] + censored["baseline"], censored["horizon_days"]
        line = ngettext(
            "{line}; {count} run never reached 80% (counted as day {day})",
            "{line}; {count} runs never reached 80% (counted as day {day})",
            short,
        ).format(line=line, count=short, day=f"{day:g}")
    return line


def _amount(value: float, metric: str) -> str:
    """Format a difference in its unit's scale, with its sign."""
    scale, form, _unit = _UNITS[metric]
    text = form.format(value * scale)
    return form.format(0.0) if float(text.replace(",", "")) == 0 else text


def describe_box(box: Mapping[str, Any], variant: str | None = None) -> str:
    """Say a reversal box in words, e.g. "the playbook is no better where a is below 0.031 (...)"."""
    conditions = ""
    for key, (low, high) in box["limits"].items():
        condition = _condition(key, low, high)
        conditions = (
            _("{first} and {second}").format(first=conditions, second=condition) if conditions else condition
        )
    reversed_, total, inside = box["reversed"], box["reversed_total"], box["worlds"]
    message = ngettext(
        "{variant} is no better where {conditions} (covers {reversed} of {total} such worlds;"
        " {reversed} of {inside} world inside reverse)",
        "{variant} is no better where {conditions} (covers {reversed} of {total} such worlds;"
        " {reversed} of {inside} worlds inside reverse)",
        inside,
    )
    return message.format(
        variant=_("the variant") if variant is None else variant,
        conditions=conditions,
        reversed=reversed_,
        total=total,
        inside=inside,
    )


def describe_reversal(boxes: list[Mapping[str, Any]] | None, variant: str, share_better: float) -> list[str]:
    """Say where the answer reverses: one line per box, or why there is no box."""
    if boxes is None:
        if share_better >= 1:
            return [_("{variant} is better in every world").format(variant=variant)]
        return [_("{variant} is better in no world").format(variant=variant)]
    if not boxes:
        return [
            _("the worlds where {variant} is no better share no region of the assumptions").format(
                variant=variant
            )
        ]
    return [describe_box(box, variant) for box in boxes]


def _condition(key: str, low: float | None, high: float | None) -> str:
    """Say one box limit: "key is below h", "key is above l" or "key is between l and h"."""
    if low is None:
        return _("{key} is below {high}").format(key=key, high=_number(high))
    if high is None:
        return _("{key} is above {low}").format(key=key, low=_number(low))
    return _("{key} is between {low} and {high}").format(key=key, low=_number(low), high=_number(high))


def _number(value: float | None) -> str:
    """Format an assumption's value with three significant digits (thousands separated)."""
    if value is None:
        return "?"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _check_metric(metric: str) -> None:
    """Raise ValueError for a metric with no known direction."""
    if metric not in BETTER:
        raise ValueError(f"unknown metric {metric!r}: expected one of {', '.join(BETTER)}")


def _better(diffs: np.ndarray, metric: str) -> np.ndarray:
    """Mark the differences that are better (strictly: a tie is not better)."""
    return BETTER[metric] * np.asarray(diffs, dtype=float) > 0


def _values(runs: pd.DataFrame, metric: str, horizon_days: float | None) -> pd.Series:
    """Return the metric's column; days to 80% not reached by the horizon count as the horizon."""
    if metric not in runs.columns:
        raise ValueError(f"the runs table has no column {metric!r}")
    values = runs[metric].astype(float)
    if metric == CENSORED:
        if horizon_days is None:
            if values.isna().any():
                raise ValueError("days_to_80 has replications that never reached 80%: give horizon_days")
            return values
        return values.fillna(horizon_days).clip(upper=horizon_days)
    if values.isna().any():
        raise ValueError(f"the runs table has missing values of {metric!r}")
    return values


def _paired(table: pd.DataFrame, first: str, variant: str) -> pd.DataFrame:
    """Return one row per (world, replication) with the two variants' values side by side."""
    pair = table[table["variant"].isin([first, variant])]
    if pair.duplicated(["world", "variant", "replication"]).any():
        raise ValueError("the runs table has more than one row for a (world, variant, replication)")
    wide = pair.set_index(["world", "replication", "variant"])["_value"].unstack("variant")
    missing = wide.reindex(columns=[first, variant]).isna().any(axis=1)
    if missing.any():
        world, replication = wide.index[missing.to_numpy()][0]
        raise ValueError(
            f"world {world} replication {replication} has no run of {first!r} or {variant!r}:"
            " a paired difference needs both"
        )
    return wide


def _aligned(worlds: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Return the worlds table's rows for the worlds of `index`, in that order."""
    missing = index.difference(worlds.index)
    if len(missing):
        raise ValueError(f"the worlds table has no row for world {missing[0]}")
    return worlds.loc[index]
