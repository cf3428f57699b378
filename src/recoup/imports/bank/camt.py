"""ISO 20022 camt.053 (statements), camt.052 (intraday reports) and camt.054
(notifications), message versions 001.01 to 001.08, read with lxml.

The ISO schemas (XSDs) are not used: no package we may depend on ships them without
pinning half of our other dependencies, and none may be fetched from the web. The
reader checks the structure it relies on instead, element by element, and names each
problem by the element's path (`camt.053.xml:/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/
Amt: ...`): the message and its version, a statement element, the account, every
entry's amount with its currency, its credit/debit mark, its status and its dates.

An entry is one line; a batch entry whose transaction details each carry an amount in
the entry's currency, adding up to the entry's, is one line per detail (each payment
of the batch is matched on its own).
"""

from __future__ import annotations

import re

from lxml import etree

from recoup.imports.bank import kinds
from recoup.imports.bank.camt_details import Details, bank_code, read_details
from recoup.imports.bank.model import Balance, BankFile, Statement, StatementLine, Status
from recoup.imports.bank.values import BankValueError, clean, minor_units
from recoup.imports.bank.xml_node import Node, local, parse_datetime, parser
from recoup.imports.problems import Problem

NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(05[234])\.001\.(\d\d)")
MESSAGES = {
    "052": ("BkToCstmrAcctRpt", "Rpt"),
    "053": ("BkToCstmrStmt", "Stmt"),
    "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
}
VERSIONS = range(1, 9)  # 001.01 to 001.08
_STATUS = {"BOOK": Status.BOOKED, "PDNG": Status.PENDING}
_BALANCES = {
    "OPBD": "opening",
    "CLBD": "closing",
    "OPAV": "opening_available",
    "CLAV": "closing_available",
    "FWAV": "forward_available",
    "PRCD": "previously_closed",
    "ITBD": "interim",
    "ITAV": "interim_available",
    "CLBK": "closing_booked",
    "INFO": "information",
    "XPCD": "expected",
}


def read_camt(data: bytes, name: str) -> BankFile:
    out = BankFile(name, None)
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as err:
        line, column = err.position if err.position else (None, None)
        out.problems.append(Problem(name, line, column, f"not well-formed XML: {err.msg}"))
        return out
    if root.getroottree().docinfo.doctype:
        # no camt message has one; it is where entity tricks hide (none is expanded)
        out.problems.append(Problem(name, 1, None, "a DOCTYPE: a camt file has none, refused"))
        return out
    doc = Node(root, "/" + local(root.tag), name)
    found = NAMESPACE.fullmatch(etree.QName(root).namespace or "")
    if local(root.tag) != "Document" or found is None:
        out.problems.append(doc.problem("not an ISO 20022 camt.052, camt.053 or camt.054 document"))
        return out
    message, version = found.group(1), int(found.group(2))
    out.format = f"camt.{message}.001.{version:02d}"
    if version not in VERSIONS:
        out.problems.append(
            doc.problem(
                f"{out.format} is a version this reader does not know "
                "(camt.05x.001.01 to .08 are read)"
            )
        )
        return out
    outer, inner = MESSAGES[message]
    # version 01 names its message with a suffix (BkToCstmrStmtV01)
    body = doc.child(outer) or doc.child(f"{outer}V{version:02d}")
    if body is None:
        out.problems.append(doc.problem(f"no {outer}: a camt.{message} message has one", outer))
        return out
    parts = list(body.children(inner))
    if not parts:
        out.problems.append(
            body.problem(f"no {inner}: the message holds no statement, so nothing to read", inner)
        )
    for part in parts:
        statement = _statement(part, out.format, out.problems)
        if statement is not None:
            out.statements.append(statement)
    return out


def _statement(node: Node, fmt: str, problems: list[Problem]) -> Statement | None:
    acct = node.child("Acct")
    account = None
    if acct is not None:
        # version 01 also writes BBAN, UPIC and PrtryAcct/Id
        account = (
            acct.text("Id", "IBAN")
            or acct.text("Id", "Othr", "Id")
            or acct.text("Id", "PrtryAcct", "Id")
            or acct.text("Id", "BBAN")
            or acct.text("Id", "UPIC")
        )
    if account is None:
        problems.append(node.problem("no account (Acct/Id/IBAN or Acct/Id/Othr/Id)", "Acct"))
        return None
    statement = Statement(fmt, account.replace(" ", ""), f"{node.file}:{node.path}")
    statement.statement_id = node.text("Id")
    if statement.statement_id is None:
        problems.append(node.problem("no statement Id", "Id"))
    assert acct is not None
    statement.account_currency = acct.text("Ccy")
    statement.account_name = clean(acct.text("Nm"))
    statement.account_bic = acct.text("Svcr", "FinInstnId", "BICFI") or acct.text(
        "Svcr", "FinInstnId", "BIC"
    )
    statement.sequence = node.text("ElctrncSeqNb") or node.text("LglSeqNb")
    try:
        statement.created = parse_datetime(node.text("CreDtTm"))
        period = node.child("FrToDt")
        if period is not None:
            start, end = (
                parse_datetime(period.text("FrDtTm")),
                parse_datetime(period.text("ToDtTm")),
            )
            statement.from_date = start.date() if start else None
            statement.to_date = end.date() if end else None
    except ValueError as err:
        problems.append(node.problem(f"a date or time that cannot be read: {err}"))
    for bal in node.children("Bal"):
        balance = _balance(bal, problems)
        if balance is not None:
            statement.balances.append(balance)
    for index, ntry in enumerate(node.children("Ntry")):
        statement.lines.extend(_entry(ntry, index, problems))
    return statement


def _balance(node: Node, problems: list[Problem]) -> Balance | None:
    code = node.text("Tp", "CdOrPrtry", "Cd") or node.text("Tp", "CdOrPrtry", "Prtry")
    amount = _amount(node, problems)
    if amount is None:
        return None
    value, currency = amount
    if node.text("CdtDbtInd") == "DBIT":
        value = -value
    try:
        on = node.date("Dt")
    except ValueError as err:
        problems.append(node.problem(f"not a date: {err}", "Dt"))
        return None
    return Balance(_BALANCES.get(code or "", (code or "unknown").lower()), value, currency, on)


def _amount(node: Node, problems: list[Problem]) -> tuple[int, str] | None:
    amt = node.child("Amt")
    if amt is None:
        problems.append(node.problem("no amount", "Amt"))
        return None
    currency = amt.attr("Ccy")
    try:
        return minor_units(amt.el.text or "", currency), (currency or "").upper()
    except BankValueError as err:
        problems.append(amt.problem(str(err)))
        return None


def _entry(ntry: Node, index: int, problems: list[Problem]) -> list[StatementLine]:
    before = len(problems)
    amount = _amount(ntry, problems)
    mark = ntry.text("CdtDbtInd")
    if mark not in ("CRDT", "DBIT"):
        problems.append(
            ntry.problem(f"credit/debit mark {mark!r} is neither CRDT nor DBIT", "CdtDbtInd")
        )
    status_text = ntry.text("Sts") or ntry.text("Sts", "Cd") or ntry.text("Sts", "Prtry")
    if status_text is None:
        problems.append(ntry.problem("no status (BOOK, PDNG, INFO)", "Sts"))
    try:
        booked_on, value_on = ntry.date("BookgDt"), ntry.date("ValDt")
    except ValueError as err:
        problems.append(ntry.problem(f"a date that cannot be read: {err}"))
        booked_on = value_on = None
    if len(problems) > before or amount is None:
        return []
    value, currency = amount
    credit = mark == "CRDT"
    signed = value if credit else -value
    reversal = (ntry.text("RvslInd") or "").lower() in ("true", "1")
    code, proprietary = bank_code(ntry.child("BkTxCd"))
    txs = [tx for nd in ntry.children("NtryDtls") for tx in nd.children("TxDtls")]
    money_in = credit != reversal
    base = StatementLine(
        source=f"{ntry.file}:{ntry.path}",
        amount_minor=signed,
        currency=currency,
        kind=kinds.by_sign(signed, credit),
        status=_STATUS.get(status_text or "", Status.INFO),
        booking_date=booked_on,
        value_date=value_on,
        entry_ref=ntry.text("NtryRef"),
        servicer_ref=ntry.text("AcctSvcrRef"),
        bank_code=code,
        bank_code_proprietary=proprietary,
        additional_info=clean(ntry.text("AddtlNtryInf")),
        entry_index=index,
    )
    amounts = _split(txs, currency, signed, credit)
    if amounts is None:
        details = [read_details(tx, money_in) for tx in txs] or [Details()]
        line = _line(base, _merged(details), None, signed, reversal, credit)
        line.raw = _written(ntry.el)
        return [line]
    lines = []
    for n, tx in enumerate(txs):
        line = _line(base, read_details(tx, money_in), n, amounts[n], reversal, credit)
        line.raw = _written(tx.el)
        lines.append(line)
    return lines


# what may change between an intraday report and the statement that books the entry
_NOT_WRITTEN = frozenset({"Sts", "BookgDt"})


def _written(el: etree._Element) -> str:
    """An entry's (or a detail's) content as the bank wrote it, element by element,
    but its status and booking date: what a line without a bank reference is known by."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            name = local(child.tag)
            if not name or name in _NOT_WRITTEN:
                continue
            text = (child.text or "").strip()
            parts.append(f"{name}={text}" if text else name)
            walk(child)

    walk(el)
    return " ".join(parts)


def _split(txs: list[Node], currency: str, signed: int, credit: bool) -> list[int] | None:
    """Each detail's signed amount when the entry is a batch of details that each carry
    one, in the entry's currency, adding up to the entry; else None (one line)."""
    if len(txs) < 2:
        return None
    amounts: list[int] = []
    for tx in txs:
        amt = tx.find("AmtDtls", "TxAmt", "Amt") or tx.child("Amt")
        if amt is None or (amt.attr("Ccy") or "").upper() != currency:
            return None
        try:
            value = minor_units(amt.el.text or "", currency)
        except BankValueError:
            return None
        mark = tx.text("CdtDbtInd")
        detail_credit = credit if mark is None else mark == "CRDT"
        amounts.append(value if detail_credit else -value)
    return amounts if sum(amounts) == signed else None


def _merged(details: list[Details]) -> Details:
    """One line for an entry whose details cannot be split: the first detail's
    references and parties, every detail's remittance."""
    first = details[0]
    for other in details[1:]:
        first.remittance.extend(other.remittance)
        first.structured.extend(other.structured)
        if other.creditor_ref and other.creditor_ref != first.creditor_ref:
            first.structured.append(f"{other.creditor_ref_type or 'ref'}: {other.creditor_ref}")
    return first


def _line(
    base: StatementLine,
    d: Details,
    detail: int | None,
    signed: int,
    reversal: bool,
    credit: bool,
) -> StatementLine:
    code = d.bank_code or base.bank_code
    returned = reversal or d.return_reason is not None
    return StatementLine(
        source=base.source if detail is None else f"{base.source}/NtryDtls/TxDtls[{detail + 1}]",
        amount_minor=signed,
        currency=base.currency,
        kind=kinds.from_iso_code(code, signed, returned, credit),
        status=base.status,
        booking_date=base.booking_date,
        value_date=base.value_date,
        entry_ref=base.entry_ref,
        servicer_ref=(d.servicer_ref or base.servicer_ref)
        if detail is not None
        else (base.servicer_ref or d.servicer_ref),
        end_to_end_id=d.end_to_end_id,
        uetr=d.uetr,
        transaction_id=d.transaction_id,
        instruction_id=d.instruction_id,
        mandate_id=d.mandate_id,
        customer_ref=d.customer_ref,
        bank_code=code,
        bank_code_proprietary=d.bank_code_proprietary or base.bank_code_proprietary,
        return_reason=d.return_reason,
        counterparty_name=d.counterparty_name,
        counterparty_iban=d.counterparty_iban,
        counterparty_account=d.counterparty_account,
        counterparty_bic=d.counterparty_bic,
        ultimate_debtor=d.ultimate_debtor,
        ultimate_creditor=d.ultimate_creditor,
        remittance="\n".join(d.remittance) or None,
        creditor_ref=d.creditor_ref,
        creditor_ref_type=d.creditor_ref_type,
        structured="\n".join(d.structured) or None,
        additional_info="\n".join(x for x in (base.additional_info, d.additional_info) if x)
        or None,
        entry_index=base.entry_index,
        detail_index=detail,
    )
