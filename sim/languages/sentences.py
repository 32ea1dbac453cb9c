"""Sentences other libraries write in English (Typer's Click, pydantic, PyYAML), translated by their pattern.

Typer ships its own copy of Click whose messages are fixed English f-strings
("Missing argument 'SCENARIO'.", "No such option: --bogus"), and pydantic explains
a value it refuses in English ("Input should be greater than or equal to 1").
Each pattern below matches one such sentence and names its variable parts; the
translation is a catalogue message with the same names as placeholders.  A part
that is itself such a sentence (the reason after "Invalid value for '--reps':")
is translated in turn.  A sentence no pattern matches is shown as written.
"""

from __future__ import annotations

import re

from sim.languages import speaks_english
from sim.languages.catalogue import N_, _

__all__ = ["PATTERNS", "translate_sentence"]

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), message)
    for pattern, message in (
        # Typer's Click
        (r"Missing argument (?P<name>.+)\.", N_("Missing argument {name}.")),
        (r"Missing option (?P<name>.+)\.", N_("Missing option {name}.")),
        (r"Missing parameter (?P<name>.+)\.", N_("Missing parameter {name}.")),
        (r"Missing parameter: (?P<name>.+)", N_("Missing parameter: {name}")),
        (
            r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
            N_("No such option: {name} (possible options: {options})"),
        ),
        (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
        (
            r"No such command '(?P<name>.+)'\. Did you mean '(?P<close>.+)'\?",
            N_("No such command '{name}'. Did you mean '{close}'?"),
        ),
        (r"No such command '(?P<name>.+)'\.", N_("No such command '{name}'.")),
        (r"Option '(?P<name>.+)' requires an argument\.", N_("Option '{name}' requires an argument.")),
        (
            r"Option '(?P<name>.+)' requires (?P<count>\d+) arguments\.",
            N_("Option '{name}' requires {count} arguments."),
        ),
        (r"Option '(?P<name>.+)' does not take a value\.", N_("Option '{name}' does not take a value.")),
        (
            r"Got unexpected extra arguments? \((?P<arguments>.*)\)",
            N_("Got unexpected extra arguments ({arguments})"),
        ),
        (r"Invalid value for (?P<name>.+?): (?P<reason>.+)", N_("Invalid value for {name}: {reason}")),
        (r"Invalid value: (?P<reason>.+)", N_("Invalid value: {reason}")),
        (r"(?P<value>.+) is not one of (?P<choices>.+)\.", N_("{value} is not one of {choices}.")),
        (r"(?P<kind>File|Directory|Path) (?P<path>.+) does not exist\.", N_("{kind} {path} does not exist.")),
        (r"Value (?P<value>.+) is not a valid (?P<kind>.+)\.", N_("Value {value} is not a valid {kind}.")),
        (r"Missing command\.", N_("Missing command.")),
        # pydantic
        (
            r"Input should be a valid integer, unable to parse string as an integer",
            N_("Input should be a whole number"),
        ),
        (
            r"Input should be a valid integer, got a number with a fractional part",
            N_("Input should be a whole number, not a fraction"),
        ),
        (r"Input should be a valid integer", N_("Input should be a whole number")),
        (
            r"Input should be a valid number, unable to parse string as a number",
            N_("Input should be a number"),
        ),
        (r"Input should be a valid number", N_("Input should be a number")),
        (r"Input should be a finite number", N_("Input should be a finite number")),
        (r"Input should be a valid boolean, unable to interpret input", N_("Input should be true or false")),
        (r"Input should be a valid boolean", N_("Input should be true or false")),
        (r"Input should be a valid string", N_("Input should be text")),
        (r"Input should be a valid list", N_("Input should be a list")),
        (r"Input should be a valid dictionary", N_("Input should be a mapping of keys to values")),
        (r"Input should be a valid date.*", N_("Input should be a date such as 2026-03-02")),
        (r"Input should be greater than or equal to (?P<limit>\S+)", N_("Input should be at least {limit}")),
        (r"Input should be greater than (?P<limit>\S+)", N_("Input should be greater than {limit}")),
        (r"Input should be less than or equal to (?P<limit>\S+)", N_("Input should be at most {limit}")),
        (r"Input should be less than (?P<limit>\S+)", N_("Input should be less than {limit}")),
        (r"Input should be (?P<choices>'.+')", N_("Input should be {choices}")),
        (r"Field required", N_("Field required")),
        (r"Extra inputs are not permitted", N_("Extra inputs are not permitted")),
        (
            r"List should have at least (?P<least>\d+) items? after validation, not (?P<found>\d+)",
            N_("List should have at least {least} items, not {found}"),
        ),
        (
            r"List should have at most (?P<most>\d+) items? after validation, not (?P<found>\d+)",
            N_("List should have at most {most} items, not {found}"),
        ),
        (r"Value error, (?P<reason>.+)", ""),  # a validator's own reason: already in the language spoken
        # PyYAML (the problem, then the context, of a malformed YAML file)
        (r"mapping values are not allowed here", N_("mapping values are not allowed here")),
        (
            r"block sequence entries are not allowed here",
            N_("block sequence entries are not allowed here"),
        ),
        (r"could not find expected ':'", N_("could not find expected ':'")),
        (
            r"found character (?P<character>.+) that cannot start any token",
            N_("found character {character} that cannot start any token"),
        ),
        (r"expected <block end>, but found (?P<found>.+)", N_("expected <block end>, but found {found}")),
        (r"expected ',' or '\]', but got (?P<found>.+)", N_("expected ',' or ']', but got {found}")),
        (r"expected ',' or '\}', but got (?P<found>.+)", N_("expected ',' or '}}', but got {found}")),
        (r"found unexpected end of stream", N_("found unexpected end of stream")),
        (r"found undefined alias (?P<name>.+)", N_("found undefined alias {name}")),
        (
            r"found unknown escape character (?P<character>.+)",
            N_("found unknown escape character {character}"),
        ),
        (
            r"found duplicate anchor (?P<name>.+); first occurrence",
            N_("found duplicate anchor {name}; first occurrence"),
        ),
        (r"second occurrence", N_("second occurrence")),
        (r"but found another document", N_("but found another document")),
        (r"expected a single document in the stream", N_("expected a single document in the stream")),
        (r"while scanning a simple key", N_("while scanning a simple key")),
        (r"while scanning a quoted scalar", N_("while scanning a quoted scalar")),
        (r"while scanning a double-quoted scalar", N_("while scanning a double-quoted scalar")),
        (r"while scanning a block scalar", N_("while scanning a block scalar")),
        (r"while scanning for the next token", N_("while scanning for the next token")),
        (r"while scanning an alias", N_("while scanning an alias")),
        (r"while scanning an anchor", N_("while scanning an anchor")),
        (r"while parsing a block mapping", N_("while parsing a block mapping")),
        (r"while parsing a block collection", N_("while parsing a block collection")),
        (r"while parsing a flow mapping", N_("while parsing a flow mapping")),
        (r"while parsing a flow sequence", N_("while parsing a flow sequence")),
        (r"while parsing a block node", N_("while parsing a block node")),
        (r"while parsing a flow node", N_("while parsing a flow node")),
        # Python's datetime (a day that is not in the calendar)
        (r"day is out of range for month", N_("day is out of range for month")),
        (r"month must be in 1\.\.12", N_("month must be in 1..12")),
        (r"hour must be in 0\.\.23", N_("hour must be in 0..23")),
        (r"minute must be in 0\.\.59", N_("minute must be in 0..59")),
        (r"second must be in 0\.\.59", N_("second must be in 0..59")),
        (r"year (?P<year>-?\d+) is out of range", N_("year {year} is out of range")),
    )
)
_NESTED = ("reason",)
_OR = re.compile(r"'([^']*)' or '([^']*)'$")


def translate_sentence(text: str) -> str:
    """Return `text` translated when a pattern matches it whole, else `text` as it is (always, in English)."""
    if speaks_english():
        return text
    for pattern, message in PATTERNS:
        found = pattern.fullmatch(text.strip())
        if found is None:
            continue
        if not message:
            return found["reason"]
        parts = {
            name: translate_sentence(value) if name in _NESTED else value
            for name, value in found.groupdict().items()
        }
        if "choices" in parts:
            parts["choices"] = _OR.sub(_either, parts["choices"])
        return _(message).format(**parts)
    return text


def _either(found: re.Match[str]) -> str:
    return _("'{first}' or '{second}'").format(first=found[1], second=found[2])
