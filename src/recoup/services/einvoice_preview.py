"""An e-invoice looked at before it is imported (the web's import page): told from a
table by its first bytes (the sniffing `recoup import invoices` does), then read as the
import reads it (`recoup.imports.einvoice.read`): the number, the buyer, the dates, the
amount still to pay, the currency, the tax and the payment reference, or the problems
that refuse it, each naming the element's path. The dry run and the import itself are
the command line's (`recoup.services.importing.import_file`), on the same file.

Nothing here writes to the book."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from recoup.domain.money import Money, MoneyError
from recoup.imports.einvoice import SNIFF_BYTES, kind_of
from recoup.imports.einvoice.model import Buyer, EInvoice
from recoup.imports.problems import Problem
from recoup.services.book import Book
from recoup.store import einvoice_repo

__all__ = [
    "HEAD_BYTES",
    "Buyer",
    "EInvoice",
    "EInvoiceReading",
    "customer_of",
    "is_einvoice",
    "read",
]

HEAD_BYTES = SNIFF_BYTES
"""How many of a file's first bytes `is_einvoice` looks at."""


def is_einvoice(head: bytes) -> bool:
    """A file's first bytes are an XML document's or a PDF's: an e-invoice (UBL, CII,
    Factur-X/ZUGFeRD), not a table."""
    return kind_of(head[:HEAD_BYTES]) is not None


@dataclass(frozen=True)
class EInvoiceReading:
    """What one e-invoice file says, as the import would take it; `invoice` is None
    when it cannot be imported, and `problems` say why."""

    file: str  # the file's own name
    carrier: str  # "xml", or "pdf" for the XML inside a Factur-X/ZUGFeRD PDF
    xml_name: str  # the embedded file's name in a PDF
    invoice: EInvoice | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def credit(self) -> bool:
        """The book takes it as a credit note (a credit note, or an amount due below
        zero, as the import does)."""
        inv = self.invoice
        return inv is not None and inv.credit != (inv.payable_minor < 0)

    def money(self, minor: int | None) -> Money | None:
        """An amount of the document in its currency; None when there is none."""
        if minor is None or self.invoice is None:
            return None
        try:
            return Money(minor, self.invoice.currency)
        except MoneyError:
            return None


def read(path: Path) -> EInvoiceReading:
    """The e-invoice at `path` as the import reads it (the file is only read);
    problems name the file by its own name."""
    from recoup.imports.einvoice.read import read_file  # lxml and pypdf, when needed

    reading, _content = read_file(path, path.name)
    return EInvoiceReading(
        path.name, reading.carrier, reading.xml_name, reading.invoice, reading.problems
    )


def customer_of(book: Book, number: str) -> str | None:
    """The key of the customer the invoice `number` belongs to in the book, or None."""
    with book.read() as conn:
        return einvoice_repo.customer_key_of_invoice(conn, number)
