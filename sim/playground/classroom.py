"""Classroom challenges: create one, take teams' plans, evaluate each on the challenge's seeds, rank them.

Plans are evaluated in the background as they arrive (on the shared run queue, so two
teams with the same plan cost one evaluation); the leaderboard waits for the ones still
running.  At start-up, plans stored without an evaluation (the server stopped before it
finished) are evaluated again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from sim.languages import _
from sim.languages.formats import listing
from sim.playground.leaderboard import OUTCOME, leaderboard, outcome
from sim.playground.levers import PAGE_DEFAULTS
from sim.playground.queue import EVALUATION, RunQueue
from sim.playground.requests import MAX_SEED, BadRequest, RunRequest, validated, whole_number
from sim.playground.shipped import HIDDEN, community, scenario_names
from sim.playground.store import Challenge, ChallengeStore, Plan
from sim.workers import is_broken_pool

__all__ = ["PLAN_KEYS", "Classroom"]

PLAN_KEYS = ("team.", "strategy.", "service.")
"""What a team's plan may change: its team, its strategy and its service desk, never the community."""
CHALLENGE_FIELDS = ("scenario", "budget", "seed", "reps", "households", "horizon_days")
TEAM_NAME_CHARS = 40
LOG = logging.getLogger(__name__)
EVALUATION_ATTEMPTS = 2
"""A plan's evaluation is tried again once on a fresh pool if a worker process died under it."""


class Classroom:
    """The challenges of one server: stored in `store`, evaluated on `queue`."""

    def __init__(self, store: ChallengeStore, queue: RunQueue) -> None:
        self.store = store
        self.queue = queue
        self._evaluations: dict[int, asyncio.Task[None]] = {}

    def resume(self) -> None:
        """Evaluate every stored plan that has no evaluation yet."""
        for plan in self.store.plans():
            if plan.outcome is None:
                self._evaluate_later(plan)

    def create(self, body: object) -> Challenge:
        """Create a challenge from a request body, or raise `BadRequest`."""
        if not isinstance(body, Mapping):
            raise BadRequest(_("the request must be a JSON object with the keys 'scenario' and 'budget'"))
        _refuse_unknown(body, CHALLENGE_FIELDS)
        name = body.get("scenario", "baseline")
        hidden = community(name)
        scenario = hidden.scenario if hidden else name
        overrides = {
            "community.households": whole_number(
                body.get("households", PAGE_DEFAULTS["households"]), "households", 50, 2000
            ),
            "horizon_days": whole_number(
                body.get("horizon_days", PAGE_DEFAULTS["horizon_days"]), "horizon_days", 30, 365
            ),
            **(hidden.keys if hidden else {}),
        }
        if hidden is None and name not in scenario_names():
            raise BadRequest(
                _("{name} is neither a shipped scenario nor a challenge community ({communities})").format(
                    name=repr(name), communities=listing(c.name for c in HIDDEN)
                )
            )
        validated(scenario, overrides)
        budget = body.get("budget")
        if isinstance(budget, bool) or not isinstance(budget, int | float) or not budget > 0:
            raise BadRequest(
                _("budget must be the staff hours a plan may use, a number above 0; found {value}").format(
                    value=repr(budget)
                )
            )
        seed = whole_number(body.get("seed", 0), "seed", 0, MAX_SEED)
        reps = whole_number(body.get("reps", 10), "reps", 2, 20)
        return self.store.create(str(name), overrides, float(budget), seed, reps)

    def submit(self, code: str, body: object) -> Plan:
        """Store a team's plan and start its evaluation, or raise `BadRequest` (LookupError: no such code)."""
        challenge = self.challenge(code)
        if not isinstance(body, Mapping):
            raise BadRequest(_("the request must be a JSON object with the keys 'team' and 'overrides'"))
        _refuse_unknown(body, ("team", "overrides"))
        team = body.get("team")
        if not isinstance(team, str) or not 1 <= len(team.strip()) <= TEAM_NAME_CHARS:
            raise BadRequest(_("team must be a name of 1 to {n} characters").format(n=TEAM_NAME_CHARS))
        overrides = body.get("overrides") or {}
        self.run_request(challenge, overrides)
        plan = self.store.add_plan(challenge.code, team.strip(), dict(overrides))
        if plan is None:
            raise BadRequest(_("team {team} has already submitted its plan").format(team=repr(team.strip())))
        self._evaluate_later(plan)
        return plan

    def challenge(self, code: str) -> Challenge:
        """Return the challenge with join code `code`, or raise LookupError."""
        found = self.store.challenge(code)
        if found is None:
            raise LookupError(_("no challenge has the join code {code}").format(code=repr(code)))
        return found

    def run_request(self, challenge: Challenge, plan: object) -> RunRequest:
        """Return the run that evaluates `plan` in `challenge`, or raise `BadRequest`."""
        if not isinstance(plan, Mapping) or not all(isinstance(key, str) for key in plan):
            raise BadRequest(_("'overrides' must be a JSON object of key paths and values"))
        foreign = sorted(key for key in plan if not key.startswith(PLAN_KEYS))
        if foreign:
            raise BadRequest(
                _("a plan changes the team, the strategy and the service only, not {keys}").format(
                    keys=listing(foreign)
                )
            )
        hidden = community(challenge.community)
        scenario = hidden.scenario if hidden else challenge.community
        overrides = {**challenge.overrides, **plan}
        return RunRequest(scenario, overrides, validated(scenario, overrides), challenge.reps, challenge.seed)

    async def leaderboard(self, code: str, wait: bool = True) -> dict[str, Any]:
        """Return the challenge's leaderboard (waiting for evaluations still running, unless told not to)."""
        challenge = self.challenge(code)
        plans = self.store.plans(challenge.code)
        running = [self._evaluations[p.id] for p in plans if p.id in self._evaluations]
        if wait and running:
            await asyncio.gather(*running, return_exceptions=True)
            plans = self.store.plans(challenge.code)
        evaluated = [
            {"team": p.team, "overrides": p.overrides, "outcome": p.outcome} for p in plans if p.outcome
        ]
        evaluating = [p for p in plans if p.outcome is None and p.id in self._evaluations]
        failed = [p.team for p in plans if p.outcome is None and p.id not in self._evaluations]
        hidden = community(challenge.community)
        return {
            "code": challenge.code,
            "community": challenge.community,
            "title": hidden.title if hidden else challenge.community,
            "budget": challenge.budget,
            "seed": challenge.seed,
            "reps": challenge.reps,
            "outcome": OUTCOME,
            "plans": len(plans),
            "evaluating": len(evaluating),
            "failed": failed,
            "rows": leaderboard(evaluated, challenge.budget),
        }

    def _evaluate_later(self, plan: Plan) -> None:
        challenge = self.challenge(plan.code)
        # the plan's place in the queue, from now: the team sees it at once
        self.queue.reserve(f"plan-{plan.id}", challenge.reps, EVALUATION)
        task = asyncio.get_running_loop().create_task(self._evaluate(plan, challenge))
        self._evaluations[plan.id] = task
        task.add_done_callback(lambda done: self._evaluated(plan, done))

    def _evaluated(self, plan: Plan, task: asyncio.Task[None]) -> None:
        """Forget a finished evaluation; log why it failed (the leaderboard lists the plan as failed)."""
        self._evaluations.pop(plan.id, None)
        if not task.cancelled() and task.exception() is not None:
            LOG.warning(
                "plan %s of team %r in challenge %s was not evaluated: %s",
                plan.id,
                plan.team,
                plan.code,
                task.exception(),
            )

    async def _evaluate(self, plan: Plan, challenge: Challenge) -> None:
        ticket = f"plan-{plan.id}"
        try:
            request = self.run_request(challenge, plan.overrides)
            for attempt in range(EVALUATION_ATTEMPTS):
                generation = self.queue.generation
                try:
                    replications = await self.queue.replications(request, ticket, EVALUATION)
                    break
                except Exception as error:
                    if attempt == EVALUATION_ATTEMPTS - 1 or not is_broken_pool(error):
                        raise
                    self.queue.restart(generation)
            self.store.save_outcome(plan.id, outcome(replications))
        finally:
            self.queue.finish(ticket)


def _refuse_unknown(body: Mapping[str, Any], expected: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(expected))
    if unknown:
        raise BadRequest(
            _("unknown keys {keys}; expected {expected}").format(
                keys=listing(map(repr, unknown)), expected=listing(expected)
            )
        )
