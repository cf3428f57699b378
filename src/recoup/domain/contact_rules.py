"""Contact rules: may we contact this customer now, by this channel, and if not, when?

## Contact rules (`contact_rules.py`, `local_calendar.py`)

Persistent, never harassing: the collection plan's contact rules decide, for one
customer at one moment, whether a contact is allowed, and if not, the earliest moment
it will be and why, in plain words. The same rules apply to automatic actions (the daily
run) and to manual ones (a person about to call); a manual action may break a rule
only with an explicit override reason, which the decision records so the caller can
log it. Nothing here reads the clock: the moment `at` is an argument.

The rules (`ContactRules`, defaults in brackets), all in the customer's local time:

- **Minimum gap** [7 days]: two contacts with the same customer are at least this many
  calendar days apart, counted on the customer's local calendar and in both directions
  (a contact already recorded for a later day counts too). A contact on 22 November
  allows the next on 29 November. Every channel counts. 0 turns the rule off.
- **Weekly cap** [2]: at most this many contacts in any 7 consecutive local days.
- **Contact hours** [08:00–20:00]: the customer's wall clock is at or after the start
  and before the end. Channels listed in `hours_exempt` [none] skip this rule (a
  business may exempt letters, which are read whenever they arrive).
- **Contact days** [Monday to Friday]: weekdays on which a contact may happen
  (`MON_SAT` adds Saturday).
- **Public holidays** [skipped]: no contact on a public holiday of the customer's
  country (the `holidays` package; "DE" or, for regional holidays, "DE-BY"). A country
  the package does not know has no holidays, and the decision says so in a note.
- **Holds** stop contact entirely while in force: dispute open, promise to pay in force,
  payment plan current, cease-contact request, insolvency, placed with an agency. A hold
  may end on a date (`until`, the last day it is in force, inclusive; a promise ends on
  its date plus grace days, see `promise_hold`); without an end it lasts until lifted,
  and no earliest moment can be given.

The customer's time zone is an IANA name; an empty or unknown name means UTC, with a
note in the decision. Contacts in the history are aware datetimes.

`check(rules, debtor, channel, at, override=None)` returns a `Decision`: `allowed`,
`earliest` (the first moment at or after `at` at which every rule allows a contact:
nights, non-contact days, holidays, gap, cap and dated holds skipped; `at` itself when
allowed; None when a hold has no end), `breaches` (the rules broken at `at`), `reasons`
(plain words: the breaches, then the earliest moment, the override, and any notes),
`overridden` and `notes`.

**Overrides.** With an override reason, a decision that breaks only overridable rules
is allowed and lists the overridden breaches. Three holds are absolute and refuse any
override: a **cease-contact request** (the customer asked us to stop; only they can
withdraw it), **insolvency** (claims go to the insolvency practitioner, and contacting
the debtor may break a moratorium), and **placed with an agency** (the agency holds the
account; recall the placement first, which ends the hold). A dispute, a promise or a
payment plan can be overridden (e.g. to call about the dispute itself, or because the
customer asked to be called).

**The daily run.** `next_contact_day(rules, debtor, as_of)` gives the first local day
on or after `as_of` on which gap, cap, contact days, holidays and holds allow a
contact; `contact_window(day, tz, rules)` gives that day's contact hours as UTC
instants. After missed days a catch-up run needs no special care: it records each
contact before deciding the next, and the gap and cap then allow one contact, not one
per missed day.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache

from recoup.domain.ledger import Channel, Customer
from recoup.domain.local_calendar import (
    WEEKDAY_NAMES,
    HolidayCalendar,
    Zone,
    day_month,
    day_name,
    holiday_calendar,
    local_day,
    local_moment,
    require_aware,
    resolve_zone,
    to_local,
)
from recoup.domain.words import term

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
MON_FRI: frozenset[int] = frozenset(range(MONDAY, SATURDAY))
MON_SAT: frozenset[int] = frozenset(range(MONDAY, SUNDAY))

CAP_WINDOW_DAYS = 7
"""The weekly cap counts contacts in any run of this many consecutive local days."""
HORIZON_DAYS = 3660
"""How far ahead `earliest` and `next_contact_day` look before giving up (ten years)."""

_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0, 0)


class HoldKind(StrEnum):
    """Why contact is on hold."""

    DISPUTE = "dispute"
    PROMISE = "promise"
    PAYMENT_PLAN = "payment_plan"
    CEASE_CONTACT = "cease_contact"
    INSOLVENCY = "insolvency"
    AGENCY = "agency"


HOLD_WORDS: dict[HoldKind, str] = {k: term("hold", k) for k in HoldKind}  # domain.words

ABSOLUTE_HOLDS: dict[HoldKind, str] = {
    HoldKind.CEASE_CONTACT: "the customer asked us to stop contacting them; only they can "
    "withdraw that",
    HoldKind.INSOLVENCY: "claims go to the insolvency practitioner, not to the customer",
    HoldKind.AGENCY: "the agency holds the account; recall the placement first",
}
"""Holds no override can break, each with the reason given to the person trying."""


class Rule(StrEnum):
    """The rules a contact can break."""

    HOLD = "hold"
    MINIMUM_GAP = "minimum_gap"
    WEEKLY_CAP = "weekly_cap"
    CONTACT_DAY = "contact_day"
    HOLIDAY = "holiday"
    CONTACT_HOURS = "contact_hours"


@dataclass(frozen=True, slots=True)
class Hold:
    """A hold that stops all contact while in force.

    `until` is the last local day on which the hold is in force (inclusive); None means
    until it is lifted. A hold whose `until` has passed is simply not in force.
    """

    kind: HoldKind
    until: date | None = None
    note: str = ""

    def in_force(self, day: date) -> bool:
        return self.until is None or day <= self.until

    @property
    def absolute(self) -> bool:
        """True when no override can break this hold (see `ABSOLUTE_HOLDS`)."""
        return self.kind in ABSOLUTE_HOLDS

    def words(self) -> str:
        """In words, e.g. "dispute open until 2026-12-04 (invoice 17 disputed)"."""
        text = HOLD_WORDS[self.kind]
        if self.until is not None:
            text += f" until {self.until.isoformat()}"
        if self.note:
            text += f" ({self.note})"
        return text


def promise_hold(promised_on: date, grace_days: int = 3, note: str = "") -> Hold:
    """The hold of a promise to pay on `promised_on`: in force until the date plus grace.

    With the default 3 grace days, a promise for 1 December holds contact until
    4 December inclusive; from 5 December the promise counts as broken and contact may
    resume.
    """
    if grace_days < 0:
        raise ValueError("grace days must not be negative")
    return Hold(HoldKind.PROMISE, promised_on + timedelta(days=grace_days), note)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class ContactRules:
    """How often and when a customer may be contacted. The defaults are the safe plan."""

    min_gap_days: int = 7
    """Local calendar days between two contacts with the same customer; 0 = no gap."""
    max_per_week: int = 2
    """Contacts in any 7 consecutive local days, at most (1 or more)."""
    start: time = time(8, 0)
    """Contact hours start (local wall clock, inclusive)."""
    end: time = time(20, 0)
    """Contact hours end (local wall clock, exclusive); after `start`, same day."""
    weekdays: frozenset[int] = MON_FRI
    """Contact days, as `date.weekday()` numbers (0 = Monday); `MON_SAT` adds Saturday."""
    skip_holidays: bool = True
    """No contact on the public holidays of the customer's country."""
    hours_exempt: frozenset[Channel] = frozenset()
    """Channels the contact hours do not apply to (e.g. letters); none by default."""

    def __post_init__(self) -> None:
        if not _is_int(self.min_gap_days) or self.min_gap_days < 0:
            raise ValueError(f"min_gap_days must be a whole number >= 0: {self.min_gap_days!r}")
        if not _is_int(self.max_per_week) or self.max_per_week < 1:
            raise ValueError(f"max_per_week must be a whole number >= 1: {self.max_per_week!r}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("contact hours are local wall-clock times, without a time zone")
        if not self.start < self.end:
            raise ValueError(
                f"contact hours must start before they end: {self.start:%H:%M}–{self.end:%H:%M}"
            )
        if not self.weekdays:
            raise ValueError("at least one weekday must allow contact")
        if not all(_is_int(d) and MONDAY <= d <= SUNDAY for d in self.weekdays):
            raise ValueError(f"weekdays are numbers 0 (Monday) to 6 (Sunday): {self.weekdays!r}")
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "hours_exempt", frozenset(Channel(c) for c in self.hours_exempt))

    def hours_words(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def weekdays_words(self) -> str:
        days = sorted(self.weekdays)
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            return f"{WEEKDAY_NAMES[days[0]]} to {WEEKDAY_NAMES[days[-1]]}"
        return ", ".join(WEEKDAY_NAMES[d] for d in days)


DEFAULT_RULES = ContactRules()


@dataclass(frozen=True, slots=True)
class PastContact:
    """One contact already made (or already planned) with the customer."""

    at: datetime
    """An aware datetime (UTC by convention)."""
    channel: Channel = Channel.EMAIL

    def __post_init__(self) -> None:
        require_aware(self.at, "a contact's time")


@dataclass(frozen=True, slots=True)
class Debtor:
    """What the contact rules need to know about one customer."""

    country: str = ""
    """ISO 3166-1 alpha-2 code, optionally with a subdivision ("DE-BY"); "" = none."""
    timezone: str = "UTC"
    """IANA time zone name; empty or unknown means UTC (with a note)."""
    contacts: tuple[PastContact, ...] = ()
    holds: tuple[Hold, ...] = ()

    @classmethod
    def of(
        cls,
        customer: Customer,
        contacts: Iterable[PastContact] = (),
        holds: Iterable[Hold] = (),
    ) -> Debtor:
        """The debtor of a ledger `Customer`, with its contact history and holds."""
        return cls(customer.country, customer.timezone, tuple(contacts), tuple(holds))

    def with_contact(self, at: datetime, channel: Channel = Channel.EMAIL) -> Debtor:
        """This debtor with one more contact in its history."""
        return replace(self, contacts=(*self.contacts, PastContact(at, channel)))


@dataclass(frozen=True, slots=True)
class Breach:
    """One rule a contact would break, in plain words."""

    rule: Rule
    reason: str
    hold: HoldKind | None = None

    @property
    def absolute(self) -> bool:
        """True when no override can set this breach aside."""
        return self.hold is not None and self.hold in ABSOLUTE_HOLDS


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may we contact them now, and if not, when and why?"."""

    allowed: bool
    earliest: datetime | None
    """The first moment >= `at` at which every rule allows a contact (UTC); `at` when
    no rule is broken; None when a hold has no end. An override does not move it."""
    reasons: tuple[str, ...]
    """Plain words: the breaches, the earliest moment, the override, then the notes."""
    breaches: tuple[Breach, ...] = ()
    """The rules broken at `at` (empty when the rules allow the contact)."""
    overridden: tuple[Breach, ...] = ()
    """The breaches set aside by the override; log these with `override`."""
    override: str | None = None
    """The override reason as given (None when there was none)."""
    notes: tuple[str, ...] = ()
    """Caveats about the inputs: unknown time zone, unknown country's holidays."""

    @property
    def overridden_rules(self) -> tuple[Rule, ...]:
        return tuple(dict.fromkeys(b.rule for b in self.overridden))


@dataclass(frozen=True, slots=True)
class _Context:
    rules: ContactRules
    zone: Zone
    calendar: HolidayCalendar
    days: tuple[date, ...]  # the local days of the contacts, sorted
    holds: tuple[Hold, ...]

    @property
    def notes(self) -> tuple[str, ...]:
        notes = [self.zone.note]
        if self.rules.skip_holidays:
            notes.append(self.calendar.note)
        return tuple(n for n in notes if n)


@lru_cache(maxsize=8192)
def _local_date(moment: datetime, tz: tzinfo) -> date:
    """`moment`'s day on the wall clock of `tz`. Remembered: a book's contacts fall on a
    few hundred distinct moments, and a zone's rule for years past its file's last
    transition is worked out again on every conversion (~20 us each here)."""
    return moment.astimezone(tz).date()


def _context(rules: ContactRules, debtor: Debtor) -> _Context:
    zone = resolve_zone(debtor.timezone)
    days = tuple(sorted(_local_date(c.at, zone.tz) for c in debtor.contacts))
    return _Context(rules, zone, holiday_calendar(debtor.country), days, debtor.holds)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True, slots=True)
class _DayCheck:
    breaches: tuple[Breach, ...]
    resume: date | None  # the first day worth trying next; None = never


def _check_day(ctx: _Context, day: date) -> _DayCheck:
    """The rules that work by whole local days: holds, gap, cap, contact days, holidays."""
    rules = ctx.rules
    breaches: list[Breach] = []
    resume: date | None = day + _ONE_DAY
    open_ended = False

    for hold in ctx.holds:
        if not hold.in_force(day):
            continue
        reason = f"on hold: {hold.words()}"
        if hold.absolute:
            reason += f"; cannot be overridden: {ABSOLUTE_HOLDS[hold.kind]}"
        breaches.append(Breach(Rule.HOLD, reason, hold.kind))
        if hold.until is None:
            open_ended = True
        elif resume is not None:
            resume = max(resume, hold.until + _ONE_DAY)

    gap = rules.min_gap_days
    if gap:
        low = bisect_right(ctx.days, day - timedelta(days=gap))
        high = bisect_left(ctx.days, day + timedelta(days=gap))
        if low < high:
            binding = ctx.days[high - 1]  # the latest contact too close to `day`
            not_before = binding + timedelta(days=gap)
            if binding <= day:
                what = f"last contact {binding.isoformat()}"
            else:
                what = f"a contact is already recorded for {binding.isoformat()}"
            breaches.append(
                Breach(
                    Rule.MINIMUM_GAP,
                    f"next contact not before {not_before.isoformat()}: {what}, "
                    f"minimum gap {_plural(gap, 'day')}",
                )
            )
            if resume is not None:
                resume = max(resume, not_before)

    cap = rules.max_per_week
    reach = timedelta(days=CAP_WINDOW_DAYS - 1)
    nearby = bisect_right(ctx.days, day + reach) - bisect_left(ctx.days, day - reach)
    for back in range(CAP_WINDOW_DAYS - 1, -1, -1) if nearby + 1 > cap else ():
        first = day - timedelta(days=back)
        last = first + timedelta(days=CAP_WINDOW_DAYS - 1)
        count = bisect_right(ctx.days, last) - bisect_left(ctx.days, first)
        if count + 1 > cap:
            breaches.append(
                Breach(
                    Rule.WEEKLY_CAP,
                    f"already {_plural(count, 'contact')} between {first.isoformat()} and "
                    f"{last.isoformat()}; at most {cap} in any {CAP_WINDOW_DAYS} days",
                )
            )
            break

    if day.weekday() not in rules.weekdays:
        breaches.append(
            Breach(
                Rule.CONTACT_DAY,
                f"{day_name(day)} is not a contact day (contact days: {rules.weekdays_words()})",
            )
        )

    if rules.skip_holidays:
        name = ctx.calendar.holiday(day)
        if name is not None:
            where = ctx.calendar.country or ctx.calendar.code
            if ctx.calendar.subdivision:
                where += f"-{ctx.calendar.subdivision}"
            breaches.append(
                Breach(Rule.HOLIDAY, f"{day_month(day)} is a public holiday in {where} ({name})")
            )

    return _DayCheck(tuple(breaches), None if open_ended else resume)


def _hours_breach(ctx: _Context, channel: Channel, moment: datetime) -> Breach | None:
    rules = ctx.rules
    if channel in rules.hours_exempt:
        return None
    local = to_local(moment, ctx.zone)
    if rules.start <= local.time() < rules.end:
        return None
    return Breach(
        Rule.CONTACT_HOURS,
        f"outside contact hours in {ctx.zone.name} "
        f"({local:%H:%M} local; allowed {rules.hours_words()})",
    )


def _breaches_at(ctx: _Context, channel: Channel, moment: datetime) -> tuple[Breach, ...]:
    day_check = _check_day(ctx, local_day(moment, ctx.zone))
    hours = _hours_breach(ctx, channel, moment)
    return day_check.breaches if hours is None else (*day_check.breaches, hours)


def _window(ctx: _Context, channel: Channel, day: date) -> tuple[datetime, datetime]:
    if channel in ctx.rules.hours_exempt:
        return local_moment(day, _MIDNIGHT, ctx.zone), local_moment(
            day + _ONE_DAY, _MIDNIGHT, ctx.zone
        )
    return local_moment(day, ctx.rules.start, ctx.zone), local_moment(day, ctx.rules.end, ctx.zone)


def _earliest(ctx: _Context, channel: Channel, at: datetime) -> tuple[datetime | None, str]:
    """The first allowed moment >= `at`, or None and why there is none."""
    day = local_day(at, ctx.zone)
    for _ in range(HORIZON_DAYS):
        day_check = _check_day(ctx, day)
        if day_check.breaches:
            if day_check.resume is None:
                open_holds = [h for h in ctx.holds if h.until is None]
                words = " and ".join(HOLD_WORDS[h.kind] for h in open_holds)
                return None, f"no contact until the hold ({words}) is lifted: it has no end date"
            day = day_check.resume
            continue
        start, end = _window(ctx, channel, day)
        candidate = max(at, start)
        # Verify in full: on a day a clock change reshapes, the window can be off.
        if candidate < end and not _breaches_at(ctx, channel, candidate):
            return candidate, ""
        day += _ONE_DAY
    return None, f"no allowed moment in the next {HORIZON_DAYS} days"


def _moment_words(moment: datetime, zone: Zone) -> str:
    local = to_local(moment, zone)
    when = f"{day_name(local.date())} {local.year}, {local:%H:%M}"
    if zone.name == "UTC":
        return f"{when} UTC"
    return f"{when} in {zone.name} ({moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"


def check(
    rules: ContactRules,
    debtor: Debtor,
    channel: Channel,
    at: datetime,
    override: str | None = None,
) -> Decision:
    """May `debtor` be contacted by `channel` at `at`? If not, the earliest moment and why.

    `at` is the as-of moment (aware). Automatic actions pass no `override`. A manual
    action that breaks a rule passes the reason in words; the decision is then allowed
    and lists the overridden breaches, unless one of them is an absolute hold
    (`ABSOLUTE_HOLDS`), which no override can set aside.
    """
    require_aware(at, "at")
    if override is not None and not override.strip():
        raise ValueError("an override needs a reason in words")
    ctx = _context(rules, debtor)
    breaches = _breaches_at(ctx, channel, at)
    reasons = [b.reason for b in breaches]
    earliest: datetime | None = at
    overridden: tuple[Breach, ...] = ()
    allowed = not breaches

    if breaches:
        earliest, why_none = _earliest(ctx, channel, at)
        if earliest is None:
            reasons.append(why_none)
        else:
            reasons.append(f"earliest allowed: {_moment_words(earliest, ctx.zone)}")
        if override is not None:
            absolute = [b for b in breaches if b.absolute]
            if absolute:
                kinds = ", ".join(HOLD_WORDS[b.hold] for b in absolute if b.hold is not None)
                reasons.append(f"override refused ({override}): {kinds} cannot be overridden")
            else:
                allowed = True
                overridden = breaches
                rules_broken = ", ".join(dict.fromkeys(b.rule.value for b in breaches))
                reasons.append(
                    f"allowed by override ({override}); rules overridden: {rules_broken}"
                )

    notes = ctx.notes
    return Decision(
        allowed=allowed,
        earliest=earliest,
        reasons=(*reasons, *notes),
        breaches=breaches,
        overridden=overridden,
        override=override,
        notes=notes,
    )


def next_contact_day(rules: ContactRules, debtor: Debtor, as_of: date) -> date | None:
    """The first local day on or after `as_of` on which a contact is allowed.

    Counts the day-level rules only (holds, gap, cap, contact days, holidays); the hours
    are `contact_window`'s. `as_of` is a day on the customer's local calendar. None when
    a hold without an end is in force (or nothing is allowed within `HORIZON_DAYS`).
    """
    ctx = _context(rules, debtor)
    day = as_of
    for _ in range(HORIZON_DAYS):
        day_check = _check_day(ctx, day)
        if not day_check.breaches:
            return day
        if day_check.resume is None:
            return None
        day = day_check.resume
    return None


def contact_window(
    day: date, tz: str | tzinfo, rules: ContactRules = DEFAULT_RULES
) -> tuple[datetime, datetime]:
    """The contact hours of the local `day` in zone `tz`, as UTC instants [start, end).

    `tz` is an IANA name (unknown names mean UTC, as everywhere here) or a tzinfo.
    """
    zone = resolve_zone(tz) if isinstance(tz, str) else Zone(tz, str(tz))
    return local_moment(day, rules.start, zone), local_moment(day, rules.end, zone)
