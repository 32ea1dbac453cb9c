"""The tactics of the source document: their ids, their scenario files and the keys each one sets.

Each tactic ships as `scenarios/tactics/<name>.yaml`: the baseline plus that
tactic alone.  `keys` are the scenario key paths (or their prefixes) the
tactic's file may change; a test checks that the file differs from the
baseline in those keys only, so a tactic's effect is never mixed with another
tactic's or with more paid hours (the tactics that need other working hours
move them within the baseline's weekly hours).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tactic:
    """One tactic: its scenario file's stem, the ids of the source's tips it models, its keys."""

    name: str
    ids: tuple[str, ...]
    keys: tuple[str, ...]


TACTICS: tuple[Tactic, ...] = (
    Tactic("team_support", ("T1",), ("team.morale.support",)),
    Tactic("staff_atmosphere", ("T2",), ("strategy.atmosphere.enabled",)),
    Tactic("debrief", ("T3",), ("strategy.debrief.enabled",)),
    Tactic("direct_lane", ("T4",), ("service.direct_lane",)),
    Tactic(
        "chase",
        ("T5a",),
        ("strategy.calls.max_per_owner_per_day", "strategy.calls.retry_days", "strategy.calls.give_up_after"),
    ),
    Tactic("reminders", ("T5a",), ("strategy.follow_up.remind",)),
    Tactic("sms_notices", ("T5a", "P3"), ("strategy.notices.enabled", "strategy.notices.personal")),
    Tactic("team_visits", ("T6",), ("strategy.team_visits.enabled", "team.shift")),
    Tactic("contact_discovery", ("T7",), ("strategy.discovery.enabled", "strategy.workplace_visits.enabled")),
    Tactic("triage", ("T8",), ("service.triage",)),
    Tactic("escalation", ("T9",), ("service.escalation.enabled",)),
    Tactic("key_owners", ("T10",), ("strategy.calls.key_owners_first",)),
    Tactic("publicity", ("T11",), ("strategy.publicity.enabled",)),
    Tactic("calm_listening", ("P1",), ("strategy.conduct.calm_listening",)),
    Tactic("praise_first", ("P2",), ("strategy.conduct.praise_first",)),
    Tactic("v1_call_windows", ("V1",), ("strategy.calls.windows", "team.shift")),
    Tactic("home_visits", ("V1",), ("strategy.visits.enabled", "team.shift")),
    Tactic("etiquette", ("V2",), ("strategy.conduct.etiquette",)),
    Tactic("concrete_time", ("V2",), ("strategy.follow_up.ask_time",)),
    Tactic(
        "waiting_call",
        ("V2",),
        ("strategy.follow_up.waiting_call", "strategy.calls.retry_days.broken_promise"),
    ),
    Tactic("goodwill", ("V3",), ("strategy.goodwill.enabled",)),
    Tactic(
        "staged_billing",
        ("V4",),
        ("strategy.billing.mode", "strategy.billing.stages", "strategy.billing.next_stage"),
    ),
)


def tactic(name: str) -> Tactic:
    """Return the tactic whose scenario file is `scenarios/tactics/<name>.yaml`."""
    for candidate in TACTICS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no tactic called {name!r}; tactics: {', '.join(t.name for t in TACTICS)}")
