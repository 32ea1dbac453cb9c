"""Every tactic, alone on top of the baseline, moves collection the way the playbook says.

Each tactic scenario (`scenarios/tactics/<name>.yaml`) is the baseline plus one
tactic.  Both run on the same replication seeds (common random numbers), and
the test takes the paired difference of the final household paid share,
tactic minus baseline, per replication.  The 95% Student-t interval of the
mean difference (from the spread of the paired differences over the
replications) must lie above 0.  A smaller community keeps it fast: 500
households in 5 buildings over 180 days, with the team and the crew scaled
down with it (1 collector, 1 crew member, 1.5 maintenance tickets a day).

No effect is written into the engine: each comes out of the mechanism the
tactic switches on (docs/model.md).  The effects differ in size; the tactics
with the larger effects run in the default suite with 10 replications, the
rest, which need 24 replications for an interval clear of 0, are marked slow.

Two tactics target something else than the final share, and are tested on it:

* key owners first (T10) targets speed: the core people pay earlier and sway
  the rest sooner.  The baseline of this small setup rarely reaches 80%, so
  speed is measured as the paid share on day 30.
* the V1 calling windows rest on the source document's claims about moods and
  five-day weeks.  Under those claims (`seed_literal`: 93% five-day workers,
  the seed's mood cycle) V1 raises the final share; under the evidence-based
  defaults the mood cycle is mild and V1's gain is within noise, so there the
  test only asks that V1 does not lower collection beyond noise.
"""

from __future__ import annotations

from functools import cache

import pytest

import sim
from sim.compare import paired_difference
from tests.paths import SCENARIOS

SMALL = {
    "community.households": 500,
    "community.buildings": 5,
    "horizon_days": 180,
    "team.collectors": 1,
    "service.crew": 1,
    "service.maintenance_tickets_per_day": 1.5,
}
SEED = 0
FAST = ["home_visits", "contact_discovery", "triage", "debrief", "team_visits"]
SLOW = [
    "staged_billing",
    "etiquette",
    "praise_first",
    "calm_listening",
    "concrete_time",
    "waiting_call",
    "reminders",
    "chase",
    "sms_notices",
    "direct_lane",
    "escalation",
    "staff_atmosphere",
    "team_support",
    "publicity",
    "goodwill",
]


SEED_CLAIMS = {"owners.schedules.five_day_share": 0.93, "mood.profile": "seed"}


@cache
def paid_shares(path: str, reps: int, day: int = -1, extra: tuple = ()) -> list[float]:
    scenario = sim.load_scenario(path, {**SMALL, **dict(extra)})
    replications = sim.replicate(scenario, reps, seed=SEED)
    return [float(r.daily["paid_share"].iloc[day]) for r in replications]


def effect(name: str, reps: int, day: int = -1, extra: tuple = ()) -> dict:
    tactic = paid_shares(str(SCENARIOS / "tactics" / f"{name}.yaml"), reps, day, extra)
    base = paid_shares(str(SCENARIOS / "baseline.yaml"), reps, day, extra)
    return paired_difference(tactic, base)


def test_every_tactic_has_a_scenario_and_a_test() -> None:
    shipped = {p.stem for p in (SCENARIOS / "tactics").glob("*.yaml")}
    assert shipped == {*FAST, *SLOW, "key_owners", "v1_call_windows"}


@pytest.mark.parametrize("name", FAST)
def test_tactic_raises_final_paid_share(name: str) -> None:
    difference = effect(name, 10)
    assert difference["ci_low"] > 0, difference


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_tactic_raises_final_paid_share_slow(name: str) -> None:
    difference = effect(name, 24)
    assert difference["ci_low"] > 0, difference


@pytest.mark.slow
def test_key_owners_first_speeds_collection() -> None:
    """Key owners first raises the paid share on day 30.

    The effect is small (+0.4 pp; the spread of one pair's difference is about
    1.3 pp), so an interval clear of 0 needs more pairs than the other
    tactics: 120 pairs give a standard error near 0.12 pp.  Only the first 31
    days are simulated (a longer horizon repeats them day for day,
    tests/test_metamorphic.py), which keeps this as fast as 24 full runs.
    """
    difference = effect("key_owners", 120, day=30, extra=(("horizon_days", 31),))
    assert difference["ci_low"] > 0, difference


@pytest.mark.slow
def test_v1_windows_pay_off_under_the_seeds_claims() -> None:
    difference = effect("v1_call_windows", 24, extra=tuple(SEED_CLAIMS.items()))
    assert difference["ci_low"] > 0, difference


@pytest.mark.slow
def test_v1_windows_do_not_lower_collection_on_the_defaults() -> None:
    difference = effect("v1_call_windows", 24)
    assert difference["ci_high"] > 0, difference
