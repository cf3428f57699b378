"""Every script prints as written: a letter and a court case file for a customer whose
name and address hold Polish, Danish, Turkish, French and Hungarian letters, read back
with `pdftotext`, and the font they use embedded in the PDF (`pdffonts`)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from recoup.letters import font
from recoup.letters.pdf import render_letter
from recoup.messages import catalogue
from recoup.messages.context import Business, sample, table_html, table_text, template_context
from recoup.messages.render import render
from recoup.services import casefile
from recoup.services.book import Book
from tests import casework_data as data
from tests.conftest import missing

NAME = "Łódź Ærøskøbing İzmir Œuvre"
CONTACT = "Gőz Şahin"
STREET = "Œuvre-Straße 5, İzmir Yolu"
TOWN = "90-001 Łódź"
ISLAND = "5970 Ærøskøbing"
ADDRESS = f"{NAME}\n{CONTACT}\n{STREET}\n{TOWN}\n{ISLAND}"
WORDS = (NAME, CONTACT, STREET, TOWN, ISLAND)
AS_OF = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _poppler() -> None:
    for tool in ("pdftotext", "pdffonts"):
        if shutil.which(tool) is None:
            missing(f"{tool} (poppler-utils)")


def read_back(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8").replace("\xa0", " ")


def fonts_of(pdf: bytes, tmp_path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) for each font of the PDF, as `pdffonts` lists them."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    lines = out.stdout.splitlines()[2:]  # a heading and a rule
    found = []
    for line in lines:
        cells = line.split()
        # name type... encoding emb sub uni object ID: "emb" is the 5th field from the end
        found.append((cells[0], cells[-5] == "yes"))
    return found


def assert_dejavu_embedded(pdf: bytes, tmp_path: Path) -> None:
    fonts = fonts_of(pdf, tmp_path)
    assert fonts, "the PDF lists no font"
    assert all(embedded for _name, embedded in fonts), fonts
    names = {name.split("+")[-1] for name, _ in fonts}
    assert names <= {"DejaVuSans", "DejaVuSans-Bold"}, names
    assert "DejaVuSans" in names


@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_a_letter_prints_every_latin_script_as_written(lang: str, tmp_path: Path) -> None:
    base = sample(lang)
    letter_data = replace(
        base,
        customer_name=NAME,
        contact_name=CONTACT,
        address=ADDRESS,
        business=replace(base.business, name="Søren Ødegård & Cie — £ € ő ş"),
    )
    source = catalogue.builtin_source("letter-before-action", lang)
    assert source is not None
    r = render(
        source, template_context(letter_data), table_text(letter_data), table_html(letter_data)
    )
    pdf = render_letter(letter_data, r.subject, r.marked)
    text = read_back(pdf, tmp_path)
    for words in WORDS:
        assert words in text, words
    assert "Søren Ødegård & Cie — £ € ő ş" in text
    assert "Lodz" not in text
    assert_dejavu_embedded(pdf, tmp_path)


def test_a_character_the_font_lacks_becomes_a_question_mark() -> None:
    # DejaVu Sans has no Chinese: such a character must not vanish silently
    assert font.printable("Łódź 中文") == "Łódź ??"
    assert font.printable(NAME) == NAME


def test_the_case_file_prints_every_latin_script_as_written(
    sqlite_book: Book, tmp_path: Path
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    body = (
        "customer,name,country,timezone,contact,email,address\n"
        f'C1,"{NAME}",PL,Europe/Warsaw,"{CONTACT}",goz@example.com,"{STREET}, {TOWN}, {ISLAND}"\n'
    )
    data.load_csv(sqlite_book, data.Kind.CUSTOMERS, folder, "customers.csv", body)
    data.invoices(
        sqlite_book,
        folder,
        [("C1", "FV/2026/Ł-1", date(2026, 1, 5), date(2026, 2, 4), "1234.56", "EUR", "0")],
    )
    made = casefile.render(sqlite_book, "C1", AS_OF, creditor="Søren Ødegård & Cie")
    text = read_back(made.pdf, tmp_path)
    flat = " ".join(text.split())
    for words in WORDS:
        assert words in flat, words
    assert "FV/2026/Ł-1" in flat
    assert "Søren Ødegård & Cie" in flat
    assert "?" not in flat
    assert_dejavu_embedded(made.pdf, tmp_path)


def test_business_details_with_accents_reach_the_letterhead(tmp_path: Path) -> None:
    base = sample("de")
    b = Business(
        name="Ærø Œuvre GmbH",
        address="Łąkowa 7\n90-001 Łódź",
        phone="+48 42 000 00 00",
        email="biuro@example.pl",
        bank="IBAN PL61 1090 1014 0000 0712 1981 2874",
        signature="Zsófia Kőváry",
        country="PL",
    )
    d = replace(base, business=b)
    source = catalogue.builtin_source("letter-before-action", "de")
    assert source is not None
    r = render(source, template_context(d), table_text(d), table_html(d))
    text = read_back(render_letter(d, r.subject, r.marked), tmp_path)
    for words in ("Ærø Œuvre GmbH", "Łąkowa 7", "90-001 Łódź", "Zsófia Kőváry"):
        assert words in text, words
