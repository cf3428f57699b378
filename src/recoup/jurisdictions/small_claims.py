"""Small-claims court limits by jurisdiction, from `data/small_claims.csv`.

(Note: the casefile helper and the casework helper both wrote this module at the same
moment; this version reads the CSV as the casefile helper wrote it: columns `code,
limit, currency, court, source, status, note`, an empty `limit` where the reference's
sources conflict.)

The figures are the project reference's (`shared/reference/jurisdictions.md`, §1.1 for
the UK and §4.2 for the US states); each row names its sources by the reference's keys
and carries its status. Court fees are not in the reference. Codes are a country (`GB`)
or a country and subdivision (`GB-SCT`, `US-CA`).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from recoup.domain.casework.options import SmallClaimsLimit
from recoup.domain.currencies import is_currency
from recoup.domain.money import Money, MoneyError

DATA = Path(__file__).resolve().parent / "data" / "small_claims.csv"
COLUMNS = ("code", "limit", "currency", "court", "source", "status", "note")


class SmallClaimsTableError(ValueError):
    pass


def read_small_claims(path: Path = DATA) -> dict[str, SmallClaimsLimit]:
    """Every row of the table by code; any bad row refuses the file, naming its line."""
    out: dict[str, SmallClaimsLimit] = {}
    problems: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise SmallClaimsTableError(f"{path}: the columns must be {', '.join(COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip().upper()
            currency = (row["currency"] or "").strip()
            if not code or code in out:
                problems.append(f"{path}:{line}: missing or repeated code {code!r}")
                continue
            if not is_currency(currency):
                problems.append(f"{path}:{line}: unknown currency {currency!r}")
                continue
            limit: Money | None = None
            if (row["limit"] or "").strip():
                try:
                    limit = Money.of(row["limit"], currency)
                except MoneyError as err:
                    problems.append(f"{path}:{line}: limit: {err}")
                    continue
                if limit.minor <= 0:
                    problems.append(f"{path}:{line}: a limit must be above zero")
                    continue
            if not (row["source"] or "").strip():
                problems.append(f"{path}:{line}: a source is needed")
                continue
            out[code] = SmallClaimsLimit(
                code,
                limit,
                currency,
                (row["source"] or "").strip(),
                (row["status"] or "").strip(),
                (row["note"] or "").strip(),
                (row["court"] or "").strip(),
            )
    if problems:
        raise SmallClaimsTableError("; ".join(problems))
    return out


@cache
def default_small_claims() -> Mapping[str, SmallClaimsLimit]:
    return read_small_claims(DATA)


def find(code: str, table: Mapping[str, SmallClaimsLimit] | None = None) -> SmallClaimsLimit | None:
    """The row for `code` as given (`US-CA`), else for its country part (`GB-ENG` -> `GB`)."""
    limits = default_small_claims() if table is None else table
    key = code.strip().upper()
    if key in limits:
        return limits[key]
    return limits.get(key.split("-")[0]) if "-" in key else None
