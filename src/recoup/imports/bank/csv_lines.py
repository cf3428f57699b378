"""A bank's CSV export as a statement: one line per row, by a `CsvMapping`.

Amounts are read exactly (`recoup.imports.numbers`), dates with the mapping's format or
detected as the other imports detect them (refusing a file whose dates read two ways).
A row with a `fee` gives two lines: what the payer paid, and the fee taken from it (so
the payment can be matched to the invoice in full). Each problem names its row's line
and column (`file:7:3`). One statement per account the file names (the mapping's
`account`, or an `account` column).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from recoup.imports.bank import kinds
from recoup.imports.bank.csv_mapping import CsvMapping, recognised
from recoup.imports.bank.model import BankFile, LineKind, Statement, StatementLine
from recoup.imports.bank.values import BankValueError, clean, currency_digits, iban_valid
from recoup.imports.dates import read_dates
from recoup.imports.numbers import AmountError, parse_amount, to_minor
from recoup.imports.problems import Problem

_DELIMITERS = (",", ";", "\t", "|")


def decode(data: bytes, encoding: str | None) -> str:
    if encoding:
        return data.decode(encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(sample: str) -> str:
    first = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_csv(data: bytes, name: str, mapping: CsvMapping) -> BankFile:
    out = BankFile(name, "csv")
    try:
        text = decode(data, mapping.encoding)
    except (UnicodeDecodeError, LookupError) as err:
        out.problems.append(
            Problem(name, None, None, f"cannot be read as {mapping.encoding}: {err}")
        )
        return out
    raw_lines = text.splitlines()
    body = raw_lines[mapping.skip_lines :]
    if mapping.footer_lines:
        body = body[: -mapping.footer_lines] if mapping.footer_lines < len(body) else []
    sep = mapping.delimiter or _delimiter("\n".join(body[:5]))
    rows = list(csv.reader(io.StringIO("\n".join(body)), delimiter=sep))
    first_line = mapping.skip_lines + 1  # the file's line of rows[0]
    if mapping.no_header:
        width = max((len(r) for r in rows), default=0)
        header = [str(n + 1) for n in range(width)]
        records = list(enumerate(rows, start=first_line))
    else:
        if not rows:
            out.problems.append(
                Problem(name, first_line, None, "no column names: the file is empty")
            )
            return out
        header = [h.strip() for h in rows[0]]
        records = list(enumerate(rows[1:], start=first_line + 1))
    columns = dict(mapping.columns) if mapping.given else recognised(header)
    if not columns:
        out.problems.append(
            Problem(
                name,
                first_line,
                None,
                "not a statement this reads: not camt, MT940 or "
                "OFX, and as a CSV export no column is known by its name; map them: "
                "--map COLUMN=date --map COLUMN=amount, or --mapping FILE",
            )
        )
        return out
    index = _columns(columns, header, name, first_line, out.problems)
    if not out.problems and "account" not in index and not mapping.account:
        # the account is part of every line's identity: an export taken once without
        # it and once with it would give its lines twice
        out.problems.append(
            Problem(
                name,
                None,
                None,
                "which account is this? give --account IBAN "
                "(account = in a mapping file), or map a column to account",
            )
        )
    if out.problems:
        return out
    records = [(n, r) for n, r in records if any(c.strip() for c in r)]
    dates = _dates(records, index, mapping, name, out.problems)
    if out.problems:
        return out
    by_account: dict[str, Statement] = {}
    for number, (line_no, row) in enumerate(records):
        for line in _lines(row, line_no, number, index, mapping, dates, name, out.problems):
            line.raw = "\x1f".join(cell.strip() for cell in row)  # the row as written
            account = _cell(row, index, "account") or mapping.account or ""
            if not account:
                column = index["account"][0] + 1 if "account" in index else None
                out.problems.append(Problem(name, line_no, column, "no account"))
                continue
            statement = by_account.get(account)
            if statement is None:
                compact = account.replace(" ", "").upper()
                statement = Statement(
                    "csv", compact if iban_valid(compact) else account, f"{name}:{line_no}"
                )
                by_account[account] = statement
            statement.lines.append(line)
    for statement in by_account.values():
        for n, line in enumerate(statement.lines):
            line.entry_index = n
        booked = [d for line in statement.lines if (d := line.booking_date) is not None]
        statement.from_date = min(booked, default=None)
        statement.to_date = max(booked, default=None)
        out.statements.append(statement)
    return out


def _columns(
    columns: dict[str, str], header: list[str], name: str, line: int, problems: list[Problem]
) -> dict[str, list[int]]:
    """field -> the 0-based indexes of the columns that feed it."""
    index: dict[str, list[int]] = {}
    positions = {h: n for n, h in reversed(list(enumerate(header)))}
    for source, target in columns.items():
        if source not in positions:
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    f"no column {source!r} (mapped to {target}); the "
                    f"columns: {', '.join(repr(h) for h in header)}",
                )
            )
            continue
        index.setdefault(target, []).append(positions[source])
    if problems:
        return index
    if "date" not in index:
        problems.append(
            Problem(name, line, None, "no column for the date: map one with --map COLUMN=date")
        )
    if not ({"amount", "debit", "credit"} & set(index)):
        problems.append(
            Problem(
                name,
                line,
                None,
                "no column for the amount: map one with --map COLUMN=amount "
                "(or COLUMN=debit and COLUMN=credit)",
            )
        )
    return index


def _cell(row: Sequence[str], index: dict[str, list[int]], name: str) -> str | None:
    parts = [row[i].strip() for i in index.get(name, []) if i < len(row) and row[i].strip()]
    return " ".join(parts) if parts else None


def _dates(
    records: list[tuple[int, list[str]]],
    index: dict[str, list[int]],
    mapping: CsvMapping,
    name: str,
    problems: list[Problem],
) -> dict[str, date]:
    texts = [t for _, r in records for f in ("date", "value_date") if (t := _cell(r, index, f))]
    reading = read_dates(texts, mapping.date_format)
    if reading.ambiguity is not None:
        text, fmt1, fmt2, d1, d2 = reading.ambiguity
        problems.append(
            Problem(
                name,
                None,
                None,
                f"the date {text!r} reads as {d1} ({fmt1}) and as {d2} "
                f"({fmt2}): give --date-format (date_format in a mapping file)",
            )
        )
    return reading.values


def _amount(text: str, currency: str, decimal: str | None) -> int:
    parsed = parse_amount(text, decimal)
    if parsed.ambiguous_sep is not None and decimal is None:
        raise AmountError(f"{text!r} reads two ways: give --decimal (decimal in a mapping file)")
    return to_minor(parsed, currency_digits(currency))


def _lines(
    row: list[str],
    line_no: int,
    number: int,
    index: dict[str, list[int]],
    mapping: CsvMapping,
    dates: dict[str, date],
    name: str,
    problems: list[Problem],
) -> list[StatementLine]:
    def at(field: str) -> int | None:
        cols = index.get(field)
        return cols[0] + 1 if cols else None

    def problem(field: str, message: str) -> None:
        problems.append(Problem(name, line_no, at(field), message))

    before = len(problems)
    currency = (_cell(row, index, "currency") or mapping.currency or "").upper()
    if not currency:
        problem(
            "currency",
            "no currency: map a currency column, or give --currency (currency = in a mapping file)",
        )
        return []
    booked_text = _cell(row, index, "date")
    booked = dates.get(booked_text or "")
    if booked is None:
        problem("date", f"{booked_text or ''!r} is not a date" if booked_text else "no date")
    value_text = _cell(row, index, "value_date")
    value_on = dates.get(value_text or "") if value_text else None
    amount = 0
    found = False
    try:
        for field, sign in (("amount", 1), ("credit", 1), ("debit", -1)):
            text = _cell(row, index, field)
            if text is None:
                continue
            value = _amount(text, currency, mapping.decimal)
            amount += value if field == "amount" else sign * abs(value)
            found = True
    except (AmountError, BankValueError) as err:
        problem("amount", f"{err}")
        return []
    if not found:
        problem("amount", "no amount")
    mark = (_cell(row, index, "mark") or "").upper()
    if mark:
        debit_marks = {(mapping.debit_mark or "D").upper(), "DBIT", "DEBIT", "S"}
        amount = -abs(amount) if mark in debit_marks else abs(amount)
    if mapping.sign == "inverse":
        amount = -amount
    if len(problems) > before:
        return []
    fee = 0
    fee_text = _cell(row, index, "fee")
    if fee_text:
        try:
            fee = -abs(_amount(fee_text, currency, mapping.decimal))
        except (AmountError, BankValueError) as err:
            problem("fee", f"{err}")
            return []
    words = _cell(row, index, "kind")
    line = StatementLine(
        source=f"{name}:{line_no}",
        amount_minor=amount,
        currency=currency,
        kind=kinds.from_words(words, amount),
        booking_date=booked,
        value_date=value_on,
        transaction_id=_cell(row, index, "transaction_id"),
        end_to_end_id=_cell(row, index, "reference"),
        bank_code=words,
        counterparty_name=clean(_cell(row, index, "counterparty")),
        counterparty_iban=_iban(_cell(row, index, "counterparty_iban")),
        counterparty_account=_other_account(_cell(row, index, "counterparty_iban")),
        counterparty_bic=_cell(row, index, "counterparty_bic"),
        remittance=clean(_cell(row, index, "remittance")),
        entry_index=number,
    )
    if not fee:
        return [line]
    line.detail_index = 0
    charge = StatementLine(
        source=line.source,
        amount_minor=fee,
        currency=currency,
        kind=LineKind.FEE,
        booking_date=booked,
        value_date=value_on,
        transaction_id=line.transaction_id,
        bank_code=words,
        remittance=f"fee on {line.remittance}" if line.remittance else "fee",
        entry_index=number,
        detail_index=1,
    )
    return [line, charge]


def _iban(text: str | None) -> str | None:
    compact = (text or "").replace(" ", "").upper()
    return compact if compact and iban_valid(compact) else None


def _other_account(text: str | None) -> str | None:
    return None if text is None or _iban(text) else text
