"""Which language to speak: the ``--lang`` option, else ``FEESIM_LANG``, else the locale, else English.

A language asked for by name (the option or ``FEESIM_LANG``) must be one feesim
speaks, under its own code (``en``, ``zh-Hans``, ``zh-Hant``) or a usual alias
(``zh-CN``, ``zh_TW.UTF-8``, ``zh``...); anything else is bad input.  The locale
variables are read in the order gettext reads them (``LANGUAGE``, a colon-separated
list, then ``LC_ALL``, ``LC_MESSAGES``, ``LANG``); a locale feesim does not speak
(``fr_FR``) is not an error: it falls to English, as programs do.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

__all__ = ["ENGLISH", "LANGUAGES", "LanguageError", "choose_language", "language_of"]

ENGLISH = "en"
LANGUAGES = (ENGLISH, "zh-Hans", "zh-Hant")
"""The languages feesim speaks: English, simplified Chinese, traditional Chinese."""

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
_REGIONS = {
    "cn": "zh-Hans",
    "sg": "zh-Hans",
    "my": "zh-Hans",
    "hans": "zh-Hans",
    "tw": "zh-Hant",
    "hk": "zh-Hant",
    "mo": "zh-Hant",
    "hant": "zh-Hant",
}


class LanguageError(ValueError):
    """A language named by the user that feesim does not speak; `nearest` is the closest it does."""

    def __init__(self, value: str, source: str, nearest: str) -> None:
        self.value = value
        self.source = source
        self.nearest = nearest
        super().__init__(f"{source}: unknown language {value!r}")


def language_of(name: str) -> str | None:
    """Return the language of a code or locale name (``zh_TW.UTF-8`` → ``zh-Hant``), None if not spoken."""
    text = name.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
    if not text:
        return None
    parts = text.split("-")
    if parts[0] in ("en", "c", "posix"):
        return ENGLISH
    if parts[0] != "zh":
        return None
    for part in parts[1:]:
        if part in _REGIONS:
            return _REGIONS[part]
    return "zh-Hans" if len(parts) == 1 else None


def choose_language(flag: str | None, environ: Mapping[str, str]) -> str:
    """Return the language to speak; raise `LanguageError` for a name given that feesim does not speak."""
    for value, source in ((flag, "--lang"), (environ.get("FEESIM_LANG"), "FEESIM_LANG")):
        if value:
            found = language_of(value)
            if found is None:
                raise LanguageError(value, source, _nearest(value))
            return found
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if not value:
            continue
        for name in value.split(":") if variable == "LANGUAGE" else [value]:
            found = language_of(name)
            if found is not None:
                return found
        if variable != "LANGUAGE":
            return ENGLISH  # the first locale variable set decides, as in gettext
    return ENGLISH


def _nearest(value: str) -> str:
    """Return the language whose code is closest to `value` (English when none is close)."""
    text = value.replace("_", "-").lower()
    if text.startswith("zh"):
        hant = any(mark in text for mark in ("hant", "tw", "hk", "mo", "tr", "big5"))
        return "zh-Hant" if hant else "zh-Hans"
    close = difflib.get_close_matches(text, [code.lower() for code in LANGUAGES], n=1, cutoff=0.5)
    return next((code for code in LANGUAGES if close and code.lower() == close[0]), ENGLISH)
