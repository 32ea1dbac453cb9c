"""Neighbourhoods: who counts as a neighbour, and how much of them has paid.

The true paid share of a neighbourhood is the weighted share of its *billed*
households that have paid: the share an owner could see.  Opinion leaders
(T10) weigh `social.leader_weight` times an ordinary owner.  Counts are kept
incrementally, so a payment costs O(1) whatever the community's size.
"""

from __future__ import annotations

import numpy as np


class Neighbourhoods:
    """Weighted billed and paid counts per neighbourhood, per building and community-wide."""

    def __init__(self, building: np.ndarray, scope: str, weight: np.ndarray | None = None) -> None:
        self.building = building.tolist()
        self.weight = weight.tolist() if weight is not None else [1.0] * len(building)
        buildings = int(building.max()) + 1 if len(building) else 1
        self.of_owner = self.building if scope == "building" else [0] * len(building)
        count = buildings if scope == "building" else 1
        self.billed = [0.0] * count
        self.paid = [0.0] * count
        self.building_billed = [0.0] * buildings
        self.building_paid = [0.0] * buildings
        self.all_billed = 0.0
        self.all_paid = 0.0

    @property
    def count(self) -> int:
        """Return the number of neighbourhoods."""
        return len(self.billed)

    def share(self, nb: int) -> float:
        """Return the true paid share of neighbourhood `nb` (0 before any bill)."""
        billed = self.billed[nb]
        return self.paid[nb] / billed if billed else 0.0

    def building_share(self, building: int) -> float:
        """Return the paid share among the billed households of a building."""
        billed = self.building_billed[building]
        return self.building_paid[building] / billed if billed else 0.0

    def community_share(self) -> float:
        """Return the paid share among all billed households."""
        return self.all_paid / self.all_billed if self.all_billed else 0.0

    def add_billed(self, owner: int) -> int:
        """Count a delivered bill; return the owner's neighbourhood."""
        w = self.weight[owner]
        self.building_billed[self.building[owner]] += w
        self.all_billed += w
        nb = self.of_owner[owner]
        self.billed[nb] += w
        return nb

    def add_paid(self, owner: int) -> int:
        """Count a payment; return the owner's neighbourhood."""
        w = self.weight[owner]
        self.building_paid[self.building[owner]] += w
        self.all_paid += w
        nb = self.of_owner[owner]
        self.paid[nb] += w
        return nb
