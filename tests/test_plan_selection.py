"""Procedure KN (sim/plans/selection.py) against its guarantee, on normal outcomes drawn here.

The slippage configuration is the least favourable one of the theory: the best
plan is exactly δ better than each of the others.  KN promises the best is kept
with probability at least 1 − α = 0.95; over 400 independent seeds the rate of
correct selection has a binomial standard error of at most
sqrt(0.95 · 0.05 / 400) = 1.1 pp, so the test asks for at least 92% (below the
promise by more than two standard errors: a true rate of 95% fails it with
probability under 1%).  Measured when this was written: 95.8% with independent
plans, 98.0% with 80% of the variance shared.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.plans.selection import kn_constants, kn_select

SEEDS = 400


def normal_plans(means: np.ndarray, sd: float, shared: float, seed: int):
    """Return a sampler of plans with these means; `shared` of the variance is common to all plans (CRN)."""
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((1000, len(means) + 1))
    common, own = table[:, :1], table[:, 1:]
    outcomes = means + sd * (np.sqrt(shared) * common + np.sqrt(1 - shared) * own)

    def sample(plans, first, last):
        return outcomes[first:last, list(plans)].T

    return sample


def test_the_constants_are_those_of_the_paper() -> None:
    # Kim and Nelson (2001): eta = ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1) / 2;
    # here k = 2, n0 = 3, alpha = 0.1.
    eta, h2 = kn_constants(2, 3, 0.9)
    assert eta == pytest.approx(0.5 * (0.2**-1 - 1))
    assert h2 == pytest.approx(2 * eta * 2)


@pytest.mark.parametrize("shared", [0.0, 0.8])
def test_the_best_plan_is_kept_at_least_as_often_as_promised(shared: float) -> None:
    delta = 1.0
    means = np.array([0.0, 0.0, delta, 0.0, 0.0])
    kept = [
        kn_select(normal_plans(means, 3.0, shared, seed), 5, delta=delta, n0=10).best for seed in range(SEEDS)
    ]
    rate = np.mean(np.array(kept) == 2)
    assert rate >= 0.92, rate


def test_common_random_numbers_save_replications() -> None:
    delta = 1.0
    means = np.array([0.0, 0.5, delta, 0.0])
    runs = {
        shared: np.mean(
            [kn_select(normal_plans(means, 3.0, shared, seed), 4, delta=delta).runs for seed in range(50)]
        )
        for shared in (0.0, 0.9)
    }
    # With 90% of the variance shared, the differences have a tenth of the variance: far fewer runs.
    assert runs[0.9] < 0.5 * runs[0.0], runs


def test_batches_change_nothing_but_the_runs_of_dropped_plans() -> None:
    means = np.array([0.0, 0.3, 0.8, 1.0, 0.9])
    for seed in range(20):
        one = kn_select(normal_plans(means, 2.0, 0.5, seed), 5, delta=0.5)
        batched = kn_select(normal_plans(means, 2.0, 0.5, seed), 5, delta=0.5, batch=7)
        assert batched.best == one.best
        assert np.array_equal(batched.dropped_at, one.dropped_at)
        assert np.all(batched.replications >= one.replications)


def test_minimising_picks_the_smallest() -> None:
    means = np.array([5.0, 3.0, 4.0])
    chosen = kn_select(normal_plans(means, 1.0, 0.5, 1), 3, delta=0.5, maximise=False)
    assert chosen.best == 1 and not chosen.capped
    assert chosen.outcomes[1].mean() == pytest.approx(3.0, abs=0.5)


def test_a_cap_on_replications_keeps_the_best_mean_and_says_so() -> None:
    means = np.array([0.0, 0.0, 0.01])
    chosen = kn_select(normal_plans(means, 1.0, 0.0, 3), 3, delta=0.01, max_replications=40)
    assert chosen.capped and chosen.replications.max() == 40
    left = [i for i in range(3) if chosen.dropped_at[i] < 0]
    assert chosen.best == max(left, key=lambda i: chosen.outcomes[i].mean())


def test_one_plan_needs_only_the_first_stage() -> None:
    chosen = kn_select(normal_plans(np.array([1.0]), 1.0, 0.0, 0), 1, delta=0.1, n0=5)
    assert chosen.best == 0 and chosen.runs == 5


def test_guarding_more_plans_widens_the_continuation_region() -> None:
    means = np.array([0.0, 0.5, 1.0])
    alone = kn_select(normal_plans(means, 1.0, 0.0, 4), 3, delta=0.5)
    guarded = kn_select(normal_plans(means, 1.0, 0.0, 4), 3, delta=0.5, guarded=50)
    assert guarded.h2 == pytest.approx(kn_constants(50, 10, 0.95)[1]) and guarded.h2 > alone.h2
    with pytest.raises(ValueError, match="guards at least"):
        kn_select(normal_plans(means, 1.0, 0.0, 4), 3, delta=0.5, guarded=2)


@pytest.mark.slow  # 400 seeds of screening and KN on 20 plans: about 18 s each
@pytest.mark.parametrize("shared", [0.0, 0.8])
def test_screening_then_kn_on_the_same_first_stage_keeps_the_best_as_often_as_promised(shared: float) -> None:
    # The search's steps 2 and 3 (sim/plans/search.py): screen 20 plans on 5 replications
    # at error 0.45 alpha, then KN on the survivors from those same replications (first
    # stage 10) at 0.45 alpha with h² sized for all 20.  Slippage configuration, 400
    # seeds: the promise for these two steps is 1 - 0.9 alpha = 95.5%; the test asks for
    # 92% as above (a true rate of 95.5% fails it with probability well under 1%).
    # Measured when this was written: 96.5% with independent plans, 96.25% with 80% shared.
    from sim.plans.screen import screen_to_best

    delta, k = 0.5, 20
    means = np.zeros(k)
    means[7] = delta
    correct = 0
    for seed in range(SEEDS):
        sample = normal_plans(means, 2.0, shared, seed)
        kept = np.flatnonzero(screen_to_best(sample(range(k), 0, 5), delta, 0.45 * 0.05))

        def survivors(rows, first, last, kept=kept, sample=sample):
            return sample([kept[i] for i in rows], first, last)

        chosen = kn_select(survivors, len(kept), delta=delta, confidence=1 - 0.45 * 0.05, guarded=k)
        correct += int(kept[chosen.best] == 7)
    assert correct / SEEDS >= 0.92, f"correct selection in {correct} of {SEEDS} seeds"
