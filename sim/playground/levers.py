"""The page's controls: the source's tactics as switches, billing, calling windows, team and community.

A switch sets exactly the keys its tactic's scenario file sets (`sim.scenario.catalogue`),
with the values written there, so switching a tactic on in the playground runs the
same campaign as ``scenarios/tactics/<name>.yaml``.  Staged billing and the V1 calling
windows are not switches but the page's billing and calling-window choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sim.languages import N_
from sim.plans.candidates import value_at
from sim.scenario.catalogue import TACTICS
from sim.scenario.load import SHIPPED_SCENARIOS, merged_scenario_dict

__all__ = ["LIMITS", "PAGE_DEFAULTS", "Choice", "Switch", "choices", "levers", "switches"]


@dataclass(frozen=True)
class Switch:
    """One tactic as a switch: its name in the source's words, one line on what it does, its overrides."""

    tactic: str
    ids: tuple[str, ...]
    title: str
    explanation: str
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Choice:
    """One option of a choice between alternatives (billing mode, calling windows)."""

    name: str
    title: str
    explanation: str
    overrides: dict[str, Any]


TITLES: dict[str, tuple[str, str]] = {
    "team_support": (N_("team support"), N_("The team believes the money will come in: morale holds up.")),
    "staff_atmosphere": (
        N_("collection atmosphere among staff"),
        N_("Guards, cleaners and receptionists remind owners at every chance."),
    ),
    "debrief": (N_("daily debrief"), N_("The team meets daily to share what worked with hard cases.")),
    "direct_lane": (N_("direct lane"), N_("Complaints that block payment jump the repair queue.")),
    "chase": (N_("chasing stallers"), N_("Call back stallers quickly and never give up on them.")),
    "reminders": (N_("reminders of promises"), N_("Remind owners of the payment they promised.")),
    "sms_notices": (N_("SMS notices"), N_("Personal fee notices by SMS or WeChat to unpaid owners.")),
    "team_visits": (N_("team visits"), N_("Two or three colleagues visit friendly refusers together.")),
    "contact_discovery": (
        N_("finding contact details"),
        N_("Find unreachable owners through colleagues, neighbours and their workplace."),
    ),
    "triage": (N_("triage"), N_("Sort the problems behind non-payment and give each to the right person.")),
    "escalation": (N_("escalation"), N_("Old problems go straight to a manager instead of waiting.")),
    "key_owners": (N_("key owners first"), N_("Call first the owners whose neighbours follow them.")),
    "publicity": (N_("publicity"), N_("Answer negative talk in the community openly and early.")),
    "calm_listening": (N_("calm listening"), N_("Stay calm and listen when owners are cold or rude.")),
    "praise_first": (N_("praise first"), N_("Start from sincere praise with reluctant owners.")),
    "home_visits": (N_("home visits"), N_("Visit owners at home in the evenings and at weekends.")),
    "etiquette": (N_("phone etiquette"), N_("Introduce yourself and ask whether it is a good time.")),
    "concrete_time": (N_("a concrete payment time"), N_("Ask for a date and time, not just 'I will pay'.")),
    "waiting_call": (
        N_("the waiting call"),
        N_("Call a promise-breaker: 'I have been waiting for you'."),
    ),
    "goodwill": (N_("goodwill"), N_("Holiday messages and birthday calls win owners over.")),
}
"""Each switch's title (the glossary's term for the tactic) and its one-line explanation."""
CHOICE_TACTICS = {"staged_billing": "billing", "v1_call_windows": "calls"}
"""Tactics offered as an option of a choice rather than as a switch."""

LIMITS = {
    "households": (50, 2000),
    "horizon_days": (30, 365),
    "collectors": (1, 12),
    "reps": (1, 20),
}
"""What a request may ask for: a classroom's 2 cores answer these within seconds (assumption)."""
PAGE_DEFAULTS = {"households": 300, "horizon_days": 120, "collectors": 1, "reps": 4}
"""The page's starting community: a few hundred households (one collector per 300, near the
baseline's 500), four months; four replications run in about a second on 2 cores."""


def _overrides(tactic: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """Return the values the tactic's file sets at its keys (a key left at its default is skipped)."""
    data = merged_scenario_dict(SHIPPED_SCENARIOS / "tactics" / f"{tactic}.yaml")
    found: dict[str, Any] = {}
    for key in keys:
        try:
            found[key] = value_at(data, key)
        except (KeyError, TypeError):
            continue
    return found


@cache
def switches() -> tuple[Switch, ...]:
    """Return every tactic offered as a switch, in the order of the source document."""
    return tuple(
        Switch(t.name, t.ids, *TITLES[t.name], _overrides(t.name, t.keys))
        for t in TACTICS
        if t.name not in CHOICE_TACTICS
    )


@cache
def choices() -> dict[str, tuple[Choice, ...]]:
    """Return the billing modes and the calling windows the page offers (the first is the baseline's)."""
    staged, v1 = (next(t for t in TACTICS if t.name == name) for name in CHOICE_TACTICS)
    return {
        "billing": (
            Choice("bulk", N_("bulk billing"), N_("Every bill handed out at once."), {}),
            Choice(
                "staged",
                N_("staged billing"),
                N_("Bills go out segment by segment: the easy owners first."),
                _overrides(staged.name, staged.keys),
            ),
        ),
        "calls": (
            Choice("office", N_("office hours"), N_("Weekday calls, 9-12 and 14-17."), {}),
            Choice(
                "v1",
                N_("V1 calling windows"),
                N_("Greet in the mornings and evenings, ask for the fee on Friday and Saturday afternoons."),
                _overrides(v1.name, v1.keys),
            ),
        ),
    }


def levers() -> dict[str, Any]:
    """Return every control of the page with its overrides (untranslated; the page translates titles)."""
    return {
        "switches": [
            {
                "tactic": s.tactic,
                "ids": list(s.ids),
                "title": s.title,
                "explanation": s.explanation,
                "overrides": s.overrides,
            }
            for s in switches()
        ],
        "choices": {
            group: [
                {"name": c.name, "title": c.title, "explanation": c.explanation, "overrides": c.overrides}
                for c in options
            ]
            for group, options in choices().items()
        },
        "limits": {name: {"min": low, "max": high} for name, (low, high) in LIMITS.items()},
        "defaults": PAGE_DEFAULTS,
    }
