"""What a request may ask the playground to run: a shipped scenario, overrides, replications and a seed.

Every request goes through the scenario validation of ``feesim run --set`` and then
through the playground's limits; anything wrong becomes a `BadRequest` whose message
the server returns with status 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.languages import _
from sim.languages.formats import listing, number
from sim.playground.levers import LIMITS
from sim.playground.shipped import scenario_names, shipped_path
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.load import scenario_to_yaml

__all__ = ["MAX_SEED", "MAX_WORK", "BadRequest", "RunRequest", "run_request"]

MAX_SEED = 2**63 - 1
MAX_WORK = 2000 * 365 * 10
"""Household-days a request may ask for: the shipped community's year at `feesim run`'s 10 replications."""
RUN_FIELDS = ("scenario", "overrides", "reps", "seed", "ticket")


class BadRequest(ValueError):
    """A request the playground refuses; its text says why, for the person who sent it."""


@dataclass(frozen=True)
class RunRequest:
    """A validated run: the scenario, its name and overrides, replications and master seed."""

    name: str
    overrides: dict[str, Any]
    scenario: Scenario
    reps: int
    seed: int

    @property
    def yaml(self) -> str:
        """The scenario as YAML: two requests with the same YAML, seed and replications run the same."""
        return scenario_to_yaml(self.scenario)


def run_request(body: object, default_reps: int = 10) -> RunRequest:
    """Return the run that the JSON body `body` asks for, or raise `BadRequest`."""
    if not isinstance(body, Mapping):
        raise BadRequest(_("the request must be a JSON object with the key 'scenario'"))
    unknown = sorted(set(body) - set(RUN_FIELDS))
    if unknown:
        raise BadRequest(
            _("unknown keys {keys}; a run takes {expected}").format(
                keys=listing(map(repr, unknown)), expected=listing(RUN_FIELDS)
            )
        )
    name = body.get("scenario")
    overrides = body.get("overrides") or {}
    reps = whole_number(body.get("reps", default_reps), "reps", *LIMITS["reps"])
    seed = whole_number(body.get("seed", 0), "seed", 0, MAX_SEED)
    scenario = validated(name, overrides)
    work = scenario.community.households * scenario.horizon_days * reps
    if work > MAX_WORK:
        raise BadRequest(
            _(
                "{reps} replications of {households} households over {days} days are too much to answer live;"
                " the playground runs at most {limit} household-days (households x days x replications)"
            ).format(
                reps=reps,
                households=scenario.community.households,
                days=scenario.horizon_days,
                limit=number(MAX_WORK),
            )
        )
    return RunRequest(str(name), dict(overrides), scenario, reps, seed)


def validated(name: object, overrides: object) -> Scenario:
    """Return the shipped scenario `name` with `overrides`, validated and within the playground's limits."""
    path = shipped_path(name)
    if path is None:
        raise BadRequest(
            _("{name} is not a shipped scenario; the playground runs one of: {names}").format(
                name=repr(name), names=listing(scenario_names())
            )
        )
    if not isinstance(overrides, Mapping) or not all(isinstance(key, str) for key in overrides):
        raise BadRequest(_("'overrides' must be a JSON object of key paths and values"))
    try:
        scenario = load_scenario(path, dict(overrides))
    except ScenarioError as error:
        raise BadRequest(str(error).replace(str(path), str(name))) from None
    return within_limits(scenario)


def within_limits(scenario: Scenario) -> Scenario:
    """Return `scenario` if the playground may run it: a community and horizon small enough to answer live."""
    for key, value in (
        ("community.households", scenario.community.households),
        ("horizon_days", scenario.horizon_days),
        ("team.collectors", scenario.team.collectors),
    ):
        low, high = LIMITS[key.rsplit(".", 1)[-1]]
        if not low <= value <= high:
            raise BadRequest(
                _("{key} is {value}; the playground runs {low} to {high}").format(
                    key=key, value=value, low=low, high=high
                )
            )
    return scenario


def whole_number(value: object, key: str, low: int, high: int) -> int:
    """Return `value` if it is a whole number from `low` to `high`, or raise `BadRequest` naming `key`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(
            _("{key} must be a whole number from {low} to {high}; found {value}").format(
                key=key, low=low, high=high, value=repr(value)
            )
        )
    return value
