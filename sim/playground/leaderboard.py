"""The challenge's leaderboard: every plan on the same replication seeds, ranked within the budget.

Every plan of a challenge runs on the challenge's master seed, so replication r of
every plan draws the same owners, moods and chances (common random numbers) and the
difference between two plans is measured pair by pair, replication by replication:
its interval is narrower than the intervals of the two plans would suggest.

A plan breaches the budget when its mean staff hours per campaign exceed it.  Plans
within the budget rank above plans that breach it; within each group, by the share
of households paid by the end of the campaign.  The winner is the first plan.
"""

from __future__ import annotations

from typing import Any

from sim.compare import paired_difference
from sim.playground.runs import Replication
from sim.results import mean_ci

__all__ = ["OUTCOME", "leaderboard", "outcome"]

OUTCOME = "final_paid_share"
"""What ranks plans: the share of households paid by the end (`feesim run`'s headline)."""


def outcome(replications: list[Replication]) -> dict[str, list[float | None]]:
    """Return what the leaderboard needs of a plan: per replication, paid share, staff hours, days to 80%."""
    return {
        OUTCOME: [float(r.result.daily["paid_share"].iloc[-1]) for r in replications],
        "staff_hours": [float(r.result.kpis["staff_hours"]) for r in replications],
        "days_to_80": [r.result.kpis["days_to_80"] for r in replications],
    }


def _figure(values: list[float | None]) -> dict[str, Any]:
    present = [v for v in values if v is not None]
    if not present:
        return {"mean": None, "ci_low": None, "ci_high": None, "reached": 0}
    mean, low, high = mean_ci(present)
    return {"mean": mean, "ci_low": low, "ci_high": high, "reached": len(present)}


def leaderboard(plans: list[dict[str, Any]], budget: float) -> list[dict[str, Any]]:
    """Rank evaluated plans (dicts with ``team`` and ``outcome``); add intervals, breaches, differences."""
    rows = []
    for plan in plans:
        figures = plan["outcome"]
        hours = _figure(figures["staff_hours"])
        rows.append(
            {
                "team": plan["team"],
                "overrides": plan.get("overrides", {}),
                OUTCOME: _figure(figures[OUTCOME]),
                "staff_hours": hours,
                "days_to_80": _figure(figures["days_to_80"]),
                "over_budget": hours["mean"] > budget,
                "_values": figures[OUTCOME],
            }
        )
    rows.sort(key=lambda row: (row["over_budget"], -row[OUTCOME]["mean"], row["team"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        winner = rows[0]["_values"]
        row["difference_to_winner"] = None if rank == 1 else paired_difference(row["_values"], winner)
    for row in rows:
        del row["_values"]
    return rows
