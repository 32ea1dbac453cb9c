"""The example community (examples/community/): its files are what its script makes; they load and validate.

The walk-through in examples/community/README.md calibrates to these files;
here only the fast parts are checked (about 10 s): the shipped roster, ledger
and contact log are exactly what make_community.sh exports from truth.yaml,
the manager's scenario loads on the roster and the ledger validates against
it, the staged plan builds on the calibrated scenario, and the truth lies
inside the priors the calibration searches.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load_scenario
from sim.worlds.priors import load_priors
from tests.mappings import numbers_by_key_path
from tests.paths import PRIORS, ROOT

EXAMPLE = ROOT / "examples" / "community"
OUTPUTS = ("--roster", "--ledger", "--calls")
ROSTER_HEADERS = ["房号", "楼栋", "楼层", "面积", "年物业费", "电话有效"]


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def export_command() -> list[str]:
    """Return the arguments of the one `feesim export` in make_community.sh, its continuation lines joined."""
    script = (EXAMPLE / "make_community.sh").read_text(encoding="utf-8").replace("\\\n", " ")
    commands = [shlex.split(line) for line in script.splitlines() if line.strip().startswith("feesim export")]
    assert len(commands) == 1, commands
    return commands[0][2:]


def truth() -> dict[str, float]:
    """Return truth.yaml's values by key path (its own keys, not the baseline's)."""
    data = yaml.safe_load((EXAMPLE / "truth.yaml").read_text(encoding="utf-8"))
    return numbers_by_key_path({k: v for k, v in data.items() if k not in ("horizon_days", "community")})


@pytest.fixture(scope="module")
def reexported(tmp_path_factory) -> dict[str, Path]:
    """Run make_community.sh's export command again, writing into a temporary folder."""
    folder = tmp_path_factory.mktemp("community")
    args = export_command()
    written: dict[str, Path] = {}
    for option in OUTPUTS:
        at = args.index(option) + 1
        written[option] = folder / args[at]
        args[at] = str(written[option])
    args[args.index("truth.yaml")] = str(EXAMPLE / "truth.yaml")
    result = invoke("export", *args)
    assert result.exit_code == 0, result.output
    return written


@pytest.mark.parametrize("option", ["--ledger", "--calls"])
def test_the_shipped_csv_files_are_what_the_script_makes(reexported, option: str) -> None:
    made = reexported[option]
    assert (EXAMPLE / made.name).read_bytes() == made.read_bytes()


def test_the_shipped_roster_is_what_the_script_makes(reexported) -> None:
    made = reexported["--roster"]
    assert made.suffix == ".xlsx"
    pd.testing.assert_frame_equal(pd.read_excel(EXAMPLE / made.name), pd.read_excel(made))


def test_the_roster_has_1200_units_in_12_buildings_with_chinese_headers() -> None:
    roster = pd.read_excel(EXAMPLE / "roster.xlsx")
    assert list(roster.columns) == ROSTER_HEADERS
    assert len(roster) == roster["房号"].nunique() == 1200
    assert sorted(roster["楼栋"].unique()) == list(range(1, 13))


def test_the_only_excel_file_is_the_roster() -> None:
    assert sorted(p.name for p in EXAMPLE.glob("*.xls*")) == ["roster.xlsx"]


def test_the_manager_s_scenario_loads_on_the_roster_and_knows_no_truth() -> None:
    scenario = load_scenario(EXAMPLE / "community.yaml")
    assert scenario.community.roster is not None
    assert scenario.horizon_days == 180
    text = yaml.safe_load((EXAMPLE / "community.yaml").read_text(encoding="utf-8"))
    assert set(text) <= {"extends", "name", "description", "horizon_days", "community"}
    assert set(text["community"]) == {"roster"}


def test_the_shipped_ledger_and_contact_log_validate_against_the_community() -> None:
    community, ledger, calls = (EXAMPLE / name for name in ("community.yaml", "ledger.csv", "calls.csv"))
    result = invoke("validate", community, "--ledger", ledger, "--calls", calls)
    assert result.exit_code == 0, result.output
    assert "1200 units" in result.output


def test_the_staged_plan_extends_the_calibrated_scenario(tmp_path: Path) -> None:
    plan = yaml.safe_load((EXAMPLE / "plan_staged.yaml").read_text(encoding="utf-8"))
    assert plan["extends"] == "calibrated/calibrated.yaml"
    (tmp_path / "calibrated").mkdir()  # calibrate's output is not shipped: a stand-in that adds nothing
    (tmp_path / "calibrated" / "calibrated.yaml").write_text(f"extends: {EXAMPLE / 'community.yaml'}\n")
    (tmp_path / "plan_staged.yaml").write_bytes((EXAMPLE / "plan_staged.yaml").read_bytes())
    staged = load_scenario(tmp_path / "plan_staged.yaml")
    assert staged.strategy.billing.mode == "staged"
    assert staged.community.roster is not None and staged.horizon_days == 180


def test_the_truth_is_inside_the_priors_and_away_from_the_defaults() -> None:
    priors = {p.key: p for p in load_priors(PRIORS).priors}
    defaults = load_scenario(ROOT / "scenarios" / "baseline.yaml").model_dump(mode="json")
    values = truth()
    assert set(values) == {
        "owners.segments.ordinary.p",
        "owners.segments.undecided.threshold.mean",
        "herd.learning_rate_per_day",
    }
    for key, value in values.items():
        assert priors[key].low <= value <= priors[key].high, (key, value)
        assert value != _value(defaults, key), key  # the calibration has to move from the default


def _value(data: dict, key: str) -> float:
    for part in key.split("."):
        data = data[part]
    return float(data)
