"""``feesim export`` and the data part of ``feesim validate``: the bodies of the commands.

Warnings (harmless oddities of a ledger or contact log) go to stderr, prefixed
``warning:``; summaries go to stdout; bad input exits with code 2 (`fail_cleanly`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
        error(f"--headers is en (English) or zh (Chinese), got {headers!r}.")
        raise typer.Exit(EXIT_USAGE)
    with fail_cleanly():
        scenario = load_scenario(scenario_file, parse_overrides(settings or []))
        check_targets([roster, ledger, calls], force)
        done = export_run(scenario, seed, roster, ledger, calls, headers)  # type: ignore[arg-type]
    share = done.payers / done.households if done.households else 0.0
    lines = [
        f"replication 0 of seed {seed} of {scenario.name}: {done.payers} of {done.households}"
        f" households paid ({share:.1%}), {done.paid:,.2f} CNY",
        f"roster   {done.files[0]} ({done.households} households)",
        f"ledger   {done.files[1]} ({done.payers} payments, the fee in full)",
    ]
    if done.contacts is not None:
        lines.append(f"contacts {done.files[2]} ({done.contacts} contacts)")
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
        lines = [f"ok  {scenario_file} (name: {scenario.name}, {len(units)} units)"]
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
        error(f"warning: {warning}")
    typer.echo("\n".join(lines))


def _units(scenario: Scenario) -> list[str]:
    """Return the unit ids of the scenario's community (the population of seed 0: ids do not depend on it)."""
    from sim.population import draw_population
    from sim.rng import Streams, replication_seed

    return draw_population(scenario, Streams(replication_seed(0, 0))).unit_labels


def _ledger_summary(book: Ledger) -> str:
    payments = book.payments
    if payments.empty:
        return f"ok  {book.path}: no payments"
    first, last = payments["paid_on"].min(), payments["paid_on"].max()
    units = _count(payments["unit"].nunique(), "unit")
    return (
        f"ok  {book.path}: {_count(len(payments), 'payment')} from {units},"
        f" {book.total:,.2f} CNY, {first.isoformat()} to {last.isoformat()}"
    )


def _contacts_summary(log: ContactLog) -> str:
    contacts = log.contacts
    if contacts.empty:
        return f"ok  {log.path}: no contacts"
    kinds = ", ".join(f"{kind} {n}" for kind, n in log.kinds().items())
    first, last = contacts["time"].min(), contacts["time"].max()
    units = _count(contacts["unit"].nunique(), "unit")
    return (
        f"ok  {log.path}: {_count(len(contacts), 'contact')} with {units},"
        f" {first:%Y-%m-%d} to {last:%Y-%m-%d} ({kinds})"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
