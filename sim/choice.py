"""Outcome of an answered fee call: one multinomial logit (V2, T5, T6).

Each outcome k in (pays_now, promises, refuses, stalls, hostile) has a
utility

    U_k = a_k[segment] + b_k log(mood) + c_k S_i + d_k chased + e_k grievance

with `stalls` the reference (U = 0).  P(k) = exp(U_k) / sum_j exp(U_j).
"""

from __future__ import annotations

import math

from sim.scenario.schema import OUTCOMES, SEGMENTS, Responses

PAYS_NOW, PROMISES, REFUSES, STALLS, HOSTILE = range(len(OUTCOMES))


class OutcomeModel:
    """Probabilities and draws of an answered call's outcome."""

    def __init__(self, responses: Responses) -> None:
        utilities = [getattr(responses, name) if name != "stalls" else None for name in OUTCOMES]
        self.constant = [[getattr(u, s) if u else 0.0 for s in SEGMENTS] for u in utilities]
        self.log_mood = [u.log_mood if u else 0.0 for u in utilities]
        self.share = [u.perceived_share if u else 0.0 for u in utilities]
        self.chased = [u.times_chased if u else 0.0 for u in utilities]
        self.grievance = [u.grievance if u else 0.0 for u in utilities]

    def probabilities(
        self, segment: int, mood: float, share: float, chased: int, grievance: bool
    ) -> list[float]:
        """Return P(outcome) in the order of OUTCOMES."""
        log_mood = math.log(mood) if mood > 0 else -50.0
        g = 1.0 if grievance else 0.0
        utilities = [
            self.constant[k][segment]
            + self.log_mood[k] * log_mood
            + self.share[k] * share
            + self.chased[k] * chased
            + self.grievance[k] * g
            for k in range(len(OUTCOMES))
        ]
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
