"""What each step up a numeric lever brings, per unit added: the question of a team-size sweep.

For a sweep whose only lever is a number (``team.collectors`` in
``experiments/team_size.yaml``), each step between neighbouring settings gets every
outcome's paired change per unit added (one more collector: so many more points of
households paid, so many more staff hours).  When the sweep recorded
``money_collected`` and ``staff_hours``, the step also weighs the money one more unit
brings in within the horizon against its staff cost (staff hours x
``team.staff_cost_per_hour``): it *pays* when the net gain's 95% interval lies above
zero, *does not pay* when it lies below, and is *unclear* otherwise.  The lever stops
paying at the first step whose mean net gain is negative.

Every point runs on the same replication seeds, so a step's changes are taken
replication by replication (common random numbers) and divided by the step's width.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

from sim.compare import paired_difference

__all__ = ["MONEY", "STAFF_HOURS", "marginal_steps", "numeric_lever"]

MONEY = "money_collected"
STAFF_HOURS = "staff_hours"


def numeric_lever(points: pd.DataFrame, levers: list[str]) -> str | None:
    """Return the sweep's lever if it is the only one and numeric, with two or more settings; else None."""
    if len(levers) != 1:
        return None
    values = points[levers[0]]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    return levers[0] if numeric and values.nunique() >= 2 else None


def marginal_steps(
    results: pd.DataFrame, points: pd.DataFrame, lever: str, cost_per_hour: float | None
) -> dict[str, Any]:
    """Return the steps up `lever`: per unit added, each outcome's paired change and the net money gain."""
    setting = points.set_index("point")[lever]
    table = results.assign(setting=results["point"].map(setting))
    wide = table.set_index(["replication", "outcome", "setting"])["value"].unstack(["outcome", "setting"])
    settings = sorted(setting.unique().tolist())
    outcomes = list(dict.fromkeys(results["outcome"]))
    weighs = cost_per_hour is not None and MONEY in outcomes and STAFF_HOURS in outcomes
    steps = []
    for low, high in itertools.pairwise(settings):
        width = float(high - low)
        changes = {name: _per_unit(_paired(wide, name, high, low), width) for name in outcomes}
        step: dict[str, Any] = {"from": _plain(low), "to": _plain(high), "per_unit": changes}
        if weighs:
            step.update(_money_against_cost(wide, high, low, width, float(cost_per_hour or 0.0)))
        steps.append(step)
    means = table.groupby(["setting", "outcome"], sort=False)["value"].mean()
    levels = [
        {"setting": _plain(s), "means": {name: _float(means.get((s, name))) for name in outcomes}}
        for s in settings
    ]
    found: dict[str, Any] = {
        "lever": lever,
        "settings": [_plain(s) for s in settings],
        "levels": levels,
        "steps": steps,
    }
    if weighs:
        found["staff_cost_per_hour"] = cost_per_hour
        found["stops_paying_after"] = _stops_paying_after(steps)
    return found


def _paired(wide: pd.DataFrame, outcome: str, high: Any, low: Any) -> dict[str, Any]:
    """Return the paired difference of `outcome` between settings `high` and `low`."""
    return paired_difference(wide[(outcome, high)].tolist(), wide[(outcome, low)].tolist())


def _per_unit(difference: dict[str, Any], width: float) -> dict[str, Any]:
    """Return a step's paired difference divided by its width (the change per unit added)."""
    scaled = {
        key: None if difference[key] is None else difference[key] / width
        for key in ("mean", "ci_low", "ci_high")
    }
    return {**scaled, "pairs": difference["pairs"]}


def _money_against_cost(
    wide: pd.DataFrame, high: Any, low: Any, width: float, cost_per_hour: float
) -> dict[str, Any]:
    """Return per unit added: extra money collected, extra staff cost, net gain and the verdict."""
    net_high = wide[(MONEY, high)] - cost_per_hour * wide[(STAFF_HOURS, high)]
    net_low = wide[(MONEY, low)] - cost_per_hour * wide[(STAFF_HOURS, low)]
    cost = _per_unit(_paired(wide, STAFF_HOURS, high, low), width)
    net = _per_unit(paired_difference(net_high.tolist(), net_low.tolist()), width)
    return {
        "extra_money": _per_unit(_paired(wide, MONEY, high, low), width),
        "extra_staff_cost": {
            k: v if k == "pairs" or v is None else v * cost_per_hour for k, v in cost.items()
        },
        "net_gain": net,
        "pays": _verdict(net),
    }


def _verdict(net: dict[str, Any]) -> str:
    """Return 'pays', 'does not pay' or 'unclear' from a net gain's 95% interval (its sign without one)."""
    if net["mean"] is None:
        return "unclear"
    if net["ci_low"] is None:
        return "pays" if net["mean"] > 0 else "does not pay"
    if net["ci_low"] > 0:
        return "pays"
    return "does not pay" if net["ci_high"] < 0 else "unclear"


def _stops_paying_after(steps: list[dict[str, Any]]) -> Any:
    """Return the setting after which one more unit brings in less than it costs (None if every step pays)."""
    for step in steps:
        mean = step["net_gain"]["mean"]
        if mean is not None and mean < 0:
            return step["from"]
    return None


def _float(value: Any) -> float | None:
    """Return a mean as a float, None when missing or NaN (no replication reached it)."""
    return None if value is None or value != value else float(value)


def _plain(value: Any) -> Any:
    """Return a numpy number as a plain Python number."""
    return value.item() if hasattr(value, "item") else value
