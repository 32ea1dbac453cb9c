"""The scenarios the playground may run: shipped scenarios by name, and the challenges' hidden communities.

A request names a scenario, never a path: the name is looked up among the files
under ``scenarios/`` (``baseline``, ``playbook``, ``tactics/home_visits``...).
Priors and validation cases are not campaigns to play, so they are not offered.
A hidden community is a shipped scenario with a few community keys changed; the
teams of a challenge see its title, not its keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sim.languages import N_
from sim.scenario.load import SHIPPED_SCENARIOS

__all__ = ["HIDDEN", "Community", "community", "scenario_names", "shipped_path"]

NOT_PLAYABLE = ("priors", "validation/", "seed_literal")
"""Shipped files that are not campaigns to play: priors, validation cases, the source's literal reading."""
NAME = re.compile(r"[a-z0-9_]+(/[a-z0-9_]+)?")


@cache
def scenario_names() -> tuple[str, ...]:
    """Return the names of the playable shipped scenarios, e.g. ``baseline``, ``tactics/home_visits``."""
    names = []
    for path in sorted(SHIPPED_SCENARIOS.rglob("*.yaml")):
        name = path.relative_to(SHIPPED_SCENARIOS).with_suffix("").as_posix()
        if not name.startswith(NOT_PLAYABLE):
            names.append(name)
    return tuple(names)


def shipped_path(name: object) -> Path | None:
    """Return the file of the playable shipped scenario called `name`, or None if there is none."""
    if not isinstance(name, str) or not NAME.fullmatch(name) or name not in scenario_names():
        return None
    return SHIPPED_SCENARIOS / f"{name}.yaml"


@dataclass(frozen=True)
class Community:
    """A community a challenge may be played in: a shipped scenario and the community keys it changes."""

    name: str
    title: str
    scenario: str
    keys: dict[str, object] = field(default_factory=dict)


HIDDEN: tuple[Community, ...] = (
    Community("baseline", N_("the baseline community"), "baseline"),
    Community(
        "many_hard_owners",
        N_("many hard owners"),
        "baseline",
        {
            "owners.segments.ordinary.share": 0.4,
            "owners.segments.undecided.share": 0.3,
            "owners.segments.hard.share": 0.3,
        },
    ),
    Community(
        "many_undecided_owners",
        N_("many undecided owners"),
        "baseline",
        {
            "owners.segments.ordinary.share": 0.3,
            "owners.segments.undecided.share": 0.6,
            "owners.segments.hard.share": 0.1,
        },
    ),
    Community("no_herd", N_("owners who ignore their neighbours"), "baseline", {"herd.enabled": False}),
)
"""Communities for challenges; their segment shares are assumptions chosen for teaching."""


def community(name: object) -> Community | None:
    """Return the challenge community called `name`, or None."""
    return next((c for c in HIDDEN if c.name == name), None)
