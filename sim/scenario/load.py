"""Load scenario files: YAML, ``extends`` inheritance, ``--set`` overrides, validation.

A scenario file is a YAML mapping.  ``extends: other.yaml`` (relative to the
extending file) deep-merges the parent first: mappings merge key by key, any
other value (lists included) is replaced by the child.  Overrides
``{"key.path": value}`` are applied last.  Every problem raises a
:class:`~sim.scenario.errors.ScenarioError`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.languages import _
from sim.scenario.errors import Problem, ScenarioError, describe_value, from_validation_error
from sim.scenario.schema import ROSTER_FIELDS, Scenario
from sim.scenario.yamlfile import dump_yaml, parse_yaml, read_yaml_mapping

__all__ = [
    "ParsedOverrides",
    "load_scenario",
    "merged_scenario_dict",
    "nest_key_paths",
    "parse_overrides",
    "scenario_from_dict",
    "scenario_to_yaml",
]

EXTENDS_KEY = "extends"
SHIPPED_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

KeyPath = tuple[str | int, ...]
Origins = dict[KeyPath, str]


class ParsedOverrides(dict[str, object]):
    """Overrides parsed from ``key.path=value`` texts; values are final, texts kept for messages."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}
        self.roster_columns: dict[str, str] = {}
        """``--map COLUMN=FIELD`` items: merged over ``community.roster_columns``."""


# -- public API ---------------------------------------------------------------------------------------


def parse_overrides(items: Sequence[str], column_map: Sequence[str] | None = None) -> ParsedOverrides:
    """Turn CLI ``key.path=value`` strings (and ``--map COLUMN=FIELD`` items) into overrides."""
    result = ParsedOverrides()
    if column_map:
        from sim.data.tables import parse_column_map

        result.roster_columns = parse_column_map(column_map, ROSTER_FIELDS)
    for item in items:
        label = f"--set {item}"
        if "=" not in item:
            raise ScenarioError(
                label,
                _("bad override"),
                [Problem("", _("expected 'key.path=value' (for example horizon_days=90)"), found=repr(item))],
            )
        key, text = item.split("=", 1)
        key = key.strip()
        _check_key(key, label)
        result[key] = _parse_value(text)
        result.texts[key] = item
    return result


def merged_scenario_dict(
    path: str | os.PathLike[str], overrides: Mapping[str, object] | None = None
) -> dict[str, Any]:
    """Return the merged, overridden raw mapping of a scenario file, before validation."""
    data, _origins = _resolve(path, overrides)
    return data


def load_scenario(path: str | os.PathLike[str], overrides: Mapping[str, object] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario file."""
    data, origins = _resolve(path, overrides)
    return _validate(data, str(path), origins)


def scenario_from_dict(
    data: Mapping[str, Any], source: str = "<dict>", overrides: Mapping[str, object] | None = None
) -> Scenario:
    """Validate a scenario built in code, with the same overrides and error messages as files."""
    if not isinstance(data, Mapping):
        raise ScenarioError(
            source,
            _("not a scenario"),
            [Problem("", _("expected a mapping of scenario keys"), found=describe_value(data))],
        )
    merged: dict[str, Any] = copy.deepcopy(dict(data))
    origins: Origins = {}
    _apply_overrides(merged, overrides, source, origins)
    return _validate(merged, source, origins)


def nest_key_paths(settings: Mapping[str, object]) -> dict[str, Any]:
    """Return settings given by dotted key path (``team.collectors: 4``) as a nested scenario mapping."""
    tree: dict[str, Any] = {}
    for key, value in settings.items():
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def scenario_to_yaml(scenario: Scenario) -> str:
    """Return the fully resolved scenario as YAML that loads back to an equal scenario."""
    return dump_yaml(scenario.model_dump(mode="json"))


# -- reading and merging ------------------------------------------------------------------------------


def _resolve(path: str | os.PathLike[str], overrides: Mapping[str, object] | None) -> tuple[dict, Origins]:
    top = str(path)
    origins: Origins = {}
    data = _load_chain(Path(path), top, top, [], origins)
    _apply_overrides(data, overrides, top, origins)
    data.setdefault("name", Path(path).stem)
    if isinstance(overrides, ParsedOverrides) and overrides.roster_columns:
        _merge_roster_columns(data, overrides.roster_columns, top)
    return data, origins


def _load_chain(path: Path, label: str, top: str, stack: list[Path], origins: Origins) -> dict[str, Any]:
    """Load `path` and its ``extends`` ancestors, merged; record where each key came from."""
    where = label if label == top else _("{file} (extended by {top})").format(file=label, top=top)
    resolved = path.resolve()
    if resolved in stack:
        chain = " -> ".join([*(_short(p) for p in stack), _short(resolved)])
        raise ScenarioError(top, _("'extends' cycle: {chain}").format(chain=chain))
    raw = _read_mapping(path, where)
    _resolve_roster_path(raw, path)
    parent_ref = raw.pop(EXTENDS_KEY, None)
    if parent_ref is None:
        base: dict[str, Any] = {}
    else:
        if not isinstance(parent_ref, str) or not parent_ref.strip():
            raise ScenarioError(
                where,
                _("bad 'extends'"),
                [
                    Problem(
                        EXTENDS_KEY,
                        _("expected a file path (relative to this file)"),
                        describe_value(parent_ref),
                    )
                ],
            )
        parent_path = path.parent / parent_ref
        parent_label = os.path.normpath(os.path.join(os.path.dirname(label), parent_ref))
        if not parent_path.is_file():
            if parent_path.exists():
                message = _("'extends: {parent}' names a parent scenario that is not a file: {path}")
            else:
                message = _("'extends: {parent}' names a parent scenario that does not exist: {path}")
            raise ScenarioError(where, message.format(parent=parent_ref, path=parent_label))
        base = _load_chain(parent_path, parent_label, top, [*stack, resolved], origins)
    _deep_merge(base, raw, (), label, origins)
    return base


def _resolve_roster_path(raw: dict[str, Any], path: Path) -> None:
    """Make a relative ``community.roster`` relative to the file that names it, and absolute."""
    community = raw.get("community")
    if isinstance(community, dict) and isinstance(community.get("roster"), str):
        community["roster"] = os.path.abspath(path.parent / community["roster"])


def _short(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _read_mapping(path: Path, where: str) -> dict[str, Any]:
    expected = _("a mapping of scenario keys (like 'horizon_days: 90')")
    return read_yaml_mapping(path, where, "scenario", expected, if_empty=_empty_file_message(path))


def _empty_file_message(path: Path) -> str:
    """Say that a file without keys is not a scenario, and how to start one from the shipped baseline."""
    baseline = _baseline_from(path.parent)
    if Path(baseline).is_absolute():
        message = _(
            "the file is empty (or holds only comments), so it describes no campaign; start from a scenario"
            " with a first line 'extends: {baseline}' and then the keys"
            " that differ, or write '{{}}' for every default (the keys are in 'feesim schema')"
        )
    else:
        message = _(
            "the file is empty (or holds only comments), so it describes no campaign; start from a scenario"
            " with a first line 'extends: {baseline}' (paths are relative to this file's folder) and then"
            " the keys that differ, or write '{{}}' for every default (the keys are in 'feesim schema')"
        )
    return message.format(baseline=baseline)


def _baseline_from(folder: Path) -> str:
    """Return the shipped baseline scenario's path, relative to `folder` if that is in the project."""
    baseline = SHIPPED_SCENARIOS / "baseline.yaml"
    if not baseline.is_file():
        return "baseline.yaml"
    folder = folder.resolve()
    if not folder.is_relative_to(SHIPPED_SCENARIOS.parent):
        return str(baseline)
    return Path(os.path.relpath(baseline, folder)).as_posix()


def _deep_merge(
    base: dict[str, Any], child: Mapping[str, Any], prefix: KeyPath, label: str, origins: Origins
) -> None:
    """Merge `child` into `base` in place: mappings key by key, anything else replaced."""
    for key, value in child.items():
        here = (*prefix, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value, here, label, origins)
        else:
            base[key] = value
            _forget_below(origins, here)
            origins[here] = label


def _forget_below(origins: Origins, prefix: KeyPath) -> None:
    for key in [k for k in origins if k[: len(prefix)] == prefix]:
        del origins[key]


def _merge_roster_columns(data: dict[str, Any], columns: Mapping[str, str], source: str) -> None:
    """Merge ``--map`` items over the scenario's ``community.roster_columns``."""
    community = data.setdefault("community", {})
    if not isinstance(community, dict) or not community.get("roster"):
        raise ScenarioError(
            source,
            _("--map names roster columns, but the scenario has no roster"),
            [
                Problem(
                    "community.roster", _("expected the roster file to map (relative to the scenario file)")
                )
            ],
        )
    given = community.get("roster_columns")
    community["roster_columns"] = {**(given if isinstance(given, dict) else {}), **columns}


# -- overrides ----------------------------------------------------------------------------------------


def _check_key(key: str, label: str) -> None:
    if not key:
        raise ScenarioError(
            label, _("bad override"), [Problem("", _("expected a key path before '='"), found="''")]
        )
    if any(not part.strip() for part in key.split(".")):
        raise ScenarioError(
            label,
            _("bad override"),
            [
                Problem(
                    key, _("expected dot-separated key names (like strategy.billing.mode)"), found=repr(key)
                )
            ],
        )


def _parse_value(text: str) -> object:
    """Parse an override value as a YAML scalar or flow collection; fall back to the plain text."""
    try:
        value = parse_yaml(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, dict) and not text.lstrip().startswith("{"):
        return text  # "a: b" is meant as text, not as a mapping
    return value


def _override_label(key: str, value: object, overrides: Mapping[str, object]) -> str:
    if isinstance(overrides, ParsedOverrides) and key in overrides.texts:
        return f"--set {overrides.texts[key]}"
    text = value if isinstance(value, str) else describe_value(value, limit=10_000)
    return f"--set {key}={text}"


def _apply_overrides(
    data: dict[str, Any], overrides: Mapping[str, object] | None, source: str, origins: Origins
) -> None:
    if not overrides:
        return
    parsed = isinstance(overrides, ParsedOverrides)
    for key, raw_value in overrides.items():
        label = _override_label(str(key), raw_value, overrides)
        if not isinstance(key, str):
            raise ScenarioError(
                source,
                _("bad override ({label})").format(label=label),
                [Problem("", _("expected a text key path"), describe_value(key))],
            )
        _check_key(key, label)
        value = raw_value if parsed or not isinstance(raw_value, str) else _parse_value(raw_value)
        value = copy.deepcopy(value)
        parts = key.split(".")
        node: Any = data
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif not isinstance(child, dict):
                where = ".".join(parts[: depth + 1])
                raise ScenarioError(
                    source,
                    _("bad override ({label})").format(label=label),
                    [
                        Problem(
                            where,
                            _("is not a mapping, so it has no key '{key}'").format(key=parts[depth + 1]),
                            found=describe_value(child),
                            no_such_key=True,
                        )
                    ],
                )
            node = child
        node[parts[-1]] = value
        here = tuple(parts)
        _forget_below(origins, here)
        origins[here] = label


# -- validation ---------------------------------------------------------------------------------------


def _validate(data: dict[str, Any], source: str, origins: Origins) -> Scenario:
    scenario = _validated(data, source, origins)
    if scenario.community.roster is None:
        return scenario
    return _with_roster(data, scenario, source, origins)


def _validated(data: dict[str, Any], source: str, origins: Origins) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(
            exc, source, data, Scenario, lambda path: _origin_of(path, source, origins)
        ) from None


def _with_roster(data: dict[str, Any], scenario: Scenario, source: str, origins: Origins) -> Scenario:
    """Read the scenario's roster and attach it; its units and buildings win over households and buildings.

    The path is stored absolute (relative paths are resolved against the current folder
    here, against the scenario file when read from one), so the dumped scenario re-runs.
    """
    from sim.data.roster import read_roster

    community = scenario.community
    path = os.path.abspath(community.roster or "")
    roster = read_roster(Path(path), community.roster_columns)
    counts = {"roster": path, "households": roster.size, "buildings": len(roster.buildings)}
    if any(getattr(community, key) != value for key, value in counts.items()):
        data = {**data, "community": {**data["community"], **counts}}
        scenario = _validated(data, source, origins)
    scenario._roster = roster
    return scenario


def _origin_of(path: KeyPath, source: str, origins: Origins) -> str | None:
    """Say where the value at `path` came from, when that is not simply `source`."""
    labels: set[str] = set()
    for length in range(len(path), 0, -1):
        label = origins.get(path[:length])
        if label is not None:
            labels.add(label)
            break
    labels.update(v for k, v in origins.items() if len(k) > len(path) and k[: len(path)] == path)
    if len(labels) == 1:
        (label,) = labels
        return None if label == source else label
    # A section assembled from several places (e.g. shares summing to 1): name the overrides in it.
    return ", ".join(sorted(v for v in labels if v.startswith("--set "))) or None
