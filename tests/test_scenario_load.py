"""Loading scenario files: extends, overrides, defaults, round trips, the CLI's happy paths."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    merged_scenario_dict,
    parse_overrides,
    scenario_from_dict,
    scenario_to_yaml,
)

WriteYaml = Callable[[str, str], Path]

PARENT = """\
    horizon_days: 120
    team:
      collectors: 6
      call_minutes: {mean: 5.0, cv: 0.4}
    strategy:
      calls:
        windows:
          - {days: [mon, tue], start: 9, end: 12}
          - {days: [wed], start: 14, end: 17}
    """


def test_extends_deep_merges_one_nested_key_and_keeps_siblings(write_yaml: WriteYaml) -> None:
    write_yaml("base.yaml", PARENT)
    child = write_yaml("child.yaml", "extends: base.yaml\nteam:\n  call_minutes: {cv: 0.2}\n")
    s = load_scenario(child)
    assert s.team.call_minutes.cv == 0.2
    assert s.team.call_minutes.mean == 5.0
    assert s.team.collectors == 6
    assert s.horizon_days == 120


def test_lists_are_replaced_not_merged(write_yaml: WriteYaml) -> None:
    write_yaml("base.yaml", PARENT)
    child = write_yaml(
        "child.yaml",
        "extends: base.yaml\nstrategy:\n  calls:\n    windows: [{days: [fri], start: 10, end: 11}]\n",
    )
    windows = load_scenario(child).strategy.calls.windows
    assert len(windows) == 1
    assert windows[0].days == ("fri",)


def test_grandparent_chain(write_yaml: WriteYaml) -> None:
    write_yaml("grand.yaml", "horizon_days: 50\ncommunity: {households: 300, buildings: 3}\n")
    write_yaml("parent.yaml", "extends: grand.yaml\ncommunity: {buildings: 5}\nteam: {collectors: 2}\n")
    child = write_yaml("child.yaml", "extends: parent.yaml\nteam: {collectors: 3}\n")
    s = load_scenario(child)
    assert (s.horizon_days, s.community.households, s.community.buildings) == (50, 300, 5)
    assert s.team.collectors == 3
    assert s.name == "child"


def test_extends_path_is_relative_to_the_extending_file(write_yaml: WriteYaml) -> None:
    write_yaml("base.yaml", "horizon_days: 77\n")
    write_yaml("sub/common/mid.yaml", "extends: ../../base.yaml\nteam: {collectors: 9}\n")
    child = write_yaml("sub/child.yaml", "extends: common/mid.yaml\n")
    s = load_scenario(child)
    assert (s.horizon_days, s.team.collectors) == (77, 9)


def test_merged_dict_drops_extends_and_sets_name(write_yaml: WriteYaml) -> None:
    write_yaml("base.yaml", "horizon_days: 10\n")
    child = write_yaml("child.yaml", "extends: base.yaml\ndescription: x\n")
    data = merged_scenario_dict(child, {"team.collectors": "7"})
    assert data == {"horizon_days": 10, "description": "x", "team": {"collectors": 7}, "name": "child"}


def test_name_defaults_to_stem_unless_given(write_yaml: WriteYaml) -> None:
    assert load_scenario(write_yaml("my_case.yaml", "horizon_days: 10\n")).name == "my_case"
    assert load_scenario(write_yaml("named.yaml", "name: other\n")).name == "other"
    assert load_scenario(write_yaml("empty.yaml", "{}\n")).name == "empty"
    assert load_scenario(write_yaml("o.yaml", "{}\n"), {"name": "via-set"}).name == "via-set"


def test_overrides_are_parsed_as_yaml_scalars(write_yaml: WriteYaml) -> None:
    path = write_yaml("s.yaml", "team: {collectors: 2}\n")
    s = load_scenario(
        path,
        {
            "owners.phone_share": "0.3",
            "herd.enabled": "false",
            "strategy.billing.stages": "[hard, undecided, ordinary]",
            "strategy.billing.mode": "staged",
            "start_date": "2026-05-01",
            "horizon_days": 90,
        },
    )
    assert s.owners.phone_share == 0.3
    assert s.herd.enabled is False
    assert s.strategy.billing.stages == ("hard", "undecided", "ordinary")
    assert s.strategy.billing.mode == "staged"
    assert s.strategy.billing.delivery == "collectors"  # siblings of an overridden key keep their defaults
    assert s.start_date == dt.date(2026, 5, 1)
    assert s.horizon_days == 90
    assert s.team.collectors == 2


def test_parse_overrides() -> None:
    parsed = parse_overrides(["a.b=0.3", "c=true", "d=[mon, tue]", "e=x=y", "f='123'", "g=a: b", " h =2"])
    assert dict(parsed) == {
        "a.b": 0.3,
        "c": True,
        "d": ["mon", "tue"],
        "e": "x=y",
        "f": "123",
        "g": "a: b",
        "h": 2,
    }


def test_parsed_overrides_are_not_parsed_twice(write_yaml: WriteYaml) -> None:
    path = write_yaml("s.yaml", "{}\n")
    s = load_scenario(path, parse_overrides(["description='123'", "name='yes'"]))
    assert (s.description, s.name) == ("123", "yes")


@pytest.mark.parametrize(
    ("items", "fragment"),
    [(["horizon_days"], "key.path=value"), (["=3"], "key path"), (["a..b=1"], "dot-separated")],
)
def test_parse_overrides_rejects_malformed_items(items: list[str], fragment: str) -> None:
    with pytest.raises(ScenarioError, match=fragment) as info:
        parse_overrides(items)
    assert "--set" in str(info.value)


def test_overrides_are_validated_like_the_file(write_yaml: WriteYaml) -> None:
    path = write_yaml("s.yaml", "horizon_days: 10\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, parse_overrides(["strategy.billing.mode=foo"]))
    message = str(info.value)
    assert message.startswith(str(path))
    assert "strategy.billing.mode" in message
    assert "'bulk' or 'staged'" in message
    assert "--set strategy.billing.mode=foo" in message
    assert info.value.keys == ("strategy.billing.mode",)


def test_override_through_a_non_mapping_is_an_error(write_yaml: WriteYaml) -> None:
    path = write_yaml("s.yaml", "horizon_days: 10\n")
    with pytest.raises(ScenarioError, match=r"horizon_days: is not a mapping"):
        load_scenario(path, {"horizon_days.days": 3})


def test_scenario_from_dict() -> None:
    s = scenario_from_dict({"name": "coded", "team": {"collectors": 1}}, overrides={"horizon_days": "30"})
    assert (s.name, s.team.collectors, s.horizon_days) == ("coded", 1, 30)
    with pytest.raises(ScenarioError, match=r"my-builder: invalid scenario") as info:
        scenario_from_dict({"team": {"collectors": -2}}, source="my-builder")
    assert info.value.keys == ("team.collectors",)


def test_scenario_to_yaml_round_trips(write_yaml: WriteYaml) -> None:
    write_yaml("base.yaml", PARENT)
    original = load_scenario(
        write_yaml("child.yaml", "extends: base.yaml\ncalendar: {holidays: [2026-05-01]}\n")
    )
    again = load_scenario(write_yaml("dumped.yaml", scenario_to_yaml(original)))
    assert again == original
    assert isinstance(again, Scenario)


def test_exponent_numbers_are_numbers_and_texts_like_them_round_trip(write_yaml: WriteYaml) -> None:
    """YAML 1.2 reads 1e-3 as a number (YAML 1.1 as text); a name spelt like one stays text."""
    path = write_yaml(
        "s.yaml", "name: '1e5'\ndescription: 2026-02-30\nowners: {segments: {hard: {p: 3e-4}}}\n"
    )
    original = load_scenario(path, parse_overrides(["owners.segments.hard.q=1E-3"]))
    assert (original.name, original.description) == ("1e5", "2026-02-30")
    assert (original.owners.segments.hard.p, original.owners.segments.hard.q) == (3e-4, 1e-3)
    assert load_scenario(write_yaml("dumped.yaml", scenario_to_yaml(original))) == original


def test_cli_validate_ok(write_yaml: WriteYaml, feesim: Callable) -> None:
    write_yaml("scenarios/base.yaml", "horizon_days: 30\n")
    write_yaml("scenarios/other.yaml", "extends: base.yaml\nname: second\n")
    result = feesim("validate", "scenarios/base.yaml", "scenarios/other.yaml", "--set", "team.collectors=3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ok  scenarios/base.yaml (name: base)",
        "ok  scenarios/other.yaml (name: second)",
    ]


def test_cli_validate_mixed_reports_each_file(
    write_yaml: WriteYaml, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_yaml("good.yaml", "{}\n")
    write_yaml("bad.yaml", "horizon_days: 0\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "good.yaml", "bad.yaml"])
    assert result.exit_code == 2
    assert result.stdout == "ok  good.yaml (name: good)\n"
    assert "bad.yaml" in result.stderr and "horizon_days" in result.stderr


def test_cli_schema_prints_json_schema(feesim: Callable) -> None:
    result = feesim("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert {"horizon_days", "community", "strategy"} <= set(schema["properties"])
