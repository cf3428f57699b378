"""An e-invoice into the book: one UBL or CII invoice or credit note (an XML file, or
the XML inside a Factur-X/ZUGFeRD PDF), in one transaction, or nothing.

What the book keeps of it:
- the invoice under its number (BT-1): issue date, due date (BT-9; else the net days
  its terms text gives, else `--terms`; a credit note without one is due on its issue
  date), currency, the VAT total (BT-110) and as its amount **the amount still to pay**
  (BT-115: the total with VAT less what was paid in advance, plus rounding). A credit
  note, or an invoice whose amount due is negative, is a credit note for the positive
  amount, as the table imports make one; it applies to the invoice it names (BT-25)
  when the book has that invoice, else it is a credit on the account (importing it
  again after the invoice links the two);
- the payment reference (BT-83) on the invoice, for bank matching;
- the buyer as a customer: key the buyer id (BT-46), else the VAT id (BT-48), the
  legal id (BT-47), the electronic address (BT-49), the name; a customer with that key
  or that VAT id is the buyer. A new customer gets the name, country, VAT id, buyer
  reference (BT-10) and a contact with the address, email and phone; a known one only
  gets what it lacks (nothing the owner keeps is overwritten);
- the original file, byte for byte, attached to the history entry that records the
  import (`documents`, by SHA-256), with the totals as the document states them.
The same file again changes nothing and says so (`unchanged`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from recoup.clock import local_today
from recoup.domain.emails import EmailError, check_address
from recoup.domain.money import format_minor
from recoup.domain.regions import region_from_address
from recoup.imports import fixes
from recoup.imports.einvoice.model import Buyer, EInvoice, Reading
from recoup.imports.einvoice.read import read_file
from recoup.imports.fixes import Fix
from recoup.imports.mapping import Options
from recoup.imports.problems import Problem
from recoup.services import allocation_sync, history
from recoup.services.book import Book
from recoup.services.import_report import ImportReport
from recoup.services.import_write import all_or_nothing
from recoup.store import einvoice_repo, ledger_repo, run_repo

KEY_LENGTH = 64  # customers.key


@dataclass(frozen=True, slots=True)
class _Figures:
    """What the invoice row gets, decided before the book is opened."""

    kind: str
    amount_minor: int
    tax_minor: int | None
    due_date: date
    terms_days: int | None


def import_einvoice(
    book: Book, path: Path, options: Options, *, dry_run: bool = False
) -> ImportReport:
    report = ImportReport("invoices", str(path), dry_run=dry_run)
    reading, content = read_file(path, str(path))
    report.rows = 1
    if reading.problems or reading.invoice is None:
        report.problems = reading.problems
        return report
    inv = reading.invoice
    figures = _figures(inv, reading, options, report)
    if figures is None:
        return report
    all_or_nothing(
        book, report, dry_run, lambda conn: _write(conn, inv, figures, reading, content, report)
    )
    return report


def _problem(
    report: ImportReport, reading: Reading, element: str, message: str, fix: Fix | None = None
) -> None:
    where = f"{reading.xml_name}:{element}" if reading.xml_name else element
    report.problems.append(Problem(report.file, None, None, message, element=where, fix=fix))


def _figures(
    inv: EInvoice, reading: Reading, options: Options, report: ImportReport
) -> _Figures | None:
    credit = inv.credit
    amount, tax = inv.payable_minor, inv.tax_minor
    if amount < 0:  # a negative amount due is a credit, as in the table imports
        credit, amount, tax = not credit, -amount, (None if tax is None else -tax)
    terms = inv.terms_days if inv.terms_days is not None else options.terms_days
    if inv.due_date is not None:
        due = inv.due_date
    elif terms is not None:
        due = inv.issue_date + timedelta(days=terms)
    elif credit:
        due = inv.issue_date
    else:
        said = f" (its payment terms say {inv.terms_text!r})" if inv.terms_text else ""
        _problem(
            report, reading, inv.due_element,
            f"no due date, and no net period in days in the payment terms{said}: "
            + fixes.words(fixes.EINVOICE_TERMS),
            fixes.EINVOICE_TERMS,
        )  # fmt: skip
        return None
    return _Figures("credit_note" if credit else "invoice", amount, tax, due, terms)


def _write(
    conn: Connection,
    inv: EInvoice,
    fig: _Figures,
    reading: Reading,
    content: bytes,
    report: ImportReport,
) -> None:
    cid = _customer(conn, inv, reading, report)
    if cid is None:
        return
    applies_to = None
    preceding = inv.preceding_invoice
    if fig.kind == "credit_note" and preceding and preceding != inv.number:
        corrected = einvoice_repo.invoice_by_number(conn, preceding)
        if corrected is not None and corrected["kind"] == "invoice":
            applies_to = preceding
    values: dict[str, Any] = {
        "customer_id": cid,
        "kind": fig.kind,
        "issue_date": inv.issue_date,
        "due_date": fig.due_date,
        "currency": inv.currency,
        "amount_minor": fig.amount_minor,
        "tax_minor": fig.tax_minor,
        "reference": "",
        "terms_days": fig.terms_days,
        "applies_to": applies_to,
        "payment_reference": inv.payment_reference or None,
    }
    credit = fig.kind == "credit_note"
    derived = {
        "status": "credit" if credit else ("open" if fig.amount_minor else "paid"),
        "paid_minor": 0,
        "first_paid_on": None,
        "last_paid_on": None,
        "settled_on": None if credit or fig.amount_minor else inv.issue_date,
    }
    old = einvoice_repo.invoice_by_number(conn, inv.number)
    touched = {cid}
    if old is None:
        einvoice_repo.insert_invoice(conn, {"number": inv.number, **values, **derived})
        report.imported += 1
    elif old["kind"] != fig.kind:
        words = {"invoice": "an invoice", "credit_note": "a credit note"}
        _problem(
            report, reading, inv.number_element,
            f"{inv.number} is in the book as {words[old['kind']]}; this document, "
            f"{words[fig.kind]}, has the same number: not imported over it",
        )  # fmt: skip
        return
    else:
        changed = [f for f in einvoice_repo.EINVOICE_FIELDS if old[f] != values[f]]
        if not changed:
            report.unchanged += 1
            return
        ledger_repo.update_invoice(conn, old["id"], {**values, **derived})
        report.update(inv.number, inv.line, changed)
        touched.add(old["customer_id"])
    _record(conn, cid, inv, fig, reading, content, report)
    allocation_sync.recompute(conn, touched)
    run_repo.enqueue(conn, touched)


def _key_candidates(buyer: Buyer) -> list[str]:
    found = [buyer.party_id, buyer.vat_id, buyer.legal_id, buyer.endpoint, buyer.name]
    return [k[:KEY_LENGTH] for k in found if k]


def _customer(
    conn: Connection, inv: EInvoice, reading: Reading, report: ImportReport
) -> int | None:
    """The buyer's customer id, made or completed; None after a problem."""
    buyer = inv.buyer
    email = ""
    if buyer.email:
        try:
            email = check_address(buyer.email)
        except EmailError as err:
            _problem(report, reading, inv.buyer_element, f"the buyer's email: {err}")
            return None
    keys = _key_candidates(buyer)
    row = ledger_repo.get_customer(conn, keys[0])
    if row is None and buyer.vat_id:
        row = einvoice_repo.customer_by_vat_id(conn, buyer.vat_id)
    if row is None:
        country = buyer.country if len(buyer.country) == 2 else ""
        region = region_from_address(country, buyer.address) if country else ""
        ledger_repo.insert_customers(
            conn, [(keys[0], buyer.name, country, "en", "UTC", "", region)],
            (*ledger_repo.CUSTOMER_COLUMNS, "region"),
        )  # fmt: skip
        report.customers_created += 1
        row = ledger_repo.get_customer(conn, keys[0])
        assert row is not None
    cid = int(row["id"])
    fill = {
        f: v
        for f, v in (("vat_id", buyer.vat_id), ("buyer_reference", inv.buyer_reference))
        if v and not row[f]
    }
    if fill:
        ledger_repo.update_customer(conn, cid, fill)
    if (email or buyer.address or buyer.phone) and not ledger_repo.contacts_of(conn, cid):
        channel = "email" if email else "letter"
        contact = (cid, buyer.contact or buyer.name, email, buyer.phone, buyer.address, channel)
        ledger_repo.insert_contacts(conn, [contact])
    return cid


def _record(
    conn: Connection,
    cid: int,
    inv: EInvoice,
    fig: _Figures,
    reading: Reading,
    content: bytes,
    report: ImportReport,
) -> None:
    """The history entry of the import, with the original file attached."""
    name = Path(report.file).name
    cur = inv.currency

    def money(minor: int | None) -> str | None:
        return None if minor is None else format_minor(minor, cur)

    what = "Credit note" if fig.kind == "credit_note" else "Invoice"
    text = (
        f"{what} {inv.number} imported from the e-invoice {name} ({inv.document}"
        + (f" in {reading.xml_name}" if reading.xml_name else "")
        + f"): total {money(inv.total_minor)} {cur}, paid in advance "
        f"{money(inv.prepaid_minor)}, "
        + ("credited" if fig.kind == "credit_note" else "to pay")
        + f" {money(fig.amount_minor)}, due {fig.due_date}"
        + (f", payment reference {inv.payment_reference}" if inv.payment_reference else "")
        + "; the original document is attached"
    )
    data = {
        "file": name,
        "number": inv.number,
        "document": inv.document,
        "customization": inv.customization,
        "type_code": inv.type_code,
        "carrier": reading.carrier,
        "xml_name": reading.xml_name,
        "sha256": hashlib.sha256(content).hexdigest(),
        "currency": cur,
        "total": money(inv.total_minor),
        "prepaid": money(inv.prepaid_minor),
        "rounding": money(inv.rounding_minor),
        "payable": money(inv.payable_minor),
        "tax": money(inv.tax_minor),
        "payment_reference": inv.payment_reference,
        "buyer_reference": inv.buyer_reference,
        "preceding_invoice": inv.preceding_invoice,
    }
    media = "application/pdf" if reading.carrier == "pdf" else "application/xml"
    history.record(
        conn, cid, "import", text, actor="import", on=local_today(), data=data,
        documents=[history.NewDocument(name[:200], media, content)],
    )  # fmt: skip
