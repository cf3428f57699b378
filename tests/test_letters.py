"""Letters as PDF, read back with pdftotext: amounts, invoice numbers, the address where
the window shows it, interest and fees apart from the principal, paper by country."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from recoup.domain.money import Money
from recoup.letters.pdf import render_letter
from recoup.messages import catalogue
from recoup.messages.context import Item, sample, table_html, table_text, template_context
from recoup.messages.render import render
from tests.conftest import missing

MM = 72 / 25.4


@pytest.fixture(autouse=True)
def _poppler() -> None:
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        missing("pdftotext (poppler-utils)")


def letter(lang: str, **changes) -> bytes:
    data = replace(sample(lang), **changes)
    source = catalogue.builtin_source("letter-before-action", lang)
    assert source is not None
    r = render(source, template_context(data), table_text(data), table_html(data))
    return render_letter(data, r.subject, r.marked)


def pdftotext(pdf: bytes, tmp_path: Path, *crop: float) -> str:
    path = tmp_path / "l.pdf"
    path.write_bytes(pdf)
    args = ["pdftotext", "-layout"]
    if crop:
        x, y, w, h = (str(round(v)) for v in crop)
        args += ["-x", x, "-y", y, "-W", w, "-H", h]
    out = subprocess.run([*args, str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").replace("\xa0", " ")


def page_size(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return next(line for line in out.stdout.splitlines() if line.startswith("Page size"))


@pytest.mark.parametrize(
    ("lang", "amounts", "labels"),
    [
        (
            "de",
            ["1.200,00 €", "230,50 €", "1.430,50 €", "12,40 €", "5,00 €", "1.447,90 €"],
            ["Hauptforderung", "Zinsen", "Gebühren", "Offener Gesamtbetrag"],
        ),
        (
            "fr",
            ["1 200,00 €", "230,50 €", "1 430,50 €", "12,40 €", "5,00 €", "1 447,90 €"],
            ["principal", "Intérêts", "Frais", "Total à régler"],
        ),
        (
            "en",
            ["$1,200.00", "$230.50", "$1,430.50", "$12.40", "$5.00", "$1,447.90"],
            ["Invoices (principal)", "Interest", "Fees", "Total due"],
        ),
    ],
)
def test_letter_reads_back_with_amounts_invoices_and_charges_apart(
    lang, amounts, labels, tmp_path: Path
):
    text = pdftotext(letter(lang), tmp_path)
    for number in ("INV-2026-014", "INV-2026-031"):
        assert number in text
    for amount in amounts:
        assert amount in text, amount
    for label in labels:
        assert label in text, label
    assert "C1042" in text  # the customer number, also the payment reference


def test_a4_address_sits_in_the_din_5008_window(tmp_path: Path):
    pdf = letter("de")
    assert "A4" in page_size(pdf, tmp_path)
    # DIN 5008 form B: 20 mm from the left, 45 mm from the top, 85 x 45 mm
    window = pdftotext(pdf, tmp_path, 20 * MM, 45 * MM, 85 * MM, 45 * MM)
    for line in ("Bäckerei Sonnenschein GmbH", "Jana Köhler", "Lindenallee 7", "50667 Köln"):
        assert line in window
    assert "Hafenstraße 12" in window  # the return line above the address
    assert "INV-2026-014" not in window
    assert "Guten Tag" not in window


def test_us_customers_get_us_letter_and_a_number_10_window(tmp_path: Path):
    pdf = letter("en")
    assert "letter" in page_size(pdf, tmp_path)
    # #10 envelope window: 7/8 in from the left, about 2 in from the top, 4 x 1.1 in
    window = pdftotext(pdf, tmp_path, 0.875 * 72, 2.0 * 72, 4 * 72, 1.1 * 72)
    for line in ("Harbor Light Coffee LLC", "Sam Ortega", "77 Pine Street", "Seattle, WA 98101"):
        assert line in window
    assert "Dear Sam Ortega" not in window


def test_a_long_account_runs_onto_more_pages(tmp_path: Path):
    cur = "EUR"
    items = tuple(
        Item(
            f"R-{n:04d}",
            date(2025, 1, 1),
            date(2025, 2, 1),
            Money(10000 + n, cur),
            Money(10000 + n, cur),
        )
        for n in range(90)
    )
    pdf = letter("de", items=items)
    text = pdftotext(pdf, tmp_path)
    assert "R-0000" in text
    assert "R-0089" in text
    assert "Seite 1 von 3" in text or "Seite 1 von 2" in text
    total = sum(i.open.minor for i in items) + 1240 + 500
    assert f"{total // 100:,}".replace(",", ".") + f",{total % 100:02d} €" in text


def test_same_letter_same_bytes():
    assert letter("fr") == letter("fr")


def test_french_letters_put_the_address_in_the_right_hand_window(tmp_path: Path):
    pdf = letter("fr")
    assert "A4" in page_size(pdf, tmp_path)
    # La Poste: the address field is 85 x 33 mm, 110 mm from the left, 55 mm from the top
    window = pdftotext(pdf, tmp_path, 110 * MM, 55 * MM, 85 * MM, 33 * MM)
    for line in ("Atelier Marchand SARL", "Élodie Marchand", "8 Place Bellecour", "69002 Lyon"):
        assert line in window
    assert "12 Rue des Tanneurs" in window  # the return line
    assert "C1042" not in window
    assert "Madame" not in window
    # the customer number and the date moved to the left, where the address is not
    left = pdftotext(pdf, tmp_path, 20 * MM, 45 * MM, 85 * MM, 45 * MM)
    assert "8 Place Bellecour" not in left
    assert "N° client" in left
    assert "C1042" in left
    assert "16 mars 2026" in left


def test_numbers_never_break_across_lines(tmp_path: Path):
    # the French sample's phone number and IBAN used to fall across two lines
    lines = pdftotext(letter("fr"), tmp_path).splitlines()
    assert any("+33 4 72 00 00 00" in line for line in lines)
    assert any("IBAN FR76 3000 6000 0112 3456 7890 189" in line for line in lines)
    assert any("Coordonnées bancaires : IBAN FR76" in line for line in lines)  # French colon
    # amounts, the phone number and the IBAN stay whole wherever a line happens to end:
    # moved along by charges and phone numbers of other lengths
    base = sample("fr")
    for interest, phone in (
        ("12.40", "+33 1 2"),
        ("1234.56", "+33 4 72 00 00 00 00"),
        ("0.99", ""),
    ):
        business = replace(base.business, phone=phone or base.business.phone)
        data = {"interest": Money.of(interest, "EUR"), "business": business}
        lines = [
            " ".join(x.split()) for x in pdftotext(letter("fr", **data), tmp_path).splitlines()
        ]
        joined = " ".join(lines)
        wholes = [*(m for m in re.findall(r"\d[\d ]*,\d\d €", joined)), business.phone]
        for whole in wholes:
            assert joined.count(whole) == sum(x.count(whole) for x in lines), whole
