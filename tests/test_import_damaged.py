"""The damaged-file corpus (tests/data/damaged): each file, imported into a book that
already holds customers, contacts, invoices and payments, gives exactly the problems
expected.toml lists for it, and the book is unchanged afterwards, table by table and
row by row (on SQLite also byte for byte, after a checkpoint). SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from recoup.services import importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from tests.data.damaged import make_xlsx

DAMAGED = Path(__file__).parent / "data" / "damaged"
EXPECTED: dict[str, dict[str, Any]] = tomllib.loads(
    (DAMAGED / "expected.toml").read_text(encoding="utf-8")
)

SEED = {
    Kind.CUSTOMERS: "customer,name,country,email\n"
    "C1,Acme Ltd,GB,ann@acme.example\nC2,Bolt GmbH,DE,bo@bolt.example\n",
    Kind.INVOICES: "customer,number,issue_date,due_date,amount,currency\n"
    "C1,INV-1,2026-01-05,2026-02-04,100.00,EUR\nC2,INV-2,2026-01-06,2026-02-05,50.00,EUR\n",
    Kind.PAYMENTS: "invoice,date,amount,reference\nINV-1,2026-02-01,30.00,P-1\n",
}


def dump(book: Book) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, ordered by primary key (by all columns without one)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with book.read() as conn:
        insp = inspect(conn)
        for table in sorted(insp.get_table_names()):
            order = insp.get_pk_constraint(table)["constrained_columns"] or [
                c["name"] for c in insp.get_columns(table)
            ]
            by = ", ".join(f'"{c}"' for c in order)
            rows = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY {by}'))
            out[table] = [tuple(r) for r in rows]
    return out


def file_digest(book: Book) -> str | None:
    """A SQLite book's file, checkpointed, as a digest; None on PostgreSQL."""
    if book.engine.dialect.name != "sqlite":
        return None
    with book.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = conn.exec_driver_sql("PRAGMA database_list").fetchone()[2]
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def seeded(book: Book, tmp_path: Path) -> Book:
    for kind, content in SEED.items():
        path = tmp_path / f"seed-{kind.value}.csv"
        path.write_text(content, encoding="utf-8")
        report = importing.import_file(book, kind, path, Options())
        assert report.ok, report.problems
        assert report.imported
    return book


@pytest.fixture(scope="module")
def xlsx_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {p.name: p for p in make_xlsx.build(tmp_path_factory.mktemp("damaged"))}


def corpus_path(name: str, xlsx_files: dict[str, Path]) -> Path:
    return xlsx_files[name] if name.endswith(".xlsx") else DAMAGED / name


def test_the_corpus_is_complete(xlsx_files: dict[str, Path]) -> None:
    on_disk = {p.name for p in DAMAGED.glob("*.csv")} | set(xlsx_files)
    assert on_disk == set(EXPECTED)
    assert len(EXPECTED) >= 30
    assert {n.rsplit(".", 1)[1] for n in EXPECTED} == {"csv", "xlsx"}
    assert all(entry["problems"] for entry in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_damaged_file_gives_its_problems_and_leaves_the_book_as_it_was(
    seeded: Book, xlsx_files: dict[str, Path], name: str
) -> None:
    entry = EXPECTED[name]
    path = corpus_path(name, xlsx_files)
    before, digest = dump(seeded), file_digest(seeded)
    report = importing.import_file(
        seeded, Kind(entry["kind"]), path, Options(**entry.get("options", {}))
    )
    assert [str(p) for p in report.problems] == [
        p.replace("{file}", str(path)) for p in entry["problems"]
    ]
    assert (report.imported, report.updated, report.unchanged, report.changes) == (0, 0, 0, [])
    assert report.customers_created == 0
    assert dump(seeded) == before
    assert file_digest(seeded) == digest


def test_a_50_mb_line_is_refused_at_once(sqlite_book: Book, tmp_path: Path) -> None:
    path = tmp_path / "one-line.csv"
    with path.open("wb") as fh:
        fh.write(b"customer,name\nC9,")
        block = b"x" * 1_000_000
        for _ in range(50):
            fh.write(block)
        fh.write(b"\n")
    before = dump(sqlite_book)
    start = time.perf_counter()
    report = importing.import_file(sqlite_book, Kind.CUSTOMERS, path, Options())
    took = time.perf_counter() - start
    assert [str(p) for p in report.problems] == [
        f"{path}:2: the line is longer than 1,048,576 bytes, the longest line an import "
        "reads (--max-line-bytes or RECOUP_IMPORT_MAX_LINE_BYTES set another); is this a "
        "CSV file?"
    ]
    assert took < 1.0, took
    assert dump(sqlite_book) == before


def test_a_long_line_within_a_raised_limit_is_read(sqlite_book: Book, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("customer,name,notes\nC9,Nine," + "n" * 3000 + "\n", encoding="utf-8")
    refused = importing.import_file(sqlite_book, Kind.CUSTOMERS, path, Options(max_line_bytes=2000))
    assert [p.message for p in refused.problems] == [
        "the line is longer than 2,000 bytes, the longest line an import reads "
        "(--max-line-bytes or RECOUP_IMPORT_MAX_LINE_BYTES set another); is this a CSV file?"
    ]
    report = importing.import_file(sqlite_book, Kind.CUSTOMERS, path, Options(max_line_bytes=4000))
    assert report.ok, report.problems
    assert report.imported == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a folder, not a file: name the CSV or XLSX file to import"),
        (lambda p: None, "no such file"),
    ],
    ids=["folder", "missing"],
)
def test_a_path_that_is_no_file_is_a_problem_not_a_traceback(
    sqlite_book: Book, tmp_path: Path, make: Any, message: str
) -> None:
    path = tmp_path / "invoices.csv"
    make(path)
    report = importing.import_file(sqlite_book, Kind.INVOICES, path, Options())
    assert [str(p) for p in report.problems] == [f"{path}: {message}"]
    assert importing.path_problem(path) == message


def test_line_breaks_are_read_where_they_belong(sqlite_book: Book, tmp_path: Path) -> None:
    """An address and a list of email addresses may run over lines, and so may a column
    that feeds no field; a name may not."""
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer,name,email,address,notes\n"
        'C9,Nine Ltd,"a@nine.example\nb@nine.example","1 High St\nLeeds LS1 1AA",'
        '"called twice\nno answer"\n',
        encoding="utf-8",
    )
    report = importing.import_file(sqlite_book, Kind.CUSTOMERS, path, Options())
    assert report.ok, report.problems
    assert report.imported == 1
    with sqlite_book.read() as conn:
        rows = conn.execute(text("SELECT email, address FROM contacts ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        ("a@nine.example", "1 High St\nLeeds LS1 1AA"),
        ("b@nine.example", "1 High St\nLeeds LS1 1AA"),
    ]
