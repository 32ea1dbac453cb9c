"""The owner's other hazard multipliers, by name, and their product mult_i(t).

    h_i(t) = [p_i + q_i H(S_i(t))] * mood_i(t) * mult_i(t)

Each mechanism owns one named factor of mult_i (for example `grievance`
while a blocking complaint is open, `pressure` after reminders); a mechanism
changes only its own factor, and the product goes to the payment hazard.
"""

from __future__ import annotations

import math

from sim.herd import PaymentHazard


class Multipliers:
    """Named multiplicative factors of each owner's hazard."""

    def __init__(self, hazard: PaymentHazard, owners: int) -> None:
        self.hazard = hazard
        self._factors: list[dict[str, float]] = [{} for _ in range(owners)]

    def factor(self, owner: int, name: str) -> float:
        """Return one named factor of an owner (1 when unset)."""
        return self._factors[owner].get(name, 1.0)

    def set(self, owner: int, name: str, value: float, t: float) -> None:
        """Set one named factor of an owner from time `t` on."""
        factors = self._factors[owner]
        old = factors.get(name, 1.0)
        if old == value:
            return
        if value == 1.0:
            del factors[name]
        else:
            factors[name] = value
        self.hazard.set_multiplier(owner, t, math.prod(factors.values()))
