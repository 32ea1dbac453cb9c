"""frontier.png and report.html of a plan search: every plan's objective against its staff hours."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from sim.plans.load import ResolvedSearch
from sim.plans.schema import is_share
from sim.plans.search import PlanSearch
from sim.plans.write import headline
from sim.views.canvas import new_figure, png_data_uri, style_axes
from sim.views.report import html_page

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["frontier_figure", "pareto_front", "render_plan_report"]

COLOURS = {
    "screened out": "#bbbbbb",
    "over budget": "#e6a0a0",
    "set aside (over budget)": "#e6a0a0",
    "eliminated": "#7aa6d6",
    "current": "#111111",
}


def pareto_front(hours: np.ndarray, objective: np.ndarray, maximise: bool) -> np.ndarray:
    """Return which plans no other beats on both counts (fewer or equal hours and a better objective)."""
    value = objective if maximise else -objective
    front = np.ones(len(hours), dtype=bool)
    for i in range(len(hours)):
        better = (hours <= hours[i]) & (value >= value[i]) & ((hours < hours[i]) | (value > value[i]))
        front[i] = not better.any()
    return front


def frontier_figure(search: ResolvedSearch, found: PlanSearch) -> Figure:
    """Draw every evaluated plan: objective against staff hours, the Pareto front, the budget line."""
    spec = search.search
    share = is_share(spec.objective.outcome)
    scale = 100.0 if share else 1.0
    figure = new_figure(7.5, 4.6)
    axes = figure.add_subplot()
    summaries = found.summaries
    hours = np.array([s.staff_hours for s in summaries])
    objective = np.array([s.objective for s in summaries]) * scale
    for status, colour in COLOURS.items():
        mask = np.array([s.status == status for s in summaries])
        if mask.any():
            axes.scatter(hours[mask], objective[mask], s=18, color=colour, label=status, zorder=2)
    front = pareto_front(hours, objective, spec.objective.maximising)
    order = np.argsort(hours[front])
    axes.plot(
        hours[front][order], objective[front][order], color="#1f77b4", linewidth=1.2, label="Pareto front"
    )
    best = next(i for i, s in enumerate(summaries) if s.status == "recommended")
    axes.scatter(
        hours[best], objective[best], s=160, marker="*", color="#d62728", label="recommended", zorder=3
    )
    limit = spec.budget.staff_hours
    if limit is not None:
        axes.axvline(limit, color="#d62728", linestyle="--", linewidth=1, label="budget")
    axes.set_xlabel("staff hours (mean over replications)")
    axes.set_ylabel(f"{spec.objective.outcome}" + (" (%)" if share else ""))
    axes.ticklabel_format(axis="both", useOffset=False, style="plain")
    axes.legend(fontsize=8, loc="best")
    style_axes(axes)
    return figure


def render_plan_report(search: ResolvedSearch, found: PlanSearch, facts: list[str]) -> str:
    """Return the whole HTML page of a plan search."""
    title = f"Plan search: {search.name}"
    parts = [
        f"<h1>{html.escape(title)}</h1>\n",
        f"<p class='lead'><strong>{html.escape(headline(search, found))}</strong></p>\n",
        "<ul class='meta'>" + "".join(f"<li>{html.escape(f)}</li>" for f in facts) + "</ul>\n",
        _section(
            "Every plan tried", _figure(frontier_figure(search, found), _frontier_caption(search, found))
        ),
        _section("Against the runner-up and your current plan", _comparisons(search, found)),
        _section("Budget", f"<p>{html.escape(_budget_sentence(search, found))}</p>\n"),
        _section("The leading plans", _table(search, found)),
        _section("How sure", f"<p>{html.escape(_confidence_sentence(search, found))}</p>\n"),
    ]
    return html_page(html.escape(title), parts)


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{html.escape(title)}</h2>\n{body}</section>\n"


def _figure(figure: Figure, caption: str) -> str:
    return (
        f'<figure><img src="{png_data_uri(figure)}" alt="objective against staff hours">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>\n"
    )


def _frontier_caption(search: ResolvedSearch, found: PlanSearch) -> str:
    return (
        f"Each dot is a plan, at its mean over the replications it received ({len(found.summaries)} plans)."
        " Grey: dropped at screening; pink: over budget; blue: eliminated by the selection;"
        " black: your current plan; red star: the recommended plan. The line joins the plans no other"
        " beats on both staff hours and the objective."
    )


def _table(search: ResolvedSearch, found: PlanSearch, rows: int = 12) -> str:
    share = is_share(search.search.objective.outcome)
    sign = 1 if search.search.objective.maximising else -1
    ranked = sorted(found.summaries, key=lambda s: (-sign * s.objective, s.plan.index))[:rows]
    columns = ("plan", "levers", "objective", "staff hours", "runs", "status")
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr>"
    body = "".join(
        f"<tr><td>{s.plan.index}</td><td>{html.escape(s.plan.describe())}</td>"
        f"<td>{_value(s.objective, share)}</td><td>{s.staff_hours:,.0f}</td><td>{s.replications}</td>"
        f"<td>{html.escape(s.status)}</td></tr>"
        for s in ranked
    )
    return f"<table>{head}{body}</table>\n"


def _comparisons(search: ResolvedSearch, found: PlanSearch) -> str:
    share = is_share(search.search.objective.outcome)
    where = "worlds" if search.worlds is not None else "replications"
    columns = ("", "plan", "recommended minus it", "recommended better in", "its staff hours")
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr>"
    rows = []
    for name, c in (("runner-up", found.runner_up), ("current plan", found.current)):
        if c is None:
            continue
        d = c.difference
        interval = (
            f"{_difference(d.mean, share)} [{_difference(d.ci_low, share)}, {_difference(d.ci_high, share)}]"
        )
        rows.append(
            f"<tr><td>{name}</td><td>{c.plan.index}: {html.escape(c.plan.describe())}</td><td>{interval}</td>"
            f"<td>{c.beats_share:.0%} of {where}</td><td>{c.staff_hours:,.0f}</td></tr>"
        )
    if not rows:
        return (
            "<p>The recommended plan is your current plan, and no other plan survived to be compared.</p>\n"
        )
    note = (
        "<p>Paired differences on the recommended plan's replications (common random numbers), with"
        f" {search.search.confidence:.0%} intervals adjusted for the two comparisons (Bonferroni).</p>\n"
    )
    return f"<table>{head}{''.join(rows)}</table>\n{note}"


def _budget_sentence(search: ResolvedSearch, found: PlanSearch) -> str:
    limits = search.search.budget.limits()
    if not limits:
        return "The search has no budget."
    parts = []
    for name, limit in limits.items():
        if name == "team.collectors":
            parts.append(f"at most {limit:.0f} collectors: plans with more were not tried")
            continue
        mean = found.staff_hours.mean if name == "staff_hours" else found.staff_cost.mean
        chance = found.exceed_chance.get(name, 0.0)
        unit = "staff hours" if name == "staff_hours" else "CNY of staff time"
        parts.append(
            f"at most {limit:,.0f} {unit}: the recommended plan needs {mean:,.0f} on average"
            f" and exceeds the limit in {chance:.0%} of its replications"
        )
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}. A budget holds when the mean over replications is within it."


def _difference(value: float, share: bool) -> str:
    return f"{100 * value:+.1f} pp" if share else f"{value:+.3g}"


def _value(value: float, share: bool) -> str:
    return f"{100 * value:.1f}%" if share else f"{value:.3g}"


def _confidence_sentence(search: ResolvedSearch, found: PlanSearch) -> str:
    spec = search.search
    zone = f"{spec.indifference_pp:g} pp" if spec.indifference is None else f"{spec.delta:g}"
    capped = (
        " The selection reached max_replications before one plan was left: the plan with the best mean"
        " among those left is recommended, and the guarantee does not hold."
        if found.selection.capped
        else ""
    )
    return (
        f"{len(found.summaries)} plans, {found.evaluated_runs:,} runs;"
        f" {len(found.survivors)} survived screening."
        f" With probability at least {spec.confidence:.0%}, the recommended plan is within {zone} of the best"
        f" plan within budget (screening to the best, then procedure KN, on common random numbers)."
        f" Giving every plan the same replications for the same guarantee would take about"
        f" {found.naive_runs:,} runs.{capped}"
    )
