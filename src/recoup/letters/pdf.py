"""Letters as PDF (reportlab): letterhead, the address where a window envelope shows it,
the itemised table with interest and fees apart from the principal, page numbers.

Paper by country: US Letter for the US and Canada, A4 elsewhere. On A4 the address
field follows DIN 5008 form B (fits DL and C5/6 envelopes with a window on the left):
20 mm from the left edge, from 45 mm below the top, 85 x 45 mm, its first 17.7 mm for
the sender's return line; fold marks at 105 and 210 mm and a punch mark at 148.5 mm.
French letters (FR, MC) go in French window envelopes, whose window is on the right:
the address field is 85 x 33 mm, 110 mm from the left edge and 55 mm from the top
(La Poste's rule), and the customer number and date move to the left.
On US Letter the address sits for a #10 window envelope: 7/8 in from the left,
2 in from the top, 4 x 1 in; fold marks at the thirds.

The text is set in DejaVu Sans (`recoup.letters.font`), embedded in the PDF, so every
Latin script prints as written (Łódź, Ærøskøbing, İzmir, Œuvre, €, £, ő, ş).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from recoup.letters import font
from recoup.messages.context import Business, Formatter, MessageData, table_rows
from recoup.messages.labels import LABELS, TABLE_MARK

US_LETTER_COUNTRIES = frozenset({"US", "CA"})
RIGHT_WINDOW_COUNTRIES = frozenset({"FR", "MC"})

FONT, BOLD = font.REGULAR, font.BOLD
SIZE, LEADING = 10, 13.5

Op = Callable[[Canvas], None]


@dataclass(frozen=True)
class Geometry:
    width: float
    height: float
    left: float
    right: float  # right margin
    address_x: float
    address_top: float  # from the top edge: the return line
    recipient_top: float  # from the top edge: the first line of the address
    info_x: float
    subject_top: float
    folds: tuple[float, ...]  # from the top edge
    punch: float | None
    bottom: float  # the text stops this far above the bottom edge
    info_value_x: float | None = None  # right edge of the info values (None: the margin)


A4_GEOMETRY = Geometry(
    width=A4[0],
    height=A4[1],
    left=25 * mm,
    right=20 * mm,
    address_x=20 * mm + 5 * mm,
    address_top=45 * mm + 3 * mm,
    recipient_top=45 * mm + 17.7 * mm + 3.5 * mm,
    info_x=125 * mm,
    subject_top=98.46 * mm,
    folds=(105 * mm, 210 * mm),
    punch=148.5 * mm,
    bottom=28 * mm,
)
FR_GEOMETRY = Geometry(
    width=A4[0],
    height=A4[1],
    left=25 * mm,
    right=20 * mm,
    address_x=110 * mm,
    address_top=55 * mm + 2.5 * mm,
    recipient_top=55 * mm + 8 * mm,
    info_x=25 * mm,
    info_value_x=95 * mm,
    subject_top=98.46 * mm,
    folds=(105 * mm, 210 * mm),
    punch=148.5 * mm,
    bottom=28 * mm,
)
LETTER_GEOMETRY = Geometry(
    width=LETTER[0],
    height=LETTER[1],
    left=1 * inch,
    right=0.9 * inch,
    address_x=0.875 * inch + 0.15 * inch,
    address_top=1.72 * inch,
    recipient_top=2.0 * inch + 0.14 * inch,
    info_x=5.3 * inch,
    subject_top=3.45 * inch,
    folds=(11 * inch / 3, 22 * inch / 3),
    punch=None,
    bottom=1.05 * inch,
)


def geometry_for(country: str) -> Geometry:
    code = country.upper()
    if code in US_LETTER_COUNTRIES:
        return LETTER_GEOMETRY
    return FR_GEOMETRY if code in RIGHT_WINDOW_COUNTRIES else A4_GEOMETRY


def pdf_text(value: str) -> str:
    """`value` as the letter's font can show it (a character it lacks becomes "?")."""
    return font.printable(value)


def render_letter(data: MessageData, subject: str, marked_body: str) -> bytes:
    """The letter as PDF bytes: the same bytes for the same input (no creation time)."""
    font.register()
    g = geometry_for(data.country)
    pages = _layout(data, subject, marked_body, g)
    buf = io.BytesIO()
    c = Canvas(
        buf,
        pagesize=(g.width, g.height),
        invariant=True,
        pageCompression=1,
        initialFontName=FONT,
        initialFontSize=SIZE,
    )
    c.setTitle(pdf_text(subject))
    c.setAuthor(pdf_text(data.business.name))
    labels = LABELS[data.lang]
    for number, ops in enumerate(pages, start=1):
        _marks(c, g)
        for op in ops:
            op(c)
        _footer(c, g, data, f"{labels['page']} {number} {labels['of']} {len(pages)}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _text(
    x: float, y: float, value: str, font: str = FONT, size: float = SIZE, align: str = "left"
) -> Op:
    value = pdf_text(value)

    def op(c: Canvas) -> None:
        c.setFont(font, size)
        if align == "right":
            c.drawRightString(x, y, value)
        else:
            c.drawString(x, y, value)

    return op


def _line(x1: float, y1: float, x2: float, y2: float, width: float = 0.5) -> Op:
    def op(c: Canvas) -> None:
        c.setLineWidth(width)
        c.line(x1, y1, x2, y2)

    return op


def _layout(data: MessageData, subject: str, body: str, g: Geometry) -> list[list[Op]]:
    f = Formatter(data.language, data.country)
    labels = LABELS[data.lang]
    b = data.business
    top = g.height
    text_width = g.width - g.left - g.right
    first: list[Op] = []
    # letterhead
    first.append(_text(g.left, top - 22 * mm, b.name, BOLD, 17))
    contact = [*b.address.split("\n"), b.phone, b.email, b.website]
    y = top - 14 * mm
    for line in (x for x in contact if x):
        first.append(_text(g.width - g.right, y, line, FONT, 8, "right"))
        y -= 10
    # the window: return line, then the address
    ret = " · ".join(x for x in [b.name, *b.address.split("\n")[:2]] if x)
    first.append(_text(g.address_x, top - g.address_top, ret, FONT, 6.5))
    first.append(
        _line(
            g.address_x,
            top - g.address_top - 1.6,
            g.address_x + 80 * mm,
            top - g.address_top - 1.6,
            0.3,
        )
    )
    y = top - g.recipient_top
    for line in data.address.split("\n")[:6]:
        first.append(_text(g.address_x, y, line, FONT, 10.5))
        y -= 12.5
    # information block
    y = top - g.address_top - 8
    value_x = g.width - g.right if g.info_value_x is None else g.info_value_x
    for label, value in (
        (labels["customer_no"], data.customer_key),
        (labels["date"], f.day(data.as_of)),
    ):
        first.append(_text(g.info_x, y, label, FONT, 8))
        first.append(_text(value_x, y, value, FONT, 9, "right"))
        y -= 13
    # subject
    subject_lines = _wrap(pdf_text(_unbreakable(subject, b, data.lang)), BOLD, 11.5, text_width)
    y = top - g.subject_top
    for line in subject_lines:
        first.append(_text(g.left, y, line, BOLD, 11.5))
        y -= 15
    y -= 10

    pages: list[list[Op]] = [first]
    cursor = [y]

    def room(needed: float) -> None:
        if cursor[0] - needed < g.bottom:
            pages.append([])
            cursor[0] = top - 25 * mm

    for block in _blocks(body):
        if block == TABLE_MARK:
            _table(data, g, pages, cursor, room, text_width)
            continue
        lines: list[str] = []
        for raw in _unbreakable(block, b, data.lang).split("\n"):
            lines.extend(_wrap(pdf_text(raw), FONT, SIZE, text_width))
        for line in lines:
            room(LEADING)
            pages[-1].append(_text(g.left, cursor[0], line))
            cursor[0] -= LEADING
        cursor[0] -= LEADING * 0.6
    return pages


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most `width`, broken at ordinary spaces only: a no-break space (in
    "1 447,90 €", "IBAN FR76 ...") holds, unlike reportlab's simpleSplit."""
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    words: list[str] = []
    used = 0.0
    for word in text.split(" "):
        w = stringWidth(word, font, size)
        if words and used + space + w > width:
            lines.append(" ".join(words))
            words, used = [], 0.0
        used += (space if words else 0.0) + w
        words.append(word)
    lines.append(" ".join(words))
    return lines


def _unbreakable(text: str, b: Business, lang: str) -> str:
    """The business's phone number and each part of its bank details (IBAN, BIC) kept
    on one line: a number split across two lines is easily mistyped. In French, the
    space before : ; ? ! and » never starts a line either."""
    for whole in (b.phone, *b.bank.split(" · ")):
        whole = whole.strip()
        if " " in whole:
            text = text.replace(whole, whole.replace(" ", "\u00a0"))
    if lang == "fr":
        text = _FRENCH_SPACE.sub("\u00a0\\1", text).replace("« ", "«\u00a0")
    return text


_FRENCH_SPACE = re.compile(r" ([:;?!»])")


def _blocks(body: str) -> list[str]:
    out: list[str] = []
    for block in body.strip("\n").split("\n\n"):
        if TABLE_MARK in block:
            before, _, after = block.partition(TABLE_MARK)
            out.extend(x.strip("\n") for x in (before, TABLE_MARK, after) if x.strip())
        elif block.strip():
            out.append(block.strip("\n"))
    return out


def _table(
    data: MessageData,
    g: Geometry,
    pages: list[list[Op]],
    cursor: list[float],
    room: Callable[[float], None],
    width: float,
) -> None:
    labels = LABELS[data.lang]
    rows, summary = table_rows(data)
    x0 = g.left
    # invoice, issued, due: left aligned at these offsets; amount and open: right edges
    cols = (x0, x0 + 0.28 * width, x0 + 0.47 * width)
    rights = (x0 + 0.80 * width, x0 + width)
    row_h = 14.0

    def head() -> None:
        room(row_h * 2)
        y = cursor[0]
        ops = pages[-1]
        for x, key in zip(cols, ("invoice", "issued", "due"), strict=True):
            ops.append(_text(x, y, labels[key], BOLD, 9))
        for x, key in zip(rights, ("amount", "open"), strict=True):
            ops.append(_text(x, y, labels[key], BOLD, 9, "right"))
        ops.append(_line(x0, y - 4, x0 + width, y - 4, 0.6))
        cursor[0] -= row_h + 2

    head()
    for r in rows:
        if cursor[0] - row_h < g.bottom:
            room(row_h * 3)
            head()
        y = cursor[0]
        for x, value in zip(cols, r[:3], strict=True):
            pages[-1].append(_text(x, y, value, FONT, 9.5))
        for x, value in zip(rights, r[3:], strict=True):
            pages[-1].append(_text(x, y, value, FONT, 9.5, "right"))
        cursor[0] -= row_h
    room(row_h * (len(summary) + 1))
    pages[-1].append(_line(x0, cursor[0] + row_h - 4, x0 + width, cursor[0] + row_h - 4, 0.4))
    cursor[0] -= 3
    for i, (label, value) in enumerate(summary):
        last = i == len(summary) - 1
        font = BOLD if last else FONT
        if last:
            pages[-1].append(
                _line(cols[2], cursor[0] + row_h - 3, x0 + width, cursor[0] + row_h - 3, 0.9)
            )
        pages[-1].append(_text(cols[2], cursor[0], label, font, 9.5))
        pages[-1].append(_text(rights[1], cursor[0], value, font, 9.5, "right"))
        cursor[0] -= row_h
    cursor[0] -= LEADING * 0.8


def _marks(c: Canvas, g: Geometry) -> None:
    c.setLineWidth(0.4)
    for y in g.folds:
        c.line(4 * mm, g.height - y, 9 * mm, g.height - y)
    if g.punch is not None:
        c.line(4 * mm, g.height - g.punch, 11 * mm, g.height - g.punch)


def _footer(c: Canvas, g: Geometry, data: MessageData, page: str) -> None:
    labels = LABELS[data.lang]
    b = data.business
    y = g.bottom - 14
    c.setLineWidth(0.3)
    c.line(g.left, y + 10, g.width - g.right, y + 10)
    c.setFont(FONT, 7.5)
    parts = [b.name, *b.address.split("\n")]
    c.drawString(g.left, y, pdf_text(" · ".join(p for p in parts if p)))
    if b.bank:
        colon = "\u00a0: " if data.lang == "fr" else ": "  # French sets a space before a colon
        c.drawString(g.left, y - 10, pdf_text(f"{labels['bank']}{colon}{b.bank}"))
    c.drawRightString(g.width - g.right, y, pdf_text(page))
