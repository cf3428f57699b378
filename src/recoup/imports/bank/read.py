"""Which format a bank file is, told by its content (never by its name), and its reading.

XML whose root is a camt namespace is camt.052/053/054; an OFX header or an <OFX>
element is OFX (QFX is OFX); SWIFT tags (`:20:` with `:25:` or `:61:`) are MT940/MT942;
anything else is read as a CSV export, by its mapping or its recognised column names.
"""

from __future__ import annotations

import re

from recoup.imports.bank.camt import read_camt
from recoup.imports.bank.csv_lines import read_csv
from recoup.imports.bank.csv_mapping import CsvMapping
from recoup.imports.bank.model import BankFile
from recoup.imports.bank.ofx import looks_like_ofx, read_ofx
from recoup.imports.bank.swift import decode, looks_like_mt940, read_mt940
from recoup.imports.problems import Problem

_XML = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<")
_CAMT = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.")


def detect(data: bytes) -> str:
    """ "camt", "ofx", "mt940" or "csv"."""
    head = data[:8192]
    if looks_like_ofx(head):
        return "ofx"
    if _XML.match(head):
        return "camt" if _CAMT.search(head) else "xml"
    if looks_like_mt940(decode(head)):
        return "mt940"
    return "csv"


def read_bank_file(data: bytes, name: str, mapping: CsvMapping | None = None) -> BankFile:
    """The file's statements, or the problems that refuse it."""
    if not data.strip():
        return BankFile(name, None, problems=[Problem(name, None, None, "the file is empty")])
    kind = detect(data)
    if kind == "camt":
        return read_camt(data, name)
    if kind == "ofx":
        return read_ofx(data, name)
    if kind == "mt940":
        return read_mt940(data, name)
    if kind == "xml":
        # an XML file that is no camt: let the camt reader name what it found
        return read_camt(data, name)
    return read_csv(data, name, mapping or CsvMapping())
