"""The fields each kind of import fills, and the column names recognised for them.

A column is recognised by its name with case, spaces, dashes and underscores ignored
("Invoice Date", "invoice_date" and "InvoiceDate" are the same). An explicit `--map`
always wins over a recognised name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    CUSTOMERS = "customers"
    INVOICES = "invoices"
    PAYMENTS = "payments"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    required: bool
    aliases: tuple[str, ...] = ()
    help: str = ""


def normalise(column: str) -> str:
    return "".join(ch for ch in column.lower() if ch.isalnum())


_CUSTOMER_ALIASES = (
    "customer",
    "customerid",
    "customerno",
    "customernumber",
    "clientid",
    "client",
    "debtor",
    "debtorid",
    "accountid",
)

FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.CUSTOMERS: (
        Field("customer", True, (*_CUSTOMER_ALIASES, "id", "key"), "the customer's id"),
        Field("name", False, ("name", "customername", "company", "companyname")),
        Field("country", False, ("country", "countrycode")),
        Field("language", False, ("language", "lang", "locale")),
        Field("timezone", False, ("timezone", "tz", "timezonename")),
        Field("tags", False, ("tags", "tag", "labels")),
        Field("contact", False, ("contact", "contactname", "attention")),
        Field("email", False, ("email", "emailaddress", "mail")),
        Field("phone", False, ("phone", "telephone", "phonenumber", "tel")),
        Field("address", False, ("address", "postaladdress", "billingaddress")),
        Field("channel", False, ("channel", "preferredchannel")),
        Field(
            "region",
            False,
            (
                "region",
                "regioncode",
                "state",
                "statecode",
                "province",
                "provincecode",
                "stateprovince",
                "stateorprovince",
                "subdivision",
                "bundesland",
                "canton",
                "kanton",
            ),
            "the subdivision whose public holidays apply (ISO 3166-2: SCT, BY, CA, NSW)",
        ),
    ),
    Kind.INVOICES: (
        Field("customer", True, _CUSTOMER_ALIASES, "the customer's id"),
        Field("customer_name", False, ("customername", "company", "companyname")),
        Field(
            "number",
            True,
            (
                "number",
                "invoice",
                "invoicenumber",
                "invoiceno",
                "invoiceid",
                "documentnumber",
                "docnumber",
            ),
        ),
        Field("issue_date", True, ("issuedate", "invoicedate", "date", "documentdate", "issued")),
        Field("due_date", False, ("duedate", "due", "paymentduedate")),
        Field("terms_days", False, ("termsdays", "terms", "paymentterms", "termdays")),
        Field(
            "amount",
            True,
            (
                "amount",
                "invoiceamount",
                "total",
                "gross",
                "grossamount",
                "totalamount",
                "amountdue",
            ),
        ),
        Field("currency", False, ("currency", "currencycode", "ccy", "cur")),
        Field("tax", False, ("tax", "vat", "taxamount", "vatamount")),
        Field(
            "reference",
            False,
            ("reference", "ref", "externalreference", "externalref", "ponumber", "po"),
        ),
        Field("applies_to", False, ("appliesto", "correctsinvoice", "originalinvoice")),
    ),
    Kind.PAYMENTS: (
        Field("invoice", False, ("invoice", "invoicenumber", "invoiceno", "invoiceid")),
        Field("customer", False, _CUSTOMER_ALIASES),
        Field(
            "date",
            True,
            (
                "date",
                "paymentdate",
                "paiddate",
                "paidon",
                "settleddate",
                "valuedate",
                "receiptdate",
            ),
        ),
        Field(
            "amount", True, ("amount", "paymentamount", "paidamount", "invoiceamount", "received")
        ),
        Field("currency", False, ("currency", "currencycode", "ccy", "cur")),
        Field("reference", False, ("reference", "ref", "paymentreference", "transactionid")),
        Field("method", False, ("method", "paymentmethod", "paymenttype")),
    ),
}


# the longest text each field may hold (the store's column sizes)
TEXT_LIMITS = {
    "customer": 64,
    "number": 64,
    "customer_name": 200,
    "reference": 200,
    "applies_to": 64,
    "region": 8,
}

# the invoice fields in the order the readers take them from a row
INVOICE_FIELDS = (
    "customer",
    "customer_name",
    "number",
    "issue_date",
    "due_date",
    "terms_days",
    "amount",
    "currency",
    "tax",
    "reference",
    "applies_to",
)


def field_names(kind: Kind) -> list[str]:
    return [f.name for f in FIELDS[kind]]
