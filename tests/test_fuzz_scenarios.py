"""Fuzzing scenario files: whatever a file holds, ``validate`` and ``run`` exit 0 or 2, never a traceback.

Mutations start from every key of the resolved playbook (the keys of ``feesim
schema``, filled in) and from the shipped scenario files as written: wrong
types, non-finite, negative, huge and tiny numbers, impossible dates, lists
for scalars, unknown siblings, alias bombs, deep nesting, binary garbage and
invalid UTF-8.  Hypothesis runs derandomized, so every run tries the same
files.  Validation runs in this process; ``run`` only on files that validate,
with a tiny community and horizon.
"""

from __future__ import annotations

import math
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from tests.paths import PRIORS, SCENARIOS

KeyPath = tuple[str | int, ...]

RESOLVED: dict[str, Any] = load_scenario(SCENARIOS / "playbook.yaml").model_dump(mode="json")
SHIPPED: list[Path] = sorted(p for p in SCENARIOS.rglob("*.yaml") if p != PRIORS)  # priors.yaml: no scenario
TINY = ["community.households=40", "community.buildings=2", "horizon_days=15"]
SECONDS_PER_FILE = 5.0  # CPU seconds for one validate or one tiny run


class Plain(str):
    """Text written into YAML unquoted, so a date-like one is read as a timestamp (2026-02-30)."""


def _plain(dumper: yaml.SafeDumper, value: Plain) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(value))


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Plain, _plain)


def _leaves(tree: Any, prefix: KeyPath = ()) -> list[KeyPath]:
    """Return the key paths of every value that is not a mapping (list items included)."""
    if isinstance(tree, dict):
        return [path for key, value in tree.items() for path in _leaves(value, (*prefix, key))]
    if isinstance(tree, list):
        return [prefix, *(path for i, item in enumerate(tree) for path in _leaves(item, (*prefix, i)))]
    return [prefix]


def _mappings(tree: Any, prefix: KeyPath = ()) -> list[KeyPath]:
    """Return the key paths of every mapping, the top level included."""
    if isinstance(tree, dict):
        return [prefix, *(p for k, v in tree.items() for p in _mappings(v, (*prefix, k)))]
    if isinstance(tree, list):
        return [p for i, item in enumerate(tree) for p in _mappings(item, (*prefix, i))]
    return []


LEAVES = _leaves(RESOLVED)
MAPPINGS = _mappings(RESOLVED)


def _copy(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _copy(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_copy(v) for v in tree]
    return tree


def _get(tree: Any, path: KeyPath) -> Any:
    for part in path:
        tree = tree[part]
    return tree


def _set(tree: Any, path: KeyPath, value: Any) -> None:
    _get(tree, path[:-1])[path[-1]] = value


NUMERIC = [
    p
    for p in LEAVES
    if isinstance(_get(RESOLVED, p), (int, float)) and not isinstance(_get(RESOLVED, p), bool)
]

BAD_VALUES = st.one_of(
    st.sampled_from(
        [
            math.inf,
            -math.inf,
            math.nan,
            -1,
            -1e9,
            10**12,
            10**30,
            1e308,
            1e-300,
            0,
            "many",
            "",
            True,
            None,
            {},
            {"x": 1},
            [],
            [1, 2, 3],
            [[1]],
            Plain("2026-02-30"),
            Plain("2026-13-01"),
            Plain("2026-02-29"),
            "2026-04-31",
            Plain("2026-03-02"),
        ]
    ),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(), st.floats(), st.text(max_size=4)), max_size=30),
)
EXTREME_NUMBERS = st.sampled_from([0, 1e-300, 1e-9, 0.5, 1, 7, 1e9, 10**12, 10**30, 1e308])


def _dump(tree: Any) -> bytes:
    return yaml.dump(tree, Dumper=_Dumper, sort_keys=False, allow_unicode=True).encode("utf-8")


def _sections(paths: list[KeyPath]) -> dict[str, Any]:
    """Return the resolved playbook's top-level sections holding `paths` (a smaller file, as valid)."""
    tree = {str(key): _copy(RESOLVED[key]) for key in dict.fromkeys(path[0] for path in paths if path)}
    return tree or {"horizon_days": RESOLVED["horizon_days"]}


@st.composite
def _changed_value(draw: st.DrawFn) -> bytes:
    paths = draw(st.lists(st.sampled_from(LEAVES), min_size=1, max_size=3))
    tree = _sections(paths)
    for path in sorted(paths, key=len, reverse=True):  # a key inside another changed key first
        _set(tree, path, draw(BAD_VALUES))
    return _dump(tree)


@st.composite
def _unknown_or_missing_key(draw: st.DrawFn) -> bytes:
    path = draw(st.sampled_from(MAPPINGS))
    tree = _sections([path])
    where = _get(tree, path)
    if draw(st.booleans()) or not where:
        where[draw(st.sampled_from(["colour", "extends", "name", "x.y", "", "1"]))] = draw(BAD_VALUES)
    else:
        del where[draw(st.sampled_from(sorted(where)))]
    return _dump(tree)


@st.composite
def _mapping_swapped(draw: st.DrawFn) -> bytes:
    path = draw(st.sampled_from([p for p in MAPPINGS if p]))
    tree = _sections([path])
    _set(tree, path, draw(st.sampled_from([1, "text", [1, 2], [{"a": 1}], None, Plain("2026-02-30")])))
    return _dump(tree)


@st.composite
def _alias_bomb(draw: st.DrawFn) -> bytes:
    width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 12))
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, depth)]
    where = draw(st.sampled_from(["description", "name", "calendar"]))
    return ("\n".join(lines) + f"\n{where}: *a{depth - 1}\n").encode()


@st.composite
def _self_alias(draw: st.DrawFn) -> bytes:
    return draw(st.sampled_from([b"team: &t\n  shift: [*t]\n", b"a: &a [*a]\n", b"&r {x: *r}\n"]))


@st.composite
def _deep_nesting(draw: st.DrawFn) -> bytes:
    depth = draw(st.integers(20, 3000))
    if draw(st.booleans()):
        return ("team: " + "[" * depth + "]" * depth + "\n").encode()
    return "".join("  " * i + f"k{i}:\n" for i in range(min(depth, 400))).encode() + b"  end: 1\n"


@st.composite
def _garbage(draw: st.DrawFn) -> bytes:
    return draw(st.binary(max_size=400))


@st.composite
def _damaged_shipped_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """Return a shipped file with one defect, and its folder (relative), where its parent is found."""
    source = draw(st.sampled_from(SHIPPED))
    text = bytearray(source.read_bytes())
    kind = draw(st.sampled_from(["flip", "cut", "insert", "invalid utf-8"]))
    at = draw(st.integers(0, max(len(text) - 1, 0)))
    if kind == "flip" and text:
        text[at] = draw(st.integers(0, 255))
    elif kind == "cut":
        del text[at:]
    elif kind == "insert":
        text[at:at] = draw(
            st.sampled_from([b"\t", b": ", b"- ", b"&a ", b"*a ", b"!!python/object:os.system ", b"{"])
        )
    else:
        text[at:at] = b"\xff\xfe"
    return source.parent.relative_to(SCENARIOS).as_posix(), bytes(text)


def _at_top(files: st.SearchStrategy[bytes]) -> st.SearchStrategy[tuple[str, bytes]]:
    return st.tuples(st.just("."), files)


FILES = st.one_of(
    _at_top(_changed_value()),
    _at_top(_changed_value()),
    _at_top(_changed_value()),
    _at_top(_unknown_or_missing_key()),
    _at_top(_mapping_swapped()),
    _damaged_shipped_file(),
    _damaged_shipped_file(),
    _at_top(_alias_bomb()),
    _at_top(_self_alias()),
    _at_top(_deep_nesting()),
    _at_top(_garbage()),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped scenarios, so that mutated files find their 'extends' parents."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(SCENARIOS, root / "scenarios")
    sets = [arg for item in TINY for arg in ("--set", item)]
    warm_up = [
        "run",
        str(root / "scenarios" / "baseline.yaml"),
        "--reps",
        "1",
        "--out",
        str(root / "out"),
        *sets,
    ]
    assert CliRunner().invoke(app, warm_up).exit_code == 0  # imports done before anything is timed
    return root / "scenarios"


def _invoke(args: list[str]) -> Any:
    started = time.process_time()  # CPU time: the bound holds on a busy machine too
    result = CliRunner().invoke(app, args)
    elapsed = time.process_time() - started
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 2), (result.exit_code, result.output[-2000:])
    assert "Traceback" not in result.output
    assert elapsed < SECONDS_PER_FILE, f"{args[0]} took {elapsed:.1f} s"
    return result


def _write(folder: Path, file: tuple[str, bytes]) -> Path:
    path = folder / file[0] / "fuzzed.yaml"
    path.write_bytes(file[1])
    return path


def _check_validate(folder: Path, file: tuple[str, bytes]) -> int:
    path = _write(folder, file)
    result = _invoke(["validate", str(path)])
    if result.exit_code == 2:
        assert result.stdout == "" and str(path) in result.stderr, result.output
    return result.exit_code


def _check_run(folder: Path, file: tuple[str, bytes]) -> None:
    path = _write(folder, file)
    sets = [arg for item in TINY for arg in ("--set", item)]
    if _invoke(["validate", str(path), *sets]).exit_code == 0:
        _invoke(["run", str(path), "--reps", "1", "--out", str(folder.parent / "out"), *sets])


@st.composite
def _extreme_numbers(draw: st.DrawFn) -> dict[str, Any]:
    paths = draw(st.lists(st.sampled_from(NUMERIC), min_size=1, max_size=4))
    tree = _sections(paths)
    for path in paths:
        value = draw(EXTREME_NUMBERS)
        whole = isinstance(_get(RESOLVED, path), int) and value == int(value)
        _set(tree, path, int(value) if whole else value)
    return tree


def _valid_when_tiny(tree: dict[str, Any]) -> bool:
    try:
        scenario_from_dict(tree, "fuzzed", dict(item.split("=") for item in TINY))
    except ScenarioError:
        return False
    return True


def _extreme_but_valid() -> st.SearchStrategy[bytes]:
    """Return files with extreme numbers that still validate (and so are run)."""
    return _extreme_numbers().filter(_valid_when_tiny).map(_dump)


FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


@pytest.mark.slow  # 10-17 s: keeps the default run under 5 minutes on 2 cores
@settings(FUZZ, max_examples=200)
@given(file=FILES)
def test_validate_exits_0_or_2_on_any_file(folder: Path, file: tuple[str, bytes]) -> None:
    _check_validate(folder, file)


@settings(FUZZ, max_examples=6)
@given(file=_at_top(_extreme_but_valid()))
def test_run_exits_0_or_2_on_extreme_values(folder: Path, file: tuple[str, bytes]) -> None:
    _check_run(folder, file)


def _dotted(path: KeyPath) -> str:
    return ".".join(str(part) for part in path)


OVERRIDES = st.lists(
    st.tuples(
        st.one_of(st.sampled_from([_dotted(p) for p in LEAVES + MAPPINGS]), st.text(max_size=12)),
        st.one_of(
            BAD_VALUES.map(lambda v: _dump(v).decode().removesuffix("\n...\n").strip()),
            st.text(max_size=30),
            st.sampled_from(["&a [*a]", "{a: 1", "[1, 2", "!!python/name:os.system", "2026-02-30"]),
        ),
    ).map(lambda pair: f"{pair[0]}={pair[1]}"),
    min_size=1,
    max_size=3,
)


@settings(FUZZ, max_examples=60)
@given(items=OVERRIDES)
def test_validate_exits_0_or_2_on_any_override(folder: Path, items: list[str]) -> None:
    result = _invoke(["validate", str(folder / "playbook.yaml"), *(a for i in items for a in ("--set", i))])
    if result.exit_code == 2:
        assert result.stdout == "" and "--set" in result.stderr, result.output


@pytest.mark.slow
@settings(FUZZ, max_examples=3000)
@given(file=FILES)
def test_validate_exits_0_or_2_on_many_more_files(folder: Path, file: tuple[str, bytes]) -> None:
    _check_validate(folder, file)


@pytest.mark.slow
@settings(FUZZ, max_examples=300)
@given(file=st.one_of(_at_top(_extreme_but_valid()), FILES))
def test_run_exits_0_or_2_on_many_more_files(folder: Path, file: tuple[str, bytes]) -> None:
    _check_run(folder, file)
