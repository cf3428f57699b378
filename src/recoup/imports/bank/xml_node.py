"""An XML element with the path that names it in problems (`/Document/BkToCstmrStmt/
Stmt[1]/Ntry[3]/Amt`), read by local names whatever the namespace.

Parsing is lxml's with nothing fetched and no entity expanded: a statement file is
data from outside, and an XML file may ask for both.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from lxml import etree

from recoup.imports.problems import Problem

# elements that repeat: their path always carries their position
_COUNTED = frozenset({"Stmt", "Rpt", "Ntfctn", "Bal", "Ntry", "NtryDtls", "TxDtls", "Strd"})


def parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )


def local(tag: object) -> str:
    """An element's name without its namespace ("{urn:...}Ntry" is "Ntry"); "" for a
    comment or a processing instruction."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


class Node:
    """`ns` is the document's namespace as lxml writes it in a tag ("{urn:...}"): a camt
    document keeps every element in its one default namespace, so children are found
    by lxml itself (in C) rather than by comparing names here."""

    __slots__ = ("el", "file", "ns", "path")

    def __init__(self, el: etree._Element, path: str, file: str, ns: str | None = None) -> None:
        self.el = el
        self.path = path
        self.file = file
        if ns is None:
            tag = el.tag
            ns = tag[: tag.index("}") + 1] if isinstance(tag, str) and "}" in tag else ""
        self.ns = ns

    def children(self, name: str) -> Iterator[Node]:
        for n, child in enumerate(self.el.iterchildren(self.ns + name), start=1):
            step = f"{name}[{n}]" if name in _COUNTED else name
            yield Node(child, f"{self.path}/{step}", self.file, self.ns)

    def child(self, name: str) -> Node | None:
        found = self.el.find(self.ns + name)
        if found is None:
            return None
        step = f"{name}[1]" if name in _COUNTED else name
        return Node(found, f"{self.path}/{step}", self.file, self.ns)

    def find(self, *names: str) -> Node | None:
        """The first element down the path `names` ("Acct", "Id", "IBAN")."""
        node: Node | None = self
        for name in names:
            if node is None:
                return None
            node = node.child(name)
        return node

    def text(self, *names: str) -> str | None:
        """The stripped text at `names` below this element, or None (also when empty)."""
        found = self.el.find("/".join(self.ns + n for n in names)) if names else self.el
        if found is None or found.text is None:
            return None
        value = found.text.strip()
        return value or None

    def texts(self, name: str) -> list[str]:
        return [t for n in self.children(name) if (t := (n.el.text or "").strip())]

    def attr(self, name: str) -> str | None:
        value = self.el.get(name)
        return value.strip() if value else None

    def problem(self, message: str, name: str | None = None) -> Problem:
        """A problem at this element (or at its child `name`, which may be missing)."""
        path = f"{self.path}/{name}" if name else self.path
        return Problem(self.file, self.el.sourceline, None, message, element=path)

    def date(self, *names: str) -> date | None:
        """A camt date: DtTm or Dt below `names`, or a date written right there; None
        when absent; ValueError when it is no date."""
        node = self.find(*names)
        if node is None:
            return None
        text = node.text("Dt") or node.text("DtTm") or (node.el.text or "").strip()
        if not text:
            return None
        return parse_date(text)


def parse_date(text: str) -> date:
    """A date (2014-12-31, with a zone such as 2014-12-31+01:00) or a date-time whose
    day is taken as written (the bank's own day)."""
    if "T" in text:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    return date.fromisoformat(text[:10])


def parse_datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
