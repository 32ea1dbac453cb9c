"""Candidates for a search too large to try every plan: proposed by a constrained optimiser (Optuna).

When the levers make more plans than `candidates.enumerate_up_to`, or a lever
takes any value in a range, Optuna's TPE sampler with constraints (Watanabe
and Hutter's c-TPE; ``Trial.set_constraint``) proposes plans a batch at a
time.  Each proposal runs the search's screening replications (the same seeds
as every other plan: common random numbers) and is told its mean objective and,
as constraints, how far its mean staff hours and staff cost are over budget.
The proposals, the current plan first, become the candidates that screening and
selection then work on, reusing those runs.

Batches have a fixed size (not the number of workers) and the sampler a fixed
seed, so the same search proposes the same plans whatever runs it, and a
resumed search proposes them again from the runs it has kept.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.experiments.schema import RangeLever, ValuesLever
from sim.plans.candidates import COLLECTORS, Plan, collector_limit, same_setting, value_at
from sim.plans.load import ResolvedSearch

if TYPE_CHECKING:
    from sim.plans.runs import PlanRuns

__all__ = ["BATCH", "generate_plans"]

BATCH = 8
"""Proposals asked for at once (their runs go to the workers together)."""
MAX_TRIALS_PER_PLAN = 3
"""Stop after this many proposals per plan wanted, when the optimiser keeps proposing plans it has seen."""


def generate_plans(search: ResolvedSearch, runs: PlanRuns) -> list[Plan]:
    """Return `candidates.generate` distinct plans Optuna proposes, each run on the screening replications."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    spec = search.search
    limits = {k: v for k, v in spec.budget.limits().items() if k != COLLECTORS}
    sampler = optuna.samplers.TPESampler(seed=spec.seed)
    study = optuna.create_study(
        direction="maximize" if spec.objective.maximising else "minimize", sampler=sampler
    )
    current = _current_params(search)
    if current is not None:
        study.enqueue_trial(current)
    plans: list[Plan] = []
    seen: dict[str, Plan] = {}
    trials = 0
    while len(plans) < spec.candidates.generate and trials < MAX_TRIALS_PER_PLAN * spec.candidates.generate:
        batch = [study.ask(_distributions(search)) for _ in range(BATCH)]
        trials += len(batch)
        proposed = [_plan(search, trial.params, seen, plans, runs) for trial in batch]
        observed = runs.observe([p.index for p in proposed], 0, spec.screening.replications)
        for i, trial in enumerate(batch):
            for measure, limit in limits.items():  # feasible when every constraint is at most 0
                trial.set_constraint(measure, float(observed.measure(measure)[i].mean() - limit))
            study.tell(trial, float(observed.objective[i].mean()))
    return plans[: max(spec.candidates.generate, 1)]


def _distributions(search: ResolvedSearch) -> dict[str, Any]:
    """Return each lever's Optuna distribution: an index into its values, or its range (within budget)."""
    import optuna.distributions as d

    out: dict[str, Any] = {}
    for key, lever in search.search.levers.items():
        if isinstance(lever, ValuesLever):
            choices = [
                i for i, (_label, value) in enumerate(lever.labelled()) if _affordable(search, key, value)
            ]
            out[key] = d.CategoricalDistribution(choices)
        elif lever.integer:
            high = min(math.floor(lever.range.max), _cap(search, key))
            out[key] = d.IntDistribution(math.ceil(lever.range.min), int(high))
        else:
            out[key] = d.FloatDistribution(lever.range.min, min(lever.range.max, _cap(search, key)))
    return out


def _affordable(search: ResolvedSearch, key: str, value: Any) -> bool:
    return key != COLLECTORS or value <= collector_limit(search)


def _cap(search: ResolvedSearch, key: str) -> float:
    return collector_limit(search) if key == COLLECTORS else math.inf


def _plan(
    search: ResolvedSearch, params: dict[str, Any], seen: dict[str, Plan], plans: list[Plan], runs: PlanRuns
) -> Plan:
    """Return the plan of a proposal: one seen before, or a new one, numbered next and registered."""
    values, labels = {}, {}
    for key, lever in search.search.levers.items():
        if isinstance(lever, ValuesLever):
            labels[key], values[key] = lever.labelled()[int(params[key])]
        else:
            value = int(params[key]) if lever.integer else float(params[key])
            labels[key], values[key] = value, value
    identity = repr(sorted(values.items(), key=lambda item: item[0]))
    if identity not in seen:
        plan = Plan(len(runs.plans), values, labels)
        seen[identity] = plan
        plans.append(plan)
        runs.add(plan)
    return seen[identity]


def _current_params(search: ResolvedSearch) -> dict[str, Any] | None:
    """Return the current plan as Optuna parameters; None if outside the levers' values or the budget."""
    params: dict[str, Any] = {}
    for key, lever in search.search.levers.items():
        value = value_at(search.settings, key)
        if not _affordable(search, key, value):
            return None
        if isinstance(lever, ValuesLever):
            index = next((i for i, (_l, v) in enumerate(lever.labelled()) if same_setting(v, value)), None)
            if index is None:
                return None
            params[key] = index
        elif isinstance(lever, RangeLever) and lever.range.min <= value <= lever.range.max:
            params[key] = value
        else:
            return None
    return params
