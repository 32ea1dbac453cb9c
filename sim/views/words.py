"""The words of the event log in the language spoken: kinds of contact, outcomes, reasons, mood words.

The event log writes identifiers (``home_visit``, ``no_answer``); English shows them with
spaces for underscores, as it always has.  Chinese shows the catalogue's word for each,
the glossary's where the glossary has the term (the segments, what a contact ends in,
the tactics a contact belongs to).  Also here: joining a list or sentences as each
language does (``, `` and ``; `` in English, ``，`` and ``；`` in Chinese, no space
between Chinese sentences), and padding to a width in terminal cells (a Chinese
character takes two).
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.languages import N_, _, speaks_english

__all__ = [
    "contact_words",
    "mood_word",
    "outcome_words",
    "reason_words",
    "record_kind_words",
    "segment_words",
    "ticket_words",
]

CONTACTS: dict[str, str] = {
    "call": N_("fee call"),
    "greeting_call": N_("greeting call"),
    "home_visit": N_("home visits"),
    "team_visit": N_("team visits"),
    "workplace_visit": N_("workplace visit"),
    "discovery": N_("search for contact details"),
    "notice": N_("SMS notices"),
    "reminder": N_("reminder of a promise"),
    "staff_encounter": N_("reminder from staff met by chance"),
    "holiday_message": N_("holiday message"),
    "birthday_call": N_("birthday call"),
    "arrears_notice": N_("posted arrears notice"),
    "lawyer_letter": N_("lawyer's letter"),
    "lawsuit": N_("lawsuit"),
}
"""Contact kinds in Chinese (the glossary's terms where it has one); English shows the kind itself."""

OUTCOMES: dict[str, str] = {
    "pays_now": N_("pays now"),
    "promises": N_("promises"),
    "refuses": N_("refuses"),
    "stalls": N_("stalls"),
    "hostile": N_("hostile"),
    "no_answer": N_("no answer"),
    "invalid_number": N_("invalid number"),
    "not_home": N_("not home"),
    "not_found": N_("not found"),
    "found": N_("found"),
    "given_up": N_("search given up"),
    "greeted": N_("greeted"),
    "sent": N_("sent"),
    "undelivered": N_("undelivered"),
    "reminded": N_("reminded"),
    "personal": N_("signed by the collector"),
    "standard": N_("standard notice"),
    "posted": N_("posted"),
    "filed": N_("filed"),
    "settled": N_("settled"),
    "won": N_("won"),
    "lost": N_("lost"),
    "chased too often": N_("chased too often"),
    "kept": N_("kept"),
    "broken": N_("broken"),
    "already_paid": N_("already paid"),
    "online": N_("online"),
    "in_person": N_("in person"),
    "service_centre": N_("at the service centre"),
    "made": N_("promise made"),
    "concrete time": N_("a concrete payment time"),
}
"""What a record ends in, in Chinese (the glossary's terms for what a fee contact ends in)."""

RECORD_KINDS: dict[str, str] = {
    "refusal": N_("refusal"),
    "complaint": N_("complaint"),
    "lawsuit": N_("lawsuit"),
    "arrears_notice": N_("posted arrears notice"),
    "lawyer_letter": N_("lawyer's letter"),
}
"""Kinds of record told as 'kind: outcome', in Chinese."""

TICKETS: dict[str, str] = {
    "opened fixable": N_("opened for a fixable problem"),
    "opened legacy": N_("opened for a legacy problem"),
    "fixed by crew": N_("fixed by crew"),
    "crew cannot solve legacy problem": N_("crew cannot solve legacy problem"),
    "escalated": N_("escalated"),
    "unresolvable": N_("unresolvable"),
    "solved by supervisor": N_("solved by supervisor"),
    "owner withdrew": N_("owner withdrew"),
}
"""What happened to a ticket, in Chinese."""

REASONS: dict[str, str] = {
    "unwilling": N_("unwilling"),
    "fixable": N_("fixable problem"),
    "legacy": N_("legacy problem"),
}
"""Why an owner refused, in Chinese."""

SEGMENTS: dict[str, str] = {"ordinary": N_("ordinary"), "undecided": N_("undecided"), "hard": N_("hard")}
"""The kinds of owner: the glossary's terms."""

MOODS: dict[str, str] = {"low": N_("low"), "usual": N_("usual"), "good": N_("good")}
"""Mood words (`sim.views.moods`)."""


def _say(table: Mapping[str, str], key: str) -> str:
    """Return `key` as English shows it (underscores as spaces), or its catalogue word in Chinese."""
    shown = key.replace("_", " ")
    return shown if speaks_english() else _(table.get(key, shown))


def contact_words(kind: str) -> str:
    """Return a kind of contact in words (``home visit``, 上门回访)."""
    return _say(CONTACTS, kind)


def outcome_words(outcome: str) -> str:
    """Return what a record ends in, in words (``no answer``, 无人接听)."""
    return _say(OUTCOMES, outcome)


def record_kind_words(kind: str) -> str:
    """Return a kind of record told as 'kind: outcome' (``complaint``, 投诉)."""
    return _say(RECORD_KINDS, kind)


def ticket_words(outcome: str) -> str:
    """Return what happened to a ticket, in words."""
    return _say(TICKETS, outcome)


def reason_words(reason: str) -> str:
    """Return why an owner refused, in words."""
    return _say(REASONS, reason)


def segment_words(segment: str) -> str:
    """Return a kind of owner (the glossary's term in Chinese)."""
    return _say(SEGMENTS, segment)


def mood_word(word: str) -> str:
    """Return a mood word (low, usual, good) in the language spoken."""
    return _say(MOODS, word)
