"""The region of a customer within their country: the subdivision whose public holidays
apply (England and Scotland differ, so do German Länder and US states). No I/O: the
subdivisions are the `holidays` package's tables.

- `subdivisions(country)`: the ISO 3166-2 subdivision codes (after the dash) the holiday
  tables know for a country ("SCT", "BY", "CA", "NSW"); empty for a country they do not
  know.
- `region_code(country, text)`: a region as a person writes it — a code in any case
  ("by", "DE-BY") or a name ("Bayern", "Bavaria", "Scotland", "California",
  "Baden-Wuerttemberg") — as the subdivision code; None when it is no subdivision of
  that country.
- `region_from_address(country, address)`: the region an address names beyond doubt, or
  "" when it names none or is not clear. Lines may be separated by line breaks or "|".
  - US: the state's two-letter code (or its name) just before the ZIP code
    ("Seattle, WA 98101").
  - GB: the area of the last postcode in the address (the letters before the first
    digit): the Scottish areas are Scotland, BT Northern Ireland, the areas that lie
    wholly in Wales (CF LD LL NP SA) Wales, every other area England — except the
    areas that straddle a border (CH, HR, SY with Wales; TD with England) and the Crown
    dependencies (GY, JE, IM), which give "".
  - CA: the province code before the postal code ("Toronto ON M5V 2T6"), else the
    province of the postal code's first letter (X, shared by two territories, gives
    ""); a code that contradicts the postal code gives "".
  - AU: the state's abbreviation (or name) just before the four-digit postcode
    ("Sydney NSW 2000").
  - DE: the name of a Land (German or English: "Bayern", "Bavaria") after the postcode,
    or the city-states by their city ("10115 Berlin" is Berlin); the last line when
    there is no postcode. Two different Länder named give "".
  - Anywhere else: "".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def _tables(country: str) -> tuple[tuple[str, ...], Mapping[str, str]]:
    try:
        table = holidays.country_holidays(country, years=())
    except NotImplementedError:
        return (), {}
    aliases = dict(getattr(table, "subdivisions_aliases", {}) or {})
    return tuple(table.subdivisions), aliases


def subdivisions(country: str) -> tuple[str, ...]:
    """The subdivision codes the holiday tables know for `country` (ISO 3166-1 alpha-2)."""
    return _tables(country.strip().upper())[0]


# names the holiday tables do not give: English ones, and German ones spelt without
# umlauts are covered by the folding below
_MORE_NAMES: dict[str, dict[str, str]] = {
    "DE": {
        "Bavaria": "BY",
        "Lower Saxony": "NI",
        "North Rhine-Westphalia": "NW",
        "Rhineland-Palatinate": "RP",
        "Saxony": "SN",
        "Saxony-Anhalt": "ST",
        "Thuringia": "TH",
        "Hesse": "HE",
        "Mecklenburg-Western Pomerania": "MV",
        "Mecklenburg-West Pomerania": "MV",
        "Bremerhaven": "HB",
    },
    "AT": {
        "Vienna": "9",
        "Carinthia": "2",
        "Lower Austria": "3",
        "Upper Austria": "4",
        "Styria": "6",
        "Tyrol": "7",
    },
    "CH": {"Geneva": "GE", "Zurich": "ZH", "Lucerne": "LU", "Grisons": "GR"},
    "ES": {
        "Andalusia": "AN",
        "Catalonia": "CT",
        "Basque Country": "PV",
        "Balearic Islands": "IB",
        "Canary Islands": "CN",
        "Navarre": "NC",
        "Valencian Community": "VC",
        "Castile and Leon": "CL",
        "Castile-La Mancha": "CM",
    },
}

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _fold(text: str, umlauts: bool = False) -> str:
    """A name compared without case, accents, spaces or punctuation ("Baden-Württemberg"
    -> "badenwurttemberg"; with `umlauts`, "badenwuerttemberg")."""
    low = text.casefold()
    if umlauts:
        low = low.translate(_UMLAUTS)
    plain = unicodedata.normalize("NFKD", low)
    return "".join(ch for ch in plain if ch.isalnum())


@lru_cache(maxsize=256)
def _names(country: str) -> Mapping[str, str]:
    """Folded name or code -> code, for one country."""
    codes, aliases = _tables(country)
    out: dict[str, str] = {}
    named = {**aliases, **_MORE_NAMES.get(country, {})}
    for name, code in named.items():
        if code in codes:
            out[_fold(name)] = code
            out[_fold(name, umlauts=True)] = code
    for code in codes:  # a code wins over a name spelt the same
        out[_fold(code)] = code
    return out


def region_code(country: str, text: str) -> str | None:
    """The subdivision of `country` that `text` names (a code or a name), or None."""
    nation = country.strip().upper()
    wanted = text.strip()
    if not nation or not wanted:
        return None
    prefix = nation + "-"
    if wanted.upper().startswith(prefix):
        wanted = wanted[len(prefix) :]
    return _names(nation).get(_fold(wanted))


# --- from an address ------------------------------------------------------------------


def _lines(address: str) -> list[str]:
    return [x.strip() for x in address.replace("|", "\n").splitlines() if x.strip()]


def _name_alternatives(country: str) -> str:
    """A country's subdivision names as one regular expression (longest first, so
    "Sachsen-Anhalt" is found before "Sachsen")."""
    codes, aliases = _tables(country)
    names = [n for n, c in {**aliases, **_MORE_NAMES.get(country, {})}.items() if c in codes]
    names.sort(key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


@lru_cache(maxsize=16)
def _names_pattern(country: str) -> re.Pattern[str]:
    """Any of a country's subdivision names, as a whole word (case ignored)."""
    return re.compile(rf"(?<![\w-])({_name_alternatives(country)})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=16)
def _before_code(country: str, code_pattern: str, after: str) -> re.Pattern[str]:
    """A subdivision code (upper case, exactly) or name (any case) just before `after`."""
    names = _name_alternatives(country)
    return re.compile(rf"(?:\b({code_pattern})|(?<![\w-])(?i:({names})))\.?,?\s+{after}")


def _last_named(country: str, pattern: re.Pattern[str], text: str) -> str:
    found = ""
    for m in pattern.finditer(text):
        code = region_code(country, m.group(1) or m.group(2))
        found = code or found
    return found


def _us(text: str) -> str:
    pattern = _before_code("US", "[A-Z]{2}", r"\d{5}(?:-\d{4})?\b")
    return _last_named("US", pattern, text)


_GB_POSTCODE = re.compile(r"\b([A-Z]{1,2})\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_GB_AREAS = frozenset(
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL "
    "DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA "
    "KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO "
    "PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB "
    "W WA WC WD WF WN WR WS WV YO ZE".split()
)
_GB_REGION = {
    **dict.fromkeys("AB DD DG EH FK G HS IV KA KW KY ML PA PH ZE".split(), "SCT"),  # Scotland
    "BT": "NIR",
    **dict.fromkeys("CF LD LL NP SA".split(), "WLS"),
    # across a border, or not in the United Kingdom: not clear
    **dict.fromkeys("CH HR SY TD GY JE IM".split(), ""),
}


def _gb(text: str) -> str:
    areas = [m.group(1).upper() for m in _GB_POSTCODE.finditer(text)]
    areas = [a for a in areas if a in _GB_AREAS]
    if not areas:
        return ""
    return _GB_REGION.get(areas[-1], "ENG")


_CA_POSTAL = r"([A-Z])\d[A-Z] ?\d[A-Z]\d\b"
_CA_LETTER = {
    "A": "NL", "B": "NS", "C": "PE", "E": "NB", "G": "QC", "H": "QC", "J": "QC",
    "K": "ON", "L": "ON", "M": "ON", "N": "ON", "P": "ON", "R": "MB", "S": "SK",
    "T": "AB", "V": "BC", "Y": "YT",
}  # fmt: skip


def _ca(text: str) -> str:
    postal = list(re.finditer(rf"\b{_CA_POSTAL}", text))
    if not postal:
        return ""
    by_letter = _CA_LETTER.get(postal[-1].group(1), "")
    named = _last_named("CA", _before_code("CA", "[A-Z]{2}", _CA_POSTAL), text)
    if named and by_letter and named != by_letter:
        return ""
    return named or by_letter


def _au(text: str) -> str:
    pattern = _before_code("AU", "NSW|VIC|QLD|SA|WA|TAS|NT|ACT", r"\d{4}\b")
    return _last_named("AU", pattern, text)


_DE_POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_COUNTRY_LINES = frozenset({"deutschland", "germany", "allemagne", "de", "brd"})


def _de(text: str) -> str:
    codes: set[str] = set()
    postcodes = list(_DE_POSTCODE.finditer(text))
    if postcodes:
        where = text[postcodes[-1].end() :]
    else:
        lines = [x for x in _lines(text) if _fold(x) not in _COUNTRY_LINES]
        where = lines[-1] if lines else ""
    for m in _names_pattern("DE").finditer(where):
        code = region_code("DE", m.group(1))
        if code:
            codes.add(code)
    return codes.pop() if len(codes) == 1 else ""


_BY_COUNTRY = {"US": _us, "GB": _gb, "CA": _ca, "AU": _au, "DE": _de}


def region_from_address(country: str, address: str) -> str:
    """The region `address` names beyond doubt in `country`, else "" (see the module)."""
    derive = _BY_COUNTRY.get(country.strip().upper())
    if derive is None or not address.strip():
        return ""
    text = "\n".join(_lines(address))
    found = derive(text)
    return found if found in subdivisions(country.strip().upper()) else ""


def unknown_region(country: str, text: str) -> str:
    """Why `text` is no region of `country`, in words, with the codes that are."""
    nation = country.strip().upper()
    if not nation:
        return f"region {text!r} needs the customer's country (add a country column)"
    codes = subdivisions(nation)
    if not codes:
        return (
            f"region {text!r}: the holiday tables know no regions of {nation}; "
            "leave the region empty"
        )
    shown = ", ".join(codes[:24]) + (", …" if len(codes) > 24 else "")
    return f"region {text!r} is not a region of {nation}; its regions are {shown}"
