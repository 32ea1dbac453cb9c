"""The escalation ladder beyond calls and visits: posted arrears notice, lawyer's letter, lawsuit.

Chinese property companies describe a ladder for owners in arrears: phone,
a posted arrears notice, a home visit, a lawyer's letter, a lawsuit.  Calls
and visits are the collectors' work (`sim.collectors`); the other three steps
are optional strategy levers, each with its cost and delay:

* **arrears notice** (`strategy.arrears_notice`): `after_days` after the bill
  a notice is posted on the unpaid owner's door (it reaches owners without a
  valid phone too): a pressure pulse, `staff_minutes` of staff time;
* **lawyer's letter** (`strategy.lawyer_letter`): `after_days` after the bill
  a law firm writes to the unpaid owner: a pressure pulse, `cost_cny`;
* **lawsuit** (`strategy.lawsuit`): `after_days` after the letter (or the
  bill, without letters) the company sues an owner still unpaid, up to
  `max_cases`: `cost_cny` and `staff_hours` a case.  With probability
  `settle_probability` the owner pays before judgment (mediation), after an
  exponential time of mean `settle_days`; otherwise judgment comes
  `days_to_judgment` after filing, the company wins with `win_probability`,
  and the owner then pays with `pay_after_judgment` within an exponential
  time of mean `enforce_days`.

Cutting water, power, heat or gas to force payment is forbidden (Civil Code
art. 944): there is no such lever.  What happens to an owner is drawn from
the owner's own draws (common random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY
from sim.engine import Timer

if TYPE_CHECKING:
    from sim.campaign import Campaign


class Ladder:
    """Arrears notices, lawyer's letters and lawsuits of one campaign."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        strategy = campaign.scenario.strategy
        self.notice, self.letter, self.suit = (
            strategy.arrears_notice,
            strategy.lawyer_letter,
            strategy.lawsuit,
        )
        self.notices = self.letters = self.cases = self.settled = self.won = 0
        self.cost = 0.0

    def billed(self, owner: int, t: float) -> None:
        """Plan the steps of a newly billed owner (each fires only if the owner is still unpaid)."""
        if self.notice.enabled:
            self._at(t + self.notice.after_days * HOURS_PER_DAY, self._post_notice, owner)
        if self.letter.enabled:
            self._at(t + self.letter.after_days * HOURS_PER_DAY, self._send_letter, owner)
        elif self.suit.enabled:
            self._at(t + self.suit.after_days * HOURS_PER_DAY, self._sue, owner)

    def _at(self, when: float, step, owner: int) -> None:
        campaign = self.campaign
        if when < campaign.horizon:
            campaign.env.call_later(when - campaign.env.now, step, owner)

    def _post_notice(self, event: Timer) -> None:
        owner, campaign = event.value, self.campaign
        if not campaign.open[owner]:
            return
        now = campaign.env.now
        self.notices += 1
        campaign.extra_staff_hours += self.notice.staff_minutes / 60.0
        campaign.record_contact(now, "arrears_notice", owner, -1, "posted")
        campaign.effects.press(owner, self.notice.pressure, now)

    def _send_letter(self, event: Timer) -> None:
        owner, campaign = event.value, self.campaign
        if not campaign.open[owner]:
            return
        now = campaign.env.now
        self.letters += 1
        self.cost += self.letter.cost_cny
        campaign.record_contact(now, "lawyer_letter", owner, -1, "sent")
        campaign.effects.press(owner, self.letter.pressure, now)
        if self.suit.enabled:
            self._at(now + self.suit.after_days * HOURS_PER_DAY, self._sue, owner)

    def _sue(self, event: Timer) -> None:
        owner, campaign, suit = event.value, self.campaign, self.suit
        if not campaign.open[owner] or (suit.max_cases and self.cases >= suit.max_cases):
            return
        now = campaign.env.now
        self.cases += 1
        self.cost += suit.cost_cny
        campaign.extra_staff_hours += suit.staff_hours
        campaign.record_contact(now, "lawsuit", owner, -1, "filed")
        draws = campaign.draws
        if draws.uniform(owner) < suit.settle_probability:
            settles = draws.exponential(owner, suit.settle_days * HOURS_PER_DAY)
            self._at(now + min(settles, suit.days_to_judgment * HOURS_PER_DAY), self._settle, owner)
        else:
            self._at(now + suit.days_to_judgment * HOURS_PER_DAY, self._judge, owner)

    def _settle(self, event: Timer) -> None:
        owner, campaign = event.value, self.campaign
        if campaign.open[owner]:
            self.settled += 1
            campaign.recorder.log(campaign.env.now, "lawsuit", owner, outcome="settled")
            campaign.decide(owner, campaign.env.now, "lawsuit")

    def _judge(self, event: Timer) -> None:
        owner, campaign, suit = event.value, self.campaign, self.suit
        if not campaign.open[owner]:
            return
        now, draws = campaign.env.now, campaign.draws
        won = draws.uniform(owner) < suit.win_probability
        campaign.recorder.log(now, "lawsuit", owner, outcome="won" if won else "lost")
        if not won:
            return
        self.won += 1
        if draws.uniform(owner) < suit.pay_after_judgment:
            self._at(
                now + draws.exponential(owner, suit.enforce_days * HOURS_PER_DAY), self._pay_judgment, owner
            )

    def _pay_judgment(self, event: Timer) -> None:
        owner, campaign = event.value, self.campaign
        if campaign.open[owner]:
            campaign.decide(owner, campaign.env.now, "lawsuit")

    def figures(self) -> dict[str, float | int]:
        """Return the ladder's key figures: steps taken and their money cost."""
        return {
            "arrears_notices": self.notices,
            "lawyer_letters": self.letters,
            "lawsuits": self.cases,
            "lawsuits_settled": self.settled,
            "lawsuits_won": self.won,
            "legal_cost": self.cost,
        }
