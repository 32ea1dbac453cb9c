"""Service crew and complaints (T4, T5b, T8, T9).

Owners with a grievance start with a blocked hazard (factor
`service.grievance_block`).  When they name it (a refusal with a reason) a
ticket opens.  The crew is a pool of servers (`sim.servers`, the discipline
of SimPy's `PriorityResource`) shared with ordinary maintenance tickets
(Poisson arrivals); with the direct lane (T4) fee-blocking tickets have
priority.  A fix takes working hours of the crew's shift.  A crew member
cannot solve a legacy problem: it goes to a supervisor (T9, escalation on)
with its own capacity and a chance of success; with triage (T8) legacy
problems go to the supervisor at once and fixes are faster.  An owner
promised a fix waits for it with a patience drawn per owner (mean
`service.patience_days`); if the fix comes later, the owner withdraws (T5b):
harder to convince from then on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import HOURS_PER_DAY, Timetable
from sim.engine import Timer
from sim.scenario.tactics import FixHours
from sim.servers import Servers

if TYPE_CHECKING:
    from sim.campaign import Campaign

FEE, MAINTENANCE = 0, 1


def work_finish(timetable: Timetable, start: float, hours: float) -> float:
    """Return when `hours` of work begun at `start` end, working only inside the timetable."""
    t, left = start, hours
    while left > 0.0:
        interval = timetable.current_or_next(t)
        if interval is None:
            return math.inf
        t = max(t, interval[0])
        chunk = min(left, interval[1] - t)
        t += chunk
        left -= chunk
    return t


class ServiceCrew:
    """The crew, the supervisors and every ticket."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.service
        self.crew = Servers(max(self.config.crew, 1))
        self.supervisors = Servers(self.config.escalation.supervisors)
        self.rng = campaign.streams.generator("service")
        windows = [self.config.shift]
        skip = not self.config.work_on_holidays
        self.shift = Timetable(campaign.calendar.intervals(windows, skip_holidays=skip))
        self.ticket_open = [False] * campaign.population.size
        self.resolved = [False] * campaign.population.size
        self.withdrawn = [False] * campaign.population.size
        self.opened = self.fixed = self.escalated = 0
        self.fee_waits: list[float] = []
        self.maintenance_waits: list[float] = []

    def start(self) -> None:
        """Start the maintenance ticket stream (a chain of timers, one per ticket)."""
        if self.config.crew > 0 and self.config.maintenance_tickets_per_day > 0:
            self.campaign.env.call_now(self._next_maintenance)

    def _next_maintenance(self, _: object = None) -> None:
        mean_gap = HOURS_PER_DAY / self.config.maintenance_tickets_per_day
        self.campaign.env.call_later(self.rng.exponential(mean_gap), self._maintenance_arrives)

    def _maintenance_arrives(self, _: Timer) -> None:
        self._next_maintenance()
        self._crew_job(MAINTENANCE, -1, "maintenance")

    # -- fee-blocking tickets ---------------------------------------------------

    def open_ticket(self, owner: int, t: float) -> None:
        """Open a ticket for the grievance an owner has just named (once per owner)."""
        kind = self.campaign.grievance_kind(owner)
        if kind == "none" or self.ticket_open[owner] or self.resolved[owner]:
            return
        self.ticket_open[owner] = True
        self.opened += 1
        self.campaign.recorder.log(t, "ticket", owner, outcome=f"opened {kind}")
        patience = self.campaign.draws.exponential(owner, self.config.patience_days * HOURS_PER_DAY)
        self.campaign.env.call_later(patience, self._patience_runs_out, owner)
        if kind == "legacy" and self.config.triage:
            # escalated once the current event is done, before any other (as a new SimPy process started)
            self.campaign.env.call_now(self._escalate_now, owner)
        else:
            self._crew_job(FEE, owner, kind)

    def _crew_job(self, kind: int, owner: int, grievance: str) -> None:
        """Queue a job for the crew: it starts when a crew member is free (`_crew_starts`)."""
        if self.config.crew == 0:
            return
        priority = 0 if (kind == FEE and self.config.direct_lane) else 1
        self.crew.request(priority, self._crew_starts, (kind, owner, grievance, self.campaign.env.now))

    def _crew_starts(self, job: tuple[int, int, str, float]) -> None:
        kind, _, _, opened = job
        env = self.campaign.env
        (self.fee_waits if kind == FEE else self.maintenance_waits).append(env.now - opened)
        hours = self._fix_hours(kind)
        env.call_later(work_finish(self.shift, env.now, hours) - env.now, self._crew_done, job)

    def _crew_done(self, timer: Timer) -> None:
        """End a fix: solve or escalate the owner's problem, then free the crew member."""
        kind, owner, grievance, _ = timer.value
        if kind == FEE:
            if grievance == "fixable":
                self._resolve(owner, "fixed by crew")
            else:
                self.campaign.recorder.log(
                    self.campaign.env.now, "ticket", owner, outcome="crew cannot solve legacy problem"
                )
                self._escalate(owner)
        self.crew.release()

    def _fix_hours(self, kind: int) -> float:
        factor = self.config.triage_fix_factor if (self.config.triage and kind == FEE) else 1.0
        return self._draw_hours(self.config.fix_hours, factor)

    def _draw_hours(self, hours: FixHours, factor: float = 1.0) -> float:
        mean = hours.mean * factor
        if hours.dist == "exponential":
            return float(self.rng.exponential(mean))
        sigma2 = math.log1p(hours.cv**2)
        return float(self.rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2)))

    def _escalate(self, owner: int) -> None:
        """Hand a legacy problem to a supervisor (T9): work, then a delay, then solved or not."""
        escalation = self.config.escalation
        if not escalation.enabled:
            return
        self.escalated += 1
        self.campaign.recorder.log(self.campaign.env.now, "ticket", owner, outcome="escalated")
        self.supervisors.request(0, self._supervisor_starts, owner)

    def _escalate_now(self, timer: Timer) -> None:
        self._escalate(timer.value)

    def _supervisor_starts(self, owner: int) -> None:
        self.campaign.env.call_later(
            self._draw_hours(self.config.escalation.work_hours), self._supervisor_done, owner
        )

    def _supervisor_done(self, timer: Timer) -> None:
        """End a supervisor's work: the case's delay starts, and the supervisor takes the next case.

        The next case starts an event later, after a case whose delay is 0 has
        ended (the order of draws of SimPy's resource, which released by an event).
        """
        env = self.campaign.env
        env.call_later(self.config.escalation.delay_days * HOURS_PER_DAY, self._escalation_ends, timer.value)
        env.call_later(0.0, self._release_supervisor)

    def _release_supervisor(self, _: Timer) -> None:
        self.supervisors.release()

    def _escalation_ends(self, timer: Timer) -> None:
        owner = timer.value
        if self.rng.random() < self.config.escalation.resolve_probability:
            self._resolve(owner, "solved by supervisor")
        else:
            self.campaign.recorder.log(self.campaign.env.now, "ticket", owner, outcome="unresolvable")

    def _resolve(self, owner: int, how: str) -> None:
        now = self.campaign.env.now
        self.resolved[owner] = True
        self.ticket_open[owner] = False
        self.fixed += 1
        self.campaign.recorder.log(now, "ticket", owner, outcome=how)
        self.campaign.grievance_resolved(owner, now)

    def _patience_runs_out(self, event: Timer) -> None:
        owner = event.value
        if self.resolved[owner] or not self.ticket_open[owner]:
            return
        if not math.isnan(self.campaign.decided_at[owner]):
            return
        self.withdrawn[owner] = True
        self.campaign.recorder.log(self.campaign.env.now, "ticket", owner, outcome="owner withdrew")
        self.campaign.multipliers.set(owner, "withdrawn", self.config.withdrawn_factor, self.campaign.env.now)

    def figures(self) -> dict[str, float | int | None]:
        """Return the ticket key figures of the run."""
        waits = self.fee_waits
        return {
            "opened": self.opened,
            "fixed": self.fixed,
            "escalated": self.escalated,
            "withdrawn": sum(self.withdrawn),
            "mean_wait_hours": float(np.mean(waits)) if waits else None,
            "maintenance_tickets": len(self.maintenance_waits),
            "maintenance_mean_wait_hours": (
                float(np.mean(self.maintenance_waits)) if self.maintenance_waits else None
            ),
        }
