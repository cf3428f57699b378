"""OFX and QFX statements (OFX 1.x SGML and 2.x XML), read with `ofxparse`.

`ofxparse` is chosen over the stricter `ofxtools` because banks' real files break the
specification in small ways (elements out of order, a bank id longer than allowed)
that `ofxtools` refuses and `ofxparse` reads; both read amounts as Decimals. Each
account's statement (STMTRS, CCSTMTRS) is one statement; each STMTTRN one line, known
by its FITID. A line's place in the file is the line its <STMTTRN> starts on.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from recoup.imports.bank import kinds
from recoup.imports.bank.model import Balance, BankFile, Statement, StatementLine
from recoup.imports.bank.values import BankValueError, clean, iban_valid, minor_units
from recoup.imports.problems import Problem

_STMTTRN = re.compile(rb"<STMTTRN>", re.IGNORECASE)
_EMPTY = re.compile(rb"<(?!OFX>)([A-Za-z0-9.]+)>\s*</\1>")  # an element with nothing in it
_HEADER = re.compile(
    rb"^\s*(?:\xef\xbb\xbf)?\s*(?:OFXHEADER\s*:|<\?xml[^>]*>\s*<\?OFX|<OFX>)", re.I
)


def looks_like_ofx(data: bytes) -> bool:
    head = data[:4096]
    return bool(_HEADER.match(head)) or b"<OFX>" in head.upper()


def read_ofx(data: bytes, name: str) -> BankFile:
    import ofxparse

    out = BankFile(name, "ofx")
    # an empty element is one the bank left out (OFX 1.02 files write <CURDEF></CURDEF>);
    # dropped on one line, so every line keeps its number
    data = _EMPTY.sub(lambda m: b"\n" * m.group(0).count(b"\n"), data)
    starts, raws = _transactions_as_written(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bs4 warns that the file looks like XML
            parsed = ofxparse.OfxParser.parse(io.BytesIO(data))
    except Exception as err:  # ofxparse raises what its parts raise: name it, refuse
        out.problems.append(_refusal(err, data, name))
        return out
    position = 0
    for account in getattr(parsed, "accounts", None) or []:
        statement = account.statement
        if statement is None:
            continue
        transactions = list(getattr(statement, "transactions", []) or [])
        if not transactions and not isinstance(getattr(statement, "balance", None), Decimal):
            continue  # an account listed, with no statement of it
        lines_at = starts[position : position + len(transactions)]
        written = raws[position : position + len(transactions)]
        position += len(transactions)
        result = _statement(account, statement, transactions, lines_at, name, out)
        if len(written) == len(transactions) == len(result.lines):
            for line, raw in zip(result.lines, written, strict=True):
                line.raw = raw
        out.statements.append(result)
    if not out.statements:
        status = _status(parsed)
        why = f" (the bank answered: {status})" if status else ""
        out.problems.append(Problem(name, None, None, f"no bank statement in this OFX file{why}"))
    return out


def _transactions_as_written(data: bytes) -> tuple[list[int], list[str]]:
    """The line each <STMTTRN> starts on, and its text up to its end tag (or the next
    <STMTTRN>, as OFX 1.x may leave end tags out)."""
    found = list(_STMTTRN.finditer(data))
    upper = data.upper()
    starts: list[int] = []
    raws: list[str] = []
    line, last = 1, 0
    for n, match in enumerate(found):
        line += data.count(b"\n", last, match.start())
        last = match.start()
        starts.append(line)
        limit = found[n + 1].start() if n + 1 < len(found) else len(data)
        close = upper.find(b"</STMTTRN>", match.start(), limit)
        raws.append(data[match.start() : close if close >= 0 else limit].decode("latin-1"))
    return starts, raws


def _status(parsed: Any) -> str | None:
    signon = getattr(parsed, "signon", None)
    code = getattr(signon, "code", None)
    if code not in (None, 0, "0"):
        return f"{code} {getattr(signon, 'message', '') or ''}".strip()
    return None


def _refusal(err: Exception, data: bytes, name: str) -> Problem:
    """The problem for a file ofxparse cannot read: for a transaction without an amount
    or a date, the line of the first <STMTTRN> that lacks it."""
    message = " ".join(str(err).split()) or type(err).__name__
    missing = re.search(r"Missing (?:Transaction )?(\w+)", message)
    tag = {"Amount": b"<TRNAMT>", "Date": b"<DTPOSTED>", "FIT": b"<FITID>"}.get(
        missing.group(1) if missing else "", b""
    )
    if tag:
        for found in _STMTTRN.finditer(data):
            end = data.upper().find(b"</STMTTRN>", found.end())
            block = data[found.end() : end if end >= 0 else len(data)]
            if tag not in block.upper():
                line = data.count(b"\n", 0, found.start()) + 1
                return Problem(name, line, None, f"not a readable OFX statement: {message}")
    amount = re.search(r"'([^']*)'", message)
    if amount and "Amount" in message:
        at = data.find(amount.group(1).encode())
        if at >= 0:
            line = data.count(b"\n", 0, at) + 1
            return Problem(name, line, None, f"not a readable OFX statement: {message}")
    return Problem(name, None, None, f"not a readable OFX statement: {message}")


def _statement(
    account: Any,
    statement: Any,
    transactions: list[Any],
    lines_at: list[int],
    name: str,
    out: BankFile,
) -> Statement:
    number = str(getattr(account, "account_id", "") or "").strip()
    compact = number.replace(" ", "").upper()
    code = str(getattr(account, "curdef", None) or getattr(statement, "currency", "") or "")
    currency = code.upper() or None
    result = Statement(
        "ofx",
        compact if iban_valid(compact) else number,
        f"{name}:{lines_at[0] if lines_at else 1}",
        account_currency=currency,
    )
    routing = str(getattr(account, "routing_number", "") or "").strip()
    if routing and not iban_valid(compact):
        result.account = f"{routing}/{number}"
    result.from_date = _day(getattr(statement, "start_date", None))
    result.to_date = _day(getattr(statement, "end_date", None))
    if result.from_date or result.to_date:
        result.statement_id = f"{result.from_date or ''}..{result.to_date or ''}"
    for attr, kind in (("balance", "closing"), ("available_balance", "closing_available")):
        value = getattr(statement, attr, None)
        if isinstance(value, Decimal) and currency:
            try:
                on = _day(getattr(statement, attr + "_date", None))
                result.balances.append(Balance(kind, minor_units(value, currency), currency, on))
            except BankValueError:
                pass
    for index, tx in enumerate(transactions):
        line_no = lines_at[index] if index < len(lines_at) else None
        source = f"{name}:{line_no}" if line_no else name
        try:
            amount = minor_units(Decimal(tx.amount), currency)
        except (BankValueError, TypeError, ArithmeticError) as err:
            out.problems.append(Problem(name, line_no, None, f"<TRNAMT>: {err}"))
            continue
        trntype = str(getattr(tx, "type", "") or "").upper() or None
        payee = clean(str(getattr(tx, "payee", "") or ""))
        memo = clean(str(getattr(tx, "memo", "") or ""))
        check = clean(str(getattr(tx, "checknum", "") or ""))
        result.lines.append(
            StatementLine(
                source=source,
                amount_minor=amount,
                currency=currency or "",
                kind=kinds.from_ofx_type(trntype, amount),
                booking_date=_day(getattr(tx, "date", None)),
                value_date=_day(getattr(tx, "user_date", None)),
                transaction_id=clean(str(getattr(tx, "id", "") or "")),
                customer_ref=check,
                bank_code=trntype,
                counterparty_name=payee,
                remittance=memo,
                additional_info=payee,
                entry_index=index,
            )
        )
    return result


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None
