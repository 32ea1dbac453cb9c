"""One campaign run: the SimPy environment, the shared state and the processes.

The campaign wires the pieces together (population, mood clocks, payment
hazard, billing, collectors, promises, service crew, team, the tactics'
processes) and keeps the state they share.  It reads no files and draws
every random number from the run's named streams.
"""

from __future__ import annotations

import math
from collections import deque

from sim.atmosphere import Atmosphere
from sim.billing import Billing
from sim.calendar import HOURS_PER_DAY, Calendar, Timetable, intersect_intervals
from sim.choice import Context, OutcomeModel
from sim.collectors import Collector, WakePlan
from sim.duties import OtherDuties
from sim.effects import OwnerEffects
from sim.engine import Engine, Timer, cyclic_gc_paused
from sim.goodwill import Goodwill
from sim.herd import PaymentHazard
from sim.idle import IdleCollectors
from sim.ladder import Ladder
from sim.mood import availability_by_hour, mood_clocks
from sim.multipliers import Multipliers
from sim.neighbourhood import Neighbourhoods
from sim.notices import NoticeSender
from sim.overcontact import OverContact
from sim.population import GRIEVANCE_KINDS, Population, draw_population
from sim.promises import Promises
from sim.publicity import NegativeTalk, NoticeBoard
from sim.records import NOBODY, Recorder
from sim.rng import OwnerDraws, SeedLike, Streams
from sim.scenario.schema import SEGMENTS, Scenario
from sim.service import ServiceCrew
from sim.team import Team
from sim.workqueue import WorkQueue

NAN = math.nan
WEEK = 7 * HOURS_PER_DAY


def call_list_time(t: float, after_days: float) -> float:
    """Return when an owner to be contacted again `after_days` after `t` joins the work list.

    Collectors plan by the day: a retry of a day or more puts the owner on the
    list of the morning (midnight) of that day; a shorter one (chasing several
    times a day) is exact.
    """
    if after_days < 1.0:
        return t + after_days * HOURS_PER_DAY
    return math.floor(t / HOURS_PER_DAY + after_days) * HOURS_PER_DAY


def _without_debrief(shifts: list[tuple[float, float]], hours: float) -> list[tuple[float, float]]:
    """Cut the debrief (T3) from the end of the last shift interval of each day."""
    last_of_day = {int(end // HOURS_PER_DAY): k for k, (_, end) in enumerate(shifts)}
    cut = []
    for k, (start, end) in enumerate(shifts):
        if last_of_day[int(end // HOURS_PER_DAY)] == k:
            end -= hours
        if end > start:
            cut.append((start, end))
    return cut


class Campaign:
    """State and processes of one run of a scenario with one seed."""

    def __init__(self, scenario: Scenario, seed: SeedLike, log_events: bool = False) -> None:
        self.scenario = scenario
        self.streams = Streams(seed)
        self.env = Engine()
        self.horizon = scenario.horizon_days * HOURS_PER_DAY
        self.calendar = Calendar.from_scenario(scenario)
        self.population: Population = draw_population(scenario, self.streams)
        self.traits = self.population.per_owner
        self.recorder = Recorder(log_events)
        self.draws = OwnerDraws(self.streams, self.population.size)
        self._init_state(self.population.size)
        self._init_timetables()
        self._init_behaviour()
        self._init_queues()
        self.duties = OtherDuties(self)
        self.wake_plan = WakePlan(self)
        self.idle = IdleCollectors(self.env, self.wake_plan.wake_time)
        self.billing = Billing(self)
        self.promises = Promises(self)
        self.service = ServiceCrew(self)
        self.team = Team(self)
        self.notices = NoticeSender(self)
        self.goodwill = Goodwill(self)
        self.atmosphere = Atmosphere(self)
        self.over_contact = OverContact(self)
        self.ladder = Ladder(self)
        self.talk = NegativeTalk(self)
        self.notice_board = NoticeBoard(self)

    def _init_state(self, n: int) -> None:
        pop = self.population
        self.has_phone = pop.has_phone.tolist()
        self.home_factor = None if pop.away is None else pop.away.tolist()  # a roster's let or vacant units
        # T10's "core people": owners whose stance sways others - opinion leaders and vocal owners.
        self.key_owners = (pop.leader | pop.vocal).tolist()
        self.building_members: list[list[int]] = [[] for _ in range(pop.buildings)]
        for owner, building in enumerate(pop.building.tolist()):
            self.building_members[building].append(owner)
        self.billed_at = [NAN] * n
        self.decided_at = [NAN] * n
        self.open = [False] * n  # billed and not yet decided (see `is_open`)
        self.paid_at = [NAN] * n
        self.decided_by = [""] * n
        self.chased = [0] * n
        self.unanswered = [0] * n
        self.stalls = [0] * n
        self.refusals = [0] * n
        self.unreachable = [False] * n
        self.workplace_known = [False] * n
        self.discovery_attempts = [0] * n
        self.embarrassed = [False] * n
        self.visits_made = [[0, 0] for _ in range(n)]  # home and team visits tried, per owner
        self.call_day = [-1] * n
        self.calls_that_day = [0] * n
        self.recent_calls: list[deque[float]] = [deque() for _ in range(n)]
        self.contacts: dict[str, dict[str, int]] = {}
        self.call_times: list[float] = []
        self.call_reached: list[bool] = []
        self.busy_hours = 0.0
        self.extra_staff_hours = 0.0
        self.hostile = 0

    def _init_timetables(self) -> None:
        team, strategy = self.scenario.team, self.scenario.strategy
        skip = not team.work_on_holidays
        shifts = self.calendar.intervals(team.shift_windows(), skip_holidays=skip)
        self.shifts = Timetable(shifts)
        if strategy.debrief.enabled:
            shifts = _without_debrief(shifts, strategy.debrief.minutes / 60.0)
        self.work_shifts = Timetable(shifts)

        def windows(chosen: list, enabled: bool = True) -> Timetable:
            if not enabled or not chosen:
                return Timetable([])
            return Timetable(intersect_intervals(shifts, self.calendar.intervals(chosen, skip_holidays=skip)))

        calls = strategy.calls
        self.fee_windows = windows([w for w in calls.windows if w.purpose == "fee"], calls.enabled)
        self.greeting_windows = windows([w for w in calls.windows if w.purpose == "greeting"], calls.enabled)
        visiting = strategy.visits.enabled or strategy.team_visits.enabled
        self.visit_windows = windows(list(strategy.visits.windows), visiting)
        workplace = strategy.workplace_visits
        self.workplace_windows = windows(list(workplace.windows), workplace.enabled)
        centre = self.scenario.owners.channels.service_centre.windows
        self.service_centre = Timetable(self.calendar.intervals(centre, skip_holidays=True))
        self.centre_spread = self.scenario.owners.channels.service_centre.arrival_spread_hours
        # each owner's draw of when in an opening they come in: one value per owner, its own stream (§11)
        self.centre_arrival = self.streams.generator("owner.centre_arrival").random(self.population.size)
        self._pay_now_online = self.scenario.owners.channels.pay_now_on_call == "online"  # read per decision

    def _init_behaviour(self) -> None:
        scenario, pop = self.scenario, self.population
        weight = 1.0 + (scenario.social.leader_weight - 1.0) * pop.leader
        self.neighbourhoods = Neighbourhoods(pop.building, scenario.herd.scope, weight)
        self.clocks = mood_clocks(scenario, self.calendar)
        self.availability = availability_by_hour(scenario, self.calendar)
        self._last_hour = len(self.availability[0]) - 1
        self.hazard = PaymentHazard(
            self.env, pop, self.clocks, scenario.herd, scenario.social.community_weight,
            scenario.mood.enabled, self.neighbourhoods, self.horizon, self._decide_from_hazard, self.draws,
            threshold_owner=self._threshold_owners(),
        )  # fmt: skip
        self.multipliers = Multipliers(self.hazard, pop.size)
        self.effects = OwnerEffects(
            self.env, self.multipliers, scenario.annoyance, self.decided_at, scenario.pulses.steps
        )
        self.outcomes = OutcomeModel(scenario.responses)
        block, out_of_touch = scenario.service.grievance_block, scenario.owners.out_of_touch_factor
        for owner in range(pop.size):
            if pop.grievance[owner]:
                self.multipliers.set(owner, "grievance", block, 0.0)
            if not pop.has_phone[owner]:
                self.multipliers.set(owner, "out_of_touch", out_of_touch, 0.0)
        self.grievance_open = (pop.grievance > 0).tolist()

    def _threshold_owners(self) -> list[bool]:
        """Tell, per owner, whether their herd response is the threshold one."""
        segments, default = self.scenario.owners.segments, self.scenario.herd.response
        by_segment = [(segments.get(name).response or default) == "threshold" for name in SEGMENTS]
        return [by_segment[k] for k in self.population.segment.tolist()]

    def _init_queues(self) -> None:
        calls, pop = self.scenario.strategy.calls, self.population
        # what planning a call reads, read once (a pydantic attribute costs three plain ones)
        self._calls_enabled = calls.enabled
        self._retry_days: dict[str, float] = calls.retry_days.model_dump()
        self._weekly_cap = self.scenario.strategy.follow_up.weekly_cap
        self._daily_cap = calls.max_per_owner_per_day
        hard = (pop.segment == SEGMENTS.index("hard")).tolist() if calls.hard_last else None
        key = self.key_owners if calls.key_owners_first else None
        size = pop.size
        fee_order = [c for c in calls.order if c != "broken_promise"]
        self.calls = WorkQueue(fee_order, size, hard_last=hard, first=key, fee=True)
        self.followups = WorkQueue(("waiting", "broken_promise"), size, first=key, fee=True)
        self.greetings = WorkQueue(("greeting",), size, first=key)
        self.visits = WorkQueue(("team", "home"), size, hard_last=hard, first=key, fee=True)
        self.workplace = WorkQueue(("workplace",), size, first=key, fee=True)
        self.discovery = WorkQueue(("discover",), size, first=key)

    # -- running ------------------------------------------------------------------

    def run(self) -> Campaign:
        """Run the campaign to its horizon and return it."""
        env = self.env
        env.process(self.billing.process())
        self.collectors = [Collector(self, index) for index in range(self.scenario.team.collectors)]
        for collector in self.collectors:  # kept here: a chain that ends with the last shift is not garbage
            collector.start()
        self.service.start()
        self.duties.start()
        env.process(self.team.debrief_process())
        env.process(self.team.morale_sampler())
        self.goodwill.start()
        self.atmosphere.start()
        self.notice_board.start()
        with cyclic_gc_paused():
            env.run_until(self.horizon)
        return self

    def enqueue(self, queue: WorkQueue, owner: int, ready: float, kind: str) -> None:
        """Put an owner on a work list from `ready` on, and wake idle collectors if that is earlier."""
        if queue.fee:
            ready = self.over_contact.not_before(owner, ready)
        if not math.isnan(self.decided_at[owner]):
            return
        if ready >= self.horizon:  # replaced by an entry after the horizon: as if it were listed, never taken
            queue.drop(owner)
            return
        queue.schedule(owner, ready, kind)
        self.idle.work_arrived(ready)

    # -- owners' state as the contacts see it ------------------------------------

    def is_open(self, owner: int) -> bool:
        """Tell whether an owner is billed and has not yet decided to pay."""
        return self.open[owner]

    def billed(self, owner: int, t: float) -> None:
        """Record the delivery of the owner's bill at `t`."""
        self.billed_at[owner] = t
        self.open[owner] = math.isnan(self.decided_at[owner])

    def grievance_kind(self, owner: int) -> str:
        """Return the kind of the owner's grievance (none, fixable, legacy)."""
        return GRIEVANCE_KINDS[self.traits.grievance[owner]]

    def back_in_touch(self, owner: int, t: float) -> None:
        """Lift the out-of-touch factor of an owner someone has reached (found or met)."""
        self.multipliers.set(owner, "out_of_touch", 1.0, t)

    def grievance_resolved(self, owner: int, t: float) -> None:
        """Lift a grievance's block on an owner's payment."""
        self.grievance_open[owner] = False
        self.multipliers.set(owner, "grievance", 1.0, t)

    def reach_probability(self, owner: int, t: float) -> float:
        """Return the chance that a call to `owner` at hour `t` reaches them."""
        if not self.has_phone[owner]:
            return 0.0
        hour = min(int(t), self._last_hour)
        return self.availability[self.traits.schedule[owner]][hour]

    def home_probability(self, owner: int, t: float) -> float:
        """Return the chance that `owner` is at home at hour `t`."""
        hour = min(int(t), self._last_hour)
        relative = self.availability[self.traits.schedule[owner]][hour]
        relative /= max(self.scenario.availability.mean_reach, 1e-12)
        chance = min(1.0, relative * self.scenario.team.home_share)
        if self.home_factor is not None:  # owners of let or vacant units live elsewhere (§4a)
            return chance * self.home_factor[owner]
        return chance

    def context(self, owner: int, start: float, collector: int, visit: bool, team: bool) -> Context:
        """Return what the outcome of a fee contact with `owner` depends on."""
        pressure, goodwill, annoyance = self.effects.levels(owner)
        conduct = self.scenario.strategy.conduct
        return Context(
            segment=self.traits.segment[owner],
            mood=self.hazard.mood(owner, start),
            share=self.hazard.perceived_share(owner),
            chased=self.chased[owner],
            grievance=self.grievance_open[owner],
            withdrawn=self.service.withdrawn[owner],
            pressure=pressure,
            goodwill=goodwill,
            annoyance=annoyance,
            effectiveness=self.team.effectiveness(collector, start) if collector >= 0 else 1.0,
            etiquette=conduct.etiquette,
            praise_first=conduct.praise_first,
            calm_listening=conduct.calm_listening,
            visit=visit,
            team_visit=team,
        )

    # -- planning the next contact ------------------------------------------------

    def on_billed(self, owner: int, t: float) -> None:
        """Start everything that follows a delivered bill."""
        self.talk.billed_owner(owner, t)
        self.notices.billed(owner, t)
        self.ladder.billed(owner, t)
        self.plan_first_call(owner, t)

    def plan_first_call(self, owner: int, t: float) -> None:
        """Queue a fresh owner for a first call (and a greeting) after the grace period."""
        calls = self.scenario.strategy.calls
        if not calls.enabled:
            return
        key_owner = calls.key_owners_first and self.key_owners[owner]
        first = 0.0 if key_owner else calls.first_call_after_days
        self.enqueue(self.calls, owner, call_list_time(t, first), "fresh")
        if self.greeting_windows.intervals:
            self.enqueue(self.greetings, owner, call_list_time(t, 1.0), "greeting")

    def plan_call(self, owner: int, t: float, after: str, kind: str = "follow_up") -> None:
        """Queue `owner` again `retry_days.<after>` days after `t`, within the daily and weekly caps."""
        if not self._calls_enabled:
            return
        ready = call_list_time(t, self._retry_days[after])
        day = math.floor(t / HOURS_PER_DAY)
        if self.call_day[owner] == day and self.calls_that_day[owner] >= self._daily_cap:
            ready = max(ready, (day + 1) * HOURS_PER_DAY)
        recent = self.recent_calls[owner]
        if len(recent) >= self._weekly_cap:
            ready = max(ready, recent[0] + WEEK)
        queue = self.followups if kind in ("waiting", "broken_promise") else self.calls
        self.enqueue(queue, owner, ready, kind)

    def plan_visit(
        self, owner: int, t: float, team: bool, after_days: float = 1.0, sooner: bool = False
    ) -> bool:
        """Queue a home visit (or a team visit) for `owner`, `after_days` days after `t`.

        Return False when no visit is planned: the kind of visit is off, or
        the owner has had as many as `max_per_owner` of them.  With `sooner`,
        a visit already planned for an earlier time stays as it is.
        """
        strategy = self.scenario.strategy
        if (
            team
            and strategy.team_visits.enabled
            and self.visits_made[owner][1] < strategy.team_visits.max_per_owner
        ):
            kind = "team"
        elif strategy.visits.enabled and self.visits_made[owner][0] < strategy.visits.max_per_owner:
            kind = "home"
        else:
            return False
        ready = call_list_time(t, after_days)
        if not (sooner and self.visits.ready_at(owner) <= ready):
            self.enqueue(self.visits, owner, ready, kind)
        return True

    def count_call(self, owner: int, start: float) -> None:
        """Count a fee call towards the owner's daily and weekly caps."""
        day = math.floor(start / HOURS_PER_DAY)
        if self.call_day[owner] != day:
            self.call_day[owner], self.calls_that_day[owner] = day, 0
        self.calls_that_day[owner] += 1
        recent = self.recent_calls[owner]
        recent.append(start)
        while recent and recent[0] <= start - WEEK:
            recent.popleft()

    def record_contact(self, t: float, kind: str, owner: int, collector: int, outcome: str) -> None:
        """Tally a contact by kind and outcome, and log it."""
        by_outcome = self.contacts.get(kind)
        if by_outcome is None:
            by_outcome = self.contacts[kind] = {}
        by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
        if kind == "call":
            self.call_times.append(t)
            self.call_reached.append(outcome not in ("no_answer", "invalid_number"))
        if outcome == "hostile":
            self.hostile += 1
        if self.recorder.enabled:
            mood = self.hazard.mood(owner, t) if owner >= 0 else 0.0
            self.recorder.log(t, kind, owner, collector, outcome, mood)

    # -- deciding and paying ---------------------------------------------------------

    def _decide_from_hazard(self, owner: int, t: float, herd_fraction: float) -> None:
        self.decide(owner, t, "hazard", herd_fraction)

    def decide(self, owner: int, t: float, cause: str, herd_fraction: float = 0.0) -> None:
        """Owner `owner` decides at `t` to pay; the payment follows through a channel."""
        if not math.isnan(self.decided_at[owner]):
            return
        self.decided_at[owner], self.decided_by[owner] = t, cause
        self.open[owner] = False
        self.hazard.withdraw(owner)
        for queue in (
            self.calls,
            self.followups,
            self.greetings,
            self.visits,
            self.workplace,
            self.discovery,
        ):
            queue.drop(owner)
        self.recorder.log(t, "decision", owner, NOBODY, cause, herd_fraction)
        if cause == "visit":
            self._pay(owner, t, "in_person")
        elif self.traits.online[owner] or (cause == "call" and self._pay_now_online):
            self._pay(owner, t, "online")
        else:
            arrives = self.centre_arrival_time(owner, t)
            if arrives < self.horizon:
                self.env.call_later(arrives - t, self._pay_at_centre, owner)

    def centre_arrival_time(self, owner: int, t: float) -> float:
        """Return when an owner who decides at `t` comes to pay at the service centre (inf: never).

        While the centre is open they come at once; an owner who decides while it is shut comes
        in at a time of its next opening drawn from their own value of `owner.centre_arrival`.
        """
        opening = self.service_centre.current_or_next(t)
        if opening is None:
            return math.inf
        start, end = opening
        if start <= t:
            return t
        return start + self.centre_arrival[owner] * min(self.centre_spread, end - start)

    def _pay_at_centre(self, event: Timer) -> None:
        self._pay(event.value, self.env.now, "service_centre")

    def _pay(self, owner: int, t: float, channel: str) -> None:
        self.paid_at[owner] = t
        nb = self.neighbourhoods.add_paid(owner)
        self.hazard.share_changed(nb, t)
        self.recorder.log(t, "payment", owner, NOBODY, channel, self.traits.fee[owner])
        self.talk.paid_owner(owner, t)
        if self.traits.leader[owner]:
            self._leader_sways(owner, t)

    def _leader_sways(self, leader: int, t: float) -> None:
        """T10: an opinion leader who has paid presses the unpaid owners of their building."""
        sway = self.scenario.social.sway
        is_open, press = self.open, self.effects.press
        for owner in self.building_members[self.traits.building[leader]]:
            if is_open[owner]:
                press(owner, sway, t)
