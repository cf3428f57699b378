"""The outbox as the CLI lists it: what the run queued, by state."""

from __future__ import annotations

import json
from typing import Any

from recoup.domain.money import Money
from recoup.services.book import Book
from recoup.store import run_repo


def list_outbox(book: Book, state: str | None = None) -> list[dict[str, Any]]:
    with book.read() as conn:
        rows = run_repo.list_outbox(conn, state)
    return [
        {
            "id": r["id"],
            "customer": r["customer"],
            "channel": r["channel"],
            "template": r["template"],
            "state": r["state"],
            "stage": r["stage"],
            "created_on": r["created_on"].isoformat()
            if hasattr(r["created_on"], "isoformat")
            else r["created_on"],
            "action": r["action"],
            "amount": Money(r["amount_minor"], r["currency"]).to_json(),
            "currency": r["currency"],
            "invoices": json.loads(r["invoices"]),
        }
        for r in rows
    ]
