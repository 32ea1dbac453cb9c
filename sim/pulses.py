"""Decaying effects of touches on an owner: pressure, goodwill, annoyance.

A touch of size s with half-life hl stands for the exponential decay
s exp(-t / tau), tau = hl / ln 2 the mean life.  The owner's hazard must stay
piecewise constant to be sampled exactly, so a pulse is a staircase of K steps
(`pulses.steps`, `staircase`):

* K - 1 steps over [0, a), each at the exponential's mean over its segment;
  the segments end where the square root of the decay, exp(-t / 2 tau), has
  fallen by equal amounts, so that each step errs by about the same
  integrated effect (about s tau (Delta u)^2 / 2, Delta u the fall);
* a last step at the decay's level at a, s exp(-a / tau), for one mean life:
  what is left of the decay, drawn as one step of its own.

The steps integrate to s tau, the decay's integral, for any K; K = 1 is one
step of s for one mean life.  The span a balances the last step's error
(s tau exp(-1 - a / tau)) against the others': the square root of the decay
falls from 1 to 1 / (1 + (K - 1) sqrt(2 / e)) at a (model.md §10).

Each step is an event: a step's timer sets the next one's, and each step of
a half-life waits the same time after the one before, so each has its own
lane of the event loop.  The level of a kind is the sum of its live pulses; a
listener turns the level into a hazard factor.  Once an owner has decided to
pay, nothing reads their levels again: the next steps of their pulses are
dropped unfired, and later ones never set.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

from sim.calendar import HOURS_PER_DAY
from sim.engine import Engine, Lane, Timer
from sim.scenario.tactics import Pulse

Listener = Callable[[int, float, float], None]
Step = tuple[int, float, "_Track", int]  # (owner, the pulse's size, its track, the step's index)
LN2 = math.log(2.0)
ZERO = 1e-12  # a level this small is rounding noise of pulses that have ended
# the square root of the decay falls by SPACING x its value at a per step, which equates the
# first K - 1 steps' error, tau (Delta u)^2 / 2, with the last one's, tau u_a^2 / e
SPACING = math.sqrt(2.0 / math.e)


def staircase(steps: int) -> tuple[list[float], list[float]]:
    """Return the staircase of a pulse of size 1 and mean life 1: the ends of its steps and their levels.

    Step j runs from the end of step j - 1 (from 0 for the first) to `ends[j]`
    at `levels[j]`; the steps integrate to 1, as the decay exp(-t) does.
    """
    top = 1.0 + SPACING * (steps - 1)
    starts = [2.0 * math.log(top / (top - SPACING * j)) for j in range(steps)]
    levels = [(math.exp(-a) - math.exp(-b)) / (b - a) for a, b in itertools.pairwise(starts)]
    levels.append(math.exp(-starts[-1]))
    return [*starts[1:], starts[-1] + 1.0], levels


class _Track:
    """The steps of the pulses of one half-life: how long each waits, what it changes, and its lane."""

    __slots__ = ("count", "drops", "first", "lanes", "waits")

    def __init__(self, env: Engine, half_life_days: float, steps: int, void: Callable[[Step], bool]) -> None:
        life = half_life_days * HOURS_PER_DAY / LN2  # the mean life, hours
        ends, levels = staircase(steps)
        self.count = steps
        self.first = levels[0]  # the level at the touch, as a share of the size
        self.waits = [(end - start) * life for start, end in zip([0.0, *ends], ends, strict=False)]
        self.drops = [after - before for before, after in zip(levels, [*levels[1:], 0.0], strict=True)]
        self.lanes: list[Lane] = [env.lane(void=void) for _ in range(steps)]


class Pulses:
    """The live pulses of one kind of effect, per owner."""

    def __init__(
        self, env: Engine, owners: int, on_change: Listener, decided_at: Sequence[float], steps: int
    ) -> None:
        """Keep the pulses of `owners` owners, each a staircase of `steps` steps."""
        self.env = env
        self.on_change = on_change
        self.decided_at = decided_at  # NaN while the owner has not decided
        self.steps = steps
        self._level = [0.0] * owners
        self._tracks: dict[float, _Track] = {}  # by half-life

    def level(self, owner: int) -> float:
        """Return the owner's current level of this effect (frozen once the owner has decided)."""
        return self._level[owner]

    def touch(self, owner: int, pulse: Pulse, t: float) -> None:
        """Add a pulse to `owner` at time `t`."""
        size = pulse.size
        if size <= 0.0:
            return
        track = self._tracks.get(pulse.half_life_days)
        if track is None:
            track = _Track(self.env, pulse.half_life_days, self.steps, self._void)
            self._tracks[pulse.half_life_days] = track
        track.lanes[0].call_later(track.waits[0], self._step, (owner, size, track, 0))
        self._change(owner, size * track.first, t)

    def _void(self, step: Step) -> bool:
        """Tell whether a pulse's step no longer matters: its owner has decided."""
        return not math.isnan(self.decided_at[step[0]])

    def _step(self, event: Timer) -> None:
        owner, size, track, index = event.value
        if not math.isnan(self.decided_at[owner]):  # void: it may have become so since it joined the queue
            return
        after = index + 1
        if after < track.count:
            track.lanes[after].call_later(track.waits[after], self._step, (owner, size, track, after))
        self._change(owner, size * track.drops[index], self.env.now)

    def _change(self, owner: int, delta: float, t: float) -> None:
        level = self._level[owner] + delta
        if level < ZERO:
            level = 0.0
        self._level[owner] = level
        self.on_change(owner, t, level)
