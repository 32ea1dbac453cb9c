"""Instructive owners to tell the story of: the first owner (lowest index) of a run who fits a pattern.

Each pick is a test on one owner's segment and time-ordered event records, read exactly as its
name says, and a check of the scenario: a pick that cannot happen there (giving up is off, no
team visits...) says why, before any run, and names shipped scenarios where it can.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY
from sim.languages import N_, _
from sim.views.errors import ViewError
from sim.views.eventlog import FEE_CONTACTS, MISSED
from sim.views.tickets import FIXED

if TYPE_CHECKING:
    from sim.records import EventRecord
    from sim.scenario.schema import Scenario
    from sim.views.onerun import LoggedRun

__all__ = ["PICKS", "Pick", "check_pick", "pick_owner"]

WAITED_DAYS = 7.0
"""An undecided owner 'waited' if they paid at least this many days after their bill."""
HERD_SHARE = 0.5
"""...and their neighbours gave at least this share of their pull to pay when they decided."""
KEPT = ("kept", "already_paid")
"""Outcomes of a promise that fell due and counts as kept."""

Records = Sequence["EventRecord"]


def _first(records: Records, kind: str, outcomes: tuple[str, ...] = ()) -> EventRecord | None:
    """Return the first record of `kind` (with one of `outcomes`, if given)."""
    return next((r for r in records if r.kind == kind and (not outcomes or r.outcome in outcomes)), None)


def _last_fee_contact_before(records: Records, time: float) -> EventRecord | None:
    """Return the last fee contact at or before `time` that reached the owner."""
    reached = [r for r in records if r.kind in FEE_CONTACTS and r.outcome not in MISSED and r.time <= time]
    return reached[-1] if reached else None


def _hard_paid_after_team_visit(segment: str, records: Records) -> bool:
    """Return whether a hard owner paid, the last fee contact reaching them before deciding a team visit."""
    decision, payment = _first(records, "decision"), _first(records, "payment")
    if segment != "hard" or decision is None or payment is None:
        return False
    last = _last_fee_contact_before(records, decision.time)
    return last is not None and last.kind == "team_visit"


def _undecided_waited(segment: str, records: Records) -> bool:
    """Return whether an undecided owner paid on their own, pulled by neighbours, a week+ after the bill."""
    decision, bill, payment = _first(records, "decision"), _first(records, "bill"), _first(records, "payment")
    if segment != "undecided" or decision is None or bill is None or payment is None:
        return False
    waited = (payment.time - bill.time) / HOURS_PER_DAY >= WAITED_DAYS
    return decision.outcome == "hazard" and decision.value >= HERD_SHARE and waited


def _promise_broken_then_kept(segment: str, records: Records) -> bool:
    """Return whether the owner broke a promise, then made another one and kept it (paid by its due time)."""
    broken = _first(records, "promise_due", ("broken",))
    if broken is None or _first(records, "payment") is None:
        return False
    later = [r for r in records if r.time > broken.time and r.kind in ("promise", "promise_due")]
    made = next((r for r in later if r.kind == "promise"), None)
    return made is not None and any(r.kind == "promise_due" and r.outcome in KEPT for r in later)


def _ticket_fixed_then_paid(segment: str, records: Records) -> bool:
    """Return whether the owner's problem was fixed and they decided to pay at or after the fix."""
    fixed, decision = _first(records, "ticket", tuple(FIXED)), _first(records, "decision")
    paid = _first(records, "payment") is not None
    return fixed is not None and decision is not None and paid and fixed.time <= decision.time


def _given_up(segment: str, records: Records) -> bool:
    """Return whether the collectors gave up on the owner, who never paid."""
    return _first(records, "given_up") is not None and _first(records, "payment") is None


def _team_visit_obstacle(scenario: Scenario) -> str | None:
    if scenario.owners.segments.hard.share == 0:
        return _("there are no hard owners (owners.segments.hard.share is 0)")
    if not scenario.strategy.team_visits.enabled:
        return _("team visits are off (strategy.team_visits.enabled is false)")
    return None


def _undecided_obstacle(scenario: Scenario) -> str | None:
    undecided = scenario.owners.segments.undecided
    if undecided.share == 0:
        return _("there are no undecided owners (owners.segments.undecided.share is 0)")
    if undecided.q == 0:
        return _("undecided owners do not follow their neighbours (owners.segments.undecided.q is 0)")
    return None


def _promise_obstacle(scenario: Scenario) -> str | None:
    strategy = scenario.strategy
    if not (strategy.calls.enabled or strategy.visits.enabled or strategy.team_visits.enabled):
        return _("nobody asks for the fee (fee calls, home visits and team visits are all off)")
    return None


def _ticket_obstacle(scenario: Scenario) -> str | None:
    segments, service = scenario.owners.segments, scenario.service
    if all(
        s.grievance.fixable + s.grievance.legacy == 0
        for s in (segments.ordinary, segments.undecided, segments.hard)
    ):
        return _("no owner has a grievance (owners.segments.*.grievance are all 0)")
    if not service.tickets_on_refusal:
        return _("refusals open no tickets (service.tickets_on_refusal is false)")
    if service.crew == 0 and not service.escalation.enabled:
        return _("nobody fixes a ticket (service.crew is 0 and service.escalation is off)")
    return None


def _given_up_obstacle(scenario: Scenario) -> str | None:
    calls = scenario.strategy.calls
    if not calls.enabled:
        return _("there are no fee calls to give up (strategy.calls.enabled is false)")
    if calls.give_up_after == 0:
        return _("giving up is off (strategy.calls.give_up_after is 0: the collectors never let go)")
    return None


@dataclass(frozen=True)
class Pick:
    """A kind of instructive owner: what it is, the test on an owner's records, where it can occur."""

    description: str
    """What the pick is: a catalogue message with {days} and {share} (`describe` says it, translated)."""
    test: Callable[[str, Records], bool]
    obstacle: Callable[[Scenario], str | None]
    """Why the pick cannot happen in a scenario (None: it can)."""
    scenarios: tuple[str, ...]
    """Shipped scenario files, relative to the project folder, where it can happen (a test checks)."""

    def describe(self) -> str:
        """Return what the pick is, in the language spoken."""
        return _(self.description).format(days=f"{WAITED_DAYS:.0f}", share=f"{HERD_SHARE:.0%}")


PICKS: dict[str, Pick] = {
    "hard-paid-after-team-visit": Pick(
        N_(
            "a hard owner who paid after a team visit (the last contact that reached them before they"
            " decided)"
        ),
        _hard_paid_after_team_visit,
        _team_visit_obstacle,
        ("scenarios/playbook.yaml", "scenarios/tactics/team_visits.yaml"),
    ),
    "undecided-waited": Pick(
        N_(
            "an undecided owner who paid on their own {days}+ days after the bill, mostly pulled by"
            " paying neighbours ({share}+ of their pull)"
        ),
        _undecided_waited,
        _undecided_obstacle,
        ("scenarios/baseline.yaml", "scenarios/playbook.yaml"),
    ),
    "promise-broken-then-kept": Pick(
        N_("an owner who broke a promise, then made another one and kept it"),
        _promise_broken_then_kept,
        _promise_obstacle,
        ("scenarios/playbook.yaml", "scenarios/baseline.yaml"),
    ),
    "ticket-fixed-then-paid": Pick(
        N_("an owner whose problem was fixed, who then decided to pay"),
        _ticket_fixed_then_paid,
        _ticket_obstacle,
        ("scenarios/baseline.yaml", "scenarios/tactics/direct_lane.yaml"),
    ),
    "given-up": Pick(
        N_("an owner the collectors gave up on, who never paid"),
        _given_up,
        _given_up_obstacle,
        ("scenarios/baseline.yaml", "scenarios/staged.yaml"),
    ),
}
"""Pick name -> its description, test, obstacle and shipped scenarios where it can happen."""


def check_pick(scenario: Scenario, kind: str) -> None:
    """Raise ViewError if `kind` is no pick, or cannot happen in `scenario` (say why and where it can)."""
    if kind not in PICKS:
        raise ViewError(
            _("unknown --pick {kind!r}; choose one of: {picks}").format(kind=kind, picks=", ".join(PICKS))
        )
    obstacle = PICKS[kind].obstacle(scenario)
    if obstacle is not None:
        raise ViewError(
            _(
                "--pick {kind} cannot happen in scenario {scenario}: {obstacle}. Try a scenario where it can,"
                " e.g. {elsewhere}."
            ).format(
                kind=kind, scenario=scenario.name, obstacle=obstacle, elsewhere=_elsewhere(scenario, kind)
            )
        )


def _elsewhere(scenario: Scenario, kind: str) -> str:
    """Return the shipped scenarios where `kind` can happen, other than `scenario`."""
    from pathlib import PurePosixPath

    others = [s for s in PICKS[kind].scenarios if PurePosixPath(s).stem != scenario.name]
    return _(" or ").join(others or PICKS[kind].scenarios)


def pick_owner(run: LoggedRun, kind: str) -> int:
    """Return the first owner of the run matching pick `kind`; raise ViewError if none or unknown."""
    check_pick(run.scenario, kind)
    pick = PICKS[kind]
    by_owner: dict[int, list[EventRecord]] = {}
    for record in sorted(run.records, key=lambda r: r.time):
        if record.owner >= 0:
            by_owner.setdefault(record.owner, []).append(record)
    segments = run.result.owners["segment"].tolist()
    for owner in sorted(by_owner):
        if pick.test(segments[owner], by_owner[owner]):
            return owner
    raise ViewError(
        _(
            "--pick {kind}: no owner in this run is {description} (scenario {scenario}, seed {seed}, {days}"
            " days, {households} households). It can happen in this scenario: try another --seed, a longer"
            " horizon (--set horizon_days=365) or more households; or another scenario where it can happen,"
            " e.g. {elsewhere}."
        ).format(
            kind=kind,
            description=pick.describe(),
            scenario=run.scenario.name,
            seed=run.seed,
            days=run.scenario.horizon_days,
            households=run.population.size,
            elsewhere=_elsewhere(run.scenario, kind),
        )
    )
