"""`feesim analyze` answers the experiment's question in plain units, and its figures do not mislead.

The sweep folders here are made by hand (the design of a real experiment file, outcomes
from a known formula), so the right answer is known without simulating.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import load_experiment, make_design
from sim.experiments.analyze import analyze, point_summary, sobol_warnings
from sim.experiments.findings import print_analysis
from sim.experiments.readable import difference_text, interval_text, lever_label, value_text
from sim.views.sensitivity import MIN_SHARE_SPAN, lever_figure, sensitivity_figure, share_limits
from tests.paths import SCENARIOS

COST_PER_HOUR = 35.0
HOURS_PER_COLLECTOR = 600.0
TEAM = f"""\
name: team
description: How many collectors?
base: {SCENARIOS / "baseline.yaml"}
levers:
  team.collectors: {{values: [1, 2, 4, 8]}}
replications: 4
outcomes: [final_paid_share, money_collected, staff_hours]
"""
SOBOL = f"""\
name: sens
base: {SCENARIOS / "baseline.yaml"}
uncertainties:
  owners.segments.ordinary.p: {{range: {{min: 0.01, max: 0.04}}}}
  owners.segments.ordinary.q: {{range: {{min: 0.0, max: 0.08}}}}
  owners.phone_share: {{range: {{min: 0.8, max: 1.0}}}}
design: {{type: sobol, n: 8, seed: 0}}
replications: 2
outcomes: [paid_share_day_60]
"""

Outcomes = Callable[[dict[str, Any], int], dict[str, float]]


def _money(collectors: float) -> float:
    """Money collected: each doubling of the team brings in less (+50,000, then +30,000, then +8,000)."""
    return {1: 4_000_000.0, 2: 4_050_000.0, 4: 4_110_000.0, 8: 4_142_000.0}[int(collectors)]


def _team_outcomes(columns: dict[str, Any], replication: int) -> dict[str, float]:
    n = columns["team.collectors"]
    noise = (replication - 1.5) * 500.0  # the same at every point: common random numbers
    return {
        "final_paid_share": 0.70 + 0.0006077 * n + 0.001 * replication,
        "money_collected": _money(n) + noise,
        "staff_hours": HOURS_PER_COLLECTOR * n,
    }


def _sobol_outcomes(columns: dict[str, Any], replication: int) -> dict[str, float]:
    p, q = columns["owners.segments.ordinary.p"], columns["owners.segments.ordinary.q"]
    return {"paid_share_day_60": 0.3 + 8.0 * p + 0.5 * q + 0.001 * replication}


def fake_sweep(folder: Path, experiment_text: str, outcomes: Outcomes, horizon: int = 90) -> Path:
    """Write a finished sweep folder of the experiment's real design with outcomes from `outcomes`."""
    source = folder / "experiment.yaml"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(textwrap.dedent(experiment_text), encoding="utf-8")
    resolved = load_experiment(source)
    design = make_design(resolved.experiment)
    rows = []
    for point in design.points:
        for replication in range(resolved.experiment.max_replications):
            for name, value in outcomes(point.columns, replication).items():
                rows.append(
                    {"point": point.index, "replication": replication, "outcome": name, "value": value}
                )
    pd.DataFrame(rows).to_parquet(folder / "results.parquet")
    design.table().to_parquet(folder / "points.parquet")
    (folder / "design.json").write_text(json.dumps(design.describe(), default=list), encoding="utf-8")
    scenario = {
        "horizon_days": horizon,
        "community": {"households": 1000},
        "team": {"staff_cost_per_hour": COST_PER_HOUR},
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return folder


# -- the question of a team-size sweep -------------------------------------------------------------------


def test_team_size_says_where_one_more_collector_stops_paying(tmp_path: Path) -> None:
    analysis = analyze(fake_sweep(tmp_path, TEAM, _team_outcomes))
    marginal = analysis["marginal"]
    assert marginal["lever"] == "team.collectors"
    staff_cost = HOURS_PER_COLLECTOR * COST_PER_HOUR  # 21,000 CNY per added collector
    steps = {(s["from"], s["to"]): s for s in marginal["steps"]}
    assert steps[(1, 2)]["extra_money"]["mean"] == pytest.approx(50_000.0)
    assert steps[(2, 4)]["extra_money"]["mean"] == pytest.approx(30_000.0)  # per added collector: 60,000 / 2
    assert steps[(4, 8)]["extra_money"]["mean"] == pytest.approx(8_000.0)
    for step in steps.values():
        assert step["extra_staff_cost"]["mean"] == pytest.approx(staff_cost)
        assert step["net_gain"]["mean"] == pytest.approx(step["extra_money"]["mean"] - staff_cost)
    assert [s["pays"] for s in marginal["steps"]] == ["pays", "pays", "does not pay"]
    assert marginal["stops_paying_after"] == 4
    assert steps[(1, 2)]["per_unit"]["final_paid_share"]["mean"] == pytest.approx(0.0006077)
    assert "marginal_team_collectors.png" in analysis["figures"]
    assert analysis["setup"]["horizon_days"] == 90 and analysis["setup"]["replications"] == 4


def test_team_size_output_reads_as_an_answer_at_80_columns(tmp_path: Path) -> None:
    folder = fake_sweep(tmp_path, TEAM, _team_outcomes)
    result = CliRunner().invoke(app, ["analyze", str(folder)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "one more collector stops paying after 4 collectors, within the 90-day horizon" in " ".join(
        text.split()
    )
    assert "1,000 households, 90-day horizon, 4 replications per point" in text
    assert "best team.collectors=1" not in text and "(lower is better)" not in text
    assert not re.search(r"\d\.\d{4,}", text), "raw numbers such as 0.0006077 left in the output"
    assert "+0.06" in text  # points of households paid per added collector, not +0.0006077
    assert max(len(line) for line in text.splitlines()) <= 80


def test_a_sweep_without_money_says_what_to_record(tmp_path: Path) -> None:
    text = TEAM.replace("[final_paid_share, money_collected, staff_hours]", "[final_paid_share, staff_hours]")
    folder = fake_sweep(
        tmp_path, text, lambda c, r: {k: v for k, v in _team_outcomes(c, r).items() if k != "money_collected"}
    )
    analysis = analyze(folder)
    assert "stops_paying_after" not in analysis["marginal"]
    out = io.StringIO()
    print_analysis(analysis, folder, Console(file=out, width=80))
    said = " ".join(out.getvalue().split())
    assert "record money_collected and staff_hours" in said
    assert "What one more collector changes, within the 90-day horizon" in said
    assert "1 → 2 +0.06" in said  # households paid, in points per added collector


# -- numbers for people ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "value", "expected"),
    [
        ("final_paid_share", 0.0006077, "+0.06 points"),
        ("final_paid_share", 0.037, "+3.7 points"),
        ("paid_share_day_30", -0.1234, "-12.3 points"),
        ("money_collected", 52_345.6, "+52,346 CNY"),
        ("days_to_80", -1.54, "-1.5 days"),
        ("staff_hours", 729.0, "+729 h"),
        ("calls", 0.5, "+0.50"),
        ("calls", 92.04, "+92"),
    ],
)
def test_differences_read_in_plain_units(outcome: str, value: float, expected: str) -> None:
    assert difference_text(outcome, value) == expected


def test_values_and_intervals_read_in_plain_units() -> None:
    assert value_text("final_paid_share", 0.7784) == "77.8%"
    assert value_text("money_collected", 4_157_991.2) == "4,157,991 CNY"
    assert value_text("days_to_50", 79.63) == "79.6 days"
    assert value_text("days_to_50", float("nan")) == "n/a"
    assert interval_text("final_paid_share", -0.017, 0.025) == "-1.7 to +2.5 points"
    assert lever_label("team.collectors") == "collectors"
    assert lever_label("strategy.calls.windows") == "calling windows"


# -- figures ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("low", "high"), [(72.5, 76.2), (0.5, 3.0), (97.0, 99.5), (40.0, 95.0)])
def test_a_share_axis_is_tall_enough_and_starts_at_a_round_value(low: float, high: float) -> None:
    bottom, top = share_limits(low, high)
    assert top - bottom >= MIN_SHARE_SPAN
    assert 0.0 <= bottom <= low and high <= top <= 100.0
    assert bottom % 10 == 0


def test_lever_figure_spaces_numeric_levers_by_value_and_shows_the_horizon(tmp_path: Path) -> None:
    folder = fake_sweep(tmp_path, TEAM, _team_outcomes)
    results, points = pd.read_parquet(folder / "results.parquet"), pd.read_parquet(folder / "points.parquet")
    rows = point_summary(results).merge(points, on="point")
    setup = analyze(folder)["setup"]
    figure = lever_figure(
        rows[rows["outcome"] == "final_paid_share"], ["team.collectors"], "final_paid_share", setup
    )
    axes = figure.axes[0]
    assert list(axes.lines[0].get_xdata()) == [1.0, 2.0, 4.0, 8.0]
    bottom, top = axes.get_ylim()
    assert top - bottom >= MIN_SHARE_SPAN  # a 0.4-point effect on a 20-point axis
    assert "collectors" in axes.get_xlabel() and "(%)" in axes.get_ylabel()
    assert "90-day horizon" in figure.get_suptitle()


def test_sensitivity_legend_stays_inside_the_figure() -> None:
    indices = {
        f"factor_{j}": {"S1": 0.1 * j, "S1_conf": 0.05, "ST": 0.12 * j, "ST_conf": 0.05} for j in range(7)
    }
    figure = sensitivity_figure(indices, "paid_share_day_90", "sobol", {"replications": 2})
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    figure.canvas.draw()
    box = figure.bbox
    for legend in figure.legends:
        extent = legend.get_window_extent(renderer)
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1


# -- Sobol ------------------------------------------------------------------------------------------------


def _indices(s1: float, st: float, conf: float = 0.3) -> dict[str, float]:
    return {"S1": s1, "S1_conf": conf, "ST": st, "ST_conf": conf}


def test_a_small_sobol_sample_gets_a_warning_and_a_sample_size() -> None:
    design = {"problem": {"num_vars": 3}, "samples_per_group": 8 * (3 + 2)}
    found = {"0": {"y": {"a": _indices(0.5, 0.3), "b": _indices(-0.1, 0.2), "c": _indices(0.1, 0.2)}}}
    (warning,) = sobol_warnings(found, design)
    assert warning["first_order_above_total"] == ["a"] and warning["negative"] == ["b"]
    assert warning["n"] == 8
    assert warning["suggested_n"] == 512  # 8 x (0.3 / 0.05)^2 = 288, up to a power of 2
    assert warning["suggested_points"] == 512 * 5
    sound = {"0": {"y": {"a": _indices(0.3, 0.4, 0.02), "b": _indices(0.1, 0.2, 0.02)}}}
    assert sobol_warnings(sound, design) == []


def test_sobol_analysis_prints_the_warning_and_is_the_same_every_time(tmp_path: Path) -> None:
    folder = fake_sweep(tmp_path, SOBOL, _sobol_outcomes)
    first = analyze(folder)
    again = analyze(folder)
    assert first == again, "the bootstrap of the confidence intervals must be seeded"
    if first["warnings"]:
        out = io.StringIO()
        print_analysis(first, folder, Console(file=out, width=80))
        assert "warning:" in out.getvalue() and "--samples" in out.getvalue()


def test_sobol_analysis_of_a_small_noisy_sample_warns(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    noise = {}

    def noisy(columns: dict[str, Any], replication: int) -> dict[str, float]:
        key = (tuple(columns.values()), replication)
        noise.setdefault(key, float(rng.normal(0.0, 0.2)))
        return {"paid_share_day_60": _sobol_outcomes(columns, replication)["paid_share_day_60"] + noise[key]}

    analysis = analyze(fake_sweep(tmp_path, SOBOL, noisy))
    assert analysis["warnings"], analysis["sensitivity"]
    warning = analysis["warnings"][0]
    assert warning["suggested_n"] > 8 and warning["suggested_n"] & (warning["suggested_n"] - 1) == 0


def test_lever_figure_keeps_the_experiments_order_of_named_settings() -> None:
    rows = pd.DataFrame(
        {
            "point": [0, 1, 2],
            "strategy.billing.mode": ["staged", "bulk", "ladder"],
            "mean": [0.7, 0.6, 0.65],
            "ci_low": [0.68, 0.58, 0.6],
            "ci_high": [0.72, 0.62, 0.7],
        }
    )
    figure = lever_figure(rows, ["strategy.billing.mode"], "final_paid_share", {"replications": 3})
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["staged", "bulk", "ladder"]
    assert list(axes.lines[0].get_xdata()) == [0, 1, 2]
