"""A problem found in an input (an import file, a policy file): where it is and what is
wrong, printed as `file:line:column: message` (a spreadsheet's own cell as
`file:Sheet!C7: message`). Problems are data, collected and returned, not exceptions
raised at the first one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    column: str | int | None  # a number, or a spreadsheet column letter
    message: str
    sheet: str | None = None  # a workbook's sheet: the place is shown as Sheet!C7

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            # a sheet name with anything but letters, digits and _ is quoted, as Excel does
            plain = self.sheet.replace("_", "").isalnum()
            where += ":" + (self.sheet if plain else "'" + self.sheet.replace("'", "''") + "'")
            if self.line is not None and self.column is not None:
                where += f"!{self.column}{self.line}"
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"

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
        return out
