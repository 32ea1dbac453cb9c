"""Priors: what we do not know about owners, staff and the world, as ranges and distributions.

A priors file (``scenarios/priors.yaml`` ships one) gives every uncertain numeric
scenario key a distribution over a plausible range, with the reason::

    priors:
      owners.segments.undecided.q:
        distribution: triangular   # uniform | triangular | truncnormal | loguniform
        low: 0.02
        high: 0.08
        mode: 0.04
        reason: "calibration (§30); plausible range from §29"
    fixed:
      strategy: "levers: what a manager chooses, not what we do not know"

``fixed`` (optional) names the numeric keys, or their prefixes, deliberately left
out, with the reason.  A *world* is one value for every key of the priors; a table
of worlds (one row per world, one column per key path) is sampled from the priors
by Latin hypercube, or read from a CSV or Parquet file (a calibration's posterior).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats
from scipy.stats import qmc

from sim.languages import N_, _, ngettext
from sim.languages.formats import semicolons
from sim.scenario.errors import Problem, ScenarioError, describe_value, from_validation_error
from sim.scenario.load import ParsedOverrides, scenario_from_dict
from sim.scenario.schema import Scenario
from sim.scenario.yamlfile import read_yaml_mapping

__all__ = [
    "PRIORS_FILE",
    "WORLDS_ENTROPY",
    "Prior",
    "Priors",
    "choose_worlds",
    "is_priors_file",
    "load_priors",
    "load_worlds",
    "numeric_keys",
    "sample_worlds",
    "scenario_in_world",
    "world_overrides",
]

PRIORS_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "priors.yaml"
"""The shipped priors."""

WORLDS_ENTROPY = 0x776F726C64  # "world" in ASCII
"""Mixed with ``--seed`` so that worlds draw from a stream no replication uses."""

Distribution = Literal["uniform", "triangular", "truncnormal", "loguniform"]
WORLD_COLUMN = "world"
MAX_WORLDS = 100_000


@dataclass(frozen=True)
class Prior:
    """The prior of one scenario key: a distribution over ``[low, high]`` and why."""

    key: str
    distribution: Distribution
    low: float
    high: float
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    reason: str = ""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Map uniforms in [0, 1) to values in [low, high] (the quantile function; non-decreasing)."""
        u = np.asarray(u, dtype=float)
        width = self.high - self.low
        if self.distribution == "uniform":
            return self.low + u * width
        if self.distribution == "loguniform":
            values = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            values = self._frozen().ppf(u)
        return np.clip(values, self.low, self.high)  # no rounding error past the range

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Return the distribution function at `x` (for tests of the marginals)."""
        x = np.asarray(x, dtype=float)
        if self.distribution == "uniform":
            return np.clip((x - self.low) / (self.high - self.low), 0.0, 1.0)
        if self.distribution == "loguniform":
            ratio = np.log(np.clip(x, self.low, self.high) / self.low) / np.log(self.high / self.low)
            return np.clip(ratio, 0.0, 1.0)
        return self._frozen().cdf(x)

    def _frozen(self) -> Any:
        width = self.high - self.low
        if self.distribution == "triangular":
            assert self.mode is not None
            return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)
        assert self.mean is not None and self.sd is not None
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)


@dataclass(frozen=True)
class Priors:
    """The priors of a file, in the file's order."""

    source: str
    priors: tuple[Prior, ...]

    @property
    def keys(self) -> list[str]:
        """Return the key paths, in the file's order."""
        return [prior.key for prior in self.priors]


# -- the file's schema --------------------------------------------------------------------------------


class _Entry(BaseModel):
    """One prior as written in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    distribution: Distribution
    low: float
    high: float
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0.0)
    reason: str

    @model_validator(mode="after")
    def _consistent(self) -> _Entry:
        if not self.reason.strip():
            raise ValueError(_("expected a reason: why this range and distribution (text)"))
        if not self.low < self.high:
            message = _("expected low < high, got low {low} and high {high}")
            raise ValueError(message.format(low=f"{self.low:g}", high=f"{self.high:g}"))
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError(_("a loguniform prior needs low > 0, got {low}").format(low=f"{self.low:g}"))
        self._check_parameters()
        return self

    def _check_parameters(self) -> None:
        wanted = {"triangular": {"mode"}, "truncnormal": {"mean", "sd"}}.get(self.distribution, set())
        for name in ("mode", "mean", "sd"):
            given = getattr(self, name) is not None
            if name in wanted and not given:
                message = _("a {distribution} prior needs '{name}'")
                raise ValueError(message.format(distribution=self.distribution, name=name))
            if name not in wanted and given:
                message = _("'{name}' belongs to no {distribution} prior; remove it")
                raise ValueError(message.format(distribution=self.distribution, name=name))
        for name in ("mode", "mean"):
            value = getattr(self, name)
            if value is not None and not self.low <= value <= self.high:
                message = _("{name} {value} is outside [low, high] = [{low}, {high}]")
                raise ValueError(
                    message.format(name=name, value=f"{value:g}", low=f"{self.low:g}", high=f"{self.high:g}")
                )


class _PriorsFile(BaseModel):
    """A priors file: the priors by key path (each checked on its own), and the keys left out on purpose."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    priors: dict[str, object]
    fixed: dict[str, str] = Field(default_factory=dict)


# -- the scenario's numeric keys ----------------------------------------------------------------------


@cache
def _default_values() -> dict[str, object]:
    """Return every value of the default scenario by key path, sections included."""
    found: dict[str, object] = {}

    def walk(value: object, path: str) -> None:
        found[path] = value
        if isinstance(value, Mapping):
            for name, child in value.items():
                walk(child, f"{path}.{name}" if path else str(name))

    walk(Scenario().model_dump(), "")
    return found


@cache
def numeric_keys() -> dict[str, type]:
    """Return every numeric key path of the default scenario with its type (int or float)."""
    return {
        key: type(value)
        for key, value in _default_values().items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    }


def _default(key: str) -> float:
    value = _default_values()[key]
    assert isinstance(value, (int, float))
    return float(value)


def _unknown_key(key: str, where: str = "") -> Problem:
    """Say that `key` is no numeric scenario key, suggesting the closest one; `where` prefixes the path."""
    keys = list(numeric_keys())
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    hint = (
        _("did you mean '{close}'?").format(close=close[0]) if close else _("the keys are in 'feesim schema'")
    )
    if any(k.startswith(key + ".") for k in keys):
        message = _("is a section, expected a numeric scenario key path inside it")
        return Problem(where + key, message, hint=hint)
    if key in _default_values():
        message = _("is not a numeric key (a text, a switch or a list); expected a number's key path")
        return Problem(where + key, message)
    return Problem(where + key, _("unknown key: expected a numeric scenario key path"), hint=hint)


# -- loading priors -----------------------------------------------------------------------------------


def load_priors(path: Path) -> Priors:
    """Read and validate a priors file; raise ScenarioError naming the file and the key path."""
    where = str(path)
    data = read_yaml_mapping(
        Path(path),
        where,
        "priors",
        _("a mapping with the key 'priors' (key paths and their distributions)"),
        if_empty=_("the file is empty (or holds only comments); expected 'priors:' and then the key paths"),
    )
    problems = _duplicate_keys(Path(path))
    try:
        parsed = _PriorsFile.model_validate(data)
    except ValidationError as exc:
        problems += from_validation_error(exc, where, data, _PriorsFile).problems
        raise ScenarioError(where, _invalid_priors(problems), problems) from None
    if not parsed.priors:
        problems.append(Problem("priors", _("expected at least one key path with its prior")))
    entries: dict[str, _Entry] = {}
    for key, raw in parsed.priors.items():
        entry, found = _entry(key, raw, where)
        problems += found
        if entry is not None:
            entries[key] = entry
    problems += _fixed_problems(parsed.fixed, parsed.priors)
    if problems:
        raise ScenarioError(where, _invalid_priors(problems), problems)
    return Priors(source=where, priors=tuple(_prior(key, entry) for key, entry in entries.items()))


def _entry(key: str, raw: object, where: str) -> tuple[_Entry | None, list[Problem]]:
    """Validate one prior: its key path, its fields, and its range against the scenario."""
    if key not in numeric_keys():
        return None, [_unknown_key(key, "priors.")]
    try:
        entry = _Entry.model_validate(raw)
    except ValidationError as exc:
        found = from_validation_error(exc, where, raw, _Entry).problems
        return None, [_under(f"priors.{key}", problem) for problem in found]
    return entry, _check_against_scenario(key, entry)


def _under(prefix: str, problem: Problem) -> Problem:
    key = f"{prefix}.{problem.key}" if problem.key else prefix
    return Problem(key, problem.message, problem.found, problem.hint, problem.origin)


def _fixed_problems(fixed: Mapping[str, str], priors: Mapping[str, object]) -> list[Problem]:
    problems = [_unknown_key(key, "fixed.") for key in fixed if not _names_keys(key)]
    problems += [
        Problem(f"fixed.{key}", _("has a prior too; expected a key either in 'priors' or in 'fixed'"))
        for key in fixed
        if key in priors
    ]
    return problems


def is_priors_file(path: Path) -> bool:
    """Return whether `path` reads as a YAML mapping with a top-level ``priors`` key."""
    try:
        data = read_yaml_mapping(Path(path), str(path), "priors", "a mapping")
    except ScenarioError:
        return False  # let the scenario loader say what is wrong with it
    return "priors" in data


def _invalid_priors(problems: Sequence[Problem]) -> str:
    count = len(problems)
    return ngettext("invalid priors ({count} problem)", "invalid priors ({count} problems)", count).format(
        count=count
    )


def _invalid_worlds(problems: Sequence[Problem]) -> str:
    count = len(problems)
    return ngettext(
        "invalid table of worlds ({count} problem)", "invalid table of worlds ({count} problems)", count
    ).format(count=count)


def _names_keys(prefix: str) -> bool:
    return any(key == prefix or key.startswith(prefix + ".") for key in numeric_keys())


def _check_against_scenario(key: str, entry: _Entry) -> list[Problem]:
    """Problems of a prior with the scenario: a default outside the range, a bound a scenario refuses."""
    here = f"priors.{key}"
    default = _default(key)
    if not entry.low <= default <= entry.high:
        message = _("the default {default} lies outside [low, high] = [{low}, {high}]").format(
            default=f"{default:g}", low=f"{entry.low:g}", high=f"{entry.high:g}"
        )
        return [Problem(here, message, hint=_("a prior's range must hold the scenario's default"))]
    return [p for bound in ("low", "high") for p in _refused(here, key, bound, getattr(entry, bound))]


def _refused(here: str, key: str, bound: str, value: float) -> list[Problem]:
    """Return a problem if a scenario refuses `value` at `key` (other keys at their defaults)."""
    try:
        scenario_from_dict({}, overrides={key: _as_type(key, value)})
    except ScenarioError as exc:
        why = semicolons([p.message for p in exc.problems]) or exc.summary
        message = _("a scenario refuses {value} here: {reasons}").format(value=f"{value:g}", reasons=why)
        return [Problem(f"{here}.{bound}", message)]
    return []


def _as_type(key: str, value: float) -> float | int:
    if numeric_keys()[key] is int and float(value).is_integer():
        return int(value)
    return float(value)


def _prior(key: str, entry: _Entry) -> Prior:
    return Prior(
        key=key,
        distribution=entry.distribution,
        low=entry.low,
        high=entry.high,
        mode=entry.mode,
        mean=entry.mean,
        sd=entry.sd,
        reason=entry.reason,
    )


def _duplicate_keys(path: Path) -> list[Problem]:
    """Problems for key paths given twice under ``priors`` (YAML would silently keep the last)."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return []
    problems: list[Problem] = []
    for key_node, value_node in node.value:
        if key_node.value != "priors" or not isinstance(value_node, yaml.MappingNode):
            continue
        seen: dict[str, int] = {}
        for child, _value in value_node.value:
            if not isinstance(child, yaml.ScalarNode):
                continue  # a key that is no text: validation says so
            line = child.start_mark.line + 1
            if child.value in seen:
                message = _("given twice (lines {first} and {second}), expected each key path once").format(
                    first=seen[child.value], second=line
                )
                problems.append(Problem(f"priors.{child.value}", message))
            seen.setdefault(child.value, line)
    return problems


# -- worlds -------------------------------------------------------------------------------------------


def sample_worlds(priors: Priors, n: int, seed: int) -> pd.DataFrame:
    """Sample `n` worlds by Latin hypercube: one row per world, one column per key path.

    The hypercube's generator is ``numpy.random.default_rng(SeedSequence([seed,
    WORLDS_ENTROPY]))``: the same `seed` gives the same worlds, and no replication's
    stream (``SeedSequence(seed)`` and its children) is reused.  Each of the `n`
    equal-probability strata of every key holds exactly one world; integer keys
    are rounded to the nearest integer.
    """
    if not 1 <= n <= MAX_WORLDS:
        message = _("the number of worlds must be between 1 and {most}, got {count}")
        raise ValueError(message.format(most=f"{MAX_WORLDS:,}", count=n))
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), WORLDS_ENTROPY]))
    units = qmc.LatinHypercube(d=len(priors.priors), rng=rng).random(n)
    columns = {prior.key: _typed(prior.key, prior.ppf(units[:, i])) for i, prior in enumerate(priors.priors)}
    return pd.DataFrame(columns, index=pd.RangeIndex(n, name=WORLD_COLUMN))


def choose_worlds(
    path: Path | None, count: int | None, seed: int, count_name: str = "--worlds"
) -> pd.DataFrame:
    """Return `count` worlds sampled from the priors file `path`, or the first `count` of a table of worlds.

    `path` None is the shipped priors (`PRIORS_FILE`); a table (.csv, .parquet) gives all
    its worlds when `count` is None.  `count_name` is how the user gave the count (the
    option ``--worlds`` or an experiment's ``worlds``), for the errors (ScenarioError).
    """
    path = PRIORS_FILE if path is None else Path(path)
    if path.suffix.lower() not in (".csv", ".parquet"):
        if count is None:
            message = _("a priors file needs {option} N, the number of worlds to sample")
            raise ScenarioError(str(path), message.format(option=count_name))
        if count > MAX_WORLDS:
            message = _("at most {most} worlds, got {count}")
            raise ScenarioError(count_name, message.format(most=f"{MAX_WORLDS:,}", count=f"{count:,}"))
        return sample_worlds(load_priors(path), count, seed)
    table = load_worlds(path)
    if count is not None and count > len(table):
        message = ngettext(
            "holds {held} world, and {option} {count} asks for more: give at most {held}",
            "holds {held} worlds, and {option} {count} asks for more: give at most {held}",
            len(table),
        )
        raise ScenarioError(str(path), message.format(held=len(table), option=count_name, count=count))
    return table.iloc[:count] if count is not None else table


def world_overrides(row: pd.Series) -> ParsedOverrides:
    """Return a world's values as overrides ``{key path: value}`` (numpy numbers as Python numbers)."""
    overrides = ParsedOverrides()
    for key, value in row.items():
        overrides[str(key)] = value.item() if hasattr(value, "item") else value
    return overrides


def scenario_in_world(
    data: Mapping[str, Any], world: int, row: pd.Series, source: str, what: str = "a scenario"
) -> Scenario:
    """Return the scenario `data` with world `world`'s values `row` applied, validated.

    Raise ScenarioError naming `source` (the priors or worlds file) and the world when
    its values make `what` (e.g. "base scenario", a catalogue message) invalid.
    """
    try:
        return scenario_from_dict(
            data, _("world {world} of {source}").format(world=world, source=source), world_overrides(row)
        )
    except ScenarioError as exc:
        inner = semicolons([p.render() for p in exc.problems]) or exc.summary
        message = _("world {world} makes an invalid {what}: {problems}")
        raise ScenarioError(source, message.format(world=world, what=_(what), problems=inner)) from None


WHAT_WORLDS_MAKE_INVALID = (N_("a scenario"), N_("base scenario"), N_("scenario to calibrate"))
"""The `what` of `scenario_in_world` its callers give, for the catalogue."""


def _typed(key: str, values: np.ndarray) -> np.ndarray:
    if numeric_keys().get(key) is int:
        return np.rint(values).astype(np.int64)
    return values


def load_worlds(path: Path) -> pd.DataFrame:
    """Read a table of worlds (CSV or Parquet) and check it like the priors; raise ScenarioError.

    One row per world, one column per numeric scenario key path, and optionally a
    ``world`` column of distinct non-negative integers (else worlds are numbered
    from 0).  Every value must be finite and acceptable to a scenario.
    """
    where = str(path)
    table = _read_table(Path(path), where)
    table = _with_world_index(table, where)
    unknown = [_unknown_key(str(column)) for column in table.columns if column not in numeric_keys()]
    if unknown:
        raise ScenarioError(where, _invalid_worlds(unknown), unknown)
    problems = [p for column in table.columns for p in _column_problems(table, str(column))]
    if problems:
        raise ScenarioError(where, _invalid_worlds(problems), problems[:20])
    values = table.astype(float)
    problems = [p for world, row in values.iterrows() for p in _world_problems(int(world), row)]
    if problems:
        raise ScenarioError(where, _invalid_worlds(problems), problems[:20])
    return pd.DataFrame({k: _typed(k, values[k].to_numpy()) for k in values.columns}, index=values.index)


def _read_table(path: Path, where: str) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet"}:
        found = suffix or path.name
        message = _("expected a table of worlds as .csv or .parquet, got '{found}'").format(found=found)
        raise ScenarioError(where, message)
    if not path.is_file():
        raise ScenarioError(where, _("table of worlds not found"))
    try:
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except Exception as exc:  # pandas and pyarrow raise many kinds for a damaged file
        raise ScenarioError(
            where, _("cannot read the table of worlds: {reason}").format(reason=exc)
        ) from None
    if table.empty or len(table.columns) == 0:
        raise ScenarioError(where, _("the table of worlds is empty; expected one row per world"))
    if len(table) > MAX_WORLDS:
        message = _("more than {most} worlds ({rows} rows)")
        raise ScenarioError(where, message.format(most=f"{MAX_WORLDS:,}", rows=f"{len(table):,}"))
    return table


def _with_world_index(table: pd.DataFrame, where: str) -> pd.DataFrame:
    if WORLD_COLUMN not in table.columns:
        return table.set_axis(pd.RangeIndex(len(table), name=WORLD_COLUMN))
    ids = pd.to_numeric(table[WORLD_COLUMN], errors="coerce")
    good = ids.notna().all() and (ids >= 0).all() and (ids == ids.round()).all() and ids.is_unique
    if not good:
        found = describe_value(table[WORLD_COLUMN].head(5).tolist())
        raise ScenarioError(
            where,
            _("invalid table of worlds"),
            [Problem(WORLD_COLUMN, _("expected distinct non-negative whole numbers"), found=found)],
        )
    return table.drop(columns=WORLD_COLUMN).set_axis(pd.Index(ids.astype(np.int64), name=WORLD_COLUMN))


def _column_problems(table: pd.DataFrame, key: str) -> list[Problem]:
    values = pd.to_numeric(table[key], errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if not bad.any():
        return []
    world = table.index[bad.to_numpy()][0]
    found = describe_value(table[key].to_numpy()[bad.to_numpy()][0])
    message = _("expected a finite number in every world (first bad: world {world})").format(world=world)
    return [Problem(key, message, found=found)]


def _world_problems(world: int, row: pd.Series) -> list[Problem]:
    overrides = {str(key): _as_type(str(key), float(value)) for key, value in row.items()}
    try:
        scenario_from_dict({}, source=_("world {world}").format(world=world), overrides=overrides)
    except ScenarioError as exc:
        return [
            Problem(
                p.key, _("world {world}: {message}").format(world=world, message=p.message), found=p.found
            )
            for p in exc.problems
        ]
    return []
