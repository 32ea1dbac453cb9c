"""``feesim calibrate``: read a ledger, calibrate the scenario to it, write the folder, say what was found."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.calibration.payments import Payments
from sim.languages import _

if TYPE_CHECKING:
    from sim.calibration.procedure import Calibration, CalibrationSettings
    from sim.data.contact_log import ContactLog
    from sim.data.ledger import Ledger
    from sim.population import Population
    from sim.scenario.schema import Scenario

__all__ = ["calibrate_command", "observed_payments"]


def calibrate_command(
    scenario_file: Path,
    *,
    ledger: Path,
    calls: Path | None,
    out: Path | None,
    settings: CalibrationSettings,
    overrides: list[str] | None,
    column_map: list[str] | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Calibrate a scenario to a ledger; write calibrated.yaml, posterior.parquet, fit.json, report.html."""
    import os

    import typer

    from sim.calibration.procedure import calibrate, calibrated_priors
    from sim.console import error, fail_cleanly, sigterm_as_ctrl_c
    from sim.data.contact_log import read_contacts
    from sim.data.ledger import LEDGER_FIELDS, read_ledger
    from sim.data.tables import parse_column_map
    from sim.output import ensure_folder
    from sim.population import draw_population
    from sim.rng import Streams, replication_seed
    from sim.scenario import load_scenario, parse_overrides

    with fail_cleanly():
        parsed = parse_overrides(overrides or [])
        scenario = load_scenario(scenario_file, parsed)
        calibrated_priors(settings)
        population = draw_population(scenario, Streams(replication_seed(settings.seed, 0)))
        window = (scenario.start_date, scenario.horizon_days)
        book = read_ledger(
            ledger, population.unit_labels, *window, column_map=parse_column_map(column_map, LEDGER_FIELDS)
        )
        log = read_contacts(calls, population.unit_labels, *window) if calls is not None else None
        warnings = [*book.warnings, *(log.warnings if log is not None else ())]
        observed = observed_payments(book, population, log)
        folder = ensure_folder(out if out is not None else Path("results") / f"{scenario.name}-calibration")
    for warning in warnings:
        error(_("warning: {warning}").format(warning=warning))
    workers = workers or os.cpu_count() or 1
    started = time.perf_counter()
    with sigterm_as_ctrl_c(), _progress(settings) as advance, fail_cleanly():
        calibration = calibrate(
            scenario, observed, settings, workers, scheduler, advance, _building_labels(population)
        )
    wall = time.perf_counter() - started
    files = _write(folder, calibration, scenario, scenario_file, parsed, ledger, calls, settings, wall)
    typer.echo(_summary(calibration, files, wall))


def observed_payments(book: Ledger, population: Population, log: ContactLog | None = None) -> Payments:
    """Return the ledger's payments laid on the population's households (an unpaid household: NaN day).

    With a contact log, the payments also hold its contacts: each one's household and day.
    """
    totals = book.unit_totals()
    owner = _owners(population, totals["unit"])
    paid_day = np.full(population.size, np.nan)
    amount = np.zeros(population.size)
    paid_day[owner] = totals["first_day"].to_numpy(dtype=float)
    amount[owner] = totals["amount"].to_numpy(dtype=float)
    contact_owner = contact_day = None
    if log is not None:
        contact_owner = _owners(population, log.contacts["unit"])
        contact_day = log.contacts["day"].to_numpy(dtype=np.int64)
    return Payments.of(
        population.building, population.fee, paid_day, amount, book.horizon_days, contact_owner, contact_day
    )


def _owners(population: Population, units: Sequence[str]) -> np.ndarray:
    """Return the household index of each unit label."""
    return np.array([population.owner_of_unit(unit) for unit in units], dtype=np.int64)


def _building_labels(population: Population) -> list[str] | None:
    """Return the roster's building labels, by building index (None: buildings are numbered from 1)."""
    return list(population.building_ids) if population.building_ids is not None else None


class _progress:
    """A progress bar on stderr (when it is a terminal) counting the calibration's runs."""

    def __init__(self, settings: CalibrationSettings) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from sim.console import stderr

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self.bar = Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal)
        self.total = settings.runs + settings.check_runs

    def __enter__(self) -> object:
        self.bar.__enter__()
        task = self.bar.add_task(_("calibrating"), total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)


def _write(
    folder: Path,
    calibration: Calibration,
    scenario: Scenario,
    scenario_file: Path,
    overrides: dict[str, object],
    ledger: Path,
    calls: Path | None,
    settings: CalibrationSettings,
    wall: float,
) -> list[Path]:
    from sim.calibration.report import render_calibration_report
    from sim.calibration.write import write_tables
    from sim.output import write_text_atomic

    facts = {
        "scenario": str(scenario_file),
        "ledger": str(ledger),
        **({"contact_log": str(calls)} if calls is not None else {}),
        "households": calibration.households,
        "seed": settings.seed,
        "design_runs": settings.runs,
        "wall_seconds": round(wall, 1),
    }
    files = write_tables(folder, calibration, scenario_file, overrides, facts)
    sources = (
        _("Scenario {file} ({name}), ledger {ledger}")
        if calls is None
        else _("Scenario {file} ({name}), ledger {ledger}, contact log {calls}")
    )
    lines = [
        sources.format(file=scenario_file, name=scenario.name, ledger=ledger, calls=calls),
        _("{runs} runs in {seconds} s, seed {seed}").format(
            runs=f"{calibration.runs:,}", seconds=f"{wall:.0f}", seed=settings.seed
        ),
        _(
            "Use it: feesim compare PLAN_A.yaml PLAN_B.yaml with `extends: calibrated.yaml`, and"
            " --worlds N --priors posterior.parquet to carry the uncertainty."
        ),
    ]
    title = _("Calibration of {name} to {ledger}").format(name=scenario.name, ledger=ledger.name)
    files.append(
        write_text_atomic(folder / "report.html", render_calibration_report(calibration, title, lines))
    )
    return files


def _summary(calibration: Calibration, files: Sequence[Path], wall: float) -> str:
    """Return what the command prints: the fit in a sentence, the parameters, the files (80 columns)."""
    from sim.languages.wrap import pad, wrap

    check = calibration.check
    final = check.final_error_pp
    if not round(final, 1):
        ends = _("ends on it")
    else:
        ends = (_("ends {points} pp above it") if final > 0 else _("ends {points} pp below it")).format(
            points=f"{abs(final):.1f}"
        )
    sentence = _(
        "Calibrated in {seconds} s ({runs} runs). The posterior's curve is {rmse} pp from the ledger (RMSE)"
        " and {ends}; the hold-out ({holdout}) is predicted within {holdout_rmse} pp."
    ).format(
        seconds=f"{wall:.0f}",
        runs=f"{calibration.runs:,}",
        rmse=f"{check.rmse_pp:.1f}",
        ends=ends,
        holdout=calibration.holdout_description(),
        holdout_rmse=f"{calibration.holdout.rmse_pp:.1f}",
    )
    width = max(len(p.key) for p in calibration.parameters)
    columns = (pad(_("parameter"), width), pad(_("estimate"), 9), _("90% interval"))
    head = "  ".join(columns)
    lines = [*wrap(sentence, 79), "", head.rstrip()]
    for p in calibration.parameters:
        flag = "" if p.identified else " *"
        lines.append(f"{p.key:<{width}}  {p.estimate:<9.4g}  [{p.ci_low:.4g}, {p.ci_high:.4g}]{flag}")
    if not all(p.identified for p in calibration.parameters):
        lines += wrap(
            _(
                "* not identified by the ledger: its interval spans half its prior or more;"
                " compare plans in the posterior's worlds to carry it."
            ),
            79,
        )
    if calibration.contacts is not None:
        lines += ["", *wrap(_contact_sentence(calibration), 79)]
    lines += ["", *(_("wrote {path}").format(path=f) for f in files)]
    return "\n".join(lines)


def _contact_sentence(calibration: Calibration) -> str:
    """Return what the summary says of the contact log the fit used."""
    within = calibration.contact_moments[0]
    return _(
        "The contact log was used: {contacts} contacts; contacted households paying within 3 days of a"
        " contact, observed {observed}% vs simulated {simulated}% (the posterior's median)."
    ).format(
        contacts=f"{calibration.contacts or 0:,}",
        observed=f"{100 * within.observed:.0f}",
        simulated=f"{100 * within.median:.0f}",
    )
