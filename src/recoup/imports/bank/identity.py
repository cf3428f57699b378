"""The identity of a statement and of a statement line: what makes an overlapping or a
repeated statement give nothing it already gave.

A line's identity is the account, the currency and the signed amount together with the
strongest identifier the bank gave it, in this order: the account servicer's reference
(camt AcctSvcrRef, MT940 //bank reference), the bank's transaction id (camt TxId, OFX
FITID, a CSV's id column), the UETR, the entry reference (camt NtryRef); a detail of a
batch entry adds its position in the entry. A line with none of these (many MT940 and
CSV exports) is known by what it says: its day, its amount and the text the bank
wrote for it (`StatementLine.raw`), and how many lines before it in its statement said
exactly the same (so two
equal payments on one day stay two, and a statement read again, or another statement
overlapping it, gives the same identities).

The identity is a SHA-256 in hex, so its length never depends on the bank's values.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from recoup.imports.bank.model import Statement, StatementLine

# values banks write when they have no reference: never an identity
_NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED", "NONE", "N/A", "NA", "0"})


def _digest(parts: Iterable[object]) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def account_key(account: str) -> str:
    return account.replace(" ", "").upper()


def _ref(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value.upper() in _NO_REFERENCE else value


def bank_reference(line: StatementLine) -> tuple[str, str] | None:
    """(which, value) of the strongest identifier the bank gave the line, or None."""
    for which, value in (
        ("servicer", line.servicer_ref),
        ("transaction", line.transaction_id),
        ("uetr", line.uetr),
        ("entry", line.entry_ref),
    ):
        ref = _ref(value)
        if ref is not None:
            return which, ref
    return None


def _content(line: StatementLine) -> tuple[object, ...]:
    """What a line without a bank reference is known by: its day, amount and the text
    the bank wrote for it (white space aside), so that what the readers make of that
    text may change without a line being taken twice; without that text, the fields
    read from it."""
    if line.raw is not None:
        return (
            line.value_date or line.booking_date,
            line.amount_minor,
            line.currency,
            line.detail_index,
            " ".join(line.raw.split()),
        )
    return (
        line.booking_date,
        line.value_date,
        line.amount_minor,
        line.currency,
        line.kind,
        line.end_to_end_id,
        line.customer_ref,
        line.bank_code,
        line.counterparty_name,
        line.counterparty_iban,
        line.counterparty_account,
        line.creditor_ref,
        line.remittance,
        line.structured,
        line.additional_info,
    )


def line_identities(statement: Statement) -> list[str]:
    """The identity of each of the statement's lines, in order. A bank identifier that
    two lines of one statement share (with the same amount) identifies neither: both are
    then known by their content, so no line is ever taken for another."""
    account = account_key(statement.account)
    keyed: list[tuple[object, ...] | None] = []
    for line in statement.lines:
        ref = bank_reference(line)
        keyed.append(
            None
            if ref is None
            else ("ref", account, line.currency, line.amount_minor, *ref, line.detail_index)
        )
    shared = {k for k, n in Counter(k for k in keyed if k is not None).items() if n > 1}
    seen: Counter[tuple[object, ...]] = Counter()
    out: list[str] = []
    for line, key in zip(statement.lines, keyed, strict=True):
        if key is not None and key not in shared:
            out.append(_digest(key))
            continue
        content = (account, *_content(line))
        seen[content] += 1
        out.append(_digest(("content", *content, seen[content])))
    return out


def statement_identity(statement: Statement, file_sha256: str) -> str:
    """A statement with an id is known by its account, format family, id, sequence and
    period; one without an id by the file it came in and its place in it."""
    family = ".".join(statement.format.split(".")[:2])  # camt.053, mt940, ofx, csv
    if statement.statement_id:
        return _digest(
            (
                "statement",
                account_key(statement.account),
                family,
                statement.statement_id,
                statement.sequence,
                statement.from_date,
                statement.to_date,
            )
        )
    return _digest(("file", file_sha256, account_key(statement.account), statement.source))
