"""The command line in the language spoken: the help of every command and option, and Typer's own words.

`SpeakingGroup` is the class of feesim's Typer app.  Before it parses anything it
picks the language (``--lang`` anywhere on the command line, else
``FEESIM_LANG``, else the locale: `sim.languages.choose`), speaks it, and writes
the translation of every command's and option's help over the English one (kept,
so that another language can be spoken in the same process).  Typer looks some
of its words up through the standard library's gettext ("Options", "Commands",
"[default: ...]"): its modules' ``_`` is pointed at feesim's catalogue, which
holds those words too (`sim.languages.build` extracts them from the installed
Typer).  The copy of Click inside Typer writes fixed English sentences ("Usage:",
"Missing argument 'SCENARIO'."): the usage line's prefix, the help option's help
and every error message are translated on their way out
(`sim.languages.sentences`).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import click
import typer.core

from sim.languages.catalogue import N_, _, activate, ngettext, speaks_english, spoken, translated
from sim.languages.choose import ENGLISH, LanguageError, choose_language
from sim.languages.sentences import translate_sentence

__all__ = ["LANG_OPTION", "SpeakingGroup", "language_error", "split_language"]

LANG_OPTION = "--lang"
EXIT_USAGE = 2
CLICK_MODULES = ("typer.core", "typer.rich_utils")
"""The modules of Typer that look their words up through gettext."""
USAGE = N_("Usage:")
HELP_OPTION = N_("Show this message and exit.")
RICH_UTILS_WORDS = (
    "DEPRECATED_STRING",
    "DEFAULT_STRING",
    "ENVVAR_STRING",
    "REQUIRED_LONG_STRING",
    "ARGUMENTS_PANEL_TITLE",
    "OPTIONS_PANEL_TITLE",
    "COMMANDS_PANEL_TITLE",
    "ERRORS_PANEL_TITLE",
    "ABORTED_TEXT",
    "RICH_HELP",
)
_ENGLISH_ATTRIBUTE = "_feesim_english"
_PATCHED_ATTRIBUTE = "_feesim_translates_click"


def split_language(args: Sequence[str]) -> tuple[str | None, list[str]]:
    """Return the value of the last ``--lang`` in `args` (before ``--``) and the arguments without it."""
    value, rest, i = None, [], 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == LANG_OPTION and i + 1 < len(args):
            value, i = args[i + 1], i + 2
            continue
        if arg.startswith(LANG_OPTION + "="):
            value, i = arg.split("=", 1)[1], i + 1
            continue
        rest.append(arg)
        i += 1
    return value, rest


def language_error(problem: LanguageError) -> str:
    """Return the message for a language feesim does not speak: in English, then in the nearest language."""
    english = _unknown_language(problem)
    if problem.nearest == ENGLISH:
        return english
    with translated(problem.nearest):
        return f"{english}\n{_unknown_language(problem)}"


def _unknown_language(problem: LanguageError) -> str:
    return _(
        "{source}: unknown language {value!r}; expected en, zh-Hans or zh-Hant (nearest: {nearest})."
    ).format(source=problem.source, value=problem.value, nearest=problem.nearest)


class SpeakingGroup(typer.core.TyperGroup):
    """feesim's command group: speaks the language asked for before it parses or shows anything."""

    def main(self, args: Sequence[str] | None = None, *pargs: Any, **kwargs: Any) -> Any:
        """Pick and speak the language, translate the help, then run the command line as Click does."""
        given = list(sys.argv[1:] if args is None else args)
        flag, rest = split_language(given)
        try:
            language = choose_language(flag, os.environ)
        except LanguageError as problem:
            click.echo(language_error(problem), err=True)
            if kwargs.get("standalone_mode", True):
                sys.exit(EXIT_USAGE)
            raise click.exceptions.Exit(EXIT_USAGE) from None
        with spoken(language):  # run in-process (tests, CliRunner), it leaves the language as it was
            speak(language, self)
            return super().main(rest, *pargs, **kwargs)


def speak(language: str, command: click.Command) -> None:
    """Speak `language`: translate Click's and Typer's words and the help of `command` and its subcommands."""
    activate(language)
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    _translate_typer_click()
    rich_utils = importlib.import_module("typer.rich_utils")
    english = _english(rich_utils, {word: getattr(rich_utils, word) for word in RICH_UTILS_WORDS})
    for word, text in english.items():
        setattr(rich_utils, word, _(text))
    for item in _helped(command):
        texts = _english(item, {"help": item.help, "short_help": getattr(item, "short_help", None)})
        for field, text in texts.items():
            if text:
                setattr(item, field, _(text))


def _english(item: Any, texts: dict[str, Any]) -> dict[str, Any]:
    """Return the English texts of `item`, recording them on it the first time."""
    if not hasattr(item, _ENGLISH_ATTRIBUTE):
        setattr(item, _ENGLISH_ATTRIBUTE, texts)
    return getattr(item, _ENGLISH_ATTRIBUTE)


def _helped(command: click.Command) -> Iterator[Any]:
    """Yield `command`, its parameters that have help, and the same for every subcommand."""
    yield command
    for param in command.params:
        if hasattr(param, "help"):
            yield param
    for sub in getattr(command, "commands", {}).values():
        yield from _helped(sub)


def _translate_typer_click() -> None:
    """Translate, on their way out, the sentences of Typer's copy of Click (once per process)."""
    from typer import _click, rich_utils

    if getattr(rich_utils, _PATCHED_ATTRIBUTE, False):
        return
    setattr(rich_utils, _PATCHED_ATTRIBUTE, True)
    format_error = rich_utils.rich_format_error
    write_usage = _click.formatting.HelpFormatter.write_usage
    get_help_option = _click.core.Command.get_help_option

    def translated_error(error: Any) -> None:
        english = error.format_message()
        error.format_message = lambda: translate_sentence(english)
        format_error(error)

    def translated_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        word = _(USAGE)
        write_usage(
            self, prog, args, (word if word[-1:] == "：" else f"{word} ") if prefix is None else prefix
        )

    def translated_help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None and option.help == HELP_OPTION:
            option.help = _(HELP_OPTION)
        return option

    make_rich_text = rich_utils._make_rich_text

    def folded_rich_text(*args: Any, **kwargs: Any) -> Any:
        text = make_rich_text(*args, **kwargs)
        if not speaks_english() and hasattr(text, "overflow"):
            text.overflow = (
                "fold"  # Chinese has no spaces to wrap at: fold a long run, never crop it with "…"
            )
        return text

    rich_utils.rich_format_error = translated_error
    rich_utils._make_rich_text = folded_rich_text
    _click.formatting.HelpFormatter.write_usage = translated_usage
    _click.core.Command.get_help_option = translated_help_option
