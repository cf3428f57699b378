"""The journey of issue 17: a reminder queued before the bank statement came is
withdrawn at delivery once the statement shows the invoice paid; the customer whose
invoice is still open gets theirs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import text

from recoup.imports.bank.csv_mapping import CsvMapping
from recoup.services import daily_run, dispatch, importing
from recoup.services.bank_import import import_statement
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.settings import Settings

RUN_DAY = date(2026, 5, 12)  # a Tuesday, eleven days after the invoices fell due


def _write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def _outbox(book: Book) -> dict[str, str]:
    with book.read() as conn:
        rows = conn.execute(
            text(
                "SELECT c.key, o.state FROM outbox o JOIN actions a ON a.id = o.action_id "
                "JOIN customers c ON c.id = a.customer_id ORDER BY o.id"
            )
        ).all()
    return {str(k): str(s) for k, s in rows}


def test_a_reminder_is_withdrawn_when_the_statement_shows_the_invoice_paid(tmp_path: Path):
    book = Book.open(str(tmp_path / "book.db"), create=True)
    try:
        customers = (
            "customer,name,country,timezone,language,contact,email,address\n"
            'C1,Alder Joinery,GB,Europe/London,en,Ann Alder,c1@debtor.example,"1 Mill Lane|Leeds"\n'
            'C2,Birch Bakes,GB,Europe/London,en,Bo Birch,c2@debtor.example,"2 Canongate|Leeds"\n'
        )
        path = _write(tmp_path, "customers.csv", customers)
        assert importing.import_file(book, Kind.CUSTOMERS, path, Options()).ok
        invoices = (
            "customer,number,issue_date,due_date,amount,currency\n"
            "C1,INV-2001,2026-04-01,2026-05-01,420.00,GBP\n"
            "C2,INV-2002,2026-04-01,2026-05-01,180.00,GBP\n"
        )
        path = _write(tmp_path, "invoices.csv", invoices)
        assert importing.import_file(book, Kind.INVOICES, path, Options()).ok
        daily_run.run(book, RUN_DAY, workers=0)
        assert _outbox(book) == {"C1": "pending", "C2": "pending"}
        # the statement of the same morning: Alder Joinery paid INV-2001
        statement = _write(
            tmp_path,
            "statement.csv",
            "date,amount,currency,name,iban,purpose,transaction id\n"
            "2026-05-11,420.00,GBP,ALDER JOINERY LTD,GB29NWBK60161331926819,INV-2001,T1\n",
        )
        report = import_statement(book, statement, CsvMapping(account="GB33BUKB20201555555555"))
        assert report.applied == 1, report
        cfg = Settings(
            outbox_dir=str(tmp_path / "outbox"),
            mail_from="accounts@harbour.example",
            business_name="Harbour Accounts Ltd",
            business_address="9 Quay Street|Bristol BS1 4DJ",
            business_phone="+44 117 496 0000",
            business_email="accounts@harbour.example",
            business_bank="IBAN GB33 BUKB 2020 1555 5555 55",
        )
        at = datetime.combine(RUN_DAY, time(10, 0), UTC)
        dispatch.dispatch(book, now=at, settings=cfg)
        assert _outbox(book) == {"C1": "withdrawn", "C2": "sent"}
    finally:
        book.close()
