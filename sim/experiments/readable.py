"""Outcomes and levers as people read them: plain names, units, values and differences.

A share (``final_paid_share``, ``paid_share_day_30``) shows as a percentage and a
difference of shares in (percentage) points; money in CNY, time in days, effort in
hours; counts as whole numbers.  Small differences keep two decimals
(``+0.06 points``), so they do not round to zero or show as ``+0.0006077``.

Every word is in the language being spoken (`sim.languages`): the labels are catalogue
messages, and a number with its unit is one message (``{number} days``) so that Chinese
writes ``24.9天``.  A lever or outcome feesim has no name for shows its key (a key path
stays English); in English it reads as words, as it always has.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from sim.experiments.outcomes import curve_day
from sim.languages import N_, _, ngettext, speaks_english
from sim.languages.formats import commas

__all__ = [
    "Kind",
    "column_label",
    "difference_text",
    "direction_text",
    "interval_text",
    "kind_of",
    "lever_label",
    "lever_unit",
    "not_available",
    "outcome_label",
    "setting_text",
    "setup_text",
    "unit_label",
    "value_text",
    "verdict_text",
]

Kind = Literal["share", "money", "days", "hours", "count", "index"]

OUTCOME_LABELS: dict[str, str] = {
    "final_paid_share": N_("households paid by the end"),
    "final_money_share": N_("share of the bill collected by the end"),
    "money_collected": N_("money collected"),
    "money_billed": N_("money billed"),
    "days_to_50": N_("days until half the households paid"),
    "days_to_80": N_("days until 80% of households paid"),
    "days_to_90": N_("days until 90% of households paid"),
    "staff_hours": N_("staff hours"),
    "collector_hours": N_("collector hours on shift"),
    "busy_hours": N_("collector hours on fee work"),
    "calls": N_("calls"),
    "reached": N_("owners reached by phone"),
    "hostile": N_("hostile encounters"),
    "events": N_("simulation events"),
    "debriefs": N_("team debriefs"),
    "final_morale": N_("team morale at the end (1 = fresh)"),
    "unreachable_left": N_("owners still unreachable"),
}
"""Plain names of the outcomes that are a key figure (messages: translated where shown)."""
NESTED_LABELS: dict[str, str] = {
    "promises_made": N_("promises made"),
    "promises_kept": N_("promises kept"),
    "promises_broken": N_("promises broken"),
    "tickets_opened": N_("tickets opened"),
    "tickets_fixed": N_("tickets fixed"),
    "tickets_escalated": N_("tickets escalated"),
}
"""Plain names of the outcomes that are one count of a key figure's breakdown."""
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
    "team.collectors": N_("collectors"),
    "strategy.billing.mode": N_("billing"),
    "owners.segments": N_("owner mix"),
    "community.buildings": N_("buildings"),
    "community.households": N_("households"),
    "strategy.calls.windows": N_("calling windows"),
    "owners.schedules.five_day_share": N_("owners on a five-day week"),
    "horizon_days": N_("campaign length (days)"),
}
LEVER_UNITS: dict[str, str] = {
    "team.collectors": N_("collector"),
    "community.buildings": N_("building"),
    "community.households": N_("household"),
}
"""What one step of a numeric lever adds, where it is not the lever's own name."""
WITH_UNIT: dict[str, str] = {
    "money": N_("{number} CNY"),
    "days": N_("{number} days"),
    "hours": N_("{number} h"),
    "points": N_("{number} points"),
}
"""A number with its unit, per kind of outcome (``points``: a difference of shares)."""
LABEL_WITH_UNIT: dict[str, str] = {
    "share": N_("{label} (%)"),
    "money": N_("{label} (CNY)"),
    "days": N_("{label} (days)"),
    "hours": N_("{label} (h)"),
}
"""An outcome's name with its unit, for an axis or a column, per kind of outcome."""
VERDICTS: dict[str, str] = {"pays": N_("pays"), "does not pay": N_("does not pay"), "unclear": N_("unclear")}
"""How people read a step's verdict (`sim.experiments.marginal`; the JSON keeps the English)."""
DIRECTIONS: dict[str, str] = {
    "lower is better": N_("lower is better"),
    "higher is better": N_("higher is better"),
}
"""How people read an outcome's direction (`sim.experiments.analyze.best_levers`)."""


def not_available() -> str:
    """Return what a missing value shows: 'n/a'."""
    return _("n/a")


def verdict_text(verdict: str) -> str:
    """Return a step's verdict ('pays', 'does not pay', 'unclear') for people."""
    return _(VERDICTS[verdict]) if verdict in VERDICTS else verdict


def direction_text(direction: str) -> str:
    """Return an outcome's direction ('lower is better', 'higher is better') for people."""
    return _(DIRECTIONS[direction]) if direction in DIRECTIONS else direction


def _with_unit(number: str, kind: str) -> str:
    """Return a number with the unit of `kind` ('24.9 days'), or alone for a kind without one."""
    return _(WITH_UNIT[kind]).format(number=number) if kind in WITH_UNIT else number


def outcome_label(name: str) -> str:
    """Return an outcome's plain name, e.g. 'households paid by the end' for ``final_paid_share``."""
    point = curve_day(name)
    if point is not None:
        curve, day = point
        if curve == "paid_share":
            return _("households paid by day {day}").format(day=day)
        return _("bill collected by day {day}").format(day=day)
    if name in NESTED_LABELS:
        return _(NESTED_LABELS[name])
    if name in OUTCOME_LABELS:
        return _(OUTCOME_LABELS[name])
    return name.replace("_", " ") if speaks_english() else name


def kind_of(name: str) -> Kind:
    """Return how an outcome's values read: a share, money, days, hours, a count or an index."""
    if curve_day(name) is not None:
        return "share"
    return KINDS.get(name, "count")


def unit_label(name: str) -> str:
    """Return an outcome's name with its unit, for an axis: 'households paid by the end (%)'."""
    kind = kind_of(name)
    label = outcome_label(name)
    return _(LABEL_WITH_UNIT[kind]).format(label=label) if kind in LABEL_WITH_UNIT else label


def value_text(name: str, value: float | None, unit: bool = True) -> str:
    """Return a value of outcome `name` for people: '77.8%', '1,234,567 CNY', '24.9 days', '8,964 h'.

    Without `unit`, only a share keeps its '%' (for a table whose header names the unit).
    """
    if value is None or math.isnan(value):
        return not_available()
    kind = kind_of(name)
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "index":
        return f"{value:.3f}"
    number = f"{value:,.1f}" if kind == "days" or abs(value) < 100 else f"{value:,.0f}"
    return _with_unit(number, kind) if unit else number


def column_label(name: str) -> str:
    """Return an outcome's name for a table column whose cells have no unit: 'money collected (CNY)'."""
    kind = kind_of(name)
    return outcome_label(name) if kind in ("share", "count", "index") else unit_label(name)


def difference_text(name: str, difference: float | None, signed: bool = True, unit: bool = True) -> str:
    """Return a difference of outcome `name`: '+3.7 points' for shares, '+52,300 CNY', '-1.5 days'."""
    if difference is None or math.isnan(difference):
        return not_available()
    kind = kind_of(name)
    if kind == "index":
        return f"{difference:+.3f}" if signed else f"{difference:.3f}"
    value = 100 * difference if kind == "share" else difference
    whole = kind in ("count", "hours", "money") and abs(value) >= 10
    number = f"{value:{'+' if signed else ''},.0f}" if whole else _number(value, signed)
    return _with_unit(number, "points" if kind == "share" else kind) if unit else number


def interval_text(name: str, low: float | None, high: float | None) -> str:
    """Return an interval of differences with one unit: '-1.7 to +2.5 points'."""
    if low is None or high is None:
        return not_available()
    return _("{low} to {high}").format(
        low=difference_text(name, low, unit=False), high=difference_text(name, high)
    )


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
    """Return a lever's plain name, e.g. 'collectors' for ``team.collectors`` (else its key, in Chinese)."""
    if key in LEVER_LABELS:
        return _(LEVER_LABELS[key])
    return key.rsplit(".", 1)[-1].replace("_", " ") if speaks_english() else key


def lever_unit(key: str) -> str:
    """Return what one step of a numeric lever adds, e.g. 'collector' for ``team.collectors``."""
    if key in LEVER_UNITS:
        return _(LEVER_UNITS[key])
    label = lever_label(key)
    return label[:-1] if speaks_english() and label.endswith("s") and " " not in label else label


def setting_text(value: Any) -> str:
    """Return a lever's value as text: whole numbers plain, fractions to 3 significant digits."""
    if isinstance(value, float) and not isinstance(value, bool):
        return str(int(value)) if value.is_integer() else f"{value:.3g}"
    return str(value)


def setup_text(setup: dict[str, Any]) -> str:
    """Return what every point shares, e.g. '2,000 households, 120-day horizon, 8 replications per point'."""
    parts = []
    if setup.get("households") is not None:
        parts.append(_("{count} households").format(count=f"{setup['households']:,}"))
    if setup.get("horizon_days") is not None:
        parts.append(_("{days}-day horizon").format(days=setup["horizon_days"]))
    reps, fewest = setup.get("replications", 0), setup.get("fewest_replications", 0)
    worlds = setup.get("worlds")
    if worlds:
        per_world = max(1, reps // worlds)
        each = ngettext(
            "{count} replication in each of {worlds} worlds from the priors per point",
            "{count} replications in each of {worlds} worlds from the priors per point",
            per_world,
        )
        parts.append(each.format(count=per_world, worlds=worlds))
        return commas(parts)
    count = f"{fewest}-{reps}" if fewest and fewest != reps else f"{reps}"
    each = ngettext("{count} replication per point", "{count} replications per point", reps)
    parts.append(each.format(count=count))
    return commas(parts)
