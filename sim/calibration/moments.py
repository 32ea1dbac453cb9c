"""The moments a ledger and a run are compared on.

Weekly cumulative shares of households and of money paid, the share unpaid at
the end, quantiles of the payment day among payers, and the spread between
buildings' paid shares (the signature of herd behaviour: neighbours pay
together, so buildings drift apart more than independent owners would make
them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calibration.payments import Payments

__all__ = ["PAYMENT_DAY_QUANTILES", "MomentSet", "moment_set"]

PAYMENT_DAY_QUANTILES: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9)
SPREAD_DAYS: tuple[float, ...] = (28.0, 91.0)


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
    return MomentSet(tuple(names), np.asarray(values, dtype=float))


def _payment_day_quantiles(payments: Payments) -> list[float]:
    """Return the quantiles of the payment day among payers, as fractions of the horizon (1 if none paid)."""
    paid = payments.paid_day[~np.isnan(payments.paid_day)]
    if paid.size == 0:
        return [1.0] * len(PAYMENT_DAY_QUANTILES)
    return list(np.quantile(paid, PAYMENT_DAY_QUANTILES) / payments.horizon_days)
