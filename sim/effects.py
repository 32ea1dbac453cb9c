"""Pressure, goodwill and annoyance of each owner, and their hazard factors.

* pressure (reminders, notices, staff encounters: T2, T5): factor 1 + P
* goodwill (holiday messages, birthday calls, greetings: V3): factor 1 + G
* annoyance (chased at a bad-mood hour): factor 1 / (1 + A)

Each level is a sum of decaying pulses (`sim.pulses`: staircases of
`pulses.steps` steps); the levels also enter the outcome model of fee contacts.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.engine import Engine
from sim.multipliers import Multipliers
from sim.pulses import Pulses
from sim.scenario.tactics import Annoyance, Pulse


class OwnerEffects:
    """The three decaying effects of every owner."""

    def __init__(
        self,
        env: Engine,
        multipliers: Multipliers,
        annoyance: Annoyance,
        decided_at: Sequence[float],
        steps: int,
    ) -> None:
        """Keep every owner's effects, pulses of `steps` steps; `decided_at` (NaN until decided) ends them."""
        self.multipliers = multipliers
        self.annoyance_config = annoyance
        owners = len(decided_at)
        self.pressure = Pulses(env, owners, self._pressure_changed, decided_at, steps)
        self.goodwill = Pulses(env, owners, self._goodwill_changed, decided_at, steps)
        self.annoyance = Pulses(env, owners, self._annoyance_changed, decided_at, steps)

    def _pressure_changed(self, owner: int, t: float, level: float) -> None:
        self.multipliers.set(owner, "pressure", 1.0 + level, t)

    def _goodwill_changed(self, owner: int, t: float, level: float) -> None:
        self.multipliers.set(owner, "goodwill", 1.0 + level, t)

    def _annoyance_changed(self, owner: int, t: float, level: float) -> None:
        self.multipliers.set(owner, "annoyance", 1.0 / (1.0 + level), t)

    def press(self, owner: int, pulse: Pulse, t: float) -> None:
        """Add pressure to an owner."""
        self.pressure.touch(owner, pulse, t)

    def please(self, owner: int, pulse: Pulse, t: float) -> None:
        """Add goodwill to an owner."""
        self.goodwill.touch(owner, pulse, t)

    def chased_at(self, owner: int, mood: float, t: float) -> None:
        """Annoy an owner chased for the fee at a bad-mood hour (mood below the threshold)."""
        config = self.annoyance_config
        if config.enabled and mood < config.bad_mood_below:
            self.annoyance.touch(owner, config.effect, t)

    def annoy(self, owner: int, pulse: Pulse, t: float) -> None:
        """Annoy an owner, whatever their mood (a complaint about being chased)."""
        self.annoyance.touch(owner, pulse, t)

    def levels(self, owner: int) -> tuple[float, float, float]:
        """Return the owner's (pressure, goodwill, annoyance) levels."""
        return self.pressure.level(owner), self.goodwill.level(owner), self.annoyance.level(owner)
