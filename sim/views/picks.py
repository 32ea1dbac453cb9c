"""Instructive owners to tell the story of: the first owner (lowest index) of a run who fits a pattern."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY
from sim.views.errors import ViewError
from sim.views.tickets import FIXED

if TYPE_CHECKING:
    from sim.records import EventRecord
    from sim.views.onerun import LoggedRun

__all__ = ["PICKS", "pick_owner"]

WAITED_DAYS = 7.0
"""An undecided owner 'waited' if they paid at least this many days after their bill."""
HERD_SHARE = 0.5
"""...and their neighbours gave at least this share of their pull to pay when they decided."""

Records = Sequence["EventRecord"]


def _first_time(records: Records, kind: str, outcomes: tuple[str, ...] = ()) -> float | None:
    """Return the time of the first record of `kind` (with one of `outcomes`, if given)."""
    return next((r.time for r in records if r.kind == kind and (not outcomes or r.outcome in outcomes)), None)


def _hard_paid_after_team_visit(segment: str, records: Records) -> bool:
    paid, visit = _first_time(records, "payment"), _first_time(records, "team_visit")
    return segment == "hard" and paid is not None and visit is not None and visit <= paid


def _undecided_waited(segment: str, records: Records) -> bool:
    decision = next((r for r in records if r.kind == "decision"), None)
    billed, paid = _first_time(records, "bill"), _first_time(records, "payment")
    if segment != "undecided" or decision is None or billed is None or paid is None:
        return False
    waited = (paid - billed) / HOURS_PER_DAY >= WAITED_DAYS
    return decision.outcome == "hazard" and decision.value >= HERD_SHARE and waited


def _promise_broken_then_kept(segment: str, records: Records) -> bool:
    broken = _first_time(records, "promise_due", ("broken",))
    kept = [r.time for r in records if r.kind == "promise_due" and r.outcome in ("kept", "already_paid")]
    return broken is not None and any(t > broken for t in kept)


def _ticket_fixed_then_paid(segment: str, records: Records) -> bool:
    fixed = _first_time(records, "ticket", tuple(FIXED))
    paid = _first_time(records, "payment")
    return fixed is not None and paid is not None and fixed <= paid


def _given_up(segment: str, records: Records) -> bool:
    return _first_time(records, "given_up") is not None and _first_time(records, "payment") is None


PICKS: dict[str, tuple[str, Callable[[str, Records], bool]]] = {
    "hard-paid-after-team-visit": ("a hard owner who paid after a team visit", _hard_paid_after_team_visit),
    "undecided-waited": (
        f"an undecided owner who paid on their own {WAITED_DAYS:.0f}+ days after the bill, mostly pulled by"
        f" paying neighbours ({HERD_SHARE:.0%}+ of their pull)",
        _undecided_waited,
    ),
    "promise-broken-then-kept": (
        "an owner who broke a promise, then kept a later one",
        _promise_broken_then_kept,
    ),
    "ticket-fixed-then-paid": ("an owner whose problem was fixed, who then paid", _ticket_fixed_then_paid),
    "given-up": ("an owner the collectors gave up on, who never paid", _given_up),
}
"""Pick name -> (description, test on the owner's segment and time-ordered records)."""


def pick_owner(run: LoggedRun, kind: str) -> int:
    """Return the first owner of the run matching pick `kind`; raise ViewError if none or unknown."""
    if kind not in PICKS:
        raise ViewError(f"unknown --pick {kind!r}; choose one of: {', '.join(PICKS)}")
    description, test = PICKS[kind]
    by_owner: dict[int, list[EventRecord]] = {}
    for record in sorted(run.records, key=lambda r: r.time):
        if record.owner >= 0:
            by_owner.setdefault(record.owner, []).append(record)
    segments = run.result.owners["segment"].tolist()
    for owner in sorted(by_owner):
        if test(segments[owner], by_owner[owner]):
            return owner
    raise ViewError(
        f"--pick {kind}: no owner in this run is {description} (scenario {run.scenario.name},"
        f" seed {run.seed}, {run.scenario.horizon_days} days). Try another --seed, a longer horizon or a"
        " scenario with that tactic on (e.g. scenarios/playbook.yaml)."
    )
