"""The community and its owners, drawn once per seed.

Every trait comes from its own named stream and owner i takes the i-th draw
of it, so an owner's traits do not depend on the strategy, and adding
households leaves the existing owners unchanged (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr

from sim.rng import Streams
from sim.scenario.schema import SCHEDULES, SEGMENTS, Occupancy, Scenario

if TYPE_CHECKING:
    from sim.data.roster import Roster

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
    away: np.ndarray | None = None  # float: factor on the at-home chance (a let or vacant unit), or None
    unit_ids: tuple[str, ...] | None = None  # the roster's unit ids, else None (ids are synthesised)
    building_ids: tuple[str, ...] | None = None  # the roster's building labels, else None

    @property
    def size(self) -> int:
        """Return the number of households."""
        return len(self.segment)

    @cached_property
    def unit_labels(self) -> list[str]:
        """Return every owner's unit id: the roster's, or one like `3-1502` (building 3, floor 15, door 2)."""
        if self.unit_ids is not None:
            return list(self.unit_ids)
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

    def building_label(self, owner: int) -> str:
        """Return the label of an owner's building: the roster's, or its number from 1."""
        index = int(self.building[owner])
        return self.building_ids[index] if self.building_ids is not None else str(index + 1)

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


def _segments_given_arrears(u: np.ndarray, arrears: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Draw segments; an owner with arrears last year has the odds of undecided and hard multiplied (§5a)."""
    segment = _segments(u, scenario)
    if not arrears.any():
        return segment
    odds = scenario.owners.history.arrears_odds
    weights = np.array([scenario.owners.segments.get(name).share for name in SEGMENTS])
    weights = weights * np.array([1.0, odds.undecided, odds.hard])
    edges = np.cumsum(weights / weights.sum())[:-1]
    return np.where(arrears, np.searchsorted(edges, u, side="right"), segment)


def _per_segment(segment: np.ndarray, scenario: Scenario, attr: str) -> np.ndarray:
    values = np.array([getattr(scenario.owners.segments.get(name), attr) for name in SEGMENTS])
    return values[segment]


def _thresholds(z: np.ndarray, segment: np.ndarray, scenario: Scenario) -> np.ndarray:
    mean = np.array([scenario.owners.segments.get(s).threshold.mean for s in SEGMENTS])[segment]
    sd = np.array([scenario.owners.segments.get(s).threshold.sd for s in SEGMENTS])[segment]
    return np.clip(mean + sd * z, 0.0, 1.0)


def _grievances(
    u: np.ndarray, segment: np.ndarray, scenario: Scenario, complaints: np.ndarray | None = None
) -> np.ndarray:
    fixable = np.array([scenario.owners.segments.get(s).grievance.fixable for s in SEGMENTS])[segment]
    legacy = np.array([scenario.owners.segments.get(s).grievance.legacy for s in SEGMENTS])[segment]
    if complaints is not None and complaints.any():
        fixable, legacy = _given_complaints(fixable, legacy, complaints, scenario)
    return np.where(u < fixable, 1, np.where(u < fixable + legacy, 2, 0))


def _given_complaints(
    fixable: np.ndarray, legacy: np.ndarray, complaints: np.ndarray, scenario: Scenario
) -> tuple[np.ndarray, np.ndarray]:
    """Multiply the odds of a fixable grievance of owners with open complaints; shrink the rest (§5a)."""
    odds = scenario.owners.history.complaint_fixable_odds
    shifted = fixable * odds / (1.0 - fixable + fixable * odds)
    rest = np.divide(1.0 - shifted, 1.0 - fixable, out=np.zeros_like(fixable), where=fixable < 1.0)
    return np.where(complaints, shifted, fixable), np.where(complaints, legacy * rest, legacy)


def draw_population(scenario: Scenario, streams: Streams) -> Population:
    """Draw the owners of a scenario from the run's streams (the roster's units, if it has one)."""
    n = scenario.community.households
    community, owners = scenario.community, scenario.owners

    def draw(name: str) -> np.ndarray:
        return streams.generator(f"population.{name}").random(n)

    building, unit, floor = _buildings(n, community.buildings, community.floors)
    area = community.area_m2.min + (community.area_m2.max - community.area_m2.min) * draw("area")
    fee = area * community.fee_per_m2_month * community.fee_months
    has_phone = draw("phone") < owners.phone_share
    segment_u, grievance_u = draw("segment"), draw("grievance")
    history: dict[str, object] = {}
    if scenario.roster is None:
        segment = _segments(segment_u, scenario)
        grievance = _grievances(grievance_u, segment, scenario)
    else:
        roster = scenario.roster
        building, unit, floor = _roster_layout(roster, community.floors)
        area = np.where(np.isnan(roster.area), area, roster.area)
        fee = _roster_fees(roster, area, community.fee_per_m2_month, community.fee_months)
        has_phone = np.where(roster.phone_valid >= 0, roster.phone_valid == 1, has_phone)
        segment = _segments_given_arrears(segment_u, roster.arrears > 0, scenario)
        grievance = _grievances(grievance_u, segment, scenario, roster.complaints > 0)
        history = _roster_labels(roster, owners.occupancy)
    normal = streams.generator("population.threshold").standard_normal(n)
    log_mood = streams.generator("population.mood").standard_normal(n)
    return Population(
        building=building,
        unit=unit,
        floor=floor,
        area=area,
        fee=fee,
        segment=segment,
        schedule=np.where(draw("schedule") < owners.schedules.five_day_share, FIVE_DAY, OTHER),
        p=_per_segment(segment, scenario, "p"),
        q=_per_segment(segment, scenario, "q"),
        threshold=_thresholds(normal, segment, scenario),
        mood_level=np.exp(owners.mood_sd * log_mood - owners.mood_sd**2 / 2),
        has_phone=has_phone,
        online=draw("channel") < owners.channels.online_share,
        grievance=grievance,
        leader=draw("leader") < scenario.social.leaders_share,
        vocal=(segment == SEGMENTS.index("hard")) & (draw("vocal") < scenario.sentiment.vocal_share_of_hard),
        birthday=np.floor(draw("birthday") * 365).astype(int),
        payment_clock=streams.generator("owner.payment_clock").standard_exponential(n),
        herd_clock=streams.generator("owner.herd_clock").standard_exponential(n),
        buildings=community.buildings,
        **history,  # type: ignore[arg-type]
    )


def _roster_layout(roster: Roster, floors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return building, unit (order inside the building) and floor of each roster unit.

    A unit without a floor gets one as in `_buildings`: its building's units fill
    `ceil(units / floors)` doors per floor, in the roster's order.
    """
    building = roster.building
    unit = np.zeros(roster.size, dtype=np.int64)
    seen = np.zeros(len(roster.buildings), dtype=np.int64)
    for owner, b in enumerate(building.tolist()):
        unit[owner] = seen[b]
        seen[b] += 1
    per_floor = np.maximum(1, -(-seen // floors))
    floor = np.where(roster.floor >= 1, roster.floor, unit // per_floor[building] + 1)
    return building, unit, floor


def _roster_fees(roster: Roster, area: np.ndarray, rate: float, months: int) -> np.ndarray:
    """Return each unit's fee: its annual fee, else its rate (else the scenario's) x area x months."""
    by_rate = np.where(np.isnan(roster.fee_per_m2_month), rate, roster.fee_per_m2_month) * area * months
    return np.where(np.isnan(roster.annual_fee), by_rate, roster.annual_fee)


def _roster_labels(roster: Roster, occupancy: Occupancy) -> dict[str, object]:
    """Return the roster's unit and building ids and each owner's at-home factor (its occupancy)."""
    factors = np.array([1.0, occupancy.tenant_home_factor, occupancy.vacant_home_factor])
    return {
        "away": factors[roster.occupancy],
        "unit_ids": roster.units,
        "building_ids": roster.buildings,
    }


def threshold_cdf(r: np.ndarray | float, mean: float, sd: float) -> np.ndarray:
    """Return P(threshold <= r) for a normal threshold clipped to [0, 1]."""
    r = np.asarray(r, dtype=float)
    if sd == 0:
        return (r >= min(max(mean, 0.0), 1.0)).astype(float)
    return np.where(r >= 1.0, 1.0, ndtr((r - mean) / sd))
