"""The document totals both syntaxes state (EN 16931's BG-22): found by each syntax's
own paths, read the same way. Missing totals are problems where they are looked for;
the amounts are read once the currency is known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from lxml import etree

from recoup.imports.einvoice.xmldoc import Doc


@dataclass(frozen=True, slots=True)
class TotalPaths:
    """Where a syntax keeps each total (relative to the document's root)."""

    total: str  # BT-112, with VAT
    prepaid: str  # BT-113
    payable: str  # BT-115
    rounding: str  # BT-114
    tax: str  # BT-110


@dataclass(frozen=True, slots=True)
class Found:
    total: etree._Element | None
    prepaid: etree._Element | None
    payable: etree._Element | None
    rounding: etree._Element | None
    tax: etree._Element | None
    payable_element: str  # where the amount due is, or where it was looked for


class TotalFields(TypedDict):
    total_minor: int
    prepaid_minor: int
    payable_minor: int
    payable_element: str
    rounding_minor: int
    tax_minor: int | None


@dataclass(frozen=True, slots=True)
class Totals:
    """In minor units of the document's currency."""

    total: int
    prepaid: int
    payable: int
    rounding: int
    tax: int | None

    def fields(self, found: Found) -> TotalFields:
        """The `EInvoice` fields they fill."""
        return {
            "total_minor": self.total,
            "prepaid_minor": self.prepaid,
            "payable_minor": self.payable,
            "payable_element": found.payable_element,
            "rounding_minor": self.rounding,
            "tax_minor": self.tax,
        }


def find(doc: Doc, paths: TotalPaths, currency: str | None) -> Found:
    """The totals' elements; the amount due and the total with VAT missing are problems."""
    total = doc.first(paths.total)
    prepaid = doc.first(paths.prepaid)
    payable = doc.first(paths.payable)
    rounding = doc.first(paths.rounding)
    payable_element = doc.path(payable) if payable is not None else doc.expected(paths.payable)
    if payable is None:
        doc.problem(payable_element, "the amount due for payment is missing")
    if total is None:
        doc.problem(doc.expected(paths.total), "the total with VAT is missing")
    tax = doc.in_currency(paths.tax, currency)
    return Found(total, prepaid, payable, rounding, tax, payable_element)


def read(doc: Doc, found: Found, currency: str) -> Totals | None:
    """The amounts (None when one cannot be read: its problem is recorded)."""
    assert found.payable is not None
    assert found.total is not None
    payable = doc.amount(found.payable, currency, "the amount due for payment")
    total = doc.amount(found.total, currency, "the total with VAT")
    prepaid = (
        doc.amount(found.prepaid, currency, "the paid amount") if found.prepaid is not None else 0
    )
    rounding = (
        doc.amount(found.rounding, currency, "the rounding amount")
        if found.rounding is not None
        else 0
    )
    tax = doc.amount(found.tax, currency, "the VAT total") if found.tax is not None else None
    if payable is None or total is None or prepaid is None or rounding is None:
        return None
    return Totals(total, prepaid, payable, rounding, tax)
