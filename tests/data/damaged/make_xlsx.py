"""The damaged XLSX files of the corpus, made with openpyxl (and, for the damage openpyxl
will not write, by editing the zip archive it wrote). The test makes them afresh in a
temporary folder; `python tests/data/damaged/make_xlsx.py FOLDER` writes them to look at.

Each file's expected problems are in expected.toml beside this script, as the CSV files'.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl

INVOICES = ["customer", "number", "issue_date", "due_date", "amount", "currency"]
CUSTOMERS = ["customer", "name", "country", "email"]
SHEET = "xl/worksheets/sheet1.xml"


def _workbook(
    header: list[str], rows: list[list[object]], title: str = "Sheet"
) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    # fixed document dates: the same bytes every time
    wb.properties.created = wb.properties.modified = datetime(2026, 1, 1)
    return wb


def _edit(path: Path, change: Callable[[dict[str, bytes]], None], stored: bool = False) -> None:
    """Rewrite the archive with `change` applied to its members (name -> bytes)."""
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    change(members)
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)


def _invoice(number: str, amount: object) -> list[object]:
    return ["C1", number, date(2026, 1, 5), date(2026, 2, 4), amount, "EUR"]


def build(folder: Path) -> list[Path]:
    """Write every damaged XLSX file into `folder`; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []

    def save(name: str, wb: openpyxl.Workbook) -> Path:
        path = folder / name
        wb.save(path)
        made.append(path)
        return path

    # a formula openpyxl writes has no saved value: no program has calculated it
    save(
        "formula_no_value.xlsx",
        _workbook(INVOICES, [_invoice("X-1", 10), _invoice("X-2", "=2*50")]),
    )
    save("error_value.xlsx", _workbook(INVOICES, [_invoice("X-1", "#DIV/0!")]))
    save(
        "value_beyond_header.xlsx",
        _workbook(INVOICES, [[*_invoice("X-1", 10), None, "left over"]]),
    )
    save(
        "repeated_header.xlsx",
        _workbook(
            [*INVOICES[:4], "Amount", "amount"],
            [["C1", "X-1", date(2026, 1, 5), date(2026, 2, 4), 10, 12]],
        ),
    )
    save(
        "formula_in_named_sheet.xlsx",
        _workbook(
            CUSTOMERS, [["C3", '=CONCAT("Crux", " Ltd")', "GB", "cy@crux.example"]], "Q1 2026"
        ),
    )

    path = save(
        "truncated_sheet.xlsx", _workbook(INVOICES, [_invoice(f"T-{i}", 10) for i in range(1, 40)])
    )

    def cut(members: dict[str, bytes]) -> None:
        xml = members[SHEET]
        members[SHEET] = xml[: xml.index(b'<row r="30"') + 20]

    _edit(path, cut)

    path = save(
        "bad_shared_string.xlsx",
        _workbook(CUSTOMERS, [["C3", "Crux Ltd", "GB", "cy@crux.example"]]),
    )

    def dangling(members: dict[str, bytes]) -> None:
        xml = members[SHEET].decode()
        start = xml.index('<c r="B2"')
        end = xml.index("</c>", start) + len("</c>")
        members[SHEET] = (xml[:start] + '<c r="B2" t="s"><v>7</v></c>' + xml[end:]).encode()

    _edit(path, dangling)

    path = save(
        "control_escape.xlsx", _workbook(CUSTOMERS, [["C3", "Crux Ltd", "GB", "cy@crux.example"]])
    )

    def escape(members: dict[str, bytes]) -> None:
        members[SHEET] = members[SHEET].replace(b"Crux Ltd", b"Crux_x001B_[2J Ltd")

    _edit(path, escape)

    path = save(
        "crc_mismatch.xlsx", _workbook(CUSTOMERS, [["C3", "Crux Ltd", "GB", "cy@crux.example"]])
    )
    _edit(path, lambda members: None, stored=True)
    raw = path.read_bytes()
    path.write_bytes(
        raw.replace(b"Crux Ltd", b"Crux Ltx", 1)
    )  # the archive's checksum no longer fits

    path = save(
        "missing_sheet_part.xlsx",
        _workbook(CUSTOMERS, [["C3", "Crux Ltd", "GB", "cy@crux.example"]]),
    )

    def drop(members: dict[str, bytes]) -> None:
        del members[SHEET]

    _edit(path, drop)

    path = save(
        "cut_short.xlsx", _workbook(CUSTOMERS, [["C3", "Crux Ltd", "GB", "cy@crux.example"]])
    )
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])

    not_zip = folder / "not_a_zip.xlsx"
    not_zip.write_text("customer,name\nC3,Crux Ltd\n", encoding="utf-8")
    made.append(not_zip)
    # an encrypted workbook is an OLE compound file, as an old .xls is: its signature
    encrypted = folder / "encrypted.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    made.append(encrypted)
    return made


if __name__ == "__main__":
    for made in build(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(made)
