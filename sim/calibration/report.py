"""report.html of a calibration: observed and simulated curves, by building, parameters, hold-out."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from sim.calibration.procedure import Calibration, Check
from sim.languages import _, active
from sim.views.canvas import new_figure, png_data_uri, style_axes
from sim.views.report import html_page

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["render_calibration_report"]

OBSERVED, SIMULATED = "#111111", "#1f77b4"
MAX_BUILDING_PANELS = 24


def render_calibration_report(calibration: Calibration, title: str, facts: list[str]) -> str:
    """Return the whole HTML page of a calibration."""
    check, holdout = calibration.check, calibration.holdout
    parts = [
        f"<h1>{html.escape(title)}</h1>\n",
        "<ul class='meta'>" + "".join(f"<li>{html.escape(f)}</li>" for f in facts) + "</ul>\n",
        _section(
            _("Observed against simulated"),
            f"<p>{html.escape(_fit_sentence(calibration))}</p>\n"
            + _figure(
                _curves_figure(calibration),
                _("observed and simulated collection curves"),
                _band_caption(calibration),
            ),
        ),
        *_contact_section(calibration),
        _section(
            _("By building"),
            _figure(_buildings_figure(calibration), _("curves by building"), _buildings_caption(calibration)),
        ),
        _section(
            _("Parameters"),
            _parameter_table(calibration)
            + _figure(_intervals_figure(calibration), _("parameter intervals"), _intervals_caption()),
        ),
        _section(
            _("Correlations in the posterior"),
            _figure(_correlation_figure(calibration), _("correlation matrix"), _correlation_caption()),
        ),
        _section(
            _("Hold-out check"),
            f"<p>{html.escape(_holdout_sentence(calibration))}</p>\n"
            + _figure(
                _single_figure(holdout, _("Hold-out: households paid")),
                _("hold-out prediction"),
                _("Black: the ledger's held-out households; blue: predicted median and 90% band."),
            ),
        ),
        _section(_("Method"), f"<p>{html.escape(_method_sentence(calibration))}</p>\n"),
    ]
    del check
    return page_in_language(html.escape(title), parts)


def page_in_language(title: str, parts: list[str]) -> str:
    """Return the report page (`sim.views.report.html_page`) marked with the language spoken."""
    page = html_page(title, parts)
    return page.replace('<html lang="en">', f'<html lang="{active()}">', 1)


def _section(title: str, body: str) -> str:
    return f"<section>\n<h2>{html.escape(title)}</h2>\n{body}</section>\n"


def _figure(figure: Figure, alt: str, caption: str) -> str:
    return (
        f'<figure><img src="{png_data_uri(figure)}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>\n"
    )


def _fit_sentence(c: Calibration) -> str:
    k = c.check
    return _(
        "The calibrated model's median curve is {rmse} points from the ledger's on average (RMSE), {most} at"
        " most, and ends {final} points from it; it explains {r2}% of the curve's variation, and the ledger"
        " lies inside the 90% band on {inside}% of the days."
    ).format(
        rmse=f"{k.rmse_pp:.1f}",
        most=f"{k.max_dev_pp:.1f}",
        final=f"{k.final_error_pp:+.1f}",
        r2=f"{100 * k.r2:.1f}",
        inside=f"{100 * k.inside_band:.0f}",
    )


def _contact_section(c: Calibration) -> list[str]:
    """Return the contact log's section (none when the fit did not use one)."""
    if c.contacts is None:
        return []
    rows = "".join(
        f"<tr><td><code>{html.escape(m.name)}</code></td><td>{m.observed:.3g}</td><td>{m.median:.3g}</td>"
        f"<td>[{m.low:.3g}, {m.high:.3g}]</td></tr>"
        for m in c.contact_moments
    )
    head = _head((_("moment"), _("contact log"), _("simulated median"), _("90% band")))
    text = _(
        "The fit used the contact log's {contacts} contacts: the share of contacted households that paid on"
        " the day of a contact or within the 3 days after it, the share of payers contacted on the day they"
        " paid, and the contacts per household; here against the same moments of the runs in worlds drawn"
        " from the posterior."
    ).format(contacts=f"{c.contacts:,}")
    return [
        _section(
            _("Contact log"), f"<p>{html.escape(text)}</p>\n<table>{head}<tbody>{rows}</tbody></table>\n"
        )
    ]


def _head(columns: tuple[str, ...]) -> str:
    """Return a table's head row (its cells escaped)."""
    return "<thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr></thead>"


def _holdout_sentence(c: Calibration) -> str:
    h = c.holdout
    return _(
        "Calibrated again on part of the ledger only ({split}): the prediction of the rest is {rmse} points"
        " from what happened (RMSE), ends {final} points from it, and the held-out curve lies inside the"
        " predicted 90% band on {inside}% of the days."
    ).format(
        split=c.holdout_description(),
        rmse=f"{h.rmse_pp:.1f}",
        final=f"{h.final_error_pp:+.1f}",
        inside=f"{100 * h.inside_band:.0f}",
    )


def _method_sentence(c: Calibration) -> str:
    numbers = {
        "runs": f"{len(c.design.u):,}",
        "parameters": len(c.parameters),
        "moments": len(c.moments),
        "worlds": c.runs - len(c.design.u),
    }
    if c.contacts is None:
        text = _(
            "{runs} runs over a Latin hypercube of the priors of {parameters} parameters, one replication"
            " each on its own seed; {moments} moments of each run (weekly household and money paid shares,"
            " the unpaid share at the end, payment-day quantiles, the spread between buildings) reduced to"
            " one summary per parameter by ridge regression; the nearest quarter of the runs kept, weighted"
            " and moved by a local-linear regression (regression ABC). The fit check runs the model in"
            " {worlds} worlds drawn from the posterior, on fresh seeds. docs/model.md §36 says more."
        )
    else:
        text = _(
            "{runs} runs over a Latin hypercube of the priors of {parameters} parameters, one replication"
            " each on its own seed; {moments} moments of each run (weekly household and money paid shares,"
            " the unpaid share at the end, payment-day quantiles, the spread between buildings, and three"
            " moments of the contact log) reduced to one summary per parameter by ridge regression; the"
            " nearest quarter of the runs kept, weighted and moved by a local-linear regression (regression"
            " ABC). The fit check runs the model in {worlds} worlds drawn from the posterior, on fresh seeds."
            " docs/model.md §36 says more."
        )
    return text.format(**numbers)


def _band_caption(c: Calibration) -> str:
    return _(
        "Black: the ledger. Blue: the median and 90% band of runs in worlds drawn from the posterior, each on"
        " a fresh seed (the band holds both the parameters' uncertainty and chance)."
    )


def _buildings_caption(c: Calibration) -> str:
    shown = min(len(c.buildings), MAX_BUILDING_PANELS)
    if len(c.buildings) > shown:
        return _(
            "Share of households paid by day in each building (the first {shown} of {buildings}): black the"
            " ledger, blue the posterior runs."
        ).format(shown=shown, buildings=len(c.buildings))
    return _("Share of households paid by day in each building: black the ledger, blue the posterior runs.")


def _intervals_caption() -> str:
    return _(
        "Each parameter on the scale of its prior's quantiles (0: the prior's low end, 1: its high end): the"
        " 90% interval and the median. A short bar is a parameter the ledger pins down; one that spans half"
        " the prior or more is not identified by the ledger."
    )


def _correlation_caption() -> str:
    return _(
        "Correlations between the parameters (log-odds of their prior quantiles) in the posterior: a strong"
        " one means the ledger tells only a combination of the two (e.g. a higher spontaneous rate with a"
        " weaker herd response gives nearly the same curve)."
    )


def _parameter_table(c: Calibration) -> str:
    answer = {True: _("yes"), False: _("no")}
    rows = "".join(
        f"<tr><td><code>{html.escape(p.key)}</code></td><td>{p.estimate:.4g}</td>"
        f"<td>[{p.ci_low:.4g}, {p.ci_high:.4g}]</td><td>[{p.prior_low:g}, {p.prior_high:g}]</td>"
        f"<td>{100 * p.width_share:.0f}%</td><td>{html.escape(answer[p.identified])}</td></tr>"
        for p in c.parameters
    )
    head = _head(
        (
            _("key path"),
            _("estimate"),
            _("90% interval"),
            _("prior range"),
            _("interval / prior"),
            _("identified"),
        )
    )
    return f"<table>{head}<tbody>{rows}</tbody></table>\n"


def _draw_check(axes: Axes, check: Check, title: str) -> None:
    days = np.arange(check.first_day, check.first_day + len(check.observed))
    axes.fill_between(
        days, 100 * check.low, 100 * check.high, color=SIMULATED, alpha=0.25, linewidth=0, label=_("90% band")
    )
    axes.plot(days, 100 * check.median, color=SIMULATED, linewidth=1.5, label=_("simulated median"))
    axes.plot(days, 100 * check.observed, color=OBSERVED, linewidth=1.2, label=_("ledger"))
    axes.set_title(title, fontsize=9)
    axes.set_ylim(0, 100)
    style_axes(axes)


def _curves_figure(c: Calibration) -> Figure:
    figure = new_figure(10, 3.8)
    left, right = figure.subplots(1, 2)
    _draw_check(left, c.check, _("Households paid (%)"))
    _draw_check(right, c.money_check, _("Fees collected (%)"))
    for axes in (left, right):
        axes.set_xlabel(_("day of the campaign"))
    left.legend(loc="lower right", fontsize=8)
    return figure


def _single_figure(check: Check, title: str) -> Figure:
    figure = new_figure(6, 3.6)
    axes = figure.subplots()
    _draw_check(axes, check, title)
    axes.set_xlabel(_("day of the campaign"))
    axes.legend(loc="lower right", fontsize=8)
    return figure


def _buildings_figure(c: Calibration) -> Figure:
    items = list(c.buildings.items())[:MAX_BUILDING_PANELS]
    columns = min(6, len(items))
    rows = -(-len(items) // columns)
    figure = new_figure(1.8 * columns + 0.6, 1.6 * rows + 0.4)
    grid = np.atleast_1d(figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)).ravel()
    for axes, (label, check) in zip(grid, items, strict=False):
        _draw_check(axes, check, _("building {label}").format(label=label))
        axes.tick_params(labelsize=7)
    for axes in grid[len(items) :]:
        axes.set_visible(False)
    for axes in grid[max(len(items) - columns, 0) : len(items)]:
        axes.tick_params(labelbottom=True)  # the lowest panel of each column shows the days
    figure.supxlabel(_("day of the campaign"), fontsize=9)
    figure.supylabel(_("households paid (%)"), fontsize=9)
    return figure


def _intervals_figure(c: Calibration) -> Figure:
    figure = new_figure(8, 0.45 * len(c.parameters) + 1.0)
    axes = figure.subplots()
    low, mid, high = c.fit.quantiles((0.05, 0.5, 0.95))
    y = np.arange(len(c.parameters))[::-1]
    colours = [SIMULATED if p.identified else "#999999" for p in c.parameters]
    axes.hlines(y, low, high, colors=colours, linewidth=4)
    axes.scatter(mid, y, color=OBSERVED, zorder=3, s=14)
    axes.set_yticks(y, [p.key.removeprefix("owners.segments.") for p in c.parameters], fontsize=8)
    axes.set_xlim(0, 1)
    axes.set_xlabel(_("prior quantile (0 = low end of the prior's range, 1 = high end)"))
    style_axes(axes)
    return figure


def _correlation_figure(c: Calibration) -> Figure:
    n = len(c.parameters)
    figure = new_figure(0.55 * n + 3.2, 0.5 * n + 1.6)
    axes = figure.subplots()
    image = axes.imshow(c.correlation, vmin=-1, vmax=1, cmap="RdBu_r")
    names = [p.key.removeprefix("owners.segments.") for p in c.parameters]
    axes.set_xticks(range(n), names, rotation=60, ha="right", fontsize=7)
    axes.set_yticks(range(n), names, fontsize=7)
    for i in range(n):
        for j in range(n):
            axes.text(j, i, f"{c.correlation[i, j]:.2f}", ha="center", va="center", fontsize=6)
    figure.colorbar(image, ax=axes, shrink=0.8)
    return figure
