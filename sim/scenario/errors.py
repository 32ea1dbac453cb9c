"""Scenario errors: one readable message per bad input, naming file, key, expectation and value.

Every problem a user can cause with a scenario file or a ``--set`` override ends up
as a :class:`ScenarioError`.  Its text is meant to be printed as is: a first line
naming the file, then one line per problem with the dotted key path, what was
expected and what was found.

Messages are written in the language spoken when the problem is found (pydantic's
are translated by their error type and context, `_expected`); the words that join
them ("found", "from") are looked up when the error is shown.  Key paths, file
names and the values found stay as written.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import difflib
import math
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.languages import N_, _, ngettext, speaks_english
from sim.languages.formats import listing
from sim.languages.sentences import translate_sentence

__all__ = ["Problem", "ScenarioError", "describe_value", "from_validation_error"]

MAX_FOUND_CHARS = 70


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, at one key path."""

    key: str
    message: str
    found: str | None = None
    hint: str | None = None
    origin: str | None = None
    no_such_key: bool = field(default=False, compare=False, repr=False)
    """The key path names no key of the scenario (an unknown key, or a key inside a value)."""

    def render(self) -> str:
        """Return the problem as one line of text, in the language spoken now."""
        text = _("{key}: {message}").format(key=self.key, message=self.message) if self.key else self.message
        if self.found is not None:
            text = _("{text}; found {found}").format(text=text, found=self.found)
        if self.hint:
            text = _("{text} ({hint})").format(text=text, hint=self.hint)
        if self.origin:
            text = _("{text}  [from {origin}]").format(text=text, origin=self.origin)
        return text


class ScenarioError(Exception):
    """A scenario file, mapping or override that cannot be turned into a valid scenario."""

    def __init__(self, source: str, summary: str, problems: Sequence[Problem] = ()) -> None:
        self.source = source
        self.summary = summary
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """Return the full human-readable message."""
        head = (
            _("{source}: {summary}").format(source=self.source, summary=self.summary)
            if self.source
            else self.summary
        )
        if not self.problems:
            return head
        return "\n".join([head, *(f"  - {p.render()}" for p in self.problems)])

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the dotted key paths of all problems."""
        return tuple(p.key for p in self.problems)

    def __str__(self) -> str:
        return self.message


def describe_value(value: object, limit: int = MAX_FOUND_CHARS) -> str:
    """Render a raw scenario value compactly, in YAML-like spelling."""
    text = _yamlish(value)
    if isinstance(value, Mapping) and not value:
        text = _("an empty mapping {}")
    elif value is None:
        text = _("an empty value (null)")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _yamlish(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_yamlish(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yamlish(v) for v in value) + "]"
    return str(value)


# -- pydantic ValidationError -> problems ------------------------------------------------------------


@dataclass(frozen=True)
class _Located:
    """A pydantic error entry with its loc mapped onto the user's data."""

    path: tuple[str | int, ...]  # keys and list indices actually present in the data
    is_index: tuple[bool, ...]
    through_union: bool  # a union-branch tag was skipped in the loc
    error: Mapping[str, Any]


def dotted(path: Sequence[str | int], is_index: Sequence[bool] | None = None) -> str:
    """Join key path parts with dots, list indices as ``[i]``."""
    flags = is_index if is_index is not None else [False] * len(path)
    out = ""
    for part, idx in zip(path, flags, strict=True):
        if idx:
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _locate(data: object, error: Mapping[str, Any], root: type[BaseModel] | None) -> _Located:
    loc = tuple(error["loc"])
    path: list[str | int] = []
    flags: list[bool] = []
    skipped = False
    current: object = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, Mapping) and part in current:
            path.append(part)
            flags.append(False)
            current = current[part]
        elif (
            isinstance(current, (list, tuple))
            and isinstance(part, int)
            and not isinstance(part, bool)
            and -len(current) <= part < len(current)
        ):
            path.append(part)
            flags.append(True)
            current = current[part]
        elif (last and error["type"] == "missing") or _is_field(root, path, part):
            # A key the schema knows but the data does not hold (filled in by a default).
            path.append(part)
            flags.append(False)
            current = None
        else:
            skipped = True  # a union branch tag such as "literal['china','none']"
    return _Located(tuple(path), tuple(flags), skipped, error)


def _is_field(root: type[BaseModel] | None, path: Sequence[str | int], part: object) -> bool:
    if root is None or not isinstance(part, str):
        return False
    model = _model_at(root, path)
    return model is not None and part in model.model_fields


def _unwrap_models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found.extend(_unwrap_models(arg))
    return found


def _model_at(root: type[BaseModel], path: Sequence[str | int]) -> type[BaseModel] | None:
    """Return the model class describing the mapping at `path`, if known."""
    model: type[BaseModel] | None = root
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):
            continue  # list element: the tuple's item model was already picked
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        candidates = _unwrap_models(field.annotation)
        model = candidates[0] if len(candidates) == 1 else None
    return model


_DATE_SHAPE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]|$)")
# Not calendar.month_name, which follows the locale.
_MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def impossible_date(text: object) -> str | None:
    """Say why `text`, written like a date (YYYY-MM-DD), names no day of the calendar; None if it does."""
    match = _DATE_SHAPE.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    written = match.group(0).rstrip("Tt ")
    if year < dt.MINYEAR:
        return _("{written} is not a date: years start at {first}").format(
            written=written, first=f"{dt.MINYEAR:04d}"
        )
    if not 1 <= month <= 12:
        return _("{written} is not a date: there is no month {month} (months run from 1 to 12)").format(
            written=written, month=month
        )
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return _("{written} is not a date: {month} {year} has {days} days").format(
            written=written, month=_(_MONTHS[month - 1]), year=year, days=days
        )
    return None


# What pydantic says a value "should be", as the expectation alone ("a value greater than or equal to 1"):
# patterns of the English and their catalogue messages, with the same names as placeholders.
_EXPECTATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"a value greater than or equal to (?P<limit>.+)", N_("a value greater than or equal to {limit}")),
        (r"a value greater than (?P<limit>.+)", N_("a value greater than {limit}")),
        (r"a value less than or equal to (?P<limit>.+)", N_("a value less than or equal to {limit}")),
        (r"a value less than (?P<limit>.+)", N_("a value less than {limit}")),
        (
            r"a valid integer, unable to parse string as an integer",
            N_("a valid integer, unable to parse string as an integer"),
        ),
        (
            r"a valid integer, got a number with a fractional part",
            N_("a valid integer, got a number with a fractional part"),
        ),
        (r"a valid integer", N_("a valid integer")),
        (
            r"a valid number, unable to parse string as a number",
            N_("a valid number, unable to parse string as a number"),
        ),
        (r"a valid number", N_("a valid number")),
        (r"a finite number", N_("a finite number")),
        (r"a valid boolean, unable to interpret input", N_("a valid boolean, unable to interpret input")),
        (r"a valid boolean", N_("a valid boolean")),
        (r"a valid string", N_("a valid string")),
        (r"a valid list", N_("a valid list")),
        (r"a valid tuple", N_("a valid tuple")),
        (r"a valid dictionary", N_("a valid dictionary")),
        (r"a valid date.*", N_("a valid date")),
    )
)


def _expectation(what: str) -> tuple[str, str]:
    """Return the message "expected `what`", and `what`."""
    return _("expected {what}").format(what=what), what


def _expectation_in(message: str) -> tuple[str, str | None]:
    """Return `message`, and what it says was expected if it is an "expected ..." message."""
    return message, message.removeprefix("expected ") if message.startswith("expected ") else None


def _input_should_be(kind: str, rest: str) -> str | None:
    """Return pydantic's "Input should be `rest`" as an expectation in the language spoken, or None."""
    if speaks_english():
        return rest
    if kind == "literal_error":
        head, sep, last = rest.rpartition(" or ")
        choices = [*head.split(", "), last] if sep else [rest]
        return _("one of {choices}").format(choices="、".join(choices))
    for pattern, message in _EXPECTATIONS:
        found = pattern.fullmatch(rest)
        if found is not None:
            return _(message).format(**found.groupdict())
    return None


def _other_sentence(kind: str, msg: str, ctx: Mapping[str, Any]) -> str:
    """Return pydantic's `msg` in the language spoken (our schemas' own messages from the catalogue)."""
    text = msg[:1].lower() + msg[1:]
    if kind in {"string_too_short", "string_too_long"} and isinstance(ctx.get(_LENGTHS[kind]), int):
        count = ctx[_LENGTHS[kind]]
        if kind == "string_too_short":
            message = ngettext(
                "string should have at least {count} character",
                "string should have at least {count} characters",
                count,
            )
        else:
            message = ngettext(
                "string should have at most {count} character",
                "string should have at most {count} characters",
                count,
            )
        return message.format(count=count)
    if speaks_english():
        return text
    own = _(text)  # a custom message of our schemas, marked with N_()
    if own != text:
        return own
    found = translate_sentence(msg)
    return found if found != msg else text


_LENGTHS = {"string_too_short": "min_length", "string_too_long": "max_length"}


def _expected(error: Mapping[str, Any]) -> tuple[str, str | None]:
    """Return what `error` says was expected, and the expectation alone if the message is "expected ..."."""
    kind = error["type"]
    msg: str = error["msg"]
    ctx = error.get("ctx") or {}
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _expectation(_("a mapping of keys (indented 'key: value' lines)"))
    if kind in {"tuple_type", "list_type"}:
        return _expectation(_("a list"))
    if kind in {"too_short", "too_long"}:
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        if bound is not None:
            if kind == "too_short":
                what = ngettext("a list of at least {count} item", "a list of at least {count} items", bound)
            else:
                what = ngettext("a list of at most {count} item", "a list of at most {count} items", bound)
            return _expectation(what.format(count=bound))
    if kind.startswith("date_"):
        impossible = impossible_date(error.get("input"))
        return (impossible, None) if impossible else _expectation(_("a date written as YYYY-MM-DD"))
    if kind == "value_error":
        return _expectation_in(msg.removeprefix("Value error, "))
    if kind == "assertion_error":
        return _expectation_in(msg.removeprefix("Assertion failed, "))
    if msg.startswith("Input should be "):
        rest = msg.removeprefix("Input should be ")
        if rest.startswith(("greater", "less")):
            rest = "a value " + rest
        what = _input_should_be(kind, rest)
        return _expectation(what) if what is not None else (translate_sentence(msg), None)
    return _expectation_in(_other_sentence(kind, msg, ctx))


def _problem(
    item: _Located,
    root: type[BaseModel] | None,
    origin_of: Callable[[tuple[str | int, ...]], str | None],
) -> tuple[Problem, str | None]:
    """Return the problem of one located error, and what it says was expected (None if no expectation)."""
    error = item.error
    key = dotted(item.path, item.is_index)
    origin = origin_of(item.path)
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return Problem(key, _("missing required key"), origin=origin), None
    if kind == "extra_forbidden":
        known = _model_at(root, item.path[:-1]) if root is not None else None
        name = str(item.path[-1]) if item.path else ""
        message = _("unknown key")
        if known is not None:
            fields = list(known.model_fields)
            close = difflib.get_close_matches(name, fields, n=1)
            keys = listing(fields)
            if close:
                message = _("unknown key (did you mean '{close}'?); expected one of: {keys}").format(
                    close=close[0], keys=keys
                )
            else:
                message = _("unknown key; expected one of: {keys}").format(keys=keys)
        return Problem(key, message, origin=origin, no_such_key=True), None
    if kind == "invalid_key":
        message, what = _expectation(_("a text key"))
        return Problem(key, message, found=describe_value(value), origin=origin), what
    found = None
    if not (kind in {"value_error", "assertion_error"} and isinstance(value, Mapping)) and not (
        kind.startswith("date_") and impossible_date(value)
    ):
        found = describe_value(value)
    message, what = _expected(error)
    return Problem(key, message, found=found, origin=origin), what


def from_validation_error(
    exc: ValidationError,
    source: str,
    data: object,
    root: type[BaseModel] | None = None,
    origin_of: Callable[[tuple[str | int, ...]], str | None] | None = None,
) -> ScenarioError:
    """Convert a pydantic ``ValidationError`` on `data` into a :class:`ScenarioError`.

    `origin_of` maps a key path to where its value came from (a parent file or an
    override) when that is not the file named by `source`.
    """
    located = [_locate(data, e, root) for e in exc.errors()]
    # A union branch error is noise when another branch failed deeper below the same key.
    kept = [
        item
        for item in located
        if not (
            item.through_union
            and any(
                other.through_union
                and len(other.path) > len(item.path)
                and other.path[: len(item.path)] == item.path
                for other in located
            )
        )
    ]
    # A list's length error is noise when one of its items is already reported as wrong.
    kept = [
        item
        for item in kept
        if not (
            item.error["type"] in {"too_short", "too_long"}
            and any(
                len(other.path) > len(item.path) and other.path[: len(item.path)] == item.path
                for other in kept
            )
        )
    ]
    lookup = origin_of or (lambda _path: None)
    problems: list[Problem] = []
    expected: list[str | None] = []
    for item in kept:
        problem, what = _problem(item, root, lookup)
        previous = problems[-1] if problems else None
        if (
            previous is not None
            and previous.key == problem.key
            and previous.found == problem.found
            and what is not None
            and expected[-1] is not None
        ):
            # Union alternatives on the same value: "expected 'china' or 'none', or a list".
            both = _("{first}, or {second}").format(first=expected[-1], second=what)
            merged, _what = _expectation(both)
            problems[-1] = dataclasses.replace(previous, message=merged)
            expected[-1] = both
            continue
        problems.append(problem)
        expected.append(what)
    count = len(problems)
    summary = ngettext("invalid scenario ({count} problem)", "invalid scenario ({count} problems)", count)
    return ScenarioError(source, summary.format(count=count), problems)
