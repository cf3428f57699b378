"""The small pieces of the case file's PDF: paragraphs, cells, tables and headings in
its styles, with the characters the font lacks written as "?" (`recoup.letters.font`).
The sections are written by `recoup.casefile.pdf`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from recoup.casefile.model import CaseFile
from recoup.casefile.styles import FONT_CELLS, INK, RULE, SHADE, Styles
from recoup.letters import font


class Story:
    """The case file's story (the list of flowables) and the small pieces it is made of:
    paragraphs, cells, tables and headings in the case file's styles."""

    def __init__(self, case: CaseFile) -> None:
        self.case = case
        self.s = Styles()
        self.story: list[Flowable] = []

    def clean(self, value: str) -> str:
        """`value` with the characters the font lacks as "?"."""
        return font.printable(value)

    def text(self, value: str) -> str:
        """`value` escaped for a Paragraph's markup."""
        return escape(self.clean(value))

    def para(self, value: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(self.text(value).replace("\n", "<br/>"), style or self.s.body)

    def cell(self, value: str, num: bool = False) -> Paragraph:
        return self.para(value, self.s.cell_num if num else self.s.cell)

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        widths: Sequence[float],
        numeric: Iterable[int] = (),
        bold_last: bool = False,
    ) -> Table:
        nums = set(numeric)
        data: list[list[Paragraph]] = [[Paragraph(self.text(h), self.s.head) for h in header]]
        for row in rows:
            data.append([self.cell(v, i in nums) for i, v in enumerate(row)])
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        style = [
            FONT_CELLS,
            ("BACKGROUND", (0, 0), (-1, 0), INK),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        if bold_last and len(data) > 1:
            style.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
        t.setStyle(TableStyle(style))
        return t

    def h1(self, title: str) -> None:
        self.story.append(self.para(title, self.s.h1))

    def h2(self, title: str) -> None:
        self.story.append(self.para(title, self.s.h2))

    def none(self, what: str) -> None:
        self.story.append(self.para(what, self.s.muted))
