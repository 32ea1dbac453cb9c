"""Outcomes and levers as people read them: plain names, units, values and differences.

A share (``final_paid_share``, ``paid_share_day_30``) shows as a percentage and a
difference of shares in (percentage) points; money in CNY, time in days, effort in
hours; counts as whole numbers.  Small differences keep two decimals
(``+0.06 points``), so they do not round to zero or show as ``+0.0006077``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from sim.experiments.outcomes import NESTED_OUTCOMES, curve_day

__all__ = [
    "Kind",
    "column_label",
    "difference_text",
    "interval_text",
    "kind_of",
    "lever_label",
    "lever_unit",
    "outcome_label",
    "setting_text",
    "setup_text",
    "unit_label",
    "value_text",
]

Kind = Literal["share", "money", "days", "hours", "count", "index"]

OUTCOME_LABELS: dict[str, str] = {
    "final_paid_share": "households paid by the end",
    "final_money_share": "share of the bill collected by the end",
    "money_collected": "money collected",
    "money_billed": "money billed",
    "days_to_50": "days until half the households paid",
    "days_to_80": "days until 80% of households paid",
    "days_to_90": "days until 90% of households paid",
    "staff_hours": "staff hours",
    "collector_hours": "collector hours on shift",
    "busy_hours": "collector hours on fee work",
    "calls": "calls",
    "reached": "owners reached by phone",
    "hostile": "hostile encounters",
    "events": "simulation events",
    "debriefs": "team debriefs",
    "final_morale": "team morale at the end (1 = fresh)",
    "unreachable_left": "owners still unreachable",
}
KINDS: dict[str, Kind] = {
    "final_paid_share": "share",
    "final_money_share": "share",
    "money_collected": "money",
    "money_billed": "money",
    "days_to_50": "days",
    "days_to_80": "days",
    "days_to_90": "days",
    "staff_hours": "hours",
    "collector_hours": "hours",
    "busy_hours": "hours",
    "final_morale": "index",
}
LEVER_LABELS: dict[str, str] = {
    "team.collectors": "collectors",
    "strategy.billing.mode": "billing",
    "owners.segments": "owner mix",
    "community.buildings": "buildings",
    "community.households": "households",
    "strategy.calls.windows": "calling windows",
    "owners.schedules.five_day_share": "owners on a five-day week",
    "horizon_days": "campaign length (days)",
}
UNITS: dict[Kind, str] = {
    "share": "%",
    "money": "CNY",
    "days": "days",
    "hours": "h",
    "count": "",
    "index": "",
}


def outcome_label(name: str) -> str:
    """Return an outcome's plain name, e.g. 'households paid by the end' for ``final_paid_share``."""
    point = curve_day(name)
    if point is not None:
        curve, day = point
        return f"households paid by day {day}" if curve == "paid_share" else f"bill collected by day {day}"
    if name in NESTED_OUTCOMES:
        figure, count = NESTED_OUTCOMES[name]
        return f"{figure} {count}"
    return OUTCOME_LABELS.get(name, name.replace("_", " "))


def kind_of(name: str) -> Kind:
    """Return how an outcome's values read: a share, money, days, hours, a count or an index."""
    if curve_day(name) is not None:
        return "share"
    return KINDS.get(name, "count")


def unit_label(name: str) -> str:
    """Return an outcome's name with its unit, for an axis: 'households paid by the end (%)'."""
    unit = UNITS[kind_of(name)]
    return f"{outcome_label(name)} ({unit})" if unit else outcome_label(name)


def value_text(name: str, value: float | None, unit: bool = True) -> str:
    """Return a value of outcome `name` for people: '77.8%', '1,234,567 CNY', '24.9 days', '8,964 h'.

    Without `unit`, only a share keeps its '%' (for a table whose header names the unit).
    """
    if value is None or math.isnan(value):
        return "n/a"
    kind = kind_of(name)
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "index":
        return f"{value:.3f}"
    number = f"{value:,.1f}" if kind == "days" or abs(value) < 100 else f"{value:,.0f}"
    return f"{number} {UNITS[kind]}".rstrip() if unit else number


def column_label(name: str) -> str:
    """Return an outcome's name for a table column whose cells have no unit: 'money collected (CNY)'."""
    kind = kind_of(name)
    return outcome_label(name) if kind in ("share", "count", "index") else unit_label(name)


def difference_text(name: str, difference: float | None, signed: bool = True, unit: bool = True) -> str:
    """Return a difference of outcome `name`: '+3.7 points' for shares, '+52,300 CNY', '-1.5 days'."""
    if difference is None or math.isnan(difference):
        return "n/a"
    kind = kind_of(name)
    if kind == "index":
        return f"{difference:+.3f}" if signed else f"{difference:.3f}"
    value = 100 * difference if kind == "share" else difference
    whole = kind in ("count", "hours", "money") and abs(value) >= 10
    number = f"{value:{'+' if signed else ''},.0f}" if whole else _number(value, signed)
    suffix = "points" if kind == "share" else UNITS[kind]
    return f"{number} {suffix}".rstrip() if unit else number


def interval_text(name: str, low: float | None, high: float | None) -> str:
    """Return an interval of differences with one unit: '-1.7 to +2.5 points'."""
    if low is None or high is None:
        return "n/a"
    return f"{difference_text(name, low, unit=False)} to {difference_text(name, high)}"


def _number(value: float, signed: bool) -> str:
    """Return a number with as many decimals as its size needs: 52,300 / 3.7 / 0.06."""
    sign = "+" if signed else ""
    size = abs(value)
    if size >= 100:
        return f"{value:{sign},.0f}"
    if size >= 1 or size == 0:
        return f"{value:{sign}.1f}"
    return f"{value:{sign}.2f}"


def lever_label(key: str) -> str:
    """Return a lever's plain name, e.g. 'collectors' for ``team.collectors``."""
    return LEVER_LABELS.get(key, key.rsplit(".", 1)[-1].replace("_", " "))


def lever_unit(key: str) -> str:
    """Return what one step of a numeric lever adds, e.g. 'collector' for ``team.collectors``."""
    label = lever_label(key)
    return label[:-1] if label.endswith("s") and " " not in label else label


def setting_text(value: Any) -> str:
    """Return a lever's value as text: whole numbers plain, fractions to 3 significant digits."""
    if isinstance(value, float) and not isinstance(value, bool):
        return str(int(value)) if value.is_integer() else f"{value:.3g}"
    return str(value)


def setup_text(setup: dict[str, Any]) -> str:
    """Return what every point shares, e.g. '2,000 households, 120-day horizon, 8 replications per point'."""
    parts = []
    if setup.get("households") is not None:
        parts.append(f"{setup['households']:,} households")
    if setup.get("horizon_days") is not None:
        parts.append(f"{setup['horizon_days']}-day horizon")
    reps, fewest = setup.get("replications", 0), setup.get("fewest_replications", 0)
    worlds = setup.get("worlds")
    if worlds:
        per_world = max(1, reps // worlds)
        noun = "replication" if per_world == 1 else "replications"
        parts.append(f"{per_world} {noun} in each of {worlds} worlds from the priors per point")
        return ", ".join(parts)
    noun = "replication" if reps == 1 else "replications"
    count = f"{fewest}-{reps}" if fewest and fewest != reps else f"{reps}"
    parts.append(f"{count} {noun} per point")
    return ", ".join(parts)
