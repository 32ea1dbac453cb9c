"""The fonts of Chinese figures: two subsets of Noto Sans CJK shipped beside this module.

Matplotlib's own font (DejaVu Sans) has no Chinese, and feesim does not count on the
machine having any.  ``fonts/`` holds two OFL-licensed subsets of Noto Sans CJK, renamed
Feesim Sans SC (simplified glyph forms) and Feesim Sans TC (traditional glyph forms), each
with every character of its catalogue and of the glossary plus a set of common characters
(``python -m sim.languages.fontsubset`` makes them; ``fonts/README.md`` says how).

`use_language_fonts` registers both with Matplotlib once and puts the one of the language
being spoken after the families Matplotlib uses: Matplotlib then draws every glyph that
DejaVu Sans lacks from it (font fallback, glyph by glyph), so Latin letters and digits look
as in English figures.  In English the families are left exactly as they were.  Every figure
feesim draws is made by `sim.views.canvas.new_figure` (or calls this function itself), so a
figure drawn after `sim.languages.activate` uses the fonts of the new language.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from sim.languages.catalogue import active

__all__ = ["FACES", "FONTS_DIR", "Face", "register_fonts", "use_language_fonts"]

FONTS_DIR = Path(__file__).resolve().parent / "fonts"


class Face(NamedTuple):
    """A font feesim ships: its family name and its file in `FONTS_DIR`."""

    family: str
    file: str

    @property
    def path(self) -> Path:
        """Return where the font is."""
        return FONTS_DIR / self.file


FACES = {
    "zh-Hans": Face("Feesim Sans SC", "FeesimSansSC-Regular.otf"),
    "zh-Hant": Face("Feesim Sans TC", "FeesimSansTC-Regular.otf"),
}
"""The font of each language that needs one beside Matplotlib's (English needs none)."""

_FAMILIES = {face.family for face in FACES.values()}
_registered: list[bool] = []


def register_fonts() -> None:
    """Add feesim's fonts to Matplotlib's font manager (once per process).

    Each is registered as its bold too: feesim ships no bold Chinese font, and Matplotlib
    would otherwise warn at every bold text (Chinese glyphs in bold text are drawn regular).
    """
    if _registered:
        return
    import dataclasses

    from matplotlib import font_manager

    manager = font_manager.fontManager
    for face in FACES.values():
        manager.addfont(str(face.path))
        regular = next(entry for entry in manager.ttflist if entry.fname == str(face.path))
        manager.ttflist.append(dataclasses.replace(regular, weight=700))
    _registered.append(True)


def use_language_fonts(language: str | None = None) -> None:
    """Make the text of figures drawn from now on use the fonts of `language` (default: the one spoken).

    The language's font goes last in ``font.family``, after the families already there
    (``sans-serif``, that is DejaVu Sans, unless the user's matplotlibrc says otherwise), so
    it only draws the glyphs those lack.  English: ``font.family`` without feesim's fonts.
    """
    import matplotlib as mpl

    register_fonts()
    face = FACES.get(active() if language is None else language)
    families = [family for family in mpl.rcParams["font.family"] if family not in _FAMILIES]
    if face is not None:
        families.append(face.family)
    if families != mpl.rcParams["font.family"]:
        mpl.rcParams["font.family"] = families
