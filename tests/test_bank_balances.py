"""A statement whose booked lines do not account for the move between its opening and
closing balance is taken, and the gap is said (the import's warnings, the CLI's note)
and kept with the statement (the Bank page lists it); one that adds up says nothing.
Real statements from the corpus, SQLite and PostgreSQL; the rule itself by Hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from recoup.imports.bank.balances import gap
from recoup.imports.bank.model import Balance, LineKind, Statement, StatementLine, Status
from recoup.services import bank_matching
from recoup.services.bank_import import import_statement
from recoup.services.book import Book
from tests.conftest import corpus_file

CUT = corpus_file("bank", "camt", "oca-bank-statement-import", "test-camt053")
WHOLE = corpus_file("bank", "mt940", "oca-bank-statement-import", "test-ing.940")


def test_a_statement_with_a_gap_is_taken_and_the_gap_said_and_kept(book: Book) -> None:
    report = import_statement(book, CUT)
    assert not report.refused
    assert report.lines == 4
    assert len(report.warnings) == 1
    assert "-434.16 EUR is not in this file" in report.warnings[0]
    listed = bank_matching.statements(book)
    assert [(s["statement_ref"], s["gap_minor"]) for s in listed] == [("1234Test/1", -43416)]
    again = import_statement(book, CUT)  # the same statement: nothing new, nothing said
    assert (again.duplicates, again.warnings) == (4, [])


def test_a_statement_that_adds_up_says_nothing(book: Book) -> None:
    report = import_statement(book, WHOLE)
    assert not report.refused
    assert report.lines == 8
    assert report.warnings == []
    assert [s["gap_minor"] for s in bank_matching.statements(book)] == [None]


def _line(minor: int, status: Status = Status.BOOKED, currency: str = "EUR") -> StatementLine:
    kind = LineKind.CREDIT if minor >= 0 else LineKind.DEBIT
    return StatementLine("f:1", minor, currency, kind, status)


@given(
    opening=st.integers(-(10**9), 10**9),
    booked=st.lists(st.integers(-(10**7), 10**7), max_size=8),
    pending=st.lists(st.integers(-(10**7), 10**7), max_size=3),
    shift=st.integers(-(10**6), 10**6),
)
def test_the_gap_is_what_the_booked_lines_leave(opening, booked, pending, shift) -> None:
    closing = opening + sum(booked) + shift
    statement = Statement("camt.053.001.02", "DE00", "f")
    statement.balances = [
        Balance("opening", opening, "EUR", None),
        Balance("closing", closing, "EUR", None),
    ]
    statement.lines = [_line(m) for m in booked] + [_line(m, Status.PENDING) for m in pending]
    statement.lines.append(_line(999, currency="USD"))  # another currency is not counted
    found = gap(statement)
    if shift == 0:
        assert found is None
    else:
        assert found is not None
        assert found.minor == shift
        assert found.lines_minor == sum(booked)
    statement.balances.pop()  # without a closing balance there is nothing to check
    assert gap(statement) is None
