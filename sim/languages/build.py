"""Build the catalogues: extract every message, merge it into each language's ``.po``, compile the ``.mo``.

Run from the project root after changing a message or a translation::

    python -m sim.languages.build            # extract, merge, apply the glossary, compile
    python -m sim.languages.build --check    # exit 1 if a catalogue is out of date or incomplete

Messages come from three places: the ``_()``, ``N_()`` and ``ngettext()`` calls in
``sim/`` (Babel's Python extractor), the help of every command and option of the
command line (read from the Click commands Typer builds, so that no help text can
be missed), and the words Typer looks up through gettext itself ("Options",
"Commands": extracted from the installed Typer).  The terms of
``docs/glossary.md`` are the one place a term is translated: the build writes
them over the catalogues' entries for those terms.
Babel is a build tool here (the ``test`` extra): feesim reads the compiled ``.mo``
with the standard library's gettext.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from sim.languages.catalogue import DOMAIN, LOCALE_DIR, gettext_code
from sim.languages.choose import LANGUAGES
from sim.languages.commandline import CLICK_MODULES
from sim.languages.glossary import GLOSSARY_FILE, read_glossary

__all__ = ["KEYWORDS", "catalogue_path", "cli_messages", "extract", "main"]

PACKAGE = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
TRANSLATED = [language for language in LANGUAGES if language != "en"]
LEFT_TO_SENTENCES = {"No such command {name!r}."}
"""Typer words left in English, so that the sentence they begin is translated whole (sentences.py)."""


def catalogue_path(language: str, suffix: str = ".po") -> Path:
    """Return the path of a language's catalogue (``.po``) or compiled catalogue (``.mo``)."""
    return LOCALE_DIR / gettext_code(language) / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def cli_messages() -> Iterator[tuple[str, str]]:
    """Yield (where, text) for the help of every command and option of ``feesim``."""
    import typer

    from sim.cli import app

    def walk(command, path: str) -> Iterator[tuple[str, str]]:
        for text in (command.help, command.short_help, getattr(command, "epilog", None)):
            if text:
                yield path, text
        for param in command.params:
            if getattr(param, "help", None):
                yield f"{path} {param.name}", param.help
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, f"{path} {name}")

    yield from walk(typer.main.get_command(app), "feesim")


def click_messages() -> Iterator[tuple[str, int, str | tuple[str, ...]]]:
    """Yield (file, line, message) for the words of the installed Typer that feesim's command line shows."""
    import importlib

    from babel.messages.extract import extract_from_file

    for name in CLICK_MODULES:
        path = Path(importlib.import_module(name).__file__ or "")
        keywords = {"_": None, "ngettext": (1, 2)}
        for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords=keywords):
            if message not in LEFT_TO_SENTENCES:
                yield f"{name.replace('.', '/')}.py", lineno, message


def extract():
    """Return the template catalogue: every message of the source and of the command line."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(project="feesim", domain=DOMAIN, charset="utf-8")
    found = extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    )
    for filename, lineno, message, comments, context in found:
        where = f"sim/{filename}"
        template.add(message, locations=[(where, lineno)], auto_comments=comments, context=context)
    for where, text in cli_messages():
        template.add(text, locations=[(where, 0)])
    for where, lineno, message in click_messages():
        template.add(message, locations=[(where, lineno)])
    for term in read_glossary():
        template.add(term.english, locations=[(GLOSSARY_FILE.name, 0)])
    return template


def merged(language: str, template):
    """Return the language's catalogue updated to `template`, with the glossary's terms written over."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    path = catalogue_path(language)
    if path.exists():
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=gettext_code(language), domain=DOMAIN)
    else:
        catalogue = Catalog(locale=gettext_code(language), domain=DOMAIN, project="feesim", charset="utf-8")
    catalogue.update(template, no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    column = {"zh-Hans": "hans", "zh-Hant": "hant"}[language]
    for term in read_glossary():
        catalogue[term.english].string = getattr(term, column)
    return catalogue


def _po_bytes(catalogue) -> bytes:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return buffer.getvalue()


def _mo_bytes(catalogue) -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    """Extract, merge and compile (or, with ``--check``, report what is out of date); return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is stale")
    args = parser.parse_args(argv)
    template = extract()
    stale = []
    for language in TRANSLATED:
        catalogue = merged(language, template)
        for path, data in ((catalogue_path(language), _po_bytes(catalogue)),):
            if args.check:
                if not path.exists() or _without_dates(path.read_bytes()) != _without_dates(data):
                    stale.append(str(path))
            else:
                _write(path, data)
        if not args.check:
            _write(catalogue_path(language, ".mo"), _mo_bytes(catalogue))
        missing = [m.id for m in catalogue if m.id and not m.string]
        if missing:
            sys.stderr.write(f"{language}: {len(missing)} messages without a translation\n")
    for path in stale:
        sys.stderr.write(f"{path} is out of date: run python -m sim.languages.build\n")
    return 1 if stale else 0


def _without_dates(po: bytes) -> bytes:
    """Return a .po file without the header lines that change on every build."""
    stamps = (b'"POT-Creation-Date', b'"PO-Revision-Date')
    return b"\n".join(line for line in po.splitlines() if not line.startswith(stamps))


if __name__ == "__main__":
    raise SystemExit(main())
