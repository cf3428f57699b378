"""The debtor's calendar: time zones, local days and public holidays. No clock is read.

- `resolve_zone(name)`: an IANA time zone by name. An empty or unknown name is not an
  error: it resolves to UTC and says so in `Zone.note`, so a decision can explain it.
- `local_day(moment, zone)` / `local_moment(day, clock, zone)`: between aware UTC
  moments and the debtor's wall clock. A wall-clock time that does not exist on a day
  (clocks jump forward) is moved forward by the length of the jump, as clocks do; a time
  that happens twice (clocks fall back) means its first occurrence.
- `holiday_calendar(country)`: the public holidays of a country from the `holidays`
  package (pure data: rules and tables, no network). `country` is an ISO 3166-1 alpha-2
  code ("DE"), optionally with an ISO 3166-2 subdivision ("DE-BY", "US-CA") to add
  regional holidays. A country the package does not know has no holidays, and the
  calendar carries a note saying so; an unknown subdivision falls back to the country's
  national holidays, with a note. Holiday names are in English where the package has
  an English translation.
- `holiday_code(country, region)`: the code `holiday_calendar` takes for a customer
  whose record holds a country and a region ("GB", "SCT" -> "GB-SCT"; "US", "" -> "US").
  The region comes from an import's region column or from the address
  (`recoup.domain.regions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HOLIDAY_LANGUAGE = "en_US"  # the package falls back to a country's own language

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Zone:
    """A resolved time zone: the zone, its name, and a note when it is a fallback."""

    tz: tzinfo
    name: str
    note: str | None = None


@lru_cache(maxsize=512)
def resolve_zone(name: str) -> Zone:
    """The IANA zone `name`; UTC with a note when `name` is empty or not a known zone."""
    if not name:
        return Zone(UTC, "UTC", "no time zone given; local times are taken as UTC")
    try:
        return Zone(ZoneInfo(name), name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return Zone(UTC, "UTC", f"unknown time zone {name!r}; local times are taken as UTC instead")


def require_aware(moment: datetime, what: str = "moment") -> None:
    """Refuse a naive datetime: the rules compare instants, never wall-clock guesses."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime (with a time zone): {moment!r}")


def to_local(moment: datetime, zone: Zone) -> datetime:
    """`moment` (aware) on the debtor's wall clock."""
    require_aware(moment)
    return moment.astimezone(zone.tz)


def local_day(moment: datetime, zone: Zone) -> date:
    """The debtor's calendar day at `moment`."""
    return to_local(moment, zone).date()


def local_moment(day: date, clock: time, zone: Zone) -> datetime:
    """The UTC instant when the debtor's wall clock shows `clock` on `day`.

    A `clock` skipped by a jump forward lands as far after the jump as it was after its
    start (02:30 in a 02:00–03:00 gap is 03:30); a repeated `clock` is its first
    occurrence.
    """
    return datetime.combine(day, clock.replace(tzinfo=None, fold=0), tzinfo=zone.tz).astimezone(UTC)


def day_name(day: date) -> str:
    """E.g. "Saturday 28 November": English, whatever the process's locale."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"


def day_month(day: date) -> str:
    """E.g. "25 December"."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]}"


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """The public holidays of one country (and subdivision), or none, with a note why."""

    code: str
    """The code as the debtor's record gives it, upper-cased ("DE", "DE-BY", "" )."""
    country: str | None
    """The country whose holidays apply; None when there are none to apply."""
    subdivision: str | None = None
    note: str | None = None

    def holiday(self, day: date) -> str | None:
        """The holiday's name when `day` is a public holiday here, else None."""
        if self.country is None:
            return None
        return _holidays_of_year(self.country, self.subdivision, day.year).get(day)


def holiday_code(country: str, region: str) -> str:
    """The holiday calendar's code for a customer: "GB-SCT", "DE-BY", or the country
    alone ("US") when the region is empty. A region without a country means nothing
    ("" for both)."""
    nation = country.strip().upper()
    if not nation:
        return ""
    sub = region.strip()
    return f"{nation}-{sub.upper()}" if sub else nation


@lru_cache(maxsize=512)
def holiday_calendar(country: str) -> HolidayCalendar:
    """The holiday calendar for an ISO country code ("GB") or code-subdivision ("DE-BY")."""
    code = country.strip().upper()
    if not code:
        return HolidayCalendar("", None, note="no country given; public holidays are not checked")
    nation, _, subdivision = code.partition("-")
    if not _known(nation, None):
        return HolidayCalendar(
            code,
            None,
            note=f"public holidays of country {code!r} are not known; none are skipped",
        )
    if subdivision:
        subdivision = _spelling(nation, subdivision) or subdivision
    if subdivision and not _known(nation, subdivision):
        return HolidayCalendar(
            code,
            nation,
            note=(
                f"subdivision {subdivision!r} of {nation} is not known; "
                f"only the national holidays of {nation} are skipped"
            ),
        )
    return HolidayCalendar(code, nation, subdivision or None)


@lru_cache(maxsize=512)
def _spelling(country: str, subdivision: str) -> str | None:
    """The package's own spelling of a subdivision code given in any case ("ZONE A" ->
    "Zone A"), or None when the country has no such subdivision."""
    import holidays  # the package's tables: at the first look-up, not with the module

    try:
        codes = holidays.country_holidays(country, years=()).subdivisions
    except NotImplementedError:
        return None
    wanted = subdivision.upper()
    return next((c for c in codes if c.upper() == wanted), None)


@lru_cache(maxsize=512)
def _known(country: str, subdivision: str | None) -> bool:
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision, years=())
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=4096)
def _holidays_of_year(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    # Memoised for speed only: the same arguments always give the same table.
    import holidays

    table = holidays.country_holidays(
        country, subdiv=subdivision, years=year, language=_HOLIDAY_LANGUAGE
    )
    named: dict[date, str] = {day: str(name) for day, name in table.items()}
    return MappingProxyType(named)
