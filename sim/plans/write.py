"""What a plan search leaves in its folder: plan.yaml, plan.json, plans.csv (the figures of every plan)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from sim.experiments.readable import outcome_label
from sim.languages import N_, _, formats
from sim.languages.wrap import wrap
from sim.output import to_json_text, write_text_atomic
from sim.plans.load import ResolvedSearch
from sim.plans.schema import is_share
from sim.plans.search import Comparison, Estimate, PlanSearch
from sim.scenario.load import nest_key_paths

__all__ = ["headline", "plan_json", "plan_yaml", "write_plan_files"]

AGAINST_CURRENT = {
    (True, True): N_(
        "{difference} [{low}, {high}] {outcome} over your current plan for {change} more staff hours"
    ),
    (True, False): N_(
        "{difference} [{low}, {high}] {outcome} over your current plan for {change} fewer staff hours"
    ),
    (False, True): N_(
        "{difference} [{low}, {high}] {outcome} against your current plan for {change} more staff hours"
    ),
    (False, False): N_(
        "{difference} [{low}, {high}] {outcome} against your current plan for {change} fewer staff hours"
    ),
}
"""The headline's comparison with the current plan, by (difference >= 0, staff hours change >= 0)."""


def write_plan_files(
    folder: Path, search: ResolvedSearch, found: PlanSearch, facts: dict[str, Any]
) -> list[Path]:
    """Write plan.yaml, plan.json and plans.csv into `folder`; return their paths."""
    return [
        write_text_atomic(folder / "plan.yaml", plan_yaml(search, found, folder)),
        write_text_atomic(
            folder / "plan.json", to_json_text(plan_json(search, found, facts), indent=2) + "\n"
        ),
        write_text_atomic(folder / "plans.csv", _plans_csv(found)),
    ]


def plan_yaml(search: ResolvedSearch, found: PlanSearch, folder: Path) -> str:
    """Return the recommended plan as a scenario: the search's base, its overrides and the plan's levers."""
    base = os.path.relpath(search.experiment.base_path.resolve(), folder.resolve())
    nested = nest_key_paths({**search.search.overrides, **found.recommended.values})
    head = [
        *(
            f"# {line}"
            for line in wrap(_("`feesim plan {file}` recommends this plan.").format(file=search.path), 88)
        ),
        *(f"# {line}" for line in wrap(headline(search, found), 88)),
        f"extends: {Path(base).as_posix()}",
        f"name: {search.name}-recommended",
    ]
    body = yaml.safe_dump(nested, sort_keys=False, allow_unicode=True)
    return "\n".join(head) + "\n" + body


def plan_json(search: ResolvedSearch, found: PlanSearch, facts: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of plan.json."""
    spec = search.search
    recommended = found.recommended
    return {
        "recommended": {
            "plan": recommended.index,
            "levers": recommended.values,
            "labels": {k: str(v) for k, v in recommended.labels.items()},
            "objective": _estimate(found.objective),
            "staff_hours": found.staff_hours.mean,
            "staff_cost": found.staff_cost.mean,
            "staff_hours_interval": _estimate(found.staff_hours),
            "budget_exceeded_chance": found.exceed_chance,
            "replications": found.objective.n,
        },
        "runner_up": _comparison(found.runner_up),
        "current": _comparison(found.current),
        "objective": {"outcome": spec.objective.outcome, "maximise": spec.objective.maximising},
        "robustness": spec.robustness if isinstance(spec.robustness, str) else spec.robustness.model_dump(),
        "budget": spec.budget.limits(),
        "candidates": sum(1 for s in found.summaries if s.status != "current"),
        "survivors_of_screening": len(found.survivors),
        "evaluated_runs": found.evaluated_runs,
        "naive_equal_replication_runs": found.naive_runs,
        "confidence": spec.confidence,
        "indifference_pp": spec.indifference_pp if spec.indifference is None else None,
        "indifference": spec.delta,
        "capped": found.selection.capped,
        "worlds": search.world_count if search.worlds is not None else None,
        "procedure": "plans clearly over budget dropped, screening to the best (Nelson et al. 2001),"
        " then KN (Kim and Nelson 2001) continuing from the screening's replications, on common random"
        " numbers; Bonferroni over the three steps",
        **facts,
    }


def headline(search: ResolvedSearch, found: PlanSearch) -> str:
    """Return the search's finding in one sentence a manager can act on."""
    spec = search.search
    share = is_share(spec.objective.outcome)
    plan = _("Plan {index}: {levers}").format(
        index=found.recommended.index, levers=found.recommended.describe()
    )
    current = found.current
    if current is not None:
        d = current.difference
        change = found.staff_hours.mean / current.staff_hours - 1 if current.staff_hours else 0.0
        text = _("{plan}: {comparison}").format(
            plan=plan, comparison=_against_current(d, change, spec, share)
        )
    else:
        text = _("{plan} (it is your current plan): {outcome} {value}").format(
            plan=plan,
            outcome=outcome_label(spec.objective.outcome),
            value=_plain(found.objective.mean, share),
        )
    runner = found.runner_up
    if runner is not None:
        beats = (
            _("it beats the runner-up (plan {plan}) in {share} of worlds")
            if search.worlds is not None
            else _("it beats the runner-up (plan {plan}) in {share} of replications")
        )
        # TRANSLATORS: a sentence and a clause that follows it ("...; it beats the runner-up ...").
        text = _("{sentence}; {clause}").format(
            sentence=text, clause=beats.format(plan=runner.plan.index, share=f"{runner.beats_share:.0%}")
        )
    # TRANSLATORS: the end of the headline sentence.
    return _("{sentence}.").format(sentence=text)


def _against_current(d: Estimate, change: float, spec: Any, share: bool) -> str:
    """Return how the recommended plan compares with the current one: the difference and the staff hours."""
    message = _(AGAINST_CURRENT[(d.mean >= 0, change >= 0)])
    return message.format(
        difference=_signed(d.mean, share),
        low=_signed(d.ci_low, share),
        high=_signed(d.ci_high, share),
        outcome=outcome_label(spec.objective.outcome),
        change=f"{abs(change):.0%}",
    )


def _signed(value: float, share: bool) -> str:
    return formats.points(100 * value) if share else f"{value:+.3g}"


def _plain(value: float, share: bool) -> str:
    return f"{100 * value:.1f}%" if share else f"{value:.3g}"


def _estimate(e: Estimate) -> dict[str, float]:
    return {"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high}


def _comparison(c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "plan": c.plan.index,
        "levers": c.plan.values,
        "labels": {k: str(v) for k, v in c.plan.labels.items()},
        "difference": _estimate(c.difference),
        "difference_is": "recommended minus this plan",
        "replications": c.difference.n,
        "beats_share": c.beats_share,
        "staff_hours": c.staff_hours,
    }


def _plans_csv(found: PlanSearch) -> str:
    import pandas as pd

    rows = [
        {
            "plan": s.plan.index,
            **{k: v for k, v in s.plan.labels.items()},
            "objective": s.objective,
            "staff_hours": s.staff_hours,
            "staff_cost": s.staff_cost,
            "replications": s.replications,
            "status": s.status,
        }
        for s in found.summaries
    ]
    return pd.DataFrame(rows).to_csv(index=False)
