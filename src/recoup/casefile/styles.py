"""The court case file's look: its font, colours and paragraph styles, and how it
writes amounts, days and languages (`recoup.casefile.pdf` lays the sections out)."""

from __future__ import annotations

from datetime import date

from babel import Locale, UnknownLocaleError
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from recoup.domain.money import Money
from recoup.letters import font
from recoup.money_format import format_money_code

FONT = font.REGULAR
FONT_BOLD = font.BOLD
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
SHADE = colors.HexColor("#f0f4f8")
WARN = colors.HexColor("#b44d12")
OK = colors.HexColor("#2d7a46")
MAX_DOCUMENT_LINES = 200  # of one e-mail's text in the PDF; the zip holds the whole copy
# a table sets its cells' font even around a Paragraph: reportlab's Helvetica would be
# named in the PDF without being embedded
FONT_CELLS = ("FONTNAME", (0, 0), (-1, -1), FONT)
COPY_ROW_LINES = 40  # lines of a copied document per table row (a page holds about 80)


def money(value: Money | None) -> str:
    """`USD 1,234.56` (the minus sign before the number)."""
    if value is None:
        return "—"
    return format_money_code(value)


def day(value: date | None) -> str:
    return value.isoformat() if value else "—"


class Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12, textColor=INK)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
        self.muted = ParagraphStyle("muted", parent=base, textColor=MUTED)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10)
        self.cell_num = ParagraphStyle("cellnum", parent=self.cell, alignment=TA_RIGHT)
        self.head = ParagraphStyle(
            "head", parent=self.cell, fontName=FONT_BOLD, textColor=colors.white
        )
        self.title = ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=4
        )
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            spaceBefore=10,
            spaceAfter=6,
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=13,
            spaceBefore=8,
            spaceAfter=4,
        )
        self.copy = ParagraphStyle("copy", parent=base, fontSize=7, leading=8.5)
        self.ok = ParagraphStyle("ok", parent=base, fontName=FONT_BOLD, textColor=OK)
        self.warn = ParagraphStyle("warn", parent=base, fontName=FONT_BOLD, textColor=WARN)


def language(code: str) -> str:
    """ "German (de)" for "de"; the code as it is when Babel does not know it."""
    if not code:
        return "—"
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name("en")
    except (ValueError, UnknownLocaleError):
        return code
    return f"{name} ({code})" if name else code


def chunks(lines: list[str], size: int) -> list[list[str]]:
    return [lines[i : i + size] for i in range(0, len(lines), size)] or [[""]]
