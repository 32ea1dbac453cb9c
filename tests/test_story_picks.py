"""Stories for trainers (issue 14, point 8): picks match their names exactly, suggestions name
scenarios where the pick can happen, and mood words spread over an owner's own moods."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.calendar import HOURS_PER_DAY
from sim.cli import app
from sim.records import EventRecord
from sim.scenario import load_scenario, parse_overrides
from sim.views.eventlog import FEE_CONTACTS, MISSED
from sim.views.moods import OwnerMoods
from sim.views.onerun import LoggedRun, logged_run
from sim.views.picks import PICKS, pick_owner
from sim.views.story import owner_story
from sim.views.tickets import FIXED
from tests.paths import ROOT, SCENARIOS

PLAYBOOK, BASELINE = SCENARIOS / "playbook.yaml", SCENARIOS / "baseline.yaml"
SMALL = ["community.households=200", "community.buildings=4", "horizon_days=80"]


def _run(path, seed: int = 0) -> LoggedRun:
    return logged_run(load_scenario(path, parse_overrides(SMALL)), seed)


@pytest.fixture(scope="module")
def playbook() -> LoggedRun:
    return _run(PLAYBOOK)


@pytest.fixture(scope="module")
def baseline() -> LoggedRun:
    return _run(BASELINE)


def _one(records: list[EventRecord], kind: str, outcomes: tuple[str, ...] = ()) -> EventRecord | None:
    return next((r for r in records if r.kind == kind and (not outcomes or r.outcome in outcomes)), None)


# -- each pick checked against its definition, written out again here -----------------------------------


def _hard_paid_after_team_visit(run: LoggedRun, owner: int) -> None:
    records = run.owner_records(owner)
    decision, payment = _one(records, "decision"), _one(records, "payment")
    assert run.result.owners["segment"].iloc[owner] == "hard" and decision and payment
    reached_before = [
        r for r in records if r.kind in FEE_CONTACTS and r.outcome not in MISSED and r.time <= decision.time
    ]
    assert reached_before[-1].kind == "team_visit", [r.kind for r in reached_before]


def _undecided_waited(run: LoggedRun, owner: int) -> None:
    records = run.owner_records(owner)
    decision, bill, payment = _one(records, "decision"), _one(records, "bill"), _one(records, "payment")
    assert run.result.owners["segment"].iloc[owner] == "undecided"
    assert decision.outcome == "hazard" and decision.value >= 0.5
    assert payment.time - bill.time >= 7 * HOURS_PER_DAY


def _promise_broken_then_kept(run: LoggedRun, owner: int) -> None:
    records = run.owner_records(owner)
    broken = _one(records, "promise_due", ("broken",))
    after = [r for r in records if r.time > broken.time]
    made = _one(after, "promise")
    assert made is not None and _one(records, "payment") is not None
    assert _one([r for r in after if r.time >= made.time], "promise_due", ("kept", "already_paid"))


def _ticket_fixed_then_paid(run: LoggedRun, owner: int) -> None:
    records = run.owner_records(owner)
    fixed, decision = _one(records, "ticket", tuple(FIXED)), _one(records, "decision")
    assert fixed and decision and _one(records, "payment")
    assert fixed.time <= decision.time


def _given_up(run: LoggedRun, owner: int) -> None:
    records = run.owner_records(owner)
    assert _one(records, "given_up") is not None and _one(records, "payment") is None


DEFINITIONS = {
    "hard-paid-after-team-visit": ("playbook", _hard_paid_after_team_visit),
    "undecided-waited": ("playbook", _undecided_waited),
    "promise-broken-then-kept": ("playbook", _promise_broken_then_kept),
    "ticket-fixed-then-paid": ("playbook", _ticket_fixed_then_paid),
    "given-up": ("baseline", _given_up),
}


def test_every_pick_has_a_definition_here() -> None:
    assert set(DEFINITIONS) == set(PICKS)


@pytest.mark.parametrize("kind", list(DEFINITIONS))
def test_each_pick_matches_its_definition(kind: str, request: pytest.FixtureRequest) -> None:
    fixture, definition = DEFINITIONS[kind]
    run = request.getfixturevalue(fixture)
    definition(run, pick_owner(run, kind))


def _record(time: float, kind: str, outcome: str = "", value: float = 0.0) -> EventRecord:
    return EventRecord(time=time, kind=kind, owner=0, collector=0, outcome=outcome, value=value)


def test_a_payment_after_a_later_home_visit_is_not_after_a_team_visit() -> None:
    """The owner of the issue: promised on a team visit, then on a home visit; paid as promised."""
    test = PICKS["hard-paid-after-team-visit"].test
    team = [_record(10, "bill"), _record(20, "team_visit", "promises"), _record(20.5, "promise")]
    home = [_record(40, "home_visit", "promises"), _record(40.5, "promise")]
    paid = [_record(90, "promise_due", "kept"), _record(90, "decision", "promise"), _record(90, "payment")]
    assert not test("hard", [*team, *home, *paid])
    assert test("hard", [*team, *paid])
    assert not test("undecided", [*team, *paid])
    missed_home = [_record(40, "home_visit", "not_home")]
    assert test("hard", [*team, *missed_home, *paid])  # a visit that found nobody changes nothing


# -- suggestions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(PICKS))
def test_suggested_scenarios_are_ones_where_the_pick_can_happen(kind: str) -> None:
    for relative in PICKS[kind].scenarios:
        scenario = load_scenario(ROOT / relative)
        assert PICKS[kind].obstacle(scenario) is None, relative


def test_given_up_on_the_playbook_says_why_and_suggests_elsewhere() -> None:
    result = CliRunner().invoke(app, ["story", str(PLAYBOOK), "--pick", "given-up"])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "give_up_after is 0" in message and "scenarios/baseline.yaml" in message
    assert "playbook.yaml" not in message
    assert "Traceback" not in result.stderr


def test_a_possible_pick_without_an_owner_says_so() -> None:
    args = ["story", str(BASELINE), "--set", "community.households=50", "--set", "horizon_days=3"]
    result = CliRunner().invoke(app, [*args, "--pick", "given-up"])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "no owner in this run" in message and "another --seed" in message
    assert "scenarios/staged.yaml" in message


# -- mood words ------------------------------------------------------------------------------------


def test_mood_words_spread_over_one_owners_contacts(playbook: LoggedRun) -> None:
    owner = pick_owner(playbook, "hard-paid-after-team-visit")
    lines = [line for line in owner_story(playbook, owner) if ", mood " in line]
    words = Counter(line.split("(")[-1].split(")")[0] for line in lines)
    assert len(lines) >= 10 and set(words) <= {"low", "usual", "good"}
    assert len(words) >= 2, words


def test_mood_words_split_an_owners_waking_hours_in_thirds(baseline: LoggedRun) -> None:
    from sim.calendar import Calendar
    from sim.mood import mood_clocks

    moods = OwnerMoods(baseline)
    clocks = mood_clocks(baseline.scenario, Calendar.from_scenario(baseline.scenario))
    for owner in (0, 7, 55):
        schedule = baseline.result.owners["schedule"].iloc[owner]
        per_hour = np.array(clocks[0 if schedule == "five_day" else 1].per_hour)
        awake = per_hour[(np.arange(len(per_hour)) % 24 >= 8) & (np.arange(len(per_hour)) % 24 < 22)]
        level = baseline.population.mood_level[owner]
        words = Counter(moods.word(owner, level * m) for m in awake)
        shares = {w: words[w] / len(awake) for w in ("low", "usual", "good")}
        assert shares["low"] <= 1 / 3 + 1e-9 and shares["good"] <= 1 / 3 + 1e-9
        assert shares["low"] > 0.1 and shares["good"] > 0.1, shares
