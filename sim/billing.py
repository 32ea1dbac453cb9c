"""Bill delivery (V4): bulk, or staged by segment with a trigger for the next stage.

Bills are handed out by the collectors, building after building (the stack
in hand), or, with `delivery: instant`, reach every owner of a stage at the
moment it opens (an e-bill).  At delivery the owner sees the paid share of the
billed households of the building: that is the impression S_i starts from.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.calendar import HOURS_PER_DAY
from sim.scenario.schema import SEGMENTS

if TYPE_CHECKING:
    from sim.campaign import Campaign


class Billing:
    """Releases bills by stage and delivers them."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.strategy.billing
        self.check_hour = self.config.next_stage.check_hour  # the manager looks at the paid share daily then
        self.deliveries: deque[int] = deque()
        self.stage_opened: list[float] = []

    def stages(self) -> list[list[int]]:
        """Return the owners of each stage, in walking order (building, then unit)."""
        pop = self.campaign.population
        walk = np.lexsort((pop.unit, pop.building))
        if self.config.mode == "bulk":
            return [walk.tolist()]
        segment = pop.segment[walk]
        return [walk[segment == SEGMENTS.index(name)].tolist() for name in self.config.stages]

    def process(self) -> Generator[simpy.Event, None, None]:
        """Open each stage in turn (a SimPy process)."""
        env = self.campaign.env
        start = self.config.start_day * HOURS_PER_DAY
        yield env.timeout(start)
        stages = self.stages()
        for k, owners in enumerate(stages):
            self._open(k, owners)
            if k + 1 < len(stages):
                yield from self._wait_for_trigger(owners)

    def _open(self, k: int, owners: list[int]) -> None:
        now = self.campaign.env.now
        self.stage_opened.append(now)
        self.campaign.recorder.log(now, "stage", outcome=f"stage {k + 1}", value=len(owners))
        if self.config.delivery == "instant":
            for owner in owners:
                self.deliver(owner, now)
        else:
            self.deliveries.extend(owners)
            self.campaign.idle.work_arrived(self.campaign.env.now)

    def _wait_for_trigger(self, owners: list[int]) -> Generator[simpy.Event, None, None]:
        env, trigger, check_hour = self.campaign.env, self.config.next_stage, self.check_hour
        opened = env.now
        deadline = opened + trigger.max_days * HOURS_PER_DAY
        paid_at = self.campaign.paid_at
        while True:
            paid = sum(1 for i in owners if not math.isnan(paid_at[i])) / len(owners) if owners else 1.0
            if paid >= trigger.paid_share or env.now >= deadline:
                return
            day = math.floor(env.now / HOURS_PER_DAY)
            next_check = (day + 1) * HOURS_PER_DAY + check_hour
            if env.now < day * HOURS_PER_DAY + check_hour:
                next_check = day * HOURS_PER_DAY + check_hour
            yield env.timeout(min(next_check, deadline) - env.now)

    def deliver(self, owner: int, t: float, collector: int = -1) -> None:
        """Hand a bill to `owner` at time `t`."""
        campaign = self.campaign
        nbs = campaign.neighbourhoods
        impression = nbs.building_share(nbs.building[owner])
        nb = nbs.add_billed(owner)
        campaign.billed(owner, t)
        campaign.hazard.share_changed(nb, t)
        campaign.hazard.bill(owner, t, impression)
        campaign.recorder.log(t, "bill", owner, collector, self.config.delivery, impression)
        campaign.on_billed(owner, t)
