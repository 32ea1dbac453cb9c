"""Bad scenario input: exit code 2, a message naming file and key path, never a traceback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import load_experiment, make_design
from sim.experiments.load import design_size
from sim.scenario import load_scenario, parse_overrides
from tests.paths import ROOT, SCENARIOS

WriteYaml = Callable[[str, str], Path]

SHARES = """\
owners:
  segments:
    ordinary: {share: 0.6, p: 0.02, q: 0.04}
    undecided: {share: 0.3, p: 0.002, q: 0.03}
    hard: {share: 0.2, p: 0.0003, q: 0.0}
"""

ALIAS_BOMB = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)

# name -> (files to write, feesim arguments, fragments expected on stderr)
CASES: dict[str, tuple[dict[str, str], list[str], list[str]]] = {
    "unknown key": (
        {"s.yaml": "owners:\n  segmnts: {}\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "owners.segmnts", "unknown key", "did you mean 'segments'?"],
    ),
    "wrong type": (
        {"s.yaml": "community:\n  households: many\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "community.households", "expected a valid integer", "found 'many'"],
    ),
    "shares do not sum to 1": (
        {"s.yaml": SHARES},
        ["validate", "s.yaml"],
        ["s.yaml", "owners.segments", "sum to 1", "got 1.1"],
    ),
    "negative count": (
        {"s.yaml": "team: {collectors: -1}\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "team.collectors", "greater than or equal to 0", "found -1"],
    ),
    "probability above 1": (
        {"s.yaml": "owners: {phone_share: 1.5}\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "owners.phone_share", "less than or equal to 1", "found 1.5"],
    ),
    "window end before start": (
        {"s.yaml": "team:\n  shift: {days: [mon], start: 9, end: 8}\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "team.shift", "window end (8.0) must be after its start (9.0)"],
    ),
    "hour above 24": (
        {"s.yaml": "strategy:\n  calls:\n    windows: [{days: [mon], start: 9, end: 25}]\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "strategy.calls.windows[0].end", "less than or equal to 24", "found 25"],
    ),
    "timing keys out of range": (
        {
            "s.yaml": "strategy:\n  billing: {next_stage: {check_hour: 24}}\n"
            "  visits: {not_home_minutes: 0}\nowners:\n  channels: {pay_now_on_call: cash}\n"
        },
        ["validate", "s.yaml"],
        [
            "s.yaml: invalid scenario (3 problems)",
            "strategy.billing.next_stage.check_hour: expected a value less than 24; found 24",
            "strategy.visits.not_home_minutes: expected a value greater than 0; found 0",
            "owners.channels.pay_now_on_call: expected 'online' or 'own_channel'; found 'cash'",
        ],
    ),
    "value from a parent file": (
        {"base.yaml": "horizon_days: 0\n", "s.yaml": "extends: base.yaml\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "horizon_days", "found 0", "[from base.yaml]"],
    ),
    "malformed yaml": (
        {"s.yaml": "horizon_days: 10\nteam: [1, 2\nname: x\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "malformed YAML", "line 3, column", "line 2"],
    ),
    "top level not a mapping": (
        {"s.yaml": "- horizon_days: 10\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "top level must be a mapping"],
    ),
    "missing file": ({}, ["validate", "nope.yaml"], ["nope.yaml", "not found"]),
    "missing extends file": (
        {"sub/child.yaml": "extends: parents/base.yaml\n"},
        ["validate", "sub/child.yaml"],
        ["sub/child.yaml", "extends: parents/base.yaml", "does not exist", "sub/parents/base.yaml"],
    ),
    "extends cycle": (
        {"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"},
        ["validate", "a.yaml"],
        ["a.yaml", "'extends' cycle", "a.yaml -> b.yaml -> a.yaml"],
    ),
    "extends not a path": (
        {"s.yaml": "extends: [a.yaml]\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "extends", "expected a file path"],
    ),
    "set without =": (
        {"s.yaml": "{}\n"},
        ["validate", "s.yaml", "--set", "horizon_days"],
        ["--set horizon_days", "expected 'key.path=value'"],
    ),
    "set with empty key": (
        {"s.yaml": "{}\n"},
        ["validate", "s.yaml", "--set", "=5"],
        ["--set =5", "key path"],
    ),
    "set value of wrong type": (
        {"s.yaml": "{}\n"},
        ["validate", "s.yaml", "--set", "horizon_days=abc"],
        ["s.yaml", "horizon_days", "found 'abc'", "[from --set horizon_days=abc]"],
    ),
    "set through a non-mapping": (
        {"s.yaml": "horizon_days: 10\n"},
        ["validate", "s.yaml", "--set", "horizon_days.x=1"],
        ["s.yaml", "--set horizon_days.x=1", "horizon_days: is not a mapping"],
    ),
    "set breaks a section check": (
        {"s.yaml": "{}\n"},
        ["validate", "s.yaml", "--set", "owners.segments.hard.share=0.5"],
        ["s.yaml", "owners.segments", "got 1.4", "--set owners.segments.hard.share=0.5"],
    ),
    "folder instead of file": ({"sub/x.yaml": ""}, ["validate", "sub"], ["sub", "is a folder"]),
    "date that does not exist": (
        {"s.yaml": "start_date: 2026-02-30\n"},
        ["validate", "s.yaml"],
        [
            "s.yaml: invalid scenario (1 problem)",
            "start_date: 2026-02-30 is not a date: February 2026 has 28 days",
        ],
    ),
    "quoted date that does not exist": (
        {"s.yaml": "start_date: '2026-04-31'\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "start_date: 2026-04-31 is not a date: April 2026 has 30 days"],
    ),
    "month that does not exist in a list": (
        {"s.yaml": "calendar: {holidays: [2026-05-01, 2026-13-01]}\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "calendar.holidays[1]: 2026-13-01 is not a date: there is no month 13"],
    ),
    "date that does not exist in --set": (
        {"s.yaml": "{}\n"},
        ["validate", "s.yaml", "--set", "start_date=2026-02-29"],
        [
            "s.yaml",
            "start_date: 2026-02-29 is not a date: February 2026 has 28 days",
            "[from --set start_date=2026-02-29]",
        ],
    ),
    "infinite number": (
        {"s.yaml": "owners:\n  segments:\n    undecided: {q: .inf}\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "owners.segments.undecided.q: expected a finite number; found .inf"],
    ),
    "not a number in a list": (
        {"s.yaml": "strategy:\n  calls:\n    windows: [{days: [mon], start: .nan, end: 12}]\n"},
        ["validate", "s.yaml"],
        ["s.yaml", "strategy.calls.windows[0].start: expected a finite number; found .nan"],
    ),
    "infinite number in --set": (
        {"s.yaml": "{}\n"},
        ["validate", "s.yaml", "--set", "team.staff_cost_per_hour=.inf", "--set", "horizon_days=-.inf"],
        [
            "team.staff_cost_per_hour: expected a finite number; found .inf",
            "horizon_days: expected a finite number; found -.inf",
        ],
    ),
    "huge count": (
        {"s.yaml": "community: {households: 1000000000000}\nteam: {collectors: 5000}\n"},
        ["validate", "s.yaml"],
        [
            "community.households: expected a value less than or equal to 200000; found 1000000000000",
            "team.collectors: expected a value less than or equal to 1000; found 5000",
        ],
    ),
    "weight that would overflow a table's sum": (
        {"s.yaml": "mood: {profile: seed, seed_adjustments: {sunday_evening: 1.0e+300}}\n"},
        ["validate", "s.yaml"],
        [
            "mood.seed_adjustments.sunday_evening: expected a value less than or equal to 1000000;",
            "found 1e+300",
        ],
    ),
    "duration out of range in --set": (
        {"s.yaml": "{}\n"},
        [
            "validate",
            "s.yaml",
            "--set",
            "team.call_minutes.cv=1e308",
            "--set",
            "team.other_duties.minutes.mean=1e-9",
        ],
        [
            "team.call_minutes.cv: expected a value less than or equal to 10; found 1e+308",
            "team.other_duties.minutes.mean: expected a value greater than or equal to 0.1; found 1e-09",
        ],
    ),
    "empty file": (
        {"s.yaml": "# a scenario, one day\n\n"},
        ["validate", "s.yaml"],
        ["s.yaml: the file is empty (or holds only comments)", "'extends: ", "baseline.yaml'"],
    ),
    "empty parent file": (
        {"base.yaml": "", "s.yaml": "extends: base.yaml\nhorizon_days: 30\n"},
        ["validate", "s.yaml"],
        ["base.yaml (extended by s.yaml): the file is empty"],
    ),
    "alias bomb": (
        {"s.yaml": ALIAS_BOMB},
        ["validate", "s.yaml"],
        ["s.yaml: refused YAML at line", "aliases expand it beyond 1,000,000 characters"],
    ),
    "alias that contains itself": (
        {"s.yaml": "team: &team\n  shift: [*team]\n"},
        ["validate", "s.yaml"],
        ["s.yaml: refused YAML at line 1", "an alias refers to a value that contains it"],
    ),
    "deep nesting": (
        {"s.yaml": "team: " + "[" * 5000 + "]" * 5000 + "\n"},
        ["validate", "s.yaml"],
        ["s.yaml: refused YAML at line 1", "nested more than 32 levels deep"],
    ),
    "huge file": (
        {"s.yaml": "description: '" + "x" * 256_000 + "'\n"},
        ["validate", "s.yaml"],
        ["s.yaml: is larger than 256,000 bytes"],
    ),
}


def _write_case(case: str, write_yaml: WriteYaml) -> list[str]:
    files, args, _fragments = CASES[case]
    for name, text in files.items():
        write_yaml(name, text)
    return args


def _check(case: str, code: int, stdout: str, stderr: str) -> None:
    assert code == 2, (stdout, stderr)
    assert "Traceback" not in stderr
    assert stdout == ""
    for fragment in CASES[case][2]:
        assert fragment in stderr, f"{fragment!r} not in:\n{stderr}"


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_in_process(
    case: str, write_yaml: WriteYaml, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = _write_case(case, write_yaml)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, SystemExit), result.exception  # not an unexpected crash
    _check(case, result.exit_code, result.stdout, result.stderr)


def test_bad_files_in_a_real_process(write_yaml: WriteYaml, feesim: Callable) -> None:
    """One ``python -m sim`` run over several bad files: real exit status, no traceback."""
    write_yaml("good.yaml", "{}\n")
    write_yaml("unknown.yaml", "owners:\n  segmnts: {}\n")
    write_yaml("shares.yaml", SHARES)
    write_yaml("broken.yaml", "horizon_days: 10\nteam: [1, 2\nname: x\n")
    write_yaml("cycle_a.yaml", "extends: cycle_b.yaml\n")
    write_yaml("cycle_b.yaml", "extends: cycle_a.yaml\n")
    write_yaml("orphan.yaml", "extends: gone/base.yaml\n")
    files = [
        "good.yaml",
        "unknown.yaml",
        "shares.yaml",
        "broken.yaml",
        "cycle_a.yaml",
        "orphan.yaml",
        "nope.yaml",
    ]
    result = feesim("validate", *files)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == "ok  good.yaml (name: good)\n"
    for fragment in [
        "unknown.yaml: invalid scenario (1 problem)",
        "owners.segmnts: unknown key",
        "shares.yaml: invalid scenario",
        "owners.segments: segment shares must sum to 1",
        "broken.yaml: malformed YAML at line 3",
        "cycle_a.yaml -> cycle_b.yaml -> cycle_a.yaml",
        "orphan.yaml: 'extends: gone/base.yaml' names a parent scenario that does not exist: gone/base.yaml",
        "nope.yaml: scenario file not found",
    ]:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"


@pytest.mark.parametrize("case", ["set without =", "set value of wrong type"])
def test_bad_override_in_a_real_process(case: str, write_yaml: WriteYaml, feesim: Callable) -> None:
    result = feesim(*_write_case(case, write_yaml))
    _check(case, result.returncode, result.stdout, result.stderr)


def test_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["validate", "--frobnicate", "s.yaml"])
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_message_layout(write_yaml: WriteYaml, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_yaml("s.yaml", "community: {households: many}\nteam: {collectors: -1}\n")
    monkeypatch.chdir(tmp_path)
    lines = CliRunner().invoke(app, ["validate", "s.yaml"]).stderr.splitlines()
    assert lines == [
        "s.yaml: invalid scenario (2 problems)",
        "  - community.households: expected a valid integer, unable to parse string as an integer;"
        " found 'many'",
        "  - team.collectors: expected a value greater than or equal to 0; found -1",
    ]


def test_impossible_date_in_a_real_process(write_yaml: WriteYaml, feesim: Callable) -> None:
    write_yaml("s.yaml", "start_date: 2026-02-30\n")
    result = feesim("run", "s.yaml", "--reps", "1", "--set", "horizon_days=2026-13-01")
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "s.yaml: invalid scenario (2 problems)",
        "  - horizon_days: expected a valid integer, unable to parse string as an integer; found '2026-13-01'"
        "  [from --set horizon_days=2026-13-01]",
        "  - start_date: 2026-02-30 is not a date: February 2026 has 28 days",
    ]


def test_dates_that_exist_still_load(write_yaml: WriteYaml) -> None:
    path = write_yaml("s.yaml", "start_date: 2028-02-29\ncalendar: {holidays: ['2026-12-31', 2027-01-01]}\n")
    scenario = load_scenario(path, parse_overrides(["start_date=2028-02-29"]))
    assert scenario.start_date == dt.date(2028, 2, 29)
    assert scenario.calendar.holidays == (dt.date(2026, 12, 31), dt.date(2027, 1, 1))


def test_aliases_within_the_limits_still_load(write_yaml: WriteYaml) -> None:
    path = write_yaml(
        "s.yaml",
        "team:\n  shift: &office {days: [mon], start: 9, end: 17}\n"
        "strategy:\n  calls:\n    windows: [*office, *office]\n",
    )
    scenario = load_scenario(path)
    assert scenario.strategy.calls.windows[0].start == scenario.team.shift.start == 9


EXPERIMENT = f"""\
name: tiny
base: {SCENARIOS / "baseline.yaml"}
overrides: {{community.households: 150, community.buildings: 3, horizon_days: 30}}
levers:
  team.collectors: {{values: [2, 4]}}
replications: 2
"""


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            EXPERIMENT.replace("horizon_days: 30", "start_date: 2026-02-30"),
            "overrides.start_date: start_date: 2026-02-30 is not a date: February 2026 has 28 days",
        ),
        (
            EXPERIMENT.replace("values: [2, 4]", "values: [2, .inf]"),
            "levers.team.collectors: value .inf makes an invalid scenario:"
            " team.collectors: expected a finite number",
        ),
        (
            EXPERIMENT.replace("replications: 2", "replications: .nan"),
            "replications: expected a finite number",
        ),
        ("# nothing yet\n", "the file is empty (or holds only comments); an experiment names"),
        (EXPERIMENT + "alias: &a [*a]\n", "refused YAML at line 7"),
    ],
    ids=["impossible date", "infinite lever value", "nan count", "empty file", "alias cycle"],
)
def test_bad_values_in_experiment_files(text: str, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and str(path) in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


LEVERS_LAST = EXPERIMENT.replace("replications: 2\n", "")  # more levers can follow
SAMPLED = (
    "{owners.schedules.five_day_share: {range: {min: 0.4, max: 0.9}},"
    " owners.phone_share: {dist: uniform, min: 0.5, max: 0.9}}"
)
DESIGNS = {
    "shipped": [
        path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "experiments").glob("*.yaml"))
        if not path.stem.startswith("plan_")  # plan searches: tests/test_plan_search.py
    ],
    "grid": [
        LEVERS_LAST + "  strategy.calls.give_up_after: {range: {min: 0, max: 9}, integer: true}\n"
        "  owners.phone_share: {range: {min: 0.5, max: 0.9}}\ndesign: {levels: 4}\n",
        LEVERS_LAST + "  strategy.calls.give_up_after: {range: {min: 1, max: 3}, integer: true}\n"
        f"uncertainties: {SAMPLED}\ndesign: {{points: 5, levels: 7}}\n",
    ],
    "samplers": [
        EXPERIMENT + f"uncertainties: {SAMPLED}\ndesign: {{type: {kind}, {size}}}\n"
        for kind, size in [("lhs", "points: 9"), ("sobol", "n: 8"), ("morris", "n: 3")]
    ],
}


@pytest.mark.parametrize("kind", list(DESIGNS))
def test_design_size_counts_the_points_the_design_makes(kind: str, tmp_path: Path) -> None:
    for index, text in enumerate(DESIGNS[kind]):
        path = tmp_path / f"e{index}.yaml"
        path.write_text(text.replace("../scenarios/", f"{SCENARIOS}/"), encoding="utf-8")
        experiment = load_experiment(path).experiment
        assert design_size(experiment) == len(make_design(experiment)) > 1


def test_a_design_too_large_to_hold_is_refused_before_it_is_made(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        EXPERIMENT + f"uncertainties: {SAMPLED}\ndesign: {{type: sobol, n: 65536}}\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "design: makes 524,288 points, more than 100,000" in result.stderr
