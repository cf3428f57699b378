"""UBL 2.1 invoices and credit notes (Peppol BIS Billing 3, XRechnung UBL, EN 16931):
the figures and the buyer, each named by its element (EN 16931 business terms in the
comments)."""

from __future__ import annotations

from lxml import etree

from recoup.imports.einvoice import totals
from recoup.imports.einvoice.model import CREDIT_TYPE_CODES, Buyer, EInvoice
from recoup.imports.einvoice.terms import net_days
from recoup.imports.einvoice.xmldoc import UBL_CREDIT_NOTE, Doc

_MONEY = "cac:LegalMonetaryTotal"
_TOTALS = totals.TotalPaths(
    total=f"{_MONEY}/cbc:TaxInclusiveAmount",
    prepaid=f"{_MONEY}/cbc:PrepaidAmount",
    payable=f"{_MONEY}/cbc:PayableAmount",
    rounding=f"{_MONEY}/cbc:PayableRoundingAmount",
    tax="cac:TaxTotal/cbc:TaxAmount",
)


def read(doc: Doc) -> EInvoice | None:
    credit_note = doc.default_ns == UBL_CREDIT_NOTE
    kind = "CreditNote" if credit_note else "Invoice"
    number = doc.required("cbc:ID", "the invoice number")
    number_el = doc.first("cbc:ID")
    type_code = doc.text("cbc:CreditNoteTypeCode" if credit_note else "cbc:InvoiceTypeCode")
    issue_el = doc.first("cbc:IssueDate")
    issue = doc.iso_date(issue_el, "the issue date") if issue_el is not None else None
    if issue_el is None:
        doc.problem(doc.expected("cbc:IssueDate"), "the issue date is missing")
    currency = doc.currency("cbc:DocumentCurrencyCode", "the document currency")

    # BT-9: the invoice's DueDate; a credit note has it only in its payment means
    due_el = doc.first("cbc:DueDate")
    if due_el is None:
        due_el = doc.first("cac:PaymentMeans/cbc:PaymentDueDate")
    due = doc.iso_date(due_el, "the due date") if due_el is not None else None
    due_element = (
        doc.path(due_el)
        if due_el is not None
        else doc.expected("cac:PaymentMeans/cbc:PaymentDueDate" if credit_note else "cbc:DueDate")
    )
    terms = "\n".join(
        t for t in (doc.text(".", el) for el in doc.all("cac:PaymentTerms/cbc:Note")) if t
    )

    found = totals.find(doc, _TOTALS, currency)
    buyer_el = doc.first("cac:AccountingCustomerParty/cac:Party")
    if buyer_el is None:
        doc.problem(doc.expected("cac:AccountingCustomerParty/cac:Party"), "the buyer is missing")
    if currency is None or issue is None or not number or doc.problems:
        return None
    assert buyer_el is not None
    sums = totals.read(doc, found, currency)
    buyer = _buyer(doc, buyer_el)
    preceding_el = doc.first("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
    if doc.problems or sums is None:
        return None
    return EInvoice(
        syntax="ubl",
        document=f"UBL {kind}",
        customization=doc.text("cbc:CustomizationID"),
        type_code=type_code,
        credit=credit_note or type_code in CREDIT_TYPE_CODES,
        number=number,
        line=number_el.sourceline if number_el is not None else 1,
        number_element=doc.path(number_el) if number_el is not None else "/",
        issue_date=issue,
        due_date=due,
        due_element=due_element,
        terms_text=terms,
        currency=currency,
        **sums.fields(found),
        terms_days=net_days(terms) if terms else None,
        payment_reference=next(
            (
                t
                for t in (doc.text(".", el) for el in doc.all("cac:PaymentMeans/cbc:PaymentID"))
                if t
            ),
            "",
        ),
        buyer_reference=doc.text("cbc:BuyerReference"),
        preceding_invoice=doc.text(".", preceding_el) if preceding_el is not None else "",
        preceding_element=doc.path(preceding_el)
        if preceding_el is not None
        else doc.expected("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        buyer=buyer,
        buyer_element=doc.path(buyer_el),
    )


def _buyer(doc: Doc, party: etree._Element) -> Buyer:
    legal = doc.text("cac:PartyLegalEntity/cbc:RegistrationName", party)
    trading = doc.text("cac:PartyName/cbc:Name", party)
    vat = ""
    for scheme in doc.all("cac:PartyTaxScheme", party):
        if doc.text("cac:TaxScheme/cbc:ID", scheme).upper() == "VAT":
            vat = doc.text("cbc:CompanyID", scheme)
            break
    address = doc.first("cac:PostalAddress", party)
    lines: list[str] = []
    country = subdivision = ""
    if address is not None:
        lines = [doc.text(rel, address) for rel in ("cbc:StreetName", "cbc:AdditionalStreetName")]
        lines += [doc.text(".", el) for el in doc.all("cac:AddressLine/cbc:Line", address)]
        city = " ".join(
            t for t in (doc.text("cbc:PostalZone", address), doc.text("cbc:CityName", address)) if t
        )
        subdivision = doc.text("cbc:CountrySubentity", address)
        lines += [city, subdivision]
        country = doc.text("cac:Country/cbc:IdentificationCode", address).upper()
    endpoint = doc.scheme_id(doc.first("cbc:EndpointID", party))
    email = doc.text("cac:Contact/cbc:ElectronicMail", party)
    if not email and endpoint.upper().startswith("EM:"):
        email = endpoint[3:]
    if not legal and not trading:
        doc.problem(
            doc.expected("cac:PartyLegalEntity/cbc:RegistrationName", party),
            "the buyer's name is missing",
        )
    return Buyer(
        name=legal or trading,
        trading_name=trading,
        vat_id=vat,
        legal_id=doc.scheme_id(doc.first("cac:PartyLegalEntity/cbc:CompanyID", party)),
        party_id=doc.scheme_id(doc.first("cac:PartyIdentification/cbc:ID", party)),
        endpoint=endpoint,
        country=country,
        address="\n".join(line for line in lines if line),
        subdivision=subdivision,
        contact=doc.text("cac:Contact/cbc:Name", party),
        phone=doc.text("cac:Contact/cbc:Telephone", party),
        email=email,
    )
