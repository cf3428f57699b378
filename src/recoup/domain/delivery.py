"""May this message go now? Delivery's last look at the book before anything is sent.

The daily run decides on a day what the plan does; delivery happens later, at a moment
of its own (the next morning in the customer's time zone, after a weekend, after a
retry). Between the two the book moves: a dispute is opened, a promise recorded, a
payment arrives, a holiday falls, somebody calls. `decide` looks at one queued message
against the book *as it is at the moment of sending* and says what to do with it:

- **send** it as it is;
- **defer** it to the first moment the contact rules allow (`until`; outside contact
  hours, a non-contact day, a public holiday of the customer's country and region, the
  minimum gap or the weekly cap counted on what was actually delivered);
- **withdraw** it: a hold came into force (a dispute, a promise in force, a current
  payment plan, cease-contact, insolvency, an agency placement), a later stage of the
  same case was queued meanwhile (the account moved on: one message in the voice it
  has reached, not a burst), a reminder before the due date would arrive after it, or
  nothing it asks for is open any more; or its figures changed and the plan says to
  withdraw then;
- **rebuild** it with the current figures (under a new Message-ID; the old one is
  withdrawn): its figures changed and the plan says to rebuild (`changed_messages`).

The order is fixed: what ends the message (holds, nothing left) comes first, then when
it may go, then whether its figures still hold: a message waiting for Monday is rebuilt
on Monday, with Monday's figures, not now.

Case-work notices (a promise confirmation, a plan confirmation ...) answer the customer:
the ordinary holds do not stop them and they do not count against the gap and the cap,
but the absolute holds do (a cease-contact request, insolvency, an agency placement),
and so do the hours, contact days and holidays.

The contact rules themselves are `recoup.domain.contact_rules.check`: the same function
the daily run's `next_contact_day` is built on and the manual-contact check calls, so a
person about to call, the run and delivery answer "may we contact them" alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import StrEnum

from recoup.domain.contact_rules import ContactRules, Debtor, check
from recoup.domain.ledger import Channel
from recoup.domain.local_calendar import local_day, require_aware, resolve_zone
from recoup.domain.money import Money
from recoup.domain.policy import OnChange

REGULATION_F_HOURS = (time(8, 0), time(21, 0))
"""12 CFR 1006.6(b)(1)(i): a third-party collector of a consumer debt contacts between
08:00 and 21:00 the consumer's local time (inclusive start, exclusive end here)."""


class Verdict(StrEnum):
    SEND = "send"
    DEFER = "defer"
    WITHDRAW = "withdraw"
    REBUILD = "rebuild"


@dataclass(frozen=True, slots=True)
class Figures:
    """What a message states: the invoices it names that are open, and what they come to
    (minor units). Two messages with equal figures ask for the same."""

    open_numbers: frozenset[str]
    balance: int

    def changes_from(self, stated: Figures, currency: str) -> tuple[str, ...]:
        """How these (current) figures differ from the `stated` ones, in words."""
        words = [
            f"invoice {number} paid or credited since"
            for number in sorted(stated.open_numbers - self.open_numbers)
        ]
        words += [
            f"invoice {number} open again"
            for number in sorted(self.open_numbers - stated.open_numbers)
        ]
        if stated.balance != self.balance:
            words.append(
                f"open {Money(self.balance, currency)} where the message said "
                f"{Money(stated.balance, currency)}"
            )
        return tuple(words)


@dataclass(frozen=True, slots=True)
class Message:
    """One queued message as delivery sees it."""

    channel: Channel
    currency: str
    stated: Figures
    """The figures it states: those the run queued, or those of the message as built."""
    notice: bool = False
    """A case-work notice (answers the customer; see the module's docs)."""
    regulation_f: bool = False
    """US Regulation F applies (a third-party collector, a consumer): 08:00-21:00."""
    falls_due: date | None = None
    """For a reminder before the due date: the first due date of its invoices. Once that
    day has passed, the reminder no longer fits (an overdue message will follow)."""
    superseded_by: str | None = None
    """A later stage of the same case queued since (its name): the account has moved
    on, and one message in the voice it has reached is enough."""


@dataclass(frozen=True, slots=True)
class DeliveryDecision:
    verdict: Verdict
    reasons: tuple[str, ...]
    until: datetime | None = None
    """For a deferral: the first moment the contact rules allow."""

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def decide(
    rules: ContactRules,
    debtor: Debtor,
    message: Message,
    current: Figures,
    at: datetime,
    on_change: OnChange = OnChange.REBUILD,
) -> DeliveryDecision:
    """What to do with `message` at `at`, given the book then: `debtor` with the holds
    in force and the contacts actually delivered (not this message, nor another message
    of the same step), `current` the message's figures as the book has them now."""
    require_aware(at, "at")
    day = local_day(at, resolve_zone(debtor.timezone))

    in_force = [h for h in debtor.holds if h.in_force(day)]
    stopping = [h for h in in_force if h.absolute or not message.notice]
    if stopping:
        return DeliveryDecision(Verdict.WITHDRAW, tuple(f"on hold: {h.words()}" for h in stopping))
    if message.superseded_by is not None:
        return DeliveryDecision(
            Verdict.WITHDRAW, (f"superseded by the later stage {message.superseded_by}",)
        )
    if message.falls_due is not None and day > message.falls_due:
        return DeliveryDecision(
            Verdict.WITHDRAW,
            (
                f"a reminder before the due date can no longer go: the invoice fell due on "
                f"{message.falls_due.isoformat()}",
            ),
        )
    if not current.open_numbers:
        named = ", ".join(sorted(message.stated.open_numbers))
        why = (
            f"the invoices it names ({named}) are paid or credited"
            if named
            else f"nothing is open in {message.currency} any more"
        )
        return DeliveryDecision(Verdict.WITHDRAW, (f"nothing left to ask for: {why}",))

    if message.regulation_f:
        rules = replace(rules, start=REGULATION_F_HOURS[0], end=REGULATION_F_HOURS[1])
    timing = check(rules, _for_timing(debtor, message.notice), message.channel, at)
    if not timing.allowed:
        return DeliveryDecision(Verdict.DEFER, timing.reasons, timing.earliest)

    changes = () if message.notice else current.changes_from(message.stated, message.currency)
    if changes:
        verdict = Verdict.REBUILD if on_change is OnChange.REBUILD else Verdict.WITHDRAW
        return DeliveryDecision(verdict, ("figures changed: " + "; ".join(changes),))
    return DeliveryDecision(Verdict.SEND, ())


def _for_timing(debtor: Debtor, notice: bool) -> Debtor:
    """The debtor as the timing rules see it: no holds (decided above); a notice does not
    count against the gap and cap, so it is checked without the contacts."""
    if notice:
        return replace(debtor, holds=(), contacts=())
    return replace(debtor, holds=())
