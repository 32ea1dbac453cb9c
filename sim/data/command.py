"""``feesim export`` and the data part of ``feesim validate``: the bodies of the commands.

Warnings (harmless oddities of a ledger or contact log) go to stderr, prefixed
``warning:``; summaries go to stdout; bad input exits with code 2 (`fail_cleanly`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.languages import _, ngettext
from sim.scenario.errors import listing

if TYPE_CHECKING:
    from sim.data.contact_log import ContactLog
    from sim.data.ledger import Ledger
    from sim.scenario.schema import Scenario

__all__ = ["export_command", "validate_data_command"]


def export_command(
    scenario_file: Path,
    *,
    roster: Path,
    ledger: Path,
    calls: Path | None,
    seed: int,
    headers: str,
    settings: list[str] | None,
    force: bool,
) -> None:
    """Write replication 0's roster, ledger and contact log; print what was written."""
    import typer

    from sim.console import EXIT_USAGE, error, fail_cleanly
    from sim.data.export import check_targets, export_run
    from sim.scenario import load_scenario, parse_overrides

    if headers not in ("en", "zh"):
        error(_("--headers is en (English) or zh (Chinese), got {value}.").format(value=repr(headers)))
        raise typer.Exit(EXIT_USAGE)
    with fail_cleanly():
        scenario = load_scenario(scenario_file, parse_overrides(settings or []))
        check_targets([roster, ledger, calls], force)
        done = export_run(scenario, seed, roster, ledger, calls, headers)  # type: ignore[arg-type]
    share = done.payers / done.households if done.households else 0.0
    lines = [
        _(
            "replication 0 of seed {seed} of {name}: {payers} of {households}"
            " households paid ({share}), {paid} CNY"
        ).format(
            seed=seed,
            name=scenario.name,
            payers=done.payers,
            households=done.households,
            share=f"{share:.1%}",
            paid=f"{done.paid:,.2f}",
        ),
        _("roster   {file} ({households} households)").format(file=done.files[0], households=done.households),
        _("ledger   {file} ({payers} payments, the fee in full)").format(
            file=done.files[1], payers=done.payers
        ),
    ]
    if done.contacts is not None:
        lines.append(
            _("contacts {file} ({contacts} contacts)").format(file=done.files[2], contacts=done.contacts)
        )
    typer.echo("\n".join(lines))


def validate_data_command(
    scenario_file: Path,
    *,
    ledger: Path | None,
    calls: Path | None,
    column_map: list[str] | None,
    settings: list[str] | None,
) -> None:
    """Check a ledger and/or contact log against a scenario's units and dates; print a summary."""
    import typer

    from sim.console import error, fail_cleanly
    from sim.data.contact_log import CONTACT_FIELDS, read_contacts
    from sim.data.ledger import LEDGER_FIELDS, read_ledger
    from sim.data.tables import parse_column_map
    from sim.scenario import load_scenario, parse_overrides

    with fail_cleanly():
        scenario = load_scenario(scenario_file, parse_overrides(settings or []))
        units = _units(scenario)
        window = (scenario.start_date, scenario.horizon_days)
        units_text = ngettext("{count} unit", "{count} units", len(units)).format(count=len(units))
        lines = [
            _("ok  {path} (name: {name}, {units})").format(
                path=scenario_file, name=scenario.name, units=units_text
            )
        ]
        warnings: list[str] = []
        if ledger is not None:
            mapping = parse_column_map(column_map, LEDGER_FIELDS)
            book = read_ledger(ledger, units, *window, column_map=mapping)
            lines.append(_ledger_summary(book))
            warnings.extend(book.warnings)
        if calls is not None:
            mapping = parse_column_map(column_map, CONTACT_FIELDS) if ledger is None else {}
            log = read_contacts(calls, units, *window, column_map=mapping)
            lines.append(_contacts_summary(log))
            warnings.extend(log.warnings)
    for warning in warnings:
        error(_("warning: {message}").format(message=warning))
    typer.echo("\n".join(lines))


def _units(scenario: Scenario) -> list[str]:
    """Return the unit ids of the scenario's community (the population of seed 0: ids do not depend on it)."""
    from sim.population import draw_population
    from sim.rng import Streams, replication_seed

    return draw_population(scenario, Streams(replication_seed(0, 0))).unit_labels


def _ledger_summary(book: Ledger) -> str:
    payments = book.payments
    if payments.empty:
        return _("ok  {path}: no payments").format(path=book.path)
    first, last = payments["paid_on"].min(), payments["paid_on"].max()
    units = _units_text(payments["unit"].nunique())
    count = len(payments)
    message = ngettext(
        "ok  {path}: {count} payment from {units}, {amount} CNY, {first} to {last}",
        "ok  {path}: {count} payments from {units}, {amount} CNY, {first} to {last}",
        count,
    )
    return message.format(
        path=book.path,
        count=count,
        units=units,
        amount=f"{book.total:,.2f}",
        first=first.isoformat(),
        last=last.isoformat(),
    )


def _contacts_summary(log: ContactLog) -> str:
    contacts = log.contacts
    if contacts.empty:
        return _("ok  {path}: no contacts").format(path=log.path)
    kinds = listing([f"{kind} {n}" for kind, n in log.kinds().items()])
    first, last = contacts["time"].min(), contacts["time"].max()
    units = _units_text(contacts["unit"].nunique())
    count = len(contacts)
    message = ngettext(
        "ok  {path}: {count} contact with {units}, {first} to {last} ({kinds})",
        "ok  {path}: {count} contacts with {units}, {first} to {last} ({kinds})",
        count,
    )
    return message.format(
        path=log.path,
        count=count,
        units=units,
        first=f"{first:%Y-%m-%d}",
        last=f"{last:%Y-%m-%d}",
        kinds=kinds,
    )


def _units_text(count: int) -> str:
    return ngettext("{count} unit", "{count} units", count).format(count=count)
