"""frontier.png and report.html of a plan search: every plan's objective against its staff hours."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from sim.experiments.readable import outcome_label
from sim.languages import _, active, formats
from sim.plans.load import ResolvedSearch
from sim.plans.schema import is_share
from sim.plans.search import (
    CURRENT,
    ELIMINATED,
    OVER_BUDGET,
    RECOMMENDED,
    SCREENED_OUT,
    SET_ASIDE,
    PlanSearch,
    yuan,
)
from sim.plans.write import headline
from sim.views.canvas import new_figure, png_data_uri, style_axes
from sim.views.report import html_page

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["frontier_figure", "pareto_front", "render_plan_report"]

COLOURS = {
    SCREENED_OUT: "#bbbbbb",
    OVER_BUDGET: "#e6a0a0",
    SET_ASIDE: "#e6a0a0",
    ELIMINATED: "#7aa6d6",
    CURRENT: "#111111",
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
            axes.scatter(hours[mask], objective[mask], s=18, color=colour, label=_(status), zorder=2)
    front = pareto_front(hours, objective, spec.objective.maximising)
    order = np.argsort(hours[front])
    axes.plot(
        hours[front][order], objective[front][order], color="#1f77b4", linewidth=1.2, label=_("Pareto front")
    )
    best = next(i for i, s in enumerate(summaries) if s.status == RECOMMENDED)
    axes.scatter(
        hours[best], objective[best], s=160, marker="*", color="#d62728", label=_(RECOMMENDED), zorder=3
    )
    limit = spec.budget.staff_hours
    if limit is not None:
        axes.axvline(limit, color="#d62728", linestyle="--", linewidth=1, label=_("budget"))
    axes.set_xlabel(_("staff hours (mean over replications)"))
    axes.set_ylabel(outcome_label(spec.objective.outcome) + (" (%)" if share else ""))
    axes.ticklabel_format(axis="both", useOffset=False, style="plain")
    axes.legend(fontsize=8, loc="best")
    style_axes(axes)
    return figure


def render_plan_report(search: ResolvedSearch, found: PlanSearch, facts: list[str]) -> str:
    """Return the whole HTML page of a plan search."""
    title = _("Plan search: {name}").format(name=search.name)
    parts = [
        f"<h1>{html.escape(title)}</h1>\n",
        f"<p class='lead'><strong>{html.escape(headline(search, found))}</strong></p>\n",
        "<ul class='meta'>" + "".join(f"<li>{html.escape(f)}</li>" for f in facts) + "</ul>\n",
        _section(
            _("Every plan tried"), _figure(frontier_figure(search, found), _frontier_caption(search, found))
        ),
        _section(_("Against the runner-up and your current plan"), _comparisons(search, found)),
        _section(_("Budget"), f"<p>{html.escape(_budget_sentence(search, found))}</p>\n"),
        _section(_("The leading plans"), _table(search, found)),
        _section(_("How sure"), f"<p>{html.escape(_confidence_sentence(search, found))}</p>\n"),
    ]
    page = html_page(html.escape(title), parts)
    return page.replace('<html lang="en">', f'<html lang="{active()}">', 1)


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{html.escape(title)}</h2>\n{body}</section>\n"


def _figure(figure: Figure, caption: str) -> str:
    alt = _("objective against staff hours")
    return (
        f'<figure><img src="{png_data_uri(figure)}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>\n"
    )


def _frontier_caption(search: ResolvedSearch, found: PlanSearch) -> str:
    return _(
        "Each dot is a plan, at its mean over the replications it received ({plans} plans). Grey: dropped at"
        " screening; pink: over budget; blue: eliminated by the selection; black: your current plan; red"
        " star: the recommended plan. The line joins the plans no other beats on both staff hours and the"
        " objective."
    ).format(plans=len(found.summaries))


def _table(search: ResolvedSearch, found: PlanSearch, rows: int = 12) -> str:
    share = is_share(search.search.objective.outcome)
    sign = 1 if search.search.objective.maximising else -1
    ranked = sorted(found.summaries, key=lambda s: (-sign * s.objective, s.plan.index))[:rows]
    columns = (_("plan"), _("levers"), _("objective"), _("staff hours"), _("runs"), _("status"))
    head = "<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>"
    body = "".join(
        f"<tr><td>{s.plan.index}</td><td>{html.escape(s.plan.describe())}</td>"
        f"<td>{_value(s.objective, share)}</td><td>{s.staff_hours:,.0f}</td><td>{s.replications}</td>"
        f"<td>{html.escape(_(s.status))}</td></tr>"
        for s in ranked
    )
    return f"<table>{head}{body}</table>\n"


def _comparisons(search: ResolvedSearch, found: PlanSearch) -> str:
    share = is_share(search.search.objective.outcome)
    better_in = _("{share} of worlds") if search.worlds is not None else _("{share} of replications")
    columns = ("", _("plan"), _("recommended minus it"), _("recommended better in"), _("its staff hours"))
    head = "<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>"
    rows = []
    for name, c in ((_("runner-up"), found.runner_up), (_("current plan"), found.current)):
        if c is None:
            continue
        d = c.difference
        interval = _("{difference} [{low}, {high}]").format(
            difference=_difference(d.mean, share),
            low=_difference(d.ci_low, share),
            high=_difference(d.ci_high, share),
        )
        plan = _("{index}: {levers}").format(index=c.plan.index, levers=c.plan.describe())
        better = better_in.format(share=f"{c.beats_share:.0%}")
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{html.escape(plan)}</td><td>{html.escape(interval)}</td>"
            f"<td>{html.escape(better)}</td><td>{c.staff_hours:,.0f}</td></tr>"
        )
    if not rows:
        text = _("The recommended plan is your current plan, and no other plan survived to be compared.")
        return f"<p>{html.escape(text, quote=False)}</p>\n"
    note = _(
        "Paired differences on the recommended plan's replications (common random numbers), with {confidence}"
        " intervals adjusted for the two comparisons (Bonferroni)."
    ).format(confidence=f"{search.search.confidence:.0%}")
    note = f"<p>{html.escape(note, quote=False)}</p>\n"
    return f"<table>{head}{''.join(rows)}</table>\n{note}"


def _budget_sentence(search: ResolvedSearch, found: PlanSearch) -> str:
    limits = search.search.budget.limits()
    if not limits:
        return _("The search has no budget.")
    parts = []
    for name, limit in limits.items():
        if name == "team.collectors":
            parts.append(
                _("at most {limit} collectors: plans with more were not tried").format(limit=f"{limit:.0f}")
            )
            continue
        chance = f"{found.exceed_chance.get(name, 0.0):.0%}"
        if name == "staff_hours":
            parts.append(
                _(
                    "at most {limit} staff hours: the recommended plan needs {mean} on average and"
                    " exceeds the limit in {chance} of its replications"
                ).format(limit=f"{limit:,.0f}", mean=f"{found.staff_hours.mean:,.0f}", chance=chance)
            )
        else:
            parts.append(
                _(
                    "at most {limit} CNY of staff time: the recommended plan needs {mean} on average and"
                    " exceeds the limit in {chance} of its replications"
                ).format(limit=yuan(limit), mean=yuan(found.staff_cost.mean), chance=chance)
            )
    # TRANSLATORS: between the limits of a budget ("at most 900 staff hours: ...; at most 3 collectors: ...").
    text = _("; ").join(parts)
    text = f"{text[0].upper()}{text[1:]}"
    return _("{limits}. A budget holds when the mean over replications is within it.").format(limits=text)


def _difference(value: float, share: bool) -> str:
    return formats.points(100 * value) if share else f"{value:+.3g}"


def _value(value: float, share: bool) -> str:
    return f"{100 * value:.1f}%" if share else f"{value:.3g}"


def _confidence_sentence(search: ResolvedSearch, found: PlanSearch) -> str:
    spec = search.search
    zone = (
        _("{value} pp").format(value=f"{spec.indifference_pp:g}")
        if spec.indifference is None
        else f"{spec.delta:g}"
    )
    numbers = {
        "plans": len(found.summaries),
        "runs": f"{found.evaluated_runs:,}",
        "survivors": len(found.survivors),
        "confidence": f"{spec.confidence:.0%}",
        "zone": zone,
        "naive": f"{found.naive_runs:,}",
    }
    if found.selection.capped:
        text = _(
            "{plans} plans, {runs} runs; {survivors} survived screening. With probability at least"
            " {confidence}, the recommended plan is within {zone} of the best plan within budget (screening"
            " to the best, then procedure KN, on common random numbers). Giving every plan the same"
            " replications for the same guarantee would take about {naive} runs. The selection reached"
            " max_replications before one plan was left: the plan with the best mean among those left is"
            " recommended, and the guarantee does not hold."
        )
    else:
        text = _(
            "{plans} plans, {runs} runs; {survivors} survived screening. With probability at least"
            " {confidence}, the recommended plan is within {zone} of the best plan within budget (screening"
            " to the best, then procedure KN, on common random numbers). Giving every plan the same"
            " replications for the same guarantee would take about {naive} runs."
        )
    return text.format(**numbers)
