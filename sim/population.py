"""The community and its owners, drawn once per seed.

Every trait comes from its own named stream and owner i takes the i-th draw
of it, so an owner's traits do not depend on the strategy, and adding
households leaves the existing owners unchanged (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import ndtr

from sim.rng import Streams
from sim.scenario.schema import SCHEDULES, SEGMENTS, Scenario

GRIEVANCE_KINDS: tuple[str, ...] = ("none", "fixable", "legacy")
FIVE_DAY, OTHER = SCHEDULES.index("five_day"), SCHEDULES.index("other")


@dataclass(frozen=True)
class OwnerTraits:
    """The owner traits read in the event loop, as lists indexed by owner (see `Population`)."""

    building: list[int]
    fee: list[float]
    segment: list[int]
    schedule: list[int]
    online: list[bool]
    grievance: list[int]
    leader: list[bool]
    vocal: list[bool]


@dataclass(frozen=True)
class Population:
    """Owner traits as parallel arrays indexed by owner (0..N-1)."""

    building: np.ndarray  # int, 0..buildings-1
    unit: np.ndarray  # int, index of the household inside its building
    floor: np.ndarray  # int, 1..floors
    area: np.ndarray  # m²
    fee: np.ndarray  # CNY for the campaign year
    segment: np.ndarray  # int index into SEGMENTS
    schedule: np.ndarray  # int index into SCHEDULES
    p: np.ndarray  # spontaneous hazard per day
    q: np.ndarray  # herd sensitivity per day
    threshold: np.ndarray  # Granovetter threshold in [0, 1]
    mood_level: np.ndarray  # personal mood level (lognormal, mean 1)
    has_phone: np.ndarray  # bool: a valid phone number is on file
    online: np.ndarray  # bool: pays online at any hour (else at the service centre)
    grievance: np.ndarray  # int index into GRIEVANCE_KINDS
    leader: np.ndarray  # bool: an opinion leader (T10)
    vocal: np.ndarray  # bool: a vocal hard owner who talks others out of paying (T11)
    birthday: np.ndarray  # int, day of the year 0..364 (V3)
    payment_clock: np.ndarray  # unit exponential of the spontaneous clock
    herd_clock: np.ndarray  # unit exponential of the herd clock
    buildings: int

    @property
    def size(self) -> int:
        """Return the number of households."""
        return len(self.segment)

    @cached_property
    def unit_labels(self) -> list[str]:
        """Return every owner's unit id, such as `3-1502` (building 3, floor 15, door 2), worked out once."""
        buildings = int(self.building.max()) + 1 if self.size else 0
        count = np.bincount(self.building, minlength=buildings)
        floors = np.ones(buildings, dtype=int)
        np.maximum.at(floors, self.building, self.floor)
        per_floor = np.maximum(1, -(-count // floors))
        door = self.unit % per_floor[self.building] + 1
        return [
            f"{b + 1}-{f}{d:02d}"
            for b, f, d in zip(self.building.tolist(), self.floor.tolist(), door.tolist(), strict=True)
        ]

    @cached_property
    def per_owner(self) -> OwnerTraits:
        """Return the traits the event loop reads one owner at a time, as Python lists (fast to index)."""
        return OwnerTraits(
            building=self.building.tolist(),
            fee=self.fee.tolist(),
            segment=self.segment.tolist(),
            schedule=self.schedule.tolist(),
            online=self.online.tolist(),
            grievance=self.grievance.tolist(),
            leader=self.leader.tolist(),
            vocal=self.vocal.tolist(),
        )

    @cached_property
    def _owner_by_unit(self) -> dict[str, int]:
        return {label: owner for owner, label in reversed(list(enumerate(self.unit_labels)))}

    def unit_label(self, owner: int) -> str:
        """Return the unit id of an owner."""
        return self.unit_labels[owner]

    def owner_of_unit(self, label: str) -> int | None:
        """Return the owner index of a unit id, or None when there is no such unit."""
        return self._owner_by_unit.get(label)


def _buildings(n: int, buildings: int, floors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spread n households evenly over buildings; return building, unit and floor arrays."""
    building = np.arange(n) % buildings
    unit = np.arange(n) // buildings
    per_building = np.bincount(building, minlength=buildings)
    per_floor = np.maximum(1, -(-per_building // floors))
    floor = unit // per_floor[building] + 1
    return building, unit, floor


def _segments(u: np.ndarray, scenario: Scenario) -> np.ndarray:
    shares = [scenario.owners.segments.get(name).share for name in SEGMENTS]
    edges = np.cumsum(shares)[:-1]
    return np.searchsorted(edges, u, side="right")


def _per_segment(segment: np.ndarray, scenario: Scenario, attr: str) -> np.ndarray:
    values = np.array([getattr(scenario.owners.segments.get(name), attr) for name in SEGMENTS])
    return values[segment]


def _thresholds(z: np.ndarray, segment: np.ndarray, scenario: Scenario) -> np.ndarray:
    mean = np.array([scenario.owners.segments.get(s).threshold.mean for s in SEGMENTS])[segment]
    sd = np.array([scenario.owners.segments.get(s).threshold.sd for s in SEGMENTS])[segment]
    return np.clip(mean + sd * z, 0.0, 1.0)


def _grievances(u: np.ndarray, segment: np.ndarray, scenario: Scenario) -> np.ndarray:
    fixable = np.array([scenario.owners.segments.get(s).grievance.fixable for s in SEGMENTS])[segment]
    legacy = np.array([scenario.owners.segments.get(s).grievance.legacy for s in SEGMENTS])[segment]
    return np.where(u < fixable, 1, np.where(u < fixable + legacy, 2, 0))


def draw_population(scenario: Scenario, streams: Streams) -> Population:
    """Draw the owners of a scenario from the run's streams."""
    n = scenario.community.households
    community, owners = scenario.community, scenario.owners

    def draw(name: str) -> np.ndarray:
        return streams.generator(f"population.{name}").random(n)

    building, unit, floor = _buildings(n, community.buildings, community.floors)
    area = community.area_m2.min + (community.area_m2.max - community.area_m2.min) * draw("area")
    segment = _segments(draw("segment"), scenario)
    normal = streams.generator("population.threshold").standard_normal(n)
    log_mood = streams.generator("population.mood").standard_normal(n)
    return Population(
        building=building,
        unit=unit,
        floor=floor,
        area=area,
        fee=area * community.fee_per_m2_month * community.fee_months,
        segment=segment,
        schedule=np.where(draw("schedule") < owners.schedules.five_day_share, FIVE_DAY, OTHER),
        p=_per_segment(segment, scenario, "p"),
        q=_per_segment(segment, scenario, "q"),
        threshold=_thresholds(normal, segment, scenario),
        mood_level=np.exp(owners.mood_sd * log_mood - owners.mood_sd**2 / 2),
        has_phone=draw("phone") < owners.phone_share,
        online=draw("channel") < owners.channels.online_share,
        grievance=_grievances(draw("grievance"), segment, scenario),
        leader=draw("leader") < scenario.social.leaders_share,
        vocal=(segment == SEGMENTS.index("hard")) & (draw("vocal") < scenario.sentiment.vocal_share_of_hard),
        birthday=np.floor(draw("birthday") * 365).astype(int),
        payment_clock=streams.generator("owner.payment_clock").standard_exponential(n),
        herd_clock=streams.generator("owner.herd_clock").standard_exponential(n),
        buildings=community.buildings,
    )


def threshold_cdf(r: np.ndarray | float, mean: float, sd: float) -> np.ndarray:
    """Return P(threshold <= r) for a normal threshold clipped to [0, 1]."""
    r = np.asarray(r, dtype=float)
    if sd == 0:
        return (r >= min(max(mean, 0.0), 1.0)).astype(float)
    return np.where(r >= 1.0, 1.0, ndtr((r - mean) / sd))
