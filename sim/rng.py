"""Named random streams spawned from one `SeedSequence` per run.

A stream is addressed by a name and optional integer keys (an owner index, a
collector index).  Its seed depends only on the run's seed, the name and the
keys, never on the order in which streams are created, so two strategies run
on the same seed meet the same owners with the same personal randomness
(common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

SeedLike = int | np.random.SeedSequence


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Return `seed` as a SeedSequence (integers become its entropy)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.SeedSequence(int(seed))


def replication_seeds(seed: SeedLike, reps: int) -> list[np.random.SeedSequence]:
    """Return the seeds of replications 0..reps-1 of a run seeded with `seed`.

    Replication r's seed is the r-th child of `seed`, whatever ran it.
    """
    root = as_seed_sequence(seed)
    return [
        np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, r), pool_size=root.pool_size)
        for r in range(reps)
    ]


def stream_key(name: str) -> int:
    """Return the stable integer key of a stream name."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of named, independent generators for one run."""

    def __init__(self, seed: SeedLike) -> None:
        self.root = as_seed_sequence(seed)

    def seed_sequence(self, name: str, *keys: int) -> np.random.SeedSequence:
        """Return the SeedSequence of stream `name` with `keys`."""
        spawn_key = (*self.root.spawn_key, stream_key(name), *keys)
        return np.random.SeedSequence(self.root.entropy, spawn_key=spawn_key, pool_size=self.root.pool_size)

    def generator(self, name: str, *keys: int) -> np.random.Generator:
        """Return a fresh generator for stream `name` with `keys`."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(name, *keys)))
