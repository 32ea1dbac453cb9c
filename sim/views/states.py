"""Each household's state at given days, and where its cell sits in its building's grid of floors x doors.

States, in increasing priority (a household shows the highest that applies): not billed,
billed, promised (a promise is open), ticket open (a fee-blocking problem is waiting for a fix),
paid.  Day d is the state at d x 24 h, like the daily curves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.calendar import HOURS_PER_DAY
from sim.languages import N_
from sim.views.tickets import FIXED

if TYPE_CHECKING:
    from sim.population import Population
    from sim.records import EventRecord

__all__ = ["GAP", "OUTSIDE", "STATES", "STATE_COLOURS", "Layout", "building_layout", "state_matrix"]

STATES: tuple[str, ...] = (N_("not billed"), N_("billed"), N_("promised"), N_("ticket open"), N_("paid"))
"""The states, in the glossary's words (shown translated)."""
STATE_COLOURS: tuple[str, ...] = ("#ffffff", "#F0E442", "#56B4E9", "#D55E00", "#0072B2")
"""Okabe–Ito colours, one per state, from light to dark (so they also read in greyscale)."""
NOT_BILLED, BILLED, PROMISED, TICKET, PAID = range(len(STATES))
TICKET_CLOSED: frozenset[str] = FIXED | {"unresolvable"}


def _intervals(records: Sequence[EventRecord]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return owner, start, end (hours) and state code of every stretch of time a state applies."""
    rows: list[tuple[int, float, float, int]] = []
    open_since: dict[tuple[int, int], float] = {}  # (owner, state) -> start of the open stretch

    def close(owner: int, state: int, t: float) -> None:
        start = open_since.pop((owner, state), None)
        if start is not None:
            rows.append((owner, start, t, state))

    for r in sorted(records, key=lambda r: r.time):
        if r.kind == "bill":
            rows.append((r.owner, r.time, math.inf, BILLED))
        elif r.kind == "payment":
            rows.append((r.owner, r.time, math.inf, PAID))
            close(r.owner, PROMISED, r.time)
        elif r.kind == "promise":
            close(r.owner, PROMISED, r.time)
            open_since[(r.owner, PROMISED)] = r.time
        elif r.kind == "promise_due":
            close(r.owner, PROMISED, r.time)
        elif r.kind == "ticket" and r.owner >= 0:
            if r.outcome.startswith("opened"):
                open_since[(r.owner, TICKET)] = r.time
            elif r.outcome in TICKET_CLOSED:
                close(r.owner, TICKET, r.time)
    rows += [(owner, start, math.inf, state) for (owner, state), start in open_since.items()]
    if not rows:
        return (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.uint8))
    owners, starts, ends, states = zip(*rows, strict=True)
    return np.array(owners), np.array(starts), np.array(ends), np.array(states, dtype=np.uint8)


def state_matrix(records: Sequence[EventRecord], households: int, days: Sequence[int]) -> np.ndarray:
    """Return a (len(days) x households) array of state codes (indices into `STATES`)."""
    owners, starts, ends, states = _intervals(records)
    out = np.zeros((len(days), households), dtype=np.uint8)
    for k, day in enumerate(days):
        t = day * HOURS_PER_DAY
        active = (starts <= t) & (t < ends)
        np.maximum.at(out[k], owners[active], states[active])
    return out


OUTSIDE, GAP = -2, -1
"""Codes of the pixels of a layout that are not a household: outside the buildings, gap inside one."""


@dataclass(frozen=True)
class Layout:
    """Where each household's cell is in one picture of all buildings."""

    cells: np.ndarray
    """(rows x columns) array: the owner index of each pixel, `GAP` between cells, `OUTSIDE` elsewhere."""
    labels: tuple[tuple[float, float, str], ...]
    """(x, y, text) of each building's name, in picture coordinates (above the building)."""

    def picture(self, states: np.ndarray) -> np.ndarray:
        """Return the picture of one row of `state_matrix`: state codes, `GAP` and `OUTSIDE` elsewhere."""
        return np.where(self.cells >= 0, states[np.maximum(self.cells, 0)], self.cells)


def _doors(population: Population) -> tuple[np.ndarray, np.ndarray]:
    """Return each owner's door index on their floor, and the doors per floor of each building.

    Doors are numbered on each floor of each building in owner order (a roster's
    floors need not be full, nor its units in floor order).
    """
    door = np.zeros(population.size, dtype=np.int64)
    taken: dict[tuple[int, int], int] = {}
    for owner, key in enumerate(zip(population.building.tolist(), population.floor.tolist(), strict=True)):
        door[owner] = taken.get(key, 0)
        taken[key] = door[owner] + 1
    per_floor = np.ones(population.buildings, dtype=np.int64)
    for (building, _floor), doors in taken.items():
        per_floor[building] = max(per_floor[building], doors)
    return door, per_floor


def _name(population: Population, building: int) -> str:
    """Return a building's name on the picture: the roster's label, or B1, B2..."""
    ids = population.building_ids
    return ids[building] if ids is not None else f"B{building + 1}"


def _columns(buildings: int, width: int, height: int, aspect: float) -> int:
    """Return how many buildings per row make the largest cells in a box `aspect` times wider than tall."""

    def scale(columns: int) -> tuple[float, int]:
        rows = -(-buildings // columns)
        return min(aspect / (columns * width), 1.0 / (rows * height)), -(rows * columns - buildings)

    return max(range(1, buildings + 1), key=scale)


def building_layout(population: Population, aspect: float = 1.6, cell: int = 4) -> Layout:
    """Arrange the buildings in a grid that best fills a box `aspect` times wider than tall.

    Floors go up, doors across; each household is a `cell` x `cell` block of pixels with a
    one-pixel gap around it; three cells of space above each building hold its name.
    """
    door, per_floor = _doors(population)
    floors, width = int(population.floor.max(initial=1)), int(per_floor.max(initial=1))
    n, pitch = population.buildings, cell + 1
    step_x, step_y = (width + 1) * pitch, (floors + 3) * pitch
    columns = _columns(n, step_x, step_y, aspect)
    cells = np.full((-(-n // columns) * step_y + 1, columns * step_x + 1), OUTSIDE, dtype=np.int64)
    top = np.array([(b // columns) * step_y + 3 * pitch for b in range(n)])
    left = np.array([(b % columns) * step_x + 1 for b in range(n)])
    ys = top[population.building] + (floors - population.floor) * pitch
    xs = left[population.building] + door * pitch
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        cells[y - 1 : y + cell + 1, x - 1 : x + cell + 1] = GAP
    for owner, (y, x) in enumerate(zip(ys.tolist(), xs.tolist(), strict=True)):
        cells[y : y + cell, x : x + cell] = owner
    labels = tuple(
        (left[b] + per_floor[b] * pitch / 2 - 1, top[b] - 1.5 * pitch, _name(population, b)) for b in range(n)
    )
    return Layout(cells, labels)
