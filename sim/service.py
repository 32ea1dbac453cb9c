"""Service crew and complaints (T4, T5b, T8, T9).

Owners with a grievance start with a blocked hazard (factor
`service.grievance_block`).  When they name it (a refusal with a reason) a
ticket opens.  The crew is a pool of servers (`sim.servers`, the discipline
of SimPy's `PriorityResource`) shared with ordinary maintenance tickets
(Poisson arrivals); with the direct lane (T4) fee-blocking tickets have
priority.  A fix takes working hours of the crew's shift: a job a crew
member takes outside the shift begins when the shift opens, and that is
where the ticket's wait ends.  A crew member cannot solve a legacy problem:
it goes to a supervisor (T9, escalation on) with its own capacity and a
chance of success; with triage (T8) legacy problems go to the supervisor at
once and fixes are faster.  An owner promised a fix waits for it with a
patience drawn per owner (mean `service.patience_days`); if the fix comes
later, the owner withdraws (T5b): harder to convince from then on.

Common random numbers: the maintenance tickets (their arrivals and fix
hours) and what happens to an owner's ticket (its fix hours, the
supervisor's hours, whether escalation succeeds) each come from a stream of
their own, so the same seed gives the same values whatever the strategy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

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


def hours_quantile(hours: FixHours, u: float, factor: float = 1.0) -> float:
    """Return the `u`-quantile (0 <= u < 1) of `hours` with its mean multiplied by `factor`.

    The inverse CDF of the configured distribution: exponential with the
    mean, or lognormal with the mean and coefficient of variation (cv 0: the
    mean itself).
    """
    mean = hours.mean * factor
    if hours.dist == "exponential":
        return -mean * math.log1p(-u)
    if hours.cv == 0.0:
        return mean
    sigma2 = math.log1p(hours.cv**2)
    return mean * math.exp(math.sqrt(sigma2) * float(ndtri(u)) - sigma2 / 2)


@dataclass(slots=True)
class CrewJob:
    """One ticket's work for the crew (a fee-blocking ticket or a maintenance ticket).

    `begun` is the first moment of the crew's shift at or after the moment a
    crew member took the job (inf if the shifts have ended), `done` when its
    `hours` of shift work end; both NaN while it waits for a crew member.
    """

    kind: int  # FEE or MAINTENANCE
    owner: int  # -1 for maintenance
    grievance: str  # fixable or legacy; "maintenance" for maintenance
    queued: float
    hours: float
    begun: float = math.nan
    done: float = math.nan


class ServiceCrew:
    """The crew, the supervisors and every ticket."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.config = campaign.scenario.service
        self.crew = Servers(max(self.config.crew, 1))
        self.supervisors = Servers(self.config.escalation.supervisors)
        windows = [self.config.shift]
        skip = not self.config.work_on_holidays
        self.shift = Timetable(campaign.calendar.intervals(windows, skip_holidays=skip))
        self._init_streams(campaign)
        self.ticket_open = [False] * campaign.population.size
        self.resolved = [False] * campaign.population.size
        self.withdrawn = [False] * campaign.population.size
        self.opened = self.fixed = self.escalated = 0
        self.jobs: list[CrewJob] = []  # every crew job, in the order they were queued

    def _init_streams(self, campaign: Campaign) -> None:
        """Give each exogenous draw its own stream; owner i's ticket takes value i of each per-owner one."""
        streams, owners = campaign.streams, campaign.population.size
        self.maintenance_gaps = streams.generator("service.maintenance.arrivals")
        self.maintenance_fix = streams.generator("service.maintenance.fix")
        self.fee_fix = streams.generator("service.fee.fix").random(owners)
        self.supervisor_work = streams.generator("service.escalation.work").random(owners)
        self.escalation_resolve = streams.generator("service.escalation.resolve").random(owners)

    def start(self) -> None:
        """Start the maintenance ticket stream (a chain of timers, one per ticket)."""
        if self.config.crew > 0 and self.config.maintenance_tickets_per_day > 0:
            self.campaign.env.call_now(self._next_maintenance)

    def _next_maintenance(self, _: object = None) -> None:
        mean_gap = HOURS_PER_DAY / self.config.maintenance_tickets_per_day
        self.campaign.env.call_later(self.maintenance_gaps.exponential(mean_gap), self._maintenance_arrives)

    def _maintenance_arrives(self, _: Timer) -> None:
        """Queue a maintenance ticket: the k-th ticket takes the k-th draw of its stream of fix hours."""
        self._next_maintenance()
        hours = hours_quantile(self.config.fix_hours, self.maintenance_fix.random())
        self._crew_job(MAINTENANCE, -1, "maintenance", hours)

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
            self._crew_job(FEE, owner, kind, self._fee_fix_hours(owner))

    def _fee_fix_hours(self, owner: int) -> float:
        """Return the crew's working hours for the owner's ticket (triage: by speciality, faster)."""
        factor = self.config.triage_fix_factor if self.config.triage else 1.0
        return hours_quantile(self.config.fix_hours, float(self.fee_fix[owner]), factor)

    def _crew_job(self, kind: int, owner: int, grievance: str, hours: float) -> None:
        """Queue a job for the crew: a crew member takes it when free (`_crew_starts`)."""
        if self.config.crew == 0:
            return
        job = CrewJob(kind, owner, grievance, self.campaign.env.now, hours)
        self.jobs.append(job)
        priority = 0 if (kind == FEE and self.config.direct_lane) else 1
        self.crew.request(priority, self._crew_starts, job)

    def _crew_starts(self, job: CrewJob) -> None:
        """Give the job to a free crew member: work begins now inside the shift, else when it opens."""
        env = self.campaign.env
        job.begun = self.shift.next_open(env.now)
        job.done = work_finish(self.shift, job.begun, job.hours)
        env.call_later(job.done - env.now, self._crew_done, job)

    def _crew_done(self, timer: Timer) -> None:
        """End a fix: solve or escalate the owner's problem, then free the crew member."""
        job = timer.value
        if job.kind == FEE:
            owner = job.owner
            if job.grievance == "fixable":
                self._resolve(owner, "fixed by crew")
            else:
                self.campaign.recorder.log(
                    self.campaign.env.now, "ticket", owner, outcome="crew cannot solve legacy problem"
                )
                self._escalate(owner)
        self.crew.release()

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
        hours = hours_quantile(self.config.escalation.work_hours, float(self.supervisor_work[owner]))
        self.campaign.env.call_later(hours, self._supervisor_done, owner)

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
        if self.escalation_resolve[owner] < self.config.escalation.resolve_probability:
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
        """Return the ticket key figures of the run.

        A wait runs from a ticket's queueing to the moment work on it begins,
        counted for the jobs whose work began before the horizon.
        """
        fee_waits, maintenance_waits = self._waits(FEE), self._waits(MAINTENANCE)
        return {
            "opened": self.opened,
            "fixed": self.fixed,
            "escalated": self.escalated,
            "withdrawn": sum(self.withdrawn),
            "mean_wait_hours": float(np.mean(fee_waits)) if fee_waits else None,
            "maintenance_opened": sum(job.kind == MAINTENANCE for job in self.jobs),
            "maintenance_tickets": len(maintenance_waits),
            "maintenance_mean_wait_hours": float(np.mean(maintenance_waits)) if maintenance_waits else None,
        }

    def _waits(self, kind: int) -> list[float]:
        """Return the waits (hours) of the jobs of one kind whose work began before the horizon."""
        horizon = self.campaign.horizon
        return [job.begun - job.queued for job in self.jobs if job.kind == kind and job.begun < horizon]

    def crew_figures(self) -> dict[str, float | None]:
        """Return the crew's working hours on tickets, its shift hours and their ratio, within the horizon.

        `busy_hours` counts the fix hours of the jobs done by the horizon and
        the shift hours already spent on the jobs in progress at it (fee and
        maintenance work); `crew_hours` is crew size x shift hours before the
        horizon; `utilisation` is their ratio (None without crew hours).
        """
        horizon = self.campaign.horizon
        crew_hours = self.config.crew * self.shift.total_hours(horizon)
        busy = sum(self._hours_worked(job, horizon) for job in self.jobs if job.begun < horizon)
        return {
            "busy_hours": busy,
            "crew_hours": crew_hours,
            "utilisation": busy / crew_hours if crew_hours > 0 else None,
        }

    def _hours_worked(self, job: CrewJob, horizon: float) -> float:
        """Return the working hours spent on a begun job before the horizon."""
        if job.done <= horizon:
            return job.hours
        return self.shift.total_hours(horizon) - self.shift.total_hours(job.begun)
