"""The candidate plans of a search: every combination of the levers' values, and the current plan.

A plan sets every lever; the current plan is the base scenario as it is (each
lever at the base's value).  Plans over a budget that needs no run (at most so
many collectors) are never candidates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.experiments.schema import RangeLever, ValuesLever
from sim.languages import _
from sim.plans.load import ResolvedSearch
from sim.scenario.errors import Problem, ScenarioError

__all__ = [
    "Plan",
    "affordable_collectors",
    "candidate_plans",
    "collector_choices",
    "collector_limit",
    "current_plan",
    "enumerable",
    "no_plan_within_collectors",
    "plan_count",
    "same_setting",
    "value_at",
    "within_collectors",
]

COLLECTORS = "team.collectors"


@dataclass(frozen=True)
class Plan:
    """One plan: the value (and its label) of every lever, in the search's lever order."""

    index: int
    values: dict[str, Any]
    labels: dict[str, Any]

    def describe(self) -> str:
        """Return the plan in a few words: a labelled value's label, else ``name=value`` (key's last part)."""
        # TRANSLATORS: between the settings of a plan's levers ("mode=staged, home visits").
        separator = _(", ")
        return separator.join(_described(key, label, self.values[key]) for key, label in self.labels.items())


def _described(key: str, label: Any, value: Any) -> str:
    """Return a lever's setting in a word: its label, or ``name=value``."""
    if not same_setting(label, value):
        return _label_shown(label)
    name = key.rsplit(".", 1)[-1]
    return f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={value}"


def _label_shown(label: Any) -> str:
    """Return a lever's label as written, or translated when it is a term of the catalogue.

    A label such as ``home_visits`` or ``staged billing`` names a term of the glossary
    (underscores read as spaces): it is shown in the language spoken; any other label
    is the search file's own word, shown as written.
    """
    text = str(label)
    phrase = text.replace("_", " ").strip()
    if not isinstance(label, str) or not phrase:
        return text
    shown = _(phrase)
    return text if shown == phrase else shown


def plan_count(search: ResolvedSearch) -> float:
    """Return how many combinations the levers make (before any budget; infinite with a continuous lever)."""
    levers = search.search.levers.values()
    if any(isinstance(lever, RangeLever) and not lever.integer for lever in levers):
        return math.inf
    return math.prod(len(_choices(lever)) for lever in levers)


def enumerable(search: ResolvedSearch) -> bool:
    """Tell whether the search tries every plan (few enough), rather than an optimiser's candidates."""
    return plan_count(search) <= search.search.candidates.enumerate_up_to


def candidate_plans(search: ResolvedSearch) -> list[Plan]:
    """Return every combination of lever values within the collectors' budget, numbered from 0.

    Raise ScenarioError when there are more than `candidates.enumerate_up_to`, or none within the budget.
    """
    levers = search.search.levers
    if not enumerable(search):
        raise ValueError("the levers make too many plans to try every one")
    plans = []
    for combination in itertools.product(*(_choices(lever) for lever in levers.values())):
        labels = {key: label for key, (label, _value) in zip(levers, combination, strict=True)}
        values = {key: value for key, (_label, value) in zip(levers, combination, strict=True)}
        if within_collectors(search, values):
            plans.append(Plan(len(plans), values, labels))
    if not plans:
        raise no_plan_within_collectors(search)
    return plans


def no_plan_within_collectors(search: ResolvedSearch) -> ScenarioError:
    """Return the error of a search whose every plan needs more collectors than its budget allows."""
    fewest = min(collector_choices(search))
    message = _(
        "every plan needs more collectors than the budget allows ({budget}); the cheapest plan has {fewest}"
    ).format(budget=search.search.budget.collectors, fewest=fewest)
    return ScenarioError(
        str(search.path), _("no plan within the budget"), [Problem(f"budget.{COLLECTORS}", message)]
    )


def affordable_collectors(search: ResolvedSearch) -> list[int]:
    """Return the team sizes a plan may have within the collectors' budget."""
    return [n for n in collector_choices(search) if n <= collector_limit(search)]


def collector_limit(search: ResolvedSearch) -> float:
    """Return the most collectors a plan may have (infinite without that budget)."""
    return search.search.budget.limits().get(COLLECTORS, math.inf)


def within_collectors(search: ResolvedSearch, values: Mapping[str, Any]) -> bool:
    """Tell whether a plan's team is within the collectors' budget."""
    return _collectors(search, values) <= collector_limit(search)


def current_plan(search: ResolvedSearch, plans: list[Plan], free_index: int | None = None) -> Plan:
    """Return the base scenario's plan: a candidate if one has its values, else a new plan.

    The new plan is numbered `free_index` (default: after the candidates); give the first number
    no plan of the search has taken, when more plans than the candidates were numbered.
    """
    values = {key: value_at(search.settings, key) for key in search.search.levers}
    for plan in plans:
        if all(same_setting(plan.values[key], values[key]) for key in values):
            return plan
    labels = {key: _label_of(search.search.levers[key], value) for key, value in values.items()}
    return Plan(len(plans) if free_index is None else free_index, values, labels)


def _choices(lever: ValuesLever | RangeLever) -> list[tuple[Any, Any]]:
    """Return (label, value) of every value a lever can take."""
    if isinstance(lever, ValuesLever):
        return lever.labelled()
    return [(value, value) for value in lever.grid(None)]


def collector_choices(search: ResolvedSearch) -> list[int]:
    """Return the numbers of collectors the plans can have."""
    lever = search.search.levers.get(COLLECTORS)
    if lever is None:
        return [int(value_at(search.settings, COLLECTORS))]
    if isinstance(lever, RangeLever):
        return list(range(math.ceil(lever.range.min), math.floor(lever.range.max) + 1))
    return [int(value) for _label, value in _choices(lever)]


def _collectors(search: ResolvedSearch, values: Mapping[str, Any]) -> int:
    """Return the plan's number of collectors (its lever, else the base scenario's)."""
    return int(values.get(COLLECTORS, value_at(search.settings, COLLECTORS)))


def value_at(scenario: Mapping[str, Any], key: str) -> Any:
    """Return the value of a dotted key path in a scenario mapping."""
    node: Any = scenario
    for part in key.split("."):
        node = node[part]
    return node


def _label_of(lever: ValuesLever | RangeLever, value: Any) -> Any:
    """Return the label a lever gives `value` (the value itself when it is not one of its choices)."""
    if isinstance(lever, RangeLever):
        return value
    for label, choice in _choices(lever):
        if same_setting(choice, value):
            return label
    return value


def same_setting(a: Any, b: Any) -> bool:
    """Tell whether two scenario values are the same setting (1 and 1.0 are)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (a == b and type(a) is type(b))
    return a == b
