"""The typeface of every PDF Recoup writes (letters, statements, the court case file).

DejaVu Sans, regular and bold, shipped in `fonts/` (from the npm package
dejavu-fonts-ttf 2.37.3; licence in `fonts/DejaVu-LICENSE-2.37.txt`). It covers Latin
with all its extensions, Greek and Cyrillic, so names such as Łódź, Ærøskøbing, İzmir
or Œuvre print as written; the PDF embeds the glyphs it uses (a subset), so any reader
shows them and `pdftotext` reads them back.

The fonts are registered with reportlab once per process (`register`); a character
the font has no glyph for is written as "?" (`printable`) rather than as an empty box.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FOLDER = Path(__file__).parent / "fonts"
VERSION = "2.37"
REGULAR = "RecoupSans"
BOLD = "RecoupSans-Bold"
FILES = {
    REGULAR: FOLDER / f"DejaVuSans-{VERSION}.ttf",
    BOLD: FOLDER / f"DejaVuSans-Bold-{VERSION}.ttf",
}

_lock = threading.Lock()


@cache
def register() -> tuple[str, str]:
    """Register the regular and the bold face (once); their names for `setFont`."""
    with _lock:
        known = set(pdfmetrics.getRegisteredFontNames())
        for name, path in FILES.items():
            if name not in known:
                pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
    return REGULAR, BOLD


@cache
def glyphs() -> frozenset[int]:
    """The code points both faces can draw."""
    register()
    regular = pdfmetrics.getFont(REGULAR).face.charToGlyph
    bold = pdfmetrics.getFont(BOLD).face.charToGlyph
    return frozenset(regular) & frozenset(bold)


def printable(text: str) -> str:
    """`text` with each character the font cannot draw as "?" (line breaks kept)."""
    have = glyphs()
    if all(ord(ch) in have for ch in text):
        return text
    return "".join(ch if ord(ch) in have or ch == "\n" else "?" for ch in text)
