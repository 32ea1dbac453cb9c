"""Every tactic, alone on the baseline, does what it claims: tests sized for power, nulls tested as nulls.

Each tactic scenario (`scenarios/tactics/<name>.yaml`, `sim.scenario.catalogue`)
is the baseline plus one tactic.  Both run on the same replication seeds
(common random numbers) and the test reads the paired differences of the
household paid share, tactic minus baseline (`tests/stats.py`).  No effect
is written into the engine: each comes out of the mechanism the tactic
switches on (docs/model.md).

Two sizes:

* HALF, the default community halved in everything that scales with it
  (1,000 households in 10 buildings, 2 collectors, 2 crew members, 3
  maintenance tickets a day, 5 non-collecting staff), over 180 days;
* the default community itself (2,000 households, 365 days), slow.

**Claims and power.**  A tactic claims a rise of at least `delta` points in
the paid share at the end of the run.  The test passes when the paired 95%
interval lies above 0; with `sd` the spread of the paired differences it has
95% power at `delta` with the pairs `tests/stats.py` finds from the
noncentral t distribution (about (3.61 sd / delta)^2 with many pairs; at
least 6; why 95% and not 80%: `tests/stats.py`).  `sd`
and the estimate behind `delta` come from pilots on other seeds (master seed
100, 16 pairs each, `examples/tactic_effects.py`); `delta` is two thirds of
the pilot's estimate, rounded down to 0.1 point, so a test keeps its power if
the pilot overestimated the effect by up to half.  The tests that need few
pairs at HALF run by default, the others are slow.

**Claimed nulls.**  With the evidence-based defaults some tactics change the
year-end share by less than a manager could act on: team support (T1; morale
recovers within a day or two anyway), the staff atmosphere (T2; 5 staff for
1,000 households meet an owner every 67 days) and the V1 calling windows
(the weekly mood cycle is mild; and at the baseline's paid hours even
under the source's own claims about moods).  Each is tested for equivalence: the paired
90% interval must lie inside +-MARGIN (0.5 point, 5 households in 1,000), with
the pairs that give 95% power at the pilot's estimate (`tests/stats.py`).

Key owners first (T10) claims speed, not a higher year-end share: the core
people pay earlier and sway the rest sooner, measured as the paid share on
day 30.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

import sim
from sim.scenario.catalogue import TACTICS
from tests.paths import SCENARIOS
from tests.stats import above_zero, equivalent, pairs_for_equivalence, pairs_for_power

HALF = {
    "community.households": 1000,
    "community.buildings": 10,
    "horizon_days": 180,
    "team.collectors": 2,
    "service.crew": 2,
    "service.maintenance_tickets_per_day": 3.0,
    "strategy.atmosphere.staff": 5,
}
SEED = 0
MARGIN = 0.005
SEED_CLAIMS = {"owners.schedules.five_day_share": 0.93, "mood.profile": "seed"}


class Claim(NamedTuple):
    """A claimed rise `delta` of the final paid share, and the spread `sd` of the pilot's pairs."""

    delta: float
    sd: float

    @property
    def pairs(self) -> int:
        return pairs_for_power(self.delta, self.sd)


class Null(NamedTuple):
    """A claimed null: the pilot's estimate and spread of the pairs, tested against MARGIN."""

    estimate: float
    sd: float

    @property
    def pairs(self) -> int:
        return pairs_for_equivalence(MARGIN, self.sd, self.estimate)


# HALF pilots (seed 100, 16 pairs): claim = 2/3 of the estimate, rounded down to 0.05 point; spread.
CLAIMS_HALF: dict[str, Claim] = {
    "debrief": Claim(0.0065, 0.0080),  # pilot +1.01 pp
    "direct_lane": Claim(0.0095, 0.0044),  # +1.48
    "chase": Claim(0.0120, 0.0083),  # +1.81
    "reminders": Claim(0.0035, 0.0050),  # +0.56
    "contact_discovery": Claim(0.0055, 0.0069),  # +0.86
    "triage": Claim(0.0125, 0.0058),  # +1.89
    "escalation": Claim(0.0280, 0.0047),  # +4.24
    "publicity": Claim(0.0125, 0.0108),  # +1.94
    "calm_listening": Claim(0.0050, 0.0063),  # +0.76
    "praise_first": Claim(0.0080, 0.0057),  # +1.26
    "home_visits": Claim(0.0115, 0.0071),  # +1.74
    "etiquette": Claim(0.0065, 0.0065),  # +1.04
    "concrete_time": Claim(0.0060, 0.0064),  # +0.93
    "waiting_call": Claim(0.0045, 0.0047),  # +0.71
    "goodwill": Claim(0.0030, 0.0041),  # +0.48
    "staged_billing": Claim(0.0080, 0.0081),  # +1.27
}
# A HALF test that would need more than MAX_HALF_PAIRS pairs is left to the default size, where
# every tactic is tested anyway: SMS notices (pilot +0.34 point, spread 0.61: 123 pairs) and team
# visits (+0.62, spread 0.86: 63 pairs; on the test's seed 0 an earlier model gave +0.24 over 48).
MAX_HALF_PAIRS = 60
FULL_SIZE_ONLY = {"sms_notices", "team_visits"}
NULLS_HALF: dict[str, Null] = {
    "team_support": Null(0.0000, 0.0037),
    "staff_atmosphere": Null(0.0020, 0.0044),
    "v1_call_windows": Null(0.0015, 0.0059),
}
# Key owners first on day 30 (HALF, 31 days; pilot seed 100, 60 pairs: +0.78 pp, spread 1.00).
KEY_OWNERS_DAY_30 = Claim(0.0050, 0.0100)

# The default community (2,000 households, 365 days; pilots seed 100, 16 pairs).
CLAIMS_FULL: dict[str, Claim] = {
    "debrief": Claim(0.0030, 0.0029),  # pilot +0.49 pp
    "direct_lane": Claim(0.0040, 0.0033),  # +0.66
    "chase": Claim(0.0070, 0.0032),  # +1.07
    "reminders": Claim(0.0010, 0.0023),  # +0.16
    "sms_notices": Claim(0.0015, 0.0022),  # +0.24
    "team_visits": Claim(0.0055, 0.0043),  # +0.84
    "contact_discovery": Claim(0.0050, 0.0036),  # +0.81
    "triage": Claim(0.0055, 0.0038),  # +0.89
    "escalation": Claim(0.0340, 0.0041),  # +5.13
    "key_owners": Claim(0.0025, 0.0024),  # +0.38
    "publicity": Claim(0.0065, 0.0059),  # +1.01
    "calm_listening": Claim(0.0025, 0.0024),  # +0.44
    "praise_first": Claim(0.0050, 0.0030),  # +0.77
    "home_visits": Claim(0.0100, 0.0037),  # +1.50
    "etiquette": Claim(0.0040, 0.0025),  # +0.60
    "concrete_time": Claim(0.0025, 0.0022),  # +0.38
    "waiting_call": Claim(0.0015, 0.0025),  # +0.29
    "goodwill": Claim(0.0025, 0.0025),  # +0.38
    "staged_billing": Claim(0.0025, 0.0038),  # +0.42
}
NULLS_FULL: dict[str, Null] = {
    "team_support": Null(0.0011, 0.0018),
    "staff_atmosphere": Null(0.0013, 0.0021),
    "v1_call_windows": Null(0.0008, 0.0040),
}
# V1 under the source's own claims (full size; pilot seed 100, 16 pairs: +0.09 pp, spread 0.25):
# at the baseline's paid hours even the source's sour weekdays and bright Friday afternoons do not
# make its windows pay: a claimed null too.
V1_UNDER_SEED_CLAIMS = Null(0.0009, 0.0025)
DEFAULT_SUITE = {name for name, claim in CLAIMS_HALF.items() if claim.pairs <= 10}
BASE_DEFAULT = max(CLAIMS_HALF[name].pairs for name in DEFAULT_SUITE)
BASE_HALF = max(c.pairs for c in (*CLAIMS_HALF.values(), *NULLS_HALF.values()))


_RUNS: dict[tuple, list[float]] = {}


def paid_shares(path: str, reps: int, day: int = -1, extra: tuple = ()) -> list[float]:
    """Return the paid share on `day` of replications 0..reps-1 (the seed of r does not depend on reps)."""
    key = (path, day, extra)
    if len(_RUNS.get(key, ())) < reps:
        runs = sim.replicate(
            sim.load_scenario(path, dict(extra)), reps, seed=SEED, workers=2 if reps >= 12 else 1
        )
        _RUNS[key] = [float(r.daily["paid_share"].iloc[day]) for r in runs]
    return _RUNS[key][:reps]


def shares(
    name: str, reps: int, day: int = -1, extra: tuple = tuple(HALF.items()), base_reps: int = 0
) -> tuple[list, list]:
    """Return the tactic's and the baseline's paid share on `day` over `reps` paired replications.

    The baseline runs once for the `base_reps` replications its tests need together.
    """
    tactic = paid_shares(str(SCENARIOS / "tactics" / f"{name}.yaml"), reps, day, extra)
    base = str(SCENARIOS / "baseline.yaml")
    return tactic, paid_shares(base, max(reps, base_reps), day, extra)[:reps]


def test_every_tactic_has_a_claim() -> None:
    names = {t.name for t in TACTICS}
    assert {*CLAIMS_HALF, *NULLS_HALF, *FULL_SIZE_ONLY, "key_owners"} == names
    assert {*CLAIMS_FULL, *NULLS_FULL} == names


def test_the_sizes_follow_from_the_claims() -> None:
    # The debrief's 0.65 point over a spread of 0.80: (3.61 sd / delta)^2 = 19.7 by the normal
    # approximation; the t distribution's heavier tails ask 22 pairs.
    assert CLAIMS_HALF["debrief"].pairs == 22
    assert all(c.pairs <= MAX_HALF_PAIRS for c in (*CLAIMS_HALF.values(), *NULLS_HALF.values()))
    assert NULLS_HALF["team_support"].pairs >= 6


@pytest.mark.parametrize("name", sorted(DEFAULT_SUITE))
def test_tactic_raises_the_paid_share(name: str) -> None:
    difference = above_zero(*shares(name, CLAIMS_HALF[name].pairs, base_reps=BASE_DEFAULT))
    assert difference["ok"], difference


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(CLAIMS_HALF) - DEFAULT_SUITE))
def test_tactic_raises_the_paid_share_slow(name: str) -> None:
    difference = above_zero(*shares(name, CLAIMS_HALF[name].pairs, base_reps=BASE_HALF))
    assert difference["ok"], difference


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NULLS_HALF))
def test_tactic_changes_the_paid_share_by_less_than_the_margin(name: str) -> None:
    difference = equivalent(*shares(name, NULLS_HALF[name].pairs, base_reps=BASE_HALF), margin=MARGIN)
    assert difference["ok"], difference


@pytest.mark.slow
def test_key_owners_first_speeds_collection() -> None:
    """Key owners first raises the paid share on day 30 (HALF; only the first 31 days are run).

    A longer horizon repeats a shorter one day for day (tests/test_metamorphic.py).
    """
    extra = tuple({**HALF, "horizon_days": 31}.items())
    difference = above_zero(*shares("key_owners", KEY_OWNERS_DAY_30.pairs, day=30, extra=extra))
    assert difference["ok"], difference


FULL: tuple = ()
BASE_FULL = max(c.pairs for c in (*CLAIMS_FULL.values(), *NULLS_FULL.values()))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLAIMS_FULL))
def test_tactic_raises_the_paid_share_in_the_default_community(name: str) -> None:
    difference = above_zero(*shares(name, CLAIMS_FULL[name].pairs, extra=FULL, base_reps=BASE_FULL))
    assert difference["ok"], difference


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NULLS_FULL))
def test_tactic_changes_little_in_the_default_community(name: str) -> None:
    difference = equivalent(
        *shares(name, NULLS_FULL[name].pairs, extra=FULL, base_reps=BASE_FULL), margin=MARGIN
    )
    assert difference["ok"], difference


@pytest.mark.slow
def test_v1_windows_change_little_even_under_the_seeds_claims() -> None:
    extra = tuple(SEED_CLAIMS.items())
    difference = equivalent(
        *shares("v1_call_windows", V1_UNDER_SEED_CLAIMS.pairs, extra=extra), margin=MARGIN
    )
    assert difference["ok"], difference
