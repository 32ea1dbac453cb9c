"""Load search files: YAML, schema, then the base scenario, levers and worlds checked as an experiment's.

Every problem raises a ScenarioError naming the search file and the key path,
so the command line prints it and exits with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from sim.experiments.load import ResolvedExperiment, resolve_experiment
from sim.experiments.schema import Design, Experiment, RangeLever
from sim.languages import _, ngettext
from sim.plans.schema import SearchFile
from sim.scenario.errors import ScenarioError, from_validation_error
from sim.scenario.load import scenario_from_dict
from sim.scenario.yamlfile import read_yaml_mapping

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ResolvedSearch", "load_search"]

BUDGET_OUTCOMES = ("staff_hours",)
"""Outcomes every run records besides the objective (staff cost is staff hours at the plan's hourly cost)."""


@dataclass(frozen=True, eq=False)
class ResolvedSearch:
    """A validated search with its base scenario merged and overridden, and its worlds."""

    path: Path
    search: SearchFile
    experiment: ResolvedExperiment

    @property
    def name(self) -> str:
        """Return the search's name."""
        return self.search.name

    @property
    def scenario(self) -> dict:
        """Return the base scenario as a raw mapping (the search's overrides applied)."""
        return self.experiment.scenario

    @cached_property
    def settings(self) -> dict:
        """Return the base scenario with every default filled in (to read any key's value)."""
        return scenario_from_dict(self.experiment.scenario, str(self.path)).model_dump(mode="json")

    @property
    def worlds(self) -> pd.DataFrame | None:
        """Return the worlds every plan runs in (one row per world), or None."""
        return self.experiment.worlds

    @property
    def world_count(self) -> int:
        """Return how many worlds a replication runs in (1 without worlds)."""
        return self.experiment.world_count

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Return the outcomes every run records: the objective, then staff hours."""
        objective = self.search.objective.outcome
        return (objective, *[name for name in BUDGET_OUTCOMES if name != objective])


def load_search(path: str | Path) -> ResolvedSearch:
    """Load and check a search file; raise ScenarioError naming the file and the key paths."""
    path = Path(path)
    source = str(path)
    raw = read_yaml_mapping(
        path,
        source,
        "search",
        _("a mapping of search keys (base, levers, budget, objective, ...)"),
        if_empty=_(
            "the file is empty (or holds only comments); a search names at least its base scenario,"
            " a lever and an objective, e.g. 'base: ../scenarios/baseline.yaml',"
            " 'levers: {{team.collectors: {{values: [2, 4, 6]}}}}'"
            " and 'objective: {{maximise: final_paid_share}}'"
        ).format(),
    )
    raw.setdefault("name", path.stem)
    try:
        search = SearchFile.model_validate(raw)
    except ValidationError as exc:
        error = from_validation_error(exc, source, raw, SearchFile)
        count = len(error.problems)
        summary = ngettext(
            "invalid plan search ({count} problem)", "invalid plan search ({count} problems)", count
        )
        raise ScenarioError(source, summary.format(count=count), error.problems) from None
    return ResolvedSearch(path, search, resolve_experiment(_as_experiment(search), path))


def _as_experiment(search: SearchFile) -> Experiment:
    """Return the experiment every plan of the search is a point of (its levers on a grid)."""
    table = isinstance(search.worlds, str)
    return Experiment.model_construct(
        name=search.name,
        description=search.description,
        base=search.base,
        overrides=dict(search.overrides),
        levers=dict(search.levers),
        uncertainties={},
        design=Design(levels=2) if _continuous(search) else Design(),
        replications=search.max_replications,
        precision=None,
        worlds=None if table else search.worlds,
        priors=search.worlds if table else search.priors,
        outcomes=[search.objective.outcome],
        seed=search.seed,
    )


def _continuous(search: SearchFile) -> bool:
    """Tell whether a lever takes any value in a range (not only whole numbers)."""
    return any(isinstance(lever, RangeLever) and not lever.integer for lever in search.levers.values())
