"""`recoup import invoices FILE.xml|FILE.pdf`: e-invoices on SQLite and PostgreSQL.

An invoice and the credit note that corrects it leave nothing owed; a Factur-X PDF is
read through the XML inside it and kept whole; a document whose figures do not add up,
a PDF with no invoice inside, an XML with a DOCTYPE are refused with the element named
and the book as it was; the command keeps the import contract (`imported`, `updated`,
`unchanged`, `problems`; exit 1 on refusal)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import facturx
from reportlab.pdfgen import canvas
from sqlalchemy import func, select
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services import history, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.store import sales_repo
from recoup.store.tables import customers, invoices
from recoup.store.tables_history import history as history_table
from tests.conftest import corpus_file

runner = CliRunner()


def load(book: Book, path: Path, **options: object) -> importing.ImportReport:
    return importing.import_file(book, Kind.INVOICES, path, Options(**options))  # type: ignore[arg-type]


def invoice(book: Book, number: str) -> dict[str, object]:
    with book.read() as conn:
        row = conn.execute(select(invoices).where(invoices.c.number == number)).one()
    return dict(row._mapping)


def counts(book: Book) -> tuple[int, ...]:
    with book.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (invoices, customers, history_table)
        )


def factur_x_pdf(xml: bytes) -> bytes:
    """A one-page PDF with the XML embedded as Factur-X says (factur-x.xml, PDF/A-3)."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 760, "Invoice F20200024")
    page.save()
    return bytes(facturx.generate_from_binary(out.getvalue(), xml, check_xsd=False))


def test_an_invoice_and_the_credit_note_correcting_it(book: Book) -> None:
    first = load(book, corpus_file("einvoice", "peppol-bis-3", "base-example.xml"))
    assert (first.imported, first.customers_created, first.problems) == (1, 1, [])
    inv = invoice(book, "Snippet1")
    assert (inv["amount_minor"], inv["tax_minor"], inv["currency"]) == (165625, 33125, "EUR")
    assert inv["payment_reference"] == "Snippet1"
    assert inv["status"] == "open"
    # an invoice with a negative amount due is a credit note, applied to the one it names
    credit = load(book, corpus_file("einvoice", "peppol-bis-3", "base-negative-inv-correction.xml"))
    assert (credit.imported, credit.customers_created, credit.problems) == (1, 0, [])
    note = invoice(book, "Correction1")
    assert (note["kind"], note["amount_minor"], note["applies_to"]) == (
        "credit_note",
        165625,
        "Snippet1",
    )
    assert invoice(book, "Snippet1")["status"] == "paid"
    # the credit note numbered like the invoice it corrects is not taken over it
    same = load(book, corpus_file("einvoice", "peppol-bis-3", "base-creditnote-correction.xml"))
    assert [str(p) for p in same.problems] == [
        f"{same.file}:/CreditNote/cbc:ID: Snippet1 is in the book as an invoice; this "
        "document, a credit note, has the same number: not imported over it"
    ]
    # the days' sales the DSO reads count the invoice in and the credit note out
    with book.read() as conn:
        kept = sales_repo.of_days(conn, date(2000, 1, 1), date(2100, 1, 1))
        assert sorted(kept) == sorted(sales_repo.from_invoices(conn))
    assert sum(minor for _, _, minor in kept) == 0


def test_prepaid_amounts_are_deducted(book: Book) -> None:
    report = load(book, corpus_file("einvoice", "en16931-cii", "CII_example2.xml"))
    assert report.problems == []
    inv = invoice(book, "TOSL108")  # 1801.78 with VAT, 1000.00 paid in advance
    assert (inv["amount_minor"], inv["currency"], inv["due_date"].isoformat()) == (
        80178,
        "NOK",
        "2013-07-20",
    )
    [entry] = history.entries(book, "0088:3456789012098", kinds=["import"])
    data = json.loads(entry.data)
    assert (data["total"], data["prepaid"], data["payable"]) == ("1801.78", "1000.00", "801.78")


def test_a_factur_x_pdf(book: Book, tmp_path: Path) -> None:
    xml = corpus_file("einvoice", "facturx-zugferd", "xml_en16931_3.xml").read_bytes()
    pdf = tmp_path / "F20200024.pdf"
    pdf.write_bytes(factur_x_pdf(xml))
    report = load(book, pdf)
    assert (report.imported, report.problems) == (1, [])
    inv = invoice(book, "F20200024")
    assert (inv["amount_minor"], inv["payment_reference"]) == (10800, "F20180023BUYER")
    with book.read() as conn:
        key = conn.execute(
            select(customers.c.key).where(customers.c.id == inv["customer_id"])
        ).scalar_one()
    [entry] = history.entries(book, key, kinds=["import"])
    assert json.loads(entry.data)["xml_name"] == "factur-x.xml"
    [(name, media, content)] = history.entry_documents(book, entry.id)
    assert (name, media, content) == (pdf.name, "application/pdf", pdf.read_bytes())
    assert load(book, pdf).unchanged == 1


def test_refusals_name_the_element_and_leave_the_book(book: Book, tmp_path: Path) -> None:
    load(book, corpus_file("einvoice", "peppol-bis-3", "base-example.xml"))
    before = counts(book)
    text = corpus_file("einvoice", "peppol-bis-3", "sales-order-example.xml").read_text("utf-8")
    wrong = tmp_path / "wrong.xml"
    wrong.write_text(
        text.replace(
            '<cbc:PayableAmount currencyID="EUR">1656.25</cbc:PayableAmount>',
            '<cbc:PayableAmount currencyID="EUR">1565.25</cbc:PayableAmount>',
        ),
        "utf-8",
    )
    report = load(book, wrong)
    [problem] = report.problems
    assert problem.element == "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"
    assert "BR-CO-16" in problem.message
    plain = tmp_path / "plain.pdf"
    out = io.BytesIO()
    canvas.Canvas(out).save()
    plain.write_bytes(out.getvalue())
    assert "without an embedded e-invoice" in str(load(book, plain).problems[0])
    entity = tmp_path / "entity.xml"
    entity.write_text(
        '<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>'
    )
    assert "DOCTYPE" in str(load(book, entity).problems[0])
    # inside a PDF the problem names the embedded file, then the element
    cii = corpus_file("einvoice", "facturx-zugferd", "xml_en16931_3.xml").read_bytes()
    inside = tmp_path / "inside.pdf"
    inside.write_bytes(
        factur_x_pdf(
            cii.replace(
                b"<ram:DuePayableAmount>108.00</ram:DuePayableAmount>",
                b"<ram:DuePayableAmount>180.00</ram:DuePayableAmount>",
            )
        )
    )
    [problem] = load(book, inside).problems
    assert str(problem).startswith(
        f"{inside}:factur-x.xml:/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
        "ram:ApplicableHeaderTradeSettlement/"
        "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount: the amount due"
    )
    # a dry run reads and checks everything and writes nothing
    example = corpus_file("einvoice", "en16931-cii", "CII_example8.xml")
    dry = importing.import_file(book, Kind.INVOICES, example, Options(), dry_run=True)
    assert (dry.imported, dry.problems, dry.dry_run) == (1, [], True)
    assert counts(book) == before


def test_the_command_keeps_the_import_contract(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    assert runner.invoke(app, ["--db", str(db), "init"]).exit_code == 0
    pdf = tmp_path / "invoice.pdf"
    xml = corpus_file("einvoice", "facturx-zugferd", "xml_extended_2.xml").read_bytes()
    pdf.write_bytes(factur_x_pdf(xml))
    result = runner.invoke(app, ["--db", str(db), "import", "invoices", str(pdf), "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["imported"], out["updated"], out["unchanged"], out["problems"]) == (1, 0, 0, [])
    refused = corpus_file("einvoice", "facturx-zugferd", "xml_en16931_4.xml")
    result = runner.invoke(app, ["--db", str(db), "import", "invoices", str(refused), "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["imported"] == 0
    assert out["problems"][0].startswith(
        f"{refused}:/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
        "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime: "
        "no due date"
    )
    # --terms gives the due date the document does not
    result = runner.invoke(
        app, ["--db", str(db), "import", "invoices", str(refused), "--terms", "14", "--json"]
    )
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["imported"] == 1
