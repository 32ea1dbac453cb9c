"""Experiment files: a base scenario, levers, uncertainties, a design, replications and outcomes.

An experiment is a YAML mapping validated like a scenario (unknown keys and wrong
types are errors naming the key path)::

    name: team_size
    base: ../scenarios/baseline.yaml          # relative to the experiment file
    overrides: {horizon_days: 90}             # applied to every point
    levers:                                   # what the manager chooses
      team.collectors: {values: [2, 4, 6]}
      strategy.billing.mode: {values: {one_go: bulk, staged: staged}}   # labelled values
      owners.schedules.five_day_share: {range: {min: 0.4, max: 0.9}}
      community.buildings: {range: {min: 10, max: 30}, integer: true}
    uncertainties:                            # what the world might be
      owners.segments.ordinary.p: {range: {min: 0.01, max: 0.03}}
      herd.learning_rate: {dist: normal, mean: 0.2, sd: 0.05}        # truncated at mean ± 3 sd
      mood.amplitude: {dist: triangular, min: 0, mode: 0.1, max: 0.3}
    design: {type: grid, levels: 3, points: 8, seed: 0}
    replications: 10                          # or precision: {outcome, half_width, batch, max_reps}
    worlds: 16                                # optional: every point in 16 worlds sampled from
    priors: ../scenarios/priors.yaml          #   the priors (default: the shipped file) or a table
    outcomes: [final_paid_share, days_to_80, staff_hours, paid_share_day_30]
    seed: 0                                   # master seed: replication r runs on its r-th child

Continuous factors (range levers and uncertainties) map a coordinate u in [0, 1]
of the design's unit cube onto a value through their inverse distribution function.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, FiniteFloat, Tag, model_validator

from sim.experiments.outcomes import DEFAULT_OUTCOMES, check_outcome
from sim.languages import N_, _
from sim.scenario.base import Strict

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DESIGN_TYPES",
    "Design",
    "Experiment",
    "Factor",
    "Lever",
    "NormalDist",
    "Precision",
    "Range",
    "RangeLever",
    "RangeUncertainty",
    "TriangularDist",
    "Uncertainty",
    "UniformDist",
    "ValuesLever",
]

DESIGN_TYPES: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")

_KEY_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
NORMAL_TAIL_SDS = 3.0
MAX_POINTS = 100_000  # design points (or base samples): far beyond any sweep, short of exhausting memory
MAX_REPLICATIONS = 10_000
"""A normal distribution without bounds is truncated at its mean ± this many standard deviations."""


def _check_key_path(key: str) -> str:
    """Return `key` if it is a dotted key path; raise ValueError otherwise."""
    if not _KEY_PATH.fullmatch(key):
        raise ValueError(
            _("expected a dotted scenario key path like team.collectors, got {key}").format(key=repr(key))
        )
    return key


KeyPath = Annotated[str, AfterValidator(_check_key_path)]
OutcomeName = Annotated[str, AfterValidator(check_outcome)]
PositiveFinite = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]


class Range(Strict):
    """An interval [min, max] of numbers, min below max."""

    min: FiniteFloat
    max: FiniteFloat

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.max > self.min:
            raise ValueError(_("max ({max}) must be above min ({min})").format(max=self.max, min=self.min))
        return self


def _whole_bounds(low: float, high: float) -> tuple[int, int]:
    """Return the smallest and largest whole numbers in [low, high]; raise ValueError if none."""
    first, last = math.ceil(low), math.floor(high)
    if first > last:
        raise ValueError(
            _("integer: true, but [{low}, {high}] holds no whole number").format(low=low, high=high)
        )
    return first, last


class Continuous(Strict):
    """A numeric factor with a distribution on [low, high]; `integer` rounds its values to whole numbers."""

    integer: bool = False

    def support(self) -> tuple[float, float]:
        """Return the lowest and highest value the factor can take."""
        raise NotImplementedError

    def quantiles(self, u: np.ndarray) -> np.ndarray:
        """Return the continuous values at unit coordinates `u` (the inverse distribution function)."""
        raise NotImplementedError

    def from_unit(self, u: np.ndarray) -> list[float] | list[int]:
        """Return the factor's values at unit coordinates `u` in [0, 1]."""
        import numpy as np

        values = self.quantiles(np.asarray(u, dtype=float))
        if not self.integer:
            return [float(v) for v in values]
        low, high = _whole_bounds(*self.support())
        return [int(v) for v in np.clip(np.floor(values + 0.5), low, high)]

    def probe_values(self) -> list[float] | list[int]:
        """Return values to try on the base scenario: the ends of the support."""
        low, high = self.support()
        return list(_whole_bounds(low, high)) if self.integer else [low, high]

    def check(self) -> None:
        """Raise ValueError if the parameters do not make a distribution."""
        low, high = self.support()
        if not high > low:
            raise ValueError(_("max ({max}) must be above min ({min})").format(max=high, min=low))
        if self.integer:
            _whole_bounds(low, high)

    @model_validator(mode="after")
    def _valid(self) -> Continuous:
        self.check()
        return self


class UniformBetween(Continuous):
    """A continuous factor uniform on its range; whole numbers equally likely when `integer`."""

    def bounds(self) -> Range:
        """Return the range."""
        raise NotImplementedError

    def support(self) -> tuple[float, float]:
        """Return the ends of the range."""
        return self.bounds().min, self.bounds().max

    def quantiles(self, u: np.ndarray) -> np.ndarray:
        """Return min + u (max - min); with `integer`, spread u evenly over the whole numbers."""
        low, high = self.support()
        if self.integer:
            first, last = _whole_bounds(low, high)
            return first + u * (last - first + 1) - 0.5
        return low + u * (high - low)


class RangeLever(UniformBetween):
    """A lever anywhere in a range; a grid takes `design.levels` evenly spaced values (or every integer)."""

    range: Range

    def bounds(self) -> Range:
        """Return the range."""
        return self.range

    def grid(self, levels: int | None) -> list[float] | list[int]:
        """Return the lever's grid values: `levels` evenly spaced, or every whole number if integer."""
        import numpy as np

        if self.integer:
            first, last = _whole_bounds(self.range.min, self.range.max)
            if levels is None:
                return list(range(first, last + 1))
            return sorted({int(v) for v in np.floor(np.linspace(first, last, levels) + 0.5)})
        if levels is None:
            raise ValueError(_("a range lever on a grid needs design.levels"))
        return [float(v) for v in np.linspace(self.range.min, self.range.max, levels)]


class ValuesLever(Strict):
    """A lever set to each of a list of values, or of labelled values ``{label: value}``."""

    values: Annotated[list[Any], Field(min_length=1)] | Annotated[dict[str, Any], Field(min_length=1)]

    def labelled(self) -> list[tuple[Any, Any]]:
        """Return (label, value) pairs; a list's values are their own labels."""
        if isinstance(self.values, dict):
            return list(self.values.items())
        return [(value, value) for value in self.values]

    def probe_values(self) -> list[Any]:
        """Return values to try on the base scenario: every value."""
        return [value for _label, value in self.labelled()]


class RangeUncertainty(UniformBetween):
    """An uncertainty uniform on a range."""

    range: Range

    def bounds(self) -> Range:
        """Return the range."""
        return self.range


class UniformDist(UniformBetween):
    """An uncertainty uniform on [min, max]."""

    dist: Literal["uniform"]
    min: FiniteFloat
    max: FiniteFloat

    def bounds(self) -> Range:
        """Return the range."""
        return Range.model_construct(min=self.min, max=self.max)


class NormalDist(Continuous):
    """An uncertainty normal with `mean` and `sd`, truncated to [min, max] (default: mean ± 3 sd)."""

    dist: Literal["normal"]
    mean: FiniteFloat
    sd: PositiveFinite
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None

    def support(self) -> tuple[float, float]:
        """Return the truncation bounds."""
        low = self.mean - NORMAL_TAIL_SDS * self.sd if self.min is None else self.min
        high = self.mean + NORMAL_TAIL_SDS * self.sd if self.max is None else self.max
        return low, high

    def quantiles(self, u: np.ndarray) -> np.ndarray:
        """Return the truncated normal's quantiles at `u`."""
        from scipy import stats

        low, high = self.support()
        a, b = (low - self.mean) / self.sd, (high - self.mean) / self.sd
        return stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd)


class TriangularDist(Continuous):
    """An uncertainty triangular on [min, max] with its peak at `mode`."""

    dist: Literal["triangular"]
    min: FiniteFloat
    mode: FiniteFloat
    max: FiniteFloat

    def support(self) -> tuple[float, float]:
        """Return [min, max]."""
        return self.min, self.max

    def quantiles(self, u: np.ndarray) -> np.ndarray:
        """Return the triangular distribution's quantiles at `u`."""
        from scipy import stats

        width = self.max - self.min
        return stats.triang.ppf(u, (self.mode - self.min) / width, loc=self.min, scale=width)

    def check(self) -> None:
        """Raise ValueError unless min <= mode <= max and min < max."""
        super().check()
        if not self.min <= self.mode <= self.max:
            raise ValueError(
                _("mode ({mode}) must be between min ({min}) and max ({max})").format(
                    mode=self.mode, min=self.min, max=self.max
                )
            )


def _lever_kind(value: Any) -> str | None:
    """Tell a lever's kind from its keys."""
    if isinstance(value, dict):
        return "values" if "values" in value else "range" if "range" in value else None
    return "values" if isinstance(value, ValuesLever) else "range" if isinstance(value, RangeLever) else None


def _uncertainty_kind(value: Any) -> str | None:
    """Tell an uncertainty's kind from its keys: range, or its dist."""
    if isinstance(value, dict):
        if "range" in value:
            return "range"
        dist = value.get("dist")
        return dist if dist in ("uniform", "normal", "triangular") else None
    kinds = {
        RangeUncertainty: "range",
        UniformDist: "uniform",
        NormalDist: "normal",
        TriangularDist: "triangular",
    }
    return kinds.get(type(value))


Lever = Annotated[
    Annotated[ValuesLever, Tag("values")] | Annotated[RangeLever, Tag("range")],
    Discriminator(
        _lever_kind,
        custom_error_type="lever",
        custom_error_message=N_("expected 'values: [...]' or 'range: {min: ..., max: ...}'"),
    ),
]
Uncertainty = Annotated[
    Annotated[RangeUncertainty, Tag("range")]
    | Annotated[UniformDist, Tag("uniform")]
    | Annotated[NormalDist, Tag("normal")]
    | Annotated[TriangularDist, Tag("triangular")],
    Discriminator(
        _uncertainty_kind,
        custom_error_type="uncertainty",
        custom_error_message=N_(
            "expected 'range: {min: ..., max: ...}' or 'dist: uniform' (min, max),"
            " 'dist: normal' (mean, sd) or 'dist: triangular' (min, mode, max)"
        ),
    ),
]
Factor = ValuesLever | RangeLever | RangeUncertainty | UniformDist | NormalDist | TriangularDist


class Design(Strict):
    """How points are chosen: a grid, a Latin hypercube, or a Sobol or Morris sensitivity design."""

    type: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    points: Annotated[int, Field(ge=1, le=MAX_POINTS)] | None = Field(
        None, description="lhs: number of points; grid: uncertainty samples crossed with the lever grid"
    )
    n: Annotated[int, Field(ge=1, le=MAX_POINTS)] | None = Field(
        None, description="sobol/morris: base samples"
    )
    levels: Annotated[int, Field(ge=2, le=1000)] | None = Field(
        None, description="grid: values per range lever; morris: grid levels (default 4)"
    )
    seed: Annotated[int, Field(ge=0)] = Field(0, description="seed of the sampler")


class Precision(Strict):
    """Add replications in batches until the outcome's 95% CI half-width is at most `half_width`."""

    outcome: OutcomeName
    half_width: PositiveFinite
    batch: Annotated[int, Field(ge=2, le=MAX_REPLICATIONS)] = 5
    max_reps: Annotated[int, Field(ge=2, le=MAX_REPLICATIONS)] = 100

    @model_validator(mode="after")
    def _batch_fits(self) -> Precision:
        if self.max_reps < self.batch:
            raise ValueError(
                _("max_reps ({max_reps}) must be at least batch ({batch})").format(
                    max_reps=self.max_reps, batch=self.batch
                )
            )
        return self


class Experiment(Strict):
    """An experiment file: a base scenario, its factors, a design and what to record."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    base: Annotated[str, Field(min_length=1, description="base scenario file, relative to this file")]
    overrides: dict[KeyPath, Any] = Field(default_factory=dict)
    levers: dict[KeyPath, Lever] = Field(default_factory=dict)
    uncertainties: dict[KeyPath, Uncertainty] = Field(default_factory=dict)
    design: Design = Design()
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] | None = None
    precision: Precision | None = None
    worlds: Annotated[int, Field(ge=1)] | None = Field(
        None, description="run every point in this many worlds sampled from the priors (or of a table)"
    )
    priors: Annotated[str, Field(min_length=1)] | None = Field(
        None,
        description="priors YAML file or table of worlds (.csv, .parquet), relative to this file;"
        " default: the shipped scenarios/priors.yaml",
    )
    outcomes: Annotated[list[OutcomeName], Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_OUTCOMES)
    )
    seed: Annotated[int, Field(ge=0)] = 0

    @property
    def factors(self) -> dict[str, Factor]:
        """Return the levers then the uncertainties, by key path."""
        return {**self.levers, **self.uncertainties}

    @property
    def max_replications(self) -> int:
        """Return the most replications a point can get (10 if neither replications nor precision is set)."""
        if self.precision is not None:
            return self.precision.max_reps
        return self.replications if self.replications is not None else 10
