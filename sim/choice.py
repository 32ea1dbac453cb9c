"""Outcome of an answered fee contact (call or visit): one multinomial logit.

Each outcome k in (pays_now, promises, refuses, stalls, hostile) has the utility

    U_k = a_k[segment] + sum_j b_kj x_j

over the features x of the contact (`Context`): log mood now, perceived
share S_i, times already chased, an open grievance, having withdrawn after a
late fix, pressure, goodwill and annoyance levels, log of the collector's
effectiveness (skill x morale), and the tactic flags etiquette (V2), praise
first (P2), calm listening (P1), face-to-face visit and team visit (T6).
`stalls` is the reference (U = 0); P(k) = exp(U_k) / sum_j exp(U_j).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from sim.scenario.schema import OUTCOMES, SEGMENTS, Responses

PAYS_NOW, PROMISES, REFUSES, STALLS, HOSTILE = range(len(OUTCOMES))


class Context(NamedTuple):
    """What the outcome of one fee contact depends on."""

    segment: int
    mood: float
    share: float
    chased: int
    grievance: bool = False
    withdrawn: bool = False
    pressure: float = 0.0
    goodwill: float = 0.0
    annoyance: float = 0.0
    effectiveness: float = 1.0
    etiquette: bool = False
    praise_first: bool = False
    calm_listening: bool = False
    visit: bool = False
    team_visit: bool = False


# Utility coefficient name of each feature, in the order of `_features`.
FEATURES: tuple[str, ...] = (
    "log_mood",
    "perceived_share",
    "times_chased",
    "grievance",
    "withdrawn",
    "pressure",
    "goodwill",
    "annoyance",
    "effectiveness",
    "etiquette",
    "praise_first",
    "calm_listening",
    "visit",
    "team_visit",
)


LOG_OF_ZERO = -50.0  # the log of a zero mood or effectiveness: a utility term far below any other


def _features(c: Context) -> tuple[float, ...]:
    mood, effectiveness = c.mood, c.effectiveness
    return (
        math.log(mood) if mood > 0 else LOG_OF_ZERO,
        c.share,
        float(c.chased),
        float(c.grievance),
        float(c.withdrawn),
        c.pressure,
        c.goodwill,
        c.annoyance,
        math.log(effectiveness) if effectiveness > 0 else LOG_OF_ZERO,
        float(c.etiquette),
        float(c.praise_first),
        float(c.calm_listening),
        float(c.visit),
        float(c.team_visit),
    )


class OutcomeModel:
    """Probabilities and draws of a fee contact's outcome."""

    def __init__(self, responses: Responses) -> None:
        utilities = [getattr(responses, name) if name != "stalls" else None for name in OUTCOMES]
        self.constant = [[getattr(u, s) if u else 0.0 for s in SEGMENTS] for u in utilities]
        coefficients = [[getattr(u, f) if u else 0.0 for f in FEATURES] for u in utilities]
        # only the non-zero terms of each utility, as (feature index, coefficient)
        self.terms = [[(j, b) for j, b in enumerate(row) if b != 0.0] for row in coefficients]
        self._utilities = list(zip(self.constant, self.terms, strict=True))

    def probabilities(self, context: Context) -> list[float]:
        """Return P(outcome) in the order of OUTCOMES."""
        x = _features(context)
        segment = context.segment
        utilities = []
        for constant, terms in self._utilities:
            u = constant[segment]
            for j, b in terms:
                u += b * x[j]
            utilities.append(u)
        top = max(utilities)
        weights = [math.exp(u - top) for u in utilities]
        total = sum(weights)
        return [w / total for w in weights]

    def draw(self, u: float, probabilities: list[float]) -> int:
        """Return the outcome index that uniform `u` selects."""
        cumulative = 0.0
        for k, p in enumerate(probabilities):
            cumulative += p
            if u < cumulative:
                return k
        return len(probabilities) - 1
