"""E-invoices: UBL 2.1, UN/CEFACT CII and Factur-X/ZUGFeRD PDFs (see `read`).

`kind_of` and `sniff` tell an e-invoice's file from a table's by its first bytes; they
live here, without lxml or pypdf, so that every CSV import can ask at no cost."""

from __future__ import annotations

from pathlib import Path

SNIFF_BYTES = 4096


def kind_of(head: bytes) -> str | None:
    """The kind of file from its first bytes: "pdf", "xml" or None (a table, for the CSV
    and XLSX readers)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"%PDF-"):
        return "pdf"
    if text.startswith(b"<"):
        return "xml"
    return None


def sniff(path: Path) -> str | None:
    """The kind of e-invoice a file may be ("pdf" or "xml"), None for anything else."""
    try:
        with path.open("rb") as f:
            return kind_of(f.read(SNIFF_BYTES))
    except OSError:
        return None
