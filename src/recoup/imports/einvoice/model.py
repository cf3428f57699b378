"""What an e-invoice says that Recoup keeps: the figures of one invoice or credit note,
its buyer, and the problems found reading it. Plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from recoup.imports.problems import Problem

# UNTDID 1001 document type codes that are credits (a UBL CreditNote is one whatever its
# code): credit notes, self-billed, factored, consolidated and forwarders' credit notes
CREDIT_TYPE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420",
                               "458", "532"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Buyer:
    """The buyer (EN 16931 BG-7) as the document names it."""

    name: str  # BT-44, else the trading name
    trading_name: str = ""  # BT-45
    vat_id: str = ""  # BT-48
    legal_id: str = ""  # BT-47, "scheme:id" when a scheme is given
    party_id: str = ""  # BT-46, "scheme:id" when a scheme is given
    endpoint: str = ""  # BT-49, "scheme:id"
    country: str = ""  # BT-55, ISO 3166-1 alpha-2
    address: str = ""  # street, city, postcode, subdivision: one line each
    subdivision: str = ""  # BT-54 as written
    contact: str = ""  # BT-56
    phone: str = ""  # BT-57
    email: str = ""  # BT-58, else an electronic address with scheme EM


@dataclass(frozen=True, slots=True)
class EInvoice:
    """One e-invoice's figures; amounts in minor units of `currency`, signed as written
    (a credit note's positive amounts are credits: see `credit`)."""

    syntax: str  # "ubl" or "cii"
    document: str  # "UBL Invoice", "UBL CreditNote" or "CII CrossIndustryInvoice"
    customization: str  # BT-24: CustomizationID / the guideline parameter
    type_code: str  # BT-3
    credit: bool  # a credit note by its root or type code
    number: str  # BT-1
    line: int  # the line of the number's element
    number_element: str  # its path
    issue_date: date  # BT-2
    due_date: date | None  # BT-9
    due_element: str  # the path of the due date's element (found or expected)
    terms_text: str  # BT-20
    terms_days: int | None  # the net period the terms give in days (`terms.net_days`)
    currency: str  # BT-5
    total_minor: int  # BT-112, amount with VAT
    prepaid_minor: int  # BT-113
    payable_minor: int  # BT-115, amount due for payment
    payable_element: str  # its path
    rounding_minor: int  # BT-114, added to the total less the paid amount
    tax_minor: int | None  # BT-110, in the document's currency
    payment_reference: str  # BT-83 remittance information
    buyer_reference: str  # BT-10
    preceding_invoice: str  # BT-25, the invoice a correction or credit refers to
    preceding_element: str
    buyer: Buyer
    buyer_element: str  # the path of the buyer's party element


@dataclass
class Reading:
    """What reading one file gave: the invoice, or the problems that refuse it.

    `carrier` is "xml" or "pdf"; `xml_name` the embedded file's name in a PDF."""

    carrier: str
    invoice: EInvoice | None = None
    problems: list[Problem] = field(default_factory=list)
    xml_name: str = ""
