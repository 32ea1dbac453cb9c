"""The plan search: drop what is over budget, screen the rest, select the best of the survivors, compare.

1. Budget (`sim.plans.screen.clearly_over_budget`): every candidate runs
   `BUDGET_LOOK` replications; a plan clearly over a staff-hours or staff-cost
   budget goes at once; the rest run the screening's replications and are
   looked at again (each look at error α·BUDGET_SHARE/2).
2. Screening (`sim.plans.screen.screen_to_best`, Nelson et al. 2001): on those
   `screening.replications`, plans clearly worse than another are dropped
   (error α·SCREENING_SHARE).
3. Selection (`sim.plans.selection`, procedure KN, error α·SELECTION_SHARE):
   the survivors continue from the replications they have to KN's first stage
   n0 = max(FIRST_STAGE, screening replications), then one replication at a
   time until one is left.  KN's h² is sized for every plan screened, not only
   the survivors, so that reusing the screening's replications keeps the
   guarantee: the best plan is lost only if screening drops it, or if, in KN
   run on every plan screened, some plan's path of differences with it left
   the continuation region on the wrong side; the two probabilities add up to
   at most the two shares (Nelson et al. 2001's argument for their combined
   procedure).  By Bonferroni over the three steps, the plan kept is within the
   indifference zone of the best with probability at least 1 − α = `confidence`.
   A plan kept whose mean staff hours or cost turns out over the budget is set
   aside and the selection repeated among the others (on the same runs).
4. Comparison: the runner-up (the best other survivor) and the current plan
   run on the recommended plan's replications; their paired differences get
   t intervals at level 1 − α/2 each (Bonferroni over the two comparisons).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.languages import N_, _, formats, speaks_english
from sim.plans.candidates import Plan
from sim.plans.runs import Observations, PlanRuns
from sim.plans.screen import clearly_over_budget, screen_to_best
from sim.plans.selection import Selection, kn_select

__all__ = [
    "CURRENT",
    "ELIMINATED",
    "FIRST_STAGE",
    "OVER_BUDGET",
    "RECOMMENDED",
    "SCREENED_OUT",
    "SET_ASIDE",
    "Comparison",
    "Estimate",
    "NoFeasiblePlan",
    "PlanSearch",
    "run_search",
    "yuan",
]

FIRST_STAGE = 10
"""Replications every survivor has before KN's first elimination (its n0), screening's included."""
BUDGET_LOOK = 2
"""Replications after which a plan clearly over budget is dropped, before the rest are screened."""
BUDGET_SHARE, SCREENING_SHARE, SELECTION_SHARE = 0.1, 0.45, 0.45
"""How the error α = 1 − confidence is split between the budget's looks, screening and KN."""
RUN_MEASURES = ("staff_hours", "staff_cost")

# TRANSLATORS: what became of a plan in the search (a column of the report's table, a figure's legend).
RECOMMENDED = N_("recommended")
SET_ASIDE = N_("set aside (over budget)")
CURRENT = N_("current")
OVER_BUDGET = N_("over budget")
SCREENED_OUT = N_("screened out")
ELIMINATED = N_("eliminated")
"""A plan's status: English in plans.csv, translated (``_(status)``) where the report shows it."""


class NoFeasiblePlan(Exception):
    """Every candidate is over the budget; the message names the cheapest."""


@dataclass(frozen=True)
class Estimate:
    """A mean with its confidence interval, over `n` replications."""

    mean: float
    ci_low: float
    ci_high: float
    n: int

    @classmethod
    def of(cls, values: np.ndarray, confidence: float) -> Estimate:
        """Return the mean of `values` and its two-sided t interval at `confidence`."""
        n = len(values)
        mean = float(np.mean(values))
        if n < 2:
            return cls(mean, float("nan"), float("nan"), n)
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * np.std(values, ddof=1) / np.sqrt(n))
        return cls(mean, mean - half, mean + half, n)


@dataclass(frozen=True)
class Comparison:
    """The recommended plan against another: the paired difference (recommended minus other)."""

    plan: Plan
    difference: Estimate
    beats_share: float
    """Share of worlds (replications without worlds) where the recommended plan does better."""
    staff_hours: float


@dataclass(frozen=True)
class PlanSummary:
    """What the search learnt of one plan: its means, how many replications, and what became of it."""

    plan: Plan
    objective: float
    staff_hours: float
    staff_cost: float
    replications: int
    status: str
    """over budget, screened out, eliminated, set aside (over budget), recommended, or current (English)."""


@dataclass(frozen=True)
class PlanSearch:
    """The outcome of a search."""

    recommended: Plan
    objective: Estimate
    staff_hours: Estimate
    staff_cost: Estimate
    exceed_chance: dict[str, float]
    runner_up: Comparison | None
    current: Comparison | None
    summaries: list[PlanSummary]
    selection: Selection
    survivors: list[int]
    evaluated_runs: int
    naive_runs: int


def run_search(runs: PlanRuns, plans: list[Plan], current: Plan) -> PlanSearch:
    """Search `plans` for the best within budget; compare it with the runner-up and the `current` plan."""
    spec = runs.search.search
    alpha = 1.0 - spec.confidence
    limits = {k: v for k, v in spec.budget.limits().items() if k in RUN_MEASURES}
    maximise = spec.objective.maximising
    n_screen = spec.screening.replications
    ids = [p.index for p in plans]
    over = _over_budget(runs, plans, limits, alpha * BUDGET_SHARE / 2)
    feasible = [p for p, o in zip(ids, over, strict=True) if not o]
    first = runs.observe(feasible, 0, n_screen)
    if current.index not in ids:  # the current plan on the same replications, for the frontier
        runs.observe([current.index], 0, n_screen)
    kept = np.zeros(len(ids), dtype=bool)
    kept[~over] = screen_to_best(first.objective, spec.delta, alpha * SCREENING_SHARE, maximise)
    survivors = [ids[i] for i in np.flatnonzero(kept)]
    selection, best, set_aside = _select(runs, survivors, len(feasible), limits, alpha * SELECTION_SHARE)
    reps = int(selection.replications[survivors.index(best)])
    own = runs.observe([best], 0, reps)
    others = [p for p in survivors if p != best and p not in set_aside]
    runner = _runner_up(others, selection, survivors, first, feasible, best, maximise)
    compared = {p for p in (runner, current.index) if p is not None and p != best}
    comparisons = {p: _compare(runs, best, p, reps, alpha / 2, maximise) for p in compared}
    return PlanSearch(
        recommended=runs.plans[best],
        objective=Estimate.of(own.objective[0], spec.confidence),
        staff_hours=Estimate.of(own.staff_hours[0], spec.confidence),
        staff_cost=Estimate.of(own.staff_cost[0], spec.confidence),
        exceed_chance=_exceed_chance(runs, best, reps, limits),
        runner_up=comparisons.get(runner) if runner is not None else None,
        current=comparisons.get(current.index),
        summaries=_summaries(runs, plans, current, over, kept, selection, survivors, best, set_aside),
        selection=selection,
        survivors=survivors,
        evaluated_runs=runs.runs,
        naive_runs=_naive_runs(first.objective, len(ids), spec.delta, spec.confidence),
    )


# -- budget ---------------------------------------------------------------------------------------------


def _over_budget(runs: PlanRuns, plans: list[Plan], limits: dict[str, float], alpha: float) -> np.ndarray:
    """Return which plans are clearly over budget: after `BUDGET_LOOK` replications, then after screening's.

    Raises `NoFeasiblePlan`, naming the cheapest plan, when every plan is.
    """
    ids = [p.index for p in plans]
    look = min(BUDGET_LOOK, runs.search.search.screening.replications)
    over = np.zeros(len(ids), dtype=bool)
    for reps in sorted({look, runs.search.search.screening.replications}):
        rest = np.flatnonzero(~over)
        seen = runs.observe([ids[i] for i in rest], 0, reps)
        measures = {m: seen.measure(m) for m in limits}
        over[rest] = clearly_over_budget(measures, limits, alpha, len(rest))
        if over.all():
            raise NoFeasiblePlan(_cheapest([plans[i] for i in rest], seen, limits))
    return over


# -- selection ------------------------------------------------------------------------------------------


def _select(
    runs: PlanRuns, survivors: list[int], screened: int, limits: dict[str, float], alpha: float
) -> tuple[Selection, int, set[int]]:
    """Run KN on the survivors of `screened` plans; set aside a winner over budget and select again."""
    spec = runs.search.search
    set_aside: set[int] = set()
    while True:
        contenders = [p for p in survivors if p not in set_aside]
        if not contenders:
            raise NoFeasiblePlan(
                _("every plan that survived screening is over the budget on average over its replications")
            )

        def sample(rows: list[int], first: int, last: int, plans: list[int] = contenders) -> np.ndarray:
            return runs.observe([plans[i] for i in rows], first, last).objective

        chosen = kn_select(
            sample,
            len(contenders),
            delta=spec.delta,
            confidence=1.0 - alpha,
            n0=max(FIRST_STAGE, spec.screening.replications),
            max_replications=spec.max_replications,
            maximise=spec.objective.maximising,
            guarded=max(screened, len(contenders)),
        )
        best = contenders[chosen.best]
        reps = int(chosen.replications[chosen.best])
        own = runs.observe([best], 0, reps)
        if all(own.measure(m)[0].mean() <= limit for m, limit in limits.items()):
            return _widened(chosen, contenders, survivors), best, set_aside
        set_aside.add(best)


def _widened(chosen: Selection, contenders: list[int], survivors: list[int]) -> Selection:
    """Return the selection with one entry per survivor (one set aside: no replications)."""
    where = {p: i for i, p in enumerate(contenders)}
    replications = np.array([chosen.replications[where[p]] if p in where else 0 for p in survivors])
    dropped = np.array([chosen.dropped_at[where[p]] if p in where else -2 for p in survivors])
    outcomes = [chosen.outcomes[where[p]] if p in where else np.zeros(0) for p in survivors]
    best = survivors.index(contenders[chosen.best])
    return Selection(best, replications, dropped, outcomes, chosen.eta, chosen.h2, chosen.capped)


def _runner_up(
    others: list[int],
    selection: Selection,
    survivors: list[int],
    first: Observations,
    screened: list[int],
    best: int,
    maximise: bool,
) -> int | None:
    """Return the best other survivor (by its mean in the selection), else the best other screened plan."""
    sign = 1.0 if maximise else -1.0
    if others:
        return max(others, key=lambda p: sign * float(np.mean(selection.outcomes[survivors.index(p)])))
    rest = [i for i, p in enumerate(screened) if p != best]
    if not rest:
        return None
    return screened[max(rest, key=lambda i: sign * float(first.objective[i].mean()))]


def _compare(runs: PlanRuns, best: int, other: int, reps: int, alpha: float, maximise: bool) -> Comparison:
    """Return the paired difference of `best` and `other` on the best plan's replications."""
    both = runs.observe([best, other], 0, reps)
    difference = both.objective[0] - both.objective[1]
    by_world = both.by_world.mean(axis=1)  # (plans, worlds): each world's mean over replications
    sign = 1.0 if maximise else -1.0
    if by_world.shape[1] > 1:
        beats = float(np.mean(sign * (by_world[0] - by_world[1]) > 0))
    else:
        beats = float(np.mean(sign * difference > 0))
    return Comparison(
        runs.plans[other], Estimate.of(difference, 1.0 - alpha), beats, float(both.staff_hours[1].mean())
    )


# -- what the search tells ------------------------------------------------------------------------------


def _exceed_chance(runs: PlanRuns, best: int, reps: int, limits: dict[str, float]) -> dict[str, float]:
    """Return, for each budget, the share of the recommended plan's replications over it."""
    every = runs.observe([best], 0, reps)
    return {name: float(np.mean(every.measure(name)[0] > limit)) for name, limit in limits.items()}


def _summaries(
    runs: PlanRuns,
    plans: list[Plan],
    current: Plan,
    over: np.ndarray,
    kept: np.ndarray,
    selection: Selection,
    survivors: list[int],
    best: int,
    set_aside: set[int],
) -> list[PlanSummary]:
    """Return every evaluated plan's means over all its replications, and what became of it."""
    out = []
    everyone = [*plans, *([current] if current.index not in {p.index for p in plans} else [])]
    for i, plan in enumerate(everyone):
        reps = _replications(runs, plan.index)
        seen = runs.observe([plan.index], 0, reps)
        if plan.index == best:
            status = RECOMMENDED
        elif plan.index in set_aside:
            status = SET_ASIDE
        elif i >= len(plans):
            status = CURRENT
        elif over[i]:
            status = OVER_BUDGET
        elif not kept[i]:
            status = SCREENED_OUT
        else:
            status = ELIMINATED
        out.append(
            PlanSummary(
                plan,
                float(seen.objective.mean()),
                float(seen.staff_hours.mean()),
                float(seen.staff_cost.mean()),
                reps,
                status,
            )
        )
    return out


def _replications(runs: PlanRuns, plan: int) -> int:
    """Return how many whole replications (every world) a plan has, counted from the first."""
    worlds = len(runs.worlds)
    reps = 0
    while all((plan, reps * worlds + w) in runs.values for w in range(worlds)):
        reps += 1
    return reps


def _cheapest(plans: list[Plan], first: Observations, limits: dict[str, float]) -> str:
    """Return the sentence naming the cheapest plan and its cost, for a search where every plan is over."""
    name = next(iter(limits))
    values = first.measure(name).mean(axis=1)
    i = int(np.argmin(values))
    if name == "staff_hours":
        message = _(
            "no plan is within the budget ({name} at most {limit}): the cheapest, plan {plan} ({levers}),"
            " needs {value} staff hours on average"
        )
        limit, value = f"{limits[name]:,.0f}", f"{values[i]:,.0f}"
    else:
        message = _(
            "no plan is within the budget ({name} at most {limit}): the cheapest, plan {plan} ({levers}),"
            " needs {value} CNY of staff time on average"
        )
        limit, value = yuan(limits[name]), yuan(values[i])
    return message.format(
        name=name, limit=limit, plan=plans[i].index, levers=plans[i].describe(), value=value
    )


def yuan(amount: float) -> str:
    """Return an amount of money as the search writes it: ``12,345`` in English, ``1.23万元`` in Chinese."""
    return f"{amount:,.0f}" if speaks_english() else formats.money(amount)


def _naive_runs(first: np.ndarray, plans: int, delta: float, confidence: float) -> int:
    """Return about the runs an equal-replication search would need for the same guarantee.

    A two-stage procedure with common random numbers and Bonferroni's inequality
    (Clark and Yang 1986): after a first stage of n0 = FIRST_STAGE replications, plan i
    needs N_il = ⌈(t S_il / δ)²⌉ against plan l, t the 1 − α/(k − 1) quantile of
    Student's t with n0 − 1 degrees of freedom; with equal replication every plan gets
    the largest, N = max(n0, N_il): what one must run when no plan is dropped early.
    S_il is estimated from the screening replications here.
    """
    if len(first) < 2:
        return plans * FIRST_STAGE
    t = stats.t.ppf(1.0 - (1.0 - confidence) / (len(first) - 1), FIRST_STAGE - 1)
    differences = first[:, None, :] - first[None, :, :]
    worst = float(differences.std(axis=2, ddof=1).max())
    return plans * max(FIRST_STAGE, int(np.ceil((t * worst / delta) ** 2)))
