"""Languages: the one the reader asked for, the catalogue of its messages, its numbers, money and dates."""

from sim.languages.catalogue import N_, _, activate, active, ngettext, speaks_english, spoken, translated
from sim.languages.choose import LANGUAGES, LanguageError, choose_language

__all__ = [
    "LANGUAGES",
    "N_",
    "LanguageError",
    "_",
    "activate",
    "active",
    "choose_language",
    "ngettext",
    "speaks_english",
    "spoken",
    "translated",
]
