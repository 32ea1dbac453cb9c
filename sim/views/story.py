"""One owner's campaign told as a timeline, from the event log of replication 0 of a seed.

Every line comes from one event record of the owner (bill, contacts, promises, tickets,
decision, payment); the closing paragraph counts them and says why the owner did not pay,
if they did not.  The run is replication 0 of ``--seed``, the same run as replication 0 of
``feesim run --seed`` (whose ``events.parquet`` holds the same records).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY
from sim.languages import N_, _, formats, ngettext, speaks_english
from sim.languages.formats import commas, semicolons
from sim.views.errors import ViewError
from sim.views.eventlog import CONTACT_KINDS, FEE_CONTACTS, MISSED, clock, day_date
from sim.views.tickets import FIXED
from sim.views.words import (
    contact_words,
    mood_word,
    outcome_words,
    reason_words,
    record_kind_words,
    segment_words,
    ticket_words,
)

if TYPE_CHECKING:
    from sim.population import Population
    from sim.records import EventRecord
    from sim.views.moods import OwnerMoods
    from sim.views.onerun import LoggedRun

__all__ = ["MOOD_NOTE", "owner_story", "resolve_unit"]

MOOD_NOTE = N_(
    "Moods: 1 = an average hour of an average owner; low / usual / good = in the owner's lowest,"
    " middle or highest third of their own waking-hour moods over the campaign."
)
"""The note under a story on its mood numbers and words (translated where shown: ``_(MOOD_NOTE)``)."""


def resolve_unit(run: LoggedRun, unit: str) -> int:
    """Return the owner living in unit `unit`; raise ViewError naming it and showing valid ids."""
    owner = run.population.owner_of_unit(unit.strip())
    if owner is None:
        pop, community = run.population, run.scenario.community
        examples = [pop.unit_label(i) for i in (0, 1, pop.size - 1) if 0 <= i < pop.size]
        raise ViewError(
            _(
                "no unit {unit!r} in scenario {scenario}: it has {households} households in {buildings}"
                " buildings of up to {floors} floors. A unit id is {form}, e.g. {examples}."
            ).format(
                unit=unit,
                scenario=run.scenario.name,
                households=pop.size,
                buildings=community.buildings,
                floors=community.floors,
                form=_unit_form(pop),
                examples=commas(examples),
            )
        )
    return owner


def _unit_form(pop: Population) -> str:
    """Say how a unit id reads: the roster's own, or the synthesised BUILDING-FLOOR+DOOR."""
    if pop.unit_ids is not None:
        return _("as in the roster (community.roster)")
    return _("BUILDING-FLOOR+DOOR (building from 1, door as two digits)")


def _profile(run: LoggedRun, owner: int) -> list[str]:
    """Return the heading lines: who the owner is."""
    from sim.population import GRIEVANCE_KINDS

    pop, row = run.population, run.result.owners.iloc[owner]
    traits = [
        _("{segment} owner").format(segment=segment_words(row["segment"])),
        _("five-day worker") if row["schedule"] == "five_day" else _("not on a five-day week"),
        _("fee {amount}").format(amount=_yuan(float(row["fee"]))),
        _("valid phone number on file") if bool(pop.has_phone[owner]) else _("no valid phone number on file"),
        _("pays online") if bool(pop.online[owner]) else _("pays at the service centre"),
    ]
    grievance = GRIEVANCE_KINDS[int(pop.grievance[owner])]
    if grievance != "none":
        traits.append(_(GRIEVANCES[grievance]))
    traits += [_("opinion leader")] * bool(pop.leader[owner]) + [_("vocal hard owner")] * bool(
        pop.vocal[owner]
    )
    return [
        _("Unit {unit} (owner #{owner}, building {building}, floor {floor}): {traits}.").format(
            unit=pop.unit_label(owner),
            owner=owner,
            building=pop.building_label(owner),
            floor=int(pop.floor[owner]),
            traits=commas(traits),
        ),
        _("Scenario {scenario}, seed {seed} (replication 0), {days} days from {start}.").format(
            scenario=run.scenario.name,
            seed=run.seed,
            days=run.scenario.horizon_days,
            start=day_date(run.start, 0),
        ),
    ]


GRIEVANCES = {"fixable": N_("has a fixable grievance"), "legacy": N_("has a legacy grievance")}
"""An owner's grievance in their profile, by kind."""


def _yuan(amount: float) -> str:
    """Return a fee in yuan: '3,144 CNY' (3,144元)."""
    return f"{amount:,.0f} CNY" if speaks_english() else formats.money(amount)


def _yuan_cents(amount: float) -> str:
    """Return a payment in yuan with its cents: '3,144.00 CNY' (3,144.00元)."""
    return f"{amount:,.2f} CNY" if speaks_english() else f"{amount:,.2f}元"


def _by_whom(record: EventRecord) -> str:
    return _(" by collector #{collector}").format(collector=record.collector) if record.collector >= 0 else ""


DECISIONS = {
    "hazard": N_("decided to pay on their own"),
    "call": N_("decided to pay on a call"),
    "visit": N_("decided to pay on a visit"),
    "promise": N_("decided to pay as promised"),
}
"""What an owner's decision to pay says, by its cause (another cause: 'decided to pay <cause>')."""


def _event_text(record: EventRecord, run: LoggedRun, moods: OwnerMoods) -> str:
    """Return what one record says, in words."""
    kind, outcome, value = record.kind, record.outcome, record.value
    if kind == "bill":
        return _bill_text(record)
    if kind in CONTACT_KINDS:
        return _("contact: {kind}{by_whom}, mood {mood:.2f} ({word}) -> {outcome}").format(
            kind=contact_words(kind),
            by_whom=_by_whom(record),
            mood=value,
            word=mood_word(moods.word(record.owner, value)),
            outcome=outcome_words(outcome),
        )
    if kind == "promise":
        return _("promise: will pay by {when} ({how})").format(
            when=clock(value, run.start), how=outcome_words(outcome)
        )
    if kind == "promise_due":
        return _("promise fell due: {outcome}").format(outcome=outcome_words(outcome))
    if kind == "refusal":
        return _("refused{by_whom}: reason {reason}").format(
            by_whom=_by_whom(record), reason=reason_words(outcome)
        )
    if kind == "given_up":
        return _("the collectors gave up on this owner (no more fee calls)")
    if kind == "ticket":
        return _("ticket: {outcome}").format(outcome=ticket_words(outcome))
    if kind == "decision":
        return _decision_text(outcome, value)
    if kind == "payment":
        return _("paid {amount} ({channel})").format(
            amount=_yuan_cents(value), channel=outcome_words(outcome)
        )
    if speaks_english():
        return f"{kind}: {outcome}"
    return _("{kind}: {outcome}").format(kind=record_kind_words(kind), outcome=outcome_words(outcome))


def _bill_text(record: EventRecord) -> str:
    """Return what a bill says: how it came and the share of the building the owner saw paid."""
    if record.outcome == "collectors":
        how = _("handed over{by_whom}").format(by_whom=_by_whom(record))
    else:
        how = _("delivered at once (instant)")
    return _("billed: bill {how}; saw {share:.0%} of the billed households of their building paid").format(
        how=how, share=record.value
    )


def _decision_text(cause: str, pull: float) -> str:
    """Return what a decision to pay says: its cause and, on their own, the neighbours' part."""
    if cause in DECISIONS:
        text = _(DECISIONS[cause])
    else:
        text = _("decided to pay {cause}").format(cause=record_kind_words(cause))
    if cause != "hazard":
        return text
    return text + _("; {share:.0%} of their pull came from paying neighbours").format(share=pull)


def owner_story(run: LoggedRun, owner: int) -> list[str]:
    """Return the lines of one owner's story: profile, timeline, outcome."""
    from sim.views.moods import OwnerMoods

    records, moods = run.owner_records(owner), OwnerMoods(run)
    lines = [*_profile(run, owner), _(MOOD_NOTE), ""]
    lines += [f"{clock(r.time, run.start)}  {_event_text(r, run, moods)}" for r in records]
    return [*lines, "", *_outcome(run, owner, records)]


def _outcome(run: LoggedRun, owner: int, records: Sequence[EventRecord]) -> list[str]:
    """Return the closing lines: counts, payment time or why not."""
    contacts = [r for r in records if r.kind in CONTACT_KINDS]
    fee = [r for r in contacts if r.kind in FEE_CONTACTS]
    reached = sum(r.outcome not in MISSED for r in fee)
    kept = sum(r.kind == "promise_due" and r.outcome != "broken" for r in records)
    promises = sum(r.kind == "promise" for r in records)
    counts = _("{contacts} ({fee_contacts}, {reached} of them reached), {promises} ({kept} kept)").format(
        contacts=ngettext("{count} contact", "{count} contacts", len(contacts)).format(count=len(contacts)),
        fee_contacts=ngettext("{count} fee contact", "{count} fee contacts", len(fee)).format(count=len(fee)),
        reached=reached,
        promises=ngettext("{count} promise", "{count} promises", promises).format(count=promises),
        kept=kept,
    )
    payment = next((r for r in records if r.kind == "payment"), None)
    if payment is not None:
        billed = run.result.owners["billed_at"].iloc[owner]
        when = clock(payment.time, run.start)
        if billed != billed:  # never billed (NaN)
            return [_("Outcome: paid on {when}; {counts}.").format(when=when, counts=counts)]
        days = (payment.time - billed) / HOURS_PER_DAY
        return [
            _("Outcome: paid on {when}, {days:.1f} days after the bill; {counts}.").format(
                when=when, days=days, counts=counts
            )
        ]
    return [
        _("Outcome: not paid by the end (day {day}); {counts}.").format(
            day=run.scenario.horizon_days, counts=counts
        ),
        *_why_not(run, owner, records),
    ]


def _why_not(run: LoggedRun, owner: int, records: Sequence[EventRecord]) -> list[str]:
    """Return the reasons the event log gives for an owner not paying."""
    reasons = []
    kinds = [r.kind for r in records]
    if "bill" not in kinds:
        reasons.append(_("never billed (staged billing had not reached their segment)"))
    if "decision" in kinds:
        reasons.append(_("decided to pay at the service centre but did not get there before the end"))
    if "given_up" in kinds:
        reasons.append(_("the collectors gave up on them"))
    tickets = [r.outcome for r in records if r.kind == "ticket"]
    if tickets and not any(t in FIXED for t in tickets):
        ticket = ticket_words(tickets[-1])
        reasons.append(_("their problem was never solved (ticket: {ticket})").format(ticket=ticket))
    refusals = [r.outcome for r in records if r.kind == "refusal"]
    if refusals:
        why = [reason_words(r) for r in sorted(set(refusals))]
        reasons.append(
            _("refused {count} time(s) ({reasons})").format(count=len(refusals), reasons=commas(why))
        )
    if sum(r.kind == "promise_due" and r.outcome == "broken" for r in records):
        reasons.append(_("broke a promise"))
    fee = [r for r in records if r.kind in FEE_CONTACTS]
    if fee and all(r.outcome in MISSED for r in fee):
        reasons.append(_("never reached in {count} fee contact attempt(s)").format(count=len(fee)))
    unasked = not fee and "bill" in kinds
    if unasked:
        reasons.append(_("no collector asked them for the fee"))
    if len(reasons) == unasked:  # no reason, or only that nobody asked
        reasons.append(_last_seen_share(records))
    return [_("Why not: {reasons}.").format(reasons=semicolons(reasons))]


def _last_seen_share(records: Sequence[EventRecord]) -> str:
    """Return that the owner's own clock did not ring, with the paid share they saw at the bill, if any."""
    bill = next((r for r in records if r.kind == "bill"), None)
    if bill is None or math.isnan(bill.value):
        return _("their own clock did not ring")
    return _("their own clock did not ring (at the bill they saw {share:.0%} paid)").format(share=bill.value)
