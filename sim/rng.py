"""Named random streams spawned from one `SeedSequence` per run.

A stream is addressed by a name and optional integer keys (an owner index, a
collector index).  Its seed depends only on the run's seed, the name and the
keys, never on the order in which streams are created, so two strategies run
on the same seed meet the same owners with the same personal randomness
(common random numbers).
"""

from __future__ import annotations

import math
import zlib
from array import array

import numpy as np

from sim.seeding import MASK32, pcg64_seeds, pcg64_state

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
    return [replication_seed(seed, r) for r in range(reps)]


def replication_seed(seed: SeedLike, replication: int) -> np.random.SeedSequence:
    """Return the seed of replication `replication` of a run seeded with `seed` (its r-th child)."""
    root = as_seed_sequence(seed)
    spawn_key = (*root.spawn_key, replication)
    return np.random.SeedSequence(root.entropy, spawn_key=spawn_key, pool_size=root.pool_size)


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


class OwnerDraws:
    """Each owner's own stream of uniform draws, keyed by the owner.

    Owner i's k-th draw depends only on the run's seed, i and k: the first
    `block` draws are row i of one vectorised block (so the same for any
    community size), later ones come from the owner's private generator.
    Two strategies on one seed therefore give an owner the same luck.
    """

    def __init__(self, streams: Streams, owners: int, block: int = 16) -> None:
        self.streams = streams
        self.block = block
        rows = streams.generator("owner.block").random((owners, block))
        self._rows = array("d", rows.tobytes())  # row-major: owner i's k-th draw at i * block + k
        self._used = [0] * owners
        # per owner past the block: [the private generator's next draws, how many are used, its state]
        self._private: dict[int, list] = {}
        # the private generators' seeds, worked out for every owner at once (see `sim.seeding`);
        # one generator draws for all of them, each owner's state set in and read back
        root = streams.root
        prefix = (*root.spawn_key, stream_key("owner"))
        self._seeds = pcg64_seeds(root.entropy, prefix, np.arange(owners), root.pool_size)
        self._drawer = np.random.Generator(np.random.PCG64(0))

    def uniform(self, owner: int) -> float:
        """Return the owner's next uniform draw in [0, 1)."""
        k = self._used[owner]
        self._used[owner] = k + 1
        if k < self.block:
            return self._rows[owner * self.block + k]
        return self._private_draw(owner)

    def _private_draw(self, owner: int) -> float:
        """Return the owner's next draw past the block, from their own generator.

        The generator gives its values a block at a time: the same values as
        one by one (a double per 64-bit output either way).
        """
        private = self._private.get(owner)
        if private is None:
            private = self._private[owner] = [[], 0, self._first_state(owner)]
        values, used, state = private
        if used == len(values):
            bits = self._drawer.bit_generator
            bits.state = state
            values = private[0] = self._drawer.random(max(self.block, 1)).tolist()
            private[2] = bits.state
            used = 0
        private[1] = used + 1
        return values[used]

    def _first_state(self, owner: int) -> dict:
        """Return the state of the owner's private generator (`Streams.generator("owner", owner)`) as new."""
        if self._seeds is None:  # a seed this replica does not handle: numpy's own, the slow way
            return self.streams.generator("owner", owner).bit_generator.state
        return pcg64_state([int(words[owner]) for words in self._seeds])

    def between(self, owner: int, low: float, high: float) -> float:
        """Return the owner's next draw, uniform in [low, high)."""
        return low + (high - low) * self.uniform(owner)

    def exponential(self, owner: int, mean: float) -> float:
        """Return the owner's next draw, exponential with the given mean."""
        return -mean * math.log1p(-self.uniform(owner))


class IndexDraws:
    """`Generator.integers(n)` of one stream, the same values for a fraction of the work.

    For n below 2**32 numpy draws with Lemire's method on 32-bit words, and
    PCG64 serves those as the two halves of one 64-bit output, low half
    first, the high half kept for the next word.  numpy's scalar call spends
    most of its 9,000 or so instructions on argument handling; here the same
    arithmetic runs on the bit generator's raw outputs.  The kept half lives
    here, not in numpy's bit generator, so the stream's other draws must use
    whole 64-bit outputs (doubles: `random`, `exponential`, `normal`), never
    32-bit words (numpy's own integers, float32 draws, shuffles), which would
    read numpy's kept half instead of this one.  `tests/test_reproducibility.py`
    checks the values against numpy's.
    """

    __slots__ = ("_kept", "_raw")

    def __init__(self, generator: np.random.Generator) -> None:
        bits = generator.bit_generator
        if not isinstance(bits, np.random.PCG64):
            raise TypeError(f"IndexDraws needs a PCG64 generator, got {type(bits).__name__}")
        if bits.state["has_uint32"]:
            raise ValueError("IndexDraws needs a generator that keeps no 32-bit word of its own")
        self._raw = bits.random_raw
        self._kept = -1  # the high half of the last raw output, not used yet (-1: none)

    def below(self, n: int) -> int:
        """Return an integer uniform in [0, n), as `int(generator.integers(n))` (1 <= n < 2**32)."""
        if not 1 <= n <= MASK32:
            raise ValueError(f"IndexDraws draws below n for 1 <= n < 2**32, got {n}")
        if n == 1:  # numpy returns 0 without a draw
            return 0
        product = self._word() * n
        low = product & MASK32
        if low < n:  # maybe in the biased zone: numpy's rejection step
            threshold = (MASK32 + 1 - n) % n
            while low < threshold:
                product = self._word() * n
                low = product & MASK32
        return product >> 32

    def _word(self) -> int:
        """Return the next 32-bit word, as PCG64's `next_uint32` would."""
        word = self._kept
        if word >= 0:
            self._kept = -1
            return word
        raw = self._raw()
        self._kept = raw >> 32
        return raw & MASK32
