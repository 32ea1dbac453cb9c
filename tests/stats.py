"""Sizing and reading paired comparisons: power for a claimed effect, equivalence for a claimed null.

A paired test of a claimed effect passes when the 95% Student-t interval of
the mean paired difference lies above 0 (a one-sided test at 2.5%).  With
sd the spread of the paired differences, it has 80% power at a true effect
delta when n >= ((z_0.975 + z_0.80) sd / delta)^2 = (2.80 sd / delta)^2 (the
normal approximation; the t quantile with few pairs is larger, so at least 6
pairs are asked).

A claimed null is tested for equivalence (two one-sided tests): the 90%
interval of the mean paired difference must lie inside (-margin, +margin).
At a true difference of 0 that has 80% power when
n >= ((z_0.95 + z_0.90) sd / margin)^2 = (2.93 sd / margin)^2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.compare import paired_difference

Z_975, Z_95, Z_90, Z_80 = 1.959964, 1.644854, 1.281552, 0.841621
MIN_PAIRS = 6


def pairs_for_power(delta: float, sd: float) -> int:
    """Return the pairs a paired test needs for 80% power at effect `delta` (spread `sd` of the pairs)."""
    return max(MIN_PAIRS, math.ceil(((Z_975 + Z_80) * sd / delta) ** 2))


def pairs_for_equivalence(margin: float, sd: float) -> int:
    """Return the pairs an equivalence test needs for 80% power at a true difference of 0."""
    return max(MIN_PAIRS, math.ceil(((Z_95 + Z_90) * sd / margin) ** 2))


def above_zero(a: Sequence[float], b: Sequence[float]) -> dict:
    """Return the paired difference a - b with its 95% interval; `ok` when the interval lies above 0."""
    difference = paired_difference(a, b)
    return {**difference, "ok": difference["ci_low"] > 0}


def equivalent(a: Sequence[float], b: Sequence[float], margin: float) -> dict:
    """Return the paired difference a - b with its 90% interval; `ok` when it lies inside +-margin."""
    difference = paired_difference(a, b, level=0.90)
    return {
        **difference,
        "margin": margin,
        "ok": -margin < difference["ci_low"] and difference["ci_high"] < margin,
    }
