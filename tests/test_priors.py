"""Priors: the shipped file, ``feesim validate`` on priors, Latin hypercube worlds, tables of worlds."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import Scenario, ScenarioError, scenario_from_dict
from sim.worlds.priors import PRIORS_FILE, Prior, Priors, load_priors, load_worlds, sample_worlds
from tests.mappings import numbers_by_key_path
from tests.paths import PRIORS, ROOT

SHIPPED = load_priors(PRIORS_FILE)


DEFAULTS = numbers_by_key_path(Scenario().model_dump())
"""Every numeric value of the default scenario by key path, found independently of sim.worlds."""


# -- the shipped file ---------------------------------------------------------------------------------


def test_the_shipped_file_is_the_constant_and_loads() -> None:
    assert PRIORS_FILE == PRIORS
    assert len(SHIPPED.priors) > 150
    assert len(set(SHIPPED.keys)) == len(SHIPPED.keys)
    assert all(prior.reason.strip() for prior in SHIPPED.priors)


def test_every_prior_is_a_numeric_scenario_key_and_holds_its_default() -> None:
    for prior in SHIPPED.priors:
        assert prior.key in DEFAULTS, prior.key
        assert prior.low <= DEFAULTS[prior.key] <= prior.high, prior
        if prior.distribution == "triangular":
            assert prior.mode == DEFAULTS[prior.key], prior  # the file's convention: peaked at the default


def test_every_numeric_key_has_a_prior_or_is_left_out_with_a_reason() -> None:
    fixed: dict[str, str] = yaml.safe_load(PRIORS.read_text(encoding="utf-8"))["fixed"]
    assert all(reason.strip() for reason in fixed.values())
    uncovered = [
        key
        for key in DEFAULTS
        if key not in SHIPPED.keys and not any(key == f or key.startswith(f + ".") for f in fixed)
    ]
    assert uncovered == []


def test_left_out_logit_coefficients_are_the_zero_ones() -> None:
    coefficients = {k: v for k, v in DEFAULTS.items() if k.startswith("responses.")}
    assert {k for k, v in coefficients.items() if v != 0} <= set(SHIPPED.keys)
    assert not {k for k, v in coefficients.items() if v == 0} & set(SHIPPED.keys)


def _doc_row(section: str, prior: Prior) -> str:
    """The row of §29's priors tables that shows `prior` (a logit coefficient: its feature's row)."""
    parts = prior.key.split(".")
    if parts[0] != "responses":
        rows = [line for line in section.splitlines() if line.startswith(f"| `{prior.key}` |")]
        return rows[-1]  # the priors' table follows the defaults
    rows = [line for line in section.splitlines() if line.startswith(f"| `{parts[2]}` |")]
    cells = next(row for row in rows if row.count("|") == 6).split("|")[2:6]
    return cells[("pays_now", "promises", "refuses", "hostile").index(parts[1])]


def test_the_model_shows_every_prior_and_its_range() -> None:
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text[text.index("## 29.") : text.index("## 30.")]
    assert "scenarios/priors.yaml" in section
    for prior in SHIPPED.priors:
        row = _doc_row(section, prior)
        for bound in (prior.low, prior.high):
            assert f"{bound:g}".replace("-", "\N{MINUS SIGN}") in row, (prior.key, row)


def test_validate_says_ok_for_the_shipped_priors_and_a_scenario() -> None:
    result = CliRunner().invoke(app, ["validate", str(PRIORS), str(ROOT / "scenarios" / "baseline.yaml")])
    assert result.exit_code == 0, result.output
    assert f"ok  {PRIORS} (priors: {len(SHIPPED.priors)} keys)" in result.stdout


# -- bad priors files exit 2 through `feesim validate` --------------------------------------------


def _entry(key: str, **fields: object) -> str:
    values = {"distribution": "uniform", "low": 0.1, "high": 0.2, "reason": "a test", **fields}
    body = ", ".join(f"{name}: {value}" for name, value in values.items())
    return f"  {key}: {{{body}}}\n"


def _laughs() -> str:
    """A priors file whose aliases expand to 10^8 items ("billion laughs")."""
    lines = ['  a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"  {c}: &{c} [{', '.join([f'*{p}'] * 10)}]" for p, c in zip("abcdefg", "bcdefgh", strict=True)]
    return "\n".join(["priors:", *lines, "other: *h", ""])


LAUGHS = _laughs()

BAD: dict[str, tuple[str, str, str]] = {
    # case: (the file's text, the key path the message names, what it says)
    "unknown key": (
        "priors:\n" + _entry("owners.segments.undecided.qq", low=0.01, high=0.1),
        "priors.owners.segments.undecided.qq",
        "did you mean 'owners.segments.undecided.q'?",
    ),
    "a section": ("priors:\n" + _entry("team.morale"), "priors.team.morale", "is a section"),
    "not numeric": (
        "priors:\n" + _entry("strategy.billing.mode"),
        "priors.strategy.billing.mode",
        "is not a numeric key",
    ),
    "low above high": (
        "priors:\n" + _entry("owners.mood_sd", low=0.3, high=0.1),
        "priors.owners.mood_sd",
        "expected low < high",
    ),
    "low equal to high": (
        "priors:\n" + _entry("owners.mood_sd", low=0.15, high=0.15),
        "priors.owners.mood_sd",
        "expected low < high",
    ),
    "default outside": (
        "priors:\n" + _entry("owners.mood_sd", low=0.2, high=0.3),
        "priors.owners.mood_sd",
        "the default 0.15 lies outside [low, high] = [0.2, 0.3]",
    ),
    "mode outside": (
        "priors:\n" + _entry("owners.mood_sd", distribution="triangular", mode=0.5),
        "priors.owners.mood_sd",
        "mode 0.5 is outside [low, high]",
    ),
    "mode missing": (
        "priors:\n" + _entry("owners.mood_sd", distribution="triangular"),
        "priors.owners.mood_sd",
        "a triangular prior needs 'mode'",
    ),
    "mean outside": (
        "priors:\n" + _entry("owners.mood_sd", distribution="truncnormal", mean=0.9, sd=0.1),
        "priors.owners.mood_sd",
        "mean 0.9 is outside [low, high]",
    ),
    "sd not positive": (
        "priors:\n" + _entry("owners.mood_sd", distribution="truncnormal", mean=0.15, sd=0),
        "priors.owners.mood_sd.sd",
        "expected a value greater than 0",
    ),
    "loguniform from zero": (
        "priors:\n" + _entry("owners.segments.hard.q", distribution="loguniform", low=0, high=0.01),
        "priors.owners.segments.hard.q",
        "a loguniform prior needs low > 0",
    ),
    "unknown distribution": (
        "priors:\n" + _entry("owners.mood_sd", distribution="lognormal"),
        "priors.owners.mood_sd.distribution",
        "expected 'uniform', 'triangular', 'truncnormal' or 'loguniform'; found 'lognormal'",
    ),
    "infinite": (
        "priors:\n" + _entry("owners.mood_sd", high=".inf"),
        "priors.owners.mood_sd.high",
        "expected a finite number",
    ),
    "not a number": (
        "priors:\n" + _entry("owners.mood_sd", low=".nan"),
        "priors.owners.mood_sd.low",
        "expected a finite number",
    ),
    "a bound the scenario refuses": (
        "priors:\n" + _entry("team.home_share", low=0.5, high=1.5),
        "priors.team.home_share.high",
        "a scenario refuses 1.5 here: expected a value less than or equal to 1",
    ),
    "no reason": ("priors:\n" + _entry("owners.mood_sd", reason="''"), "priors.owners.mood_sd", "a reason"),
    "unknown field": (
        "priors:\n" + _entry("owners.mood_sd", spread=2),
        "priors.owners.mood_sd.spread",
        "unknown key",
    ),
    "duplicate key": (
        "priors:\n" + _entry("owners.mood_sd") + _entry("owners.mood_sd"),
        "priors.owners.mood_sd",
        "given twice (lines 2 and 3)",
    ),
    "no priors": ("priors: {}\n", "priors", "expected at least one key path"),
    "fixed unknown": (
        "priors:\n" + _entry("owners.mood_sd") + "fixed:\n  teem: levers\n",
        "fixed.teem",
        "unknown key",
    ),
    "fixed and a prior": (
        "priors:\n" + _entry("owners.mood_sd") + "fixed:\n  owners.mood_sd: known\n",
        "fixed.owners.mood_sd",
        "has a prior too",
    ),
    "hostile YAML": (
        LAUGHS,
        "",
        "refused YAML",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_priors_file_exits_2_naming_the_key(case: str, tmp_path: Path) -> None:
    text, key, says = BAD[case]
    path = tmp_path / "priors.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    message = " ".join(result.stderr.split())  # the console may wrap long lines
    assert message.startswith(str(path)), message
    assert says in message, message
    if key:
        assert re.search(rf"- {re.escape(key)}:", message), message
    with pytest.raises(ScenarioError):
        load_priors(path)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "priors.yaml"
    path.write_text(
        "priors:\n"
        + _entry("owners.mood_sd", low=0.3, high=0.1)
        + _entry("owners.phone_sharre", low=0.8, high=0.95)
        + _entry("owners.online_share", distribution="normal"),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_priors(path)
    assert caught.value.keys == (
        "priors.owners.mood_sd",
        "priors.owners.phone_sharre",
        "priors.owners.online_share",
    )


# -- sampling worlds ----------------------------------------------------------------------------------


def test_worlds_are_the_same_for_a_seed_and_differ_across_seeds() -> None:
    first = sample_worlds(SHIPPED, 16, seed=7)
    pd.testing.assert_frame_equal(first, sample_worlds(SHIPPED, 16, seed=7), check_exact=True)
    other = sample_worlds(SHIPPED, 16, seed=8)
    assert (first.to_numpy() != other.to_numpy()).mean() > 0.9
    assert list(first.columns) == SHIPPED.keys
    assert first.index.name == "world" and list(first.index) == list(range(16))


@pytest.mark.parametrize("n", [1, 7, 64])
def test_each_stratum_of_each_key_holds_exactly_one_world(n: int) -> None:
    worlds = sample_worlds(SHIPPED, n, seed=3)
    for prior in SHIPPED.priors:
        values = worlds[prior.key].to_numpy()
        assert ((prior.low <= values) & (values <= prior.high)).all(), prior.key
        if isinstance(DEFAULTS[prior.key], int):
            assert (values == np.rint(values)).all() and values.dtype.kind == "i", prior.key
            continue
        inner_edges = prior.ppf(np.arange(1, n) / n)
        strata = np.searchsorted(inner_edges, values, side="right")
        assert sorted(strata) == list(range(n)), prior.key


def _mean(prior: Prior) -> float:
    """The distribution's mean, from its textbook formula (not from the code under test)."""
    a, b = prior.low, prior.high
    if prior.distribution == "uniform":
        return (a + b) / 2
    if prior.distribution == "triangular":
        assert prior.mode is not None
        return (a + b + prior.mode) / 3
    if prior.distribution == "loguniform":
        return (b - a) / math.log(b / a)
    assert prior.mean is not None and prior.sd is not None
    alpha, beta = (a - prior.mean) / prior.sd, (b - prior.mean) / prior.sd
    pdf, cdf = stats.norm.pdf, stats.norm.cdf
    return prior.mean + prior.sd * (pdf(alpha) - pdf(beta)) / (cdf(beta) - cdf(alpha))


EXAMPLES = Priors(
    source="test",
    priors=(
        Prior("owners.mood_sd", "uniform", 0.05, 0.3, reason="t"),
        Prior("owners.phone_share", "triangular", 0.8, 0.97, mode=0.9, reason="t"),
        Prior("owners.segments.hard.q", "triangular", 0.0, 0.01, mode=0.0, reason="t"),
        Prior("team.morale.floor", "triangular", 0.3, 0.5, mode=0.5, reason="t"),
        Prior("herd.learning_rate_per_day", "loguniform", 0.01, 1.0, reason="t"),
        Prior("strategy.lawsuit.win_probability", "truncnormal", 0.8, 0.98, mean=0.9, sd=0.04, reason="t"),
        Prior("strategy.lawsuit.settle_probability", "truncnormal", 0.3, 0.5, mean=0.5, sd=0.2, reason="t"),
    ),
)


def test_marginals_follow_their_distributions() -> None:
    """KS distance at most 1/n (a Latin hypercube puts one world in each 1/n of probability).

    The means are compared with the textbook formulas within 0.2% of the range:
    the standard error of a stratified mean at n = 4000 is far below that.
    """
    n = 4000
    worlds = sample_worlds(EXAMPLES, n, seed=11)
    for prior in EXAMPLES.priors:
        values = worlds[prior.key].to_numpy()
        statistic = stats.kstest(values, prior.cdf).statistic
        assert statistic <= 1 / n + 1e-12, (prior.key, statistic)
        assert abs(values.mean() - _mean(prior)) <= 0.002 * (prior.high - prior.low), prior.key


def test_the_quantile_function_is_monotone_and_spans_the_range() -> None:
    u = np.linspace(0, 1, 1001)[:-1]
    for prior in (*EXAMPLES.priors, *SHIPPED.priors):
        values = prior.ppf(u)
        assert (np.diff(values) >= 0).all() and values[0] == pytest.approx(prior.low), prior.key
        top = prior.ppf(np.array([1 - 1e-12]))[0]  # a triangle's tail closes like the square root
        assert values[-1] <= top <= prior.high, prior.key
        assert top == pytest.approx(prior.high, abs=1e-5 * (prior.high - prior.low)), prior.key


# -- tables of worlds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_table_of_sampled_worlds_reads_back(suffix: str, tmp_path: Path) -> None:
    worlds = sample_worlds(SHIPPED, 24, seed=5)
    path = tmp_path / f"worlds{suffix}"
    (worlds.to_csv if suffix == ".csv" else worlds.to_parquet)(path)
    back = load_worlds(path)
    pd.testing.assert_frame_equal(back, worlds, check_exact=False, rtol=1e-15, check_index_type=False)
    assert back.index.name == "world"


def test_the_corners_of_the_shipped_priors_are_scenarios(tmp_path: Path) -> None:
    """Every key at its low end, every key at its high end: both worlds validate as scenarios."""
    corners = pd.DataFrame([{p.key: p.low for p in SHIPPED.priors}, {p.key: p.high for p in SHIPPED.priors}])
    path = tmp_path / "corners.parquet"
    corners.to_parquet(path)
    assert len(load_worlds(path)) == 2


def test_one_world_at_the_defaults_pins_every_assumption(tmp_path: Path) -> None:
    """A one-row table at the defaults is how to pin every assumption (a prior's range cannot be empty)."""
    path = tmp_path / "defaults.csv"
    pd.DataFrame([{key: DEFAULTS[key] for key in SHIPPED.keys}]).to_csv(path, index=False)
    (world,) = (row for _, row in load_worlds(path).iterrows())
    overrides = {key: value.item() if hasattr(value, "item") else value for key, value in world.items()}
    assert scenario_from_dict({}, overrides=overrides) == Scenario()


def test_a_table_without_a_world_column_numbers_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "posterior.csv"
    path.write_text("owners.mood_sd,over_contact.tolerance\n0.1,3\n0.2,5\n", encoding="utf-8")
    worlds = load_worlds(path)
    assert list(worlds.index) == [0, 1] and worlds["over_contact.tolerance"].dtype.kind == "i"


BAD_TABLES: dict[str, tuple[str, str, str]] = {
    "unknown key": ("owners.mood_sdd\n0.1\n", "owners.mood_sdd", "did you mean 'owners.mood_sd'?"),
    "infinite": ("owners.mood_sd\n0.1\ninf\n", "owners.mood_sd", "expected a finite number in every world"),
    "missing": ("owners.mood_sd,owners.phone_share\n0.1,0.9\n0.2,\n", "owners.phone_share", "world 1"),
    "text": ("owners.mood_sd\nhigh\n", "owners.mood_sd", "found 'high'"),
    "refused": ("world,team.home_share\n4,0.5\n9,1.5\n", "team.home_share", "world 9: expected a value"),
    "whole number": ("over_contact.tolerance\n2.5\n", "over_contact.tolerance", "world 0"),
    "worlds twice": ("world,owners.mood_sd\n1,0.1\n1,0.2\n", "world", "distinct non-negative"),
}


@pytest.mark.parametrize("case", BAD_TABLES)
def test_a_bad_table_of_worlds_is_refused_naming_the_key(case: str, tmp_path: Path) -> None:
    text, key, says = BAD_TABLES[case]
    path = tmp_path / "worlds.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_worlds(path)
    assert key in caught.value.keys and says in caught.value.message, caught.value.message
    assert caught.value.message.startswith(str(path))


def test_a_table_of_another_kind_or_empty_is_refused(tmp_path: Path) -> None:
    for name, text in (("worlds.xlsx", "x"), ("worlds.csv", ""), ("nowhere.parquet", None)):
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        with pytest.raises(ScenarioError, match=re.escape(str(path))):
            load_worlds(path)
