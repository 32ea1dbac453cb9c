"""Same scenario and seed, same result bit for bit; common random numbers across strategies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.campaign import Campaign
from tests.paths import SCENARIOS

SMALL = {"community.households": 300, "community.buildings": 6, "horizon_days": 45}


def small(name: str, **extra: object) -> sim.Scenario:
    return sim.load_scenario(SCENARIOS / name, {**SMALL, **extra})


def test_same_seed_same_output() -> None:
    scenario = small("baseline.yaml")
    a = sim.simulate(scenario, seed=11, log_events=True)
    b = sim.simulate(scenario, seed=11, log_events=True)
    pd.testing.assert_frame_equal(a.daily, b.daily)
    pd.testing.assert_frame_equal(a.owners, b.owners)
    assert a.kpis == b.kpis
    assert a.records == b.records
    assert a.records  # the log is not empty


def test_different_seeds_differ() -> None:
    scenario = small("baseline.yaml")
    a, b = sim.simulate(scenario, seed=1), sim.simulate(scenario, seed=2)
    assert not a.daily["paid_share"].equals(b.daily["paid_share"])


def test_event_log_does_not_change_results() -> None:
    scenario = small("baseline.yaml")
    a, b = sim.simulate(scenario, seed=5), sim.simulate(scenario, seed=5, log_events=True)
    pd.testing.assert_frame_equal(a.daily, b.daily)
    assert a.records is None and b.records is not None


def test_strategies_on_one_seed_meet_the_same_owners() -> None:
    bulk = Campaign(small("baseline.yaml"), seed=3)
    staged = Campaign(small("staged.yaml"), seed=3)
    for name, value in vars(bulk.population).items():
        other = vars(staged.population)[name]
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other, err_msg=name)
        else:
            assert value == other, name
    assert [bulk.draws.uniform(17) for _ in range(40)] == [staged.draws.uniform(17) for _ in range(40)]


def test_adding_households_keeps_existing_owners() -> None:
    few = Campaign(small("baseline.yaml"), seed=3).population
    many = Campaign(small("baseline.yaml", **{"community.households": 600}), seed=3).population
    for name in ("area", "segment", "schedule", "threshold", "mood_level", "payment_clock"):
        np.testing.assert_array_equal(getattr(few, name), getattr(many, name)[: few.size], err_msg=name)


def test_replications_use_child_seeds() -> None:
    scenario = small("baseline.yaml")
    reps = sim.replicate(scenario, 3, seed=9)
    again = sim.replicate(scenario, 3, seed=9)
    for a, b in zip(reps, again, strict=True):
        pd.testing.assert_frame_equal(a.daily, b.daily)
    finals = {r.kpis["final_paid_share"] for r in reps}
    assert len(finals) == 3
    from sim.rng import replication_seeds

    second = sim.simulate(scenario, replication_seeds(9, 3)[1])
    pd.testing.assert_frame_equal(second.daily, reps[1].daily)


def test_replications_on_worker_processes_are_the_same() -> None:
    """`replicate(..., workers=2)`: each replication bit for bit as in one process, in order; progress too."""
    scenario = small("playbook.yaml")
    alone = sim.replicate(scenario, 4, seed=5, log_events=True)
    ticks: list[int] = []
    pooled = sim.replicate(scenario, 4, seed=5, log_events=True, progress=ticks.append, workers=2)
    assert ticks == [1, 2, 3, 4]
    for a, b in zip(alone, pooled, strict=True):
        assert (a.seed, a.kpis, a.records) == (b.seed, b.kpis, b.records)
        pd.testing.assert_frame_equal(a.daily, b.daily)
        pd.testing.assert_frame_equal(a.owners, b.owners)
    with pytest.raises(ValueError, match="workers"):
        sim.replicate(scenario, 2, workers=0)


def test_an_owners_draws_are_the_block_row_then_their_own_generator() -> None:
    """Owner i's k-th draw: row i of the block for k < 16, then owner i's own stream, one double per output.

    The private draws are taken `block` at a time; they must equal the stream
    drawn one by one, whatever the order in which owners draw.
    """
    from sim.rng import OwnerDraws, Streams

    streams = Streams(11)
    draws = OwnerDraws(streams, owners=5, block=4)
    got = {owner: [] for owner in range(5)}
    for k in range(30):
        for owner in (3, 0, 4) if k % 2 else (0, 3):
            got[owner].append(draws.uniform(owner))
    rows = Streams(11).generator("owner.block").random((5, 4))
    for owner in (0, 3, 4):
        own = Streams(11).generator("owner", owner)
        expected = list(rows[owner]) + [float(own.random()) for _ in range(len(got[owner]) - 4)]
        assert got[owner] == expected


@settings(max_examples=200, deadline=None)
@given(
    entropy=st.integers(0, 2**140),
    prefix=st.lists(st.integers(0, 2**70), max_size=4),
    keys=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6),
    pool_size=st.sampled_from([4, 5, 8]),
)
def test_stream_seeds_worked_out_at_once_are_numpys(entropy, prefix, keys, pool_size) -> None:
    """`sim.seeding` must seed each keyed stream exactly as numpy's SeedSequence and PCG64 do."""
    from sim.seeding import pcg64_seeds, pcg64_state

    seeds = pcg64_seeds(entropy, prefix, np.array(keys, dtype=np.uint64), pool_size)
    assert seeds is not None
    for j, key in enumerate(keys):
        sequence = np.random.SeedSequence(entropy, spawn_key=(*prefix, key), pool_size=pool_size)
        assert pcg64_state([int(words[j]) for words in seeds]) == np.random.PCG64(sequence).state


def test_owner_draws_fall_back_to_numpy_for_seeds_the_replica_does_not_take() -> None:
    """An entropy given as an array is not replicated: the draws come from numpy's generator, same values."""
    from sim.rng import OwnerDraws, Streams

    seed = np.random.SeedSequence(np.array([5, 6], dtype=np.uint32))
    draws = OwnerDraws(Streams(seed), owners=3, block=2)
    assert draws._seeds is None
    got = [draws.uniform(1) for _ in range(6)]
    own = Streams(seed).generator("owner", 1)
    assert got[2:] == [float(own.random()) for _ in range(4)]


DRAW_BELOW = st.one_of(
    st.integers(1, 3000),  # community sizes: rejection is rare
    st.integers(1, 2**32 - 1),
    st.sampled_from([1, 2, 2**31 + 1, 3 * 2**30, 2**32 - 1]),  # rejection up to half the time (2**31 + 1)
)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**64),
    steps=st.lists(st.one_of(DRAW_BELOW, st.sampled_from(["random", "exponential", "normal"])), max_size=60),
)
def test_index_draws_are_numpys_integers(seed, steps) -> None:
    """`IndexDraws.below(n)` must give `int(integers(n))`, also among the stream's 64-bit draws."""
    from sim.rng import IndexDraws

    numpys, ours = np.random.default_rng(seed), np.random.default_rng(seed)
    draws = IndexDraws(ours)
    for step in steps:
        if isinstance(step, int):
            assert draws.below(step) == int(numpys.integers(step))
        else:
            assert getattr(ours, step)() == getattr(numpys, step)()


def test_index_draws_refuse_what_they_cannot_mimic() -> None:
    """Other bit generators, a 32-bit word already kept by numpy, n outside [1, 2**32): refused."""
    from sim.rng import IndexDraws

    with pytest.raises(TypeError, match="PCG64"):
        IndexDraws(np.random.Generator(np.random.MT19937(1)))
    kept = np.random.default_rng(1)
    kept.integers(10)  # numpy now keeps the high half of its first output
    with pytest.raises(ValueError, match="32-bit word"):
        IndexDraws(kept)
    draws = IndexDraws(np.random.default_rng(1))
    for n in (0, -3, 2**32):
        with pytest.raises(ValueError, match="1 <= n < 2"):
            draws.below(n)
