"""ISO 4217 currency codes and the number of digits after the decimal point (minor units).

The list holds the active codes of the ISO 4217 table (amendment of 2025, which added
XCG and ZWG). Codes with zero, three or four minor digits are listed apart; every other
active code has two.
"""

from __future__ import annotations

_ZERO = frozenset("""BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF""".split())
_THREE = frozenset("""BHD IQD JOD KWD LYD OMR TND""".split())
_FOUR = frozenset("""CLF UYW""".split())
_TWO = frozenset(
    """AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN
    ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD
    KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON
    RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TOP TRY TTD TWD TZS UAH USD USN UZS VED VES WST XCD XCG YER ZAR ZMW ZWG""".split()
)

MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_TWO, 2),
    **dict.fromkeys(_ZERO, 0),
    **dict.fromkeys(_THREE, 3),
    **dict.fromkeys(_FOUR, 4),
}


class UnknownCurrencyError(ValueError):
    """A code that is not an active ISO 4217 currency."""


def minor_units(code: str) -> int:
    """Digits after the decimal point for `code` (e.g. 2 for EUR, 0 for JPY)."""
    try:
        return MINOR_UNITS[code]
    except KeyError:
        raise UnknownCurrencyError(f"unknown currency {code!r} (not an ISO 4217 code)") from None


def is_currency(code: str) -> bool:
    return code in MINOR_UNITS
