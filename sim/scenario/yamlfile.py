"""Read the YAML of scenario and experiment files, refusing what could crash or exhaust the program.

YAML is parsed with a safe loader that differs from ``yaml.safe_load`` in these ways:

- a date that does not exist (``2026-02-30``) stays text instead of raising
  ``ValueError``, so validation reports it at its key path;
- ``1e-9`` is a number, as in YAML 1.2 (YAML 1.1 wants ``1.0e-9``);
- a file is at most ``MAX_FILE_BYTES`` long;
- nesting is at most ``MAX_DEPTH`` levels, counted through aliases;
- aliases may not expand the document beyond ``MAX_EXPANDED`` characters
  ("billion laughs") and may not refer to themselves.

Every problem raises a :class:`~sim.scenario.errors.ScenarioError` naming the file.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.languages import N_, _, speaks_english
from sim.languages.sentences import translate_sentence
from sim.scenario.errors import Problem, ScenarioError, describe_value

__all__ = ["MAX_DEPTH", "MAX_EXPANDED", "MAX_FILE_BYTES", "dump_yaml", "parse_yaml", "read_yaml_mapping"]

MAX_FILE_BYTES = 256_000
MAX_DEPTH = 32
MAX_EXPANDED = 1_000_000
KINDS: dict[str, tuple[str, str]] = {
    "scenario": (N_("scenario"), N_("a scenario")),
    "experiment": (N_("experiment"), N_("an experiment")),
    "search": (N_("search"), N_("a search")),
    "priors": (N_("priors"), N_("a priors")),
}
"""The kinds of YAML file, as the errors name them: alone, and with their article."""


class RefusedYaml(yaml.MarkedYAMLError):
    """Well-formed YAML this program will not load (too deep, too large once expanded, cyclic)."""


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with impossible dates kept as text and limits on nesting and aliases."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise RefusedYaml(
                    problem=_("nested more than {depth} levels deep").format(depth=MAX_DEPTH),
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Node | None:
        node = super().get_single_node()
        if node is not None:
            _check_expansion(node)
        return node

    def construct_yaml_timestamp(self, node: ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # 2026-02-30: validation says why it is not a date
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_EXPONENT_ONLY_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$")
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_ONLY_FLOAT, list("-+0123456789"))


class _Dumper(yaml.SafeDumper):
    """``yaml.SafeDumper`` that quotes text the loader would read as a number ('1e5')."""


_Dumper.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_ONLY_FLOAT, list("-+0123456789"))


def dump_yaml(data: object) -> str:
    """Return `data` as block-style YAML that :func:`parse_yaml` reads back equal."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: Node) -> None:
    """Raise RefusedYaml if aliases make `root` cyclic, too deep or too large once expanded."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            kids = _children(node)
            size[key] = (
                1 + (len(node.value) if isinstance(node, ScalarNode) else 0) + sum(size[id(k)] for k in kids)
            )
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if size[key] > MAX_EXPANDED:
                raise RefusedYaml(
                    problem=_("aliases expand it beyond {size} characters").format(size=f"{MAX_EXPANDED:,}"),
                    problem_mark=node.start_mark,
                )
            if depth[key] > MAX_DEPTH:
                raise RefusedYaml(
                    problem=_("aliases nest it more than {depth} levels deep").format(depth=MAX_DEPTH),
                    problem_mark=node.start_mark,
                )
        elif key in on_path:
            raise RefusedYaml(
                problem=_("an alias refers to a value that contains it"), problem_mark=node.start_mark
            )
        elif key not in size:
            on_path.add(key)
            stack.append((node, True))
            stack.extend((kid, False) for kid in _children(node))


def parse_yaml(text: str) -> Any:
    """Parse one YAML document with the scenario loader; raise ``yaml.YAMLError`` if it is bad or refused."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml_mapping(
    path: Path, where: str, kind: str, expected: str, if_empty: str | None = None
) -> dict[str, Any]:
    """Read the YAML mapping of a `kind` file ("scenario", "experiment"); raise ScenarioError naming `where`.

    `expected` says what the top level should be; `if_empty` is the error of a file
    with no content (only comments or nothing), which otherwise is one whose top level
    is not a mapping.  The result is a deep copy (YAML aliases share objects, and
    overrides must not leak between them).
    """
    text = _read_text(path, where, kind)
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, where, text) from None
    if data is None and if_empty is not None:
        raise ScenarioError(where, if_empty)
    if not isinstance(data, dict):
        raise ScenarioError(
            where,
            _("the top level must be {expected}").format(expected=expected),
            [Problem("", _("expected a mapping"), found=describe_value(data))],
        )
    return copy.deepcopy(data)


def _read_text(path: Path, where: str, kind: str) -> str:
    if kind in KINDS:
        noun, with_article = (_(word) for word in KINDS[kind])
    else:
        noun, with_article = kind, f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(where, _("{kind} file not found").format(kind=noun)) from None
    except IsADirectoryError:
        message = _("is a folder, expected {a_kind} YAML file").format(a_kind=with_article)
        raise ScenarioError(where, message) from None
    except OSError as exc:
        message = _("cannot read {kind} file: {reason}").format(kind=noun, reason=exc.strerror or exc)
        raise ScenarioError(where, message) from None
    if len(raw) > MAX_FILE_BYTES:
        message = _("is larger than {size} bytes: is this really {a_kind} YAML file?")
        raise ScenarioError(where, message.format(size=f"{MAX_FILE_BYTES:,}", a_kind=with_article))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = _("not UTF-8 text (byte {byte}): is this really a YAML file?").format(byte=exc.start)
        raise ScenarioError(where, message) from None


def _yaml_error(exc: yaml.YAMLError, where: str, text: str) -> ScenarioError:
    if isinstance(exc, yaml.reader.ReaderError):
        character = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        message = _(
            "malformed YAML: character {character} at position {position} is not allowed in YAML text"
        )
        return ScenarioError(where, message.format(character=character, position=exc.position))
    mark = getattr(exc, "problem_mark", None)
    problem = _pyyaml_sentence(getattr(exc, "problem", None) or str(exc))
    refused = isinstance(exc, RefusedYaml)
    if mark is None:
        message = _("refused YAML: {problem}") if refused else _("malformed YAML: {problem}")
        return ScenarioError(where, message.format(problem=problem))
    if refused:
        summary = _("refused YAML at line {line}, column {column}: {problem}")
    else:
        summary = _("malformed YAML at line {line}, column {column}: {problem}")
    summary = summary.format(line=mark.line + 1, column=mark.column + 1, problem=problem)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context:
        context = _pyyaml_sentence(context)
        if context_mark is not None:
            summary = _("{summary} ({context} at line {line}, column {column})").format(
                summary=summary, context=context, line=context_mark.line + 1, column=context_mark.column + 1
            )
        else:
            summary = _("{summary} ({context})").format(summary=summary, context=context)
    lines = text.splitlines()
    problems = []
    if 0 <= mark.line < len(lines):
        line = _("line {line}: {text}").format(line=mark.line + 1, text=_clip(lines[mark.line].rstrip()))
        problems.append(Problem("", line))
    return ScenarioError(where, summary, problems)


def _pyyaml_sentence(text: str) -> str:
    """Return a sentence of PyYAML's in the language spoken (as written in English, or if unknown)."""
    return text if speaks_english() else translate_sentence(text)


def _clip(line: str, limit: int = 100) -> str:
    return line if len(line) <= limit else line[: limit - 3] + "..."
