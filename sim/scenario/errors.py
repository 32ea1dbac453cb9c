"""Scenario errors: one readable message per bad input, naming file, key, expectation and value.

Every problem a user can cause with a scenario file or a ``--set`` override ends up
as a :class:`ScenarioError`.  Its text is meant to be printed as is: a first line
naming the file, then one line per problem with the dotted key path, what was
expected and what was found.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import math
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

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

    def render(self) -> str:
        """Return the problem as one line of text."""
        text = f"{self.key}: {self.message}" if self.key else self.message
        if self.found is not None:
            text += f"; found {self.found}"
        if self.hint:
            text += f" ({self.hint})"
        if self.origin:
            text += f"  [from {self.origin}]"
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
        head = f"{self.source}: {self.summary}" if self.source else self.summary
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
        text = "an empty mapping {}"
    elif value is None:
        text = "an empty value (null)"
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
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def impossible_date(text: object) -> str | None:
    """Say why `text`, written like a date (YYYY-MM-DD), names no day of the calendar; None if it does."""
    match = _DATE_SHAPE.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    written = match.group(0).rstrip("Tt ")
    if year < dt.MINYEAR:
        return f"{written} is not a date: years start at {dt.MINYEAR:04d}"
    if not 1 <= month <= 12:
        return f"{written} is not a date: there is no month {month} (months run from 1 to 12)"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{written} is not a date: {_MONTHS[month - 1]} {year} has {days} days"
    return None


def _expected(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    msg: str = error["msg"]
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "expected a mapping of keys (indented 'key: value' lines)"
    if kind in {"tuple_type", "list_type"}:
        return "expected a list"
    if kind in {"too_short", "too_long"}:
        ctx = error.get("ctx") or {}
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        if bound is not None:
            return f"expected a list of {word} {bound} item{'s' if bound != 1 else ''}"
    if kind.startswith("date_"):
        return impossible_date(error.get("input")) or "expected a date written as YYYY-MM-DD"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "assertion_error":
        return msg.removeprefix("Assertion failed, ")
    if msg.startswith("Input should be "):
        rest = msg.removeprefix("Input should be ")
        if rest.startswith(("greater", "less")):
            rest = "a value " + rest
        return "expected " + rest
    return msg[:1].lower() + msg[1:]


def _problem(
    item: _Located,
    root: type[BaseModel] | None,
    origin_of: Callable[[tuple[str | int, ...]], str | None],
) -> Problem:
    error = item.error
    key = dotted(item.path, item.is_index)
    origin = origin_of(item.path)
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return Problem(key, "missing required key", origin=origin)
    if kind == "extra_forbidden":
        known = _model_at(root, item.path[:-1]) if root is not None else None
        name = str(item.path[-1]) if item.path else ""
        message = "unknown key"
        if known is not None:
            fields = list(known.model_fields)
            close = difflib.get_close_matches(name, fields, n=1)
            if close:
                message += f" (did you mean '{close[0]}'?)"
            message += "; expected one of: " + ", ".join(fields)
        return Problem(key, message, origin=origin)
    if kind == "invalid_key":
        return Problem(key, "expected a text key", found=describe_value(value), origin=origin)
    found = None
    if not (kind in {"value_error", "assertion_error"} and isinstance(value, Mapping)) and not (
        kind.startswith("date_") and impossible_date(value)
    ):
        found = describe_value(value)
    return Problem(key, _expected(error), found=found, origin=origin)


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
    for item in kept:
        problem = _problem(item, root, lookup)
        previous = problems[-1] if problems else None
        if (
            previous is not None
            and previous.key == problem.key
            and previous.found == problem.found
            and problem.message.startswith("expected ")
            and previous.message.startswith("expected ")
        ):
            # Union alternatives on the same value: "expected 'china' or 'none', or a list".
            merged = f"{previous.message}, or {problem.message.removeprefix('expected ')}"
            problems[-1] = Problem(previous.key, merged, previous.found, previous.hint, previous.origin)
            continue
        problems.append(problem)
    count = len(problems)
    summary = "invalid scenario (1 problem)" if count == 1 else f"invalid scenario ({count} problems)"
    return ScenarioError(source, summary, problems)
