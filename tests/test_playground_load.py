"""A classroom at once: 20 teams submit their plans and 20 pages run at the same moment, on 2 workers.

The server runs for real on loopback (uvicorn in a thread, the pool in worker
processes); 40 client threads wait at a barrier and send together.  Every
request must be answered without error, identical plans and runs must be
computed once (the queue's ``reused`` counts say so, replication by
replication), and the leaderboard must rank all 20 plans.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sim.playground.levers import switches
from tests.playground_server import SMALL, call, served

pytestmark = pytest.mark.slow

TEAMS = 20
DISTINCT_PLANS = 12
"""Twelve different plans among twenty teams: eight teams copy another's plan."""
RUNS = 20
DISTINCT_RUNS = 10
REPS = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("classroom"), workers=2) as base:
        yield base


def _plans() -> list[dict[str, Any]]:
    """Return one plan per team: a tactic switched on (the first twelve tactics), some teams copying."""
    offered = switches()[:DISTINCT_PLANS]
    return [dict(offered[team % DISTINCT_PLANS].overrides) for team in range(TEAMS)]


def _runs() -> list[dict[str, Any]]:
    return [
        {
            "scenario": "baseline",
            "overrides": SMALL,
            "reps": 2,
            "seed": run % DISTINCT_RUNS,
            "ticket": f"load-{run}",
        }
        for run in range(RUNS)
    ]


def _all_at_once(requests: list[tuple[str, Any]], server: str) -> list[tuple[int, Any]]:
    barrier = threading.Barrier(len(requests))

    def send(request: tuple[str, Any]) -> tuple[int, Any]:
        barrier.wait()
        return call(server, *request)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def test_twenty_teams_and_twenty_runs_at_once_are_served_without_error(server: str) -> None:
    status, challenge = call(server, "/api/challenges", {"budget": 2000, "reps": REPS, "seed": 3})
    assert status == 201
    code = challenge["code"]
    plans = [
        (f"/api/challenges/{code}/plans", {"team": f"team {t}", "overrides": p})
        for t, p in enumerate(_plans())
    ]
    runs = [("/api/run", run) for run in _runs()]

    answers = _all_at_once(plans + runs, server)

    assert [status for status, _ in answers] == [201] * TEAMS + [200] * RUNS, answers
    submitted, ran = answers[:TEAMS], answers[TEAMS:]
    assert max(answer["ahead"] for _, answer in submitted) > 0  # the queue was felt, and reported
    _, board = call(server, f"/api/challenges/{code}/leaderboard")
    assert board["plans"] == TEAMS and board["evaluating"] == 0 and len(board["rows"]) == TEAMS
    by_team = {row["team"]: row for row in board["rows"]}
    for team in range(DISTINCT_PLANS, TEAMS):  # a copied plan has the same outcome as the first
        copy, first = by_team[f"team {team}"], by_team[f"team {team % DISTINCT_PLANS}"]
        assert copy["final_paid_share"] == first["final_paid_share"]

    plan_reuse = sum(call(server, f"/api/queue/{answer['ticket']}")[1]["reused"] for _, answer in submitted)
    assert plan_reuse == (TEAMS - DISTINCT_PLANS) * REPS
    run_reuse = sum(call(server, f"/api/queue/load-{run}")[1]["reused"] for run in range(RUNS))
    assert run_reuse == (RUNS - DISTINCT_RUNS) * 2
    for run in range(DISTINCT_RUNS, RUNS):  # a run sent twice is answered twice with the same numbers
        assert ran[run][1]["paid_share"] == ran[run % DISTINCT_RUNS][1]["paid_share"]
    assert call(server, "/api/health") == (200, {"status": "ok"})
