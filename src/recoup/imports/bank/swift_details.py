"""The `:86:` details Dutch banks (ING, Rabobank, ABN AMRO, and others following the
Dutch MT940 layout) write as `/CODE/value` fields:

    /EREF/EV123//CNTP/NL32INGB0000012345/INGBNL2A/J.Janssen///REMI/USTD//Invoice 123/
    /ORDP//NAME/R. SMITH/ADDR/Green market 74/REMI/Test money paid/ISDT/2014-01-02

The `mt-940` library reads the German `?20` layout into fields and leaves this one as
text; here it gives the end-to-end id, the other party (IBAN, BIC, name), the
remittance (unstructured, or a structured creditor reference), a return's reason and
a mandate. A bank wraps the text at 65 characters anywhere, even inside a word or an
IBAN, so the lines are joined as they are, without a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODES = (
    "EREF|PREF|IREF|MARF|CSID|CNTP|REMI|PURP|ULTC|ULTD|ULTB|RTRN|ORDP|BENM|NAME|ADDR|"
    "ISDT|TRCD|BUSP|SVCL|ACCW|BIC|IBAN|EXCH|OCMT|CHGS"
)
# ING separates fields with "//", Rabobank with "/": a code between slashes starts one
_FIELD = re.compile(rf"/({_CODES})/")


@dataclass(slots=True)
class SlashDetails:
    end_to_end_id: str | None = None
    mandate_id: str | None = None
    counterparty_iban: str | None = None
    counterparty_bic: str | None = None
    counterparty_name: str | None = None
    remittance: str | None = None
    creditor_ref: str | None = None
    creditor_ref_type: str | None = None
    return_reason: str | None = None
    ultimate_debtor: str | None = None
    ultimate_creditor: str | None = None


def read_slash_details(text: str | None) -> SlashDetails | None:
    """The fields of a `/CODE/value` detail text, or None when it is not one."""
    if not text or not text.lstrip().startswith("/"):
        return None
    joined = "".join(line.rstrip("\r") for line in text.strip().split("\n"))
    marks = list(_FIELD.finditer(joined))
    if not marks:
        return None
    fields: dict[str, str] = {}
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(joined)
        value = joined[mark.end() : end]
        fields.setdefault(mark.group(1), value.rstrip("/").strip())
    out = SlashDetails()
    eref = fields.get("EREF") or ""
    out.end_to_end_id = None if eref in ("", "NOTPROVIDED") else eref
    out.mandate_id = fields.get("MARF") or None
    counterparty = fields.get("CNTP")
    if counterparty is not None:
        parts = [*counterparty.split("/"), "", "", ""][:3]
        out.counterparty_iban = parts[0].replace(" ", "").upper() or None
        out.counterparty_bic = parts[1] or None
        out.counterparty_name = " ".join(parts[2].split()) or None
    out.counterparty_iban = out.counterparty_iban or (fields.get("IBAN") or None)
    out.counterparty_bic = out.counterparty_bic or (fields.get("BIC") or None)
    out.counterparty_name = out.counterparty_name or (
        " ".join(fields.get("NAME", "").split()) or None
    )
    _remittance(fields.get("REMI"), out)
    reason = fields.get("RTRN")
    out.return_reason = reason.split("/")[0] or None if reason else None
    out.ultimate_debtor = _name(fields.get("ULTD"))
    out.ultimate_creditor = _name(fields.get("ULTC"))
    return out


def _remittance(value: str | None, out: SlashDetails) -> None:
    if not value:
        return
    if value.startswith("USTD/"):
        out.remittance = " ".join(value[5:].strip("/").split()) or None
    elif value.startswith("STRD/"):
        parts = value[5:].strip("/").split("/")
        out.creditor_ref_type = parts[0] or None
        out.creditor_ref = "/".join(parts[1:]) or None
    else:
        out.remittance = " ".join(value.split()) or None


def _name(value: str | None) -> str | None:
    """An ultimate party, written `name/id`: its name."""
    if not value:
        return None
    return " ".join(value.split("/")[0].split()) or None
