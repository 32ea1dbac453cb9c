"""The page's words: every text the playground page shows, in the catalogue like the command line's.

The page is written once, with keys; the server puts the words of the reader's
language into it (`page_words`), so the page needs no translation file of its own
and a message missing from a catalogue shows in English, as on the command line.
"""

from __future__ import annotations

from typing import Any

from sim.languages import N_, _, translated
from sim.languages.choose import ENGLISH, LANGUAGES, language_of
from sim.playground.shipped import HIDDEN

__all__ = ["LANGUAGE_NAMES", "WORDS", "page_language", "page_words", "translated_levers"]

LANGUAGE_NAMES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}
"""Each language in its own words, for the page's language links (never translated)."""

WORDS: dict[str, str] = {
    "title": N_("feesim playground"),
    "subtitle": N_("Try a fee-collection campaign before running it."),
    "play": N_("Play"),
    "challenge": N_("Classroom challenge"),
    "community": N_("Community"),
    "households": N_("households"),
    "days": N_("days"),
    "collectors": N_("collectors"),
    "billing": N_("Billing"),
    "calls": N_("Calling windows"),
    "tactics": N_("Tactics"),
    "tactics_hint": N_("Each switch is one tip of the training document; its id is in brackets."),
    "reps": N_("replications"),
    "seed": N_("seed"),
    "run": N_("Run"),
    "running": N_("Running…"),
    "ahead": N_("{ahead} plans ahead of yours in the queue"),
    "progress": N_("{done} of {total} replications done"),
    "curve": N_("Collection curve: households paid"),
    "this_run": N_("this run"),
    "previous_run": N_("previous run"),
    "baseline": N_("baseline"),
    "band": N_("band: 5%–95% of replications"),
    "day": N_("day"),
    "paid_by_end": N_("Paid by the end"),
    "days_to_80": N_("Days to 80%"),
    "staff_hours": N_("Staff hours"),
    "calls_made": N_("Calls"),
    "not_reached": N_("not reached"),
    "reached_in": N_("reached in {reached} of {reps} replications"),
    "ci": N_("95% CI {low}–{high}"),
    "why": N_("Why"),
    "segments": N_("Paid by segment"),
    "ordinary": N_("ordinary"),
    "undecided": N_("undecided"),
    "hard": N_("hard"),
    "funnel": N_("Fee contacts per campaign"),
    "attempts": N_("attempts"),
    "reached": N_("reached"),
    "promised": N_("promised"),
    "kept": N_("promise kept"),
    "paid": N_("paid"),
    "call": N_("call"),
    "home_visit": N_("home visit"),
    "team_visit": N_("team visit"),
    "workplace_visit": N_("workplace visit"),
    "command": N_("The same run on the command line"),
    "shift_note": N_("{first} and {second} both set the collectors' hours; the hours of {second} apply."),
    "join_title": N_("Join a challenge"),
    "join_code": N_("Join code"),
    "team_name": N_("Team name"),
    "join": N_("Join"),
    "joined": N_("Team {team} in challenge {code}: {title}; budget {budget} staff hours."),
    "submit_plan": N_("Submit this plan"),
    "submitted": N_("Plan submitted. Wait for the trainer to reveal the leaderboard."),
    "plan_waiting": N_("Plan submitted: {ahead} plans ahead of yours in the queue."),
    "plan_running": N_("Plan submitted: {done} of {total} replications evaluated."),
    "create_title": N_("Create a challenge (trainer)"),
    "budget": N_("Staff-hours budget"),
    "create": N_("Create"),
    "code_is": N_("Join code"),
    "code_hint": N_(
        "Teams open this page on the room's network, choose 'Classroom challenge' and enter the code."
    ),
    "reveal": N_("Reveal the leaderboard"),
    "evaluating": N_("Evaluating: {n} plans still running…"),
    "rank": N_("Rank"),
    "team": N_("Team"),
    "difference": N_("Difference to the winner"),
    "points": N_("{value} pts"),
    "plan": N_("Plan"),
    "team_of": N_("team of {n}"),
    "over_budget": N_("over budget"),
    "within_budget": N_("within budget"),
    "winner": N_("winner"),
    "no_plans": N_("No plan submitted yet."),
    "failed": N_("Not evaluated (the server could not run them; restart it to try again): {teams}"),
    "crn_note": N_(
        "Every plan ran on the same {reps} replication seeds (common random numbers); "
        "differences are paired, replication by replication."
    ),
    "error": N_("Error"),
    "hours_unit": N_("{hours} h"),
    "plan_in_challenge": N_("In a challenge, the community is the trainer's: households and days are fixed."),
}
"""Every word of the page, by the key the page's script uses."""


def page_language(query: str | None, accept: str | None) -> str:
    """Return the page's language: ``?lang=``, else the browser's first one feesim speaks, else English."""
    for candidate in [query or "", *(part.split(";")[0] for part in (accept or "").split(","))]:
        found = language_of(candidate) if candidate.strip() else None
        if found in LANGUAGES:
            return found
    return ENGLISH


def page_words(language: str) -> dict[str, str]:
    """Return the page's words in `language`."""
    with translated(language):
        return {key: _(text) for key, text in WORDS.items()}


def translated_levers(language: str, levers: dict[str, Any]) -> dict[str, Any]:
    """Return the page's controls with their titles and explanations in `language`."""
    with translated(language):
        return {
            **levers,
            "switches": [
                {**s, "title": _(s["title"]), "explanation": _(s["explanation"])} for s in levers["switches"]
            ],
            "choices": {
                group: [{**c, "title": _(c["title"]), "explanation": _(c["explanation"])} for c in options]
                for group, options in levers["choices"].items()
            },
            "communities": [{"name": c.name, "title": _(c.title)} for c in HIDDEN],
        }
