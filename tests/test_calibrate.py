"""feesim calibrate: payments and moments, the regression-ABC posterior, the command and its folder.

The slow parameter-recovery check is in tests/test_calibrate_recovery.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import norm, qmc
from typer.testing import CliRunner

from sim.calibration.abc import AbcFit, fit_abc, weighted_quantile
from sim.calibration.command import observed_payments
from sim.calibration.moments import moment_set, weekly_days
from sim.calibration.payments import Payments
from sim.cli import app
from sim.data.ledger import read_ledger
from sim.population import draw_population
from sim.rng import Streams, replication_seed
from sim.scenario import load_scenario, parse_overrides
from sim.worlds.priors import load_worlds
from tests.commands import small_community
from tests.paths import SCENARIOS

DAYS = 60
SMALL = small_community(DAYS)
SEED = 3
NAN = float("nan")


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


# --- payments and moments ---------------------------------------------------------------------


def four_households() -> Payments:
    """Two buildings of two households: fees 100, 100, 200, 200; paid on days 0 and 2, never, and 2."""
    return Payments.of([0, 0, 1, 1], [100, 100, 200, 200], [0, 2, NAN, 2], [100, 100, 0, 200], 3)


def test_curves_count_what_was_paid_by_the_end_of_each_day() -> None:
    payments = four_households()
    assert payments.household_curve().tolist() == [0.25, 0.25, 0.75]
    assert np.allclose(payments.money_curve(), [100 / 600, 100 / 600, 400 / 600])
    assert payments.building_shares(3).tolist() == [1.0, 0.5]
    assert payments.building_shares(1).tolist() == [0.5, 0.0]


def test_a_run_s_payment_day_is_the_whole_day_and_late_payments_are_unpaid() -> None:
    owners = pd.DataFrame(
        {"building": [0, 0, 1, 1, 1], "fee": [1.0] * 5, "paid_at": [5.0, 47.9, 48.0, NAN, 72.0]}
    )
    payments = Payments.from_owner_table(owners, horizon_days=3)
    assert np.array_equal(payments.paid_day, [0, 1, 2, NAN, NAN], equal_nan=True)
    assert payments.amount.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_moments_are_weekly_shares_the_unpaid_share_day_quantiles_and_building_spread() -> None:
    assert weekly_days(14).tolist() == [7, 14] and weekly_days(10).tolist() == [7, 10]
    moments = moment_set(four_households())
    values = dict(zip(moments.names, moments.values, strict=True))
    assert values["households_paid_day_3"] == 0.75
    assert values["unpaid_share_end"] == 0.25
    assert values["payment_day_q50"] == pytest.approx(2 / 3)  # the median payer paid on day 2 of 3
    assert values["building_sd_day_3"] == pytest.approx(np.std([1.0, 0.5], ddof=1))
    assert len(moment_set(Payments.of([0], [1], [NAN], [0], 3)).values) == len(moments.values)


# --- the ABC posterior ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_abc_finds_the_exact_posterior_of_a_linear_gaussian_model(seed: int) -> None:
    """Two noisy readings of parameter a (sd 0.03 each), one moment of pure noise, b irrelevant.

    With a uniform prior on [0, 1] and a = 0.4 far from its edges, the exact
    posterior of a is normal, mean the readings' mean, sd 0.03/sqrt(2); b's is
    its prior.  Tolerance: each ABC quantile within 0.5 posterior sd of the
    exact one.  The Monte Carlo error of a 5% quantile from the 200 accepted
    draws of 800 runs is about 0.1 sd (sqrt(q(1-q)/n) / density); the linear
    summary adds a bias measured at 0.15 sd with 3,000 runs; over seeds 0-4 the
    largest error is 0.37 sd.
    """
    rng = np.random.default_rng(seed)
    runs, sigma = 800, 0.03
    u = qmc.LatinHypercube(d=2, seed=rng).random(runs)
    moments = np.column_stack(
        [u[:, 0] + rng.normal(0, sigma, runs), u[:, 0] + rng.normal(0, sigma, runs), rng.normal(0, 1, runs)]
    )
    observed = np.array([0.4 + rng.normal(0, sigma), 0.4 + rng.normal(0, sigma), rng.normal()])
    fit = fit_abc(u, moments, observed, accept=0.25)
    levels = (0.05, 0.5, 0.95)
    low, mid, high = fit.quantiles(levels)
    sd = sigma / np.sqrt(2)
    exact = norm.ppf(levels, observed[:2].mean(), sd)
    assert np.all(np.abs(np.array([low[0], mid[0], high[0]]) - exact) < 0.5 * sd)
    assert high[1] - low[1] > 0.8  # b keeps most of its prior's 90% range (0.9)
    assert fit.weights.sum() == pytest.approx(1.0) and len(fit.accepted) == 200


def test_resampling_follows_the_weights_in_random_order() -> None:
    u = np.array([[0.1], [0.5], [0.9]])
    fit = AbcFit(u, np.array([0.5, 0.25, 0.25]), np.arange(3), np.ones(3), np.ones(1))
    draws = fit.resample(400, np.random.default_rng(1))[:, 0]
    assert [np.sum(draws == v) for v in (0.1, 0.5, 0.9)] == [200, 100, 100]
    assert not np.all(np.diff(draws) >= 0)  # shuffled: the first rows are not all the heaviest draw


def test_weighted_quantile_interpolates_between_weighted_mid_points() -> None:
    values, weights = np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0])
    assert weighted_quantile(values, weights, 0.5) == 2.0
    assert weighted_quantile(values, weights, 0.0) == 1.0 and weighted_quantile(values, weights, 1.0) == 3.0


# --- the command --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("community")
    roster, ledger = folder / "roster.csv", folder / "ledger.csv"
    result = invoke(
        "export", SCENARIOS / "baseline.yaml", "--roster", roster, "--ledger", ledger, "--seed", SEED, *SMALL
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def calibrated(exported: Path) -> Path:
    out = exported / "out"
    args = ("--ledger", exported / "ledger.csv", "--runs", 50, "--workers", 1, "--seed", SEED, "--out", out)
    result = invoke("calibrate", SCENARIOS / "baseline.yaml", *args, *SMALL)
    assert result.exit_code == 0, result.output
    assert "Calibrated in" in result.stdout and "90% interval" in result.stdout
    return out


def test_the_ledger_lands_on_the_households_of_the_population(exported: Path) -> None:
    scenario = load_scenario(SCENARIOS / "baseline.yaml", parse_overrides(SMALL[1::2]))
    population = draw_population(scenario, Streams(replication_seed(SEED, 0)))
    book = read_ledger(exported / "ledger.csv", population.unit_labels, scenario.start_date, DAYS)
    payments = observed_payments(book, population)
    totals = book.unit_totals()
    owners = [population.owner_of_unit(u) for u in totals["unit"]]
    assert np.array_equal(payments.paid_day[owners], totals["first_day"].to_numpy(dtype=float))
    assert np.count_nonzero(~np.isnan(payments.paid_day)) == len(totals)
    assert payments.amount.sum() == pytest.approx(book.total)
    assert np.array_equal(payments.fee, population.fee)


def test_the_folder_holds_the_four_files_and_fit_json_has_the_promised_keys(calibrated: Path) -> None:
    assert sorted(p.name for p in calibrated.iterdir()) == [
        "calibrated.yaml",
        "fit.json",
        "posterior.parquet",
        "report.html",
    ]
    fit = json.loads((calibrated / "fit.json").read_text())
    for key in ("rmse_pp", "max_dev_pp", "r2", "final_error_pp", "holdout_rmse_pp"):
        assert isinstance(fit[key], float), key
    assert 0 <= fit["rmse_pp"] <= fit["max_dev_pp"] and fit["r2"] <= 1
    assert len(fit["parameters"]) == 8
    for key, p in fit["parameters"].items():
        assert p["ci_low"] <= p["estimate"] <= p["ci_high"], key
        assert p["prior_low"] <= p["ci_low"] and p["ci_high"] <= p["prior_high"], key


def test_calibrated_yaml_extends_the_scenario_with_the_estimates(calibrated: Path) -> None:
    text = (calibrated / "calibrated.yaml").read_text()
    assert "# 90% interval [" in text
    assert yaml.safe_load(text)["extends"].endswith("scenarios/baseline.yaml")
    scenario = load_scenario(calibrated / "calibrated.yaml")
    fit = json.loads((calibrated / "fit.json").read_text())["parameters"]
    estimate = fit["owners.segments.ordinary.p"]["estimate"]
    assert scenario.owners.segments.ordinary.p == pytest.approx(estimate, rel=1e-5)
    assert scenario.community.households == 200 and scenario.horizon_days == DAYS


def test_posterior_parquet_gives_distinct_worlds_usable_as_priors(calibrated: Path) -> None:
    table = pd.read_parquet(calibrated / "posterior.parquet")
    assert table["world"].tolist() == list(range(64))
    assert len(table.drop(columns="world").drop_duplicates()) >= 30  # from 40 accepted runs
    worlds = load_worlds(calibrated / "posterior.parquet")
    assert len(worlds) == 64 and "owners.segments.ordinary.p" in worlds.columns
    result = invoke(
        "run", calibrated / "calibrated.yaml", "--worlds", 2, "--priors", calibrated / "posterior.parquet",
        "--reps", 2, "--workers", 1, "--out", calibrated.parent / "worlds",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "worlds from" in result.stdout


def test_the_same_seed_gives_the_same_posterior_on_one_or_two_workers(
    exported: Path, calibrated: Path
) -> None:
    out = exported / "two-workers"
    args = ("--ledger", exported / "ledger.csv", "--runs", 50, "--workers", 2, "--seed", SEED, "--out", out)
    assert invoke("calibrate", SCENARIOS / "baseline.yaml", *args, *SMALL).exit_code == 0
    assert (out / "posterior.parquet").read_bytes() == (calibrated / "posterior.parquet").read_bytes()
    first, second = (json.loads((d / "fit.json").read_text()) for d in (calibrated, out))
    assert first["parameters"] == second["parameters"] and first["rmse_pp"] == second["rmse_pp"]


@pytest.mark.slow  # a local Dask cluster starts in seconds, and the calibration runs again on it
def test_a_dask_cluster_gives_the_same_posterior(exported: Path, calibrated: Path) -> None:
    from distributed import LocalCluster

    out = exported / "dask"
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        options = ("--runs", 50, "--scheduler", cluster.scheduler_address, "--seed", SEED, "--out", out)
        result = invoke(
            "calibrate", SCENARIOS / "baseline.yaml", "--ledger", exported / "ledger.csv", *options, *SMALL
        )
    assert result.exit_code == 0, result.output
    assert (out / "posterior.parquet").read_bytes() == (calibrated / "posterior.parquet").read_bytes()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--param", "owners.segments.nobody.p"], "owners.segments.nobody.p"),
        (["--runs", "10"], "--runs"),
        (["--priors", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    exported: Path, tmp_path: Path, options: list[str], message: str
) -> None:
    out = tmp_path / "out"
    result = invoke(
        "calibrate",
        SCENARIOS / "baseline.yaml",
        "--ledger",
        exported / "ledger.csv",
        "--out",
        out,
        *options,
        *SMALL,
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not out.exists()


def test_a_ledger_with_an_unknown_unit_exits_2_naming_row_and_column(exported: Path, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("unit,paid_on,amount\n99-9999,2026-03-02,100\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("calibrate", SCENARIOS / "baseline.yaml", "--ledger", ledger, "--out", out, *SMALL)
    assert result.exit_code == 2
    assert str(ledger) in result.stderr and "row 2, column unit" in result.stderr
    assert not out.exists()
