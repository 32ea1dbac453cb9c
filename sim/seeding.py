"""PCG64 states of many keyed streams at once, exactly as numpy would seed them.

`Streams.generator(name, key)` seeds a generator through numpy's
`SeedSequence(entropy, spawn_key=(..., key))` and `PCG64`: about 36 us per
stream, most of it argument handling around a few dozen integer operations.
Owners who need draws past their block (`OwnerDraws`) each need such a
stream; in a baseline run of 2,000 households that is 900 owners, 5% of the
run time.  Here the hashing of `SeedSequence` (numpy's `mix_entropy` and
`generate_state`, 32-bit arithmetic) runs once for what all the streams
share and then for every key at once with numpy arrays, and the PCG64
seeding step (`pcg64_set_seed`) with Python integers: the same states,
bit for bit (`tests/test_reproducibility.py` compares them with numpy's own
generators), for about 3 us a stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MASK32 = 0xFFFFFFFF
MASK128 = (1 << 128) - 1
# numpy.random.bit_generator's SeedSequence constants
INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
XSHIFT = 16
PCG64_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645  # PCG_DEFAULT_MULTIPLIER_128


def uint32_words(value: int | Sequence[int]) -> list[int] | None:
    """Return numpy's 32-bit words of a non-negative integer or a sequence of them (None if neither)."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 0:
        value, words = int(value), []
        while value > 0:
            words.append(value & MASK32)
            value >>= 32
        return words or [0]
    if isinstance(value, list | tuple):
        words = []
        for item in value:
            part = uint32_words(item)
            if part is None:
                return None
            words += part
        return words
    return None


def _hashmix(value, before: int, after: int):
    """SeedSequence's hashmix, for a Python int or a uint64 array of 32-bit values."""
    value = ((value ^ before) * after) & MASK32
    return value ^ (value >> XSHIFT)


def _mix(x, y):
    """SeedSequence's mix, for Python ints or uint64 arrays of 32-bit values."""
    result = ((MIX_MULT_L * x & MASK32) - (MIX_MULT_R * y & MASK32)) & MASK32
    return result ^ (result >> XSHIFT)


def pcg64_seeds(
    entropy: int | Sequence[int], prefix: Sequence[int], keys: np.ndarray, pool_size: int
) -> list[np.ndarray] | None:
    """Return PCG64's four 64-bit seed words of `SeedSequence(entropy, spawn_key=(*prefix, k))` per key k.

    Keys must be below 2**32 (one word each).  Returns None when the entropy
    or the prefix is of a kind this replica does not handle: the caller then
    asks numpy.
    """
    run, spawn = uint32_words(entropy), uint32_words(list(prefix))
    if run is None or spawn is None or len(keys) == 0 or int(keys.max()) > MASK32:
        return None
    run = run + [0] * max(0, pool_size - len(run))  # numpy pads the entropy when there is a spawn key
    shared = run + spawn  # every word before the key's own
    const = INIT_A  # the hash constant, advanced at every hashmix (the same sequence for every stream)

    def hashmix(value):
        nonlocal const
        before, const = const, (const * MULT_A) & MASK32
        return _hashmix(value, before, const)

    mixer = [hashmix(shared[i] if i < len(shared) else 0) for i in range(pool_size)]
    for src in range(pool_size):
        for dst in range(pool_size):
            if src != dst:
                mixer[dst] = _mix(mixer[dst], hashmix(mixer[src]))
    for word in shared[pool_size:]:
        for dst in range(pool_size):
            mixer[dst] = _mix(mixer[dst], hashmix(word))
    key_words = keys.astype(np.uint64)
    pool = [np.full(len(keys), m, dtype=np.uint64) for m in mixer]
    for dst in range(pool_size):
        pool[dst] = _mix(pool[dst], hashmix(key_words))
    return _generate_state(pool)


def _generate_state(pool: list[np.ndarray]) -> list[np.ndarray]:
    """SeedSequence.generate_state(4, uint64) for every stream: four arrays of 64-bit words."""
    const, words = INIT_B, []
    for i in range(8):  # eight 32-bit words, read as four little-endian 64-bit ones
        value = pool[i % len(pool)] ^ np.uint64(const)
        const = (const * MULT_B) & MASK32
        value = (value * np.uint64(const)) & np.uint64(MASK32)
        words.append(value ^ (value >> np.uint64(XSHIFT)))
    return [words[2 * k] | (words[2 * k + 1] << np.uint64(32)) for k in range(4)]


def pcg64_state(seed: Sequence[int]) -> dict:
    """Return the `PCG64.state` that numpy's pcg64_set_seed makes of four 64-bit seed words."""
    initstate = (int(seed[0]) << 64) | int(seed[1])
    increment = (((int(seed[2]) << 64) | int(seed[3])) << 1 | 1) & MASK128
    state = increment  # srandom: state 0, one step, add the initial state, one more step
    state = ((state + initstate) * PCG64_MULTIPLIER + increment) & MASK128
    return {
        "bit_generator": "PCG64",
        "state": {"state": state, "inc": increment},
        "has_uint32": 0,
        "uinteger": 0,
    }
