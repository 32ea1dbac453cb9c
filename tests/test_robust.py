"""Answers across worlds (`sim.worlds.robust`, `sim.worlds.prim`) on tables whose right answer is known.

The tables are built here, not simulated: a world's assumptions are a Latin hypercube over
[0, 1] (scipy, seeded), and each variant's metric is a known function of them plus seeded noise.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from sim.worlds.prim import find_boxes
from sim.worlds.robust import (
    describe_box,
    describe_reversal,
    describe_variant,
    drivers,
    reversal,
    robust_summary,
    world_differences,
)

KEYS = ("a", "b", "c", "d")
FLIP = 0.3
"""The value of `a` below which the variant of `_flipping` loses."""


def _worlds(n: int, seed: int, keys: tuple[str, ...] = KEYS) -> pd.DataFrame:
    """Return n worlds of a Latin hypercube over [0, 1] for each key."""
    u = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(seed)).random(n)
    return pd.DataFrame(u, columns=list(keys), index=pd.RangeIndex(n, name="world"))


def _runs(worlds: pd.DataFrame, effect, seed: int, reps: int = 4, noise: float = 0.005) -> pd.DataFrame:
    """Return paired runs: a baseline share with shared luck, and a variant `effect(world)` above it.

    The baseline's replication noise (sd 0.05) is shared by both variants, as common random
    numbers make it; the variant adds its own small noise (sd `noise`).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for world, values in worlds.iterrows():
        for r in range(reps):
            base = 0.6 + 0.05 * rng.normal()
            rows.append(("baseline", world, r, base, 50.0, 1000.0))
            rows.append(("variant", world, r, base + effect(values) + noise * rng.normal(), 40.0, 900.0))
    return pd.DataFrame(
        rows, columns=["variant", "world", "replication", "final_paid_share", "days_to_80", "staff_hours"]
    )


def _flipping(seed: int = 3, n: int = 32) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Worlds and runs where the variant wins by 0.2 * (a - 0.3): it loses where a < 0.3."""
    worlds = _worlds(n, seed)
    return _runs(worlds, lambda w: 0.2 * (w["a"] - FLIP), seed), worlds


def _summary(runs: pd.DataFrame, metric: str = "final_paid_share") -> dict:
    return robust_summary(runs, "baseline", horizon_days=60)["variant"][metric]


# -- a difference that changes sign with one assumption --------------------------------------


def test_a_flipping_difference_is_better_in_some_worlds_only():
    runs, worlds = _flipping()
    entry = _summary(runs)
    losing = int((worlds["a"] < FLIP).sum())
    assert 0 < entry["share_better"] < 1
    # The variant's own noise (sd 0.005 / 2 over 4 replications) can flip only worlds within
    # about 0.04 of a = 0.3; this seed has none there, so the count is exact.
    assert entry["share_better"] == (32 - losing) / 32
    assert entry["worlds"] == 32
    assert entry["p05"] < 0 < entry["p95"]


def test_the_flipping_assumption_is_ranked_first():
    runs, worlds = _flipping()
    ranked = drivers(runs, worlds, "baseline", "variant")
    assert ranked[0]["key"] == "a"
    top = ranked[0]
    assert top["coefficient"] > 0 and top["ci_low"] > 0.5
    assert [row["importance"] for row in ranked] == sorted(
        (row["importance"] for row in ranked), reverse=True
    )
    assert {row["key"] for row in ranked} == set(KEYS)


@pytest.mark.parametrize("seed", range(5))
def test_the_reversal_box_holds_the_worlds_where_the_sign_flips(seed):
    runs, worlds = _flipping(seed)
    boxes = reversal(runs, worlds, "baseline", "variant")
    assert boxes, "some worlds reverse: a box is expected"
    box = boxes[0]
    low, high = box["limits"]["a"]
    assert low is None and FLIP - 0.05 < high < FLIP + 0.05
    # Thresholds: PRIM on 32 worlds peels 1-2 worlds a step, so a box may stop one world
    # short or long of the boundary; 0.8 leaves room for that, and none of 5 seeds needs it.
    assert box["coverage"] >= 0.8 and box["density"] >= 0.8
    inside = _inside(worlds, box["limits"])
    assert inside[worlds["a"] < FLIP - 0.05].all()
    assert not inside[worlds["a"] > FLIP + 0.05].any()
    assert box["reversed_total"] == int((worlds["a"] < FLIP).sum())


def test_a_reversal_in_a_corner_of_two_assumptions_is_boxed_on_both():
    worlds = _worlds(64, 11)

    def effect(w):
        return -0.05 if w["a"] < 0.4 and w["b"] > 0.5 else 0.05 + 0.02 * w["c"]

    boxes = reversal(_runs(worlds, effect, 11), worlds, "baseline", "variant")
    box = boxes[0]
    # Only the two assumptions that matter, on the sides that matter: a limit that lets no
    # world in when dropped (a lower limit on a, here) is dropped.
    assert set(box["limits"]) == {"a", "b"}
    assert box["limits"]["a"][0] is None and box["limits"]["a"][1] == pytest.approx(0.4, abs=0.05)
    assert box["limits"]["b"][1] is None and box["limits"]["b"][0] == pytest.approx(0.5, abs=0.05)
    assert box["coverage"] >= 0.8 and box["density"] >= 0.8


def _inside(worlds: pd.DataFrame, limits: dict) -> pd.Series:
    inside = pd.Series(True, index=worlds.index)
    for key, (low, high) in limits.items():
        inside &= worlds[key] >= (-np.inf if low is None else low)
        inside &= worlds[key] <= (np.inf if high is None else high)
    return inside


# -- a uniform win, a uniform loss, ties ------------------------------------------------------


def test_a_uniform_win_has_share_better_one_and_no_reversal():
    worlds = _worlds(32, 5)
    runs = _runs(worlds, lambda w: 0.02 + 0.05 * w["b"], 5)
    assert _summary(runs)["share_better"] == 1.0
    assert reversal(runs, worlds, "baseline", "variant") is None
    assert describe_reversal(None, "the playbook", 1.0) == ["the playbook is better in every world"]


def test_a_uniform_loss_has_no_reversal_box_either():
    worlds = _worlds(16, 6)
    runs = _runs(worlds, lambda w: -0.02 - 0.05 * w["b"], 6)
    assert _summary(runs)["share_better"] == 0.0
    assert reversal(runs, worlds, "baseline", "variant") is None
    assert describe_reversal(None, "the playbook", 0.0) == ["the playbook is better in no world"]


def test_a_tie_is_not_better():
    worlds = _worlds(8, 2)
    runs = _runs(worlds, lambda w: 0.0, 2, noise=0.0)
    entry = _summary(runs)
    assert entry["share_better"] == 0.0 and entry["median"] == 0.0
    assert _summary(runs, "days_to_80")["share_better"] == 1.0
    assert _summary(runs, "staff_hours")["share_better"] == 1.0


def test_reversals_with_no_region_give_an_empty_list():
    worlds = pd.DataFrame({"a": [0.5] * 6}, index=pd.RangeIndex(6, name="world"))
    runs = _runs(worlds, lambda w: 0.0, 1, reps=1, noise=0.01)
    boxes = reversal(runs, worlds, "baseline", "variant")
    assert boxes == []
    assert describe_reversal(boxes, "staged", 0.5) == [
        "the worlds where staged is no better share no region of the assumptions"
    ]


# -- the summary's numbers --------------------------------------------------------------------


def _table(variant_values, baseline_values, metric="final_paid_share"):
    """Return a runs table with one world per value (one replication), other metrics zero."""
    rows = []
    for world, (v, b) in enumerate(zip(variant_values, baseline_values, strict=True)):
        rows.append({"world": world, "variant": "baseline", "replication": 0, metric: b})
        rows.append({"world": world, "variant": "variant", "replication": 0, metric: v})
    table = pd.DataFrame(rows)
    for other in ("final_paid_share", "days_to_80", "staff_hours"):
        if other not in table:
            table[other] = 0.0
    return table


def test_percentiles_are_numpys_linear_ones():
    runs = _table(np.arange(20) / 100, np.zeros(20))
    entry = _summary(runs)
    # Linear interpolation (Hyndman & Fan type 7) on 0, 0.01, ..., 0.19.
    assert entry["p05"] == pytest.approx(0.0095, abs=1e-12)
    assert entry["median"] == pytest.approx(0.095, abs=1e-12)
    assert entry["p95"] == pytest.approx(0.1805, abs=1e-12)
    assert entry["share_better"] == 19 / 20


def test_replications_are_paired_within_their_world_then_averaged():
    rows = [
        ("baseline", 0, 0, 0.5), ("baseline", 0, 1, 0.7), ("variant", 0, 0, 0.6), ("variant", 0, 1, 0.6),
        ("baseline", 1, 0, 0.4), ("baseline", 1, 1, 0.4), ("variant", 1, 1, 0.5), ("variant", 1, 0, 0.3),
    ]  # fmt: skip
    runs = pd.DataFrame(rows, columns=["variant", "world", "replication", "final_paid_share"])
    diffs = world_differences(runs, "baseline", "variant", "final_paid_share")
    assert diffs.to_dict() == pytest.approx({0: 0.0, 1: 0.0})


def test_days_to_80_not_reached_counts_as_the_horizon_and_is_counted():
    nan = float("nan")
    rows = [
        ("baseline", 0, 0, nan), ("baseline", 0, 1, 50.0), ("variant", 0, 0, 40.0), ("variant", 0, 1, 30.0),
        ("baseline", 1, 0, 70.0), ("baseline", 1, 1, 20.0), ("variant", 1, 0, nan), ("variant", 1, 1, 25.0),
    ]  # fmt: skip
    runs = pd.DataFrame(rows, columns=["variant", "world", "replication", "days_to_80"])
    entry = robust_summary(runs, "baseline", ("days_to_80",), horizon_days=60)["variant"]["days_to_80"]
    # World 0: (40 - 60 + 30 - 50) / 2 = -20; world 1: the 70 is past the horizon, so 60 - 60 and
    # 25 - 20 give +2.5.  Three replications of eight are censored: one variant, two baseline.
    assert entry["median"] == pytest.approx((-20 + 2.5) / 2)
    assert entry["share_better"] == 0.5
    assert entry["censored"] == {"variant": 1, "baseline": 2, "replications": 4, "horizon_days": 60.0}
    assert "lower bound" in entry["note"]
    assert "3 runs never reached 80% (counted as day 60)" in describe_variant(entry, "days_to_80")
    with pytest.raises(ValueError, match="horizon_days"):
        world_differences(runs, "baseline", "variant", "days_to_80")


def test_a_missing_pair_is_refused():
    runs = _table([0.5, 0.6], [0.4, 0.4]).iloc[:-1]
    with pytest.raises(ValueError, match="world 1 replication 0 has no run"):
        _summary(runs)
    with pytest.raises(ValueError, match="unknown metric"):
        world_differences(runs, "baseline", "variant", "calls")


def test_every_variant_but_the_first_is_summarised_in_order():
    runs = _table([0.5], [0.4])
    third = runs[runs["variant"] == "variant"].assign(variant="third")
    both = pd.concat([third, runs], ignore_index=True)
    summary = robust_summary(both, "baseline", horizon_days=60)
    assert list(summary) == ["third", "variant"]
    assert list(summary["third"]) == ["final_paid_share", "days_to_80", "staff_hours"]


# -- drivers: intervals, ties, determinism ----------------------------------------------------

WEIGHTS = {"a": 1.0, "b": 0.5, "c": 0.0, "d": 0.25}


def _linear(n: int, seed: int, latin: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Worlds and one-replication runs whose difference is sum(WEIGHTS * world) + N(0, 0.2)."""
    rng = np.random.default_rng(seed)
    sampler = qmc.LatinHypercube(d=len(WEIGHTS), seed=rng)
    u = sampler.random(n) if latin else rng.random((n, len(WEIGHTS)))
    worlds = pd.DataFrame(u, columns=list(WEIGHTS), index=pd.RangeIndex(n, name="world"))
    difference = u @ np.array(list(WEIGHTS.values())) + rng.normal(0, 0.2, n)
    runs = _table(difference, np.zeros(n))
    return runs, worlds


@pytest.mark.parametrize("method", ["prcc", "spearman"])
def test_drivers_intervals_cover_the_true_coefficient(method):
    # The truth: the coefficient of 100,000 independent worlds (its sampling error, about
    # 0.003, is small beside the intervals' half-widths of 0.2 to 0.4).
    runs, worlds = _linear(100_000, 0, latin=False)
    truth = {
        row["key"]: row["coefficient"] for row in drivers(runs, worlds, "baseline", "variant", method=method)
    }
    assert truth["a"] > truth["b"] > truth["d"] > abs(truth["c"])
    covered = dict.fromkeys(WEIGHTS, 0)
    samples = 200
    for seed in range(1, samples + 1):
        runs, worlds = _linear(32, seed)
        for row in drivers(runs, worlds, "baseline", "variant", method=method):
            covered[row["key"]] += row["ci_low"] <= truth[row["key"]] <= row["ci_high"]
    # Nominal 95%: with 200 samples a true coverage of 95% gives at least 90% with
    # probability > 0.999 (binomial sd 1.5 points); Fisher's z is approximate for ranks,
    # and a Latin hypercube makes the intervals a little conservative, not narrower.
    assert all(count / samples >= 0.90 for count in covered.values()), covered


def test_auto_takes_prcc_with_enough_worlds_and_spearman_without():
    runs, worlds = _linear(32, 1)
    assert {row["method"] for row in drivers(runs, worlds, "baseline", "variant")} == {"prcc"}
    runs, worlds = _linear(12, 1)
    assert {row["method"] for row in drivers(runs, worlds, "baseline", "variant")} == {"spearman"}


def test_drivers_break_ties_by_key_and_give_constant_assumptions_no_interval():
    runs, worlds = _linear(20, 4)
    worlds = worlds.assign(z_copy=worlds["a"], a_pinned=0.3)
    ranked = drivers(runs, worlds, "baseline", "variant", method="spearman")
    keys = [row["key"] for row in ranked]
    assert keys.index("a") + 1 == keys.index("z_copy")
    assert ranked[-1] == {"key": "a_pinned", "importance": 0.0, "coefficient": 0.0, "ci_low": None,
                          "ci_high": None, "stands_out": False, "method": "spearman"}  # fmt: skip


def test_among_many_noise_assumptions_none_stands_out_but_a_strong_one_does():
    # 8 worlds, 176 assumptions of pure noise: by chance some |rho| near 0.9 (the 95% interval of
    # one of them excludes 0 about 9 times in 176), but at the family level (Bonferroni) none should.
    rng = np.random.default_rng(3)
    n, p = 8, 176
    u = qmc.LatinHypercube(d=p, seed=rng).random(n)
    worlds = pd.DataFrame(u, columns=[f"k{j:03d}" for j in range(p)], index=pd.RangeIndex(n, name="world"))
    noise = _table(rng.normal(0, 1, n), np.zeros(n))
    ranked = drivers(noise, worlds, "baseline", "variant")
    assert not any(row["stands_out"] for row in ranked)
    assert sum(row["ci_low"] > 0 or row["ci_high"] < 0 for row in ranked) >= 1  # chance, unadjusted
    # 64 worlds where the difference is one assumption plus small noise: that one stands out.
    u = qmc.LatinHypercube(d=p, seed=rng).random(64)
    worlds = pd.DataFrame(u, columns=[f"k{j:03d}" for j in range(p)], index=pd.RangeIndex(64, name="world"))
    strong = _table(u[:, 5] + rng.normal(0, 0.05, 64), np.zeros(64))
    ranked = drivers(strong, worlds, "baseline", "variant")
    assert ranked[0]["key"] == "k005" and ranked[0]["stands_out"]
    assert sum(row["stands_out"] for row in ranked) <= 2


def test_answers_do_not_depend_on_the_order_of_rows_or_repeat_calls():
    runs, worlds = _flipping(2)
    shuffled = runs.sample(frac=1.0, random_state=0)
    first_call = (
        robust_summary(runs, "baseline", horizon_days=60),
        drivers(runs, worlds, "baseline", "variant"),
        reversal(runs, worlds, "baseline", "variant"),
    )
    again = (
        robust_summary(shuffled, "baseline", horizon_days=60),
        drivers(shuffled, worlds.iloc[::-1], "baseline", "variant"),
        reversal(shuffled, worlds, "baseline", "variant"),
    )
    assert first_call == again


# -- PRIM on its own --------------------------------------------------------------------------


def test_prim_finds_an_interval_in_one_dimension():
    x = np.arange(40, dtype=float).reshape(-1, 1)
    y = (x[:, 0] >= 10) & (x[:, 0] < 20)
    (box,) = find_boxes(x, y)
    assert box.lower[0] == pytest.approx(10, abs=0.5) and box.upper[0] == pytest.approx(19, abs=0.5)
    assert box.count == 10 and box.hits == 10


def test_prim_covers_two_separate_regions_with_two_boxes():
    x = np.arange(60, dtype=float).reshape(-1, 1)
    y = (x[:, 0] < 8) | (x[:, 0] >= 50)
    boxes = find_boxes(x, y)
    assert len(boxes) == 2
    assert sum(box.hits for box in boxes) == 18 and all(box.density == 1.0 for box in boxes)
    assert not (boxes[0].inside & boxes[1].inside).any()


# -- plain words ------------------------------------------------------------------------------


def test_describe_variant_says_worlds_and_range_in_points_days_and_hours():
    entry = {"median": 0.05, "p05": 0.012, "p95": 0.098, "share_better": 29 / 32, "worlds": 32}
    assert describe_variant(entry, "final_paid_share") == (
        "better in 29 of 32 worlds; by +1.2 to +9.8 points (5th to 95th percentile)"
    )
    entry = {"median": -3.0, "p05": -5.25, "p95": -0.5, "share_better": 1.0, "worlds": 8}
    assert describe_variant(entry, "days_to_80").startswith("better in 8 of 8 worlds; by -5.2 to -0.5 days")
    entry = {"median": 120.0, "p05": 1200.0, "p95": 1200.0, "share_better": 0.0, "worlds": 1}
    assert describe_variant(entry, "staff_hours") == "better in 0 of 1 world; by +1,200 hours"
    entry = {"median": 0.0, "p05": -0.0001, "p95": 0.0001, "share_better": 0.5, "worlds": 2}
    assert describe_variant(entry, "final_paid_share") == "better in 1 of 2 worlds; by +0.0 points"


def test_describe_box_names_the_limits_and_counts():
    box = {
        "limits": {"owners.segments.undecided.q": [None, 0.0312], "service.withdrawn_factor": [0.4, None]},
        "coverage": 9 / 11, "density": 0.9, "worlds": 10, "reversed": 9, "reversed_total": 11,
    }  # fmt: skip
    assert describe_box(box, "the playbook") == (
        "the playbook is no better where owners.segments.undecided.q is below 0.0312 and"
        " service.withdrawn_factor is above 0.4 (covers 9 of 11 such worlds; 9 of 10 worlds inside reverse)"
    )
    box["limits"] = {"team.collectors": [2.0, 5.5]}
    assert "team.collectors is between 2 and 5.5" in describe_box(box)


def test_the_flipping_case_reads_end_to_end():
    runs, worlds = _flipping()
    entry = _summary(runs)
    (line,) = describe_reversal(
        reversal(runs, worlds, "baseline", "variant"), "the variant", entry["share_better"]
    )
    assert line.startswith("the variant is no better where a is below 0.")
    assert len(describe_variant(entry, "final_paid_share")) <= 80


# -- shapes the runner may hand over ----------------------------------------------------------


def test_one_world_gives_a_summary_without_intervals_or_boxes():
    worlds = _worlds(1, 8)
    runs = _runs(worlds, lambda w: 0.03, 8)
    entry = _summary(runs)
    assert entry["worlds"] == 1 and entry["share_better"] == 1.0
    assert entry["p05"] == entry["median"] == entry["p95"]
    ranked = drivers(runs, worlds, "baseline", "variant")
    assert all(row["importance"] == 0.0 and row["ci_low"] is None for row in ranked)
    assert reversal(runs, worlds, "baseline", "variant") is None


def test_answers_are_plain_json_and_accept_categorical_variants():
    runs, worlds = _flipping()
    categorical = runs.astype({"variant": "category"})
    answers = {
        "robust": robust_summary(categorical, "baseline", horizon_days=60),
        "drivers": drivers(categorical, worlds, "baseline", "variant"),
        "reversal": reversal(categorical, worlds, "baseline", "variant"),
    }
    assert json.loads(json.dumps(answers, allow_nan=False)) == answers
    assert answers["robust"] == robust_summary(runs, "baseline", horizon_days=60)
