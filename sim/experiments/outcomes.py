"""Outcomes an experiment records: names and how to read each from one run's figures and curves.

An outcome is a number per run: a key figure (``final_paid_share``, ``days_to_80``,
``staff_hours``, ...), a count inside a figure (``promises_kept``, ``tickets_opened``)
or a point of a daily curve (``paid_share_day_30``, ``money_share_day_90``: the share
at day d, as in the daily table).  A target never reached (``days_to_90``) is NaN.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_OUTCOMES",
    "FIGURE_OUTCOMES",
    "LOWER_IS_BETTER",
    "NESTED_OUTCOMES",
    "check_outcome",
    "curve_day",
    "lower_is_better",
    "outcome_value",
]

FIGURE_OUTCOMES: tuple[str, ...] = (
    "final_paid_share",
    "final_money_share",
    "days_to_50",
    "days_to_80",
    "days_to_90",
    "staff_hours",
    "collector_hours",
    "busy_hours",
    "calls",
    "reached",
    "hostile",
    "events",
    "money_collected",
    "money_billed",
    "debriefs",
    "final_morale",
    "unreachable_left",
)
"""Outcomes that are a key figure of the run as is."""

NESTED_OUTCOMES: dict[str, tuple[str, str]] = {
    "promises_made": ("promises", "made"),
    "promises_kept": ("promises", "kept"),
    "promises_broken": ("promises", "broken"),
    "tickets_opened": ("tickets", "opened"),
    "tickets_fixed": ("tickets", "fixed"),
    "tickets_escalated": ("tickets", "escalated"),
}
"""Outcomes that are one count of a key figure's breakdown."""

DEFAULT_OUTCOMES: tuple[str, ...] = (
    "final_paid_share",
    "final_money_share",
    "days_to_50",
    "days_to_80",
    "days_to_90",
    "staff_hours",
    "calls",
    "hostile",
)
"""The outcomes recorded when an experiment does not list its own."""

LOWER_IS_BETTER: frozenset[str] = frozenset(
    {
        "days_to_50",
        "days_to_80",
        "days_to_90",
        "staff_hours",
        "collector_hours",
        "busy_hours",
        "calls",
        "hostile",
        "events",
        "unreachable_left",
        "promises_broken",
        "tickets_escalated",
    }
)
"""Outcomes where less is better; every other outcome is better when larger."""

_CURVE_POINT = re.compile(r"(?P<curve>paid_share|money_share)_day_(?P<day>\d+)")


def curve_day(name: str) -> tuple[str, int] | None:
    """Return (curve, day) of a curve-point outcome such as ``paid_share_day_30``, else None."""
    match = _CURVE_POINT.fullmatch(name)
    return None if match is None else (match["curve"], int(match["day"]))


def lower_is_better(name: str) -> bool:
    """Tell whether smaller values of an outcome are better."""
    return name in LOWER_IS_BETTER


def check_outcome(name: str) -> str:
    """Return `name` if it is a known outcome; raise ValueError naming the choices otherwise."""
    if name in FIGURE_OUTCOMES or name in NESTED_OUTCOMES or curve_day(name) is not None:
        return name
    from sim.languages import _

    known = ", ".join([*FIGURE_OUTCOMES, *NESTED_OUTCOMES, "paid_share_day_<d>", "money_share_day_<d>"])
    raise ValueError(_("unknown outcome {name!r}; expected one of: {known}").format(name=name, known=known))


def outcome_value(name: str, kpis: Mapping[str, Any], daily: pd.DataFrame) -> float:
    """Return outcome `name` of one run as a float (NaN for a target never reached)."""
    point = curve_day(name)
    if point is not None:
        curve, day = point
        rows = daily.loc[daily["day"] == day, curve]
        if rows.empty:
            raise ValueError(f"outcome {name}: the run has no day {day} (horizon {int(daily['day'].max())})")
        return float(rows.iloc[0])
    if name in NESTED_OUTCOMES:
        figure, key = NESTED_OUTCOMES[name]
        value = kpis[figure][key]
    else:
        value = kpis[check_outcome(name)]
    return math.nan if value is None else float(value)
