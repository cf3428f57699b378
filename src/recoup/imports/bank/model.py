"""What a bank statement says, as read from any format: statements and their lines.

Money is exact: `amount_minor` is an integer count of the currency's minor units,
signed (money in is positive, money out negative). Nothing here knows the format it
came from beyond `format` and `source` (where in the file the line was read), so the
import service and the matching treat every bank alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from recoup.imports.problems import Problem


class LineKind(StrEnum):
    """What a line is for the receivables. Only `credit` may be a customer's payment."""

    CREDIT = "credit"  # money in: a transfer, a direct debit collected, a deposit
    DEBIT = "debit"  # money out: a transfer, a card payment, a direct debit paid
    FEE = "fee"  # the bank's charges, commissions, fees (either sign)
    INTEREST = "interest"  # interest credited or charged
    RETURN = "return"  # a reversal or a returned payment (either sign)


class Status(StrEnum):
    BOOKED = "booked"
    PENDING = "pending"  # intraday (camt.052 PDNG): may still change
    INFO = "info"  # for information only (camt INFO, a notification of what will come)


@dataclass(slots=True)
class StatementLine:
    """One movement on the account. A camt entry booked as a batch with a detail per
    payment (each with its own amount) gives one line per detail."""

    source: str  # where it was read: "file:12" or "file:/Document/.../Ntry[3]"
    amount_minor: int  # signed: + money in, - money out
    currency: str
    kind: LineKind
    status: Status = Status.BOOKED
    booking_date: date | None = None
    value_date: date | None = None
    # the bank's own identifiers
    entry_ref: str | None = None  # camt NtryRef
    servicer_ref: str | None = None  # camt AcctSvcrRef; MT940 :61: bank reference (//...)
    end_to_end_id: str | None = None
    uetr: str | None = None
    transaction_id: str | None = None  # camt TxId; OFX FITID; a CSV's transaction id column
    instruction_id: str | None = None
    mandate_id: str | None = None
    customer_ref: str | None = None  # MT940 :61: customer reference; OFX CHECKNUM/REFNUM
    bank_code: str | None = None  # ISO BTC "PMNT-RCDT-ESCT"; MT940 "NTRF"; OFX TRNTYPE
    bank_code_proprietary: str | None = None  # camt BkTxCd/Prtry/Cd; MT940 :86: GV code
    return_reason: str | None = None  # camt RtrInf/Rsn/Cd
    # who paid (money in) or was paid (money out), and on whose behalf
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_account: str | None = None  # an account number that is no IBAN
    counterparty_bic: str | None = None
    ultimate_debtor: str | None = None
    ultimate_creditor: str | None = None
    # what the payer wrote
    remittance: str | None = None  # unstructured (camt Ustrd, MT940 :86:, OFX MEMO)
    creditor_ref: str | None = None  # structured creditor reference (camt CdtrRefInf/Ref)
    creditor_ref_type: str | None = None  # "RF" (a valid ISO 11649), "SCOR", "QRR", ...
    structured: str | None = None  # other structured remittance (AddtlRmtInf, more refs)
    additional_info: str | None = None  # camt AddtlNtryInf / AddtlTxInf; OFX NAME
    # a camt entry's position: its entry (0-based in the statement) and detail
    entry_index: int = 0
    detail_index: int | None = None
    # the line as the bank wrote it (the :61: and :86: of MT940, an OFX <STMTTRN>, a
    # camt entry's details, a CSV row): what a line without a bank reference is known by
    raw: str | None = None


@dataclass(slots=True)
class Balance:
    kind: str  # "opening", "closing", "opening_available", "closing_available", ...
    amount_minor: int
    currency: str
    on: date | None


@dataclass(slots=True)
class Statement:
    """One statement (camt Stmt/Rpt/Ntfctn, an MT940 :20: block, an OFX STMTRS, a CSV
    file) of one account."""

    format: str  # "camt.053.001.02", "mt940", "mt942", "ofx", "csv"
    account: str  # the IBAN, else the account number as the bank gives it
    source: str
    statement_id: str | None = None  # camt Stmt/Id; MT940 :20: and :28C:
    account_currency: str | None = None
    account_bic: str | None = None
    account_name: str | None = None
    created: datetime | None = None
    from_date: date | None = None
    to_date: date | None = None
    sequence: str | None = None  # camt ElctrncSeqNb / LglSeqNb; MT940 :28C:
    balances: list[Balance] = field(default_factory=list)
    lines: list[StatementLine] = field(default_factory=list)

    def balance(self, kind: str) -> Balance | None:
        return next((b for b in self.balances if b.kind == kind), None)


@dataclass(slots=True)
class BankFile:
    """A file read: its statements, or the problems that refuse it."""

    name: str
    format: str | None  # the detected format, or None when nothing fits
    statements: list[Statement] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def lines(self) -> list[StatementLine]:
        return [line for st in self.statements for line in st.lines]
