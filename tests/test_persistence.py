"""Bounded persistence: visit caps, complaints about chasing, the escalation ladder, conditional promises."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest

import sim
from tests.paths import SCENARIOS

SMALL = {"community.households": 400, "community.buildings": 4, "horizon_days": 150}
FEE_CONTACTS = ("call", "home_visit", "team_visit", "workplace_visit")
ANSWERED = ("pays_now", "promises", "refuses", "stalls", "hostile")


def _run(path: str = "playbook.yaml", seed: int = 2, **extra: object) -> sim.RunResult:
    return sim.simulate(sim.load_scenario(SCENARIOS / path, {**SMALL, **extra}), seed, log_events=True)


def test_no_owner_gets_more_visits_than_the_caps() -> None:
    result = _run(**{"strategy.visits.max_per_owner": 2, "strategy.team_visits.max_per_owner": 1})
    visits = Counter((r.owner, r.kind) for r in result.records if r.kind in ("home_visit", "team_visit"))
    assert visits, "the playbook visits"
    assert max(n for (_, kind), n in visits.items() if kind == "home_visit") <= 2
    assert max(n for (_, kind), n in visits.items() if kind == "team_visit") <= 1
    # and the caps bind: without them some owners get more
    free = _run(**{"strategy.visits.max_per_owner": 100, "strategy.team_visits.max_per_owner": 100})
    more = Counter((r.owner, r.kind) for r in free.records if r.kind in ("home_visit", "team_visit"))
    assert max(more.values()) > 2


def test_complaints_come_only_beyond_the_tolerance_and_hold_contacts_off() -> None:
    tolerance, window, cooling = 2, 30.0, 20.0
    result = _run(
        **{
            "over_contact.tolerance": tolerance,
            "over_contact.window_days": window,
            "over_contact.cooling_off_days": cooling,
            "over_contact.complaint_probability": 0.5,
        }
    )
    answered: dict[int, list[float]] = defaultdict(list)
    complaints = 0
    for record in result.records:  # in time order
        if record.kind in FEE_CONTACTS and record.outcome in ANSWERED:
            answered[record.owner].append(record.time)
        elif record.kind == "complaint":
            complaints += 1
            contact = answered[record.owner][-1]  # the contact the complaint follows (by its start)
            assert contact == pytest.approx(record.time, abs=2.0)
            recent = [t for t in answered[record.owner] if t > contact - window * 24]
            assert len(recent) > tolerance, (record, recent)
            later = [
                r.time
                for r in result.records
                if r.owner == record.owner and r.kind in FEE_CONTACTS and record.time < r.time
            ]
            assert not later or later[0] >= record.time + cooling * 24 - 1e-6, (record, later[:3])
    assert complaints > 0 and complaints == result.kpis["complaints"]


def test_without_over_contact_there_are_no_complaints() -> None:
    assert _run(**{"over_contact.enabled": False}).kpis["complaints"] == 0


LADDER = {
    "strategy.arrears_notice.enabled": True,
    "strategy.arrears_notice.after_days": 40,
    "strategy.lawyer_letter.enabled": True,
    "strategy.lawyer_letter.after_days": 60,
    "strategy.lawsuit.enabled": True,
    "strategy.lawsuit.after_days": 20,
    "strategy.lawsuit.days_to_judgment": 30,
    "strategy.lawsuit.max_cases": 25,
}


def test_the_ladder_takes_its_steps_in_order_and_counts_its_cost() -> None:
    result = _run("baseline.yaml", seed=1, **LADDER)
    bills = {r.owner: r.time for r in result.records if r.kind == "bill"}
    paid = {r.owner: r.time for r in result.records if r.kind == "payment"}
    letters = {r.owner: r.time for r in result.records if r.kind == "lawyer_letter"}
    filed = {r.owner: r.time for r in result.records if r.kind == "lawsuit" and r.outcome == "filed"}
    notices = [r for r in result.records if r.kind == "arrears_notice"]
    assert notices and letters and filed
    for r in notices:
        assert r.time == pytest.approx(bills[r.owner] + 40 * 24) and paid.get(r.owner, np.inf) > r.time
    for owner, t in letters.items():
        assert t == pytest.approx(bills[owner] + 60 * 24) and paid.get(owner, np.inf) > t
    for owner, t in filed.items():
        assert t == pytest.approx(letters[owner] + 20 * 24) and paid.get(owner, np.inf) > t
    assert len(filed) <= 25
    ladder = result.kpis["ladder"]
    assert (ladder["arrears_notices"], ladder["lawyer_letters"], ladder["lawsuits"]) == (
        len(notices),
        len(letters),
        len(filed),
    )
    assert ladder["legal_cost"] == pytest.approx(800 * len(letters) + 2000 * len(filed))
    by_lawsuit = [o for o, cause in zip(result.owners["owner"], result.owners["decided_by"], strict=True)
                  if cause == "lawsuit"]  # fmt: skip
    assert by_lawsuit and all(o in filed for o in by_lawsuit)
    assert result.kpis["payments_by_cause"]["lawsuit"] <= len(by_lawsuit)


def test_the_ladder_is_off_in_the_shipped_scenarios() -> None:
    for path in ("baseline.yaml", "playbook.yaml"):
        ladder = _run(path).kpis["ladder"]
        assert all(v == 0 for v in ladder.values()), ladder


def test_a_promise_made_over_an_open_grievance_waits_for_the_fix() -> None:
    # With a full block, no promise falls due kept while the owner's grievance is still open.
    result = _run("baseline.yaml", seed=3, **{"service.grievance_block": 0.0, "service.crew": 0})
    opened_grievance = {
        r.owner for r in result.records if r.kind == "refusal" and r.outcome in ("fixable", "legacy")
    }
    kept = [r for r in result.records if r.kind == "promise_due" and r.outcome == "kept"]
    broken = [r for r in result.records if r.kind == "promise_due" and r.outcome == "broken"]
    assert not [r for r in kept if r.owner in opened_grievance]
    assert [r for r in broken if r.owner in opened_grievance], "the case occurs"
