"""PRIM: boxes over the assumptions that hold most of the worlds of interest (scenario discovery).

The Patient Rule Induction Method of Friedman & Fisher (1999), as EMA Workbench uses it for
scenario discovery, in a compact form for a few dozen to a few thousand worlds:

1. **Peel.** Start from the box holding every world.  At each step try, for every assumption,
   cutting off the lowest or the highest `alpha` share of the worlds in the box (the cut is the
   `alpha` or ``1 - alpha`` quantile of the box's values, linear interpolation; when ties at the
   end would leave nothing cut, the whole tied group goes).  Keep the cut that leaves the
   highest density (share of worlds of interest in the box); ties go to the cut leaving more
   worlds, then to one restricting no new assumption (as EMA Workbench prefers), then to the
   assumption first in column order, then to the lower end.  Stop when every
   cut would leave fewer than `min_count` worlds, or the density reaches 1.
2. **Choose** one box on this peeling trajectory: the one with the highest density among those
   holding at least `min_coverage` of the worlds of interest (ties: the larger box).  A box no
   denser than all the worlds together describes nothing, and none is returned.
3. **Paste.** Widen the chosen box again, one limit at a time, by the `alpha` share of its
   worlds nearest to that limit, while the density does not fall and more worlds of interest
   come in (the widening that leaves the highest density first).
4. **Cover.** Take the box's worlds out and search the rest for another box (at most
   `max_boxes`), while at least `min_count` worlds of interest are left.

A limit whose removal lets no world of the data searched into the box is dropped (the box
is unrestricted on that side).  Everything is deterministic: no random draw is made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Box", "find_boxes"]


@dataclass(frozen=True)
class Box:
    """A box over the assumptions: ``lower[j] <= x[:, j] <= upper[j]``, infinite where unrestricted.

    `inside` marks the worlds of the data it was found on (the worlds not in an earlier box)
    that lie in it; `hits` counts the worlds of interest among them.
    """

    lower: np.ndarray
    upper: np.ndarray
    inside: np.ndarray
    hits: int

    @property
    def count(self) -> int:
        """Return the number of worlds in the box."""
        return int(self.inside.sum())

    @property
    def restricted(self) -> int:
        """Return the number of assumptions the box restricts."""
        return int(np.sum(np.isfinite(self.lower) | np.isfinite(self.upper)))

    @property
    def density(self) -> float:
        """Return the share of the box's worlds that are of interest."""
        return self.hits / self.count


def find_boxes(
    x: np.ndarray,
    y: np.ndarray,
    *,
    alpha: float = 0.05,
    min_count: int = 2,
    min_coverage: float = 0.5,
    max_boxes: int = 3,
) -> list[Box]:
    """Return PRIM boxes (peeling, choice, pasting, covering) over the worlds where `y` is true.

    `x` holds one row per world and one column per assumption; `y` is a boolean per world.
    Each box's `inside` is a mask over all the worlds (False for worlds in earlier boxes).
    """
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must lie in (0, 0.5), got {alpha}")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=bool)
    remaining = np.ones(len(y), dtype=bool)
    boxes: list[Box] = []
    while len(boxes) < max_boxes and y[remaining].sum() >= min_count:
        box = _one_box(x, y, remaining, alpha, min_count, min_coverage)
        if box is None:
            break
        boxes.append(box)
        remaining &= ~box.inside
    return boxes


def _one_box(
    x: np.ndarray, y: np.ndarray, within: np.ndarray, alpha: float, min_count: int, min_coverage: float
) -> Box | None:
    """Return the pasted box chosen on the peeling trajectory over the worlds `within`, or None."""
    start = _box(np.full(x.shape[1], -np.inf), np.full(x.shape[1], np.inf), x, y, within)
    trajectory = _peel(start, x, y, within, alpha, min_count)
    chosen = _choose(trajectory, start.hits, min_coverage)
    if chosen is None or chosen.density <= start.density:
        return None
    return _unrestrict(_paste(chosen, x, y, within, alpha), x, within, y)


def _box(lower: np.ndarray, upper: np.ndarray, x: np.ndarray, y: np.ndarray, within: np.ndarray) -> Box:
    """Return the box with these limits over the worlds `within`."""
    inside = within & np.all((x >= lower) & (x <= upper), axis=1)
    return Box(lower, upper, inside, int(y[inside].sum()))


def _peel(
    start: Box, x: np.ndarray, y: np.ndarray, within: np.ndarray, alpha: float, min_count: int
) -> list[Box]:
    """Return the peeling trajectory from `start`: each step's box, `start` first."""
    trajectory = [start]
    while trajectory[-1].density < 1:
        cuts = [box for box in _peels(trajectory[-1], x, y, within, alpha) if box.count >= min_count]
        if not cuts:
            break
        trajectory.append(max(cuts, key=lambda box: (box.density, box.count, -box.restricted)))
    return trajectory


def _peels(box: Box, x: np.ndarray, y: np.ndarray, within: np.ndarray, alpha: float) -> list[Box]:
    """Return every one-step peel of `box` that removes worlds, lower then upper end per column."""
    out: list[Box] = []
    for j in range(x.shape[1]):
        values = x[box.inside, j]
        if values.min() == values.max():
            continue
        lower, upper = box.lower.copy(), box.upper.copy()
        lower[j] = _cut(values, alpha)
        upper[j] = -_cut(-values, alpha)
        out.append(_box(lower, box.upper, x, y, within & box.inside))
        out.append(_box(box.lower, upper, x, y, within & box.inside))
    return out


def _cut(values: np.ndarray, alpha: float) -> float:
    """Return a new lower limit cutting off about the lowest `alpha` share of `values` (at least one)."""
    low = float(values.min())
    cut = float(np.quantile(values, alpha, method="linear"))
    return cut if cut > low else float(values[values > low].min())


def _choose(trajectory: list[Box], hits: int, min_coverage: float) -> Box | None:
    """Return the densest box holding at least `min_coverage` of the `hits` (ties: the larger)."""
    eligible = [box for box in trajectory if box.hits >= min_coverage * hits]
    return max(eligible, key=lambda box: (box.density, box.count), default=None)


def _paste(box: Box, x: np.ndarray, y: np.ndarray, within: np.ndarray, alpha: float) -> Box:
    """Widen `box` one limit at a time while the density holds and more worlds of interest come in."""
    while True:
        widened = [
            b for b in _pastes(box, x, y, within, alpha) if b.density >= box.density and b.hits > box.hits
        ]
        if not widened:
            return box
        box = max(widened, key=lambda b: (b.density, b.count))


def _pastes(box: Box, x: np.ndarray, y: np.ndarray, within: np.ndarray, alpha: float) -> list[Box]:
    """Return the box widened at each restricted limit by the `alpha` share of its worlds nearest it."""
    step = max(1, math.ceil(alpha * box.count))
    out: list[Box] = []
    for j in range(x.shape[1]):
        others = within & _inside_except(box, x, j)
        for side in (-1, 1):
            limit = box.lower[j] if side < 0 else box.upper[j]
            if math.isinf(limit):
                continue
            beyond = np.sort(side * x[others & (side * x[:, j] > side * limit), j])
            if beyond.size == 0:
                continue
            lower, upper = box.lower.copy(), box.upper.copy()
            reach = side * beyond[min(step, beyond.size) - 1]
            (lower if side < 0 else upper)[j] = reach
            out.append(_box(lower, upper, x, y, within))
    return out


def _inside_except(box: Box, x: np.ndarray, j: int) -> np.ndarray:
    """Mark the worlds within every limit of `box` but those of column `j`."""
    keep = np.ones(x.shape[1], dtype=bool)
    keep[j] = False
    return np.all((x[:, keep] >= box.lower[keep]) & (x[:, keep] <= box.upper[keep]), axis=1)


def _unrestrict(box: Box, x: np.ndarray, within: np.ndarray, y: np.ndarray) -> Box:
    """Drop, one at a time, the limits whose removal lets no world of those searched into the box."""
    for j, side in [(j, side) for j in range(x.shape[1]) for side in ("lower", "upper")]:
        lower, upper = box.lower.copy(), box.upper.copy()
        (lower if side == "lower" else upper)[j] = -np.inf if side == "lower" else np.inf
        wider = _box(lower, upper, x, y, within)
        if wider.count == box.count:
            box = wider
    return box
