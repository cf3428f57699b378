"""One e-invoice file read: which kind it is (by its content, never its name), the XML
out of a Factur-X/ZUGFeRD PDF, the check against the XSD, the figures, and the checks
of EN 16931 that the book relies on (the amount due adds up; due not before issue).

Every problem names the file and the element (`file:/Invoice/cbc:DueDate: ...`, inside a
PDF `file:factur-x.xml:/rsm:CrossIndustryInvoice/...`)."""

from __future__ import annotations

import io
from pathlib import Path

from lxml import etree

from recoup.imports.einvoice import SNIFF_BYTES, cii, kind_of, schemas, ubl
from recoup.imports.einvoice.model import EInvoice, Reading
from recoup.imports.einvoice.xmldoc import (
    CII,
    UBL_CREDIT_NOTE,
    UBL_INVOICE,
    ZUGFERD_1,
    Doc,
    NotXmlError,
    parse,
)
from recoup.imports.problems import Problem

READERS = {UBL_INVOICE: ubl.read, UBL_CREDIT_NOTE: ubl.read, CII: cii.read}
# the names Factur-X, ZUGFeRD 2 and XRechnung give the XML inside a PDF, most usual first
PDF_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


def read_file(path: Path, name: str | None = None) -> tuple[Reading, bytes]:
    """The file's reading, and its bytes as they were (kept with the invoice)."""
    data = path.read_bytes()
    return read_bytes(data, name or str(path)), data


def read_bytes(data: bytes, name: str) -> Reading:
    if kind_of(data[:SNIFF_BYTES]) == "pdf":
        reading = Reading("pdf")
        xml = _xml_of_pdf(data, name, reading)
        if xml is None:
            return reading
        reading.problems = _read_xml(xml, name, reading.xml_name, reading)
        return reading
    reading = Reading("xml")
    reading.problems = _read_xml(data, name, "", reading)
    return reading


def _xml_of_pdf(data: bytes, name: str, reading: Reading) -> bytes | None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
        files = {key: list(attachments[key]) for key in attachments}
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as err:
        reading.problems.append(Problem(name, None, None, f"not a readable PDF: {err}"))
        return None
    by_name = {key.lower(): key for key in files if files[key]}
    chosen = next((by_name[n] for n in PDF_XML_NAMES if n in by_name), None)
    if chosen is None:
        xmls = [key for low, key in by_name.items() if low.endswith(".xml")]
        chosen = xmls[0] if len(xmls) == 1 else None
    if chosen is None:
        shown = ", ".join(sorted(files)) or "none"
        reading.problems.append(
            Problem(
                name, None, None,
                "a PDF without an embedded e-invoice (Factur-X/ZUGFeRD factur-x.xml, "
                f"zugferd-invoice.xml or xrechnung.xml); its attachments: {shown}",
            )
        )  # fmt: skip
        return None
    reading.xml_name = chosen
    return files[chosen][0]


def _read_xml(data: bytes, name: str, inside: str, reading: Reading) -> list[Problem]:
    where = f"{inside}:" if inside else ""
    try:
        tree = parse(data)
    except NotXmlError as err:
        return [Problem(name, err.line, None, f"{where}{err}")]
    doc = Doc(tree, name, inside)
    ns = doc.default_ns or ""
    reader = READERS.get(ns)
    if reader is None:
        root = etree.QName(doc.root).localname
        if ns == ZUGFERD_1:
            doc.problem(
                "/" + root,
                "a ZUGFeRD 1.0 invoice, which is not read: ask for Factur-X/ZUGFeRD 2, "
                "XRechnung or Peppol BIS 3",
            )
        else:
            doc.problem(
                "/" + root,
                f"not an e-invoice Recoup reads: the root element {root} in "
                f"{ns or 'no namespace'} is neither a UBL 2.1 Invoice or CreditNote nor a "
                "CII CrossIndustryInvoice",
            )
        return doc.problems
    try:
        valid = schemas.validate(doc, tree)
    except schemas.SchemasMissingError as err:
        doc.problem("/", str(err))
        return doc.problems
    if not valid:
        return doc.problems
    invoice = reader(doc)
    if invoice is not None and not doc.problems:
        _check(doc, invoice)
        if not doc.problems:
            reading.invoice = invoice
    return doc.problems


def _check(doc: Doc, inv: EInvoice) -> None:
    """EN 16931 rules the book depends on: BR-CO-16 (the amount due is the total less
    the paid amount plus the rounding) and a due date not before the issue date."""
    expected = inv.total_minor - inv.prepaid_minor + inv.rounding_minor
    if inv.payable_minor != expected:
        doc.problem(
            inv.payable_element,
            f"the amount due ({inv.payable_minor} in minor units of {inv.currency}) is not "
            f"the total with VAT less the paid amount plus the rounding ({expected}): "
            "EN 16931 rule BR-CO-16",
        )
    if inv.due_date is not None and inv.due_date < inv.issue_date:
        doc.problem(
            inv.due_element,
            f"the due date {inv.due_date} is before the issue date {inv.issue_date}",
        )
