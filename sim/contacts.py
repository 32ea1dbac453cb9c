"""A fee conversation with a reached owner, by phone or face to face, and what follows it.

The outcome comes from the logit of `sim.choice`.  What each outcome does:

* pays now: the owner pays on the spot (in person on a visit; by phone online,
  or through their own channel with `owners.channels.pay_now_on_call: own_channel`);
* promises: a promise with a due time (T5a, V2; `sim.promises`);
* refuses with a reason: the grievance, if any, opens a ticket (T4, T8); the
  owner is chased again later, by a team visit after repeated refusals (T6);
* stalls: chased again later; stallers get a home visit, and a team visit
  after repeated stalls (T6);
* hostile: chased again much later.

Chasing at a bad-mood hour annoys the owner; the outcome moves the
collector's morale (T1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.choice import HOSTILE, PAYS_NOW, PROMISES, REFUSES, STALLS
from sim.scenario.schema import OUTCOMES, SEGMENTS

if TYPE_CHECKING:
    from sim.campaign import Campaign

HARD = SEGMENTS.index("hard")
VISITS = ("home_visit", "team_visit", "workplace_visit")


def converse(campaign: Campaign, owner: int, start: float, collector: int, contact: str) -> int:
    """Hold a fee conversation of kind `contact`; apply and return its outcome index."""
    now = campaign.env.now
    context = campaign.context(owner, start, collector, visit=contact in VISITS, team=contact == "team_visit")
    outcome = campaign.outcomes.draw(campaign.draws.uniform(owner), campaign.outcomes.probabilities(context))
    name = OUTCOMES[outcome]
    campaign.back_in_touch(owner, now)
    campaign.chased[owner] += 1
    campaign.record_contact(start, contact, owner, collector, name)
    campaign.effects.chased_at(owner, context.mood, now)
    campaign.team.after_outcome(collector, name, now)
    if outcome != PAYS_NOW:  # before planning the next contact: a complaint holds it off
        campaign.over_contact.answered(owner, start, now)
    if outcome == PAYS_NOW:
        campaign.decide(owner, now, "visit" if contact in VISITS else "call")
    elif outcome == PROMISES:
        campaign.promises.make(owner, now, collector)
    elif outcome == REFUSES:
        _refused(campaign, owner, now, collector)
    elif outcome == STALLS:
        _stalled(campaign, owner, now, contact)
    elif outcome == HOSTILE:
        _chase_again(campaign, owner, now, "hostile")
    return outcome


def _refused(campaign: Campaign, owner: int, now: float, collector: int) -> None:
    reason = campaign.grievance_kind(owner) if campaign.grievance_open[owner] else "unwilling"
    campaign.recorder.log(now, "refusal", owner, collector, reason)
    campaign.refusals[owner] += 1
    if reason != "unwilling" and campaign.scenario.service.tickets_on_refusal:
        campaign.service.open_ticket(owner, now)
    due = _due_for_team_visit(campaign, owner)
    if not (due and campaign.plan_visit(owner, now, team=True, after_days=_visit_gap(campaign, "refuses"))):
        _chase_again(campaign, owner, now, "refuses")


def _stalled(campaign: Campaign, owner: int, now: float, contact: str) -> None:
    campaign.stalls[owner] += 1
    visits = campaign.scenario.strategy.visits
    if _due_for_team_visit(campaign, owner) and campaign.plan_visit(
        owner, now, team=True, after_days=_visit_gap(campaign, "stalls")
    ):
        return  # the team visit comes instead of the next call
    due_home_visit = visits.enabled and contact == "call" and campaign.stalls[owner] >= visits.after_stalls
    if due_home_visit:
        campaign.plan_visit(owner, now, team=False, sooner=True)  # a home visit as well as the next call
    _chase_again(campaign, owner, now, "stalls")


def _chase_again(campaign: Campaign, owner: int, now: float, after: str) -> None:
    """Call again later, unless the collectors give up on this owner (never on key owners, T10)."""
    calls = campaign.scenario.strategy.calls
    key_owner = calls.key_owners_first and campaign.key_owners[owner]
    if calls.give_up_after and campaign.chased[owner] >= calls.give_up_after and not key_owner:
        campaign.recorder.log(now, "given_up", owner)
        return
    campaign.plan_call(owner, now, after)


def _visit_gap(campaign: Campaign, after: str) -> float:
    """Return the days before a team visit: the retry of that outcome, at least `team_visits.min_days`."""
    strategy = campaign.scenario.strategy
    return max(strategy.team_visits.min_days, getattr(strategy.calls.retry_days, after))


def _due_for_team_visit(campaign: Campaign, owner: int) -> bool:
    """T6: stallers and hard owners get a team visit after `after_refusals` refusals or stalls."""
    team = campaign.scenario.strategy.team_visits
    if not team.enabled:
        return False
    rebuffs = campaign.refusals[owner] + campaign.stalls[owner]
    staller = campaign.stalls[owner] > 0
    hard = campaign.traits.segment[owner] == HARD
    return rebuffs >= team.after_refusals and (staller or hard)
