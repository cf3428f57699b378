"""An e-invoice through the web's import page, over HTTP, on SQLite and PostgreSQL: the
upload is told from a table by its content (whatever kind was chosen), the page shows
what the document says (number, buyer, dates, amount to pay, currency, tax, payment
reference), the dry run and the import are the command line's, and the invoice lands
on its customer's page with the original document in the history. A document that is
refused names the element's path, and the book is as it was; one without a due date
takes the payment terms the page gives.

Files of shared/corpus/einvoice (written by others); skipped only when it is absent."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from recoup.services.book import Book
from recoup.store.tables import customers, invoices
from tests.conftest import corpus_file
from tests.test_einvoice_import import factur_x_pdf
from tests.test_web_operations import BUSINESS, Site, make_site, snapshot, token_of


@pytest.fixture
def site(book: Book, tmp_path: Path) -> Iterator[Site]:
    yield from make_site(book, tmp_path, **BUSINESS)


def upload_file(site: Site, path: Path, kind: str = "invoices") -> str:
    response = site.client.post(
        "/import/upload",
        data={"kind": kind, "csrf_token": site.token()},
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    return response.text


def figure(page: str, name: str) -> str:
    found = re.search(rf'<dd data-figure="{name}">(.*?)</dd>', page, re.S)
    assert found, f"no figure {name}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def row(book: Book, number: str) -> dict[str, object]:
    with book.read() as conn:
        q = (
            select(invoices, customers.c.key.label("customer_key"), customers.c.name)
            .join(customers, customers.c.id == invoices.c.customer_id)
            .where(invoices.c.number == number)
        )
        return dict(conn.execute(q).mappings().one())


def test_a_ubl_invoice_is_shown_checked_and_imported(site: Site) -> None:
    site.log_in("carl")
    path = corpus_file("einvoice", "peppol-bis-3", "base-example.xml")
    before = snapshot(site.book)
    page = upload_file(site, path, kind="customers")  # told by its content, not the choice
    assert 'id="mapping"' not in page
    assert figure(page, "number") == "Snippet1"
    assert figure(page, "buyer").startswith("Buyer Official Name · Sweden")
    assert "VAT id SE4598375937" in figure(page, "buyer")
    assert figure(page, "issue-date") == "13 Nov 2017"
    assert figure(page, "due-date") == "1 Dec 2017 (Payment within 10 days, 2% discount)"
    assert figure(page, "currency") == "EUR"
    assert figure(page, "payable") == "€1,656.25"
    assert figure(page, "tax") == "€331.25"
    assert figure(page, "payment-reference") == "Snippet1"
    assert snapshot(site.book) == before

    form = {"csrf_token": token_of(page)}
    checked = site.client.post("/import/check", data=form)
    assert checked.status_code == 200, checked.text
    assert "Ready to import" in checked.text
    assert 'data-outcome="new"' in checked.text
    assert "its buyer would be a new customer" in checked.text
    assert 'id="do-import">Import the invoice<' in checked.text
    assert snapshot(site.book) == before  # the dry run wrote nothing

    done = site.client.post("/import/run", data=form)
    assert done.status_code == 200
    assert 'data-figure="imported">1<' in done.text
    assert "The invoice Snippet1 is on its customer" in done.text
    stored = row(site.book, "Snippet1")
    assert (stored["amount_minor"], stored["tax_minor"], stored["currency"]) == (
        165625,
        33125,
        "EUR",
    )
    assert stored["payment_reference"] == "Snippet1"
    key = str(stored["customer_key"])
    link = re.search(r'href="(/customers/[^"]+)" id="open-customer"', done.text)
    assert link
    assert unquote(link.group(1)) == f"/customers/{key}"
    customer = site.client.get(link.group(1))
    assert customer.status_code == 200
    assert "Snippet1" in customer.text
    assert "Buyer Official Name" in customer.text

    # the same document again: the dry run says it changes nothing
    page = upload_file(site, path)
    again = site.client.post("/import/check", data={"csrf_token": token_of(page)})
    assert 'data-outcome="same"' in again.text


def test_a_cii_invoice_in_another_currency_with_a_prepaid_amount(site: Site) -> None:
    site.log_in("olivia")
    page = upload_file(site, corpus_file("einvoice", "en16931-cii", "CII_example2.xml"))
    assert figure(page, "number") == "TOSL108"
    assert figure(page, "currency") == "NOK"
    assert figure(page, "prepaid") == "NOK 1,000.00"
    assert figure(page, "payable") == "NOK 801.78"
    assert figure(page, "payment-reference") == "0003434323213231"
    done = site.client.post("/import/run", data={"csrf_token": token_of(page)})
    assert 'data-figure="imported">1<' in done.text
    assert row(site.book, "TOSL108")["amount_minor"] == 80178


def test_a_refused_document_names_the_element_and_leaves_the_book_as_it_was(
    site: Site,
) -> None:
    site.log_in("olivia")
    before = snapshot(site.book)
    path = corpus_file("einvoice", "facturx-zugferd", "xml_en16931_5.xml")
    page = upload_file(site, path)
    assert "This e-invoice cannot be imported" in page
    places = re.findall(r"<code>([^<]+)</code>", page)
    assert (
        "xml_en16931_5.xml:/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
        "ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty"
    ) in places
    assert "not valid against the XSD" in page
    assert 'id="einvoice"' not in page
    assert "Check the file" not in page  # nothing to check: the document must change
    run = site.client.post("/import/run", data={"csrf_token": token_of(page)})
    assert run.status_code == 422
    assert "Import refused: nothing was imported" in run.text
    assert snapshot(site.book) == before


def test_a_credit_note_under_an_invoices_number_is_refused_at_the_dry_run(site: Site) -> None:
    site.log_in("olivia")
    page = upload_file(site, corpus_file("einvoice", "peppol-bis-3", "base-example.xml"))
    site.client.post("/import/run", data={"csrf_token": token_of(page)})
    before = snapshot(site.book)
    page = upload_file(
        site, corpus_file("einvoice", "peppol-bis-3", "base-creditnote-correction.xml")
    )
    assert figure(page, "due-date").startswith("the issue date (a credit note)")
    checked = site.client.post("/import/check", data={"csrf_token": token_of(page)})
    assert checked.status_code == 422
    assert "The import would be refused" in checked.text
    assert "<code>base-creditnote-correction.xml:/CreditNote/cbc:ID</code>" in checked.text
    refused = site.client.post("/import/run", data={"csrf_token": token_of(page)})
    assert refused.status_code == 422
    assert snapshot(site.book) == before


def test_an_invoice_without_a_due_date_takes_the_terms_the_page_gives(site: Site) -> None:
    site.log_in("olivia")
    page = upload_file(site, corpus_file("einvoice", "facturx-zugferd", "xml_en16931_4.xml"))
    assert figure(page, "due-date").startswith("none given")
    assert 'id="terms_days"' in page
    form = {"csrf_token": token_of(page)}
    checked = site.client.post("/import/check", data=form)
    assert checked.status_code == 422
    assert "give the payment terms in days above" in checked.text
    assert "--terms" not in checked.text
    done = site.client.post("/import/run", data={**form, "terms_days": "30"})
    assert 'data-figure="imported">1<' in done.text
    stored = row(site.book, "471102")
    assert (stored["issue_date"], stored["due_date"]) == (date(2018, 3, 5), date(2018, 4, 4))


def test_a_pdf_without_an_e_invoice_inside_is_refused(site: Site) -> None:
    site.log_in("olivia")
    before = snapshot(site.book)
    response = site.client.post(
        "/import/upload",
        data={"kind": "invoices", "csrf_token": site.token()},
        files={"file": ("scan.pdf", b"%PDF-1.4\n", "application/pdf")},
    )
    assert response.status_code == 200
    assert "This e-invoice cannot be imported" in response.text
    assert "not a readable PDF" in response.text
    assert snapshot(site.book) == before


def test_a_factur_x_pdf_is_read_through_the_xml_inside_it(site: Site) -> None:
    site.log_in("olivia")
    xml = corpus_file("einvoice", "facturx-zugferd", "xml_en16931_3.xml").read_bytes()
    pdf = site.folder / "F20200024.pdf"
    pdf.write_bytes(factur_x_pdf(xml))
    page = upload_file(site, pdf)
    assert "a PDF with the CII CrossIndustryInvoice factur-x.xml inside" in page
    assert figure(page, "number") == "F20200024"
    assert figure(page, "payable") == "€108.00"
    assert figure(page, "payment-reference") == "F20180023BUYER"
    done = site.client.post("/import/run", data={"csrf_token": token_of(page)})
    assert 'data-figure="imported">1<' in done.text
    assert row(site.book, "F20200024")["amount_minor"] == 10800
