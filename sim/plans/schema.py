"""Search files: a base scenario, the levers a manager may set, a budget, an objective, and how sure to be.

A search is a YAML mapping validated like an experiment (unknown keys and wrong
types are errors naming the key path)::

    name: plan_budget
    base: ../scenarios/baseline.yaml          # relative to this file; may be a calibrated.yaml
    overrides: {horizon_days: 180}            # applied to every plan
    levers:                                   # as in experiments
      strategy.billing.mode: {values: [bulk, staged]}
      team.collectors: {range: {min: 2, max: 6}, integer: true}
      tactics.home_visits.enabled: {values: {"off": false, "on": true}}
    budget: {staff_hours: 9000}               # any of staff_hours, staff_cost, team.collectors
    objective: {maximise: final_paid_share}   # or {minimise: days_to_80}, or an outcome name
    worlds: 16                                # or a table of worlds (posterior.parquet); default none
    robustness: mean                          # or {quantile: 0.1}: a low quantile across worlds
    indifference_pp: 1                        # a difference smaller than this does not matter
    confidence: 0.95                          # probability of choosing a plan within it of the best
    screening: {replications: 5}
    candidates: {enumerate_up_to: 2000, generate: 200}   # beyond: an optimiser proposes 200
    max_replications: 200
    seed: 0
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.experiments.outcomes import check_outcome, curve_day, lower_is_better
from sim.experiments.schema import MAX_REPLICATIONS, KeyPath, Lever
from sim.languages import _
from sim.scenario.base import Strict

__all__ = ["Budget", "Candidates", "Objective", "Quantile", "Screening", "SearchFile", "is_share"]

SHARE_OUTCOMES = frozenset({"final_paid_share", "final_money_share"})
"""Outcomes that are shares (0 to 1), whose indifference zone is given in percentage points."""

PositiveFinite = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]


def is_share(outcome: str) -> bool:
    """Tell whether an outcome is a share between 0 and 1 (its differences are in percentage points)."""
    return outcome in SHARE_OUTCOMES or curve_day(outcome) is not None


class Budget(Strict):
    """What the plan may cost at most: mean staff hours, mean staff cost (CNY), collectors."""

    staff_hours: PositiveFinite | None = None
    staff_cost: PositiveFinite | None = None
    collectors: int | None = Field(
        None, ge=0, description="at most this many collectors (key team.collectors)"
    )

    @model_validator(mode="before")
    @classmethod
    def _team_collectors(cls, value: Any) -> Any:
        """Read the budget's ``team.collectors`` (the scenario's key path) as `collectors`."""
        if isinstance(value, dict) and "team.collectors" in value:
            value = {**value}
            value["collectors"] = value.pop("team.collectors")
        return value

    def limits(self) -> dict[str, float]:
        """Return the limits that are set, by measure (staff_hours, staff_cost, team.collectors)."""
        named = {
            "staff_hours": self.staff_hours,
            "staff_cost": self.staff_cost,
            "team.collectors": self.collectors,
        }
        return {key: float(value) for key, value in named.items() if value is not None}


class Objective(Strict):
    """The outcome to make best, and which way."""

    maximise: str | None = None
    minimise: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"minimise" if lower_is_better(value) else "maximise": value}
        return value

    @model_validator(mode="after")
    def _one(self) -> Objective:
        if (self.maximise is None) == (self.minimise is None):
            raise ValueError(_("give one of maximise: OUTCOME or minimise: OUTCOME"))
        check_outcome(self.outcome)
        return self

    @property
    def outcome(self) -> str:
        """Return the outcome's name."""
        return self.maximise if self.maximise is not None else str(self.minimise)

    @property
    def maximising(self) -> bool:
        """Tell whether more is better."""
        return self.maximise is not None


class Quantile(Strict):
    """A low quantile of the objective across worlds: the plan that does best in the bad worlds."""

    quantile: Annotated[float, Field(gt=0.0, lt=1.0)]


class Screening(Strict):
    """The first stage: every candidate on a few replications, then the clearly worse ones dropped."""

    replications: Annotated[int, Field(ge=2, le=100)] = 5


class Candidates(Strict):
    """Which plans to try: every combination when there are few, else a constrained optimiser's."""

    enumerate_up_to: Annotated[int, Field(ge=1, le=100_000)] = 2000
    generate: Annotated[int, Field(ge=2, le=10_000)] = 200


class SearchFile(Strict):
    """A plan search: the base, the levers, the budget, the objective and the confidence wanted."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    base: Annotated[str, Field(min_length=1, description="base scenario file, relative to this file")]
    overrides: dict[KeyPath, Any] = Field(default_factory=dict)
    levers: Annotated[dict[KeyPath, Lever], Field(min_length=1)]
    budget: Budget = Budget()
    objective: Objective
    worlds: Annotated[int, Field(ge=1, le=1000)] | Annotated[str, Field(min_length=1)] | None = Field(
        None, description="none, a number of worlds drawn from the priors, or a table of worlds"
    )
    priors: Annotated[str, Field(min_length=1)] | None = Field(
        None, description="priors file to draw `worlds` from (default: the shipped scenarios/priors.yaml)"
    )
    robustness: Literal["mean"] | Quantile = "mean"
    indifference_pp: PositiveFinite = 1.0
    indifference: PositiveFinite | None = Field(
        None,
        description="the indifference zone in the objective's own units (days, CNY): outcomes not shares",
    )
    confidence: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.95
    screening: Screening = Screening()
    max_replications: Annotated[int, Field(ge=2, le=MAX_REPLICATIONS)] = 200
    candidates: Candidates = Candidates()
    seed: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _zone(self) -> SearchFile:
        if not is_share(self.objective.outcome) and self.indifference is None:
            raise ValueError(
                _(
                    "objective {outcome} is not a share, so indifference_pp does not apply:"
                    " give indifference, the smallest difference that matters in its own units"
                ).format(outcome=self.objective.outcome)
            )
        return self

    @property
    def delta(self) -> float:
        """Return the indifference zone in the objective's units (a share's points divided by 100)."""
        if self.indifference is not None:
            return self.indifference
        return self.indifference_pp / 100.0
