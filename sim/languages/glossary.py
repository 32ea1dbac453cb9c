"""The glossary: every term of the field in English, simplified and traditional Chinese (docs/glossary.md).

The glossary is the one place a term is translated: ``python -m sim.languages.build``
writes its terms over the catalogues' entries, and a test fails when a catalogue
disagrees with it.  Its table has four columns: the English term (the message as
the code writes it), zh-Hans, zh-Hant and where the term comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["GLOSSARY_FILE", "Term", "read_glossary"]

GLOSSARY_FILE = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
COLUMNS = 4


@dataclass(frozen=True)
class Term:
    """One term in the three languages, and its source."""

    english: str
    hans: str
    hant: str
    source: str


def read_glossary(path: Path = GLOSSARY_FILE) -> list[Term]:
    """Return the terms of the glossary's tables (rows of four cells after a header and a rule)."""
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) != COLUMNS:
            continue
        if cells[0] in ("English", "") or set(cells[0]) <= set("-: "):
            continue
        terms.append(Term(*(cell.strip("`") for cell in cells[:3]), cells[3]))
    return terms
