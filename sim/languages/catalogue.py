"""The message catalogue: every sentence feesim shows, looked up in the language being spoken.

Messages are written in English in the code, wrapped in ``_()`` where they are
shown, or marked with ``N_()`` where they are defined before the language is
known (module constants, option help): ``_()`` translates them where they are
used.  The catalogues are gettext ``.po`` files, one per language, under
``locale/<language>/LC_MESSAGES/feesim.po``, shipped with their compiled ``.mo``
(``python -m sim.languages.build`` extracts, merges and compiles them with Babel).

`activate` sets the language spoken process-wide (the command line does, once,
before it prints anything).  `translated` speaks another inside a block, for the
thread or asyncio task running it only: the playground answers requests in
several languages at once, each in its own task, and one request's language
never leaks into another's.  Worker processes never speak: they return numbers,
and the process that writes the report or the table translates.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from sim.languages.choose import ENGLISH, LANGUAGES

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "N_",
    "_",
    "activate",
    "active",
    "ngettext",
    "speaks_english",
    "spoken",
    "translated",
]

DOMAIN = "feesim"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_process_language: list[str] = [ENGLISH]
_block_language: ContextVar[str | None] = ContextVar("feesim_block_language", default=None)


def gettext_code(language: str) -> str:
    """Return the folder name gettext looks for (``zh-Hans`` → ``zh_Hans``)."""
    return language.replace("-", "_")


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[gettext_code(language)])


def _check(language: str) -> None:
    """Refuse a language feesim does not speak or whose catalogue is missing (now, not at a message)."""
    if language not in LANGUAGES:
        raise ValueError(f"feesim speaks {', '.join(LANGUAGES)}, not {language!r}")
    _translations(language)


def activate(language: str) -> None:
    """Speak `language` (one of `LANGUAGES`) from now on, process-wide (`translated` blocks keep theirs)."""
    _check(language)
    _process_language[0] = language


@contextmanager
def spoken(language: str) -> Iterator[None]:
    """Speak `language` process-wide inside the block, even within a `translated` block, then as before.

    The command line run in-process (tests, CliRunner) speaks its language this
    way and leaves the process, and the block around it, speaking as they did.
    """
    before = _process_language[0]
    activate(language)
    token = _block_language.set(None)
    try:
        yield
    finally:
        _block_language.reset(token)
        _process_language[0] = before


def active() -> str:
    """Return the language being spoken (a `translated` block's, else the process's)."""
    return _block_language.get() or _process_language[0]


def speaks_english() -> bool:
    """Return whether the language spoken is English (the code's own words, nothing to translate)."""
    return active() == ENGLISH


@contextmanager
def translated(language: str) -> Iterator[None]:
    """Speak `language` inside the block (this thread or task only), then the language spoken before."""
    _check(language)
    token = _block_language.set(language)
    try:
        yield
    finally:
        _block_language.reset(token)


def _(message: str) -> str:
    """Return `message` in the language being spoken (itself when the catalogue lacks it)."""
    return _translations(active()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form of a message for the count `n`, translated."""
    return _translations(active()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it yet (it is translated where shown)."""
    return message
