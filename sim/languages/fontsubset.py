"""Make the Chinese fonts of feesim's figures from Noto Sans CJK (a development tool: feesim runs without it).

Run from the project root after the catalogues or the glossary gained characters::

    apt-get install fonts-noto-cjk              # the source: Debian's Noto Sans CJK
    python -m sim.languages.fontsubset          # writes sim/languages/fonts/*.otf and OFL.txt
    python -m sim.languages.fontsubset --check  # exit 1 if a character shown is missing from a font

For each Chinese language it takes the matching face of Noto Sans CJK Regular (SC: the
simplified glyph forms of mainland China; TC: the traditional forms of Taiwan) and keeps:

- every character of the language's catalogue (the ``msgstr`` of ``feesim.po``), of
  ``docs/glossary.md`` (both of its Chinese columns, in both fonts) and every Chinese
  character written in feesim's code (``万元``, ``星期一`` of `sim.languages.formats`, the
  Chinese column names of the import formats), in both fonts;
- the common characters of the script: for SC the 3,755 characters of GB 2312 level 1
  (decoded from its code range, rows 16-55); for TC the 5,401 characters of Big5 level 1
  (0xA440-0xC67E, Taiwan's list of frequently used characters), which holds 3,661 of the
  3,753 traditional counterparts of GB 2312 level 1 (as OpenCC's s2twp converts them, the
  way the traditional catalogue is made): the others are chemical names (氰, 醛...),
  place names (邯, 鄲...) and northern colloquial words, none of which feesim says; a
  translation that uses one brings it in through the catalogue;
- ASCII, Latin-1, general punctuation (— … “ ” ‰), CJK symbols and punctuation (、。「」【】)
  and the full-width forms (，：；（）！？ and full-width digits).

Hinting, vertical metrics and every OpenType feature but kerning are dropped (Matplotlib
draws horizontal text without hints).  The families are renamed Feesim Sans SC and Feesim
Sans TC, as the SIL Open Font License asks of a modified version, and the licence is written
beside them (``OFL.txt``) with the font's own copyright notice.  The output depends only
on the source font, the catalogues and the glossary: running it twice gives the same files.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from sim.languages.catalogue import LOCALE_DIR, gettext_code
from sim.languages.fonts import FACES, FONTS_DIR, Face
from sim.languages.glossary import GLOSSARY_FILE

__all__ = [
    "SOURCE",
    "big5_level1",
    "catalogue_characters",
    "code_characters",
    "common_characters",
    "gb2312_level1",
    "main",
    "needed_characters",
]

PACKAGE = Path(__file__).resolve().parent.parent
CODE_CHINESE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u3300-\u33ff]")
"""Characters of Chinese text (ideographs, CJK punctuation, full-width forms, ㎡) in the code."""

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
"""Noto Sans CJK Regular as Debian's ``fonts-noto-cjk`` installs it (one collection, a face per region)."""

DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
"""Debian's copyright file of ``fonts-noto-cjk``: it holds the text of the SIL Open Font License 1.1."""

SOURCE_FACES = {"zh-Hans": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC"}
"""The face of the collection whose glyph forms each language uses."""

LAYOUT_FEATURES = ["kern"]
DROPPED_TABLES = ["vhea", "vmtx", "VORG", "BASE"]
EXTRA_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ± × ÷ ° ·
    (0x2010, 0x205E),  # general punctuation: – — ‘ ’ “ ” … ‰
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus
    (0x2264, 0x2265),  # ≤ ≥
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〈〉《》「」【】
    (0xFF01, 0xFF5E),  # full-width forms: ，：；（）！？ and digits
)
README = """\
# Fonts of Chinese figures

- `FeesimSansSC-Regular.otf`: Feesim Sans SC, a subset of Noto Sans CJK SC Regular {version}
  (simplified glyph forms): {sc}.
- `FeesimSansTC-Regular.otf`: Feesim Sans TC, a subset of Noto Sans CJK TC Regular {version}
  (traditional glyph forms): {tc}.
- `OFL.txt`: their licence, the SIL Open Font License 1.1, with the source's copyright notice.

Each holds every character of its language's catalogue and of the glossary, plus the
common characters of its script (GB 2312 level 1 for SC, Big5 level 1 for TC).
`sim.languages.fonts` registers them with Matplotlib, so that figures in Chinese need no
font on the machine.

They are made by `python -m sim.languages.fontsubset` (its docstring says how) from
Debian's package fonts-noto-cjk, installed for it (feesim does not need it):
`{source}`.
Run it again from the project root when a catalogue or the glossary gains characters;
`python -m sim.languages.fontsubset --check` says whether one is missing (a test checks
it too).

The licence in OFL.txt applies to these fonts only. As modified versions they are
renamed: they use neither the name Noto nor Source (the Reserved Font Name of Adobe's
Source Han Sans, of which Noto Sans CJK is a version).
"""


def gb2312_level1() -> list[str]:
    """Return the 3,755 characters of GB 2312 level 1 (rows 16-55), in code order."""
    return [
        bytes([row, cell]).decode("gb2312")
        for row in range(0xB0, 0xD8)
        for cell in range(0xA1, 0xFF)
        if not (row == 0xD7 and cell > 0xF9)  # row 55 ends at 55-89
    ]


def big5_level1() -> list[str]:
    """Return the 5,401 characters of Big5 level 1 (0xA440-0xC67E), in code order."""
    found = []
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if (lead, trail) > (0xC6, 0x7E):
                break
            found.append(bytes([lead, trail]).decode("big5"))
    return found


def common_characters(language: str) -> set[str]:
    """Return the common characters kept in the font of `language` beside those feesim shows."""
    script = gb2312_level1() if language == "zh-Hans" else big5_level1()
    extra = (chr(code) for first, last in EXTRA_RANGES for code in range(first, last + 1))
    return {*script, *extra}


def catalogue_characters(language: str) -> set[str]:
    """Return every character of the translations (``msgstr``) in the catalogue of `language`."""
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / gettext_code(language) / "LC_MESSAGES" / "feesim.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    found: set[str] = set()
    for message in catalogue:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found.update("".join(string or "" for string in strings))
    return found


def code_characters() -> set[str]:
    """Return the Chinese characters written in feesim's code (``万元`` of `sim.languages.formats`...)."""
    found: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != Path(__file__).resolve():
            found.update(CODE_CHINESE.findall(path.read_text(encoding="utf-8")))
    return found


def needed_characters(language: str) -> set[str]:
    """Return the characters the font of `language` must have: its catalogue's, the glossary's, the code's."""
    shown = (
        catalogue_characters(language) | set(GLOSSARY_FILE.read_text(encoding="utf-8")) | code_characters()
    )
    return {character for character in shown if character.isprintable()}


def _rename(font, face: Face, description: str) -> None:
    """Give `font` the family `face.family` in its name table and in its CFF table."""
    name = font["name"]
    postscript = face.file.removesuffix(".otf")
    version = name.getDebugName(5) or ""
    renamed = {
        1: face.family,
        2: "Regular",
        3: f"{version.removeprefix('Version ').split(';')[0]};FEESIM;{postscript}",
        4: face.family,
        5: f"{version.split(';')[0]}; feesim subset",
        6: postscript,
        10: description,
    }
    kept = {0, 8, 9, 11, 12, 13, 14}  # copyright, manufacturer, designers, addresses, licence
    name.names = [record for record in name.names if record.nameID in kept and record.langID in (0, 0x409)]
    for name_id, text in renamed.items():
        name.setName(text, name_id, 3, 1, 0x409)
    name.names.sort(key=lambda record: (record.platformID, record.platEncID, record.langID, record.nameID))
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    old = cff.fontNames[0]
    cff.fontNames = [postscript]
    top.FullName = face.family
    top.FamilyName = face.family  # its Notice, the copyright notice, stays
    for private in getattr(top, "FDArray", []):
        private.FontName = private.FontName.replace(old, postscript)


def make_font(source: Path, language: str, characters: Iterable[str], destination: Path) -> int:
    """Write the `language` face of `source` cut to `characters` to `destination`; return its glyph count."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    wanted = SOURCE_FACES[language]
    collection = TTCollection(str(source))
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == wanted)
    missing = sorted(c for c in characters if ord(c) not in font.getBestCmap())
    needed = needed_characters(language)
    lost = [c for c in missing if c in needed]
    if lost:
        raise SystemExit(f"{wanted} has no glyph for {''.join(lost)!r}: feesim shows them in {language}")
    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.hinting = False
    options.drop_tables += DROPPED_TABLES
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters])
    subsetter.subset(font)
    face = FACES[language]
    description = f"Subset of {wanted} for feesim's figures, made by python -m sim.languages.fontsubset."
    _rename(font, face, description)
    font.recalcTimestamp = False  # the same input gives the same file
    font.save(str(destination))
    return len(font.getGlyphOrder())


def licence_text(source: Path, copyright_file: Path) -> str:
    """Return the OFL file: the source's copyright notice, then the licence from Debian's copyright file."""
    from fontTools.ttLib import TTCollection

    notice = TTCollection(str(source)).fonts[0]["CFF "].cff.topDictIndex[0].Notice
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    start = next(  # the stanza with the text, not the line of the "Files: *" stanza that names it
        i for i, line in enumerate(lines[:-1]) if line == "License: SIL-1.1" and lines[i + 1].startswith(" ")
    )
    text = []
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        text.append("" if line == " ." else line[1:])
    licence = "\n".join(text).strip("\n")
    notices = f"{notice}\n\nThis Font Software is licensed under the SIL Open Font License, Version 1.1."
    return f"{notices}\n\n{licence}\n"


def check() -> list[str]:
    """Return one line for each language whose font lacks a character that feesim shows in it."""
    from fontTools.ttLib import TTFont

    problems = []
    for language, face in FACES.items():
        cmap = TTFont(str(face.path))["cmap"].getBestCmap()
        missing = sorted(c for c in needed_characters(language) if ord(c) not in cmap)
        if missing:
            problems.append(f"{face.file} lacks {len(missing)} characters of {language}: {''.join(missing)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Make the fonts (or, with ``--check``, check them); return the exit status."""
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m sim.languages.fontsubset", description=summary)
    parser.add_argument("--source", type=Path, default=SOURCE, help=f"Noto Sans CJK collection ({SOURCE})")
    parser.add_argument("--copyright", type=Path, default=DEBIAN_COPYRIGHT, help="Debian's copyright file")
    parser.add_argument("--check", action="store_true", help="only check the fonts against the catalogues")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        sys.stdout.write(
            "".join(f"{line}\n" for line in problems) or "The fonts have every character shown.\n"
        )
        return 1 if problems else 0
    if not args.source.is_file():
        parser.error(f"{args.source} not found: apt-get install fonts-noto-cjk, or give --source")
    FONTS_DIR.mkdir(exist_ok=True)
    counts = {}
    for language, face in FACES.items():
        needed = needed_characters(language)
        characters = needed | common_characters(language)
        glyphs = make_font(args.source, language, characters, face.path)
        cjk = sum(1 for c in characters if "\u3400" <= c <= "\u9fff")
        counts[language] = f"{len(characters):,} characters ({cjk:,} ideographs), {glyphs:,} glyphs"
        sys.stdout.write(
            f"{face.path}: {face.path.stat().st_size:,} bytes; {len(characters):,} characters "
            f"({cjk:,} ideographs, {len(needed):,} shown by feesim), {glyphs:,} glyphs\n"
        )
    (FONTS_DIR / "OFL.txt").write_text(licence_text(args.source, args.copyright), encoding="utf-8")
    from fontTools.ttLib import TTCollection

    version = TTCollection(str(args.source)).fonts[0]["name"].getDebugName(5).split(";")[0]
    (FONTS_DIR / "README.md").write_text(
        README.format(
            version=version.removeprefix("Version "),
            sc=counts["zh-Hans"],
            tc=counts["zh-Hant"],
            source=args.source,
        ),
        encoding="utf-8",
    )
    problems = check()
    sys.stdout.write("".join(f"{line}\n" for line in problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
