"""One campaign run: the SimPy environment, the shared state and the processes.

The campaign wires the pieces together (population, mood clocks, payment
hazard, billing, collectors, promises) and keeps the state they share.  It
reads no files and draws every random number from the run's named streams.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import simpy

from sim.billing import Billing
from sim.calendar import HOURS_PER_DAY, Calendar, Timetable, intersect_intervals
from sim.choice import OutcomeModel
from sim.collectors import Collector
from sim.herd import PaymentHazard
from sim.mood import availability_by_hour, mood_clocks
from sim.neighbourhood import Neighbourhoods
from sim.population import Population, draw_population
from sim.promises import Promises
from sim.records import NOBODY, Recorder
from sim.rng import OwnerDraws, SeedLike, Streams
from sim.scenario.schema import OUTCOMES, SEGMENTS, Scenario
from sim.workqueue import WorkQueue

NAN = math.nan
CALL_OUTCOMES: tuple[str, ...] = ("invalid_number", "no_answer", *OUTCOMES)


def call_list_time(t: float, after_days: float) -> float:
    """Return when an owner to be called again `after_days` after `t` joins the call list.

    Collectors plan by the day: a retry of a day or more puts the owner on the
    list of the morning (midnight) of that day; a shorter one (chasing several
    times a day) is exact.
    """
    if after_days < 1.0:
        return t + after_days * HOURS_PER_DAY
    return math.floor(t / HOURS_PER_DAY + after_days) * HOURS_PER_DAY


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes."""

    def __init__(self) -> None:
        super().__init__()
        self.processed = 0

    def step(self) -> None:
        """Process the next event, counting it."""
        self.processed += 1
        super().step()


class Campaign:
    """State and processes of one run of a scenario with one seed."""

    def __init__(self, scenario: Scenario, seed: SeedLike, log_events: bool = False) -> None:
        self.scenario = scenario
        self.streams = Streams(seed)
        self.env = CountingEnvironment()
        self.horizon = scenario.horizon_days * HOURS_PER_DAY
        self.calendar = Calendar.from_scenario(scenario)
        self.population: Population = draw_population(scenario, self.streams)
        self.recorder = Recorder(log_events)
        self.draws = OwnerDraws(self.streams, self.population.size)
        self._init_state(self.population.size)
        self._init_timetables()
        self.neighbourhoods = Neighbourhoods(self.population.building, scenario.herd.scope)
        self.clocks = mood_clocks(scenario, self.calendar)
        self.availability = availability_by_hour(scenario, self.calendar)
        self.hazard = PaymentHazard(
            self.env, self.population, self.clocks, scenario.herd, scenario.mood.enabled,
            self.neighbourhoods, self.horizon, self._decide_from_hazard, self.draws,
        )  # fmt: skip
        calls = scenario.strategy.calls
        hard = self.population.segment == SEGMENTS.index("hard")
        self.queue = WorkQueue(calls.order, hard.tolist(), calls.hard_last, self.population.size)
        self.outcomes = OutcomeModel(scenario.responses)
        self.billing = Billing(self)
        self.promises = Promises(self)

    def _init_state(self, n: int) -> None:
        self.billed_at = [NAN] * n
        self.decided_at = [NAN] * n
        self.paid_at = [NAN] * n
        self.decided_by = [""] * n
        self.chased = [0] * n
        self.unreachable = [False] * n
        self.call_day = [-1] * n
        self.calls_that_day = [0] * n
        self.call_times: list[float] = []
        self.call_outcomes: list[int] = []
        self.busy_hours = 0.0
        self._work_signal: simpy.Event | None = None
        self._idle_until: dict[int, float] = {}

    def _init_timetables(self) -> None:
        team, calls = self.scenario.team, self.scenario.strategy.calls
        skip = not team.work_on_holidays
        shifts = self.calendar.intervals([team.shift], skip_holidays=skip)
        self.shifts = Timetable(shifts)
        windows = self.calendar.intervals(calls.windows, skip_holidays=skip) if calls.enabled else []
        self.call_windows = Timetable(intersect_intervals(shifts, windows))
        centre = self.scenario.owners.channels.service_centre.windows
        self.service_centre = Timetable(self.calendar.intervals(centre, skip_holidays=True))

    # -- running ------------------------------------------------------------------

    def run(self) -> Campaign:
        """Run the campaign to its horizon and return it."""
        self.env.process(self.billing.process())
        for index in range(self.scenario.team.collectors):
            self.env.process(Collector(self, index).run())
        self.env.run(until=self.horizon)
        return self

    def signal_work(self) -> None:
        """Wake idle collectors: new work has arrived."""
        if self._work_signal is not None and not self._work_signal.triggered:
            self._work_signal.succeed()
        self._work_signal = None

    def wait_for_work(self, collector: int, until: float) -> Generator[simpy.Event, None, None]:
        """Let `collector` wait until hour `until` or until new work arrives, whichever is first."""
        if self._work_signal is None:
            self._work_signal = self.env.event()
        self._idle_until[collector] = until
        yield self.env.timeout(until - self.env.now) | self._work_signal
        del self._idle_until[collector]

    # -- calls --------------------------------------------------------------------

    def reach_probability(self, owner: int, t: float) -> float:
        """Return the chance that a call to `owner` at hour `t` reaches them."""
        if not self.population.has_phone[owner]:
            return 0.0
        hour = min(int(t), len(self.availability[0]) - 1)
        return self.availability[int(self.population.schedule[owner])][hour]

    def plan_first_call(self, owner: int, t: float) -> None:
        """Queue a fresh owner for a first call after the strategy's grace period."""
        calls = self.scenario.strategy.calls
        if calls.enabled:
            self._enqueue(owner, call_list_time(t, calls.first_call_after_days), "fresh")

    def plan_call(self, owner: int, t: float, after: str, kind: str) -> None:
        """Queue `owner` again, `retry_days.<after>` days after `t`, within the daily cap."""
        calls = self.scenario.strategy.calls
        ready = call_list_time(t, getattr(calls.retry_days, after))
        day = math.floor(t / HOURS_PER_DAY)
        if self.call_day[owner] == day and self.calls_that_day[owner] >= calls.max_per_owner_per_day:
            ready = max(ready, (day + 1) * HOURS_PER_DAY)
        self._enqueue(owner, ready, kind)

    def _enqueue(self, owner: int, ready: float, kind: str) -> None:
        if ready >= self.horizon:
            return
        self.queue.schedule(owner, ready, kind)
        if self._idle_until and ready < max(self._idle_until.values()):
            self.signal_work()

    def count_call(self, owner: int, start: float) -> None:
        """Count a call towards the owner's daily cap."""
        day = math.floor(start / HOURS_PER_DAY)
        if self.call_day[owner] != day:
            self.call_day[owner], self.calls_that_day[owner] = day, 0
        self.calls_that_day[owner] += 1

    def record_call(self, start: float, owner: int, collector: int, outcome: str, reached: bool) -> None:
        """Tally a finished call and log it."""
        self.call_times.append(start)
        self.call_outcomes.append(CALL_OUTCOMES.index(outcome))
        self.recorder.log(start, "call", owner, collector, outcome, self.hazard.mood(owner, start))

    # -- deciding and paying ---------------------------------------------------------

    def _decide_from_hazard(self, owner: int, t: float, herd_fraction: float) -> None:
        self.decide(owner, t, "hazard", herd_fraction)

    def decide(self, owner: int, t: float, cause: str, herd_fraction: float = 0.0) -> None:
        """Owner `owner` decides at `t` to pay; the payment follows through a channel."""
        if not math.isnan(self.decided_at[owner]):
            return
        self.decided_at[owner], self.decided_by[owner] = t, cause
        self.hazard.withdraw(owner)
        self.queue.drop(owner)
        self.recorder.log(t, "decision", owner, NOBODY, cause, herd_fraction)
        if cause == "call" or self.population.online[owner]:
            self._pay(owner, t, "online")
            return
        opens = self.service_centre.next_open(t)
        if opens < self.horizon:
            event = self.env.timeout(opens - t, owner)
            event.callbacks.append(self._pay_at_centre)

    def _pay_at_centre(self, event: simpy.Event) -> None:
        self._pay(event.value, self.env.now, "service_centre")

    def _pay(self, owner: int, t: float, channel: str) -> None:
        self.paid_at[owner] = t
        nb = self.neighbourhoods.add_paid(owner)
        self.hazard.share_changed(nb, t)
        self.recorder.log(t, "payment", owner, NOBODY, channel, float(self.population.fee[owner]))
