"""Reading an e-invoice's XML safely, and its elements with their paths.

The parser never loads a DTD, never resolves an entity and never reaches the network; a
document with a DOCTYPE is refused (no e-invoice syntax has one, and entity tricks hide
there). `Doc` reads the elements an e-invoice reader asks for and collects a problem,
named by the element's path (`/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount`), for
each that is missing or not what its syntax allows.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lxml import etree

from recoup.domain.currencies import MINOR_UNITS
from recoup.imports.problems import Problem

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
ZUGFERD_1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"

# the prefixes problems name elements with (a document may use others)
PREFIXES = {
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext",
    CII: "rsm",
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100": "ram",
    "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100": "udt",
    "urn:un:unece:uncefact:data:standard:QualifiedDataType:100": "qdt",
}
NAMESPACES = {prefix: uri for uri, prefix in PREFIXES.items()}

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_DATE_102 = re.compile(r"(\d{4})(\d{2})(\d{2})")


class NotXmlError(Exception):
    """The bytes are no well-formed XML document; `line` where the parser stopped."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def parse(data: bytes) -> etree._ElementTree:
    """The document, or NotXmlError saying why not."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        remove_comments=False, huge_tree=False,
    )  # fmt: skip
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as err:
        line = err.lineno if isinstance(err.lineno, int) and err.lineno > 0 else None
        raise NotXmlError(f"not well-formed XML: {err.msg}", line) from None
    if tree.docinfo.doctype:
        raise NotXmlError("the document has a DOCTYPE, which no e-invoice has: not read", 1)
    return tree


def qualified(tag: str, default_ns: str | None = None) -> str:
    """`{uri}Name` as `prefix:Name` with the prefixes problems use; the document's own
    namespace (`default_ns`, a UBL root's) without one."""
    qn = etree.QName(tag)
    local: str = qn.localname
    if qn.namespace is None or qn.namespace == default_ns:
        return local
    prefix = PREFIXES.get(qn.namespace)
    return f"{prefix}:{local}" if prefix else f"{{{qn.namespace}}}{local}"


def element_path(el: etree._Element, default_ns: str | None = None) -> str:
    """`/Invoice/cac:PaymentMeans[2]/cbc:PaymentID`: an index only where the parent has
    more than one child of that name."""
    parts: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        name = qualified(node.tag, default_ns)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def short_names(text: str, default_ns: str | None = None) -> str:
    """A schema validator's message with `{uri}Name` written `prefix:Name`."""

    def one(match: re.Match[str]) -> str:
        return qualified(match.group(0), default_ns)

    return re.sub(r"\{[^{}\s]+\}[A-Za-z_][\w.-]*", one, text)


class Doc:
    """One document's elements, read with the problems they give (`problems`).

    `name` is the file as problems name it; `inside` the embedded file's name when the
    document came out of a PDF (problems then read `invoice.pdf:factur-x.xml:/...`)."""

    def __init__(self, tree: etree._ElementTree, name: str, inside: str = "") -> None:
        self.root = tree.getroot()
        self.name = name
        self.inside = inside
        self.default_ns = etree.QName(self.root).namespace
        # UBL's elements are named without a prefix in their own namespace, as UBL's
        # documents write them; CII's root is written rsm:CrossIndustryInvoice
        self.bare_ns = None if self.default_ns == CII else self.default_ns
        self.problems: list[Problem] = []

    # --- places ---------------------------------------------------------------------

    def path(self, el: etree._Element) -> str:
        return element_path(el, self.bare_ns)

    def expected(self, rel: str, at: etree._Element | None = None) -> str:
        """The path an element `rel` below `at` (the root) would have."""
        return self.path(self.root if at is None else at) + "/" + rel

    def where(self, path: str) -> str:
        return f"{self.inside}:{path}" if self.inside else path

    # --- values both syntaxes write alike ---------------------------------------------

    def in_currency(self, path: str, currency: str | None) -> etree._Element | None:
        """The amount at `path` in `currency`: a document may give one amount twice, the
        second in its accounting currency (the VAT: BT-110 and BT-111)."""
        amounts = self.all(path)
        for el in amounts:
            if (el.get("currencyID") or "").strip() == currency:
                return el
        return amounts[0] if len(amounts) == 1 else None

    def scheme_id(self, el: etree._Element | None) -> str:
        """An identifier with its scheme, `0088:5790000435975`, or the value alone."""
        if el is None:
            return ""
        value = self.text(".", el)
        scheme = (el.get("schemeID") or "").strip()
        return f"{scheme}:{value}" if value and scheme else value

    def problem(self, path: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.name, line, None, message, element=self.where(path)))

    # --- elements -------------------------------------------------------------------

    def all(self, rel: str, at: etree._Element | None = None) -> list[etree._Element]:
        return list((self.root if at is None else at).iterfind(rel, NAMESPACES))

    def first(self, rel: str, at: etree._Element | None = None) -> etree._Element | None:
        return (self.root if at is None else at).find(rel, NAMESPACES)

    def text(self, rel: str, at: etree._Element | None = None) -> str:
        """The element's text, its spaces collapsed ("" when it is missing)."""
        el = self.first(rel, at)
        return " ".join((el.text or "").split()) if el is not None else ""

    def required(self, rel: str, what: str, at: etree._Element | None = None) -> str:
        value = self.text(rel, at)
        if not value:
            el = self.first(rel, at)
            if el is None:
                self.problem(self.expected(rel, at), f"{what} is missing")
            else:
                self.problem(self.path(el), f"{what} is empty", el.sourceline)
        return value

    def amount(self, el: etree._Element, currency: str, what: str) -> int | None:
        """The amount in minor units of `currency`, exactly; None after a problem (not a
        decimal, more decimals than the currency has, another currency named)."""
        text = (el.text or "").strip()
        where, line = self.path(el), el.sourceline
        if not _DECIMAL.fullmatch(text):
            self.problem(where, f"{what} {text!r} is not a decimal number", line)
            return None
        named = (el.get("currencyID") or "").strip()
        if named and named != currency:
            self.problem(
                where, f"{what} is in {named}, not in the document's currency {currency}", line
            )
            return None
        value = Decimal(text)
        digits = MINOR_UNITS[currency]
        scaled = value.scaleb(digits)
        if scaled != scaled.to_integral_value():
            self.problem(
                where,
                f"{what} {text} has more than {digits} decimal places, the most {currency} allows",
                line,
            )
            return None
        return int(scaled)

    def iso_date(self, el: etree._Element, what: str) -> date | None:
        """An xsd:date (`2017-11-13`, a zone allowed) as a date."""
        text = (el.text or "").strip()
        m = _ISO_DATE.fullmatch(text)
        return self._date(el, what, text, m, "YYYY-MM-DD")

    def cii_date(self, el: etree._Element, what: str) -> date | None:
        """A CII udt:DateTimeString: format 102 (`20180305`) is a day; others are not."""
        text = (el.text or "").strip()
        fmt = (el.get("format") or "").strip()
        if fmt != "102":
            self.problem(
                self.path(el),
                f"{what} {text!r} has format {fmt or 'none'}; a day is written in format "
                "102 (YYYYMMDD)",
                el.sourceline,
            )
            return None
        return self._date(el, what, text, _DATE_102.fullmatch(text), "YYYYMMDD")

    def _date(
        self, el: etree._Element, what: str, text: str, m: re.Match[str] | None, shape: str
    ) -> date | None:
        if m is not None:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                pass
        self.problem(self.path(el), f"{what} {text!r} is not a date ({shape})", el.sourceline)
        return None

    def currency(self, rel: str, what: str) -> str | None:
        code = self.required(rel, what)
        if code and code not in MINOR_UNITS:
            el = self.first(rel)
            assert el is not None
            self.problem(
                self.path(el), f"{what} {code!r} is not an ISO 4217 currency code", el.sourceline
            )
            return None
        return code or None
