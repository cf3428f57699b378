"""Properties of matching in a real book (SQLite), for random small books and
statements (several customers owing the same amounts, references, numbers written in
several ways, parts, overpayments, money from strangers):

- an applied or confirmed line's payments add up to the line's amount, each named
  invoice is one the line's candidates (or the matcher) chose, and no invoice is paid
  more than its amount;
- a line that waits with suggestions has them stored; one without has none;
- importing the statement again changes no row of the book.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from recoup.domain.matching.references import make_rf
from recoup.imports.bank.csv_mapping import CsvMapping
from recoup.services import importing
from recoup.services.bank_import import import_bytes
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.store.schema import metadata

NAMES = {"C1": "Alder Joinery", "C2": "Birch Bakes", "C3": "Conrad Holzbau"}
AMOUNTS = [5000, 10000, 12345]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bank-template") / "book.db"
    book = Book.create(str(path))
    folder = path.parent
    (folder / "c.csv").write_text(
        "customer,name,country\n" + "".join(f"{k},{n},GB\n" for k, n in NAMES.items()),
        encoding="utf-8",
    )
    assert importing.import_file(book, Kind.CUSTOMERS, folder / "c.csv", Options()).ok
    book.close()
    return path


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[tuple[str, str, int, str]], list[str]]:
    count = draw(st.integers(1, 6))
    invoices = []
    for n in range(count):
        customer = draw(st.sampled_from(sorted(NAMES)))
        amount = draw(st.sampled_from(AMOUNTS) | st.integers(100, 50000))
        ref = draw(st.sampled_from(["", make_rf(f"77{n}")]))
        invoices.append((customer, f"INV-{n + 1:04d}", amount, ref))
    rows = []
    for t in range(draw(st.integers(1, 6))):
        customer, number, amount, ref = draw(st.sampled_from(invoices))
        paid = draw(st.sampled_from([amount, amount - 250, amount // 2, amount + 1000, 777]))
        name = draw(st.sampled_from([NAMES[customer], NAMES[customer].upper(), "", "Stranger"]))
        written = draw(
            st.sampled_from(["", number, number.replace("-", " "), "thanks", ref or number])
        )
        rows.append(f"2026-06-0{1 + t % 9},{paid / 100:.2f},EUR,{name},,{written},T{t}")
    return invoices, rows


def _dump(book: Book) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with book.engine.connect() as conn:
        for table in metadata.sorted_tables:
            keys = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*keys))]
    return out


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_what_is_applied_adds_up_and_a_second_import_changes_nothing(
    scenario: tuple[list[tuple[str, str, int, str]], list[str]], template: Path, tmp_path: Path
) -> None:
    invoices, rows = scenario
    folder = tmp_path / "example"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    shutil.copy(template, folder / "book.db")
    book = Book.open(str(folder / "book.db"))
    try:
        body = "customer,number,issue_date,due_date,amount,currency,reference\n" + "".join(
            f"{c},{n},2026-04-01,2026-05-01,{a / 100:.2f},EUR,{r}\n" for c, n, a, r in invoices
        )
        (folder / "i.csv").write_text(body, encoding="utf-8")
        assert importing.import_file(book, Kind.INVOICES, folder / "i.csv", Options()).ok
        head = "date,amount,currency,name,iban,purpose,transaction id\n"
        data = (head + "\n".join(rows) + "\n").encode()
        mapping = CsvMapping(account="GB33BUKB20201555555555")
        report = import_bytes(book, data, "statement.csv", mapping)
        assert not report.refused, report.problems
        with book.read() as conn:
            lines = conn.execute(
                text("SELECT id, amount_minor, state FROM bank_lines ORDER BY id")
            ).all()
            for line_id, amount, state in lines:
                paid = conn.execute(
                    text("SELECT coalesce(sum(amount_minor), 0) FROM payments WHERE key LIKE :k"),
                    {"k": f"bank:{line_id}:%"},
                ).scalar_one()
                kept = conn.execute(
                    text("SELECT count(*) FROM bank_candidates WHERE line_id = :i"),
                    {"i": line_id},
                ).scalar_one()
                if state == "applied":
                    assert paid == amount
                else:
                    assert paid == 0
                assert (kept > 0) == (state == "suggested")
            over = conn.execute(
                text("SELECT count(*) FROM invoices WHERE paid_minor > amount_minor")
            ).scalar_one()
            assert over == 0
        assert report.applied + report.suggested + report.unmatched == report.lines
        before = _dump(book)
        again = import_bytes(book, data, "statement.csv", mapping)
        assert (again.duplicates, again.applied, again.suggested) == (report.lines, 0, 0)
        assert _dump(book) == before
    finally:
        book.close()
