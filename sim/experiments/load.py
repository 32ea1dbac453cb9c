"""Load experiment files: YAML, schema, design checks, and every factor tried on the base scenario.

Every problem raises a :class:`~sim.scenario.errors.ScenarioError` naming the
experiment file and the key path (``levers.strategy.billing.mood: not a scenario
key ...``), so the command line can print it and exit with code 2.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sim.experiments.outcomes import curve_day
from sim.experiments.schema import MAX_POINTS, Continuous, Experiment, RangeLever, ValuesLever
from sim.languages import _, ngettext
from sim.languages.formats import semicolons
from sim.scenario.errors import Problem, ScenarioError, describe_value, from_validation_error
from sim.scenario.load import ParsedOverrides, merged_scenario_dict, scenario_from_dict
from sim.scenario.yamlfile import read_yaml_mapping

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Adjustments",
    "ResolvedExperiment",
    "base_candidates",
    "load_experiment",
    "resolve_experiment",
    "verbatim",
]

PROJECT_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
"""The project's own scenarios folder, where a copied experiment's base is looked up last."""
SAMPLED_DESIGN_KEY = {"grid": "points", "lhs": "points", "sobol": "n", "morris": "n"}
"""The design key that `--samples` sets, by design type."""


@dataclass(frozen=True)
class Adjustments:
    """What the command line changes in an experiment (``feesim sweep --set/--reps/--samples``).

    `settings` apply to the base scenario after the experiment's own overrides;
    `replications` replaces the experiment's replications (and its precision target);
    `samples` replaces the design's sample count (`SAMPLED_DESIGN_KEY`);
    `worlds` and `priors` replace the experiment's own.
    """

    settings: ParsedOverrides = field(default_factory=ParsedOverrides)
    replications: int | None = None
    samples: int | None = None
    worlds: int | None = None
    """``--worlds``: replaces the experiment's ``worlds``."""
    priors: Path | None = None
    """``--priors``: replaces the experiment's ``priors`` (relative to the current folder)."""


@dataclass(frozen=True)
class ResolvedExperiment:
    """A validated experiment with its base scenario merged and overridden (still a raw mapping)."""

    path: Path
    experiment: Experiment
    base_path: Path
    scenario: dict[str, Any]
    worlds: pd.DataFrame | None = None
    """The worlds every point runs in (one row per world, one column per key path), or None."""
    worlds_source: str | None = None
    """The priors file or table of worlds they come from."""

    @property
    def name(self) -> str:
        """Return the experiment's name."""
        return self.experiment.name

    @property
    def world_count(self) -> int:
        """Return how many worlds every point runs in (1 without worlds)."""
        return 1 if self.worlds is None else len(self.worlds)

    @property
    def runs_per_point(self) -> int:
        """Return the most runs a point can get: its replications in every world."""
        return self.experiment.max_replications * self.world_count

    def resolved(self) -> dict[str, Any]:
        """Return the experiment as a mapping with every default filled in and `base` an absolute path."""
        data = self.experiment.model_dump(mode="json", exclude_none=True)
        data["base"] = str(self.base_path.resolve())
        return data


def verbatim(overrides: Mapping[str, Any]) -> ParsedOverrides:
    """Return overrides whose values are used as they are (text values are not parsed as YAML)."""
    result = ParsedOverrides()
    result.update(overrides)
    return result


def load_experiment(
    path: str | os.PathLike[str], adjustments: Adjustments | None = None
) -> ResolvedExperiment:
    """Load and check an experiment file and the command line's `adjustments`.

    Raise ScenarioError naming the file (or the option) and the key paths.
    """
    source = str(path)
    adjustments = adjustments or Adjustments()
    raw = _read_mapping(Path(path), source)
    raw.setdefault("name", Path(path).stem)
    try:
        experiment = Experiment.model_validate(raw)
    except ValidationError as exc:
        error = from_validation_error(exc, source, raw, Experiment)
        raise _experiment_error(source, error.problems) from None
    return resolve_experiment(experiment, Path(path), adjustments)


def resolve_experiment(
    experiment: Experiment, path: Path, adjustments: Adjustments | None = None
) -> ResolvedExperiment:
    """Check a validated experiment of file `path` against its base scenario, its factors and worlds.

    Raise ScenarioError naming the file (or the option) and the key paths.
    """
    source = str(path)
    adjustments = adjustments or Adjustments()
    experiment = _adjusted(experiment, adjustments, source)
    _raise_if(source, _design_problems(experiment))
    base_path = find_base(Path(path), experiment.base, source)
    scenario = _base_scenario(experiment, base_path, source)
    scenario, experiment = _with_settings(experiment, base_path, scenario, adjustments.settings, source)
    _raise_if(
        source, [*_factor_problems(experiment, scenario, source), *_outcome_problems(experiment, scenario)]
    )
    worlds, worlds_source = _worlds(experiment, Path(path), scenario, adjustments)
    return ResolvedExperiment(Path(path), experiment, base_path, scenario, worlds, worlds_source)


# -- reading ------------------------------------------------------------------------------------------


def _read_mapping(path: Path, source: str) -> dict[str, Any]:
    """Read the experiment file's YAML mapping."""
    expected = _("a mapping of experiment keys (name, base, levers, ...)")
    empty = _(
        "the file is empty (or holds only comments); an experiment names at least its base scenario"
        " and a lever, e.g. 'base: ../scenarios/baseline.yaml'"
        " and 'levers: {{team.collectors: {{values: [2, 4, 6]}}}}'"
    ).format()
    return read_yaml_mapping(path, source, "experiment", expected, if_empty=empty)


def _experiment_error(source: str, problems: list[Problem] | tuple[Problem, ...]) -> ScenarioError:
    """Return the error of an invalid experiment with `problems`."""
    count = len(problems)
    summary = ngettext("invalid experiment ({count} problem)", "invalid experiment ({count} problems)", count)
    return ScenarioError(source, summary.format(count=count), problems)


def _raise_if(source: str, problems: list[Problem]) -> None:
    """Raise the experiment error if there is any problem."""
    if problems:
        raise _experiment_error(source, problems)


# -- the command line: --reps, --samples, --set ----------------------------------------------------------


def _adjusted(experiment: Experiment, adjustments: Adjustments, source: str) -> Experiment:
    """Return `experiment` with the command line's replications and design sample count."""
    update: dict[str, Any] = {}
    if adjustments.replications is not None:
        update.update(replications=adjustments.replications, precision=None)
    if adjustments.samples is not None:
        key = _samples_key(experiment, adjustments.samples, source)
        update["design"] = experiment.design.model_copy(update={key: adjustments.samples})
    if adjustments.worlds is not None:
        update["worlds"] = adjustments.worlds
    return experiment.model_copy(update=update) if update else experiment


def _samples_key(experiment: Experiment, samples: int, source: str) -> str:
    """Return the design key `--samples` sets; raise ScenarioError if this design samples nothing."""
    kind = experiment.design.type
    label = f"--samples {samples}"
    if not _sampled_keys(experiment):
        if kind == "grid":
            message = _(
                "the {kind} design of {source} samples nothing (it has no uncertainties):"
                " every point is a lever setting."
                " Shrink the sweep with --reps, or with --set (community.households, horizon_days)"
            )
        else:
            message = _(
                "the {kind} design of {source} samples nothing (it has no uncertainties or range levers):"
                " every point is a lever setting."
                " Shrink the sweep with --reps, or with --set (community.households, horizon_days)"
            )
        raise ScenarioError(label, message.format(kind=kind, source=source))
    if kind == "sobol" and samples & (samples - 1):
        lower = 1 << (samples.bit_length() - 1)
        message = _(
            "a sobol design needs a power of 2 base samples (design.n of {source}): try {lower} or {upper}"
        )
        raise ScenarioError(label, message.format(source=source, lower=lower, upper=2 * lower))
    return SAMPLED_DESIGN_KEY[kind]


def _with_settings(
    experiment: Experiment, base_path: Path, scenario: dict[str, Any], settings: ParsedOverrides, source: str
) -> tuple[dict[str, Any], Experiment]:
    """Apply ``--set`` after the experiment's overrides; return the scenario and the experiment with both."""
    if not settings:
        return scenario, experiment
    _raise_if(source, _settings_on_factors(experiment, settings))
    scenario_from_dict(scenario, source, settings)  # raises naming the --set that is wrong
    kept = {k: v for k, v in experiment.overrides.items() if k not in settings}
    overrides = {**kept, **settings}
    return merged_scenario_dict(base_path, verbatim(overrides)), experiment.model_copy(
        update={"overrides": overrides}
    )


def _settings_on_factors(experiment: Experiment, settings: ParsedOverrides) -> list[Problem]:
    """Return a problem per ``--set`` that a lever or an uncertainty would overwrite at every point."""
    problems = []
    for key in settings:
        for section in ("levers", "uncertainties"):
            for factor in getattr(experiment, section):
                if key == factor or key.startswith(factor + ".") or factor.startswith(key + "."):
                    text = settings.texts.get(key, key)
                    message = _(
                        "clashes with {section}.{factor}, which sets {factor} at every point:"
                        " change the factor in the experiment file instead"
                    ).format(section=section, factor=factor)
                    problems.append(Problem(f"--set {text}", message))
    return problems


# -- the base scenario's file ---------------------------------------------------------------------------


def base_candidates(experiment_path: Path, base: str) -> list[Path]:
    """Return where the base scenario is looked for, in order.

    First next to the experiment file; then, for a relative base, in the
    ``scenarios`` folder of the current folder and of this project, under the part of
    `base` after its last ``scenarios`` folder (or its whole path without ``..``):
    a copied ``experiments/team_size.yaml`` still finds ``../scenarios/baseline.yaml``.
    """
    given = Path(base)
    candidates = [experiment_path.parent / given]
    if not given.is_absolute():
        parts = given.parts
        tail = parts[len(parts) - parts[::-1].index("scenarios") :] if "scenarios" in parts else parts
        inside = Path(*[part for part in tail if part not in ("..", ".")])
        for folder in (Path("scenarios"), PROJECT_SCENARIOS):
            candidates.append(folder / inside)
    unique: list[Path] = []
    for candidate in candidates:
        if all(os.path.abspath(candidate) != os.path.abspath(seen) for seen in unique):
            unique.append(candidate)
    return unique


def find_base(experiment_path: Path, base: str, source: str) -> Path:
    """Return the base scenario file of an experiment; raise ScenarioError saying where it looked."""
    candidates = base_candidates(experiment_path, base)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = semicolons(
        [
            (_("{where} {path} (not a file)") if c.exists() else _("{where} {path} (not found)")).format(
                where=_where(n, c), path=c
            )
            for n, c in enumerate(candidates)
        ]
    )
    if candidates[0].exists():
        message = _("names a scenario file that is not a file: {base}. Looked for it {places}")
    else:
        message = _("names a scenario file that does not exist: {base}. Looked for it {places}")
    hint = _("give the base's path relative to the experiment file, or an absolute path")
    raise _experiment_error(source, [Problem("base", message.format(base=base, places=looked), hint=hint)])


def _where(index: int, candidate: Path) -> str:
    """Say which place a candidate base path is (next to the experiment, or a scenarios folder)."""
    if index == 0:
        return _("next to the experiment file:")
    if not candidate.is_absolute():
        return _("in the current folder's scenarios:")
    return _("in the project's scenarios:")


# -- checks beyond the schema ---------------------------------------------------------------------------


def _design_problems(experiment: Experiment) -> list[Problem]:
    """Return what is missing or unused in the design, and clashing factors."""
    design = experiment.design
    sampled = _sampled_keys(experiment)
    problems = [*_required_design_keys(experiment, sampled), *_unused_design_keys(experiment)]
    if design.type == "sobol" and design.n is not None and design.n & (design.n - 1):
        problems.append(Problem("design.n", _("a sobol design needs a power of 2"), found=str(design.n)))
    if experiment.replications is not None and experiment.precision is not None:
        problems.append(Problem("precision", _("give either replications or precision, not both")))
    if experiment.precision is not None and (experiment.worlds is not None or experiment.priors is not None):
        message = _("does not go with worlds: give replications, the replications in each world")
        problems.append(Problem("precision", message))
    for index, name in enumerate(experiment.outcomes):
        if name in experiment.outcomes[:index]:
            problems.append(
                Problem(f"outcomes[{index}]", _("repeats outcome {name}").format(name=repr(name)))
            )
    return problems + _clashing_keys(experiment) + _size_problems(experiment)


def _size_problems(experiment: Experiment) -> list[Problem]:
    """Return a problem if the design has more points than a sweep can hold (counted, not built)."""
    count = design_size(experiment)
    if count <= MAX_POINTS:
        return []
    message = _("makes {count} points, more than {most}: use fewer levels or values")
    return [Problem("design", message.format(count=f"{count:,}", most=f"{MAX_POINTS:,}"))]


def design_size(experiment: Experiment) -> int:
    """Return how many points `make_design` makes of `experiment`, without making them."""
    design = experiment.design
    sampled = _sampled_keys(experiment)
    count = 1
    for factor in experiment.levers.values():
        if isinstance(factor, ValuesLever):
            count *= len(factor.values)
        elif design.type == "grid" and isinstance(factor, RangeLever):
            count *= _grid_levels(factor, design.levels)
    if sampled:
        per_sample = {"sobol": len(sampled) + 2, "morris": len(sampled) + 1}.get(design.type)
        count *= design.n * per_sample if per_sample and design.n else design.points or 1
    return count


def _grid_levels(lever: RangeLever, levels: int | None) -> int:
    """Return how many values a range lever takes on a grid."""
    wholes = max(1, math.floor(lever.range.max) - math.ceil(lever.range.min) + 1)
    if levels is not None:
        return min(levels, wholes) if lever.integer else levels
    return wholes if lever.integer else 1  # without levels: reported as missing design.levels


def _sampled_keys(experiment: Experiment) -> list[str]:
    """Return the factors the design's sampler covers (the rest are crossed as a grid)."""
    if experiment.design.type == "grid":
        return list(experiment.uncertainties)
    return [key for key, factor in experiment.factors.items() if isinstance(factor, Continuous)]


def _required_design_keys(experiment: Experiment, sampled: list[str]) -> list[Problem]:
    """Return the design keys this design needs but does not have."""
    design, kind = experiment.design, experiment.design.type
    if kind in ("sobol", "morris"):
        needs_n = []
        if not design.n:
            message = _("a {kind} design needs n (the number of base samples)").format(kind=kind)
            needs_n.append(Problem("design.n", message))
        if not sampled:
            message = _("a {kind} design samples range levers and uncertainties; there are none")
            needs_n.append(Problem("design.type", message.format(kind=kind)))
        return needs_n
    if kind == "lhs":
        problems = (
            [] if design.points else [Problem("design.points", _("an lhs design needs points (how many)"))]
        )
        if not sampled:
            message = _("an lhs design samples range levers and uncertainties; there are none")
            problems.append(Problem("design.type", message))
        return problems
    problems = []
    if sampled and design.points is None:
        message = _("a grid with uncertainties needs points: how many samples of them to cross")
        problems.append(Problem("design.points", message))
    ranges = [k for k, f in experiment.levers.items() if isinstance(f, RangeLever) and not f.integer]
    if ranges and design.levels is None:
        message = _("a grid needs levels for the range lever(s) {levers}").format(levers=", ".join(ranges))
        problems.append(Problem("design.levels", message))
    return problems


def _unused_design_keys(experiment: Experiment) -> list[Problem]:
    """Return design keys that this design type does not use (a likely mistake)."""
    design, kind = experiment.design, experiment.design.type
    used = {"grid": {"points", "levels"}, "lhs": {"points"}, "sobol": {"n"}, "morris": {"n", "levels"}}[kind]
    return [
        Problem(f"design.{key}", _("is not used by a {kind} design").format(kind=kind))
        for key in ("points", "n", "levels")
        if getattr(design, key) is not None and key not in used
    ]


def _clashing_keys(experiment: Experiment) -> list[Problem]:
    """Return factors that set the same scenario key, or a key inside another factor's."""
    problems = []
    seen: list[tuple[str, str]] = []
    for section, keys in (("levers", experiment.levers), ("uncertainties", experiment.uncertainties)):
        for key in keys:
            for other_section, other in seen:
                if key == other or key.startswith(other + ".") or other.startswith(key + "."):
                    message = _("clashes with {factor}").format(factor=f"{other_section}.{other}")
                    problems.append(Problem(f"{section}.{key}", message))
            seen.append((section, key))
    return problems


def _outcome_problems(experiment: Experiment, scenario: Mapping[str, Any]) -> list[Problem]:
    """Return curve-point outcomes after the base scenario's horizon."""
    horizon = scenario_from_dict(scenario).horizon_days
    problems = []
    for index, name in enumerate(experiment.outcomes):
        point = curve_day(name)
        if point is not None and point[1] > horizon:
            message = _("day {day} is after the horizon ({horizon} days)").format(
                day=point[1], horizon=horizon
            )
            problems.append(Problem(f"outcomes[{index}]", message))
    return problems


# -- the base scenario and the factors ------------------------------------------------------------------


def _base_scenario(experiment: Experiment, base_path: Path, source: str) -> dict[str, Any]:
    """Return the base scenario merged and overridden; raise if the base or an override is bad."""
    label = _("{file} (base of {experiment})").format(file=base_path, experiment=source)
    try:
        scenario_from_dict(merged_scenario_dict(base_path), label)
        scenario = merged_scenario_dict(base_path, verbatim(experiment.overrides))
        scenario_from_dict(scenario, source)
    except ScenarioError as exc:
        if exc.source == source:
            raise _experiment_error(source, _override_problems(exc, experiment.overrides)) from None
        raise ScenarioError(label, exc.summary, exc.problems) from None
    return scenario


def _override_problems(error: ScenarioError, overrides: Mapping[str, Any]) -> list[Problem]:
    """Return the problems of the overridden base scenario, keyed under ``overrides``."""
    problems = []
    for problem in error.problems or [Problem("", error.summary)]:
        owner = next((k for k in overrides if problem.key == k or problem.key.startswith(k + ".")), None)
        key = f"overrides.{owner}" if owner else "overrides"
        problems.append(Problem(key, _inner(problem)))
    return problems


def _factor_problems(experiment: Experiment, scenario: Mapping[str, Any], source: str) -> list[Problem]:
    """Try each factor's probe values on the base scenario; return a problem per factor that fails."""
    problems = []
    for section in ("levers", "uncertainties"):
        for key, factor in getattr(experiment, section).items():
            for value in factor.probe_values():
                try:
                    scenario_from_dict(scenario, source, verbatim({key: value}))
                except ScenarioError as exc:
                    problems.append(Problem(f"{section}.{key}", _factor_message(exc, value)))
                    break
    return problems


def _factor_message(error: ScenarioError, value: Any) -> str:
    """Describe why setting a factor to `value` makes no valid scenario."""
    inner = error.problems or (Problem("", error.summary),)
    reasons = semicolons([_inner(p) for p in inner])
    if any(p.no_such_key for p in inner):
        return _("not a scenario key: {reasons}").format(reasons=reasons)
    return _("value {value} makes an invalid scenario: {reasons}").format(
        value=describe_value(value), reasons=reasons
    )


def _inner(problem: Problem) -> str:
    """Render a scenario problem without its origin (the experiment file is already named)."""
    return dataclasses.replace(problem, origin=None).render()


# -- worlds ---------------------------------------------------------------------------------------------


def _worlds(
    experiment: Experiment, path: Path, scenario: Mapping[str, Any], adjustments: Adjustments
) -> tuple[pd.DataFrame | None, str | None]:
    """Return the worlds every point runs in and where they come from; (None, None) without worlds.

    The priors (``--priors``, else the experiment's ``priors`` relative to its file, else
    the shipped file) are sampled with the experiment's seed, or read as a table.  Keys
    the experiment sets itself (overrides, ``--set``, levers, uncertainties) are left out
    of the worlds: the experiment's values stand.  Raise ScenarioError naming the file,
    and the world, when a world makes the base scenario invalid.
    """
    from sim.worlds.priors import PRIORS_FILE, choose_worlds

    if adjustments.priors is not None:
        priors, given = adjustments.priors, f"--priors {adjustments.priors}"
    elif experiment.priors is not None:
        priors, given = path.parent / experiment.priors, f"{path}: priors: {experiment.priors}"
    elif experiment.worlds is not None:
        priors, given = PRIORS_FILE, str(PRIORS_FILE)
    else:
        return None, None
    count_name = "--worlds" if adjustments.worlds is not None else "worlds:"
    try:
        table = choose_worlds(priors, experiment.worlds, experiment.seed, count_name=count_name)
    except ScenarioError as exc:
        raise ScenarioError(given, exc.summary, exc.problems) from None
    fixed = [*experiment.overrides, *experiment.levers, *experiment.uncertainties]
    kept = [c for c in table.columns if not any(c == k or c.startswith(k + ".") for k in fixed)]
    table = table[kept]
    _check_worlds(table, scenario, str(priors))
    return table, str(priors)


def _check_worlds(table: pd.DataFrame, scenario: Mapping[str, Any], source: str) -> None:
    """Raise ScenarioError naming `source` and the world if a world makes `scenario` invalid."""
    from sim.worlds.priors import scenario_in_world

    for world, row in table.iterrows():
        scenario_in_world(scenario, int(world), row, source, "base scenario")
