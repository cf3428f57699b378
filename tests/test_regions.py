"""The customer's region: read from an import's column, derived from an address, and
turned into the holiday calendar's code."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.local_calendar import holiday_calendar, holiday_code
from recoup.domain.regions import region_code, region_from_address, subdivisions


@pytest.mark.parametrize(
    ("country", "region", "code"),
    [
        ("GB", "SCT", "GB-SCT"),
        ("de", "by", "DE-BY"),
        ("US", "", "US"),
        (" US ", "  ", "US"),
        ("", "BY", ""),
        ("", "", ""),
    ],
)
def test_holiday_code(country: str, region: str, code: str) -> None:
    assert holiday_code(country, region) == code


def test_holiday_code_gives_the_regions_holidays() -> None:
    second_january = date(2026, 1, 2)  # a bank holiday in Scotland, not in England
    assert holiday_calendar(holiday_code("GB", "SCT")).holiday(second_january)
    assert holiday_calendar(holiday_code("GB", "ENG")).holiday(second_january) is None
    epiphany = date(2026, 1, 6)  # in Bavaria, not in Berlin
    assert holiday_calendar(holiday_code("DE", "BY")).holiday(epiphany) == "Epiphany"
    assert holiday_calendar(holiday_code("DE", "BE")).holiday(epiphany) is None


def test_a_subdivision_code_in_any_case_is_found() -> None:
    calendar = holiday_calendar(holiday_code("DE", "augsburg"))
    assert calendar.subdivision == "Augsburg"
    assert calendar.note is None
    assert calendar.holiday(date(2026, 8, 8)) is not None  # the Augsburg peace festival


# --- region_code: a code in any case, or a name --------------------------------------

COUNTRIES_WITH_REGIONS = ("GB", "DE", "US", "CA", "AU", "AT", "CH", "ES")


@pytest.mark.parametrize("country", COUNTRIES_WITH_REGIONS)
def test_every_subdivision_code_is_found_in_any_case_and_with_its_country(country: str) -> None:
    codes = subdivisions(country)
    assert codes
    for code in codes:
        assert region_code(country, code) == code
        assert region_code(country, code.lower()) == code
        assert region_code(country, f" {country.lower()}-{code} ") == code


@pytest.mark.parametrize(
    ("country", "text", "code"),
    [
        ("GB", "Scotland", "SCT"),
        ("GB", "northern ireland", "NIR"),
        ("DE", "Bayern", "BY"),
        ("DE", "Bavaria", "BY"),
        ("DE", "Baden-Württemberg", "BW"),
        ("DE", "Baden-Wuerttemberg", "BW"),
        ("DE", "THÜRINGEN", "TH"),
        ("DE", "Thueringen", "TH"),
        ("DE", "North Rhine-Westphalia", "NW"),
        ("US", "California", "CA"),
        ("US", "district of columbia", "DC"),
        ("CA", "Quebec", "QC"),
        ("AU", "New South Wales", "NSW"),
        ("AT", "Wien", "9"),
        ("AT", "Vienna", "9"),
        ("GB", "Bavaria", None),
        ("GB", "", None),
        ("", "SCT", None),
        ("XX", "SCT", None),
        ("US", "GB-SCT", None),
    ],
)
def test_region_names(country: str, text: str, code: str | None) -> None:
    assert region_code(country, text) == code


# --- region_from_address ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "address", "code"),
    [
        ("US", "77 Pine Street|Seattle WA 98101", "WA"),
        ("US", "1 Capitol Mall\nSacramento, California 95814-4801", "CA"),
        ("US", "1600 Pennsylvania Ave NW|Washington, DC 20500", "DC"),
        ("US", "1 Main Street|Springfield", ""),
        ("GB", "1 High Street|Leeds LS1 1AA", "ENG"),
        ("GB", "10 Downing Street|London SW1A 2AA", "ENG"),
        ("GB", "10 Princes Street\nEdinburgh EH2 2AN", "SCT"),
        ("GB", "1 George Square, Glasgow G2 1DU", "SCT"),
        ("GB", "Lerwick ze1 0aa", "SCT"),
        ("GB", "1 Donegall Sq|Belfast BT1 5GS", "NIR"),
        ("GB", "Cardiff CF10 1EP", "WLS"),
        ("GB", "Chester CH1 2HJ", ""),  # the CH area reaches into Wales
        ("GB", "Berwick-upon-Tweed TD15 1AA", ""),  # the TD area is mostly Scotland
        ("GB", "St Peter Port GY1 1AA", ""),  # Guernsey
        ("GB", "Suite B2, Leeds", ""),
        ("CA", "1 King St W|Toronto ON M5H 1A1", "ON"),
        ("CA", "Montréal, QC H2Y 1C6", "QC"),
        ("CA", "Vancouver V6B 1A1", "BC"),  # the postal code's letter
        ("CA", "Toronto QC M5H 1A1", ""),  # the code and the postal code disagree
        ("CA", "Iqaluit X0A 0H0", ""),  # X is two territories
        ("CA", "Iqaluit NU X0A 0H0", "NU"),
        ("AU", "1 George St|Sydney NSW 2000", "NSW"),
        ("AU", "Perth, Western Australia 6000", "WA"),
        ("AU", "Acme SA", ""),
        ("DE", "Marienplatz 1|80331 München|Bayern", "BY"),
        ("DE", "Unter den Linden 1|10117 Berlin", "BE"),
        ("DE", "Jungfernstieg 1|20354 Hamburg-Neustadt", "HH"),
        ("DE", "Markt 1|06108 Halle (Saale), Sachsen-Anhalt", "ST"),
        ("DE", "Marienplatz 1|80331 München", ""),
        ("DE", "Bayern Logistik GmbH|Hohe Str. 1|50667 Köln", ""),  # a name, not the place
        ("DE", "Hauptstr. 1|01067 Dresden, Sachsen oder Bayern", ""),  # two: not clear
        ("DE", "Hauptstr. 1|Bayreuth, Bavaria|Germany", "BY"),
        ("FR", "8 Place Bellecour|69002 Lyon", ""),
        ("", "10 Princes Street\nEdinburgh EH2 2AN", ""),
    ],
)
def test_region_from_address_examples(country: str, address: str, code: str) -> None:
    assert region_from_address(country, address) == code


SCOTTISH = "AB DD DG EH FK G HS IV KA KW KY ML PA PH ZE".split()
WELSH = "CF LD LL NP SA".split()
ACROSS = "CH HR SY TD GY JE IM".split()
ENGLISH = (
    "AL B BA BB BD BH BL BN BR BS CA CB CM CO CR CT CV CW DA DE DH DL DN DT DY E EC EN EX "
    "FY GL GU HA HD HG HP HU HX IG IP KT L LA LE LN LS LU M ME MK N NE NG NN NR NW OL OX "
    "PE PL PO PR RG RH RM S SE SG SK SL SM SN SO SP SR SS ST SW TA TF TN TQ TR TS TW UB W "
    "WA WC WD WF WN WR WS WV YO"
).split()
WORDS = ("Mill", "Lane", "Harbour", "Oak", "Kingsway", "Court", "Green", "Unit", "Flat")
lines_of_words = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join), max_size=3
)
house = st.integers(1, 999).map(str)
joiner = st.sampled_from(["\n", "|", ", "])


def gb_postcode(area: str) -> st.SearchStrategy[str]:
    district = st.one_of(
        st.integers(1, 99).map(str),
        st.tuples(st.integers(1, 9), st.sampled_from("ABCDEHJKMNPRSTVWXY")).map(
            lambda t: f"{t[0]}{t[1]}"
        ),
    )
    inward = st.tuples(
        st.integers(0, 9), st.sampled_from("ABDEFGHJLNPQRSTUWXYZ"), st.sampled_from("ABDEFGHJ")
    ).map(lambda t: f"{t[0]}{t[1]}{t[2]}")
    space = st.sampled_from([" ", "  ", ""])
    return st.tuples(district, space, inward).map(lambda t: f"{area}{t[0]}{t[1]}{t[2]}")


@pytest.mark.parametrize("area", [*SCOTTISH, "BT", *WELSH, *ACROSS, *ENGLISH])
@settings(max_examples=15, deadline=None)
@given(data=st.data(), words=lines_of_words, number=house, join=joiner, lower=st.booleans())
def test_gb_region_is_the_postcode_areas(
    area: str, data: st.DataObject, words: list[str], number: str, join: str, lower: bool
) -> None:
    postcode = data.draw(gb_postcode(area))
    expected = (
        "SCT" if area in SCOTTISH
        else "NIR" if area == "BT"
        else "WLS" if area in WELSH
        else "" if area in ACROSS
        else "ENG"
    )  # fmt: skip
    address = join.join(
        [f"{number} {w}" for w in words] + [postcode.lower() if lower else postcode]
    )
    assert region_from_address("GB", address) == expected


@settings(deadline=None)
@given(
    st.sampled_from([c for c in subdivisions("US") if len(c) == 2]),
    st.integers(0, 99999).map(lambda n: f"{n:05d}"),
    st.one_of(st.just(""), st.integers(0, 9999).map(lambda n: f"-{n:04d}")),
    st.sampled_from([" ", ", ", ". "]),
    lines_of_words,
    joiner,
)
def test_us_region_is_the_state_before_the_zip_code(
    state: str, zip5: str, plus4: str, between: str, words: list[str], join: str
) -> None:
    address = join.join([*words, f"Springfield, {state}{between}{zip5}{plus4}"])
    assert region_from_address("US", address) == state


CA_LETTERS = {
    "A": "NL", "B": "NS", "C": "PE", "E": "NB", "G": "QC", "H": "QC", "J": "QC", "K": "ON",
    "L": "ON", "M": "ON", "N": "ON", "P": "ON", "R": "MB", "S": "SK", "T": "AB", "V": "BC",
    "Y": "YT",
}  # fmt: skip


@settings(deadline=None)
@given(
    st.sampled_from(sorted(CA_LETTERS)),
    st.tuples(st.integers(0, 9), st.sampled_from("ABCEGHJKLMNPRSTVWXYZ"), st.integers(0, 9)),
    st.booleans(),
    lines_of_words,
    joiner,
)
def test_ca_region_is_the_province_of_the_postal_code(
    letter: str, rest: tuple[int, str, int], named: bool, words: list[str], join: str
) -> None:
    province = CA_LETTERS[letter]
    postal = f"{letter}{rest[0]}{rest[1]} {rest[2]}{rest[1]}{rest[0]}"
    last = f"Townsville {province} {postal}" if named else f"Townsville {postal}"
    assert region_from_address("CA", join.join([*words, last])) == province


@settings(deadline=None)
@given(
    st.sampled_from(["NSW", "VIC", "QLD", "SA", "WA", "TAS", "NT", "ACT"]),
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    lines_of_words,
    joiner,
)
def test_au_region_is_the_state_before_the_postcode(
    state: str, postcode: str, words: list[str], join: str
) -> None:
    address = join.join([*words, f"Smithton {state} {postcode}"])
    assert region_from_address("AU", address) == state


LAENDER = {
    "Baden-Württemberg": "BW", "Bayern": "BY", "Bavaria": "BY", "Berlin": "BE",
    "Brandenburg": "BB", "Bremen": "HB", "Hamburg": "HH", "Hessen": "HE", "Hesse": "HE",
    "Mecklenburg-Vorpommern": "MV", "Niedersachsen": "NI", "Lower Saxony": "NI",
    "Nordrhein-Westfalen": "NW", "Rheinland-Pfalz": "RP", "Saarland": "SL",
    "Sachsen": "SN", "Saxony": "SN", "Sachsen-Anhalt": "ST", "Schleswig-Holstein": "SH",
    "Thüringen": "TH", "Thuringia": "TH",
}  # fmt: skip


@settings(deadline=None)
@given(
    st.sampled_from(sorted(LAENDER)),
    st.integers(1000, 99999).map(lambda n: f"{n:05d}"),
    st.sampled_from(["Ahrensfelde", "Neustadt", "Musterstadt"]),
    st.sampled_from([", ", " ", "\n", "|", " ("]),
    st.booleans(),
    joiner,
)
def test_de_region_is_the_land_named_after_the_postcode(
    land: str, postcode: str, city: str, between: str, upper: bool, join: str
) -> None:
    named = land.upper() if upper else land
    address = join.join(["Hauptstraße 5", f"{postcode} {city}{between}{named}", "Deutschland"])
    assert region_from_address("DE", address) == LAENDER[land]


@settings(deadline=None)
@given(
    st.sampled_from(["US", "GB", "CA", "AU", "DE", "FR", "AT", "XX", "", "gb"]),
    st.text(max_size=80),
)
def test_any_address_gives_a_region_of_its_country_or_none(country: str, address: str) -> None:
    found = region_from_address(country, address)
    assert found == "" or found in subdivisions(country.upper())
    if country.upper() not in ("US", "GB", "CA", "AU", "DE"):
        assert found == ""
