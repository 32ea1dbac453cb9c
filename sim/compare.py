"""Compare scenario variants run on common random numbers: names, paired differences, one long table.

Every variant is replicated with the same master seed, so replication r of each variant
uses the same child seed (same owners, same personal luck).  The difference between two
variants is then taken replication by replication (a paired comparison), which removes
most of the noise the variants share.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.results import mean_ci

if TYPE_CHECKING:
    import os

    import pandas as pd

    from sim.results import Replications

__all__ = [
    "CENSORED_TARGET",
    "DEFAULT_NAME",
    "PAIRED_METRICS",
    "by_variant",
    "censored_days_to",
    "daily_table",
    "paired_against",
    "paired_difference",
    "paired_values",
    "variant_names",
]

DEFAULT_NAME = "scenario"
"""The name a scenario gets when its file does not set one."""

PAIRED_METRICS: tuple[str, ...] = ("final_paid_share", "days_to_80", "staff_hours")
"""The metrics compared replication by replication, in order."""

CENSORED_TARGET = 80
"""The paid share (in %) whose days are also compared with censoring (``days_to_80_censored``)."""

_BOUNDS: dict[frozenset[tuple[bool, bool]], str] = {
    frozenset(): "exact",
    frozenset({(False, True)}): "upper",
    frozenset({(True, False)}): "lower",
}
"""What the restricted difference is, by the kinds of censored pairs (variant censored, baseline censored)."""

_MAY_BE_MISSING: frozenset[str] = frozenset({"days_to_80"})
"""Metrics that some replications do not have (target not reached); their entry also counts the pairs."""


def variant_names(paths: Sequence[str | os.PathLike[str]], names: Sequence[str]) -> list[str]:
    """Name each variant uniquely after its scenario name, falling back on the file stem.

    A variant is called by its scenario's ``name``, or by its file stem when the name is the
    default ``"scenario"``.  When several variants share a name, those whose file stem differs
    from it get the stem in parentheses (``baseline``, ``baseline (copy)``); names still shared
    after that (the same file twice, or equal stems in different folders) get ``[2]``, ``[3]``...
    from their second occurrence on (``baseline``, ``baseline[2]``).
    """
    if len(paths) != len(names):
        raise ValueError(f"{len(paths)} paths but {len(names)} names")
    stems = [Path(p).stem for p in paths]
    bases = [stem if name == DEFAULT_NAME else name for stem, name in zip(stems, names, strict=True)]
    shared = Counter(bases)
    labels = [
        base if shared[base] == 1 or stem == base else f"{base} ({stem})"
        for base, stem in zip(bases, stems, strict=True)
    ]
    return _numbered(labels)


def _numbered(labels: Sequence[str]) -> list[str]:
    """Append ``[k]`` to repeated labels from their second occurrence on, keeping all labels unique."""
    taken: set[str] = set()
    out: list[str] = []
    for label in labels:
        candidate, k = label, 1
        while candidate in taken:
            k += 1
            candidate = f"{label}[{k}]"
        taken.add(candidate)
        out.append(candidate)
    return out


def _present(value: float | None) -> bool:
    """Tell whether `value` is a number (not None and not NaN)."""
    return value is not None and not math.isnan(value)


def paired_difference(
    a: Sequence[float | None], b: Sequence[float | None], level: float = 0.95
) -> dict[str, float | int | None]:
    """Return the mean of ``a[i] - b[i]`` with its Student-t CI over the pairs where both are present.

    Pairs where either value is None (or NaN) are left out; ``pairs`` says how many were used.
    With no pair the mean is None; with fewer than two the CI bounds are None.
    """
    if len(a) != len(b):
        raise ValueError(f"paired values need equal lengths, got {len(a)} and {len(b)}")
    diffs = [float(x) - float(y) for x, y in zip(a, b, strict=True) if _present(x) and _present(y)]
    if not diffs:
        return {"mean": None, "ci_low": None, "ci_high": None, "pairs": 0}
    mean, low, high = mean_ci(diffs, level)
    return {"mean": mean, "ci_low": low, "ci_high": high, "pairs": len(diffs)}


def paired_values(runs: Replications, metric: str) -> list[float | None]:
    """Return one metric of `PAIRED_METRICS` for every replication (None where a target was not reached)."""
    if metric == "final_paid_share":
        return [float(v) for v in runs.curve("paid_share")[:, -1]]
    return [None if v is None else float(v) for v in runs.kpi(metric)]


def paired_against(variant: Replications, baseline: Replications) -> dict[str, dict[str, Any]]:
    """Return the paired differences (variant - baseline) of every metric of `PAIRED_METRICS`."""
    if (len(variant), variant.seed) != (len(baseline), baseline.seed):
        raise ValueError("paired comparison needs the same number of replications and the same seed")
    out: dict[str, dict[str, Any]] = {}
    for metric in PAIRED_METRICS:
        entry = paired_difference(paired_values(variant, metric), paired_values(baseline, metric))
        if metric not in _MAY_BE_MISSING:
            del entry["pairs"]
        out[metric] = entry
    out[f"days_to_{CENSORED_TARGET}_censored"] = censored_days_to(variant, baseline, CENSORED_TARGET)
    return out


def censored_days_to(variant: Replications, baseline: Replications, target: int) -> dict[str, Any]:
    """Compare the days to `target`% paid when some replications never get there within the horizon.

    A replication that has not reached the target by the horizon H (the shorter of the two) is
    censored: its day is only known to be later than H.  Counting it as H gives the paired
    difference of the days restricted to the horizon (``restricted_mean``), which is

    - ``exact`` when no replication is censored (it equals the plain paired difference);
    - an ``upper`` bound of the true mean difference when only baseline replications are censored
      (the variant reached it at least that many days sooner);
    - a ``lower`` bound when only variant replications are censored (at least that many days later);
    - ``none`` otherwise (censored on both sides: the difference up to the horizon, no bound).

    ``reached`` counts the replications of each side that reached the target by day H, and
    ``reached_share`` is the paired difference of the share that did (variant - baseline).
    """
    horizon = min(_horizon(variant), _horizon(baseline))
    ours, theirs = _days_by(variant, target, horizon), _days_by(baseline, target, horizon)
    censored = {(a is None, b is None) for a, b in zip(ours, theirs, strict=True)} - {(False, False)}
    bound = _BOUNDS.get(frozenset(censored), "none")
    restricted = paired_difference(_capped(ours, horizon), _capped(theirs, horizon))
    share = paired_difference(_reached(ours), _reached(theirs))
    return {
        "horizon_days": horizon,
        "reps": len(ours),
        "reached": {"variant": sum(_reached(ours)), "baseline": sum(_reached(theirs))},
        "restricted_mean": {k: restricted[k] for k in ("mean", "ci_low", "ci_high")},
        "bound": bound,
        "reached_share": {k: _within_one(share[k]) for k in ("mean", "ci_low", "ci_high")},
    }


def _within_one(value: float | None) -> float | None:
    """Clip a difference of two shares to [-1, 1] (a Student-t bound may pass it)."""
    return None if value is None else min(1.0, max(-1.0, value))


def _horizon(runs: Replications) -> int:
    """Return the last day of the runs' daily curves."""
    return int(runs.curve("paid_share").shape[1]) - 1


def _days_by(runs: Replications, target: int, horizon: int) -> list[float | None]:
    """Return each replication's day of reaching `target`%, None if not by `horizon`."""
    days = [None if d is None else float(d) for d in runs.kpi(f"days_to_{target}")]
    return [d if d is not None and d <= horizon else None for d in days]


def _capped(days: list[float | None], horizon: int) -> list[float]:
    """Return the days with a censored replication counted as the horizon."""
    return [float(horizon) if d is None else d for d in days]


def _reached(days: list[float | None]) -> list[int]:
    """Return 1 for each replication that reached the target, else 0."""
    return [int(d is not None) for d in days]


def daily_table(runs: Mapping[str, Replications]) -> pd.DataFrame:
    """Return every variant's daily curves in one long table with `variant` and `rep` columns."""
    return by_variant({name: reps.daily for name, reps in runs.items()})


def by_variant(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Stack each variant's table into one, with a first column `variant` naming it."""
    import pandas as pd

    table = pd.concat([frame.assign(variant=name) for name, frame in frames.items()], ignore_index=True)
    return table[["variant", *(c for c in table.columns if c != "variant")]]
