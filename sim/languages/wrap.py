"""Text wrapped to a width of terminal columns in the language spoken: a Chinese character takes two.

English is wrapped by `textwrap.wrap`, as before.  Chinese has no spaces between
words: a line may break between any two Chinese characters, never inside a run
of Latin letters, digits and signs (a path, a key path, ``+0.7``), and never
before closing punctuation (``，。；：）``), which stays with the character before it,
nor after opening punctuation (``（「``).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

from sim.languages import speaks_english

__all__ = ["columns", "pad", "wrap"]

_TOKENS = re.compile(r"\s+|[\x21-\x7e]+|.", re.DOTALL)
_CLOSING = set("，。、；：！？）」』》】”’%")
_OPENING = set("（「『《【“‘")


def columns(text: str) -> int:
    """Return how many terminal columns `text` takes (a wide or full-width character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """Return `text` followed by spaces up to `width` columns (as ``f"{text:<{width}}"`` for ASCII)."""
    return text + " " * max(0, width - columns(text))


def wrap(text: str, width: int) -> list[str]:
    """Return `text` in lines of at most `width` columns (a longer path or number keeps its own line)."""
    if speaks_english():
        return textwrap.wrap(text, width)
    lines: list[list[str]] = [[]]
    for token in _TOKENS.findall(text):
        line = lines[-1]
        if token.isspace():
            if line:
                line.append(" ")
            continue
        if line and columns("".join(line) + token) > width:
            carried = _carried(line) if token in _CLOSING else []
            while line and line[-1].isspace():
                line.pop()
            while len(line) > 1 and line[-1] in _OPENING:
                carried.insert(0, line.pop())
            if not line:  # one long path or number: its punctuation stays with it
                line.extend([*carried, token])
                continue
            lines.append([*carried, token])
            continue
        line.append(token)
    return ["".join(line).rstrip() for line in lines if line]


def _carried(line: list[str]) -> list[str]:
    """Take from the end of `line` the closing punctuation and the character before it; return them."""
    end = len(line)
    while end and line[end - 1] in _CLOSING:
        end -= 1
    if end and not line[end - 1].isspace():
        end -= 1
    carried = line[end:]
    del line[end:]
    return carried
