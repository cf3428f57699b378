"""What kind of movement a line is (`LineKind`), from what the bank says of it.

Only a credit may be a customer's payment; everything else is told apart here so that
the matching never takes a fee, a returned direct debit or a reversal for money a
customer sent. The signals, strongest first: a reversal mark or return information
(camt RvslInd, RtrInf; MT940 RC/RD), then the bank transaction code (ISO 20022 codes,
SWIFT MT940 codes, OFX TRNTYPE), then the sign of the amount.
"""

from __future__ import annotations

from recoup.imports.bank.model import LineKind

# ISO 20022 bank transaction code sub-families (the third part of DOMN-FMLY-SUBFMLY)
_ISO_RETURN = frozenset({"RRTN", "UPDD", "RPCR", "PRDD", "ARET", "RCDD"})
_ISO_FEE = frozenset({"CHRG", "FEES", "COMM", "COMT", "COMI", "SUBS", "TAXE"})
_ISO_INTEREST = frozenset({"INTR", "RIMB"})

# SWIFT MT940 :61: transaction type identification codes (the three letters after N/F/S)
_SWIFT_FEE = frozenset({"CHG", "COM", "FEE"})
_SWIFT_INTEREST = frozenset({"INT"})
_SWIFT_RETURN = frozenset({"RTI"})

# OFX TRNTYPE
_OFX_FEE = frozenset({"FEE", "SRVCHG"})
_OFX_INTEREST = frozenset({"INT", "DIV"})

# words a CSV export's type column uses
_WORDS = (
    (LineKind.RETURN, ("return", "reversal", "reversed", "chargeback", "rücklast", "storno")),
    (LineKind.FEE, ("fee", "charge", "commission", "gebühr", "entgelt", "frais")),
    (LineKind.INTEREST, ("interest", "zins", "intérêt")),
)


def by_sign(amount_minor: int, credit: bool | None = None) -> LineKind:
    """Credit for money in, debit for money out; a zero amount as the bank marks it."""
    if amount_minor == 0 and credit is not None:
        return LineKind.CREDIT if credit else LineKind.DEBIT
    return LineKind.CREDIT if amount_minor > 0 else LineKind.DEBIT


def from_iso_code(
    code: str | None, amount_minor: int, reversal: bool = False, credit: bool | None = None
) -> LineKind:
    """The kind for an ISO 20022 bank transaction code such as "PMNT-RCDT-ESCT"."""
    if reversal:
        return LineKind.RETURN
    parts = (code or "").upper().split("-")
    sub = parts[2] if len(parts) == 3 else ""
    fam = parts[1] if len(parts) == 3 else ""
    if sub in _ISO_RETURN or fam == "RRTN":
        return LineKind.RETURN
    if sub in _ISO_FEE:
        return LineKind.FEE
    if sub in _ISO_INTEREST:
        return LineKind.INTEREST
    return by_sign(amount_minor, credit)


def from_swift_code(code: str | None, amount_minor: int, mark: str = "") -> LineKind:
    """The kind for an MT940 :61: line: its mark (C, D, RC, RD) and type code (NTRF)."""
    if mark.upper().startswith("R"):
        return LineKind.RETURN
    body = (code or "").upper()[1:4]
    if body in _SWIFT_RETURN:
        return LineKind.RETURN
    if body in _SWIFT_FEE:
        return LineKind.FEE
    if body in _SWIFT_INTEREST:
        return LineKind.INTEREST
    return by_sign(amount_minor)


def from_ofx_type(trntype: str | None, amount_minor: int) -> LineKind:
    kind = (trntype or "").upper()
    if kind in _OFX_FEE:
        return LineKind.FEE
    if kind in _OFX_INTEREST:
        return LineKind.INTEREST
    return by_sign(amount_minor)


def from_words(text: str | None, amount_minor: int) -> LineKind:
    """The kind a CSV export's type column says in words, else the sign's."""
    low = (text or "").lower()
    for kind, words in _WORDS:
        if any(w in low for w in words):
            return kind
    return by_sign(amount_minor)
