"""The playground's JSON API, served for real: runs equal `feesim run`, bad input refused, challenges rank."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.api import replicate
from sim.playground.app import DATABASE
from sim.playground.leaderboard import leaderboard
from sim.playground.levers import switches
from sim.scenario import load_scenario
from sim.scenario.load import SHIPPED_SCENARIOS
from tests.commands import run_feesim
from tests.playground_server import SMALL, call, served

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with served(tmp_path_factory.mktemp("playground")) as base:
        yield base


def test_health_says_ok(server: str) -> None:
    assert call(server, "/api/health") == (200, {"status": "ok"})


def test_a_run_is_the_feesim_run_json_object_of_the_same_choices_and_seed(
    server: str, tmp_path: Path
) -> None:
    overrides = {**SMALL, "service.direct_lane": True}
    status, answer = call(
        server, "/api/run", {"scenario": "baseline", "overrides": overrides, "reps": 3, "seed": 7}
    )
    assert status == 200
    sets = [item for key, value in overrides.items() for item in ("--set", f"{key}={json.dumps(value)}")]
    cli = run_feesim(
        tmp_path,
        "run",
        str(SHIPPED_SCENARIOS / "baseline.yaml"),
        "--reps",
        "3",
        "--seed",
        "7",
        "--json",
        "--out",
        str(tmp_path / "run"),
        *sets,
    )
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    assert set(expected) - {"output"} <= set(answer)
    for key in expected.keys() - {"wall_seconds", "output"}:
        assert answer[key] == expected[key], key  # bit for bit: same engine, scenario and replication seeds
    assert answer["output"] is None
    assert set(answer["explain"]["segments"]) == {"ordinary", "undecided", "hard"}
    assert answer["explain"]["funnel"]["call"]["attempts"] > 0


def test_a_tactic_switch_runs_the_tactic_scenario_file(server: str) -> None:
    direct_lane = next(s for s in switches() if s.tactic == "direct_lane")
    body = {"overrides": {**SMALL, **direct_lane.overrides}, "reps": 2, "seed": 1}
    _, by_switch = call(server, "/api/run", {"scenario": "baseline", **body})
    _, by_file = call(
        server, "/api/run", {"scenario": "tactics/direct_lane", "overrides": SMALL, "reps": 2, "seed": 1}
    )
    assert by_switch["paid_share"] == by_file["paid_share"]


@pytest.mark.parametrize(
    "name",
    [
        "../scenarios/baseline",
        "/etc/passwd",
        "scenarios/baseline.yaml",
        "baseline.yaml",
        "priors",
        "validation/bass",
        "tactics/../baseline",
        "BASELINE",
        "",
        3,
        None,
    ],
)
def test_names_that_are_not_playable_shipped_scenarios_are_refused(server: str, name: object) -> None:
    status, answer = call(server, "/api/run", {"scenario": name, "overrides": SMALL, "reps": 1})
    assert status == 400
    assert "is not a shipped scenario" in answer["error"] and "baseline" in answer["error"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"overrides": {**SMALL, "horizon_days": "soon"}}, "horizon_days"),
        ({"overrides": {**SMALL, "strategy.nope": 1}}, "strategy.nope: unknown key"),
        ({"overrides": {**SMALL, "owners.segments.hard.share": 0.5}}, "sum to 1"),
        ({"overrides": {"community.households": 100000}}, "community.households is 100000"),
        ({"overrides": SMALL, "reps": 1000}, "reps must be a whole number from 1 to 20"),
        ({"overrides": SMALL, "reps": "3"}, "reps must be a whole number"),
        ({"overrides": SMALL, "seed": -1}, "seed must be a whole number"),
        ({"overrides": {}, "reps": 20}, "too much to answer live"),
        ({"overrides": [1, 2]}, "'overrides' must be a JSON object"),
        ({"overrides": SMALL, "extra": 1}, "unknown keys 'extra'"),
    ],
)
def test_bad_runs_get_400_with_the_message(server: str, body: dict, words: str) -> None:
    status, answer = call(server, "/api/run", {"scenario": "baseline", "reps": 1, **body})
    assert status == 400
    assert words in answer["error"]
    assert "/work" not in answer["error"] and str(SHIPPED_SCENARIOS) not in answer["error"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b"null", b'"baseline"'])
def test_bodies_that_are_not_a_run_get_400(server: str, raw: bytes) -> None:
    status, answer = call(server, "/api/run", raw=raw)
    assert status == 400 and answer["error"]


def test_refusals_speak_the_language_asked_for(server: str) -> None:
    body = {"scenario": "baseline", "overrides": {**SMALL, "horizon_days": "soon"}, "reps": 1}
    _, hans = call(server, "/api/run?lang=zh-Hans", body)
    _, hant = call(server, "/api/run", body, headers={"Accept-Language": "zh-TW,zh;q=0.8"})
    assert "情景无效" in hans["error"] and "情景無效" in hant["error"]


def test_identical_plans_sent_together_are_computed_once(server: str) -> None:
    body = {"scenario": "baseline", "overrides": {**SMALL, "team.collectors": 2}, "reps": 3, "seed": 11}
    answers: dict[str, dict] = {}

    def send(ticket: str) -> None:
        answers[ticket] = call(server, "/api/run", {**body, "ticket": ticket})[1]

    threads = [threading.Thread(target=send, args=(ticket,)) for ticket in ("twin-a", "twin-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers["twin-a"]["paid_share"] == answers["twin-b"]["paid_share"]
    reused = [call(server, f"/api/queue/{ticket}")[1]["reused"] for ticket in ("twin-a", "twin-b")]
    assert sorted(reused) == [0, 3]


def test_the_queue_position_of_an_unknown_ticket_is_404(server: str) -> None:
    assert call(server, "/api/queue/nobody")[0] == 404


def test_the_page_and_its_assets_are_served_by_the_package(server: str) -> None:
    import urllib.request

    for language, word in (("en", "feesim playground"), ("zh-Hans", "演练场"), ("zh-Hant", "演練場")):
        with urllib.request.urlopen(f"{server}/?lang={language}") as response:
            page = response.read().decode()
            assert f'lang="{language}"' in page and word in page
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "http://" not in page.replace(server, "") and "https://" not in page
    for asset in ("/assets/playground.js", "/assets/playground.css", "/fonts/FeesimSansSC-Regular.otf"):
        with urllib.request.urlopen(server + asset) as response:
            assert response.status == 200 and len(response.read()) > 1000
    for trick in ("/assets/../app.py", "/assets/%2e%2e/app.py", "/fonts/../catalogue.py"):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server + trick)


# -- the classroom challenge ----------------------------------------------------------------------


def _plan_runs(overrides: dict, seed: int, reps: int):
    scenario = load_scenario(SHIPPED_SCENARIOS / "baseline.yaml", {**SMALL, **overrides})
    return replicate(scenario, reps, seed)


def test_a_challenge_ranks_plans_on_common_seeds_with_paired_differences_and_breaches(server: str) -> None:
    status, created = call(
        server,
        "/api/challenges",
        {
            "scenario": "baseline",
            "budget": 1000,
            "seed": 3,
            "reps": 4,
            "households": 300,
            "horizon_days": 120,
        },
    )
    assert status == 201 and len(created["code"]) == 6
    code = created["code"]
    plans = {
        "Lane": {"team.collectors": 1, "service.direct_lane": True},
        "Two": {"team.collectors": 2},
        "One": {"team.collectors": 1},
    }
    for team, overrides in plans.items():
        status, answer = call(server, f"/api/challenges/{code}/plans", {"team": team, "overrides": overrides})
        assert status == 201, answer
    status, board = call(server, f"/api/challenges/{code}/leaderboard")
    assert status == 200 and board["evaluating"] == 0
    rows = {row["team"]: row for row in board["rows"]}
    assert rows["Two"]["over_budget"] and not rows["One"]["over_budget"]
    assert board["rows"][-1]["team"] == "Two"  # a breach ranks below every plan within budget
    runs = {team: _plan_runs(overrides, 3, 4) for team, overrides in plans.items()}
    finals = {team: runs[team].curve("paid_share")[:, -1] for team in plans}
    winner = board["rows"][0]["team"]
    for team, row in rows.items():
        assert row["final_paid_share"]["mean"] == pytest.approx(finals[team].mean(), abs=1e-12)
        hours = np.mean(runs[team].kpi("staff_hours"))
        assert row["staff_hours"]["mean"] == pytest.approx(hours, abs=1e-9)
        assert row["over_budget"] == (hours > 1000)
        if team != winner:
            assert row["difference_to_winner"]["mean"] == pytest.approx(
                (finals[team] - finals[winner]).mean(), abs=1e-12
            )


def test_bad_challenges_and_plans_are_refused(server: str) -> None:
    assert call(server, "/api/challenges", {"scenario": "many_hard_owners"})[0] == 400  # no budget
    assert call(server, "/api/challenges", {"scenario": "../x", "budget": 10})[0] == 400
    assert call(server, "/api/challenges", {"scenario": "baseline", "budget": -5})[0] == 400
    assert (
        call(server, "/api/challenges", {"scenario": "baseline", "budget": 5, "households": 10**6})[0] == 400
    )
    _, created = call(server, "/api/challenges", {"scenario": "many_hard_owners", "budget": 900, "reps": 2})
    code = created["code"]
    assert call(server, "/api/challenges/NOCODE/plans", {"team": "A", "overrides": {}})[0] == 404
    assert call(server, "/api/challenges/NOCODE/leaderboard")[0] == 404
    status, answer = call(
        server, f"/api/challenges/{code}/plans", {"team": "A", "overrides": {"owners.segments.hard.share": 0}}
    )
    assert status == 400 and "owners.segments.hard.share" in answer["error"]
    status, answer = call(
        server, f"/api/challenges/{code}/plans", {"team": "A", "overrides": {"team.collectors": 0}}
    )
    assert status == 400 and "team.collectors" in answer["error"]
    assert call(server, f"/api/challenges/{code}/plans", {"team": " ", "overrides": {}})[0] == 400
    assert call(server, f"/api/challenges/{code.lower()}/plans", {"team": "A", "overrides": {}})[0] == 201
    status, answer = call(server, f"/api/challenges/{code}/plans", {"team": "A", "overrides": {}})
    assert status == 400 and "already submitted" in answer["error"]
    _, public = call(server, f"/api/challenges/{code}")
    assert public["title"] == "many hard owners" and "owners" not in json.dumps(public).replace(
        "hard owners", ""
    )


def test_a_restarted_server_keeps_challenges_and_evaluates_what_was_left(tmp_path: Path) -> None:
    with served(tmp_path, workers=1) as base:
        _, created = call(
            base, "/api/challenges", {"scenario": "baseline", "budget": 2000, "reps": 2, "seed": 9}
        )
        code = created["code"]
        call(base, f"/api/challenges/{code}/plans", {"team": "Early", "overrides": {}})
        _, before = call(base, f"/api/challenges/{code}/leaderboard")
    with sqlite3.connect(tmp_path / DATABASE) as db:  # a plan stored just before the server stopped
        db.execute(
            "INSERT INTO plans (code, team, overrides, submitted) VALUES (?, 'Late', '{}', 'now')", (code,)
        )
    with served(tmp_path, workers=1) as base:
        _, after = call(base, f"/api/challenges/{code}/leaderboard")
    assert after["plans"] == 2 and after["evaluating"] == 0
    rows = {row["team"]: row for row in after["rows"]}
    assert rows["Early"] == {
        **before["rows"][0],
        "rank": rows["Early"]["rank"],
        "difference_to_winner": rows["Early"]["difference_to_winner"],
    }
    assert (
        rows["Late"]["final_paid_share"] == rows["Early"]["final_paid_share"]
    )  # the same plan, the same seeds


def test_the_leaderboard_of_no_plan_is_empty() -> None:
    assert leaderboard([], 100.0) == []


def test_a_worker_dying_under_a_plan_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-evaluation: the pool is replaced once and the plan's outcome is the same."""
    import os
    import signal
    import time

    from sim.workers import PoolBackend

    pools: list[Any] = []
    original = PoolBackend._new_pool

    def new_pool(self: PoolBackend) -> Any:
        pools.append(original(self))
        return pools[-1]

    monkeypatch.setattr(PoolBackend, "_new_pool", new_pool)
    challenge = {"scenario": "baseline", "budget": 2000, "reps": 12, "seed": 4, "households": 400}
    with served(tmp_path, workers=2) as base:
        _, created = call(base, "/api/challenges", challenge)
        call(base, f"/api/challenges/{created['code']}/plans", {"team": "Unlucky", "overrides": {}})
        deadline = time.monotonic() + 30
        while not pools[0]._processes and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(next(iter(pools[0]._processes)), signal.SIGKILL)
        _, board = call(base, f"/api/challenges/{created['code']}/leaderboard")
    assert len(pools) == 2, "the pool was replaced once"
    assert board["evaluating"] == 0 and board["failed"] == [] and len(board["rows"]) == 1
    challenge_community = {"community.households": 400, "horizon_days": 120}  # the plan sets no collectors
    scenario = load_scenario(SHIPPED_SCENARIOS / "baseline.yaml", challenge_community)
    direct = replicate(scenario, 12, 4).curve("paid_share")[:, -1]
    assert board["rows"][0]["final_paid_share"]["mean"] == pytest.approx(direct.mean(), abs=1e-12)


def test_a_plan_that_cannot_be_evaluated_is_reported_not_awaited(tmp_path: Path) -> None:
    """A stored plan the server cannot run (here: a key no scenario has) is listed as failed."""
    with served(tmp_path, workers=1) as base:
        _, created = call(base, "/api/challenges", {"budget": 2000, "reps": 2})
    with sqlite3.connect(tmp_path / DATABASE) as db:
        db.execute(
            "INSERT INTO plans (code, team, overrides, submitted) VALUES (?, 'Broken', ?, 'now')",
            (created["code"], json.dumps({"strategy.no_such_lever": 1})),
        )
    with served(tmp_path, workers=1) as base:
        status, board = call(base, f"/api/challenges/{created['code']}/leaderboard")
    assert status == 200
    assert board["failed"] == ["Broken"] and board["evaluating"] == 0 and board["rows"] == []


def test_a_page_run_goes_before_the_plans_waiting_for_evaluation(tmp_path: Path) -> None:
    """Three plans of 20 replications queued, then a page's run: the run is answered while they still run."""
    with served(tmp_path, workers=1) as base:
        challenge = {"budget": 5000, "reps": 20, "seed": 2, "households": 1000, "horizon_days": 200}
        _, created = call(base, "/api/challenges", challenge)
        code = created["code"]
        submitted = [
            call(base, f"/api/challenges/{code}/plans", {"team": f"team {n}", "overrides": overrides})[1]
            for n, overrides in enumerate([{}, {"team.collectors": 2}, {"service.direct_lane": True}])
        ]
        run = {"scenario": "baseline", "overrides": SMALL, "reps": 2, "seed": 8, "ticket": "watched"}
        status, _answer = call(base, "/api/run", run)
        _, board = call(base, f"/api/challenges/{code}/leaderboard?wait=0")
        where = call(base, "/api/queue/watched")[1]
    assert status == 200
    assert board["evaluating"] >= 1, "the run waited for every plan"
    assert where["ahead"] == 0 and where["finished"]
    assert [plan["ahead"] for plan in submitted] == [0, 1, 2]  # each plan's place, said at submission
