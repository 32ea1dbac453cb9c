"""``feesim playground``: check the address, start the server, say where to open the page."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from pathlib import Path

from sim.languages import _, ngettext
from sim.languages.formats import listing

__all__ = ["addresses", "playground_command"]

LOOPBACK = "127.0.0.1"


def playground_command(host: str, port: int, workers: int | None, out: Path) -> None:
    """Serve the playground on `host`:`port` until Ctrl-C, keeping its challenges in `out`."""
    import typer
    import uvicorn

    from sim.console import EXIT_USAGE, error, fail_cleanly
    from sim.output import ensure_folder
    from sim.playground.app import DATABASE, create_app

    problem = _address_problem(host, port)
    if problem:
        error(problem)
        raise typer.Exit(EXIT_USAGE)
    with fail_cleanly():
        folder = ensure_folder(out)
    workers = workers or os.cpu_count() or 1
    app = create_app(folder, workers)
    typer.echo(
        _("feesim playground: open {address} in a browser (Ctrl-C stops it).").format(
            address=f"http://{_shown_host(host)}:{port}/"
        )
    )
    if host in (LOOPBACK, "localhost", "::1"):
        typer.echo(_("Only this computer can open it; for a classroom, start it with --host 0.0.0.0."))
    else:
        shown = listing(f"http://{address}:{port}/" for address in addresses(host)) or host
        typer.echo(
            _("Classroom mode: anyone on this computer's networks can open the page, at {addresses}.").format(
                addresses=shown
            )
        )
    typer.echo(
        ngettext(
            "Challenges are kept in {path}; {workers} worker process runs the replications.",
            "Challenges are kept in {path}; {workers} worker processes run the replications.",
            workers,
        ).format(path=folder / DATABASE, workers=workers)
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def _shown_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)


def _address_problem(host: str, port: int) -> str | None:
    """Return why the server could not listen on `host`:`port`, or None if it can."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as problem:
        return _(
            "feesim playground: cannot listen on {host} port {port}: {reason}. Choose another --port,"
            " or stop the program using it; --host must be an address of this computer"
            " (127.0.0.1, or 0.0.0.0 for every network)."
        ).format(host=host, port=port, reason=problem.strerror or problem)
    return None


def addresses(host: str) -> list[str]:
    """Return the addresses other computers may use to reach a server listening on `host`."""
    if host not in ("0.0.0.0", "::", ""):
        return [host]
    found: set[str] = set()
    with contextlib.suppress(OSError):
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in found if not ipaddress.ip_address(a).is_loopback) or [LOOPBACK]
