"""The message catalogue: every sentence feesim shows, looked up in the language being spoken.

Messages are written in English in the code, wrapped in ``_()`` where they are
shown, or marked with ``N_()`` where they are defined before the language is
known (module constants, option help): ``_()`` translates them where they are
used.  The catalogues are gettext ``.po`` files, one per language, under
``locale/<language>/LC_MESSAGES/feesim.po``, shipped with their compiled ``.mo``
(``python -m sim.languages.build`` extracts, merges and compiles them with Babel).

One language is spoken at a time, process-wide: `activate` sets it (the command
line does, once, before it prints anything).  Worker processes never speak: they
return numbers, and the process that writes the report or the table translates.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
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
    "translated",
]

DOMAIN = "feesim"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_spoken: list[str] = [ENGLISH]


def gettext_code(language: str) -> str:
    """Return the folder name gettext looks for (``zh-Hans`` → ``zh_Hans``)."""
    return language.replace("-", "_")


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == ENGLISH:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[gettext_code(language)])


def activate(language: str) -> None:
    """Speak `language` (one of `LANGUAGES`) from now on."""
    if language not in LANGUAGES:
        raise ValueError(f"feesim speaks {', '.join(LANGUAGES)}, not {language!r}")
    _translations(language)  # fail here, not at the first message, if a catalogue is missing
    _spoken[0] = language


def active() -> str:
    """Return the language being spoken."""
    return _spoken[0]


def speaks_english() -> bool:
    """Return whether the language spoken is English (the code's own words, nothing to translate)."""
    return _spoken[0] == ENGLISH


@contextmanager
def translated(language: str) -> Iterator[None]:
    """Speak `language` inside the block, then the language spoken before."""
    before = active()
    activate(language)
    try:
        yield
    finally:
        activate(before)


def _(message: str) -> str:
    """Return `message` in the language being spoken (itself when the catalogue lacks it)."""
    return _translations(_spoken[0]).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form of a message for the count `n`, translated."""
    return _translations(_spoken[0]).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it yet (it is translated where shown)."""
    return message
