"""The moments a ledger and a run are compared on.

Weekly cumulative shares of households and of money paid, the share unpaid at
the end, quantiles of the payment day among payers, and the spread between
buildings' paid shares (the signature of herd behaviour: neighbours pay
together, so buildings drift apart more than independent owners would make
them).

Where a contact log exists (`Payments.has_contacts`), three contact moments
follow (`CONTACT_MOMENTS`).  A contact counts on its whole day d, a payment on
its whole day p (the household's first payment), both from the campaign's
start:

- ``paid_within_3_days_of_contact``: among the households contacted at least
  once, the share with a contact on a day d such that 0 <= p - d <= 3 (paid on
  the day of a contact or within the three days after it); 0 when nobody was
  contacted;
- ``paid_on_contact_day``: among the households that paid, the share
  contacted on the day they paid (p = d for one of their contacts); 0 when
  nobody paid;
- ``contacts_per_household``: the number of contacts over the number of
  households (0 for no households).

Contacts after a household's payment count in the last moment, not in the
first two.  Together they tell how much paying follows being contacted, which
the payment curve alone cannot: a spontaneous payment and a payment answering
a call look the same in a ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calibration.payments import Payments

__all__ = ["CONTACT_MOMENTS", "PAYMENT_DAY_QUANTILES", "MomentSet", "contact_moments", "moment_set"]

PAYMENT_DAY_QUANTILES: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9)
SPREAD_DAYS: tuple[float, ...] = (28.0, 91.0)
CONTACT_WINDOW_DAYS = 3
"""A payment up to this many whole days after a contact counts as following it."""
CONTACT_MOMENTS: tuple[str, ...] = (
    f"paid_within_{CONTACT_WINDOW_DAYS}_days_of_contact",
    "paid_on_contact_day",
    "contacts_per_household",
)


@dataclass(frozen=True)
class MomentSet:
    """Moments, named: `names[i]` is what `values[i]` measures."""

    names: tuple[str, ...]
    values: np.ndarray


def weekly_days(horizon_days: int) -> np.ndarray:
    """Return the ends of the campaign's weeks (7, 14, ...), and the last day."""
    days = np.arange(7, horizon_days + 1, 7, dtype=float)
    return days if days.size and days[-1] == horizon_days else np.append(days, float(horizon_days))


def moment_set(payments: Payments) -> MomentSet:
    """Return the moments of `payments` (the same names for every community of the same horizon)."""
    horizon = payments.horizon_days
    days = weekly_days(horizon)
    names: list[str] = []
    values: list[float] = []
    households, money = payments.household_curve(days), payments.money_curve(days)
    for day, h, m in zip(days, households, money, strict=True):
        names += [f"households_paid_day_{day:g}", f"money_paid_day_{day:g}"]
        values += [h, m]
    names.append("unpaid_share_end")
    values.append(1.0 - households[-1])
    names += [f"payment_day_q{round(100 * q)}" for q in PAYMENT_DAY_QUANTILES]
    values += _payment_day_quantiles(payments)
    for day in (*[d for d in SPREAD_DAYS if d < horizon], float(horizon)):
        names.append(f"building_sd_day_{day:g}")
        shares = payments.building_shares(day)
        values.append(float(shares.std(ddof=1)) if shares.size > 1 else 0.0)
    if payments.has_contacts:
        names += CONTACT_MOMENTS
        values += contact_moments(payments)
    return MomentSet(tuple(names), np.asarray(values, dtype=float))


def contact_moments(payments: Payments) -> list[float]:
    """Return the contact moments of `payments` (which must have a contact log), as `CONTACT_MOMENTS`."""
    owner, day = payments.contact_owner, payments.contact_day
    if owner is None or day is None:
        raise ValueError("these payments have no contact log")
    n = payments.households
    gap = payments.paid_day[owner] - day  # NaN for a household that did not pay
    within = np.bincount(owner[(gap >= 0) & (gap <= CONTACT_WINDOW_DAYS)], minlength=n) > 0
    same_day = np.bincount(owner[gap == 0], minlength=n) > 0
    contacted = np.count_nonzero(np.bincount(owner, minlength=n))
    payers = np.count_nonzero(~np.isnan(payments.paid_day))
    return [
        np.count_nonzero(within) / contacted if contacted else 0.0,
        np.count_nonzero(same_day) / payers if payers else 0.0,
        len(owner) / n if n else 0.0,
    ]


def _payment_day_quantiles(payments: Payments) -> list[float]:
    """Return the quantiles of the payment day among payers, as fractions of the horizon (1 if none paid)."""
    paid = payments.paid_day[~np.isnan(payments.paid_day)]
    if paid.size == 0:
        return [1.0] * len(PAYMENT_DAY_QUANTILES)
    return list(np.quantile(paid, PAYMENT_DAY_QUANTILES) / payments.horizon_days)
