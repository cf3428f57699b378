"""Customer imports: email addresses checked (one bad address refuses the whole file,
naming its line and column), a list of addresses made into several contacts, and the
region read from a column or derived from the address. CSV and XLSX, on both databases."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from recoup.services import importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from tests.test_import_bad_input import snapshot

HEADER = ["customer", "name", "country", "contact", "email", "phone", "address", "channel"]


def write(tmp_path: Path, name: str, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    """The rows as a CSV or an XLSX file (by the name's suffix), with `header`."""
    path = tmp_path / name
    if name.endswith(".xlsx"):
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(path)
    else:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
        path.write_text(out.getvalue(), encoding="utf-8")
    return path


def contacts(book: Book, key: str) -> list[tuple[str, ...]]:
    with book.read() as conn:
        rows = conn.execute(
            text(
                "SELECT ct.name, ct.email, ct.phone, ct.address, ct.preferred_channel "
                "FROM contacts ct JOIN customers c ON c.id = ct.customer_id "
                "WHERE c.key = :k ORDER BY ct.id"
            ),
            {"k": key},
        )
        return [tuple(r) for r in rows]


def region(book: Book, key: str) -> str:
    with book.read() as conn:
        found = conn.execute(text("SELECT region FROM customers WHERE key = :k"), {"k": key})
        return str(found.scalar_one())


def imported(book: Book, path: Path) -> importing.ImportReport:
    report = importing.import_file(book, Kind.CUSTOMERS, path, Options())
    assert report.ok, report.problems
    return report


@pytest.fixture(params=["csv", "xlsx"])
def suffix(request: pytest.FixtureRequest) -> str:
    return str(request.param)


BAD_ADDRESSES = [
    ("a@b.example\nBcc: x@y.example", "'Bcc:' is not an email address"),
    ("jo hn@x.example", "'jo' is not an email address"),
    ("a@@b.example", "'a@@b.example' is not an email address"),
    ("a@b@c.example", "'a@b@c.example' is not an email address"),
    ("Jo Smith <jo@x.example>", "give the addresses alone"),
    ("nobody", "'nobody' is not an email address"),
    ("x@localhost", "'x@localhost' is not an email address"),
]


@pytest.mark.parametrize(("address", "message"), BAD_ADDRESSES)
def test_a_bad_address_refuses_the_file_and_names_its_cell(
    book: Book, tmp_path: Path, suffix: str, address: str, message: str
) -> None:
    good = write(tmp_path, f"good.{suffix}", [["C1", "Acme", "GB", "Ann", "ann@acme.example",
                                              "", "", "email"]])  # fmt: skip
    imported(book, good)
    before = snapshot(book)
    bad = write(
        tmp_path,
        f"bad.{suffix}",
        [
            ["C2", "Bolt", "GB", "Bo", "bo@bolt.example", "", "", "email"],
            ["C3", "Crux", "GB", "Cy", address, "", "", "email"],
        ],
    )
    report = importing.import_file(book, Kind.CUSTOMERS, bad, Options())
    assert not report.ok
    assert report.imported == report.updated == report.unchanged == 0
    # a CSV record is named by its last line and its column by number
    line, column = (3, "E") if suffix == "xlsx" else (3 + address.count("\n"), "5")
    assert len(report.problems) == 1
    problem = str(report.problems[0])
    assert problem.startswith(f"{bad}:{line}:{column}: email "), problem
    assert message in problem
    assert snapshot(book) == before


def test_a_list_of_addresses_makes_several_contacts(
    book: Book, tmp_path: Path, suffix: str
) -> None:
    listed = "ann@acme.example, bea@acme.example;cy@acme.example\ndi@acme.example ANN@acme.example"
    path = write(
        tmp_path,
        f"list.{suffix}",
        [["C1", "Acme", "GB", "Ann", listed, "+44 1", "1 High St|Leeds LS1 1AA", "letter"]],
    )
    report = imported(book, path)
    assert report.imported == 1
    rest = ("+44 1", "1 High St|Leeds LS1 1AA", "letter")
    assert contacts(book, "C1") == [
        ("Ann", "ann@acme.example", *rest),
        ("Ann", "bea@acme.example", *rest),
        ("Ann", "cy@acme.example", *rest),
        ("Ann", "di@acme.example", *rest),
    ]
    # the same file again changes nothing: not even the contacts' ids
    with book.read() as conn:
        ids = sorted(r[0] for r in conn.execute(text("SELECT id FROM contacts")))
    again = imported(book, path)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 1)
    with book.read() as conn:
        assert sorted(r[0] for r in conn.execute(text("SELECT id FROM contacts"))) == ids
    # a shorter list replaces the contacts, and the customer counts as updated
    shorter = write(
        tmp_path,
        f"shorter.{suffix}",
        [["C1", "Acme", "GB", "Ann", "bea@acme.example", "+44 1", "1 High St|Leeds LS1 1AA",
          "letter"]],
    )  # fmt: skip
    changed = imported(book, shorter)
    assert (changed.imported, changed.updated, changed.unchanged) == (0, 1, 0)
    assert contacts(book, "C1") == [("Ann", "bea@acme.example", *rest)]


def test_a_row_without_an_email_keeps_one_contact(book: Book, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", [["C1", "Acme", "GB", "Ann", "", "+44 1", "", "phone"]])
    imported(book, path)
    assert contacts(book, "C1") == [("Ann", "", "+44 1", "", "phone")]


def test_addresses_are_kept_normalised(book: Book, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", [["C1", "Acme", "DE", "", "Jana@Bäckerei.Example", "", "",
                                      ""]])  # fmt: skip
    imported(book, path)
    assert [c[1] for c in contacts(book, "C1")] == ["Jana@bäckerei.example"]


# --- the region ----------------------------------------------------------------------

REGION_HEADER = ["customer", "name", "country", "region", "address"]


@pytest.mark.parametrize(
    ("column", "country", "given", "code"),
    [
        ("region", "GB", "SCT", "SCT"),
        ("Region", "GB", "Scotland", "SCT"),
        ("State", "US", "California", "CA"),
        ("state", "US", "ny", "NY"),
        ("Province", "CA", "Québec", "QC"),
        ("Bundesland", "DE", "Bayern", "BY"),
        ("Bundesland", "DE", "Bavaria", "BY"),
        ("subdivision", "AU", "NSW", "NSW"),
        ("region", "DE", "DE-BE", "BE"),
    ],
)
def test_a_region_column_by_code_or_name(
    book: Book, tmp_path: Path, suffix: str, column: str, country: str, given: str, code: str
) -> None:
    header = ["customer", "name", "country", column]
    imported(book, write(tmp_path, f"r.{suffix}", [["C1", "X", country, given]], header))
    assert region(book, "C1") == code


def test_an_unknown_region_is_refused_with_its_cell(
    book: Book, tmp_path: Path, suffix: str
) -> None:
    before = snapshot(book)
    path = write(
        tmp_path,
        f"r.{suffix}",
        [["C1", "X", "GB", "SCT", ""], ["C2", "Y", "DE", "Atlantis", ""]],
        REGION_HEADER,
    )
    report = importing.import_file(book, Kind.CUSTOMERS, path, Options())
    column = "D" if suffix == "xlsx" else "4"
    assert [str(p) for p in report.problems] == [
        f"{path}:3:{column}: region 'Atlantis' is not a region of DE; its regions are "
        "BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH, Augsburg"
    ]
    assert snapshot(book) == before


def test_a_region_is_checked_against_the_country_in_the_book(book: Book, tmp_path: Path) -> None:
    imported(book, write(tmp_path, "a.csv", [["C1", "X", "US", "", ""]], REGION_HEADER))
    header = ["customer", "region"]
    imported(book, write(tmp_path, "b.csv", [["C1", "Texas"]], header))
    assert region(book, "C1") == "TX"
    report = importing.import_file(
        book, Kind.CUSTOMERS, write(tmp_path, "c.csv", [["C1", "Bayern"]], header), Options()
    )
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'c.csv'}:2:2: region 'Bayern' is not a region of US; its regions "
        "are AK, AL, AR, AS, AZ, CA, CO, CT, DC, DE, FL, GA, GU, HI, IA, ID, IL, IN, KS, KY, "
        "LA, MA, MD, ME, …"
    ]
    assert region(book, "C1") == "TX"
    nowhere = importing.import_file(
        book, Kind.CUSTOMERS, write(tmp_path, "d.csv", [["C9", "BY"]], header), Options()
    )
    assert [str(p) for p in nowhere.problems] == [
        f"{tmp_path / 'd.csv'}:2:2: region 'BY' needs the customer's country (add a country column)"
    ]


def test_the_region_is_derived_from_the_address(book: Book, tmp_path: Path, suffix: str) -> None:
    rows = [
        ["E1", "London Ltd", "GB", "", "1 Strand|London WC2N 5DU"],
        ["S1", "Edinburgh Ltd", "GB", "", "10 Princes St\nEdinburgh EH2 2AN"],
        ["U1", "Seattle LLC", "US", "", "77 Pine Street|Seattle, WA 98101"],
        ["K1", "Toronto Inc", "CA", "", "1 King St W|Toronto ON M5H 1A1"],
        ["A1", "Sydney Pty", "AU", "", "1 George St|Sydney NSW 2000"],
        ["D1", "Berlin GmbH", "DE", "", "Unter den Linden 1|10117 Berlin"],
        ["D2", "Köln GmbH", "DE", "", "Lindenallee 7|50667 Köln"],
        ["F1", "Lyon SARL", "FR", "", "8 Place Bellecour|69002 Lyon"],
        ["G1", "Given Ltd", "GB", "WLS", "1 Strand|London WC2N 5DU"],  # the column wins
    ]
    imported(book, write(tmp_path, f"r.{suffix}", rows, REGION_HEADER))
    found = {key: region(book, key) for key, *_ in rows}
    assert found == {
        "E1": "ENG", "S1": "SCT", "U1": "WA", "K1": "ON", "A1": "NSW", "D1": "BE",
        "D2": "", "F1": "", "G1": "WLS",
    }  # fmt: skip


def test_the_region_on_re_import(book: Book, tmp_path: Path) -> None:
    """A region column is the file's word (an empty cell: the address's region, or
    none); without one, a region found in the address replaces the book's, and the
    book's stays otherwise, unless the customer moves to another country."""
    header = ["customer", "country", "region", "address"]
    imported(book, write(tmp_path, "a.csv", [["C1", "DE", "BY", "80331 München"]], header))
    assert region(book, "C1") == "BY"
    no_column = ["customer", "country", "address"]
    same = imported(book, write(tmp_path, "b.csv", [["C1", "DE", "80331 München"]], no_column))
    assert (same.updated, same.unchanged) == (0, 1)
    assert region(book, "C1") == "BY"  # nothing found in the address: the book's stays
    imported(book, write(tmp_path, "c.csv", [["C1", "DE", "10115 Berlin"]], no_column))
    assert region(book, "C1") == "BE"
    imported(book, write(tmp_path, "d.csv", [["C1", "DE", "", "80331 München"]], header))
    assert region(book, "C1") == ""  # the column says nothing and the address neither
    imported(book, write(tmp_path, "e.csv", [["C1", "DE", "Bayern", ""]], header))
    imported(book, write(tmp_path, "f.csv", [["C1", "FR", "Paris"]], no_column))
    assert region(book, "C1") == ""  # BY is no region of France
