"""Who paid what and when: one community's payments, observed in a ledger or simulated in a run.

Calibration compares the two through the same object, so that the observed and
the simulated moments are computed by the same code.  Where a contact log
exists, the payments also hold the community's contacts (who was contacted on
which day), and a run records its own the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Payments"]


@dataclass(frozen=True)
class Payments:
    """Payments of a community's households, as parallel arrays indexed by household.

    `paid_day` is the day (from the campaign's start, fractional) of the first
    payment, NaN for a household that did not pay within `horizon_days`;
    `amount` is what the household paid in the campaign (0 if nothing);
    `fee` what it owed.  With a contact log, `contact_owner` and `contact_day`
    are parallel arrays, one entry per contact: the household's index and the
    whole day of the contact (0: the campaign's first day); without one, None.
    """

    building: np.ndarray
    fee: np.ndarray
    paid_day: np.ndarray
    amount: np.ndarray
    horizon_days: int
    contact_owner: np.ndarray | None = None
    contact_day: np.ndarray | None = None

    @classmethod
    def from_owner_table(cls, owners: pd.DataFrame, horizon_days: int) -> Payments:
        """Return the payments of a simulated run (`RunResult.owners`): a payer pays the fee in full.

        The payment day is the whole day of the payment (0: the campaign's first day), as a ledger dates it.
        """
        paid_day = np.floor(owners["paid_at"].to_numpy(dtype=float) / 24.0)
        paid_day = np.where(paid_day < horizon_days, paid_day, np.nan)
        fee = owners["fee"].to_numpy(dtype=float)
        return cls.of(
            owners["building"].to_numpy(), fee, paid_day, np.where(np.isnan(paid_day), 0.0, fee), horizon_days
        )

    @classmethod
    def of(
        cls,
        building: np.ndarray,
        fee: np.ndarray,
        paid_day: np.ndarray,
        amount: np.ndarray,
        horizon_days: int,
        contact_owner: np.ndarray | None = None,
        contact_day: np.ndarray | None = None,
    ) -> Payments:
        """Return payments from arrays (copied as the types the moments expect).

        Contacts are given both (owner and day of each contact) or neither.
        """
        if (contact_owner is None) != (contact_day is None):
            raise ValueError("give both contact_owner and contact_day, or neither")
        return cls(
            building=np.asarray(building, dtype=np.int64),
            fee=np.asarray(fee, dtype=float),
            paid_day=np.asarray(paid_day, dtype=float),
            amount=np.asarray(amount, dtype=float),
            horizon_days=int(horizon_days),
            contact_owner=None if contact_owner is None else np.asarray(contact_owner, dtype=np.int64),
            contact_day=None if contact_day is None else np.asarray(contact_day, dtype=np.int64),
        )

    @property
    def households(self) -> int:
        """Return the number of households."""
        return len(self.fee)

    @property
    def has_contacts(self) -> bool:
        """Return whether the payments come with a contact log (which may hold no contacts)."""
        return self.contact_owner is not None

    @property
    def contacts(self) -> int:
        """Return the number of contacts (0 without a contact log)."""
        return 0 if self.contact_owner is None else len(self.contact_owner)

    @property
    def buildings(self) -> np.ndarray:
        """Return the building indices present, in order."""
        return np.unique(self.building)

    def subset(self, mask: np.ndarray) -> Payments:
        """Return the payments of the households where `mask` holds, with their contacts (re-indexed)."""
        owner, day = self.contact_owner, self.contact_day
        if owner is not None and day is not None:
            kept = np.asarray(mask, dtype=bool)
            new_index = np.cumsum(kept) - 1
            mine = kept[owner]
            owner, day = new_index[owner[mine]], day[mine]
        return Payments.of(
            self.building[mask],
            self.fee[mask],
            self.paid_day[mask],
            self.amount[mask],
            self.horizon_days,
            owner,
            day,
        )

    def until(self, day: int) -> Payments:
        """Return the payments as if the campaign had lasted `day` days (later payments, contacts dropped)."""
        paid = np.where(self.paid_day < day, self.paid_day, np.nan)
        owner, contact_day = self.contact_owner, self.contact_day
        if owner is not None and contact_day is not None:
            early = contact_day < day
            owner, contact_day = owner[early], contact_day[early]
        amount = np.where(np.isnan(paid), 0.0, self.amount)
        return Payments.of(self.building, self.fee, paid, amount, day, owner, contact_day)

    def household_curve(self, days: np.ndarray | None = None) -> np.ndarray:
        """Return the share of households paid by the end of each day (days 1..horizon by default)."""
        days = self._days(days)
        if self.households == 0:
            return np.zeros(len(days))
        paid = np.sort(self.paid_day[~np.isnan(self.paid_day)])
        return np.searchsorted(paid, days, side="left") / self.households

    def money_curve(self, days: np.ndarray | None = None) -> np.ndarray:
        """Return the share of the fees due that was paid by the end of each day."""
        days = self._days(days)
        due = self.fee.sum()
        if due <= 0:
            return np.zeros(len(days))
        paid = ~np.isnan(self.paid_day)
        order = np.argsort(self.paid_day[paid])
        when = self.paid_day[paid][order]
        amount = np.concatenate([[0.0], np.cumsum(self.amount[paid][order])])
        return amount[np.searchsorted(when, days, side="left")] / due

    def building_shares(self, day: float) -> np.ndarray:
        """Return each building's share of households paid by `day`."""
        paid = np.nan_to_num(self.paid_day, nan=np.inf) < day
        counts = np.bincount(self.building, minlength=int(self.building.max()) + 1 if self.households else 0)
        shares = np.bincount(self.building, weights=paid, minlength=len(counts))
        present = counts > 0
        return shares[present] / counts[present]

    def _days(self, days: np.ndarray | None) -> np.ndarray:
        if days is None:
            return np.arange(1, self.horizon_days + 1, dtype=float)
        return np.asarray(days, dtype=float)
