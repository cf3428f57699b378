"""Independent readings of the expected outputs that ship with the bank corpus
(../shared/corpus/bank, written by others): genkgo/camt's JSON dumps, OCA's golden
Python literals and WoLpH/mt940's YAML dumps. Each is read here with the standard
library alone, so the tests compare the readers to what others wrote, not to
themselves."""

from __future__ import annotations

import ast
import base64
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    amount_minor: int  # signed
    currency: str
    booked: date | None = None
    servicer_ref: str | None = None


def genkgo(path: Path) -> tuple[str | None, list[Entry]]:
    """(the account of the entries' statement, its entries) from a genkgo/camt JSON
    dump. Its `getEntries` are the last statement's; amounts are in minor units."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    account = None
    for e in doc["getEntries"]:
        money = e["getAmount"]
        booked = (e.get("getBookingDate") or {}).get("0")
        entries.append(
            Entry(
                int(money["getAmount"]),
                money["getCurrency"]["getCode"],
                date.fromisoformat(booked[:10]) if booked else None,
                e.get("getAccountServicerReference"),
            )
        )
        record = e.get("getRecord")
        if isinstance(record, dict):
            account = record["getAccount"].get("getIdentification")
    return account, entries


@dataclass(frozen=True)
class Golden:
    currency: str
    account: str
    statements: list[dict[str, object]]


def oca_golden(path: Path) -> Golden:
    """OCA's golden parse: (currency, account, statements), a Python literal."""
    currency, account, statements = ast.literal_eval(path.read_text(encoding="utf-8"))
    return Golden(currency, account, statements)


def cents(value: float | int | str) -> int:
    return int(Decimal(str(value)) * 100)


@dataclass(frozen=True)
class Mt940Line:
    amount: Decimal  # as the library's 5.0 defaults wrote it (RC positive)
    currency: str | None
    mark: str | None
    bank_reference: str | None
    day: date | None


_TX = re.compile(r"\n- !!python/object:mt940\.models\.Transaction\n")
_AMOUNT = re.compile(
    r"amount: !!python/object:mt940\.models\.Amount\n\s+amount: "
    r"!!python/object/apply:decimal\.Decimal\s*(?:\['([^']+)'\]|\n\s*- '([^']+)')\n"
    r"\s+currency: (\S+)"
)
_DATE = re.compile(
    r"\n    date: !!python/object/apply:mt940\.models\.Date\n    - !!binary \|\n\s+(\S+)"
)


def wolph(path: Path) -> tuple[dict[str, str], list[Mt940Line]]:
    """(statement fields, transactions) of a WoLpH/mt940 YAML dump. The dates are
    pickled as four bytes (year high, year low, month, day) in base64."""
    text = path.read_text(encoding="utf-8")
    at = text.find("\ntransactions:")
    head = text if at < 0 else text[:at]
    fields = {
        key: value.strip("'\"")
        for key, value in re.findall(
            r"\n  (account_identification|transaction_reference): (.+)", head
        )
    }
    lines: list[Mt940Line] = []
    for block in _TX.split(text[at:] if at >= 0 else "")[1:]:
        found = _AMOUNT.search(block)
        assert found, f"{path.name}: a transaction without an amount"
        mark = re.search(r"\n    status: (\S+)", block)
        ref = re.search(r"\n    bank_reference: (.+)", block)
        day = _DATE.search(block)
        currency = found.group(3)
        lines.append(
            Mt940Line(
                Decimal(found.group(1) or found.group(2)),
                None if currency == "null" else currency,
                mark.group(1) if mark else None,
                None if ref is None or ref.group(1) == "null" else ref.group(1).strip("'"),
                _pickled_date(day.group(1)) if day else None,
            )
        )
    return fields, lines


def _pickled_date(text: str) -> date:
    raw = base64.b64decode(text)
    return date(raw[0] * 256 + raw[1], raw[2], raw[3])
