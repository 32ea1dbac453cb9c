"""Metrics of one run: daily curves and key figures, computed after the run.

Pure functions of the campaign's final state (payment times, call tallies):
day d of a curve is the state at d x 24 h after the start, so day 0 is the
start itself.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.calendar import HOURS_PER_DAY
from sim.scenario.schema import SEGMENTS

if TYPE_CHECKING:
    from sim.campaign import Campaign

TARGETS: tuple[int, ...] = (50, 80, 90)


def count_by_day(times: np.ndarray, days: int) -> np.ndarray:
    """Return, for d = 0..days, how many of `times` (hours; NaN = never) are <= d x 24."""
    done = np.sort(times[~np.isnan(times)])
    edges = np.arange(days + 1) * HOURS_PER_DAY
    return np.searchsorted(done, edges, side="right")


def sum_by_day(times: np.ndarray, weights: np.ndarray, days: int) -> np.ndarray:
    """Return, for d = 0..days, the sum of `weights` whose time is <= d x 24."""
    mask = ~np.isnan(times)
    order = np.argsort(times[mask], kind="stable")
    done, cumulative = times[mask][order], np.concatenate(([0.0], np.cumsum(weights[mask][order])))
    edges = np.arange(days + 1) * HOURS_PER_DAY
    return cumulative[np.searchsorted(done, edges, side="right")]


def days_to_share(paid_at: np.ndarray, share: float) -> float | None:
    """Return the day (fractional) when the paid share first reaches `share`, or None."""
    n = len(paid_at)
    needed = math.ceil(share * n - 1e-9)
    done = np.sort(paid_at[~np.isnan(paid_at)])
    if n == 0 or needed > len(done):
        return None
    return float(done[max(needed, 1) - 1]) / HOURS_PER_DAY


def daily_curves(campaign: Campaign) -> pd.DataFrame:
    """Return the daily curves of a finished run."""
    pop, days = campaign.population, campaign.scenario.horizon_days
    n = max(pop.size, 1)
    paid_at, billed_at = np.array(campaign.paid_at), np.array(campaign.billed_at)
    calls = np.array(campaign.call_times)
    reached = calls[np.array(campaign.call_reached, dtype=bool)] if len(calls) else calls
    curves: dict[str, Any] = {"day": np.arange(days + 1)}
    curves["paid_share"] = count_by_day(paid_at, days) / n
    curves["money_share"] = sum_by_day(paid_at, pop.fee, days) / max(float(pop.fee.sum()), 1e-12)
    for k, name in enumerate(SEGMENTS):
        members = pop.segment == k
        curves[f"paid_share_{name}"] = count_by_day(paid_at[members], days) / max(int(members.sum()), 1)
    curves["billed_share"] = count_by_day(billed_at, days) / n
    curves["calls"] = count_by_day(calls, days)
    curves["reached"] = count_by_day(reached, days)
    morale = [*campaign.team.daily_morale, campaign.team.mean_morale(campaign.horizon)]
    curves["morale"] = np.array(morale[: days + 1])
    return pd.DataFrame(curves)


def _contact_totals(contacts: dict[str, dict[str, int]]) -> tuple[int, int]:
    calls = contacts.get("call", {})
    total = sum(calls.values())
    missed = calls.get("no_answer", 0) + calls.get("invalid_number", 0)
    return total, total - missed


def key_figures(campaign: Campaign) -> dict[str, Any]:
    """Return the key figures (KPIs) of a finished run."""
    pop = campaign.population
    paid_at = np.array(campaign.paid_at)
    paid = ~np.isnan(paid_at)
    causes = [c for c, p in zip(campaign.decided_by, paid, strict=True) if p]
    collector_hours = campaign.shifts.total_hours(campaign.horizon) * campaign.scenario.team.collectors
    calls, reached = _contact_totals(campaign.contacts)
    contacts = {kind: dict(sorted(by.items())) for kind, by in sorted(campaign.contacts.items())}
    figures: dict[str, Any] = {
        "events": campaign.env.processed,
        "households": pop.size,
        "final_paid_share": float(paid.mean()) if pop.size else 0.0,
        "final_money_share": float(pop.fee[paid].sum() / pop.fee.sum()) if pop.size else 0.0,
        "money_collected": float(pop.fee[paid].sum()),
        "money_billed": float(pop.fee.sum()),
        "calls": calls,
        "reached": reached,
        "right_party_rate": reached / calls if calls else None,
        "contacts": contacts,
        "promises": {
            "made": campaign.promises.made,
            "kept": campaign.promises.kept,
            "broken": campaign.promises.broken,
        },
        "tickets": campaign.service.figures(),
        "service": campaign.service.crew_figures(),
        "hostile": campaign.hostile,
        "complaints": campaign.over_contact.complaints,
        "ladder": campaign.ladder.figures(),
        "payments_by_cause": {c: causes.count(c) for c in ("hazard", "call", "visit", "promise", "lawsuit")},
        "staff_hours": collector_hours + campaign.extra_staff_hours,
        "collector_hours": collector_hours,
        "busy_hours": campaign.busy_hours,
        "duty_hours": campaign.duties.hours,
        "debriefs": campaign.team.debriefs,
        "final_morale": campaign.team.mean_morale(campaign.horizon),
        "morale_mean": float(np.mean(campaign.team.daily_morale[1:]))
        if len(campaign.team.daily_morale) > 1
        else 1.0,
        "unreachable_left": sum(campaign.unreachable),
    }
    for target in TARGETS:
        figures[f"days_to_{target}"] = days_to_share(paid_at, target / 100)
    return figures


def owner_table(campaign: Campaign) -> pd.DataFrame:
    """Return one row per owner: traits and what happened to them."""
    pop = campaign.population
    return pd.DataFrame(
        {
            "owner": np.arange(pop.size),
            "building": pop.building,
            "segment": np.array(SEGMENTS)[pop.segment],
            "schedule": np.where(pop.schedule == 0, "five_day", "other"),
            "fee": pop.fee,
            "has_phone": pop.has_phone,
            "online": pop.online,
            "billed_at": campaign.billed_at,
            "decided_at": campaign.decided_at,
            "paid_at": campaign.paid_at,
            "decided_by": campaign.decided_by,
            "times_chased": campaign.chased,
        }
    )
