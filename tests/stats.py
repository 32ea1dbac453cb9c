"""Sizing and reading paired comparisons: power for a claimed effect, equivalence for a claimed null.

A paired test of a claimed effect passes when the 95% Student-t interval of
the mean paired difference lies above 0 (a one-sided test at 2.5%).  With
sd the spread of the paired differences and n pairs, its power at a true
effect delta is P(T > t_0.975,n-1) for T noncentral t with n - 1 degrees of
freedom and noncentrality delta sqrt(n) / sd; `pairs_for_power` returns the
smallest n (at least 6) with 95% power.  The normal approximation
n = ((z_0.975 + z_0.95) sd / delta)^2 = (3.61 sd / delta)^2 is close for many
pairs and too small for few.

Why 95% and not the usual 80%: the tests run on fixed seeds, so a test that
misses its claim by bad luck fails every time, and the suite holds some 45
such tests.  At 80% power each would fail on one seed in five even when its
claim is exactly right; at 95%, one in twenty, and since claims are set at
two thirds of a pilot's estimate, far fewer in practice.

A claimed null is tested for equivalence (two one-sided tests): the 90%
interval of the mean paired difference must lie inside (-margin, +margin).
At a true difference e each side holds with probability
P(T > t_0.95,n-1), noncentrality (margin -+ e) sqrt(n) / sd, and the power is
at least the sum of the two less 1; `pairs_for_equivalence` returns the
smallest n (at least 6) for which that bound reaches 95%.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from scipy import stats

from sim.compare import paired_difference

POWER = 0.95
MIN_PAIRS = 6
MAX_PAIRS = 10_000


def power_above_zero(delta: float, sd: float, n: int) -> float:
    """Return the power of the paired test (95% interval above 0) at a true effect `delta`."""
    df = n - 1
    return float(stats.nct.sf(stats.t.ppf(0.975, df), df, delta * math.sqrt(n) / sd))


def power_equivalent(estimate: float, sd: float, margin: float, n: int) -> float:
    """Return a lower bound of the power of the equivalence test at a true difference `estimate`."""
    df = n - 1
    critical = stats.t.ppf(0.95, df)
    upper = stats.nct.sf(critical, df, (margin - estimate) * math.sqrt(n) / sd)
    lower = stats.nct.sf(critical, df, (margin + estimate) * math.sqrt(n) / sd)
    return max(0.0, float(upper + lower - 1.0))


def pairs_for_power(delta: float, sd: float, power: float = POWER) -> int:
    """Return the pairs a paired test needs for `power` at effect `delta` (spread `sd` of the pairs)."""
    return _smallest_n(lambda n: power_above_zero(delta, sd, n) >= power)


def pairs_for_equivalence(margin: float, sd: float, estimate: float = 0.0, power: float = POWER) -> int:
    """Return the pairs an equivalence test needs for `power` at a true difference `estimate`."""
    if abs(estimate) >= margin:
        raise ValueError(f"a true difference {estimate} outside the margin {margin} is not a null")
    return _smallest_n(lambda n: power_equivalent(estimate, sd, margin, n) >= power)


def _smallest_n(enough: Callable[[int], bool]) -> int:
    """Return the smallest n >= MIN_PAIRS for which `enough(n)` holds (power grows with n)."""
    low, high = MIN_PAIRS, MIN_PAIRS
    while not enough(high):
        low, high = high + 1, high * 2
        if high > MAX_PAIRS:
            raise ValueError(f"more than {MAX_PAIRS} pairs needed")
    while low < high:
        middle = (low + high) // 2
        low, high = (middle + 1, high) if not enough(middle) else (low, middle)
    return low


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
