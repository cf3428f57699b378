"""The court case file as one PDF (reportlab).

Amounts are written `USD 1,234.56` and days `2025-06-30`: a court file is read in many
places, and ISO dates and currency codes cannot be misread. The font is the letters'
DejaVu Sans (`recoup.letters.font`, embedded, so every Latin script prints as written
and `pdftotext` reads the text back exactly); a character it lacks is written as "?"
rather than lost silently.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    Preformatted,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from recoup.casefile.model import CaseFile, Event, Invoice, Payment, Totals
from recoup.casefile.story import Story
from recoup.casefile.styles import (
    COPY_ROW_LINES,
    FONT,
    FONT_CELLS,
    MAX_DOCUMENT_LINES,
    MUTED,
    RULE,
    SHADE,
    chunks,
    day,
    language,
    money,
)
from recoup.domain.money import Money
from recoup.domain.words import readable, term
from recoup.letters import font


class _Writer(Story):
    """Builds the story section by section."""

    # --- sections -------------------------------------------------------------------

    def build(self) -> list[Flowable]:
        self.cover()
        self.summary()
        self.statement()
        self.invoices()
        self.contacts()
        self.promises()
        self.disputes()
        self.interest()
        self.verification()
        self.history()
        return self.story

    def cover(self) -> None:
        c, d = self.case, self.case.debtor
        self.story.append(self.para(f"Case file: {d.name}", self.s.title))
        lines = [
            f"Customer {d.key} · claim as of {day(c.as_of)} · prepared "
            f"{c.made_at.strftime('%Y-%m-%d %H:%M')} UTC",
        ]
        if c.creditor:
            lines.append(f"Creditor: {c.creditor}")
        for line in lines:
            self.story.append(self.para(line, self.s.muted))
        self.story.append(Spacer(1, 4 * mm))

    def summary(self) -> None:
        c, d = self.case, self.case.debtor
        self.h1("1. Summary")
        place = d.country + (f" ({d.region})" if d.region else "")
        facts = [
            ("Debtor", f"{d.name} ({d.key})"),
            ("Country", place or "—"),
            ("Category", term("category", d.kind) if d.kind else "—"),
            ("Language · time zone", f"{language(d.language)} · {d.timezone or '—'}"),
        ]
        for ct in d.contacts:
            reach = " · ".join(x for x in (ct.email, ct.phone) if x)
            facts.append(("Contact", f"{ct.name}" + (f" · {reach}" if reach else "")))
            if ct.address:
                facts.append(("Address", ct.address))
        facts += [
            ("Invoices", f"{sum(1 for i in c.invoices if i.kind == 'invoice')}"),
            ("Contacts recorded", str(len(c.contacts))),
            ("Promises, plans, settlements", str(len(c.promises))),
            ("Disputes and holds", str(len(c.disputes))),
            ("Documents attached", str(len(c.documents))),
        ]
        rows = [[self.cell(k), self.cell(v)] for k, v in facts]
        t = Table(rows, colWidths=[45 * mm, 130 * mm])
        t.setStyle(
            TableStyle(
                [
                    FONT_CELLS,
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        self.story.append(t)
        self.h2("The claim")
        if c.totals:
            self.story.append(self.totals_table(c.totals))
            self.claim_working(c.totals)
        else:
            self.none("Nothing was ever invoiced to this customer.")
        self.h2("Small-claims limit")
        for sc in c.small_claims:
            if sc.fits is None:
                verdict, style = f"Claim {money(sc.claim)}: {sc.note}", self.s.body
            elif sc.fits:
                verdict = (
                    f"The claim of {money(sc.claim)} fits the {sc.court} limit of "
                    f"{money(sc.limit)} ({sc.jurisdiction})."
                )
                style = self.s.ok
            else:
                verdict = (
                    f"The claim of {money(sc.claim)} is above the {sc.court} limit of "
                    f"{money(sc.limit)} ({sc.jurisdiction})."
                )
                style = self.s.warn
            self.story.append(self.para(verdict, style))
            if sc.limit is not None:
                detail = f"Source: {sc.source} · status {sc.status}."
                if sc.note and sc.fits is not None:  # with no verdict the note was said above
                    detail += f" {sc.note}"
                self.story.append(self.para(detail, self.s.small))
        self.h2("History")
        self.story.append(self.chain_paragraph())
        for note in c.notes:
            self.story.append(self.para(readable(note), self.s.small))

    def totals_table(self, totals: Sequence[Totals]) -> Table:
        """One row per figure, one column per currency. The claim is what is still owed:
        the overdue principal, the charges not paid, the interest since the last charge
        and the compensation not charged yet, less money on account."""
        before = any(t.charged_before for t in totals)
        bases = {t.interest_basis.split(" ")[0] for t in totals if t.interest_basis}
        kind = {"statutory": "Statutory interest", "contractual": "Contractual interest"}
        # with no interest rule at all, the law gives none: "Statutory interest ... 0.00"
        interest = (
            "Interest" if len(bases) > 1 else kind.get(min(bases, default="statutory"), "Interest")
        )
        figures = [
            ("Invoiced", "invoiced"),
            ("Credit notes", "credited"),
            ("Paid", "paid"),
            ("Balance", "balance"),
            ("Overdue (principal claimed)", "overdue"),
        ]
        if any(t.charges.minor for t in totals):
            figures.append(("Fees, compensation and interest charged, unpaid", "charges"))
        if before:
            figures.append(("Interest since the last charge", "interest"))
            figures.append(("Fixed compensation not charged yet", "compensation"))
        else:
            figures.append((f"{interest} to the as-of day", "interest"))
            figures.append(("Fixed compensation", "compensation"))
        if any(t.on_account.minor for t in totals):
            figures.append(("Less money on account", "on_account"))
        figures.append(("Claim", "claim"))
        rows = [[label] + [money(_figure(t, name)) for t in totals] for label, name in figures]
        width = min(40.0, 110.0 / len(totals))
        return self.table(
            ["", *(t.currency for t in totals)],
            rows,
            [65, *([width] * len(totals))],
            range(1, len(totals) + 1),
            bold_last=True,
        )

    def claim_working(self, totals: Sequence[Totals]) -> None:
        """Each line of the claim with its working, per currency."""
        for t in totals:
            if not t.lines:
                continue
            self.story.append(Spacer(1, 2 * mm))
            basis = f"; interest: {t.interest_basis}" if t.interest_basis else ""
            self.story.append(
                self.para(f"How the {t.currency} claim is made up{basis}.", self.s.small)
            )
            rows = [[line.label, line.working, money(line.amount)] for line in t.lines]
            rows.append(["Claim", "", money(t.claim)])
            self.story.append(
                self.table(["", "Working", t.currency], rows, [45, 100, 30], (2,), bold_last=True)
            )

    def chain_paragraph(self) -> Paragraph:
        ch = self.case.chain
        style = self.s.ok if ch.ok and ch.anchor_holds else self.s.warn
        if ch.ok:
            return self.para(
                f"The history's hash chain holds: {ch.checked} entries of the book checked "
                "on the day this file was made; no entry was changed, removed or reordered. "
                + ch.anchor_sentence,
                style,
            )
        return self.para(
            f"The history's hash chain is BROKEN: {ch.problem} {ch.anchor_sentence}", style
        )

    def statement(self) -> None:
        self.story.append(PageBreak())
        self.h1("2. Statement of account")
        self.story.append(
            self.para(
                "Every invoice, credit note, charge of the collection plan and payment in date "
                "order, with the running balance.",
                self.s.muted,
            )
        )
        currencies = [t.currency for t in self.case.totals]
        for cur in currencies:
            if len(currencies) > 1:
                self.h2(cur)
            lines: list[tuple[date, int, str, Money]] = []
            for inv in self.case.invoices:
                if inv.amount.currency == cur:
                    if inv.kind == "credit_note":
                        lines.append((inv.issue_date, 1, f"Credit note {inv.number}", -inv.amount))
                    else:
                        lines.append((inv.issue_date, 0, f"Invoice {inv.number}", inv.amount))
            for t in self.case.totals:
                if t.currency == cur:
                    lines.extend((on, 1, what, amount) for on, what, amount in t.charged)
            for p in self.case.payments:
                if p.amount.currency == cur:
                    what = "Payment" + (f" {p.reference}" if p.reference else "")
                    what += f" for {p.invoice}" if p.invoice else ""
                    lines.append((p.date, 2, what, -p.amount))
            lines.sort(key=lambda x: (x[0], x[1]))
            running = Money.zero(cur)
            rows = []
            for on, _order, what, amount in lines:
                running = running + amount
                debit = money(amount) if amount.minor > 0 else ""
                credit = money(-amount) if amount.minor < 0 else ""
                rows.append([day(on), what, debit, credit, money(running)])
            self.story.append(
                self.table(
                    ["Date", "Item", "Debit", "Credit", "Balance"],
                    rows,
                    [22, 73, 27, 27, 29],
                    (2, 3, 4),
                )
            )

    def invoices(self) -> None:
        self.h1("3. Invoices")
        inv = self.case.invoices
        if not inv:
            self.none("No invoices.")
            return
        rows = [self.invoice_row(i) for i in inv]
        self.story.append(
            self.table(
                ["Number", "Issued", "Due", "Amount", "Tax", "Open", "Status", "Days late"],
                rows,
                [22, 19, 19, 25, 21, 25, 30, 15],
                (3, 4, 5, 7),
            )
        )
        if self.case.payments:
            self.h2("Payments received")
            rows = [self.payment_row(p) for p in self.case.payments]
            self.story.append(
                self.table(
                    ["Date", "Amount", "Method", "Reference", "For invoice"],
                    rows,
                    [22, 28, 25, 60, 39],
                    (1,),
                )
            )

    @staticmethod
    def invoice_row(i: Invoice) -> list[str]:
        number = i.number + (" (credit note)" if i.kind == "credit_note" else "")
        late = (
            str(i.days_past_due)
            if i.kind == "invoice" and i.open.minor and i.days_past_due > 0
            else ""
        )
        status = term("status", i.status) + (f" {day(i.settled_on)}" if i.settled_on else "")
        return [
            number,
            day(i.issue_date),
            day(i.due_date),
            money(i.amount),
            money(i.tax),
            money(i.open),
            status,
            late,
        ]

    @staticmethod
    def payment_row(p: Payment) -> list[str]:
        return [
            day(p.date),
            money(p.amount),
            term("method", p.method) if p.method else "",
            p.reference,
            p.invoice or "—",
        ]

    def contacts(self) -> None:
        self.story.append(PageBreak())
        self.h1("4. Chronology of contacts")
        events = self.case.contacts
        if not events:
            self.none("No letter, e-mail, call, visit or note is recorded.")
            return
        self.story.append(
            self.para(
                "Every letter, e-mail, call, visit and note, oldest first, with copies of "
                "what was sent (the zip of originals holds every document as it was kept).",
                self.s.muted,
            )
        )
        for e in events:
            self.event_block(e)

    def event_block(self, e: Event) -> None:
        head = self.para(
            f"{day(e.on)} · {term('entry', e.kind)} · by {e.actor} · entry #{e.id}",
            self.s.h2,
        )
        parts: list[Flowable] = [head, self.para(readable(e.text))]
        for d in e.documents:
            parts.append(
                self.para(
                    f"Attached: {d.name} ({d.media_type}, {len(d.content):,} bytes, "
                    f"SHA-256 {d.sha256[:16]}…), in the zip as {d.archive_name}",
                    self.s.small,
                )
            )
            if d.text:
                lines = d.text.splitlines()
                shown = "\n".join(lines[:MAX_DOCUMENT_LINES])
                if len(lines) > MAX_DOCUMENT_LINES:
                    shown += f"\n[… {len(lines) - MAX_DOCUMENT_LINES} more lines in the zip]"
                # a row per few dozen lines: a table breaks across pages between rows
                shown_lines = self.clean(shown.expandtabs(4)).split("\n")
                blocks = [
                    [Preformatted("\n".join(chunk), self.s.copy, maxLineLength=120, splitChars=" ")]
                    for chunk in chunks(shown_lines, COPY_ROW_LINES)
                ]
                box = Table(blocks, colWidths=[175 * mm])
                box.setStyle(
                    TableStyle(
                        [
                            FONT_CELLS,
                            ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                            ("BOX", (0, 0), (-1, -1), 0.25, RULE),
                        ]
                    )
                )
                parts.append(box)
        self.story.append(KeepTogether(parts[:2]))
        self.story.extend(parts[2:])

    def event_table(self, events: Sequence[Event]) -> Table:
        rows = [[day(e.on), term("entry", e.kind), e.actor, readable(e.text)] for e in events]
        return self.table(["Day", "What", "By", "Details"], rows, [22, 32, 25, 99])

    def promises(self) -> None:
        self.h1("5. Promises, payment plans and settlements")
        arr = self.case.arrangements
        if arr:
            rows = [
                [term("arrangement", a.kind), day(a.made_on), money(a.amount), day(a.due),
                 term("status", a.status), money(a.paid) if a.paid is not None else "",
                 readable(a.details)]
                for a in arr
            ]  # fmt: skip
            self.story.append(
                self.table(
                    ["What", "Made", "Amount", "Due by", "Status", "Paid", "Details"],
                    rows,
                    [25, 19, 24, 19, 20, 22, 47],
                    (2, 5),
                )
            )
        if self.case.promises:
            self.h2("In the history")
            self.story.append(self.event_table(self.case.promises))
        if not arr and not self.case.promises:
            self.none("No promise to pay, payment plan or settlement is recorded.")

    def disputes(self) -> None:
        self.h1("6. Disputes and holds")
        found = self.case.dispute_records
        if found:
            rows = [
                [d.invoice, money(d.amount), term("dispute_reason", d.reason), day(d.opened_on),
                 term("dispute_status", d.status)
                 + (f" {day(d.resolved_on)}" if d.resolved_on else ""),
                 money(d.credit) if d.credit.minor else "", readable(d.text)]
                for d in found
            ]  # fmt: skip
            self.story.append(
                self.table(
                    ["Invoice", "Disputed", "Reason", "Opened", "Status", "Credited", "Says"],
                    rows,
                    [22, 24, 26, 19, 27, 22, 36],
                    (1, 5),
                )
            )
        if self.case.disputes:
            self.h2("In the history")
            self.story.append(self.event_table(self.case.disputes))
        if not found and not self.case.disputes:
            self.none("The customer has not disputed any invoice.")

    def interest(self) -> None:
        self.story.append(PageBreak())
        self.h1("7. Interest and fees")
        if not self.case.interest:
            self.none("Nothing is overdue, so no statutory interest runs.")
        for w in self.case.interest:
            cur = w.lines[0].principal.currency if w.lines else ""
            law = w.jurisdiction or "none"
            self.h2(f"Statutory late-payment interest ({cur}; law: {law}, {w.debtor} debt)")
            rows = []
            for line in w.lines:
                if line.refused:
                    rows.append(
                        [
                            line.invoice,
                            money(line.principal),
                            day(line.due),
                            str(line.days),
                            "",
                            "—",
                            "—",
                        ]
                    )
                    continue
                periods = "\n".join(
                    f"{day(a)}–{day(b)} {rate}%: {money(m)}" for a, b, rate, m in line.periods
                )
                rows.append(
                    [
                        line.invoice,
                        money(line.principal),
                        day(line.due),
                        str(line.days),
                        periods,
                        money(line.interest),
                        money(line.compensation),
                    ]
                )
            self.story.append(
                self.table(
                    ["Invoice", "Principal", "Due", "Days", "Periods", "Interest", "Comp."],
                    rows,
                    [19, 23, 19, 10, 66, 21, 17],
                    (1, 3, 5, 6),
                )
            )
            refused = {line.refused for line in w.lines if line.refused}
            for why in sorted(refused):
                self.story.append(self.para(why, self.s.small))
            for note in w.notes:
                self.story.append(self.para(note, self.s.small))
        self.h2("Fees and interest charged by the collection plan")
        if self.case.charges:
            rows = [
                [
                    day(ch.on),
                    term("action", ch.kind),
                    readable(ch.text),
                    money(ch.amount) if ch.amount else "",
                ]
                for ch in self.case.charges
            ]
            self.story.append(
                self.table(["Day", "Kind", "Details", "Amount"], rows, [22, 20, 108, 28], (3,))
            )
        else:
            self.none("The collection plan has charged no fee or interest on this account.")

    def verification(self) -> None:
        self.h1("8. Verification of the history")
        self.story.append(
            self.para(
                "Recoup keeps the history append-only. Each entry holds the SHA-256 hash of "
                "its own content and of the entry before it, so an entry changed, removed or "
                "put in another order in the database no longer matches its neighbours. "
                "Attached documents are named by the SHA-256 of their content.",
                self.s.body,
            )
        )
        self.story.append(Spacer(1, 2 * mm))
        self.story.append(self.chain_paragraph())

    def history(self) -> None:
        self.h1("9. Complete history")
        events = self.case.events
        if not events:
            self.none("The history of this account is empty.")
            return
        rows = [
            [str(e.id), day(e.on), term("entry", e.kind), e.actor, readable(e.text), e.hash[:10]]
            for e in events
        ]
        self.story.append(
            self.table(
                ["#", "Day", "Kind", "By", "What happened", "Hash"], rows, [11, 20, 26, 20, 78, 23]
            )
        )


def _figure(totals: Totals, name: str) -> Money:
    value = getattr(totals, name)
    assert isinstance(value, Money)
    return value


def render(case: CaseFile) -> bytes:
    """The case file as PDF bytes."""
    font.register()
    out = io.BytesIO()
    title = f"Case file: {case.debtor.name} ({case.debtor.key})"
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=17 * mm,
        rightMargin=17 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=case.creditor or "Recoup",
        subject=f"Claim as of {case.as_of.isoformat()}",
        creator="Recoup",
        invariant=1,
        initialFontName=FONT,  # not reportlab's Helvetica, which a PDF would not embed
        initialFontSize=9,
    )
    footer = f"{case.debtor.name} ({case.debtor.key}) · case file as of {day(case.as_of)}"

    def on_page(canvas: object, document: SimpleDocTemplate) -> None:
        from reportlab.pdfgen.canvas import Canvas

        assert isinstance(canvas, Canvas)
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(17 * mm, 9 * mm, footer)
        canvas.drawRightString(A4[0] - 17 * mm, 9 * mm, f"page {document.page}")
        canvas.restoreState()

    doc.build(_Writer(case).build(), onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()
