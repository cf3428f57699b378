"""The parts of a camt entry that say who paid what for what: a transaction detail's
references, parties, agents, remittance and return information (camt.05x.001.01 to
.08: the parties are `Dbtr/Nm` up to version 7 and `Dbtr/Pty/Nm` from version 8, a BIC
is `BIC` before version 4 and `BICFI` from it; both are read)."""

from __future__ import annotations

from dataclasses import dataclass, field

from recoup.imports.bank.values import clean, iban_valid, iso11649_valid
from recoup.imports.bank.xml_node import Node


@dataclass(slots=True)
class Details:
    """What one TxDtls (or an entry without any) says."""

    servicer_ref: str | None = None
    end_to_end_id: str | None = None
    uetr: str | None = None
    transaction_id: str | None = None
    instruction_id: str | None = None
    mandate_id: str | None = None
    customer_ref: str | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_account: str | None = None
    counterparty_bic: str | None = None
    ultimate_debtor: str | None = None
    ultimate_creditor: str | None = None
    remittance: list[str] = field(default_factory=list)
    creditor_ref: str | None = None
    creditor_ref_type: str | None = None
    structured: list[str] = field(default_factory=list)
    additional_info: str | None = None
    return_reason: str | None = None
    bank_code: str | None = None
    bank_code_proprietary: str | None = None


def bank_code(node: Node | None) -> tuple[str | None, str | None]:
    """(DOMN-FMLY-SUBFMLY, proprietary code) of a BkTxCd element."""
    if node is None:
        return None, None
    domain = node.text("Domn", "Cd")
    family = node.text("Domn", "Fmly", "Cd")
    sub = node.text("Domn", "Fmly", "SubFmlyCd")
    iso = "-".join(p for p in (domain, family, sub) if p) or None
    return iso, node.text("Prtry", "Cd")


def party_name(node: Node | None) -> str | None:
    """A party's name: `Nm` (to version 7) or `Pty/Nm` (version 8)."""
    if node is None:
        return None
    return clean(node.text("Nm") or node.text("Pty", "Nm"))


def account_of(node: Node | None) -> tuple[str | None, str | None]:
    """(IBAN, other account id) of an account element (`DbtrAcct`)."""
    if node is None:
        return None, None
    iban = node.text("Id", "IBAN")
    other = node.text("Id", "Othr", "Id")
    if iban is None and other is not None and iban_valid(other):
        iban, other = other, None
    return (iban.replace(" ", "").upper() if iban else None), other


def agent_bic(node: Node | None) -> str | None:
    if node is None:
        return None
    return node.text("FinInstnId", "BICFI") or node.text("FinInstnId", "BIC")


def read_details(tx: Node | None, money_in: bool) -> Details:
    """A transaction detail's content; `money_in`: the counterparty is the debtor (a
    credit, or the reversal of a debit), else the creditor."""
    out = Details()
    if tx is None:
        return out
    refs = tx.child("Refs")
    if refs is not None:
        out.servicer_ref = refs.text("AcctSvcrRef")
        e2e = refs.text("EndToEndId")
        out.end_to_end_id = None if e2e in (None, "NOTPROVIDED") else e2e
        out.uetr = refs.text("UETR")
        out.transaction_id = refs.text("TxId") or refs.text("AcctSvcrTxId")
        out.instruction_id = refs.text("InstrId")
        out.mandate_id = refs.text("MndtId")
        out.customer_ref = refs.text("AcctOwnrTxId") or refs.text("ChqNb")
    out.bank_code, out.bank_code_proprietary = bank_code(tx.child("BkTxCd"))
    parties = tx.child("RltdPties")
    side = "Dbtr" if money_in else "Cdtr"
    if parties is not None:
        out.counterparty_name = party_name(parties.child(side))
        out.counterparty_iban, out.counterparty_account = account_of(parties.child(side + "Acct"))
        out.ultimate_debtor = party_name(parties.child("UltmtDbtr"))
        out.ultimate_creditor = party_name(parties.child("UltmtCdtr"))
    agents = tx.child("RltdAgts")
    if agents is not None:
        out.counterparty_bic = agent_bic(agents.child(side + "Agt"))
    _remittance(tx.child("RmtInf"), out)
    ret = tx.child("RtrInf")
    if ret is not None:
        out.return_reason = ret.text("Rsn", "Cd") or ret.text("Rsn", "Prtry") or "returned"
    out.additional_info = clean(tx.text("AddtlTxInf"))
    return out


def _remittance(node: Node | None, out: Details) -> None:
    if node is None:
        return
    out.remittance = [c for t in node.texts("Ustrd") if (c := clean(t))]
    for strd in node.children("Strd"):
        ref_info = strd.child("CdtrRefInf")
        if ref_info is not None:
            ref = ref_info.text("Ref")
            code = ref_info.text("Tp", "CdOrPrtry", "Cd") or ref_info.text(
                "Tp", "CdOrPrtry", "Prtry"
            )
            if ref is not None and out.creditor_ref is None:
                out.creditor_ref = ref
                out.creditor_ref_type = "RF" if iso11649_valid(ref) else code
            elif ref is not None:
                out.structured.append(f"{code or 'ref'}: {ref}")
        for doc in strd.children("RfrdDocInf"):
            number = doc.text("Nb")
            if number:
                out.structured.append(f"document: {number}")
        out.structured.extend(c for t in strd.texts("AddtlRmtInf") if (c := clean(t)))
