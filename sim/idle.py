"""Collectors with nothing to do, asleep until work is due.

An idle collector sleeps until the time its own plan says (the next ready
owner, window or shift end).  When new work arrives that is due before some
sleeper would wake, every sleeper's wake-up is planned again.  The plan does
not depend on the collector (all share the team's shifts, windows and work
lists), so it is worked out once for all of them and the sleepers are merged
into one group with one alarm: the cost of new work is one event, whatever
the size of the team, not one wake-up per idle collector.  Sleepers of a
group wake in the order they fell asleep.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import simpy

from sim.engine import Engine, Timer


class _Group:
    """Sleepers that wake together, in order."""

    __slots__ = ("cancelled", "sleepers", "until")

    def __init__(self, until: float, sleepers: list[simpy.Event]) -> None:
        self.until = until
        self.sleepers = sleepers
        self.cancelled = False


class IdleCollectors:
    """The sleeping collectors of a campaign and their alarms."""

    def __init__(self, env: Engine, plan: Callable[[float], float]) -> None:
        self.env = env
        self.plan = plan  # when an idle collector would wake if it fell asleep at time t
        self._groups: list[_Group] = []
        self.latest = -math.inf  # the latest wake-up among the sleepers
        self._replan_pending = False

    def sleep(self) -> simpy.Event:
        """Return an event that fires when a collector falling asleep now should wake (at its plan).

        A sleeper whose plan is that of the latest group joins it: one alarm
        for both, and they wake in the order they fell asleep, as with two.
        """
        sleeper = self.env.event()
        until = self.plan(self.env.now)
        groups = self._groups
        if groups and groups[-1].until == until:
            groups[-1].sleepers.append(sleeper)
        else:
            self._add(_Group(until, [sleeper]))
        return sleeper

    def work_arrived(self, ready: float) -> None:
        """Plan the sleepers' wake-ups again if work ready at `ready` comes before one of them."""
        if ready < self.latest and not self._replan_pending:
            self._replan_pending = True
            self.env.call_later(0.0, self._replan)

    def _replan(self, _: Timer) -> None:
        """Merge every sleeper into one group that wakes at the plan made now."""
        self._replan_pending = False
        if not self._groups:
            return
        sleepers: list[simpy.Event] = []
        for group in self._groups:
            group.cancelled = True
            sleepers.extend(group.sleepers)
        self._groups = []
        self.latest = -math.inf
        self._add(_Group(self.plan(self.env.now), sleepers))

    def _add(self, group: _Group) -> None:
        self._groups.append(group)
        self.latest = max(self.latest, group.until)
        self.env.call_later(max(0.0, group.until - self.env.now), self._ring, group)

    def _ring(self, alarm: Timer) -> None:
        group: _Group = alarm.value
        if group.cancelled:
            return
        self._groups.remove(group)
        if group.until >= self.latest:
            self.latest = max((g.until for g in self._groups), default=-math.inf)
        self._wake_in_turn(group.sleepers, 0)

    def _wake_in_turn(self, sleepers: list[simpy.Event], first: int) -> None:
        """Wake sleepers one by one while work is ready now; the rest sleep on to the next plan.

        Each woken collector takes its work before the next one is considered
        (the turn passes by an event at the same instant, after its wake-up).
        """
        now = self.env.now
        wake = self.plan(now)
        if wake > now:
            self._add(_Group(wake, sleepers[first:]))
            return
        sleepers[first].succeed()
        if first + 1 < len(sleepers):
            self.env.call_later(0.0, self._next_turn, (sleepers, first + 1))

    def _next_turn(self, turn: Timer) -> None:
        self._wake_in_turn(*turn.value)
