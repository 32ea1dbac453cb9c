"""Building blocks of the scenario schema: strict sections, value types, weekly windows."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.languages import _

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Hour = Annotated[float, Field(ge=0.0, le=24.0)]
TimeOfDay = Annotated[float, Field(ge=0.0, lt=24.0)]  # a moment of the day, in hours after midnight
Count = Annotated[int, Field(ge=0)]
Variation = Annotated[float, Field(ge=0.0, le=10.0)]  # a coefficient of variation or the sd of a log
Relative = Annotated[float, Field(ge=0.0, le=1e6)]  # a weight in a table of any scale (sums stay finite)

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SegmentName = Literal["ordinary", "undecided", "hard"]
SEGMENTS: tuple[SegmentName, ...] = ("ordinary", "undecided", "hard")
ScheduleName = Literal["five_day", "other"]
SCHEDULES: tuple[ScheduleName, ...] = ("five_day", "other")
OUTCOMES: tuple[str, ...] = ("pays_now", "promises", "refuses", "stalls", "hostile")

SHARE_TOLERANCE = 1e-9


def _merge_over(defaults: object, given: object) -> object:
    """Deep-merge a partial mapping over defaults (mappings merge, anything else replaces)."""
    if not (isinstance(defaults, dict) and isinstance(given, dict)):
        return given
    merged = dict(defaults)
    for key, value in given.items():
        merged[key] = _merge_over(defaults.get(key), value) if key in defaults else value
    return merged


class Strict(BaseModel):
    """Base for every scenario section: unknown keys are errors, values frozen, numbers finite.

    A section given only in part keeps the defaults of the keys it leaves out,
    so `--set team.shift.start=8` changes one key of the default shift.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _keep_defaults_of_partial_sections(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, field in cls.model_fields.items():
            if isinstance(field.default, BaseModel) and isinstance(merged.get(name), dict):
                merged[name] = _merge_over(field.default.model_dump(), merged[name])
        return merged


class Window(Strict):
    """A weekly time window: the listed weekdays, from `start` to `end` o'clock."""

    days: tuple[Weekday, ...] = Field(min_length=1)
    start: Hour
    end: Hour

    @model_validator(mode="after")
    def _start_before_end(self) -> Window:
        if self.end <= self.start:
            raise ValueError(
                _("window end ({end}) must be after its start ({start})").format(
                    end=self.end, start=self.start
                )
            )
        return self


class Minutes(Strict):
    """A duration in minutes, lognormal with this mean and coefficient of variation.

    The mean lies between 6 seconds and a week: shorter tasks would flood the
    event queue, longer ones describe no single visit or call.
    """

    mean: Annotated[float, Field(ge=0.1, le=10_080.0)]
    cv: Variation = 0.5
