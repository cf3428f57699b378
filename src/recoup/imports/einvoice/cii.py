"""UN/CEFACT Cross Industry Invoice (D16B, as XRechnung CII and Factur-X/ZUGFeRD 2 use
it): the figures and the buyer, each named by its element (EN 16931 business terms in
the comments)."""

from __future__ import annotations

from lxml import etree

from recoup.imports.einvoice import totals
from recoup.imports.einvoice.model import CREDIT_TYPE_CODES, Buyer, EInvoice
from recoup.imports.einvoice.terms import net_days
from recoup.imports.einvoice.xmldoc import Doc

_DOC = "rsm:ExchangedDocument"
_TRADE = "rsm:SupplyChainTradeTransaction"
_AGREEMENT = f"{_TRADE}/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT = f"{_TRADE}/ram:ApplicableHeaderTradeSettlement"
_SUMS = f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
_TERMS = f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms"
_TOTALS = totals.TotalPaths(
    total=f"{_SUMS}/ram:GrandTotalAmount",
    prepaid=f"{_SUMS}/ram:TotalPrepaidAmount",
    payable=f"{_SUMS}/ram:DuePayableAmount",
    rounding=f"{_SUMS}/ram:RoundingAmount",
    tax=f"{_SUMS}/ram:TaxTotalAmount",
)


def read(doc: Doc) -> EInvoice | None:
    number = doc.required(f"{_DOC}/ram:ID", "the invoice number")
    number_el = doc.first(f"{_DOC}/ram:ID")
    type_code = doc.text(f"{_DOC}/ram:TypeCode")
    issue_el = doc.first(f"{_DOC}/ram:IssueDateTime/udt:DateTimeString")
    issue = doc.cii_date(issue_el, "the issue date") if issue_el is not None else None
    if issue_el is None:
        doc.problem(doc.expected(f"{_DOC}/ram:IssueDateTime"), "the issue date is missing")
    currency = doc.currency(f"{_SETTLEMENT}/ram:InvoiceCurrencyCode", "the invoice currency")

    # BT-9: the first payment terms' due date (XRechnung may give several terms)
    due_el = doc.first(f"{_TERMS}/ram:DueDateDateTime/udt:DateTimeString")
    due = doc.cii_date(due_el, "the due date") if due_el is not None else None
    due_element = (
        doc.path(due_el) if due_el is not None else doc.expected(f"{_TERMS}/ram:DueDateDateTime")
    )
    terms = "\n".join(
        t for t in (doc.text(".", el) for el in doc.all(f"{_TERMS}/ram:Description")) if t
    )

    found = totals.find(doc, _TOTALS, currency)
    buyer_el = doc.first(f"{_AGREEMENT}/ram:BuyerTradeParty")
    if buyer_el is None:
        doc.problem(doc.expected(f"{_AGREEMENT}/ram:BuyerTradeParty"), "the buyer is missing")
    if currency is None or issue is None or not number or doc.problems:
        return None
    assert buyer_el is not None
    sums = totals.read(doc, found, currency)
    buyer = _buyer(doc, buyer_el)
    preceding_el = doc.first(f"{_SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID")
    if doc.problems or sums is None:
        return None
    return EInvoice(
        syntax="cii",
        document="CII CrossIndustryInvoice",
        customization=doc.text(
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
        ),
        type_code=type_code,
        credit=type_code in CREDIT_TYPE_CODES,
        number=number,
        line=number_el.sourceline if number_el is not None else 1,
        number_element=doc.path(number_el) if number_el is not None else "/",
        issue_date=issue,
        due_date=due,
        due_element=due_element,
        terms_text=terms,
        terms_days=net_days(terms) if terms else None,
        currency=currency,
        **sums.fields(found),
        payment_reference=doc.text(f"{_SETTLEMENT}/ram:PaymentReference"),
        buyer_reference=doc.text(f"{_AGREEMENT}/ram:BuyerReference"),
        preceding_invoice=doc.text(".", preceding_el) if preceding_el is not None else "",
        preceding_element=doc.path(preceding_el)
        if preceding_el is not None
        else doc.expected(f"{_SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        buyer=buyer,
        buyer_element=doc.path(buyer_el),
    )


def _buyer(doc: Doc, party: etree._Element) -> Buyer:
    name = doc.text("ram:Name", party)
    trading = doc.text("ram:SpecifiedLegalOrganization/ram:TradingBusinessName", party)
    vat = ""
    for reg in doc.all("ram:SpecifiedTaxRegistration/ram:ID", party):
        if (reg.get("schemeID") or "").strip().upper() == "VA":
            vat = doc.text(".", reg)
            break
    address = doc.first("ram:PostalTradeAddress", party)
    lines: list[str] = []
    country = subdivision = ""
    if address is not None:
        lines = [doc.text(rel, address) for rel in ("ram:LineOne", "ram:LineTwo", "ram:LineThree")]
        city = " ".join(
            t
            for t in (doc.text("ram:PostcodeCode", address), doc.text("ram:CityName", address))
            if t
        )
        subdivision = doc.text("ram:CountrySubDivisionName", address)
        lines += [city, subdivision]
        country = doc.text("ram:CountryID", address).upper()
    party_id = doc.text("ram:ID", party) or doc.scheme_id(doc.first("ram:GlobalID", party))
    endpoint = doc.scheme_id(doc.first("ram:URIUniversalCommunication/ram:URIID", party))
    contact = doc.first("ram:DefinedTradeContact", party)
    email = phone = person = ""
    if contact is not None:
        person = doc.text("ram:PersonName", contact) or doc.text("ram:DepartmentName", contact)
        phone = doc.text("ram:TelephoneUniversalCommunication/ram:CompleteNumber", contact)
        email = doc.text("ram:EmailURIUniversalCommunication/ram:URIID", contact)
    if not email and endpoint.upper().startswith("EM:"):
        email = endpoint[3:]
    if not name and not trading:
        doc.problem(doc.expected("ram:Name", party), "the buyer's name is missing")
    return Buyer(
        name=name or trading,
        trading_name=trading,
        vat_id=vat,
        legal_id=doc.scheme_id(doc.first("ram:SpecifiedLegalOrganization/ram:ID", party)),
        party_id=party_id,
        endpoint=endpoint,
        country=country,
        address="\n".join(line for line in lines if line),
        subdivision=subdivision,
        contact=person,
        phone=phone,
        email=email,
    )
