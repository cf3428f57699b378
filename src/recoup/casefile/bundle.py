"""The zip of originals that goes with the case file.

    casefile.pdf         the case file itself
    invoices.csv         every invoice and credit note of the account
    payments.csv         every payment
    history.json         the whole history, oldest first, with hashes and attachments
    documents/NNNNNN-*   every attached document, byte for byte as kept
                         (NNNNNN: the id of the history entry it belongs to)
    MANIFEST.txt         each file with its size and SHA-256

Dates in the zip's directory are fixed to the case file's as-of day, so the same case
file gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from recoup.casefile.model import CaseFile
from recoup.safe_text import Cell, Column, csv_text

INVOICE_COLUMNS = (
    Column("number"),
    Column("kind"),
    Column("issue_date", Cell.DATE),
    Column("due_date", Cell.DATE),
    Column("currency"),
    Column("amount", Cell.AMOUNT),
    Column("tax", Cell.AMOUNT),
    Column("open", Cell.AMOUNT),
    Column("status"),
    Column("settled_on", Cell.DATE),
    Column("days_past_due", Cell.INTEGER),
    Column("reference"),
)
PAYMENT_COLUMNS = (
    Column("date", Cell.DATE),
    Column("currency"),
    Column("amount", Cell.AMOUNT),
    Column("method"),
    Column("reference"),
    Column("invoice"),
)


def invoices_csv(case: CaseFile) -> bytes:
    """Every invoice and credit note; text cells a spreadsheet would run as a formula
    are neutralised, amounts stay numbers (`recoup.safe_text`)."""
    rows = [
        [
            i.number,
            i.kind,
            i.issue_date.isoformat(),
            i.due_date.isoformat(),
            i.amount.currency,
            i.amount.to_json(),
            i.tax.to_json() if i.tax else "",
            i.open.to_json(),
            i.status,
            i.settled_on.isoformat() if i.settled_on else "",
            i.days_past_due,
            i.reference,
        ]
        for i in case.invoices
    ]
    return csv_text(INVOICE_COLUMNS, rows).encode("utf-8")


def payments_csv(case: CaseFile) -> bytes:
    rows = [
        [
            p.date.isoformat(),
            p.amount.currency,
            p.amount.to_json(),
            p.method,
            p.reference,
            p.invoice or "",
        ]
        for p in case.payments
    ]
    return csv_text(PAYMENT_COLUMNS, rows).encode("utf-8")


def history_json(case: CaseFile) -> bytes:
    items: list[dict[str, Any]] = [
        {
            "id": e.id,
            "at": e.at,
            "on": e.on.isoformat(),
            "kind": e.kind,
            "actor": e.actor,
            "text": e.text,
            "hash": e.hash,
            "attachments": [
                {
                    "name": d.name,
                    "media_type": d.media_type,
                    "sha256": d.sha256,
                    "file": d.archive_name,
                }
                for d in e.documents
            ],
        }
        for e in case.events
    ]
    body = {
        "customer": case.debtor.key,
        "as_of": case.as_of.isoformat(),
        "chain": {
            "ok": case.chain.ok,
            "checked": case.chain.checked,
            "problem": case.chain.problem,
            "anchor": None
            if case.chain.anchor is None
            else {
                "made_at": case.chain.anchor.made_at,
                "fingerprint": case.chain.anchor.fingerprint,
                "own_key": case.chain.anchor.own_key,
                "entries": case.chain.anchor.entries,
                "holds": case.chain.anchor.holds,
                "problem": case.chain.anchor.problem,
            },
        },
        "entries": items,
    }
    return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def pack(case: CaseFile, pdf: bytes) -> bytes:
    """The zip of originals as bytes."""
    files: list[tuple[str, bytes]] = [
        ("casefile.pdf", pdf),
        ("invoices.csv", invoices_csv(case)),
        ("payments.csv", payments_csv(case)),
        ("history.json", history_json(case)),
    ]
    seen: set[str] = set()
    for d in case.documents:
        if d.archive_name not in seen:
            seen.add(d.archive_name)
            files.append((d.archive_name, d.content))
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {len(data):>10}  {name}\n" for name, data in files
    )
    files.append(("MANIFEST.txt", manifest.encode("utf-8")))
    stamp = (case.as_of.year, case.as_of.month, case.as_of.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()
