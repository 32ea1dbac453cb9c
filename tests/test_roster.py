"""The roster (``community.roster``): reading, checking, the population it gives, history and occupancy."""

from __future__ import annotations

import hashlib
import math
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim.api import simulate
from sim.cli import app
from sim.data.roster import ALIASES, OCCUPANCIES, read_roster
from sim.data.tables import DataError
from sim.population import SEGMENTS, draw_population
from sim.rng import Streams, as_seed_sequence
from sim.scenario import load_scenario, parse_overrides, scenario_from_dict, scenario_to_yaml
from sim.scenario.schema import ROSTER_FIELDS
from tests.commands import run_feesim
from tests.paths import ROOT

BASELINE = ROOT / "scenarios" / "baseline.yaml"

ENGLISH = """\
unit,building,floor,area_m2,annual_fee,phone_valid,occupancy,arrears_last_year,open_complaints
A-101,A,1,90.5,2700,yes,owner,0,0
A-102,A,1,120,,no,tenant,1500,1
B-201,B,2,,3000,,vacant,,2
B-202,B,,80,,Y,,0,
"""

CHINESE = """\
房号,楼栋,楼层,建筑面积,年物业费,电话有效,入住状态,去年欠费,未结投诉
1-101,1栋,1,90.5,2700,是,业主自住,0,0
1-102,1栋,1,120,,否,出租,1500,1
2-201,2栋,2,,3000,,空置,,2
2-202,2栋,,80,,有效,,0,
"""


def write_scenario(folder: Path, roster: str, extra: str = "", base: Path = BASELINE) -> Path:
    """Write a scenario extending `base` with `roster` as its roster; return its path."""
    path = folder / "scenario.yaml"
    path.write_text(f"extends: {base}\ncommunity:\n  roster: {roster}\n{extra}", encoding="utf-8")
    return path


def population(scenario_path: Path, seed: int = 3, **overrides: object):
    scenario = load_scenario(scenario_path, overrides or None)
    return scenario, draw_population(scenario, Streams(as_seed_sequence(seed)))


def check_four_units(scenario_path: Path, units: list[str], buildings: list[str]) -> None:
    """The four-unit rosters above: ids, buildings, fees, floors, areas, phones as given, the rest drawn."""
    scenario, pop = population(scenario_path)
    assert scenario.community.households == 4 and scenario.community.buildings == 2
    assert pop.unit_labels == units
    assert [pop.building_label(i) for i in (0, 2)] == buildings
    assert pop.building.tolist() == [0, 0, 1, 1]
    assert pop.floor.tolist()[:3] == [1, 1, 2]
    assert pop.area[0] == 90.5 and pop.area[1] == 120 and pop.area[3] == 80
    assert 60 <= pop.area[2] <= 160  # drawn from community.area_m2
    months = scenario.community.fee_months * scenario.community.fee_per_m2_month
    assert pop.fee.tolist() == [2700, 120 * months, 3000, 80 * months]
    assert pop.has_phone[:2].tolist() == [True, False] and bool(pop.has_phone[3])
    assert pop.away.tolist() == [1.0, 0.0, 0.0, 1.0]


def test_english_headers_give_the_roster_s_units(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ENGLISH, encoding="utf-8")
    check_four_units(write_scenario(tmp_path, "roster.csv"), ["A-101", "A-102", "B-201", "B-202"], ["A", "B"])


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_chinese_headers_in_gbk_or_utf8_with_or_without_bom(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "roster.csv").write_bytes(CHINESE.encode(encoding))
    check_four_units(
        write_scenario(tmp_path, "roster.csv"), ["1-101", "1-102", "2-201", "2-202"], ["1栋", "2栋"]
    )


def test_excel_with_chinese_headers(tmp_path: Path) -> None:
    frame = pd.read_csv(pd.io.common.StringIO(CHINESE), dtype=object)
    frame["楼层"] = pd.to_numeric(frame["楼层"])  # Excel cells hold numbers: 1.0 reads as floor 1
    frame.to_excel(tmp_path / "名册.xlsx", index=False, engine="openpyxl")
    check_four_units(
        write_scenario(tmp_path, "名册.xlsx"), ["1-101", "1-102", "2-201", "2-202"], ["1栋", "2栋"]
    )


def test_own_headers_map_through_roster_columns_or_map(tmp_path: Path) -> None:
    own = ENGLISH.replace("unit,building", "Room No.,Tower").replace("area_m2", "Size")
    (tmp_path / "roster.csv").write_text(own, encoding="utf-8")
    path = write_scenario(tmp_path, "roster.csv", "  roster_columns: {Room No.: unit, Size: area_m2}\n")
    with pytest.raises(DataError, match="no column for building"):
        load_scenario(path)
    scenario = load_scenario(path, parse_overrides([], ["Tower=building"]))
    assert scenario.community.roster_columns == {"Room No.": "unit", "Size": "area_m2", "Tower": "building"}
    assert scenario.roster is not None and scenario.roster.units[0] == "A-101"
    assert scenario.roster.area[0] == 90.5
    result = CliRunner().invoke(app, ["validate", str(path), "--map", "Tower=building"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["validate", str(path), "--map", "Tower=towers"])
    assert result.exit_code == 2 and "unknown field 'towers'" in result.output


def test_aliases_cover_the_schema_s_fields() -> None:
    assert tuple(ALIASES) == ROSTER_FIELDS


def test_the_roster_path_is_relative_to_the_file_naming_it_and_dumped_absolute(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "roster.csv").write_text(ENGLISH, encoding="utf-8")
    parent = write_scenario(tmp_path / "data", "roster.csv", "  households: 999\n  buildings: 7\n")
    (tmp_path / "child").mkdir()
    child = tmp_path / "child" / "child.yaml"
    child.write_text(f"extends: ../data/{parent.name}\nhorizon_days: 30\n", encoding="utf-8")
    scenario = load_scenario(child)
    assert scenario.community.roster == str(tmp_path / "data" / "roster.csv")
    assert (scenario.community.households, scenario.community.buildings) == (4, 2)  # the roster wins
    text = scenario_to_yaml(scenario)
    assert "A-101" not in text and len(text) < 20_000  # the path, not the rows
    again = scenario_from_dict(yaml.safe_load(text))
    assert again == scenario and again.roster == scenario.roster
    assert pickle.loads(pickle.dumps(scenario)).roster == scenario.roster  # workers get it


def _bad(tmp_path: Path, text: str, name: str = "roster.csv") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_scenario(write_scenario(tmp_path, name))
    return caught.value.message


HEADER = "unit,building,area_m2,annual_fee,phone_valid,occupancy,arrears_last_year,open_complaints\n"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (",A,90,,,,,\n", ["row 2, column unit", "expected a unit id"]),
        ("A-1,,90,,,,,\n", ["row 2, column building", "expected a building id"]),
        ("A-1,A,90,,,,,\nA-2,A,90,,,,,\nA-1,A,80,,,,,\n", ["row 4, column unit", "listed twice", "row 2"]),
        ("A-1,A,ninety,,,,,\n", ["row 2, column area_m2", "expected a number", "'ninety'"]),
        ("A-1,A,90,-5,,,,\n", ["row 2, column annual_fee", "0 or more", "'-5'"]),
        ("A-1,A,90,,,,-100,\n", ["row 2, column arrears_last_year", "0 or more"]),
        ("A-1,A,90,,,,,1.5\n", ["row 2, column open_complaints", "whole count"]),
        ("A-1,A,90,,,rented out?,,\n", ["row 2, column occupancy", "owner, tenant or vacant"]),
        ("A-1,A,90,,maybe,,,\n", ["row 2, column phone_valid", "yes or no"]),
    ],
)
def test_a_bad_cell_names_the_file_row_and_column(tmp_path: Path, rows: str, expected: list[str]) -> None:
    message = _bad(tmp_path, HEADER + rows)
    assert message.startswith(str(tmp_path / "roster.csv"))
    for text in expected:
        assert text in message


def test_an_empty_roster_or_one_without_units_is_refused(tmp_path: Path) -> None:
    assert "no units" in _bad(tmp_path, HEADER)
    message = _bad(tmp_path, "building,area_m2\nA,90\n")
    assert "no column for unit" in message and "--map COLUMN=unit" in message
    (tmp_path / "scenario.yaml").unlink()
    with pytest.raises(DataError, match="no such file"):
        load_scenario(write_scenario(tmp_path, "missing.csv"))


def test_many_problems_show_ten_and_a_count(tmp_path: Path) -> None:
    message = _bad(tmp_path, HEADER + "".join(f"A-{i},A,big,,,,,\n" for i in range(25)))
    assert message.count("expected a number") == 10
    assert "and 15 more problems" in message


def test_the_cli_exits_2_on_a_bad_roster_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(HEADER + "A-1,A,90,,,,,\nA-1,A,90,,,,,\n", encoding="utf-8")
    scenario = write_scenario(tmp_path, "roster.csv")
    result = run_feesim(tmp_path, "run", str(scenario), "--reps", "1", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "roster.csv" in result.stderr and "row 3, column unit" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
    both = CliRunner().invoke(app, ["compare", str(scenario), str(scenario), "--reps", "1"])
    assert both.exit_code == 2 and "listed twice" in both.output


def test_unit_ids_repeated_across_buildings_are_prefixed_with_the_building(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text("房号,楼栋\n101,1栋\n101,2栋\n102,2栋\n", encoding="gbk")
    roster = read_roster(tmp_path / "roster.csv")
    assert roster.units == ("1栋-101", "2栋-101", "2栋-102")


def _large_roster(tmp_path: Path, n: int = 20_000) -> Path:
    """Write a roster where every second unit had arrears and every third has an open complaint."""
    index = np.arange(n)
    frame = pd.DataFrame(
        {
            "unit": [f"u{i}" for i in index],
            "building": index % 40,
            "arrears_last_year": np.where(index % 2 == 1, 1200, 0),
            "open_complaints": np.where(index % 3 == 2, 1, 0),
        }
    )
    frame.to_csv(tmp_path / "roster.csv", index=False)
    return write_scenario(tmp_path, "roster.csv")


def test_arrears_shift_segments_and_complaints_shift_grievances(tmp_path: Path) -> None:
    scenario, pop = population(_large_roster(tmp_path), seed=5)
    roster = scenario.roster
    assert roster is not None
    segments = scenario.owners.segments
    base = np.array([segments.get(s).share for s in SEGMENTS])
    odds = scenario.owners.history.arrears_odds
    weights = base * np.array([1.0, odds.undecided, odds.hard])
    for had, expected in ((False, base), (True, weights / weights.sum())):
        group = pop.segment[(roster.arrears > 0) == had]
        for k, share in enumerate(expected):
            sd = math.sqrt(share * (1 - share) / len(group))
            assert abs(np.mean(group == k) - share) < 4 * sd, (had, SEGMENTS[k])
    hard = SEGMENTS.index("hard")
    assert np.mean(pop.segment[roster.arrears > 0] == hard) > 2 * np.mean(
        pop.segment[roster.arrears == 0] == hard
    )
    fixable = np.array([segments.get(s).grievance.fixable for s in SEGMENTS])[pop.segment]
    m = scenario.owners.history.complaint_fixable_odds
    for had, expected in ((False, fixable), (True, fixable * m / (1 - fixable + fixable * m))):
        mask = (roster.complaints > 0) == had
        mean, sd = (
            expected[mask].mean(),
            math.sqrt((expected[mask] * (1 - expected[mask])).sum()) / mask.sum(),
        )
        assert abs(np.mean(pop.grievance[mask] == 1) - mean) < 4 * sd, had


def test_history_keeps_common_random_numbers(tmp_path: Path) -> None:
    """Owners without history keep the segment and grievance of a roster without the history columns."""
    _, pop = population(_large_roster(tmp_path, 2000), seed=9)
    plain, pop_plain = population(
        _large_roster(tmp_path, 2000),
        seed=9,
        **{
            "owners.history.arrears_odds.hard": 1.0,
            "owners.history.arrears_odds.undecided": 1.0,
            "owners.history.complaint_fixable_odds": 1.0,
        },
    )
    assert np.array_equal(pop.segment, pop_plain.segment) is False
    assert plain.roster is not None
    quiet = (plain.roster.arrears == 0) & (plain.roster.complaints == 0)
    assert np.array_equal(pop.segment[quiet], pop_plain.segment[quiet])
    assert np.array_equal(pop.grievance[quiet], pop_plain.grievance[quiet])
    assert np.array_equal(pop.birthday, pop_plain.birthday)


def test_the_owner_of_a_vacant_unit_is_never_met_on_a_visit(tmp_path: Path) -> None:
    n = 300
    occupancy = [OCCUPANCIES[i % 3] for i in range(n)]
    frame = pd.DataFrame(
        {
            "unit": [f"u{i}" for i in range(n)],
            "building": [i % 6 for i in range(n)],
            "occupancy": occupancy,
            "phone_valid": ["是"] * n,
        }
    )
    frame.to_csv(tmp_path / "roster.csv", index=False)
    path = write_scenario(tmp_path, "roster.csv", base=ROOT / "scenarios" / "playbook.yaml")
    scenario = load_scenario(path, {"horizon_days": 120})
    records = simulate(scenario, 4, log_events=True).records
    assert records is not None
    visits = [r for r in records if r.kind in ("home_visit", "team_visit")]
    met = {OCCUPANCIES[r.owner % 3] for r in visits if r.outcome != "not_home"}
    tried = {OCCUPANCIES[r.owner % 3] for r in visits}
    assert tried == set(OCCUPANCIES)
    assert met == {"owner"}


GOLDEN_POPULATION = "0d5df4cc0a622838"
GOLDEN_PAID = (0.7966666666666666, 0.7915043489107982)


def test_without_a_roster_the_results_are_as_before() -> None:
    """Regression (golden figures from main before the roster): a scenario without one is unchanged."""
    scenario = load_scenario(BASELINE, {"community.households": 300})
    assert scenario.roster is None
    pop = draw_population(scenario, Streams(as_seed_sequence(11)))
    digest = hashlib.sha256()
    for values in (pop.building, pop.floor, pop.area, pop.fee, pop.segment, pop.has_phone, pop.grievance):
        digest.update(np.ascontiguousarray(values).tobytes())
    assert digest.hexdigest()[:16] == GOLDEN_POPULATION
    assert pop.unit_labels[:2] == ["1-101", "2-101"] and pop.away is None
    kpis = simulate(scenario, 11).kpis
    assert (kpis["final_paid_share"], kpis["final_money_share"]) == GOLDEN_PAID


def test_the_animation_gives_every_roster_unit_its_own_cell(tmp_path: Path) -> None:
    from sim.views.states import building_layout

    rows = "".join(f"{b}-{f}{d},{b}栋,{f}\n" for b in (1, 2) for f in (3, 1, 2) for d in range(1 + f % 2))
    (tmp_path / "roster.csv").write_text("房号,楼栋,楼层\n" + rows, encoding="utf-8")
    _, pop = population(write_scenario(tmp_path, "roster.csv"))
    layout = building_layout(pop, cell=4)
    assert np.bincount(layout.cells[layout.cells >= 0], minlength=pop.size).tolist() == [16] * pop.size
    assert [label for _x, _y, label in layout.labels] == ["1栋", "2栋"]
