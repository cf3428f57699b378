"""SWIFT MT940 statements (and MT942 interim reports), read with the `mt-940` library.

The file is cut into its statements at each `:20:` that starts a line (as the library
does in `parse_statements`), so that each statement keeps its own account and balances
and each problem its line: a tag the library cannot read is named by the line it starts
on. The library's opt-in fixes are all on (`Options.all()`: a reversal of a credit is
money out, the `?31` IBAN of a structured `:86:` is the payer's, no detail cut short).

Amounts come from the library as Decimals and are signed by the `:61:` mark here:
C and RD (the reversal of a debit) are money in, D and RC money out. A statement must
say its currency (in its balances or its `:25:`): a line without one is refused.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Any

from recoup.domain.currencies import MINOR_UNITS
from recoup.imports.bank import kinds
from recoup.imports.bank.model import Balance, BankFile, LineKind, Statement, StatementLine
from recoup.imports.bank.swift_details import SlashDetails, read_slash_details
from recoup.imports.bank.values import (
    BankValueError,
    clean,
    iban_valid,
    iso11649_valid,
    minor_units,
)
from recoup.imports.problems import Problem

_STATEMENT_START = re.compile(r"(?m)^(?=:20:)")
_TAG = re.compile(r"(?m)^:(\d\d[A-Z]?):")
_BALANCES = {
    "final_opening_balance": "opening",
    "opening_balance": "opening",
    "final_closing_balance": "closing",
    "closing_balance": "closing",
    "intermediate_opening_balance": "interim_opening",
    "intermediate_closing_balance": "interim",
    "available_balance": "closing_available",
    "forward_available_balance": "forward_available",
}

# the library logs every tag it cannot read at ERROR, with its pattern: the problem
# says it once, in the file's terms
logging.getLogger("mt940").setLevel(logging.CRITICAL)


def looks_like_mt940(text: str) -> bool:
    """Whether `text` holds SWIFT MT940/MT942 tags: it starts with one (a SWIFT envelope
    `{1:...}{4:` or a bank's `:940:` line may come first), or has a `:20:` and other
    tags at the start of their lines. A fragment (tags but no `:20:`) is MT940 too, and
    refused as one."""
    tags = set(_TAG.findall(text[:200_000]))
    start = text.lstrip("\ufeff \t\r\n")
    known = {"20", "25", "28C", "60F", "60M", "61", "62F", "62M", "64", "86"}
    if start.startswith(("{1:", ":940")) or _TAG.match(start):
        return bool(tags & known)
    return "20" in tags and bool(tags & (known - {"20"}))


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a byte-order mark dropped), else Latin-1 as many banks
    still write it; lines end in \\n."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# tags whose value is one line: a line after one that starts no tag continues it (some
# banks, ING among them, wrap a long line anywhere, even inside a number)
_ONE_LINE = frozenset({"20", "25", "28C", "60F", "60M", "62F", "62M", "64", "65"})


def unwrap(text: str) -> str:
    """`text` with the wrapped values of one-line tags joined again; line count kept
    (a joined line leaves an empty one after its tag's value), so line numbers hold."""
    lines = text.split("\n")
    out: list[str] = []
    joining = False
    for raw in lines:
        found = _TAG.match(raw)
        if found is not None:
            joining = found.group(1) in _ONE_LINE
            out.append(raw)
        elif joining and raw.strip() and not raw.startswith(("-", "{", "}")):
            out[-1] = out[-1] + raw.strip()
            out.append("")
        else:
            joining = False
            out.append(raw)
    return "\n".join(out)


def _lenient_tags() -> dict[Any, Any]:
    """The library's :61: with the lengths real banks write: a customer reference of up
    to 34 characters (an IBAN there, as SNS and ASN write it) and supplementary details
    over more than one line."""
    import mt940

    class Statement(mt940.tags.Statement):  # the name keeps the library's processors  # type: ignore[misc]
        pattern = mt940.tags.Statement.pattern.replace(
            "((?!//)[^\\n]){0,16}", "((?!//)[^\\n]){0,34}"
        ).replace("(\\n?(?P<extra_details>.*))?", "(\\n?(?P<extra_details>[\\s\\S]*))?")

    return {Statement.id: Statement()}


def read_mt940(data: bytes, name: str) -> BankFile:
    import mt940

    text = unwrap(decode(data))
    out = BankFile(name, "mt940")
    options = mt940.Options.all()
    starts = [m.start() for m in _STATEMENT_START.finditer(text)]
    if not starts:
        out.problems.append(
            Problem(
                name,
                1,
                None,
                "no :20: starts a statement: a part of an MT940 file, not a statement",
            )
        )
        return out
    first_line = text.count("\n", 0, starts[0]) + 1
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        block = text[start:end]
        if n:
            first_line += text.count("\n", starts[n - 1], start)
        transactions = mt940.models.Transactions(tags=_lenient_tags(), options=options)
        try:
            transactions.parse(block)
        except (RuntimeError, ValueError, ArithmeticError) as err:
            out.problems.append(_tag_problem(err, block, first_line, name))
            continue
        statement = _statement(transactions, block, first_line, name, out.problems)
        if statement is not None:
            out.statements.append(statement)
    if any(st.format == "mt942" for st in out.statements):
        out.format = "mt942"
    return out


def _tag_problem(err: Exception, block: str, first_line: int, name: str) -> Problem:
    """Where a tag the library could not read starts, and what it holds."""
    args = err.args
    tag = args[1] if len(args) > 2 else None
    value = args[2] if len(args) > 2 and isinstance(args[2], str) else None
    tag_id = str(getattr(tag, "id", "") or "")
    line = first_line
    if value is not None:
        at = block.find(value)
        if at >= 0:
            line = first_line + block.count("\n", 0, at)
    shown = (value or "").replace("\n", "\\n")
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if not tag_id:
        return Problem(name, line, None, f"cannot be read as MT940: {err}")
    return Problem(name, line, None, f":{tag_id}: cannot be read as MT940: {shown!r}")


def _statement(
    transactions: Any, block: str, first_line: int, name: str, problems: list[Problem]
) -> Statement | None:
    data = transactions.data
    raw_account = str(data.get("account_identification") or "").strip()
    account, account_currency = _account(raw_account)
    if not account:
        problems.append(Problem(name, first_line, None, "no account (:25:)"))
        return None
    is_942 = "d_floor_limit" in data or "c_floor_limit" in data or "floor_limit" in data
    statement = Statement(
        "mt942" if is_942 else "mt940",
        account,
        f"{name}:{first_line}",
        statement_id=_text(data.get("transaction_reference")),
        account_currency=account_currency,
    )
    number = _text(data.get("statement_number"))
    if number:
        sequence = _text(data.get("sequence_number"))
        statement.sequence = f"{number}/{sequence}" if sequence else number
    currency = account_currency
    for key, kind in _BALANCES.items():
        balance = data.get(key)
        if balance is None or statement.balance(kind) is not None:
            continue
        amount: Any = getattr(balance, "amount", None)
        code = getattr(amount, "currency", None)
        currency = currency or code
        try:
            value = minor_units(Decimal(amount.amount), code)
        except (BankValueError, AttributeError, TypeError):
            continue
        on = getattr(balance, "date", None)
        statement.balances.append(Balance(kind, value, str(code).upper(), _day(on)))
        if kind == "opening" and on is not None:
            statement.from_date = _day(on)
        if kind == "closing" and on is not None:
            statement.to_date = _day(on)
    statement.account_currency = statement.account_currency or currency
    # the line each :61: starts on, counted once through the block, and its text as
    # written: the :61: and what follows it up to the next statement line or balance
    starts: list[int] = []
    texts: list[str] = []
    lines_before, last = 0, 0
    tags = list(_TAG.finditer(block))
    for n, found in enumerate(tags):
        if found.group(1) != "61":
            continue
        lines_before += block.count("\n", last, found.start())
        last = found.start()
        starts.append(first_line + lines_before)
        end = next((t.start() for t in tags[n + 1 :] if t.group(1) not in ("86", "NS")), len(block))
        texts.append(block[found.start() : end])
    for index, tx in enumerate(transactions):
        line_no = starts[index] if index < len(starts) else first_line
        line = _line(tx.data, index, f"{name}:{line_no}", statement.account_currency, problems)
        if line is not None:
            line.raw = texts[index] if len(texts) == len(transactions) else None
            statement.lines.append(line)
    return statement


def _account(raw: str) -> tuple[str, str | None]:
    """(the account, its currency when the `:25:` names one): an IBAN as the IBAN (also
    when the currency is written after it, with or without a space), any other
    identification as written ("50880050/0194791600888")."""
    parts = raw.split()
    currency = None
    if len(parts) == 2 and re.fullmatch(r"[A-Z]{3}", parts[1]):
        raw, currency = parts[0], parts[1]
    compact = raw.replace(" ", "").upper()
    if iban_valid(compact):
        return compact, currency
    # an IBAN's shape with a currency after it (its check digits may be a sample's)
    found = re.fullmatch(r"([A-Z]{2}\d{2}[0-9A-Z]{10,30}?)([A-Z]{3})", compact)
    if currency is None and found and found.group(2) in MINOR_UNITS:
        return found.group(1), found.group(2)
    return raw.strip(), currency


def _line(
    tx: dict[str, Any], index: int, source: str, currency: str | None, problems: list[Problem]
) -> StatementLine | None:
    amount: Any = tx.get("amount")
    mark = str(tx.get("status") or "").upper()
    code = getattr(amount, "currency", None) or tx.get("currency") or currency
    file, _, line_no = source.rpartition(":")
    try:
        value = minor_units(abs(Decimal(amount.amount)), code)
    except BankValueError as err:
        problems.append(Problem(file, int(line_no), None, f":61: {err}"))
        return None
    except (AttributeError, TypeError):
        problems.append(Problem(file, int(line_no), None, ":61: has no amount"))
        return None
    signed = -value if mark in ("D", "RC") else value
    bank_code = _text(tx.get("id"))
    details = _text(tx.get("transaction_details"))
    purpose = _text(tx.get("purpose"))
    slash = read_slash_details(details) or SlashDetails()
    extra = _text(tx.get("extra_details"))
    # Rabobank writes the other party's account on the :61:'s second line
    extra_account = (
        extra if extra and re.fullmatch(r"[A-Z]{2}\d{2}[0-9A-Z]{10,30}", extra) else None
    )
    kind = kinds.from_swift_code(bank_code, signed, mark)
    if slash.return_reason is not None:
        kind = LineKind.RETURN
    creditor_ref = slash.creditor_ref
    accounts = [
        _text(tx.get("applicant_iban")),
        _text(tx.get("gvc_applicant_iban")),
        slash.counterparty_iban,
        extra_account,
    ]
    their_iban = next((a for a in map(_iban, accounts) if a), None)
    # an account the bank wrote that is no valid IBAN (a sample's, an old number)
    their_account = None if their_iban else next((a for a in accounts if a), None)
    return StatementLine(
        source=source,
        amount_minor=signed,
        currency=str(code).upper(),
        kind=kind,
        booking_date=_day(tx.get("entry_date") or tx.get("guessed_entry_date") or tx.get("date")),
        value_date=_day(tx.get("date")),
        servicer_ref=_text(tx.get("bank_reference")),
        end_to_end_id=_text(tx.get("end_to_end_reference")) or slash.end_to_end_id,
        mandate_id=_text(tx.get("additional_position_reference")) or slash.mandate_id,
        customer_ref=_text(tx.get("customer_reference")),
        bank_code=bank_code,
        bank_code_proprietary=_text(tx.get("transaction_code")),
        return_reason=slash.return_reason,
        counterparty_name=clean(_text(tx.get("applicant_name"))) or slash.counterparty_name,
        counterparty_iban=their_iban,
        counterparty_account=their_account,
        counterparty_bic=_text(tx.get("applicant_bin"))
        or _text(tx.get("gvc_applicant_bin"))
        or slash.counterparty_bic,
        ultimate_debtor=clean(_text(tx.get("deviate_applicant"))) or slash.ultimate_debtor,
        ultimate_creditor=clean(_text(tx.get("deviate_recipient"))) or slash.ultimate_creditor,
        remittance=clean(purpose) if purpose else (slash.remittance or clean(details)),
        creditor_ref=creditor_ref,
        creditor_ref_type=(
            "RF" if creditor_ref and iso11649_valid(creditor_ref) else slash.creditor_ref_type
        ),
        structured=details if (purpose or slash.remittance or creditor_ref) else None,
        additional_info=clean(" ".join(x for x in (_text(tx.get("posting_text")), extra) if x)),
        entry_index=index,
    )


def _iban(value: object) -> str | None:
    text = _text(value)
    if text is None:
        return None
    compact = text.replace(" ", "").upper()
    return compact if iban_valid(compact) else None


def _text(value: object) -> str | None:
    """The value as text; None when empty or when it says there is none (NONREF)."""
    if value is None:
        return None
    text = str(value).strip()
    return None if not text or text.upper() == "NONREF" else text


def _day(value: Any) -> Any:
    """A library Date as a plain date (None stays None)."""
    if value is None:
        return None
    import datetime as dt

    return dt.date(value.year, value.month, value.day)
