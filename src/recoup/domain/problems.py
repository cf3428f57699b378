"""A problem found in an input (an import file, a policy file): where it is and what is
wrong, printed as `file:line:column: message` (a spreadsheet's own cell as
`file:Sheet!C7: message`, an XML document's element by its path as
`file:/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/Amt: message`). Problems are data,
collected and returned, not exceptions raised at the first one.

A problem may say what fixes it (`Fix`): a code and the fields it concerns, which each
front end words its own way (the command line names its options, the web page its
choices; `recoup.imports.fixes` holds the command line's words)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Fix:
    """What fixes a problem: `code` names the remedy ("currency", "date_format", ...),
    `fields` the fields it concerns (a column to map, for "column")."""

    code: str
    fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "fields": list(self.fields)}


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    column: str | int | None  # a number, or a spreadsheet column letter
    message: str
    sheet: str | None = None  # a workbook's sheet: the place is shown as Sheet!C7
    # an XML element's path: the place is shown by it (`line` stays for tools)
    element: str | None = None
    fix: Fix | None = None  # what fixes it, when one remedy does

    @property
    def place(self) -> str:
        """Where it is: `file:line:column`, `file:Sheet!C7`, or the file alone."""
        where = self.file
        if self.element is not None:
            where += ":" + self.element
        elif self.sheet is not None:
            # a sheet name with anything but letters, digits and _ is quoted, as Excel does
            plain = self.sheet.replace("_", "").isalnum()
            where += ":" + (self.sheet if plain else "'" + self.sheet.replace("'", "''") + "'")
            if self.line is not None and self.column is not None:
                where += f"!{self.column}{self.line}"
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "text": str(self),
        }
        if self.sheet is not None:
            out["sheet"] = self.sheet
        if self.element is not None:
            out["element"] = self.element
        if self.fix is not None:
            out["fix"] = self.fix.to_json()
        return out
