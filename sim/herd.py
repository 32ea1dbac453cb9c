"""Payment hazard of billed owners: spontaneous propensity, herd response, mood (V4, T10).

For an unpaid, billed owner i

    h_i(t) = [p_i + q_i H(S_i(t))] * mood_i(t) * mult_i(t)

with H linear (H(S) = S, Bass) or threshold (H(S) = 1 once S reaches the
owner's threshold, Granovetter).  mood_i(t) = level_i * m_k(t) is constant
within each hour, so between changes of S_i or mult_i the hazard is piecewise
constant and the decision time is sampled exactly by inverting the mood clock
M_k (see `sim.mood`): the owner decides when the integrated hazard reaches a
unit exponential drawn once per owner.

Perception S_i (the owner's belief about the paid share of the neighbours):

* ``instant``: S_i equals the true share of the neighbourhood.  With the
  linear response every payment changes every neighbour's hazard, so the herd
  part runs on one clock per neighbourhood and schedule type,
  G(t) = integral of m_k(s) S(s) ds, and each owner waits until G passes its
  own target (competing risks keep this exact): O(log n) per payment instead
  of O(n).  With the threshold response only the owners whose threshold the
  share crosses change their hazard.
* ``learning``: S_i is set at bill delivery from what the owner sees then
  (the paid share of the billed households of the building), and afterwards
  the owner looks around at Poisson times (rate `herd.learning_rate_per_day`),
  each look setting S_i to what the owner sees: the neighbourhood's true share
  mixed with the community's (weight `social.community_weight`, the community
  chat); the mean belief then follows dS_i/dt = lambda (S - S_i).  A notice
  posting the paid share (T11) is a look at the community share for everyone.

Negative talk (T11) discounts every perceived share by a factor (1 - d):
instantly in the instant modes, at the next look in the learning mode.
"""

from __future__ import annotations

import bisect
import heapq
import math
from array import array
from collections.abc import Callable, Sequence

import numpy as np

from sim.engine import Engine, Timer
from sim.mood import MoodClock
from sim.neighbourhood import Neighbourhoods
from sim.population import Population
from sim.rng import OwnerDraws
from sim.scenario.schema import Herd

Decide = Callable[[int, float, float], None]
INF = math.inf
TIME_TOLERANCE = 1e-9  # hours: events this close count as simultaneous
# mood-days: a clock reading this far past the look's cannot invert to a time before the look
# (rounding of M and its inverse is below 1e-12 mood-days over any horizon)
LOOK_MARGIN = 1e-9


def _doubles(values: np.ndarray) -> array:
    """Return per-owner values as a compact array of doubles (one cache line per owner, not two)."""
    return array("d", np.ascontiguousarray(values, dtype=float).tobytes())


class _HerdGroup:
    """Herd clock of one neighbourhood and schedule type (instant, linear perception)."""

    __slots__ = ("clock", "g", "heap", "m_at", "share", "version")

    def __init__(self, clock: MoodClock) -> None:
        self.clock = clock
        self.g = 0.0  # integral of m_k(s) S(s) ds, in mood-days, up to m_at
        self.m_at = 0.0  # M_k at the last advance
        self.share = 0.0  # S in force since the last advance
        self.heap: list[tuple[float, int, int]] = []  # (target G, owner, owner's herd version)
        self.version = 0

    def advance(self, t: float) -> None:
        """Bring G up to time `t` with the share in force."""
        m = self.clock.value(t)
        self.g += self.share * (m - self.m_at)
        self.m_at = m

    def time_of(self, target: float) -> float:
        """Return when G reaches `target` if the share stays as it is."""
        if self.share <= 0.0:
            return INF
        return self.clock.inverse(self.m_at + (target - self.g) / self.share)


class PaymentHazard:
    """Schedules each billed owner's payment decision from their hazard."""

    def __init__(
        self,
        env: Engine,
        population: Population,
        clocks: list[MoodClock],
        herd: Herd,
        community_weight: float,
        mood_enabled: bool,
        neighbourhoods: Neighbourhoods,
        horizon: float,
        decide: Decide,
        draws: OwnerDraws,
        threshold_owner: Sequence[bool] | None = None,
    ) -> None:
        self.env, self.clocks, self.nbs, self.horizon = env, clocks, neighbourhoods, horizon
        self.decide, self.draws = decide, draws
        n = population.size
        self.kind = population.per_owner.schedule
        self.clock_of = [clocks[k] for k in self.kind]  # each owner's mood clock
        level = population.mood_level if mood_enabled else np.ones(n)
        self.level = _doubles(level)
        self.p = _doubles(population.p)
        self.q = _doubles(population.q if herd.enabled else np.zeros(n))
        self.threshold = _doubles(population.threshold)
        default = herd.response == "threshold"
        self.threshold_owner = list(threshold_owner) if threshold_owner is not None else [default] * n
        self.learning = herd.enabled and herd.perception == "learning"
        self.instant = herd.enabled and not self.learning
        self.in_group = [self.instant and not t for t in self.threshold_owner]
        self.in_ranking = [self.instant and t for t in self.threshold_owner]
        self.look_hours = 24.0 / herd.learning_rate_per_day if herd.learning_rate_per_day > 0 else INF
        self.community_weight = community_weight
        self.discount = 0.0
        self.mult = array("d", [1.0]) * n
        self.perceived = array("d", [0.0]) * n
        self.active = [False] * n
        self.e_left = _doubles(population.payment_clock)
        self.herd_e = _doubles(population.herd_clock)  # remaining herd clock at herd_g_at
        self.herd_g_at = array("d", [0.0]) * n  # the group's G when herd_e was last brought up to date
        self.rate = array("d", [0.0]) * n
        self.m_at = array("d", [0.0]) * n
        self.look_at = array("d", [INF]) * n
        self.look_m = array("d", [INF]) * n  # M(look_at): the clock's reading at the next look
        self.version = [0] * n
        self.due = array("d", [INF]) * n  # the owner's next decision or look
        self.pending = array("d", [INF]) * n  # when the owner's pending event fires (inf: none)
        self.herd_version = [0] * n
        self.groups = [[_HerdGroup(c) for c in clocks] for _ in range(neighbourhoods.count)]
        self.by_threshold: list[list[tuple[float, int]]] = [[] for _ in range(neighbourhoods.count)]
        self.nb_share = [0.0] * neighbourhoods.count

    # -- what an owner believes -------------------------------------------------

    def perceived_share(self, owner: int) -> float:
        """Return S_i, the owner's perceived paid share of the neighbourhood."""
        if self.learning:
            return self.perceived[owner]
        return self.nbs.share(self.nbs.of_owner[owner]) * (1.0 - self.discount)

    def seen_share(self, owner: int) -> float:
        """Return the share an owner sees on looking around: neighbourhood and community chat."""
        c = self.community_weight
        local = self.nbs.share(self.nbs.of_owner[owner])
        return ((1.0 - c) * local + c * self.nbs.community_share()) * (1.0 - self.discount)

    def mood(self, owner: int, t: float) -> float:
        """Return mood_i(t), the owner's mood at hour `t`."""
        return self.level[owner] * self.clock_of[owner].at(t)

    def _herd_term(self, owner: int) -> float:
        """Return q_i H(S_i), the herd part of the owner's propensity."""
        share = self.perceived[owner] if self.learning else self.perceived_share(owner)
        if self.threshold_owner[owner]:
            share = 1.0 if share >= self.threshold[owner] else 0.0
        return self.q[owner] * share

    def herd_fraction(self, owner: int) -> float:
        """Return the herd part's share of the owner's hazard right now."""
        herd = self._herd_term(owner)
        total = self.p[owner] + herd
        return herd / total if total > 0 else 0.0

    # -- events from the campaign -----------------------------------------------

    def set_multiplier(self, owner: int, t: float, mult: float) -> None:
        """Change mult_i, the product of the owner's other hazard multipliers, from time `t` on."""
        old = self.mult[owner]
        if mult == old:
            return
        old_weight = self._herd_weight(owner) if self.in_group[owner] else 0.0
        self.mult[owner] = mult
        if not self.active[owner]:
            return
        self._update(owner, t)
        if self.in_group[owner]:
            self._rescale_target(owner, old_weight, t)

    def bill(self, owner: int, t: float, impression: float) -> None:
        """Start the owner's hazard at bill delivery, with the share the owner saw then."""
        self.active[owner] = True
        self.perceived[owner] = impression * (1.0 - self.discount)
        if self.learning:
            self._plan_look(owner, t)
        self._update(owner, t)  # from rate 0: nothing spent, the first rate taken and scheduled
        nb = self.nbs.of_owner[owner]
        if self.in_group[owner]:
            self._join_group(owner, nb, t)
        elif self.in_ranking[owner]:
            bisect.insort(self.by_threshold[nb], (self.threshold[owner], owner))

    def withdraw(self, owner: int) -> None:
        """Stop the owner's hazard (the owner has decided to pay)."""
        self.active[owner] = False
        self.version[owner] += 1
        self.pending[owner] = INF
        self.herd_version[owner] += 1
        if self.in_ranking[owner]:
            ranked = self.by_threshold[self.nbs.of_owner[owner]]
            k = bisect.bisect_left(ranked, (self.threshold[owner], owner))
            if k < len(ranked) and ranked[k][1] == owner:
                del ranked[k]

    def post_notice(self, share: float, t: float) -> None:
        """Everyone billed reads a notice posting the community's paid share (learning perception)."""
        if not self.learning:
            return
        for owner in range(len(self.active)):
            if self.active[owner]:
                self.perceived[owner] = share * (1.0 - self.discount)
                self._update(owner, t)

    def set_discount(self, discount: float, t: float) -> None:
        """Set the negative-talk discount d of every perceived share from time `t` on."""
        if discount == self.discount:
            return
        self.discount = discount
        if self.learning:
            return
        for nb in range(self.nbs.count):
            self.share_changed(nb, t)

    def share_changed(self, nb: int, t: float) -> None:
        """React to a change of neighbourhood `nb`'s billed or paid count at time `t`."""
        old, new = self.nb_share[nb], self.nbs.share(nb) * (1.0 - self.discount)
        self.nb_share[nb] = new
        if not self.instant:
            return
        for group in self.groups[nb]:
            group.advance(t)
            group.share = new
            if group.heap:
                self._schedule_group(group, nb, t)
        if old != new and self.by_threshold[nb]:
            self._cross_thresholds(nb, min(old, new), max(old, new), t)

    # -- the individual clock ---------------------------------------------------

    def _update(self, owner: int, t: float) -> None:
        """Spend the hazard accumulated so far at the old rate, then take the new rate.

        The rate per mood-day is (p_i + q_i H(S_i)) level_i mult_i, the herd
        part here only for owners outside a neighbourhood's herd clock.

        When the rate falls and an event is pending, the decision can only come
        later than that event: its time is worked out when the event fires, and
        the change costs neither an inversion nor an event.
        """
        m = self.clock_of[owner].value(t)
        old = self.rate[owner]
        self.e_left[owner] -= old * (m - self.m_at[owner])
        self.m_at[owner] = m
        base = self.p[owner]
        if not self.in_group[owner] and self.q[owner] > 0.0:
            base += self._herd_term(owner)
        self.rate[owner] = rate = base * self.level[owner] * self.mult[owner]
        if rate <= old and self.pending[owner] < INF:
            self.due[owner] = math.nan
            return
        self._schedule(owner, t)

    def _schedule(self, owner: int, t: float) -> None:
        """Work out the owner's next decision or look; post an event only if it comes sooner.

        A pending event that turns out to be early (the rate fell since) is
        simply posted again for the new time when it fires: most changes of a
        multiplier then cost no event at all.
        """
        rate = self.rate[owner]
        due = look_at = self.look_at[owner]
        if rate > 0.0:
            reading = self.m_at[owner] + self.e_left[owner] / rate  # M at the decision
            if reading <= self.look_m[owner] + LOOK_MARGIN:  # else the look certainly comes first
                decision = self.clock_of[owner].inverse(reading)
                if decision <= look_at:
                    due = decision
        self.due[owner] = due
        if due < self.pending[owner] - TIME_TOLERANCE:
            self._post(owner, due)

    def _post(self, owner: int, due: float) -> None:
        self.version[owner] = version = self.version[owner] + 1
        if due < self.horizon:
            self.pending[owner] = due
            delay = due - self.env.now
            self.env.call_later(delay if delay > 0.0 else 0.0, self._fire_owner, (owner, version))
        else:
            self.pending[owner] = INF

    def _fire_owner(self, event: Timer) -> None:
        owner, version = event.value
        if version != self.version[owner] or not self.active[owner]:
            return
        self.pending[owner] = INF
        t = self.env.now
        if math.isnan(self.due[owner]):
            self._schedule(owner, t)
            return
        if self.due[owner] > t + TIME_TOLERANCE:
            self._post(owner, self.due[owner])
            return
        if self.look_at[owner] <= t + TIME_TOLERANCE:
            self.perceived[owner] = self.seen_share(owner)
            self._plan_look(owner, t)
            self._update(owner, t)
        else:
            self.decide(owner, t, 0.0 if self.in_group[owner] else self.herd_fraction(owner))

    def _plan_look(self, owner: int, t: float) -> None:
        """Draw the owner's next look around, after `t`."""
        if self.look_hours == INF:
            return
        self.look_at[owner] = look_at = t + self.draws.exponential(owner, self.look_hours)
        # M(inf) may be NaN (a last hour of zero mood): no look then, and the decision is always worked out
        self.look_m[owner] = self.clock_of[owner].value(look_at) if look_at < INF else INF

    def _cross_thresholds(self, nb: int, low: float, high: float, t: float) -> None:
        ranked = self.by_threshold[nb]
        first = bisect.bisect_right(ranked, (low, math.inf))
        last = bisect.bisect_right(ranked, (high, math.inf))
        for _, owner in ranked[first:last]:
            self._update(owner, t)

    # -- herd clocks of a neighbourhood (instant, linear) ------------------------

    def _herd_weight(self, owner: int) -> float:
        return self.q[owner] * self.level[owner] * self.mult[owner]

    def _join_group(self, owner: int, nb: int, t: float) -> None:
        group = self.groups[nb][self.kind[owner]]
        group.advance(t)
        self.herd_g_at[owner] = group.g
        self._push_target(owner, group, nb, t)

    def _push_target(self, owner: int, group: _HerdGroup, nb: int, t: float) -> None:
        weight = self._herd_weight(owner)
        if weight <= 0.0:
            return
        target = self.herd_g_at[owner] + self.herd_e[owner] / weight
        heapq.heappush(group.heap, (target, owner, self.herd_version[owner]))
        self._schedule_group(group, nb, t)

    def _rescale_target(self, owner: int, old_weight: float, t: float) -> None:
        """Spend the herd clock at the old weight up to `t`; queue the owner at the new weight."""
        nb = self.nbs.of_owner[owner]
        group = self.groups[nb][self.kind[owner]]
        group.advance(t)
        self.herd_e[owner] -= old_weight * (group.g - self.herd_g_at[owner])
        self.herd_g_at[owner] = group.g
        self.herd_version[owner] += 1
        self._push_target(owner, group, nb, t)

    def _schedule_group(self, group: _HerdGroup, nb: int, t: float) -> None:
        heap = group.heap
        while heap and (heap[0][2] != self.herd_version[heap[0][1]] or not self.active[heap[0][1]]):
            heapq.heappop(heap)
        group.version += 1
        if not heap:
            return
        due = group.time_of(heap[0][0])
        if due < self.horizon:
            self.env.call_later(max(0.0, due - self.env.now), self._fire_group, (nb, group, group.version))

    def _fire_group(self, event: Timer) -> None:
        nb, group, version = event.value
        if version != group.version:
            return
        t = self.env.now
        _, owner, herd_version = heapq.heappop(group.heap)
        before = group.version
        if herd_version == self.herd_version[owner] and self.active[owner]:
            self.decide(owner, t, 1.0)
        if group.version == before:
            group.advance(t)
            self._schedule_group(group, nb, t)
