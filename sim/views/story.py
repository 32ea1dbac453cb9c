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
from sim.views.errors import ViewError
from sim.views.eventlog import CONTACT_KINDS, FEE_CONTACTS, MISSED, clock
from sim.views.tickets import FIXED

if TYPE_CHECKING:
    from sim.population import Population
    from sim.records import EventRecord
    from sim.views.moods import OwnerMoods
    from sim.views.onerun import LoggedRun

__all__ = ["MOOD_NOTE", "owner_story", "resolve_unit"]

MOOD_NOTE = (
    "Moods: 1 = an average hour of an average owner; low / usual / good = in the owner's lowest,"
    " middle or highest third of their own waking-hour moods over the campaign."
)


def resolve_unit(run: LoggedRun, unit: str) -> int:
    """Return the owner living in unit `unit`; raise ViewError naming it and showing valid ids."""
    owner = run.population.owner_of_unit(unit.strip())
    if owner is None:
        pop, community = run.population, run.scenario.community
        examples = ", ".join(pop.unit_label(i) for i in (0, 1, pop.size - 1) if 0 <= i < pop.size)
        raise ViewError(
            f"no unit {unit!r} in scenario {run.scenario.name}: it has {pop.size} households in"
            f" {community.buildings} buildings of up to {community.floors} floors. A unit id is"
            f" {_unit_form(pop)}, e.g. {examples}."
        )
    return owner


def _unit_form(pop: Population) -> str:
    """Say how a unit id reads: the roster's own, or the synthesised BUILDING-FLOOR+DOOR."""
    if pop.unit_ids is not None:
        return "as in the roster (community.roster)"
    return "BUILDING-FLOOR+DOOR (building from 1, door as two digits)"


def _profile(run: LoggedRun, owner: int) -> list[str]:
    """Return the heading lines: who the owner is."""
    from sim.population import GRIEVANCE_KINDS

    pop, row = run.population, run.result.owners.iloc[owner]
    traits = [
        f"{row['segment']} owner",
        "five-day worker" if row["schedule"] == "five_day" else "not on a five-day week",
        f"fee {float(row['fee']):,.0f} CNY",
        "valid phone number on file" if bool(pop.has_phone[owner]) else "no valid phone number on file",
        "pays online" if bool(pop.online[owner]) else "pays at the service centre",
    ]
    grievance = GRIEVANCE_KINDS[int(pop.grievance[owner])]
    if grievance != "none":
        traits.append(f"has a {grievance} grievance")
    traits += ["opinion leader"] * bool(pop.leader[owner]) + ["vocal hard owner"] * bool(pop.vocal[owner])
    return [
        f"Unit {pop.unit_label(owner)} (owner #{owner}, building {pop.building_label(owner)},"
        f" floor {int(pop.floor[owner])}): {', '.join(traits)}.",
        f"Scenario {run.scenario.name}, seed {run.seed} (replication 0), {run.scenario.horizon_days} days"
        f" from {run.start:%a %d %b %Y}.",
    ]


def _by_whom(record: EventRecord) -> str:
    return f" by collector #{record.collector}" if record.collector >= 0 else ""


def _event_text(record: EventRecord, run: LoggedRun, moods: OwnerMoods) -> str:
    """Return what one record says, in words."""
    kind, outcome, value = record.kind, record.outcome, record.value
    if kind == "bill":
        how = "handed over" + _by_whom(record) if outcome == "collectors" else "delivered at once (instant)"
        return f"billed: bill {how}; saw {value:.0%} of the billed households of their building paid"
    if kind in CONTACT_KINDS:
        return (
            f"contact: {kind.replace('_', ' ')}{_by_whom(record)}, mood {value:.2f}"
            f" ({moods.word(record.owner, value)}) -> {outcome.replace('_', ' ')}"
        )
    if kind == "promise":
        return f"promise: will pay by {clock(value, run.start)} ({outcome})"
    if kind == "promise_due":
        return f"promise fell due: {'kept' if outcome == 'kept' else outcome.replace('_', ' ')}"
    if kind == "refusal":
        return f"refused{_by_whom(record)}: reason {outcome}"
    if kind == "given_up":
        return "the collectors gave up on this owner (no more fee calls)"
    if kind == "ticket":
        return f"ticket: {outcome}"
    if kind == "decision":
        cause = {
            "hazard": "on their own",
            "call": "on a call",
            "visit": "on a visit",
            "promise": "as promised",
        }
        pull = f"; {value:.0%} of their pull came from paying neighbours" if outcome == "hazard" else ""
        return f"decided to pay {cause.get(outcome, outcome)}{pull}"
    if kind == "payment":
        return f"paid {value:,.2f} CNY ({outcome.replace('_', ' ')})"
    return f"{kind}: {outcome}"


def owner_story(run: LoggedRun, owner: int) -> list[str]:
    """Return the lines of one owner's story: profile, timeline, outcome."""
    from sim.views.moods import OwnerMoods

    records, moods = run.owner_records(owner), OwnerMoods(run)
    lines = [*_profile(run, owner), MOOD_NOTE, ""]
    lines += [f"{clock(r.time, run.start)}  {_event_text(r, run, moods)}" for r in records]
    return [*lines, "", *_outcome(run, owner, records)]


def _outcome(run: LoggedRun, owner: int, records: Sequence[EventRecord]) -> list[str]:
    """Return the closing lines: counts, payment time or why not."""
    contacts = [r for r in records if r.kind in CONTACT_KINDS]
    fee = [r for r in contacts if r.kind in FEE_CONTACTS]
    reached = sum(r.outcome not in MISSED for r in fee)
    kept = sum(r.kind == "promise_due" and r.outcome != "broken" for r in records)
    promises = sum(r.kind == "promise" for r in records)
    counts = (
        f"{_plural(len(contacts), 'contact')} ({_plural(len(fee), 'fee contact')},"
        f" {reached} of them reached), {_plural(promises, 'promise')} ({kept} kept)"
    )
    payment = next((r for r in records if r.kind == "payment"), None)
    if payment is not None:
        billed = run.result.owners["billed_at"].iloc[owner]
        wait = (
            f", {(payment.time - billed) / HOURS_PER_DAY:.1f} days after the bill" if billed == billed else ""
        )
        return [f"Outcome: paid on {clock(payment.time, run.start)}{wait}; {counts}."]
    return [
        f"Outcome: not paid by the end (day {run.scenario.horizon_days}); {counts}.",
        *_why_not(run, owner, records),
    ]


def _plural(count: int, noun: str) -> str:
    """Return e.g. '1 promise' or '3 promises'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _why_not(run: LoggedRun, owner: int, records: Sequence[EventRecord]) -> list[str]:
    """Return the reasons the event log gives for an owner not paying."""
    reasons = []
    kinds = [r.kind for r in records]
    if "bill" not in kinds:
        reasons.append("never billed (staged billing had not reached their segment)")
    if "decision" in kinds:
        reasons.append("decided to pay at the service centre but did not get there before the end")
    if "given_up" in kinds:
        reasons.append("the collectors gave up on them")
    tickets = [r.outcome for r in records if r.kind == "ticket"]
    if tickets and not any(t in FIXED for t in tickets):
        reasons.append(f"their problem was never solved (ticket: {tickets[-1]})")
    refusals = [r.outcome for r in records if r.kind == "refusal"]
    if refusals:
        reasons.append(f"refused {len(refusals)} time(s) ({', '.join(sorted(set(refusals)))})")
    if sum(r.kind == "promise_due" and r.outcome == "broken" for r in records):
        reasons.append("broke a promise")
    fee = [r for r in records if r.kind in FEE_CONTACTS]
    if fee and all(r.outcome in MISSED for r in fee):
        reasons.append(f"never reached in {len(fee)} fee contact attempt(s)")
    if not fee and "bill" in kinds:
        reasons.append("no collector asked them for the fee")
    if not reasons or reasons == ["no collector asked them for the fee"]:
        share = _last_seen_share(records)
        reasons.append(f"their own clock did not ring{share}")
    return ["Why not: " + "; ".join(reasons) + "."]


def _last_seen_share(records: Sequence[EventRecord]) -> str:
    """Return a note on the paid share the owner saw at the bill, if any."""
    bill = next((r for r in records if r.kind == "bill"), None)
    return "" if bill is None or math.isnan(bill.value) else f" (at the bill they saw {bill.value:.0%} paid)"
