"""What an import did: counts, the fields each updated record changed, its problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recoup.imports.problems import Problem


@dataclass(frozen=True, slots=True)
class Change:
    """A record the file updated: its key (customer id, invoice number, payment key),
    its line in the file and the fields whose values changed."""

    key: str
    line: int
    fields: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "line": self.line, "fields": list(self.fields)}


@dataclass
class ImportReport:
    kind: str
    file: str
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # one per updated record
    # the columns the file was read by: source column -> field, detected or given, in
    # the file's order (what `--save-mapping` saves)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def update(self, key: str, line: int, fields: list[str] | tuple[str, ...]) -> None:
        """Count a record as updated, with the fields it changed."""
        self.updated += 1
        self.changes.append(Change(key, line, tuple(fields)))

    def nothing_done(self) -> None:
        """A refused import: nothing was imported, updated or left unchanged."""
        self.imported = self.updated = self.unchanged = self.customers_created = 0
        self.changes = []

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [str(p) for p in self.problems],
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "customers_created": self.customers_created,
            "dry_run": self.dry_run,
            "changes": [c.to_json() for c in self.changes],
            "columns": self.columns,
        }
