"""Decaying effects of touches on an owner: pressure, goodwill, annoyance.

A touch adds a pulse of `size` for `half_life_days`, then `size / 2` for as
long again, then nothing: a two-step staircase whose integrated effect
(1.5 x size x half-life) is close to that of an exponential decay with the same
half-life (1.44 x size x half-life).  The owner's hazard stays piecewise
constant, so it is still sampled exactly, and a touch costs two events.  The level of a kind is the sum of its
live pulses; a listener turns the level into a hazard factor.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from sim.calendar import HOURS_PER_DAY
from sim.scenario.tactics import Pulse

HALVINGS = 2
Listener = Callable[[int, float, float], None]


class Pulses:
    """The live pulses of one kind of effect, per owner."""

    def __init__(self, env: simpy.Environment, owners: int, on_change: Listener) -> None:
        self.env = env
        self.on_change = on_change
        self._live: list[list[tuple[float, float, float]]] = [[] for _ in range(owners)]
        self._level = [0.0] * owners

    def level(self, owner: int) -> float:
        """Return the owner's current level of this effect."""
        return self._level[owner]

    def touch(self, owner: int, pulse: Pulse, t: float) -> None:
        """Add a pulse to `owner` at time `t`."""
        if pulse.size <= 0.0:
            return
        step = pulse.half_life_days * HOURS_PER_DAY
        self._live[owner].append((t, pulse.size, step))
        for k in range(1, HALVINGS + 1):
            event = self.env.timeout(k * step, owner)
            event.callbacks.append(self._step)
        self._refresh(owner, t)

    def _step(self, event: simpy.Event) -> None:
        self._refresh(event.value, self.env.now)

    def _refresh(self, owner: int, t: float) -> None:
        live = [(t0, size, step) for t0, size, step in self._live[owner] if t - t0 < HALVINGS * step - 1e-9]
        self._live[owner] = live
        level = sum(size * 0.5 ** int((t - t0) / step + 1e-9) for t0, size, step in live)
        if level != self._level[owner]:
            self._level[owner] = level
            self.on_change(owner, t, level)
