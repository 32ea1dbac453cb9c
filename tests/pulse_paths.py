"""One owner's pulses run through the model's own machinery, and what they do to payment and outcomes.

`run` plays a sequence of touches on an `Engine` through `OwnerEffects` and
`Multipliers` (the hazard replaced by a recorder) and returns the owner's
piecewise-constant path: from each change on, the product of the factors
(1 + P)(1 + G)/(1 + A) and the levels (P, G, A).  `payment_error` and
`outcome_error` compare two such paths (model.md §10).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.calendar import HOURS_PER_DAY
from sim.choice import Context, OutcomeModel
from sim.effects import OwnerEffects
from sim.engine import Engine, Timer
from sim.multipliers import Multipliers
from sim.pulses import LN2
from sim.scenario.schema import SEGMENTS, Scenario
from sim.scenario.tactics import Pulse

DEFAULTS = Scenario()
# the default pulses (model.md §18-§20, §24, §25)
NOTICE = DEFAULTS.strategy.notices.pressure  # 0.6, 3 days
PERSONAL = DEFAULTS.strategy.notices.personal_pressure  # 1.0, 3 days
ENCOUNTER = DEFAULTS.strategy.atmosphere.pressure  # 0.3, 3 days
GOODWILL = DEFAULTS.strategy.goodwill.effect  # 0.3, 14 days
ANNOYANCE = DEFAULTS.annoyance.effect  # 0.5, 5 days
SWAY = DEFAULTS.social.sway  # 0.5, 7 days

Touch = tuple[str, float, Pulse]  # (kind: pressure, goodwill or annoyance; day of the touch; the pulse)

SEQUENCES: dict[str, tuple[Touch, ...]] = {
    "notice": (("pressure", 0.0, NOTICE),),
    "personal notice": (("pressure", 0.0, PERSONAL),),
    "staff encounter": (("pressure", 0.0, ENCOUNTER),),
    "goodwill": (("goodwill", 0.0, GOODWILL),),
    "annoyance": (("annoyance", 0.0, ANNOYANCE),),
    "leader's sway": (("pressure", 0.0, SWAY),),
    # overlapping pulses of one kind
    "four weekly notices": tuple(("pressure", 7.0 * k, PERSONAL) for k in range(4)),
    "sway and a notice at once": (("pressure", 0.0, SWAY), ("pressure", 0.0, PERSONAL)),
    "greeting and holiday message": (("goodwill", 0.0, GOODWILL), ("goodwill", 1.0, GOODWILL)),
    "two bad-mood calls a day": (("annoyance", 0.0, ANNOYANCE), ("annoyance", 0.25, ANNOYANCE)),
    # every kind: the factor (1 + P)(1 + G)/(1 + A)
    "mix": (
        ("pressure", 0.0, PERSONAL),
        ("annoyance", 1.0, ANNOYANCE),
        ("goodwill", 2.0, GOODWILL),
        ("pressure", 3.0, SWAY),
        ("annoyance", 3.5, ANNOYANCE),
    ),
}


@dataclass(frozen=True)
class Path:
    """An owner's factor and levels, each holding from `days[i]` to `days[i + 1]` (the last: for ever)."""

    days: np.ndarray
    factor: np.ndarray
    levels: np.ndarray  # rows (pressure, goodwill, annoyance)


def mean_life(touches: tuple[Touch, ...]) -> float:
    """Return the longest mean life among the touches, in days."""
    return max(pulse.half_life_days for _, _, pulse in touches) / LN2


def span(touches: tuple[Touch, ...]) -> float:
    """Return the days from the first touch to 10 longest mean lives after the last (all but 5e-5 of it)."""
    return max(day for _, day, _ in touches) + 10.0 * mean_life(touches)


class _Recorder:
    """Stands for the payment hazard: keeps every change of the owner's multiplier, with the levels."""

    def __init__(self) -> None:
        self.effects: OwnerEffects | None = None
        self.changes: list[tuple[float, float, tuple[float, float, float]]] = [(0.0, 1.0, (0.0, 0.0, 0.0))]

    def set_multiplier(self, owner: int, t: float, mult: float) -> None:
        assert self.effects is not None
        self.changes.append((t, mult, self.effects.levels(owner)))


def run(touches: tuple[Touch, ...], steps: int) -> Path:
    """Play `touches` on one owner with pulses of `steps` steps; return the owner's path."""
    env = Engine()
    recorder = _Recorder()
    multipliers = Multipliers(recorder, 1)  # type: ignore[arg-type]
    effects = OwnerEffects(env, multipliers, DEFAULTS.annoyance, [math.nan], steps)
    recorder.effects = effects
    by_kind = {"pressure": effects.pressure, "goodwill": effects.goodwill, "annoyance": effects.annoyance}

    def touch(timer: Timer) -> None:
        kind, pulse = timer.value
        by_kind[kind].touch(0, pulse, env.now)

    for kind, day, pulse in touches:
        env.call_later(day * HOURS_PER_DAY, touch, (kind, pulse))
    env.run_until(span(touches) * HOURS_PER_DAY)
    hours, factor, levels = zip(*recorder.changes, strict=True)
    return Path(np.array(hours) / HOURS_PER_DAY, np.array(factor), np.array(levels).T)


def cumulative(path: Path, days: np.ndarray) -> np.ndarray:
    """Return the integral of the path's factor from 0 to each of `days` (exact: it is piecewise linear)."""
    at_changes = np.concatenate([[0.0], np.cumsum(path.factor[:-1] * np.diff(path.days))])
    k = np.searchsorted(path.days, days, side="right") - 1
    return at_changes[k] + path.factor[k] * (days - path.days[k])


def payment_error(path: Path, reference: Path, p: float, end: float) -> float:
    """Return the largest difference of the payment probability 1 - exp(-p x integral) over [0, end] days.

    The difference of the two integrals is piecewise linear between the
    changes of either path; the probabilities are compared there and on a
    grid of an hour.
    """
    days = np.unique(np.concatenate([path.days, reference.days, np.arange(0.0, end, 1.0 / HOURS_PER_DAY)]))
    days = days[days <= end]
    paid = -np.expm1(-p * cumulative(path, days))
    paid_reference = -np.expm1(-p * cumulative(reference, days))
    return float(np.max(np.abs(paid - paid_reference)))


def outcome_means(path: Path, end: float, model: OutcomeModel, segment: int) -> np.ndarray:
    """Return each outcome's probability for a fee contact at a time uniform in [0, end] days."""
    ends = np.minimum(np.append(path.days[1:], math.inf), end)
    weights = np.clip(ends - path.days, 0.0, None) / end
    total = np.zeros(5)
    for weight, (pressure, goodwill, annoyance) in zip(weights, path.levels.T, strict=True):
        if weight > 0.0:
            context = Context(segment, 1.0, 0.5, 0, pressure=pressure, goodwill=goodwill, annoyance=annoyance)
            total += weight * np.array(model.probabilities(context))
    return total


def outcome_error(path: Path, reference: Path, end: float) -> float:
    """Return the largest difference of an outcome's mean probability (contact uniform in [0, end] days).

    The contact is an undecided owner's call at mood 1, perceived share 0.5
    and no other feature (model.md §15), every outcome of it.
    """
    model = OutcomeModel(DEFAULTS.responses)
    segment = SEGMENTS.index("undecided")
    difference = outcome_means(path, end, model, segment) - outcome_means(reference, end, model, segment)
    return float(np.max(np.abs(difference)))
