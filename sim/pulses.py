"""Decaying effects of touches on an owner: pressure, goodwill, annoyance.

A touch adds a pulse of `size` that lasts one mean life of an exponential
decay with the given half-life (tau = half-life / ln 2 = 1.44 half-lives), then
ends: the same integrated effect as the exponential decay (size x tau), as a
step.  The owner's hazard stays piecewise constant, so it is still sampled
exactly, and a touch costs one event.
The level of a kind is the sum of its live pulses; a listener turns the level
into a hazard factor.  Once an owner has decided to pay, nothing reads their
levels again: the ends of their pulses are dropped unfired.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from sim.calendar import HOURS_PER_DAY
from sim.engine import Engine, Lane, Timer
from sim.scenario.tactics import Pulse

Listener = Callable[[int, float, float], None]
LN2 = math.log(2.0)
ZERO = 1e-12  # a level this small is rounding noise of pulses that have ended


class Pulses:
    """The live pulses of one kind of effect, per owner."""

    def __init__(self, env: Engine, owners: int, on_change: Listener, decided_at: Sequence[float]) -> None:
        self.env = env
        self.on_change = on_change
        self.decided_at = decided_at  # NaN while the owner has not decided
        self._level = [0.0] * owners
        self._lanes: dict[float, tuple[Lane, float]] = {}  # by half-life: pulses of one life end in order

    def level(self, owner: int) -> float:
        """Return the owner's current level of this effect (frozen once the owner has decided)."""
        return self._level[owner]

    def touch(self, owner: int, pulse: Pulse, t: float) -> None:
        """Add a pulse to `owner` at time `t`."""
        size = pulse.size
        if size <= 0.0:
            return
        lane_life = self._lanes.get(pulse.half_life_days)
        if lane_life is None:
            life = pulse.half_life_days * HOURS_PER_DAY / LN2
            lane_life = self._lanes[pulse.half_life_days] = (self.env.lane(void=self._void), life)
        lane, life = lane_life
        lane.call_later(life, self._step, (owner, -size))
        self._change(owner, size, t)

    def _void(self, end: tuple[int, float]) -> bool:
        """Tell whether a pulse's end no longer matters: its owner has decided."""
        return not math.isnan(self.decided_at[end[0]])

    def _step(self, event: Timer) -> None:
        if not self._void(event.value):  # it may have become void since it joined the queue
            owner, delta = event.value
            self._change(owner, delta, self.env.now)

    def _change(self, owner: int, delta: float, t: float) -> None:
        level = self._level[owner] + delta
        if level < ZERO:
            level = 0.0
        self._level[owner] = level
        self.on_change(owner, t, level)
