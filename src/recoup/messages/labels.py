"""The few fixed words of messages and letters (table headings, totals), per language."""

from __future__ import annotations

LANGUAGES = ("en", "de", "fr")
DEFAULT_LANGUAGE = "en"

TABLE_MARK = "[[recoup:table]]"
"""What `{{ table }}` renders to; replaced by the itemised table in text, HTML and PDF."""

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice",
        "issued": "Issued",
        "due": "Due",
        "amount": "Amount",
        "open": "Open",
        "principal": "Invoices (principal)",
        "interest": "Interest",
        "fees": "Fees",
        "total": "Total due",
        "customer_no": "Customer no.",
        "date": "Date",
        "page": "Page",
        "of": "of",
        "bank": "Bank details",
        "phone": "Phone",
        "email": "Email",
        "paid": "Payment received",
        "on_day": "on {}",  # a day something happened: "we wrote to you on ..."
    },
    "de": {
        "invoice": "Rechnung",
        "issued": "Datum",
        "due": "Fällig",
        "amount": "Betrag",
        "open": "Offen",
        "principal": "Rechnungen (Hauptforderung)",
        "interest": "Zinsen",
        "fees": "Gebühren",
        "total": "Offener Gesamtbetrag",
        "customer_no": "Kundennummer",
        "date": "Datum",
        "page": "Seite",
        "of": "von",
        "bank": "Bankverbindung",
        "phone": "Telefon",
        "email": "E-Mail",
        "paid": "Zahlungseingang",
        "on_day": "am {}",
    },
    "fr": {
        "invoice": "Facture",
        "issued": "Date",
        "due": "Échéance",
        "amount": "Montant",
        "open": "Reste dû",
        "principal": "Factures (principal)",
        "interest": "Intérêts",
        "fees": "Frais",
        "total": "Total à régler",
        "customer_no": "N° client",
        "date": "Date",
        "page": "Page",
        "of": "sur",
        "bank": "Coordonnées bancaires",
        "phone": "Téléphone",
        "email": "E-mail",
        "paid": "Paiement reçu",
        "on_day": "le {}",
    },
}


def language_of(value: str | None) -> str:
    """The message language for a customer's language setting ("de-AT" -> "de")."""
    lang = (value or "").replace("-", "_").split("_")[0].lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
