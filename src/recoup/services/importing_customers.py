"""Writing a customer file's records into the book (inside the import's transaction).

New customers are added, known ones updated; a row with any contact field gives the
customer's contacts (one per address of its email field; see `contacts_of`), which
replace the ones the book has when they differ. Every updated customer is reported
with the fields that changed, and queued for the next run; the same file again changes
nothing and says so.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.regions import region_from_address, subdivisions
from recoup.imports import records
from recoup.imports.problems import Problem
from recoup.services.import_report import ImportReport
from recoup.store import ledger_repo, run_repo

CUSTOMER_FIELDS = ("name", "country", "language", "timezone", "tags", "region")
CONTACT_FIELDS = ("contact", "email", "phone", "address", "channel")  # a contact's, in order
_NEW_CUSTOMER = (*ledger_repo.CUSTOMER_COLUMNS, "region")


def write_customers(conn: Connection, parsed: records.Parsed, report: ImportReport) -> None:
    existing = ledger_repo.customer_rows(conn)
    ids = {key: row[0] for key, row in existing.items()}
    known_contacts = ledger_repo.contact_rows(conn)
    inserts: list[tuple[Any, ...]] = []
    contacts_for: list[tuple[str, list[tuple[str, ...]]]] = []
    changed: list[int] = []  # known customers with a field or a contact changed
    for rec in parsed.customers:
        v = rec.values
        if "country" in v:
            v["country"] = v["country"].upper()
        old = existing.get(rec.customer)
        current = dict(zip(ledger_repo.CUSTOMER_ROW, old, strict=True)) if old else None
        region = _region(rec, current, parsed, report)
        if region is None:
            v.pop("region", None)
        else:
            v["region"] = region
        wanted = contacts_of(rec) if any(v.get(f) for f in CONTACT_FIELDS) else None
        if wanted is not None:
            contacts_for.append((rec.customer, wanted))
        if current is None:
            inserts.append(
                (
                    rec.customer,
                    v.get("name") or rec.customer,
                    v.get("country", ""),
                    v.get("language") or "en",
                    v.get("timezone") or "UTC",
                    v.get("tags", ""),
                    v.get("region", ""),
                )
            )
            report.imported += 1
            continue
        changes = {f: v[f] for f in CUSTOMER_FIELDS if f in v and v[f] != current[f]}
        if changes:
            ledger_repo.update_customer(conn, current["id"], changes)
        fields = list(changes)
        if wanted is not None:
            fields += contact_changes(known_contacts.get(ids[rec.customer], []), wanted)
        if fields:
            report.update(rec.customer, rec.line, fields)
            changed.append(current["id"])
        else:
            report.unchanged += 1
    if report.problems:
        return
    ledger_repo.insert_customers(conn, inserts, _NEW_CUSTOMER)
    if inserts:
        ids = ledger_repo.customer_ids(conn)
    for key, rows in contacts_for:
        cid = ids[key]
        if known_contacts.get(cid) != rows:
            ledger_repo.replace_contacts(conn, cid, rows)
    # the next run looks at them again (their tags, country or contacts may change what
    # it decides), and the worklist scores them afresh until then (`worklist_pages`)
    run_repo.enqueue(conn, changed)


def contact_changes(old: list[tuple[Any, ...]], new: list[tuple[str, ...]]) -> list[str]:
    """The contact fields in which the book's contacts and the row's differ (a contact
    more or fewer is a change of the email field, which lists them)."""
    changed = {
        name
        for a, b in zip(old, new, strict=False)
        for name, x, y in zip(CONTACT_FIELDS, a, b, strict=True)
        if (x or "") != (y or "")
    }
    if len(old) != len(new):
        changed.add("email")
    return [name for name in CONTACT_FIELDS if name in changed]


def contacts_of(rec: records.CustomerRecord) -> list[tuple[str, ...]]:
    """The contacts a row gives, in `ledger_repo.CONTACT_COLUMNS` order (without the
    customer): one per address of its email field, each with the row's name, phone,
    address and channel, in the order the field lists them. Delivery writes to the
    first contact that prefers the channel, so the first address is the one written to;
    the others are kept beside it. A row without an email gives one contact without."""
    v = rec.values
    name = v.get("contact") or v.get("name") or rec.customer
    rest = (v.get("phone", ""), v.get("address", ""), v.get("channel") or "email")
    return [(name, email, *rest) for email in rec.emails or ("",)]


def _region(
    rec: records.CustomerRecord,
    current: dict[str, Any] | None,
    parsed: records.Parsed,
    report: ImportReport,
) -> str | None:
    """The customer's region after this row, or None to leave the book's as it is.

    A region column is the file's word: its code, or (an empty cell) the region derived
    from the row's address, which may be "". Without one, a region derived from the
    address replaces the book's, and the book's stays otherwise, unless the row moves
    the customer to a country it is no region of."""
    v = rec.values
    country = v.get("country") or (str(current["country"]) if current else "")
    if rec.region_unchecked:  # the row gives a region but no country: the book's
        code, problem = records.checked_region(country, v["region"])
        if problem:
            column = parsed.columns.get("region")
            report.problems.append(Problem(report.file, rec.line, column, problem))
            return None
        return code
    if v.get("region"):
        return v["region"]  # checked by the reader
    derived = region_from_address(country, v.get("address", ""))
    if derived or "region" in v or current is None:
        return derived
    stored = str(current["region"])
    if stored and stored not in subdivisions(country):
        return ""
    return None
