"""Immutable event records: who, what, when, with what outcome.

The campaign writes one record per event when the event log is asked for;
metrics and views read records, never the engine's internals.
"""

from __future__ import annotations

from dataclasses import dataclass

NOBODY = -1


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One thing that happened in a campaign.

    `time` is hours since the start; `kind` is what happened: stage, bill,
    a contact (call, greeting_call, home_visit, team_visit, workplace_visit,
    discovery, notice, reminder, staff_encounter, holiday_message,
    birthday_call), refusal, given_up, promise, promise_due, ticket,
    notice_board, decision or payment; `owner` and `collector` are
    indices or -1; `outcome` says how it ended; `value` is a number that
    matters for the kind (impression at a bill, mood at a call, fee at a
    payment, herd share of the hazard at a decision, due hour of a promise).
    """

    time: float
    kind: str
    owner: int = NOBODY
    collector: int = NOBODY
    outcome: str = ""
    value: float = 0.0


class Recorder:
    """Collects event records when enabled; a no-op otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.records: list[EventRecord] = []

    def log(
        self,
        time: float,
        kind: str,
        owner: int = NOBODY,
        collector: int = NOBODY,
        outcome: str = "",
        value: float = 0.0,
    ) -> None:
        """Append a record (only when enabled)."""
        if self.enabled:
            self.records.append(EventRecord(time, kind, owner, collector, outcome, value))
