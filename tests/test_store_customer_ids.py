"""New customers' ids come back in the order of the rows, on both databases, also when
the table has had rows removed (the SQLite shortcut counts on consecutive ids and checks
that they add up)."""

from __future__ import annotations

from sqlalchemy import delete

from recoup.services.book import Book
from recoup.store import ledger_repo
from recoup.store.tables import customers


def _rows(keys: list[str]) -> list[tuple[str, str, str, str, str, str]]:
    return [(k, f"Name {k}", "", "en", "UTC", "") for k in keys]


def test_new_customer_ids_match_their_keys(book: Book) -> None:
    with book.write() as conn:
        first = ledger_repo.insert_customers(conn, _rows(["a", "b", "c"]))
        # the highest id goes: the next ones may reuse it, and must still match
        conn.execute(delete(customers).where(customers.c.key == "c"))
        second = ledger_repo.insert_customers(conn, _rows([f"k{i}" for i in range(50)]))
        known = ledger_repo.customer_ids(conn)
    assert first == [known["a"], known["b"], first[2]]
    assert second == [known[f"k{i}"] for i in range(50)]
    assert len(set(first[:2] + second)) == 52


def test_many_new_customers_keep_their_order(book: Book) -> None:
    keys = [f"c{i:05d}" for i in range(12_000)]  # above the bulk loader's index rebuild
    with book.write() as conn:
        ids = ledger_repo.insert_customers(conn, _rows(keys))
        known = ledger_repo.customer_ids(conn)
    assert ids == [known[k] for k in keys]
