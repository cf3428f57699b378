"""`recoup bank import FILE`: a bank statement into the book, all of it or nothing.

The file is read by content (`recoup.imports.bank.read`); any problem refuses it and
the book is left as it was. Otherwise, in one write transaction: each statement is
found again by its identity or added, each line whose identity the book already holds
is a duplicate (an overlapping or a repeated statement gives nothing twice), and the
new lines are stored, then handed to the matching (`match_lines`, the one seam) in the
same transaction, so a statement's payments and their matches land together. A line
the book holds as pending (an intraday camt.052) that a statement now gives as booked
is marked booked, with its booking date, and matched then (a pending line never is): it
counts with the new lines, not the duplicates. Nothing else of a line already taken
changes.

The figures (`BankImportReport.to_json`): `lines` read from the file = `applied` +
`suggested` + `unmatched` + `duplicates`. A new line that is no customer payment (a
debit, a fee, a return, interest) is stored in the state 'other' and counted as
unmatched; `not_payments` says how many of them there were.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from recoup.clock import local_today, now
from recoup.domain.money import format_minor
from recoup.imports.bank import balances
from recoup.imports.bank.csv_mapping import CsvMapping, check, load, parse_maps, save
from recoup.imports.bank.identity import line_identities, statement_identity
from recoup.imports.bank.model import LineKind, Statement, StatementLine, Status
from recoup.imports.bank.read import read_bank_file
from recoup.imports.problems import InputError, Problem
from recoup.services.book import Book, Rollback
from recoup.services.collector import paused_collector
from recoup.store import bank_repo

UNMATCHED = "unmatched"  # a credit waiting for the matching
OTHER = "other"  # not a customer payment, by its kind


@dataclass
class Matched:
    """What the matching did with the new lines."""

    applied: set[int] = field(default_factory=set)  # line ids
    suggested: set[int] = field(default_factory=set)


def match_lines(conn: Connection, line_ids: list[int], *, as_of: date, actor: str) -> Matched:
    """The matching's seam: called with the ids of the lines just stored (in file
    order, every kind: the matching looks at those in the state 'unmatched'), inside
    the import's transaction: `bank_matching.match_new_lines` applies the confident
    matches and keeps the others' candidates for the review queue."""
    from recoup.services.bank_matching import match_new_lines  # the matcher, when needed

    applied, suggested = match_new_lines(conn, line_ids, as_of=as_of, actor=actor)
    return Matched(applied, suggested)


@dataclass
class BankImportReport:
    file: str
    format: str | None = None
    lines: int = 0
    applied: int = 0
    suggested: int = 0
    unmatched: int = 0
    duplicates: int = 0
    not_payments: int = 0
    statements: int = 0  # statements new to the book
    problems: list[Problem] = field(default_factory=list)
    line_ids: list[int] = field(default_factory=list)  # the lines stored now
    booked_ids: list[int] = field(default_factory=list)  # lines known pending, now booked
    # what was taken but should be looked at: a statement whose lines do not add up
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "applied": self.applied,
            "suggested": self.suggested,
            "unmatched": self.unmatched,
            "duplicates": self.duplicates,
            # as the other imports print theirs: `file:line:column: message`, a camt
            # element by its path (`file:/Document/.../Ntry[3]/Amt: message`)
            "problems": [str(p) for p in self.problems],
            # beyond the contract's keys: the file was taken, but not all is well
            "warnings": list(self.warnings),
        }


class BankOptionsError(ValueError):
    """A mapping that cannot be used; `problems` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def csv_mapping(
    maps: list[str], mapping_file: Path | None, save_to: Path | None = None, **settings: Any
) -> CsvMapping:
    """The mapping for a CSV export: `--map` options and `settings` over a saved
    mapping file's; saved to `save_to` when given. BankOptionsError when unusable."""
    try:
        base = load(mapping_file) if mapping_file else CsvMapping()
        given = CsvMapping(columns=parse_maps(maps), **{k: v for k, v in settings.items() if v})
    except InputError as err:
        raise BankOptionsError(err.problems) from None
    merged = given.over(base)
    problems = check(merged, "--map")
    if problems:
        raise BankOptionsError(problems)
    if save_to is not None:
        save(save_to, merged)
    return merged


def import_statement(
    book: Book,
    path: Path,
    mapping: CsvMapping | None = None,
    *,
    actor: str = "import",
    dry_run: bool = False,
) -> BankImportReport:
    """Read `path` and take its new lines into the book (nothing when refused)."""
    report = BankImportReport(str(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        report.problems.append(Problem(str(path), None, None, "no such file"))
        return report
    except IsADirectoryError:
        report.problems.append(Problem(str(path), None, None, "is a folder, not a file"))
        return report
    except OSError as err:
        report.problems.append(Problem(str(path), None, None, f"cannot be read: {err.strerror}"))
        return report
    return import_bytes(book, data, path.name, mapping, actor=actor, dry_run=dry_run)


def import_bytes(
    book: Book,
    data: bytes,
    name: str,
    mapping: CsvMapping | None = None,
    *,
    actor: str = "import",
    dry_run: bool = False,
) -> BankImportReport:
    """`data` (a file called `name`) into the book: the web's upload and the CLI alike.
    The cycle collector waits meanwhile (`collector`): the matching's view of a large
    book is millions of objects that live until the import ends."""
    with paused_collector():
        return _import_bytes(book, data, name, mapping, actor=actor, dry_run=dry_run)


def _import_bytes(
    book: Book,
    data: bytes,
    name: str,
    mapping: CsvMapping | None,
    *,
    actor: str,
    dry_run: bool,
) -> BankImportReport:
    report = BankImportReport(name)
    read = read_bank_file(data, name, mapping)
    report.format = read.format
    report.lines = len(read.lines)
    if read.problems:
        report.problems = read.problems
        return report
    if not read.statements:
        report.problems.append(Problem(name, None, None, "no statement in this file"))
        return report
    sha = hashlib.sha256(data).hexdigest()
    at, today = now(), local_today()
    for attempt in (1, 2):
        counted = BankImportReport(name, read.format, len(read.lines))
        try:
            with book.write() as conn:
                for statement in read.statements:
                    _store(conn, statement, name, sha, at, actor, counted)
                fresh = counted.line_ids + counted.booked_ids
                matched = match_lines(conn, fresh, as_of=today, actor=actor)
                counted.applied = len(matched.applied)
                counted.suggested = len(matched.suggested)
                counted.unmatched = len(fresh) - counted.applied - counted.suggested
                if dry_run:
                    raise Rollback
        except Rollback:
            pass
        except IntegrityError:
            # the same lines taken at the same moment by another import (PostgreSQL
            # lets both read before either writes): once more, they are duplicates now
            if attempt == 2:
                raise
            continue
        return counted
    return report


def _store(
    conn: Connection,
    statement: Statement,
    name: str,
    sha: str,
    at: datetime,
    actor: str,
    report: BankImportReport,
) -> None:
    identities = line_identities(statement)
    known = bank_repo.known_lines(conn, identities)
    new: list[tuple[str, StatementLine]] = []
    taken: set[str] = set()
    booked_now: dict[str, date | None] = {}
    for identity, line in zip(identities, statement.lines, strict=True):
        if identity in known or identity in taken:
            if known.get(identity, "booked") != "booked" and line.status is Status.BOOKED:
                booked_now[identity] = line.booking_date  # counted as it is matched
            else:
                report.duplicates += 1
            continue
        taken.add(identity)
        new.append((identity, line))
    # a line first seen pending (an intraday camt.052) and now booked: booked it is, and
    # matched now (a pending line is never applied: it may still change)
    report.booked_ids.extend(bank_repo.mark_booked(conn, booked_now))
    key = statement_identity(statement, sha)
    statement_id = bank_repo.statement_id(conn, key)
    if statement_id is None:
        row = _statement_row(statement, key, name, sha, at, actor)
        found = balances.gap(statement)
        row["gap_minor"] = found.minor if found is not None else None
        statement_id = bank_repo.add_statement(conn, row)
        report.statements += 1
        if found is not None:
            report.warnings.append(_gap_words(name, statement, found))
    rows = [
        _line_row(line, identity, statement_id, statement.account, at) for identity, line in new
    ]
    report.not_payments += sum(1 for r in rows if r["state"] == OTHER)
    report.line_ids.extend(bank_repo.add_lines(conn, rows))


def _gap_words(name: str, statement: Statement, found: balances.Gap) -> str:
    """The gap as the import says it."""
    cur = found.currency
    which = f"statement {statement.statement_id}" if statement.statement_id else "the statement"
    return (
        f"{name}: {which} of {statement.account}: its booked lines come to "
        f"{format_minor(found.lines_minor, cur)} {cur}, but its balances move by "
        f"{format_minor(found.closing_minor - found.opening_minor, cur)} {cur} "
        f"(opening {format_minor(found.opening_minor, cur)} {cur}, closing "
        f"{format_minor(found.closing_minor, cur)} {cur}): {format_minor(found.minor, cur)} {cur} "
        "is not in this file. Its lines were taken; look for the missing ones."
    )


def _statement_row(
    statement: Statement, key: str, name: str, sha: str, at: datetime, actor: str
) -> dict[str, Any]:
    opening, closing = statement.balance("opening"), statement.balance("closing")
    either = closing or opening
    return {
        "identity": key,
        "format": statement.format,
        "account": statement.account,
        "statement_ref": statement.statement_id,
        "sequence": statement.sequence,
        "account_currency": statement.account_currency,
        "created": statement.created,
        "from_date": statement.from_date,
        "to_date": statement.to_date,
        "opening_minor": opening.amount_minor if opening else None,
        "closing_minor": closing.amount_minor if closing else None,
        "balance_currency": either.currency if either else None,
        "file_name": name,
        "file_sha256": sha,
        "imported_at": at,
        "imported_by": actor,
    }


_LINE_FIELDS = (
    "source",
    "entry_index",
    "detail_index",
    "amount_minor",
    "currency",
    "booking_date",
    "value_date",
    "entry_ref",
    "servicer_ref",
    "end_to_end_id",
    "uetr",
    "transaction_id",
    "instruction_id",
    "mandate_id",
    "customer_ref",
    "bank_code",
    "bank_code_proprietary",
    "return_reason",
    "counterparty_name",
    "counterparty_iban",
    "counterparty_account",
    "counterparty_bic",
    "ultimate_debtor",
    "ultimate_creditor",
    "remittance",
    "creditor_ref",
    "creditor_ref_type",
    "structured",
    "additional_info",
)


def _line_row(
    line: StatementLine, identity: str, statement_id: int, account: str, at: datetime
) -> dict[str, Any]:
    row: dict[str, Any] = {f: getattr(line, f) for f in _LINE_FIELDS}
    row.update(
        identity=identity,
        statement_id=statement_id,
        account=account,
        kind=line.kind.value,
        status=line.status.value,
        state=UNMATCHED if line.kind is LineKind.CREDIT else OTHER,
        imported_at=at,
        state_at=at,
    )
    return row
